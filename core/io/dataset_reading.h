#pragma once
// What the engine's data set readers (IDX, CIFAR-10, .npy, 2D toys, opening by description)
// share; not part of the public API. No Qt: LibTorch and zlib only.
//
// Every reader checks what a header declares against the bytes that are really there before
// allocating anything, so a lying or truncated file gives an ebm::Error that names the file,
// never a crash or a multi-gigabyte allocation.
#include <cstdint>
#include <filesystem>
#include <new>
#include <string>
#include <vector>

#include <torch/types.h>

#include "ebm/base/error.h"
#include "ebm/io/dataset.h"
#include "base/file_util.h"

namespace ebm::internal {

// Decompressed gzip data is capped so a small "gzip bomb" cannot exhaust memory; the largest
// data set we read (CIFAR-10 train, 150 MiB) is far below this. It also keeps zlib's 32-bit
// avail_in/avail_out counters safe.
constexpr uint64_t kMaxDecompressedBytes = uint64_t{3} << 30;
constexpr float kUint8Scale = 255.0f;

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicBytes = 6;

[[noreturn]] void fail(const std::string& where, const std::string& problem);

/// A byte count as "12.3 MiB".
std::string mib(uint64_t bytes);

/// `text` in lower case (ASCII).
std::string lowerCase(std::string text);

/// The last component of a folder ("a/b/" -> "b"), as a data set's name.
std::string folderName(const std::string& folder);

/// Runs a loader and turns anything that is not already an ebm::Error (out of memory, a
/// LibTorch error) into one line naming the file.
template <class Function>
auto guarded(const std::string& path, Function&& function) -> decltype(function()) {
    try {
        return function();
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        fail(path, "not enough memory to load it");
    } catch (const c10::Error& error) {
        fail(path, firstLine(error.what_without_backtrace()));
    } catch (const std::exception& error) {
        fail(path, firstLine(error.what()));
    }
}

/// True when the bytes start with the gzip magic.
bool isGzip(const std::string& bytes);

/// Inflates a whole gzip file (several concatenated members allowed, as gzip itself does).
/// The output grows with the data really decoded, never with a size a header claims.
/// With `prefixBytes` > 0, stops (without error) once that many bytes are decoded and returns
/// just them: readers whose header says how much follows decode no further than that.
std::string gunzip(const std::string& path, const std::string& compressed, uint64_t prefixBytes = 0);

/// The file's bytes, decompressed first when it starts with the gzip magic.
std::string loadBytes(const std::string& path);

/// Copies raw bytes into a fresh tensor (memcpy: the source may be unaligned for the dtype).
torch::Tensor tensorFromBytes(const char* data, const std::vector<int64_t>& shape, torch::Dtype dtype);

/// True when an MNIST-layout folder holds the train or test images (dataset_idx.cpp).
bool hasMnistFiles(const std::filesystem::path& folder);

/// True when a folder (or its cifar-10-batches-bin) holds CIFAR-10 batches (dataset_cifar.cpp).
bool hasCifarFiles(const std::filesystem::path& folder);

/// An array read from .npy in the engine's layout: images [N, C, H, W] (padded or cropped to
/// imageSize when > 0) or points [N, D] (dataset_npy.cpp).
Dataset datasetFromNpy(const std::string& path, int imageSize);

}  // namespace ebm::internal
