// The engine's data layer: MNIST-style IDX files, CIFAR-10 binary batches, NumPy .npy arrays
// and 2D toy distributions. No Qt here: LibTorch, spdlog and zlib only.
//
// Every reader checks what a header declares against the bytes that are really there
// before allocating anything, so a lying or truncated file gives an ebm::Error that names
// the file, never a crash or a multi-gigabyte allocation.
#include "ebm/dataset.h"

#include <functional>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <sstream>

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <zlib.h>

#include "ebm/error.h"
#include "file_util.h"

namespace ebm {
namespace fs = std::filesystem;

namespace {

// --- Limits and format constants ---------------------------------------------------------

// Decompressed gzip data is capped so a small "gzip bomb" cannot exhaust memory; the largest
// data set we read (CIFAR-10 train, 150 MiB) is far below this. It also keeps zlib's 32-bit
// avail_in/avail_out counters safe.
constexpr uint64_t kMaxDecompressedBytes = uint64_t{3} << 30;
constexpr size_t kInflateChunkBytes = size_t{1} << 20;
constexpr unsigned char kGzipMagic0 = 0x1f;
constexpr unsigned char kGzipMagic1 = 0x8b;

constexpr uint32_t kIdxImagesMagic = 0x00000803;   // unsigned bytes, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801;   // unsigned bytes, 1 dimension
constexpr uint32_t kIdxUnsignedByteType = 0x08;
constexpr size_t kIdxImagesHeaderBytes = 16;       // magic + count + rows + cols
constexpr size_t kIdxLabelsHeaderBytes = 8;        // magic + count
constexpr uint32_t kMaxIdxSide = 4096;             // anything larger is not an image set

constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarChannels = 3;
constexpr int64_t kCifarImageBytes = kCifarChannels * kCifarSide * kCifarSide;   // 3072
constexpr int64_t kCifarRecordBytes = 1 + kCifarImageBytes;                      // 3073
constexpr int64_t kCifar100RecordBytes = 2 + kCifarImageBytes;                   // coarse + fine label
constexpr int kCifarClasses = 10;
constexpr unsigned char kPickleProtocolByte = 0x80;   // the Python version starts like this

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicBytes = 6;
constexpr size_t kNpyPreambleV1 = 10;   // magic + 2 version bytes + uint16 header length
constexpr size_t kNpyPreambleV2 = 12;   // magic + 2 version bytes + uint32 header length
constexpr size_t kNpyHeaderAlignment = 64;
constexpr size_t kMaxNpyHeaderBytes = size_t{1} << 20;   // real headers are < 200 bytes
constexpr size_t kMaxNpyDims = 32;
constexpr float kUint8Scale = 255.0f;

constexpr int64_t kMaxToyPoints = int64_t{50} * 1000 * 1000;
constexpr int64_t kDefaultToyPoints = 50000;

const char* const kFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

const char* const kUnderstoodKinds =
    "give a folder of MNIST-style IDX files, a CIFAR-10 binary batch (.bin) or a folder of them, "
    "a .npy array, 'toy:NAME[:COUNT]' or 'fashion-mnist'";

// --- Errors --------------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
    throw Error(where + ": " + problem);
}

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

std::string hex32(uint32_t value) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "0x%08x", value);
    return buffer;
}

std::string mib(uint64_t bytes) {
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << double(bytes) / (1024.0 * 1024.0) << " MiB";
    return out.str();
}

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

// --- Reading files -------------------------------------------------------------------------

bool isGzip(const std::string& bytes) {
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == kGzipMagic0 &&
           static_cast<unsigned char>(bytes[1]) == kGzipMagic1;
}

/// Inflates a whole gzip file (several concatenated members allowed, as gzip itself does).
/// The output grows with the data really decoded, never with a size a header claims.
/// With `prefixBytes` > 0, stops (without error) once that many bytes are decoded and returns
/// just them: readers whose header says how much follows decode no further than that.
std::string gunzip(const std::string& path, const std::string& compressed, uint64_t prefixBytes = 0) {
    if (compressed.size() > kMaxDecompressedBytes)
        fail(path, "compressed file is larger than " + mib(kMaxDecompressedBytes) + "; not a data set this program can hold");

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
            fail(path, "decompresses to more than " + mib(kMaxDecompressedBytes) + "; not a data set this program can hold");
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
            fail(path, std::to_string(stream.avail_in) + " bytes of unexpected data after the gzip stream; the file is damaged");
        }
        if (result == Z_OK) continue;
        if (result == Z_BUF_ERROR && stream.avail_in == 0)
            fail(path, "gzip data ends early (truncated download?); download the file again");
        if (result == Z_MEM_ERROR) fail(path, "not enough memory to decompress it");
        fail(path, std::string("corrupt gzip data (") + (stream.msg ? stream.msg : "zlib error") + "); download the file again");
    }
    return out;
}

/// The file's bytes, decompressed first when it starts with the gzip magic.
std::string loadBytes(const std::string& path) {
    std::string bytes = internal::readFileBytes(path);
    if (isGzip(bytes)) bytes = gunzip(path, bytes);
    return bytes;
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

/// Copies raw bytes into a fresh tensor (memcpy: the source may be unaligned for the dtype).
torch::Tensor tensorFromBytes(const char* data, const std::vector<int64_t>& shape, torch::Dtype dtype) {
    torch::Tensor tensor = torch::empty(shape, torch::TensorOptions().dtype(dtype));
    // An empty tensor has no storage: memcpy from or to a null pointer is undefined even for 0 bytes.
    if (tensor.numel() > 0)
        std::memcpy(tensor.data_ptr(), data, tensor.numel() * tensor.element_size());
    return tensor;
}

// --- IDX -----------------------------------------------------------------------------------

/// Why `magic` is not the IDX magic we wanted, in words a user can act on.
std::string badIdxMagic(uint32_t magic, uint32_t wanted) {
    const char* wantedKind = wanted == kIdxImagesMagic ? "an IDX image file (idx3-ubyte)" : "an IDX label file (idx1-ubyte)";
    if (magic == kIdxLabelsMagic && wanted == kIdxImagesMagic)
        return "is an IDX label file, expected an image file (idx3-ubyte)";
    if (magic == kIdxImagesMagic && wanted == kIdxLabelsMagic)
        return "is an IDX image file, expected a label file (idx1-ubyte)";
    if ((magic >> 16) == 0 && ((magic >> 8) & 0xff) != kIdxUnsignedByteType && (magic & 0xff) != 0)
        return "IDX element type " + hex32((magic >> 8) & 0xff) + " is not unsigned bytes; only ubyte IDX files are supported";
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
            fail(path, "only " + std::to_string(bytes.size()) + " bytes, too short for an IDX image header; the file is truncated or not an IDX file");
        const uint32_t magic = readBigEndian32(bytes, 0);
        if (magic != kIdxImagesMagic) fail(path, badIdxMagic(magic, kIdxImagesMagic));

        const uint32_t count = readBigEndian32(bytes, 4);
        const uint32_t rows = readBigEndian32(bytes, 8);
        const uint32_t cols = readBigEndian32(bytes, 12);
        if (count == 0) fail(path, "the IDX header says the file holds no images");
        if (rows == 0 || cols == 0 || rows > kMaxIdxSide || cols > kMaxIdxSide)
            fail(path, "the IDX header gives an absurd image size " + std::to_string(rows) + " x " + std::to_string(cols) + "; the file is damaged");

        // Cannot overflow: count < 2^32 and rows * cols <= 2^24.
        const uint64_t declared = uint64_t(count) * rows * cols;
        const uint64_t present = bytes.size() - kIdxImagesHeaderBytes;
        const std::string what = std::to_string(count) + " images of " + std::to_string(rows) + " x " + std::to_string(cols);
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
            fail(path, "only " + std::to_string(bytes.size()) + " bytes, too short for an IDX label header; the file is truncated or not an IDX file");
        const uint32_t magic = readBigEndian32(bytes, 0);
        if (magic != kIdxLabelsMagic) fail(path, badIdxMagic(magic, kIdxLabelsMagic));

        const uint32_t count = readBigEndian32(bytes, 4);
        if (count == 0) fail(path, "the IDX header says the file holds no labels");
        const uint64_t present = bytes.size() - kIdxLabelsHeaderBytes;
        if (present < count)
            fail(path, "the IDX header promises " + std::to_string(count) + " labels but only " + std::to_string(present) +
                           " bytes follow; the file is truncated, download it again");
        if (present > count)
            fail(path, "more data follows the " + std::to_string(count) + " labels the IDX header declares; the file is damaged");
        return tensorFromBytes(bytes.data() + kIdxLabelsHeaderBytes, {int64_t(count)}, torch::kUInt8).to(torch::kLong);
    });
}

namespace {

/// The split's file in an MNIST-layout folder, or "" when there is none. Both the usual
/// "train-images-idx3-ubyte" and the "train-images.idx3-ubyte" spelling of some mirrors.
std::string findIdxFile(const fs::path& folder, const std::string& split, const std::string& kind, const std::string& idx) {
    const std::string stems[] = {split + "-" + kind + "-" + idx + "-ubyte", split + "-" + kind + "." + idx + "-ubyte"};
    for (const std::string& stem : stems)
        for (const char* suffix : {"", ".gz"}) {
            const fs::path candidate = folder / (stem + suffix);
            std::error_code code;
            if (fs::is_regular_file(candidate, code)) return candidate.string();
        }
    return {};
}

std::string folderName(const std::string& folder) {
    fs::path path = fs::path(folder).lexically_normal();
    if (path.filename().empty()) path = path.parent_path();   // "a/b/" -> "a/b"
    const std::string name = path.filename().string();
    return name.empty() ? folder : name;
}

bool hasMnistFiles(const fs::path& folder) {
    return !findIdxFile(folder, "train", "images", "idx3").empty() || !findIdxFile(folder, "t10k", "images", "idx3").empty();
}

}  // namespace

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

// --- CIFAR-10 ------------------------------------------------------------------------------

namespace {

struct CifarBatch {
    torch::Tensor images;   // uint8 [N, 3, 32, 32]
    torch::Tensor labels;   // int64 [N]
};

CifarBatch readCifarBatch(const std::string& path) {
    const std::string bytes = loadBytes(path);
    const int64_t size = int64_t(bytes.size());
    if (size == 0) fail(path, "is empty; expected a CIFAR-10 binary batch");
    if (static_cast<unsigned char>(bytes[0]) == kPickleProtocolByte && size % kCifarRecordBytes != 0)
        fail(path, "looks like the Python (pickle) version of CIFAR-10; download the binary version (cifar-10-binary.tar.gz)");
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
        fail(path, "record " + std::to_string(record) + " has label " + std::to_string(batch.labels[record].item<int64_t>()) +
                       "; CIFAR-10 labels are 0..9, so this is not a CIFAR-10 binary batch");
    }
    // Pixels are stored channel-major (all red, then green, then blue), row by row.
    batch.images = records.narrow(1, 1, kCifarImageBytes).reshape({count, kCifarChannels, kCifarSide, kCifarSide}).contiguous();
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

bool hasCifarFiles(const fs::path& folder) {
    const fs::path batches = cifarFolder(folder);
    return !cifarBatchFiles(batches, true).empty() || !cifarBatchFiles(batches, false).empty();
}

}  // namespace

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

// --- NumPy .npy ----------------------------------------------------------------------------

namespace {

struct NpyHeader {
    std::string descr;
    bool fortranOrder = false;
    std::vector<int64_t> shape;
};

/// A small parser for the Python dict literal in a .npy header, e.g.
/// {'descr': '<f4', 'fortran_order': False, 'shape': (10, 1, 28, 28), }
class NpyHeaderParser {
public:
    NpyHeaderParser(const std::string& path, const std::string& text) : path_(path), text_(text) {}

    NpyHeader parse() {
        NpyHeader header;
        bool haveDescr = false, haveOrder = false, haveShape = false;
        expect('{');
        while (!peek('}')) {
            const std::string key = quoted();
            expect(':');
            if (key == "descr") {
                header.descr = quoted();
                haveDescr = true;
            } else if (key == "fortran_order") {
                header.fortranOrder = boolean();
                haveOrder = true;
            } else if (key == "shape") {
                header.shape = tuple();
                haveShape = true;
            } else {
                broken("unknown key '" + key + "'");
            }
            if (!peek('}')) expect(',');
        }
        expect('}');
        if (!haveDescr || !haveOrder || !haveShape) broken("'descr', 'fortran_order' or 'shape' is missing");
        return header;
    }

private:
    [[noreturn]] void broken(const std::string& why) const {
        fail(path_, "the .npy header is malformed (" + why + "); the file is damaged or not written by numpy.save");
    }
    void skipSpace() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    bool peek(char c) {
        skipSpace();
        return pos_ < text_.size() && text_[pos_] == c;
    }
    void expect(char c) {
        if (!peek(c)) broken(std::string("expected '") + c + "'");
        ++pos_;
    }
    std::string quoted() {
        skipSpace();
        if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) broken("expected a quoted string");
        const char quote = text_[pos_++];
        const size_t end = text_.find(quote, pos_);
        if (end == std::string::npos) broken("unterminated string");
        std::string value = text_.substr(pos_, end - pos_);
        pos_ = end + 1;
        return value;
    }
    bool boolean() {
        skipSpace();
        for (const auto& [word, value] : {std::pair<const char*, bool>{"True", true}, {"False", false}}) {
            const size_t length = std::strlen(word);
            if (text_.compare(pos_, length, word) == 0) {
                pos_ += length;
                return value;
            }
        }
        broken("fortran_order is neither True nor False");
    }
    std::vector<int64_t> tuple() {
        constexpr int64_t kMaxDim = int64_t{1} << 40;   // each dimension; the total is checked later
        std::vector<int64_t> dims;
        expect('(');
        while (!peek(')')) {
            skipSpace();
            size_t digits = 0;
            int64_t value = 0;
            while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
                value = value * 10 + (text_[pos_++] - '0');
                if (value > kMaxDim) broken("a dimension is absurdly large");
                ++digits;
            }
            if (digits == 0) broken("shape holds something that is not a whole number");
            // Python 2 writers may add an 'L' suffix to long integers.
            if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;
            dims.push_back(value);
            if (dims.size() > kMaxNpyDims) broken("too many dimensions");
            if (!peek(')')) expect(',');
        }
        expect(')');
        return dims;
    }

    const std::string& path_;
    const std::string& text_;
    size_t pos_ = 0;
};

struct NpyType {
    torch::Dtype dtype;
    size_t itemBytes;
};

NpyType npyType(const std::string& path, const std::string& descr) {
    if (descr == "<f4") return {torch::kFloat, 4};
    if (descr == "<f8") return {torch::kDouble, 8};
    if (descr == "|u1" || descr == "<u1" || descr == "u1") return {torch::kUInt8, 1};
    if (descr == "<i8") return {torch::kLong, 8};
    if (descr == "<i4") return {torch::kInt, 4};
    if (!descr.empty() && descr[0] == '>')
        fail(path, "holds big-endian data ('" + descr + "'); convert it with array.astype('<" + descr.substr(1) + "') and save again");
    fail(path, "dtype '" + descr + "' is not supported; save it as float32, float64, uint8, int32 or int64");
}

bool isLittleEndianHost() {
    const uint16_t probe = 1;
    unsigned char first;
    std::memcpy(&first, &probe, 1);
    return first == 1;
}

/// Writes bytes to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees a half-written file and a failure leaves the old file alone.
void writeFileAtomically(const std::string& path, const std::string& bytes) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) fail(path, "cannot create it (does the folder exist, is it writable?)");
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            std::error_code ignored;
            fs::remove(temporary, ignored);
            fail(path, "writing failed (disk full?)");
        }
    }
    std::error_code code;
    fs::rename(temporary, path, code);
    if (code) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        fail(path, "cannot replace it: " + code.message());
    }
}

}  // namespace

torch::Tensor readNpy(const std::string& path) {
    return guarded(path, [&] {
        if (!isLittleEndianHost()) fail(path, ".npy files can only be read on little-endian machines");
        const std::string bytes = internal::readFileBytes(path);
        if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == 'K')
            fail(path, "is a .npz archive (zip); save a single array with numpy.save instead");
        if (bytes.size() < kNpyMagicBytes || bytes.compare(0, kNpyMagicBytes, kNpyMagic, kNpyMagicBytes) != 0)
            fail(path, "not a NumPy .npy file (no \\x93NUMPY signature)");
        if (bytes.size() < kNpyPreambleV1) fail(path, "the .npy file is truncated inside its preamble");

        const int major = static_cast<unsigned char>(bytes[6]);
        size_t headerBytes = 0, preamble = 0;
        const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
        if (major == 1) {
            preamble = kNpyPreambleV1;
            headerBytes = size_t(u[8]) | (size_t(u[9]) << 8);
        } else if (major == 2 || major == 3) {   // 3.0 only changes the header's text encoding
            preamble = kNpyPreambleV2;
            if (bytes.size() < preamble) fail(path, "the .npy file is truncated inside its preamble");
            headerBytes = size_t(u[8]) | (size_t(u[9]) << 8) | (size_t(u[10]) << 16) | (size_t(u[11]) << 24);
        } else {
            fail(path, ".npy format version " + std::to_string(major) + " is not supported (1, 2 or 3 expected)");
        }
        if (headerBytes > kMaxNpyHeaderBytes) fail(path, "the .npy header claims an absurd length; the file is damaged");
        if (bytes.size() < preamble + headerBytes)
            fail(path, "the .npy file is truncated inside its header");

        const std::string headerText = bytes.substr(preamble, headerBytes);
        const NpyHeader header = NpyHeaderParser(path, headerText).parse();
        if (header.fortranOrder)
            fail(path, "the array is stored in Fortran order; save it with numpy.save(path, numpy.ascontiguousarray(array))");
        const NpyType type = npyType(path, header.descr);

        // Multiply with an overflow check: a lying shape must not wrap around to a small size.
        uint64_t elements = 1;
        for (int64_t dim : header.shape) {
            if (dim != 0 && elements > std::numeric_limits<uint64_t>::max() / uint64_t(dim) / type.itemBytes)
                fail(path, "the .npy shape is absurdly large; the file is damaged");
            elements *= uint64_t(dim);
        }
        const uint64_t declared = elements * type.itemBytes;
        const uint64_t present = bytes.size() - preamble - headerBytes;
        if (present < declared)
            fail(path, "the .npy header promises " + std::to_string(declared) + " bytes of data but only " +
                           std::to_string(present) + " follow; the file is truncated");
        if (present > declared)
            fail(path, std::to_string(present - declared) + " bytes of unexpected data after the array the .npy header declares; the file is damaged");

        torch::Tensor array = tensorFromBytes(bytes.data() + preamble + headerBytes, header.shape, type.dtype);
        switch (type.dtype) {
        case torch::kUInt8: return array.to(torch::kFloat).div_(kUint8Scale);
        case torch::kDouble: return array.to(torch::kFloat);
        case torch::kInt: return array.to(torch::kLong);   // integers (labels) stay integers
        default: return array;
        }
    });
}

void writeNpy(const std::string& path, const torch::Tensor& array) {
    guarded(path, [&] {
        if (!array.defined()) fail(path, "cannot write an empty (undefined) array");
        if (!isLittleEndianHost()) fail(path, ".npy files can only be written on little-endian machines");
        const torch::Tensor values = array.detach().to(torch::kCPU, torch::kFloat).contiguous();

        std::string shape = "(";
        for (int64_t dim : values.sizes()) shape += std::to_string(dim) + ", ";
        if (values.dim() == 1) shape.erase(shape.size() - 1);   // Python's one-tuple is "(5,)"
        else if (values.dim() > 1) shape.erase(shape.size() - 2);
        shape += ")";
        std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        // numpy pads the header with spaces and ends it with '\n' so that the data is aligned.
        const size_t unpadded = kNpyPreambleV1 + header.size() + 1;
        header.append((kNpyHeaderAlignment - unpadded % kNpyHeaderAlignment) % kNpyHeaderAlignment, ' ');
        header += '\n';
        if (header.size() > std::numeric_limits<uint16_t>::max()) fail(path, "too many dimensions for a .npy header");

        std::string bytes(kNpyMagic, kNpyMagicBytes);
        bytes += char(1);   // version 1.0
        bytes += char(0);
        bytes += char(header.size() & 0xff);
        bytes += char(header.size() >> 8);
        bytes += header;
        bytes.append(static_cast<const char*>(values.data_ptr()), values.numel() * sizeof(float));
        writeFileAtomically(path, bytes);
        return 0;
    });
}

// --- 2D toy distributions ------------------------------------------------------------------

namespace {

constexpr double kPi = 3.14159265358979323846;

/// One toy generator: fills `count` points using the shared random engine.
using ToyPoint = std::pair<double, double>;

class ToySampler {
public:
    explicit ToySampler(uint64_t seed) : engine_(seed) {}
    double normal() { return normal_(engine_); }
    double uniform() { return uniform_(engine_); }   // [0, 1)
    int choice(int n) { return std::uniform_int_distribution<int>(0, n - 1)(engine_); }

    // Eight Gaussians on a circle (as in FFJORD / the MDSM demos).
    ToyPoint eightGaussians() {
        constexpr double kRadius = 2.828;   // 4 / sqrt(2): keeps the clusters inside [-4, 4]
        constexpr double kSpread = 0.35;
        const double angle = choice(8) * kPi / 4.0;
        return {kRadius * std::cos(angle) + kSpread * normal(), kRadius * std::sin(angle) + kSpread * normal()};
    }
    // Four concentric rings.
    ToyPoint rings() {
        constexpr double kRingSpacing = 0.9;   // radii 0.9, 1.8, 2.7, 3.6
        constexpr double kNoise = 0.08;
        const double radius = kRingSpacing * (1 + choice(4));
        const double angle = 2.0 * kPi * uniform();
        return {radius * std::cos(angle) + kNoise * normal(), radius * std::sin(angle) + kNoise * normal()};
    }
    // The Swiss roll seen from above (sklearn's make_swiss_roll, x and z).
    ToyPoint swissRoll() {
        constexpr double kScale = 0.25;   // t reaches 4.5 pi ~ 14.1
        constexpr double kNoise = 0.25;
        const double t = 1.5 * kPi * (1.0 + 2.0 * uniform());
        return {kScale * t * std::cos(t) + kNoise * normal(), kScale * t * std::sin(t) + kNoise * normal()};
    }
    // Two interleaving half circles (sklearn's make_moons), stretched and centred.
    ToyPoint moons() {
        constexpr double kScale = 2.0;
        constexpr double kNoise = 0.1;
        const double angle = kPi * uniform();
        const bool upper = choice(2) == 0;
        const double x = upper ? std::cos(angle) : 1.0 - std::cos(angle);
        const double y = upper ? std::sin(angle) : 0.5 - std::sin(angle);
        return {kScale * (x + kNoise * normal()) - 1.0, kScale * (y + kNoise * normal()) - 0.5};
    }
    // A 4x4 checkerboard of uniform squares on [-4, 4]^2.
    ToyPoint checkerboard() {
        constexpr double kSquare = 2.0;
        const double x = 4.0 * uniform() - 2.0;                       // [-2, 2)
        const double y = uniform() - 2.0 * choice(2) + std::fmod(std::floor(x) + 4.0, 2.0);   // the black squares
        return {kSquare * x, kSquare * y};
    }
    // Two interleaved spirals.
    ToyPoint spirals() {
        constexpr double kTurns = 540.0 * 2.0 * kPi / 360.0;   // one and a half turns
        constexpr double kScale = 1.0 / 3.0;
        constexpr double kNoise = 0.1;
        const double t = std::sqrt(uniform()) * kTurns;
        double x = -std::cos(t) * t + 0.5 * uniform();
        double y = std::sin(t) * t + 0.5 * uniform();
        if (choice(2) == 1) x = -x, y = -y;
        return {kScale * x + kNoise * normal(), kScale * y + kNoise * normal()};
    }

private:
    std::mt19937_64 engine_;
    std::normal_distribution<double> normal_{0.0, 1.0};
    std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

std::string lowerCase(std::string text) {
    for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
}

}  // namespace

std::vector<std::string> toy2dNames() {
    return {"8gaussians", "rings", "swissroll", "moons", "checkerboard", "spirals"};
}

Dataset makeToy2d(const std::string& name, int64_t count, uint64_t seed) {
    const std::string key = lowerCase(name);
    using Generator = ToyPoint (ToySampler::*)();
    const std::pair<const char*, Generator> generators[] = {
        {"8gaussians", &ToySampler::eightGaussians}, {"rings", &ToySampler::rings},
        {"swissroll", &ToySampler::swissRoll},       {"moons", &ToySampler::moons},
        {"checkerboard", &ToySampler::checkerboard}, {"spirals", &ToySampler::spirals}};
    Generator generator = nullptr;
    for (const auto& [candidate, function] : generators)
        if (key == candidate) generator = function;
    if (!generator) fail("toy:" + name, "unknown toy data set; choose one of " + joined(toy2dNames()));
    if (count <= 0 || count > kMaxToyPoints)
        fail("toy:" + name, "point count " + std::to_string(count) + " is out of range (1.." + std::to_string(kMaxToyPoints) + ")");

    ToySampler sampler(seed);
    torch::Tensor points = torch::empty({count, 2}, torch::kFloat);
    float* out = points.data_ptr<float>();
    for (int64_t i = 0; i < count; ++i) {
        const ToyPoint point = (sampler.*generator)();
        out[2 * i] = float(point.first);
        out[2 * i + 1] = float(point.second);
    }
    Dataset dataset;
    dataset.name = "toy:" + key;
    dataset.data = points;
    return dataset;
}

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

/// Gives an array read from .npy the engine's layout: images [N, C, H, W] or points [N, D].
Dataset fromNpy(const std::string& path, int imageSize) {
    torch::Tensor array = readNpy(path).to(torch::kFloat);
    if (array.dim() < 2 || array.dim() > 4)
        fail(path, "holds an array of " + std::to_string(array.dim()) +
                       " dimensions; expected points [N, D], gray images [N, H, W] or images [N, C, H, W]");
    if (array.size(0) == 0) fail(path, "holds no samples");
    if (array.dim() == 3) array = array.unsqueeze(1);
    if (array.dim() == 4) {
        // numpy image stacks are often channels-last [N, H, W, C].
        const auto isChannelCount = [](int64_t n) { return n == 1 || n == 3; };
        if (!isChannelCount(array.size(1)) && isChannelCount(array.size(3))) {
            spdlog::info("{}: reading [N, H, W, C] as channels-last images", path);
            array = array.permute({0, 3, 1, 2}).contiguous();
        }
        if (!isChannelCount(array.size(1)))
            fail(path, "images have " + std::to_string(array.size(1)) + " channels; only 1 (gray) or 3 (RGB) are supported");
        if (imageSize > 0) array = padOrCrop(array, imageSize);
        const float low = array.min().item<float>(), high = array.max().item<float>();
        if (low < 0.0f || high > 1.0f)
            spdlog::warn("{}: image values span [{}, {}]; images are expected in [0, 1]", path, low, high);
    }
    Dataset dataset;
    dataset.name = fs::path(path).filename().string();
    dataset.data = array;
    return dataset;
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
            fail("fashion-mnist", "not found in " + folder + "; install the Debian package dataset-fashion-mnist or give the data set's folder");
        return withImageSize(loadMnistFolder(folder, train, 0), imageSize);
    }
    if (spec.rfind("toy:", 0) == 0) return openToy(spec);

    std::error_code code;
    const fs::file_status status = fs::status(spec, code);
    if (!fs::exists(status)) fail(spec, std::string("no such file or folder; ") + kUnderstoodKinds);

    if (fs::is_directory(status)) {
        if (hasMnistFiles(spec)) return withImageSize(loadMnistFolder(spec, train, 0), imageSize);
        if (hasCifarFiles(spec)) return withImageSize(loadCifar10(spec, train), imageSize);
        fail(spec, std::string("folder holds neither MNIST-style IDX files nor CIFAR-10 batches; ") + kUnderstoodKinds);
    }

    const std::string name = lowerCase(fs::path(spec).filename().string());
    const std::string head = sniff(spec, 8);
    const bool npyHead = head.compare(0, kNpyMagicBytes, kNpyMagic, kNpyMagicBytes) == 0;
    if (endsWith(name, ".npy") || npyHead) return fromNpy(spec, imageSize);
    if (name.find("idx3-ubyte") != std::string::npos) {
        Dataset dataset;
        dataset.name = fs::path(spec).filename().string();
        dataset.data = readIdxImages(spec, 0);
        return withImageSize(dataset, imageSize);
    }
    if (endsWith(name, ".bin") || endsWith(name, ".bin.gz")) return withImageSize(loadCifar10(spec, train), imageSize);
    fail(spec, std::string("is not a data set this program understands; ") + kUnderstoodKinds);
}

}  // namespace ebm
