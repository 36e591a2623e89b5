// CIFAR-10 binary batches (data_batch_*.bin, test_batch.bin), one file or the unpacked
// archive's folder, gzipped or not.
#include <algorithm>
#include <filesystem>

#include <torch/torch.h>

#include "ebm/io/dataset.h"
#include "io/dataset_reading.h"

namespace ebm {
namespace fs = std::filesystem;
using internal::fail;
using internal::folderName;
using internal::guarded;
using internal::kUint8Scale;
using internal::loadBytes;
using internal::tensorFromBytes;

namespace {

constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarChannels = 3;
constexpr int64_t kCifarImageBytes = kCifarChannels * kCifarSide * kCifarSide;   // 3072
constexpr int64_t kCifarRecordBytes = 1 + kCifarImageBytes;                      // 3073
constexpr int64_t kCifar100RecordBytes = 2 + kCifarImageBytes;                   // coarse + fine label
constexpr int kCifarClasses = 10;
constexpr unsigned char kPickleProtocolByte = 0x80;   // the Python version starts like this

struct CifarBatch {
    torch::Tensor images;   // uint8 [N, 3, 32, 32]
    torch::Tensor labels;   // int64 [N]
};

CifarBatch readCifarBatch(const std::string& path) {
    const std::string bytes = loadBytes(path);
    const int64_t size = int64_t(bytes.size());
    if (size == 0) fail(path, "is empty; expected a CIFAR-10 binary batch");
    if (static_cast<unsigned char>(bytes[0]) == kPickleProtocolByte && size % kCifarRecordBytes != 0)
        fail(path, "looks like the Python (pickle) version of CIFAR-10; download the binary version "
                "(cifar-10-binary.tar.gz)");
    if (size % kCifarRecordBytes != 0) {
        if (size % kCifar100RecordBytes == 0)
            fail(path, "looks like a CIFAR-100 binary file (3074-byte records); only CIFAR-10 is supported");
        fail(path, "size " + std::to_string(size) + " bytes is not a multiple of the 3073-byte CIFAR-10 record "
                   "(1 label byte + 3x32x32 pixels); the file is truncated or not a CIFAR-10 binary batch");
    }

    const int64_t count = size / kCifarRecordBytes;
    torch::Tensor records = tensorFromBytes(bytes.data(), {count, kCifarRecordBytes}, torch::kUInt8);
    CifarBatch batch;
    batch.labels = records.select(1, 0).to(torch::kLong);
    const int64_t largestLabel = batch.labels.max().item<int64_t>();
    if (largestLabel >= kCifarClasses) {
        const int64_t record = (batch.labels >= kCifarClasses).nonzero()[0][0].item<int64_t>();
        fail(path, "record " + std::to_string(record) + " has label " +
                std::to_string(batch.labels[record].item<int64_t>()) +
                       "; CIFAR-10 labels are 0..9, so this is not a CIFAR-10 binary batch");
    }
    // Pixels are stored channel-major (all red, then green, then blue), row by row.
    batch.images = records.narrow(1, 1, kCifarImageBytes)
                       .reshape({count, kCifarChannels, kCifarSide, kCifarSide})
                       .contiguous();
    return batch;
}

/// data_batch_1.bin ... in numeric order (plain string order would put 10 before 2).
bool batchOrder(const fs::path& a, const fs::path& b) {
    const std::string x = a.filename().string(), y = b.filename().string();
    return x.size() != y.size() ? x.size() < y.size() : x < y;
}

std::vector<fs::path> cifarBatchFiles(const fs::path& folder, bool train) {
    std::vector<fs::path> files;
    std::error_code code;
    for (const auto& entry : fs::directory_iterator(folder, code)) {
        const std::string name = entry.path().filename().string();
        const bool isBatch = train ? (name.rfind("data_batch_", 0) == 0 && entry.path().extension() == ".bin")
                                   : name == "test_batch.bin";
        if (isBatch && entry.is_regular_file(code)) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end(), batchOrder);
    return files;
}

/// The folder itself, or the "cifar-10-batches-bin" folder the official archive unpacks to.
fs::path cifarFolder(const fs::path& folder) {
    const fs::path inner = folder / "cifar-10-batches-bin";
    std::error_code code;
    return fs::is_directory(inner, code) ? inner : folder;
}

}  // namespace

namespace internal {

bool hasCifarFiles(const fs::path& folder) {
    const fs::path batches = cifarFolder(folder);
    return !cifarBatchFiles(batches, true).empty() || !cifarBatchFiles(batches, false).empty();
}

}  // namespace internal

Dataset loadCifar10(const std::string& fileOrFolder, bool train) {
    return guarded(fileOrFolder, [&] {
        std::error_code code;
        if (!fs::exists(fileOrFolder, code)) fail(fileOrFolder, "no such file or folder");

        std::vector<fs::path> files;
        if (fs::is_directory(fileOrFolder, code)) {
            files = cifarBatchFiles(cifarFolder(fileOrFolder), train);
            if (files.empty())
                fail(fileOrFolder, std::string("has no ") + (train ? "data_batch_*.bin" : "test_batch.bin") +
                                       "; expected the unpacked CIFAR-10 binary version (cifar-10-binary.tar.gz)");
        } else {
            files.push_back(fileOrFolder);
        }

        std::vector<torch::Tensor> images, labels;
        for (const fs::path& file : files) {
            CifarBatch batch = readCifarBatch(file.string());
            images.push_back(batch.images);
            labels.push_back(batch.labels);
        }
        Dataset dataset;
        dataset.name = files.size() == 1 ? files.front().filename().string() : folderName(fileOrFolder);
        dataset.data = torch::cat(images).to(torch::kFloat).div_(kUint8Scale);
        dataset.labels = torch::cat(labels);
        return dataset;
    });
}

}  // namespace ebm
