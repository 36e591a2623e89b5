// NumPy .npy arrays: reading and writing (float32/float64/uint8/int32/int64, C order,
// little-endian), and the layout a data set read from one takes.
#include <cctype>
#include <cstring>
#include <filesystem>
#include <limits>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "ebm/io/dataset.h"
#include "io/dataset_reading.h"

namespace ebm {
namespace fs = std::filesystem;
using internal::fail;
using internal::guarded;
using internal::kNpyMagic;
using internal::kNpyMagicBytes;
using internal::kUint8Scale;
using internal::tensorFromBytes;

namespace {

constexpr size_t kNpyPreambleV1 = 10;   // magic + 2 version bytes + uint16 header length
constexpr size_t kNpyPreambleV2 = 12;   // magic + 2 version bytes + uint32 header length
constexpr size_t kNpyHeaderAlignment = 64;
constexpr size_t kMaxNpyHeaderBytes = size_t{1} << 20;   // real headers are < 200 bytes
constexpr size_t kMaxNpyDims = 32;

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

/// The descr numpy writes for a dtype the reader takes back; empty for any other dtype.
std::string npyDescr(torch::Dtype dtype) {
    switch (dtype) {
    case torch::kFloat: return "<f4";
    case torch::kDouble: return "<f8";
    case torch::kUInt8: return "|u1";
    case torch::kLong: return "<i8";
    case torch::kInt: return "<i4";
    default: return {};
    }
}

NpyType npyType(const std::string& path, const std::string& descr) {
    if (descr == "<f4") return {torch::kFloat, 4};
    if (descr == "<f8") return {torch::kDouble, 8};
    if (descr == "|u1" || descr == "<u1" || descr == "u1") return {torch::kUInt8, 1};
    if (descr == "<i8") return {torch::kLong, 8};
    if (descr == "<i4") return {torch::kInt, 4};
    if (!descr.empty() && descr[0] == '>')
        fail(path, "holds big-endian data ('" + descr + "'); convert it with array.astype('<" + descr.substr(1) +
                "') and save again");
    fail(path, "dtype '" + descr + "' is not supported; save it as float32, float64, uint8, int32 or int64");
}

bool isLittleEndianHost() {
    const uint16_t probe = 1;
    unsigned char first;
    std::memcpy(&first, &probe, 1);
    return first == 1;
}

}  // namespace

torch::Tensor readNpyAsStored(const std::string& path, uintmax_t maxBytes) {
    return guarded(path, [&] {
        if (!isLittleEndianHost()) fail(path, ".npy files can only be read on little-endian machines");
        const std::string bytes = internal::readFileBytes(path, maxBytes);
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
        if (headerBytes > kMaxNpyHeaderBytes)
            fail(path, "the .npy header claims an absurd length; the file is damaged");
        if (bytes.size() < preamble + headerBytes)
            fail(path, "the .npy file is truncated inside its header");

        const std::string headerText = bytes.substr(preamble, headerBytes);
        const NpyHeader header = NpyHeaderParser(path, headerText).parse();
        if (header.fortranOrder)
            fail(path, "the array is stored in Fortran order; save it with numpy.save(path, "
                    "numpy.ascontiguousarray(array))");
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
            fail(path, std::to_string(present - declared) +
                    " bytes of unexpected data after the array the .npy header declares; the file is damaged");

        return tensorFromBytes(bytes.data() + preamble + headerBytes, header.shape, type.dtype);
    });
}

torch::Tensor readNpy(const std::string& path) {
    return guarded(path, [&] {
        torch::Tensor array = readNpyAsStored(path);
        switch (array.scalar_type()) {
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
        writeNpyAsStored(path, array.detach().to(torch::kFloat));
        return 0;
    });
}

void writeNpyAsStored(const std::string& path, const torch::Tensor& array) {
    guarded(path, [&] {
        if (!array.defined()) fail(path, "cannot write an empty (undefined) array");
        if (!isLittleEndianHost()) fail(path, ".npy files can only be written on little-endian machines");
        const std::string descr = npyDescr(array.scalar_type());
        if (descr.empty())
            fail(path, std::string("cannot write ") + c10::toString(array.scalar_type()) +
                           " values as .npy; convert them to float32, float64, uint8, int32 or int64");
        const torch::Tensor values = array.detach().to(torch::kCPU).contiguous();

        std::string shape = "(";
        for (int64_t dim : values.sizes()) shape += std::to_string(dim) + ", ";
        if (values.dim() == 1) shape.erase(shape.size() - 1);   // Python's one-tuple is "(5,)"
        else if (values.dim() > 1) shape.erase(shape.size() - 2);
        shape += ")";
        std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
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
        bytes.append(static_cast<const char*>(values.data_ptr()), values.numel() * values.element_size());
        // A reader never sees half a file, a failure keeps the old one, planted links are ignored.
        internal::writeBytesAtomically(path, bytes, "array");
        return 0;
    });
}

/// Gives an array read from .npy the engine's layout: images [N, C, H, W] or points [N, D].
Dataset internal::datasetFromNpy(const std::string& path, int imageSize) {
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
            fail(path, "images have " + std::to_string(array.size(1)) +
                    " channels; only 1 (gray) or 3 (RGB) are supported");
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

}  // namespace ebm
