// SHA-256 as FIPS 180-4 (section 6.2) defines it: 64-byte blocks, the message padded with one
// 1 bit, zeros and its length in bits as a 64-bit big-endian number.
#include "ebm/base/sha256.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "ebm/base/error.h"
#include "base/file_util.h"

namespace ebm {
namespace {

/// The first 32 bits of the fractional parts of the cube roots of the first 64 primes (4.2.2).
constexpr std::array<uint32_t, 64> kRoundConstants{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/// The first 32 bits of the fractional parts of the square roots of the first 8 primes (5.3.3).
constexpr std::array<uint32_t, 8> kInitialState{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr size_t kFileChunkBytes = size_t(1) << 20;

constexpr uint32_t rotateRight(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

}  // namespace

Sha256::Sha256() : state_(kInitialState) {}

void Sha256::compressBlock(const uint8_t* block)
{
    std::array<uint32_t, 64> schedule;
    for (int t = 0; t < 16; ++t)
        schedule[t] = uint32_t(block[4 * t]) << 24 | uint32_t(block[4 * t + 1]) << 16 |
                      uint32_t(block[4 * t + 2]) << 8 | uint32_t(block[4 * t + 3]);
    for (int t = 16; t < 64; ++t) {
        const uint32_t early = schedule[t - 15], late = schedule[t - 2];
        const uint32_t s0 = rotateRight(early, 7) ^ rotateRight(early, 18) ^ (early >> 3);
        const uint32_t s1 = rotateRight(late, 17) ^ rotateRight(late, 19) ^ (late >> 10);
        schedule[t] = schedule[t - 16] + s0 + schedule[t - 7] + s1;
    }
    uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (int t = 0; t < 64; ++t) {
        const uint32_t sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25);
        const uint32_t choose = (e & f) ^ (~e & g);
        const uint32_t temp1 = h + sum1 + choose + kRoundConstants[t] + schedule[t];
        const uint32_t sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22);
        const uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        const uint32_t temp2 = sum0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + temp1;
        d = c;
        c = b;
        b = a;
        a = temp1 + temp2;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
}

void Sha256::update(const void* data, size_t size)
{
    const auto* bytes = static_cast<const uint8_t*>(data);
    totalBytes_ += size;
    while (size > 0) {
        const size_t taken = std::min(size, buffer_.size() - buffered_);
        std::memcpy(buffer_.data() + buffered_, bytes, taken);
        buffered_ += taken;
        bytes += taken;
        size -= taken;
        if (buffered_ == buffer_.size()) {
            compressBlock(buffer_.data());
            buffered_ = 0;
        }
    }
}

std::string Sha256::hex()
{
    const uint64_t lengthBits = totalBytes_ * 8;
    // The 1 bit, then zeros up to 56 bytes into a block, then the length: 5.1.1.
    const uint8_t one = 0x80, zero = 0;
    update(&one, 1);
    while (buffered_ != 56)
        update(&zero, 1);
    uint8_t length[8];
    for (int i = 0; i < 8; ++i)
        length[i] = uint8_t(lengthBits >> (56 - 8 * i));
    update(length, sizeof length);
    static const char kDigits[] = "0123456789abcdef";
    std::string text;
    for (uint32_t word : state_)
        for (int shift = 28; shift >= 0; shift -= 4)
            text += kDigits[(word >> shift) & 0xF];
    return text;
}

std::string sha256Hex(const std::string& bytes)
{
    Sha256 hash;
    hash.update(bytes);
    return hash.hex();
}

std::string fileSha256Hex(const std::string& path)
{
    internal::refuseNonRegularFile(path);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot be read to take its SHA-256 (" + std::strerror(errno) + ")");
    Sha256 hash;
    std::vector<char> chunk(kFileChunkBytes);
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        hash.update(chunk.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad())
        throw Error(path + ": reading it to take its SHA-256 failed (a disk error?)");
    return hash.hex();
}

}  // namespace ebm
