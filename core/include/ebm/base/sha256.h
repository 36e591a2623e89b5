#pragma once
// SHA-256 (FIPS 180-4), written here so that the engine needs no cryptography library: the ebm
// tool records the model's and the mask's fingerprints in the pictures it writes. No torch.
#include <array>
#include <cstdint>
#include <string>

namespace ebm {

/// A running SHA-256: update() with the bytes in any number of pieces, then hex() once.
class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t size);
    void update(const std::string& bytes) { update(bytes.data(), bytes.size()); }
    /// The digest as 64 lowercase hexadecimal digits; the object is spent afterwards.
    std::string hex();

private:
    void compressBlock(const uint8_t* block);

    std::array<uint32_t, 8> state_;
    std::array<uint8_t, 64> buffer_{};
    size_t buffered_ = 0;
    uint64_t totalBytes_ = 0;
};

/// SHA-256 of `bytes` as 64 lowercase hexadecimal digits.
std::string sha256Hex(const std::string& bytes);

/// SHA-256 of a whole file, read in pieces (a model of gigabytes is never held at once). Throws
/// ebm::Error in one line naming the file when it is missing, not a regular file or unreadable.
std::string fileSha256Hex(const std::string& path);

}  // namespace ebm
