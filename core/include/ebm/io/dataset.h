#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include <torch/types.h>

namespace ebm {

/// A data set held in memory: images [N, C, H, W] (or points [N, D]) as float in [0, 1]
/// (points unbounded), with optional integer labels [N] (int64; empty when unknown).
struct Dataset {
    std::string name;
    torch::Tensor data;
    torch::Tensor labels;
    int64_t size() const { return data.defined() ? data.size(0) : 0; }
};

/// MNIST / Fashion-MNIST IDX image file (gzipped or not), values / 255, zero-padded to
/// `padTo` pixels square when larger than the file's images (28 -> 32 by default; 0 = keep).
torch::Tensor readIdxImages(const std::string& path, int padTo = 32);
/// IDX label file (idx1-ubyte), gzipped or not, as int64 [N].
torch::Tensor readIdxLabels(const std::string& path);

/// Loads train or test split of an MNIST-layout folder: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
Dataset loadMnistFolder(const std::string& folder, bool train = true, int padTo = 32);

/// CIFAR-10 binary batches: one file (data_batch_1.bin) or a folder holding data_batch_*.bin
/// (train) or test_batch.bin (test). Images [N, 3, 32, 32] in [0, 1].
Dataset loadCifar10(const std::string& fileOrFolder, bool train = true);

/// NumPy .npy arrays (float32/float64/uint8, C order, little-endian). uint8 data is divided by 255.
torch::Tensor readNpy(const std::string& path);
void writeNpy(const std::string& path, const torch::Tensor& array);

/// A .npy array in the dtype it was stored in (uint8, int32, int64, float32 or float64), nothing
/// scaled; refuses, before reading any of it, a file larger than `maxBytes` (when > 0).
torch::Tensor readNpyAsStored(const std::string& path, uintmax_t maxBytes = 0);
/// Writes `array` in its own dtype (one of those), atomically as writeNpy; others are refused.
void writeNpyAsStored(const std::string& path, const torch::Tensor& array);

/// Where Debian's dataset-fashion-mnist package puts the data.
std::string defaultFashionMnistFolder();

/// Opens a data set from a user's description: a folder of IDX files, a CIFAR-10 batch or
/// folder, a .npy file, or "toy:NAME" (ebm/io/toy2d.h). Pictures are opened by openAnyDataset.
Dataset openDataset(const std::string& spec, bool train = true, int imageSize = 32);

/// ebm::openDataset, plus picture files and folders of pictures (read as `channels` channels,
/// 3 when <= 0; other formats keep their own channel count).
Dataset openAnyDataset(const std::string& spec, int channels, int size, bool train = true);

/// Pads or centre-crops images [N, C, H, W] to size x size (zeros outside).
torch::Tensor padOrCrop(const torch::Tensor& images, int size);

}  // namespace ebm
