// MNIST-style IDX files (images idx3-ubyte, labels idx1-ubyte), gzipped or not, and folders
// in the MNIST layout.
#include <cstdio>
#include <filesystem>
#include <functional>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "ebm/io/dataset.h"
#include "io/dataset_reading.h"

namespace ebm {
namespace fs = std::filesystem;
using internal::fail;
using internal::folderName;
using internal::guarded;
using internal::gunzip;
using internal::isGzip;
using internal::kMaxDecompressedBytes;
using internal::kUint8Scale;
using internal::mib;
using internal::tensorFromBytes;

namespace {

constexpr uint32_t kIdxImagesMagic = 0x00000803;   // unsigned bytes, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801;   // unsigned bytes, 1 dimension
constexpr uint32_t kIdxUnsignedByteType = 0x08;
constexpr size_t kIdxImagesHeaderBytes = 16;       // magic + count + rows + cols
constexpr size_t kIdxLabelsHeaderBytes = 8;        // magic + count
constexpr uint32_t kMaxIdxSide = 4096;             // anything larger is not an image set

std::string hex32(uint32_t value) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "0x%08x", value);
    return buffer;
}

uint32_t readBigEndian32(const std::string& bytes, size_t offset) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

/// An IDX file's bytes. Its header says how much data follows, so a gzipped file is decoded no
/// further than that plus one byte (enough to notice junk after it): a small file of zeros
/// that inflates to gigabytes (a "gzip bomb") is refused after reading what the header allows.
/// A header that promises more than this program can hold is refused before any data is read.
std::string loadIdxBytes(const std::string& path, size_t headerBytes,
                         const std::function<uint64_t(const std::string& header)>& declaredDataBytes) {
    std::string bytes = internal::readFileBytes(path);
    const bool compressed = isGzip(bytes);
    const std::string header = compressed ? gunzip(path, bytes, headerBytes) : bytes.substr(0, headerBytes);
    if (header.size() < headerBytes)
        return header;  // too short: the caller says so
    const uint64_t declared = declaredDataBytes(header);
    if (declared > kMaxDecompressedBytes)
        fail(path, "the IDX header promises " + std::to_string(declared) + " bytes of data, more than the " +
                       mib(kMaxDecompressedBytes) + " this program reads; the file is damaged or not an IDX file");
    return compressed ? gunzip(path, bytes, headerBytes + declared + 1) : bytes;
}

/// Why `magic` is not the IDX magic we wanted, in words a user can act on.
std::string badIdxMagic(uint32_t magic, uint32_t wanted) {
    const char* wantedKind =
        wanted == kIdxImagesMagic ? "an IDX image file (idx3-ubyte)" : "an IDX label file (idx1-ubyte)";
    if (magic == kIdxLabelsMagic && wanted == kIdxImagesMagic)
        return "is an IDX label file, expected an image file (idx3-ubyte)";
    if (magic == kIdxImagesMagic && wanted == kIdxLabelsMagic)
        return "is an IDX image file, expected a label file (idx1-ubyte)";
    if ((magic >> 16) == 0 && ((magic >> 8) & 0xff) != kIdxUnsignedByteType && (magic & 0xff) != 0)
        return "IDX element type " + hex32((magic >> 8) & 0xff) +
                " is not unsigned bytes; only ubyte IDX files are supported";
    return "bad magic number " + hex32(magic) + " (expected " + hex32(wanted) + "); not " + wantedKind +
           ", or a damaged download";
}

}  // namespace

torch::Tensor readIdxImages(const std::string& path, int padTo) {
    return guarded(path, [&] {
        const std::string bytes = loadIdxBytes(path, kIdxImagesHeaderBytes, [](const std::string& header) {
            const uint64_t rows = readBigEndian32(header, 8), cols = readBigEndian32(header, 12);
            // An absurd side is refused below with its own message; count nothing for it here.
            return rows > kMaxIdxSide || cols > kMaxIdxSide ? 0 : uint64_t(readBigEndian32(header, 4)) * rows * cols;
        });
        if (bytes.size() < kIdxImagesHeaderBytes)
            fail(path, "only " + std::to_string(bytes.size()) +
                    " bytes, too short for an IDX image header; the file is truncated or not an IDX file");
        const uint32_t magic = readBigEndian32(bytes, 0);
        if (magic != kIdxImagesMagic) fail(path, badIdxMagic(magic, kIdxImagesMagic));

        const uint32_t count = readBigEndian32(bytes, 4);
        const uint32_t rows = readBigEndian32(bytes, 8);
        const uint32_t cols = readBigEndian32(bytes, 12);
        if (count == 0) fail(path, "the IDX header says the file holds no images");
        if (rows == 0 || cols == 0 || rows > kMaxIdxSide || cols > kMaxIdxSide)
            fail(path, "the IDX header gives an absurd image size " + std::to_string(rows) + " x " +
                    std::to_string(cols) + "; the file is damaged");

        // Cannot overflow: count < 2^32 and rows * cols <= 2^24.
        const uint64_t declared = uint64_t(count) * rows * cols;
        const uint64_t present = bytes.size() - kIdxImagesHeaderBytes;
        const std::string what = std::to_string(count) + " images of " + std::to_string(rows) + " x " +
                std::to_string(cols);
        if (present < declared)
            fail(path, "the IDX header promises " + what + " (" + std::to_string(declared) + " bytes) but only " +
                           std::to_string(present) + " follow; the file is truncated, download it again");
        if (present > declared)
            fail(path, "more data follows the " + what + " the IDX header declares; the file is damaged");

        torch::Tensor images = tensorFromBytes(bytes.data() + kIdxImagesHeaderBytes,
                                               {int64_t(count), 1, int64_t(rows), int64_t(cols)}, torch::kUInt8);
        images = images.to(torch::kFloat).div_(kUint8Scale);
        const bool fitsInside = padTo >= int64_t(rows) && padTo >= int64_t(cols);
        if (padTo > 0 && fitsInside) images = padOrCrop(images, padTo);
        return images;
    });
}

torch::Tensor readIdxLabels(const std::string& path) {
    return guarded(path, [&] {
        const std::string bytes = loadIdxBytes(path, kIdxLabelsHeaderBytes, [](const std::string& header) {
            return uint64_t(readBigEndian32(header, 4));
        });
        if (bytes.size() < kIdxLabelsHeaderBytes)
            fail(path, "only " + std::to_string(bytes.size()) +
                    " bytes, too short for an IDX label header; the file is truncated or not an IDX file");
        const uint32_t magic = readBigEndian32(bytes, 0);
        if (magic != kIdxLabelsMagic) fail(path, badIdxMagic(magic, kIdxLabelsMagic));

        const uint32_t count = readBigEndian32(bytes, 4);
        if (count == 0) fail(path, "the IDX header says the file holds no labels");
        const uint64_t present = bytes.size() - kIdxLabelsHeaderBytes;
        if (present < count)
            fail(path, "the IDX header promises " + std::to_string(count) + " labels but only " +
                    std::to_string(present) +
                           " bytes follow; the file is truncated, download it again");
        if (present > count)
            fail(path, "more data follows the " + std::to_string(count) +
                    " labels the IDX header declares; the file is damaged");
        return tensorFromBytes(bytes.data() + kIdxLabelsHeaderBytes, {int64_t(count)}, torch::kUInt8).to(torch::kLong);
    });
}

namespace {

/// The split's file in an MNIST-layout folder, or "" when there is none. Both the usual
/// "train-images-idx3-ubyte" and the "train-images.idx3-ubyte" spelling of some mirrors.
std::string findIdxFile(const fs::path& folder, const std::string& split, const std::string& kind,
                        const std::string& idx) {
    const std::string stems[] = {split + "-" + kind + "-" + idx + "-ubyte", split + "-" + kind + "." + idx + "-ubyte"};
    for (const std::string& stem : stems)
        for (const char* suffix : {"", ".gz"}) {
            const fs::path candidate = folder / (stem + suffix);
            std::error_code code;
            if (fs::is_regular_file(candidate, code)) return candidate.string();
        }
    return {};
}

}  // namespace

namespace internal {

bool hasMnistFiles(const fs::path& folder) {
    return !findIdxFile(folder, "train", "images", "idx3").empty() ||
           !findIdxFile(folder, "t10k", "images", "idx3").empty();
}

}  // namespace internal

Dataset loadMnistFolder(const std::string& folder, bool train, int padTo) {
    std::error_code code;
    if (!fs::exists(folder, code)) fail(folder, "no such folder");
    if (!fs::is_directory(folder, code)) fail(folder, "is not a folder; expected a folder of MNIST-style IDX files");

    const std::string split = train ? "train" : "t10k";
    const std::string imagesPath = findIdxFile(folder, split, "images", "idx3");
    if (imagesPath.empty())
        fail(folder, "has no " + split + "-images-idx3-ubyte[.gz]; expected the MNIST layout "
                     "({train,t10k}-images-idx3-ubyte and ...-labels-idx1-ubyte, optionally gzipped)");

    Dataset dataset;
    dataset.name = folderName(folder);
    dataset.data = readIdxImages(imagesPath, padTo);

    // Labels are optional: an energy model trains without them.
    const std::string labelsPath = findIdxFile(folder, split, "labels", "idx1");
    if (labelsPath.empty()) {
        spdlog::warn("{}: no {}-labels-idx1-ubyte[.gz]; loading the images without labels", folder, split);
        return dataset;
    }
    dataset.labels = readIdxLabels(labelsPath);
    if (dataset.labels.size(0) != dataset.data.size(0))
        fail(labelsPath, "holds " + std::to_string(dataset.labels.size(0)) + " labels but " + imagesPath + " holds " +
                             std::to_string(dataset.data.size(0)) + " images; the two files do not belong together");
    return dataset;
}

}  // namespace ebm
