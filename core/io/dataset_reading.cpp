// The pieces every data set reader shares: errors that name the file, gzip decoding with a
// cap on what a small file may inflate to, and raw bytes as tensors.
#include "io/dataset_reading.h"

#include <cctype>
#include <cstring>
#include <sstream>

#include <torch/torch.h>
#include <zlib.h>

namespace ebm::internal {
namespace fs = std::filesystem;

namespace {

constexpr size_t kInflateChunkBytes = size_t{1} << 20;
constexpr unsigned char kGzipMagic0 = 0x1f;
constexpr unsigned char kGzipMagic1 = 0x8b;

}  // namespace

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
    throw Error(where + ": " + problem);
}

std::string mib(uint64_t bytes) {
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << double(bytes) / (1024.0 * 1024.0) << " MiB";
    return out.str();
}

std::string lowerCase(std::string text) {
    for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string folderName(const std::string& folder) {
    fs::path path = fs::path(folder).lexically_normal();
    if (path.filename().empty()) path = path.parent_path();   // "a/b/" -> "a/b"
    const std::string name = path.filename().string();
    return name.empty() ? folder : name;
}

// --- Reading files -------------------------------------------------------------------------

bool isGzip(const std::string& bytes) {
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == kGzipMagic0 &&
           static_cast<unsigned char>(bytes[1]) == kGzipMagic1;
}

std::string gunzip(const std::string& path, const std::string& compressed, uint64_t prefixBytes) {
    if (compressed.size() > kMaxDecompressedBytes)
        fail(path, "compressed file is larger than " + mib(kMaxDecompressedBytes) +
                "; not a data set this program can hold");

    z_stream stream{};
    if (inflateInit2(&stream, 15 + 16) != Z_OK)   // 15-bit window, gzip wrapper only
        fail(path, "zlib could not start decompressing");
    struct InflateEnd {
        z_stream* stream;
        ~InflateEnd() { inflateEnd(stream); }
    } inflateEndGuard{&stream};

    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());

    std::string out;
    for (;;) {
        if (prefixBytes > 0 && out.size() >= prefixBytes) {
            out.resize(prefixBytes);
            break;
        }
        if (out.size() > kMaxDecompressedBytes)
            fail(path, "decompresses to more than " + mib(kMaxDecompressedBytes) +
                    "; not a data set this program can hold");
        const size_t used = out.size();
        out.resize(used + kInflateChunkBytes);
        stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
        stream.avail_out = static_cast<uInt>(kInflateChunkBytes);
        const int result = inflate(&stream, Z_NO_FLUSH);
        out.resize(used + kInflateChunkBytes - stream.avail_out);

        if (result == Z_STREAM_END) {
            if (stream.avail_in == 0) break;
            // Another gzip member may follow; anything else is junk after the data.
            const auto* next = stream.next_in;
            if (stream.avail_in >= 2 && next[0] == kGzipMagic0 && next[1] == kGzipMagic1) {
                inflateReset(&stream);
                continue;
            }
            fail(path, std::to_string(stream.avail_in) +
                    " bytes of unexpected data after the gzip stream; the file is damaged");
        }
        if (result == Z_OK) continue;
        if (result == Z_BUF_ERROR && stream.avail_in == 0)
            fail(path, "gzip data ends early (truncated download?); download the file again");
        if (result == Z_MEM_ERROR) fail(path, "not enough memory to decompress it");
        fail(path, std::string("corrupt gzip data (") + (stream.msg ? stream.msg : "zlib error") +
                "); download the file again");
    }
    return out;
}

std::string loadBytes(const std::string& path) {
    std::string bytes = readFileBytes(path);
    if (isGzip(bytes)) bytes = gunzip(path, bytes);
    return bytes;
}

torch::Tensor tensorFromBytes(const char* data, const std::vector<int64_t>& shape, torch::Dtype dtype) {
    torch::Tensor tensor = torch::empty(shape, torch::TensorOptions().dtype(dtype));
    // An empty tensor has no storage: memcpy from or to a null pointer is undefined even for 0 bytes.
    if (tensor.numel() > 0)
        std::memcpy(tensor.data_ptr(), data, tensor.numel() * tensor.element_size());
    return tensor;
}

}  // namespace ebm::internal
