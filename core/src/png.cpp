// Sample grids and a minimal 8-bit PNG writer (zlib for the compression, our own chunks),
// so the engine can save pictures without Qt.
#include "ebm/png.h"

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <zlib.h>

#include "ebm/error.h"

namespace ebm {
namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr uint8_t kBitDepth = 8;
constexpr uint8_t kColourGray = 0;
constexpr uint8_t kColourRgb = 2;
constexpr uint8_t kFilterNone = 0;          // per-row filter type 0: bytes stored as they are
constexpr int64_t kMaxSide = 1 << 15;       // far beyond any sample grid; keeps sizes sane
constexpr size_t kMaxIdatChunk = 1 << 20;   // split IDAT so every chunk length fits easily
constexpr float kMaxByte = 255.0f;

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
    throw Error(where + ": " + problem);
}

std::string shapeText(const torch::Tensor& tensor) {
    if (!tensor.defined()) return "nothing";
    std::string text = "[";
    for (int64_t i = 0; i < tensor.dim(); ++i) text += (i ? ", " : "") + std::to_string(tensor.size(i));
    return text + "]";
}

/// CRC-32 as PNG defines it (ISO 3309, polynomial 0xedb88320), table driven.
uint32_t crc32Update(uint32_t crc, const unsigned char* data, size_t length) {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> entries{};
        for (uint32_t n = 0; n < 256; ++n) {
            uint32_t c = n;
            for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            entries[n] = c;
        }
        return entries;
    }();
    for (size_t i = 0; i < length; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

void appendBigEndian32(std::string& out, uint32_t value) {
    out += char(value >> 24);
    out += char(value >> 16);
    out += char(value >> 8);
    out += char(value);
}

/// length, type, data, CRC over type and data.
void appendChunk(std::string& out, const char type[4], const unsigned char* data, size_t length) {
    appendBigEndian32(out, uint32_t(length));
    const size_t typeStart = out.size();
    out.append(type, 4);
    if (length > 0) out.append(reinterpret_cast<const char*>(data), length);
    const auto* crcStart = reinterpret_cast<const unsigned char*>(out.data() + typeStart);
    appendBigEndian32(out, crc32Update(0xffffffffu, crcStart, 4 + length) ^ 0xffffffffu);
}

void writeFileAtomically(const std::string& path, const std::string& bytes) {
    // A temporary file and a rename: readers never see half a picture.
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) fail(path, "cannot create it (does the folder exist, is it writable?)");
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            fail(path, "writing failed (disk full?)");
        }
    }
    std::error_code code;
    std::filesystem::rename(temporary, path, code);
    if (code) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        fail(path, "cannot replace it: " + code.message());
    }
}

}  // namespace

torch::Tensor makeGrid(const torch::Tensor& images, int cols, int pad, float padValue) {
    if (!images.defined() || images.dim() != 4 || images.size(0) == 0)
        throw Error("makeGrid: expected images [N, C, H, W] with N > 0, got " + shapeText(images));
    const int64_t count = images.size(0), channels = images.size(1);
    const int64_t height = images.size(2), width = images.size(3);
    if (channels != 1 && channels != 3)
        throw Error("makeGrid: images must have 1 or 3 channels, got " + std::to_string(channels));
    if (pad < 0) throw Error("makeGrid: padding must not be negative, got " + std::to_string(pad));

    const int64_t columns = cols > 0 ? std::min<int64_t>(cols, count)
                                     : int64_t(std::ceil(std::sqrt(double(count))));
    const int64_t rows = (count + columns - 1) / columns;
    const int64_t cellHeight = height + pad, cellWidth = width + pad;

    const torch::Tensor pictures = torch::nan_to_num(images.detach().to(torch::kCPU, torch::kFloat), 0.0, 1.0, 0.0).clamp(0.0, 1.0);
    torch::Tensor grid = torch::full({channels, rows * cellHeight + pad, columns * cellWidth + pad}, padValue, torch::kFloat);
    for (int64_t i = 0; i < count; ++i) {
        const int64_t top = pad + (i / columns) * cellHeight, left = pad + (i % columns) * cellWidth;
        grid.narrow(1, top, height).narrow(2, left, width).copy_(pictures[i]);
    }
    return grid;
}

void writePng(const std::string& path, const torch::Tensor& image) {
    torch::Tensor picture = image.defined() && image.dim() == 2 ? image.unsqueeze(0) : image;
    if (!picture.defined() || picture.dim() != 3 || (picture.size(0) != 1 && picture.size(0) != 3))
        fail(path, "cannot write " + shapeText(image) + " as a PNG; expected an image [C, H, W] with C = 1 or 3");
    const int64_t channels = picture.size(0), height = picture.size(1), width = picture.size(2);
    if (height < 1 || width < 1 || height > kMaxSide || width > kMaxSide)
        fail(path, "image size " + std::to_string(height) + "x" + std::to_string(width) + " cannot be written as a PNG");

    // [0, 1] -> bytes, rounding half up; NaN becomes black. Rows are interleaved [H, W, C].
    const torch::Tensor bytes = torch::nan_to_num(picture.detach().to(torch::kCPU, torch::kFloat), 0.0, 1.0, 0.0)
                                    .clamp(0.0, 1.0).mul(kMaxByte).add(0.5f).floor().to(torch::kUInt8)
                                    .permute({1, 2, 0}).contiguous();
    const size_t rowBytes = size_t(width * channels);
    std::vector<unsigned char> raw(size_t(height) * (1 + rowBytes));
    const unsigned char* pixels = bytes.data_ptr<uint8_t>();
    for (int64_t y = 0; y < height; ++y) {
        unsigned char* row = raw.data() + size_t(y) * (1 + rowBytes);
        row[0] = kFilterNone;
        std::copy(pixels + size_t(y) * rowBytes, pixels + size_t(y + 1) * rowBytes, row + 1);
    }

    uLongf compressedSize = compressBound(uLong(raw.size()));
    std::vector<unsigned char> compressed(compressedSize);
    if (compress(compressed.data(), &compressedSize, raw.data(), uLong(raw.size())) != Z_OK)
        fail(path, "zlib could not compress the image");

    std::string file(reinterpret_cast<const char*>(kPngSignature), sizeof kPngSignature);
    std::string header;
    appendBigEndian32(header, uint32_t(width));
    appendBigEndian32(header, uint32_t(height));
    header += char(kBitDepth);
    header += char(channels == 3 ? kColourRgb : kColourGray);
    header += char(0);   // compression method: deflate
    header += char(0);   // filter method: adaptive (we always use filter type 0)
    header += char(0);   // no interlace
    appendChunk(file, "IHDR", reinterpret_cast<const unsigned char*>(header.data()), header.size());
    for (size_t offset = 0; offset < compressedSize; offset += kMaxIdatChunk)
        appendChunk(file, "IDAT", compressed.data() + offset, std::min<size_t>(kMaxIdatChunk, compressedSize - offset));
    appendChunk(file, "IEND", nullptr, 0);
    writeFileAtomically(path, file);
}

}  // namespace ebm
