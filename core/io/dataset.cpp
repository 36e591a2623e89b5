// The engine's data layer, opened by description: MNIST-style IDX folders, CIFAR-10 batches,
// NumPy .npy arrays, 2D toy distributions ("toy:NAME[:COUNT]"), and picture files and folders.
// Each format has its own file (dataset_idx.cpp, dataset_cifar.cpp, dataset_npy.cpp, toy2d.cpp,
// image_folder.cpp); what they share is in dataset_reading.cpp. No Qt here.
#include "ebm/io/dataset.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <torch/torch.h>

#include "ebm/io/image_file.h"
#include "ebm/io/toy2d.h"
#include "io/dataset_reading.h"

namespace ebm {
namespace fs = std::filesystem;
using internal::fail;
using internal::lowerCase;

namespace {

constexpr int64_t kDefaultToyPoints = 50000;

const char* const kFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

const char* const kUnderstoodKinds =
    "give a PNG or JPEG picture or a folder of them (image models), a folder of MNIST-style IDX files, "
    "a CIFAR-10 binary batch (.bin) or a folder of them, a .npy array, 'toy:NAME[:COUNT]' or 'fashion-mnist'";

}  // namespace

std::string defaultFashionMnistFolder() { return kFashionMnistFolder; }

// --- Shapes ----------------------------------------------------------------------------------

torch::Tensor padOrCrop(const torch::Tensor& images, int size) {
    if (!images.defined() || images.dim() != 4)
        throw Error("padOrCrop: expected images [N, C, H, W], got " +
                    (images.defined() ? std::to_string(images.dim()) + " dimensions" : std::string("nothing")));
    if (size <= 0) throw Error("padOrCrop: the target size must be positive, got " + std::to_string(size));
    const int64_t height = images.size(2), width = images.size(3);
    if (height == size && width == size) return images;

    // Centres the source in the target: pads when smaller, crops when larger.
    struct Span { int64_t source, target, length; };
    auto centre = [size](int64_t from) {
        return from <= size ? Span{0, (size - from) / 2, from} : Span{(from - size) / 2, 0, int64_t(size)};
    };
    const Span rows = centre(height), cols = centre(width);
    torch::Tensor out = torch::zeros({images.size(0), images.size(1), size, size}, images.options());
    out.narrow(2, rows.target, rows.length).narrow(3, cols.target, cols.length)
        .copy_(images.narrow(2, rows.source, rows.length).narrow(3, cols.source, cols.length));
    return out;
}

// --- Opening by description --------------------------------------------------------------

namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The first bytes of a file (for telling formats apart), "" when it cannot be read.
std::string sniff(const std::string& path, size_t count) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes(count, '\0');
    in.read(bytes.data(), std::streamsize(count));
    bytes.resize(size_t(std::max<std::streamsize>(in.gcount(), 0)));
    return bytes;
}

Dataset openToy(const std::string& spec) {
    // "toy:NAME[:COUNT]"
    const std::string rest = spec.substr(4);
    const size_t colon = rest.find(':');
    const std::string name = rest.substr(0, colon);
    int64_t count = kDefaultToyPoints;
    if (colon != std::string::npos) {
        const std::string countText = rest.substr(colon + 1);
        size_t used = 0;
        try {
            count = std::stoll(countText, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != countText.size())
            fail(spec, "COUNT '" + countText + "' is not a whole number; write toy:NAME[:COUNT], e.g. toy:moons:20000");
    }
    return makeToy2d(name, count, 1);
}

Dataset withImageSize(Dataset dataset, int imageSize) {
    if (imageSize > 0 && dataset.data.dim() == 4) dataset.data = padOrCrop(dataset.data, imageSize);
    return dataset;
}

}  // namespace

Dataset openDataset(const std::string& spec, bool train, int imageSize) {
    if (spec.empty() || lowerCase(spec) == "fashion-mnist") {
        const std::string folder = defaultFashionMnistFolder();
        std::error_code code;
        if (!fs::is_directory(folder, code))
            fail("fashion-mnist", "not found in " + folder +
                    "; install the Debian package dataset-fashion-mnist or give the data set's folder");
        return withImageSize(loadMnistFolder(folder, train, 0), imageSize);
    }
    if (spec.rfind("toy:", 0) == 0) return openToy(spec);

    std::error_code code;
    const fs::file_status status = fs::status(spec, code);
    if (!fs::exists(status)) fail(spec, std::string("no such file or folder; ") + kUnderstoodKinds);

    if (fs::is_directory(status)) {
        if (internal::hasMnistFiles(spec)) return withImageSize(loadMnistFolder(spec, train, 0), imageSize);
        if (internal::hasCifarFiles(spec)) return withImageSize(loadCifar10(spec, train), imageSize);
        fail(spec, std::string("folder holds no pictures, IDX files or CIFAR-10 batches; ") + kUnderstoodKinds);
    }

    const std::string name = lowerCase(fs::path(spec).filename().string());
    const std::string head = sniff(spec, 8);
    const bool npyHead = head.compare(0, internal::kNpyMagicBytes, internal::kNpyMagic, internal::kNpyMagicBytes) == 0;
    if (endsWith(name, ".npy") || npyHead) return internal::datasetFromNpy(spec, imageSize);
    if (name.find("idx3-ubyte") != std::string::npos) {
        Dataset dataset;
        dataset.name = fs::path(spec).filename().string();
        dataset.data = readIdxImages(spec, 0);
        return withImageSize(dataset, imageSize);
    }
    if (endsWith(name, ".bin") || endsWith(name, ".bin.gz")) return withImageSize(loadCifar10(spec, train), imageSize);
    fail(spec, std::string("is not a data set this program understands; ") + kUnderstoodKinds);
}

Dataset openAnyDataset(const std::string& spec, int channels, int size, bool train)
{
    constexpr int kDefaultImageChannels = 3;  // photos are colour unless the caller says otherwise
    if (channels <= 0)
        channels = kDefaultImageChannels;
    std::error_code ec;
    if (fs::is_regular_file(spec, ec) && isImageFileName(spec)) {
        Dataset data;
        data.name = fs::path(spec).filename().string();
        data.data = readImage(spec, channels, size).unsqueeze(0);
        return data;
    }
    if (fs::is_directory(spec, ec)) {
        bool hasImages = false, hasData = false;
        for (const fs::directory_entry& entry : fs::directory_iterator(spec, ec)) {
            const std::string name = entry.path().filename().string();
            hasImages = hasImages || isImageFileName(name);
            hasData = hasData || name.find("ubyte") != std::string::npos ||
                      lowerCase(entry.path().extension().string()) == ".bin";
        }
        if (hasImages && !hasData)
            return loadImageFolder(spec, channels, size);
    }
    return openDataset(spec, train, size);
}

}  // namespace ebm
