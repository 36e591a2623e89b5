// libFuzzer target: an MNIST-layout folder whose images and labels are gzipped IDX files made
// from the input (split at its first byte), through ebm::loadMnistFolder. Gzipping here lets
// the fuzzer mutate the IDX content behind a valid gzip stream; fuzz_idx mutates the stream.
#include <zlib.h>
#include "ebm/io/dataset.h"
#include "fuzz_support.h"

namespace {

/// A gzip member holding `size` bytes (zlib's deflate with the gzip wrapper).
std::string gzipped(const uint8_t* data, size_t size) {
    z_stream stream{};
    constexpr int kGzipWindowBits = 15 + 16;
    constexpr int kMemoryLevel = 8;
    if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, kGzipWindowBits, kMemoryLevel, Z_DEFAULT_STRATEGY) != Z_OK)
        std::abort();
    std::string out(deflateBound(&stream, uLong(size)), '\0');
    stream.next_in = const_cast<Bytef*>(data);
    stream.avail_in = uInt(size);
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = uInt(out.size());
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END) std::abort();
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

void writeGzipped(const std::string& path, const uint8_t* data, size_t size) {
    const std::string bytes = gzipped(data, size);
    ebm::fuzz::writeInput(path, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // First byte: where the image file ends (as a fraction of the rest); the labels follow.
    const size_t rest = size - 1;
    const size_t imageBytes = rest * data[0] / 255;
    const std::string folder = ebm::fuzz::freshFolder("mnist");
    writeGzipped("mnist/train-images-idx3-ubyte.gz", data + 1, imageBytes);
    writeGzipped("mnist/train-labels-idx1-ubyte.gz", data + 1 + imageBytes, rest - imageBytes);
    ebm::fuzz::expectCleanError([&] { ebm::loadMnistFolder(folder, true, 32); });
    return 0;
}
