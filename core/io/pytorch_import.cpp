// Reader for state_dicts written by PyTorch's torch.save (zip container, PyTorch >= 1.6).
//
// The file is a zip archive of stored (uncompressed) records:
//   <archive>/data.pkl    a pickle (protocol 2) of an OrderedDict name -> tensor
//   <archive>/data/<key>  the raw little-endian bytes of each storage
//   <archive>/version     the format version
// LibTorch's torch::pickle_load refuses the OrderedDict's `_metadata` attribute, so this file
// carries its own small zip reader and unpickler (io/unpickler.h). Both treat the file as untrusted: every read
// is bounds-checked, sizes are capped, and every failure becomes one ebm::Error line.
#include "ebm/io/pytorch_import.h"

#include "ebm/base/error.h"
#include "base/file_util.h"
#include "io/unpickler.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace ebm {
namespace {
using internal::le16;
using internal::le32;
using internal::le64;
using internal::pickle::describe;
using internal::pickle::FloatTensors;
using internal::pickle::Kind;
using internal::pickle::kMaxExpandedElements;
using internal::pickle::Unpickler;
using internal::pickle::Value;

// Caps that no real state_dict comes near but that keep corrupt input from exhausting memory.
constexpr uint64_t kMaxPickleBytes = 64ull << 20;  // data.pkl of a 100k-tensor model is ~15 MB
constexpr size_t kMaxZipEntries = 1u << 20;
constexpr uint64_t kMaxCentralDirBytes = 64ull << 20;
// All tensors together may hold this many elements per byte of file (shared storages, views).
constexpr int64_t kElementsPerFileByte = 4;
constexpr uint64_t kMaxZipComment = 0xFFFF;

// Zip record signatures and fixed sizes (APPNOTE.TXT).
constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndOfCentralDirSize = 22;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kFlagEncrypted = 0x0001;

std::string fileLabel(const std::string& path) {
    const std::string name = std::filesystem::path(path).filename().string();
    return name.empty() ? path : name;
}

// First line of an exception text (c10::Error appends a multi-line backtrace).
std::string firstLine(const char* text) {
    std::string s(text);
    const size_t nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

// ---------------------------------------------------------------------------------------------
// Zip: reads the central directory, then single stored records on demand.

class ZipReader {
public:
    explicit ZipReader(const std::string& path) : label_(fileLabel(path)) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            fail(std::filesystem::exists(path, ec) ? "not a regular file" : "no such file");
        file_.open(path, std::ios::binary);
        if (!file_) fail(std::string("cannot open the file (") + std::strerror(errno) + ")");
        file_.seekg(0, std::ios::end);
        size_ = uint64_t(file_.tellg());
        if (size_ == 0) fail("the file is empty");
        unsigned char magic[4] = {};
        readAt(0, magic, std::min<uint64_t>(size_, 4));
        if (size_ < 4 || le32(magic) != kLocalHeaderSig) {
            if (magic[0] == 0x80)  // a bare pickle: torch.save's format before PyTorch 1.6
                fail("legacy torch.save format (PyTorch < 1.6) is not supported; re-save it with "
                     "a newer PyTorch");
            fail("not a PyTorch checkpoint (no zip archive)");
        }
        readCentralDirectory();
    }

    [[noreturn]] void fail(const std::string& what) const { throw Error(label_ + ": " + what); }
    const std::string& label() const { return label_; }
    const std::vector<std::string>& names() const { return names_; }
    uint64_t fileSize() const { return size_; }
    bool has(const std::string& name) const { return entries_.count(name) != 0; }

    uint64_t recordSize(const std::string& name) const { return entry(name).size; }

    // Copies record `name` (exactly recordSize(name) bytes) to dst and checks its CRC.
    void readRecord(const std::string& name, void* dst) {
        const Entry& e = entry(name);
        unsigned char local[kLocalHeaderSize];
        if (e.localOffset + kLocalHeaderSize > size_)
            fail("truncated: record " + name + " lies past the end of the file");
        readAt(e.localOffset, local, kLocalHeaderSize);
        if (le32(local) != kLocalHeaderSig) fail("damaged zip archive: bad header of record " + name);
        // Name and extra field lengths of the local header may differ from the central copy.
        const uint64_t dataStart = e.localOffset + kLocalHeaderSize + le16(local + 26) + le16(local + 28);
        if (dataStart > size_ || e.size > size_ - dataStart)
            fail("truncated: record " + name + " runs past the end of the file");
        readAt(dataStart, dst, e.size);
        uLong crc = crc32(0L, Z_NULL, 0);
        const auto* bytes = static_cast<const unsigned char*>(dst);
        for (uint64_t done = 0; done < e.size;) {  // crc32 takes 32-bit lengths
            const uInt chunk = uInt(std::min<uint64_t>(e.size - done, 1u << 30));
            crc = crc32(crc, bytes + done, chunk);
            done += chunk;
        }
        if (uint32_t(crc) != e.crc) fail("damaged: record " + name + " fails its CRC check");
    }

private:
    struct Entry {
        uint64_t localOffset = 0;
        uint64_t size = 0;
        uint32_t crc = 0;
        uint16_t method = 0;   // only stored records are read; LibTorch deflates its code records
    };

    const Entry& entry(const std::string& name) const {
        auto it = entries_.find(name);
        if (it == entries_.end()) fail("record " + name + " is missing from the zip archive");
        if (it->second.method != kMethodStored)
            fail("record " + name + " is compressed (method " + std::to_string(it->second.method) +
                 "); torch.save stores records uncompressed - was the file re-zipped?");
        return it->second;
    }

    void readAt(uint64_t offset, void* dst, uint64_t n) {
        file_.clear();
        file_.seekg(std::streamoff(offset));
        file_.read(static_cast<char*>(dst), std::streamsize(n));
        if (!file_ || uint64_t(file_.gcount()) != n) fail("read error at byte " + std::to_string(offset));
    }

    void readCentralDirectory() {
        // The end-of-central-directory record sits in the last 22 bytes plus an optional comment.
        const uint64_t tailSize = std::min<uint64_t>(size_, kEndOfCentralDirSize + kMaxZipComment);
        std::vector<unsigned char> tail(tailSize);
        readAt(size_ - tailSize, tail.data(), tailSize);
        int64_t eocd = -1;
        for (int64_t i = int64_t(tailSize) - int64_t(kEndOfCentralDirSize); i >= 0; --i)
            if (le32(&tail[size_t(i)]) == kEndOfCentralDirSig) { eocd = i; break; }
        if (eocd < 0) fail("truncated or damaged zip archive (no end-of-central-directory record)");
        const unsigned char* end = &tail[size_t(eocd)];
        uint64_t count = le16(end + 10);
        uint64_t dirSize = le32(end + 12);
        uint64_t dirOffset = le32(end + 16);
        const uint64_t eocdPos = size_ - tailSize + uint64_t(eocd);

        // Zip64: the 16/32-bit fields saturate and the real values live in the zip64 record.
        if (count == 0xFFFF || dirSize == 0xFFFFFFFF || dirOffset == 0xFFFFFFFF) {
            if (eocdPos < kZip64LocatorSize) fail("damaged zip archive (zip64 locator missing)");
            unsigned char loc[kZip64LocatorSize];
            readAt(eocdPos - kZip64LocatorSize, loc, kZip64LocatorSize);
            if (le32(loc) != kZip64LocatorSig) fail("damaged zip archive (zip64 locator missing)");
            const uint64_t recPos = le64(loc + 8);
            if (recPos > size_ || size_ - recPos < kZip64EndSize)
                fail("truncated or damaged zip archive (zip64 record out of range)");
            unsigned char rec[kZip64EndSize];
            readAt(recPos, rec, kZip64EndSize);
            if (le32(rec) != kZip64EndSig) fail("damaged zip archive (bad zip64 record)");
            count = le64(rec + 32);
            dirSize = le64(rec + 40);
            dirOffset = le64(rec + 48);
        }
        if (dirOffset > size_ || dirSize > size_ - dirOffset)
            fail("truncated zip archive (central directory runs past the end of the file)");
        if (dirSize > kMaxCentralDirBytes) fail("damaged zip archive (implausibly large central directory)");
        if (count > kMaxZipEntries || count * kCentralHeaderSize > dirSize)
            fail("damaged zip archive (implausible entry count " + std::to_string(count) + ")");

        std::vector<unsigned char> dir(dirSize);
        readAt(dirOffset, dir.data(), dirSize);
        size_t pos = 0;
        for (uint64_t i = 0; i < count; ++i) {
            if (dirSize - pos < kCentralHeaderSize || le32(&dir[pos]) != kCentralHeaderSig)
                fail("damaged zip archive (bad central directory entry " + std::to_string(i) + ")");
            const unsigned char* h = &dir[pos];
            const uint16_t flags = le16(h + 8), method = le16(h + 10);
            const size_t nameLen = le16(h + 28), extraLen = le16(h + 30), commentLen = le16(h + 32);
            if (dirSize - pos - kCentralHeaderSize < nameLen + extraLen + commentLen)
                fail("damaged zip archive (central directory entry " + std::to_string(i) + " overruns)");
            std::string name(reinterpret_cast<const char*>(h + kCentralHeaderSize), nameLen);
            Entry e;
            e.crc = le32(h + 16);
            uint64_t compressed = le32(h + 20);
            e.size = le32(h + 24);
            e.localOffset = le32(h + 42);
            readZip64Extra(h + kCentralHeaderSize + nameLen, extraLen, e, compressed);
            if (flags & kFlagEncrypted) fail("record " + name + " is encrypted");
            if (method == kMethodStored && compressed != e.size)
                fail("damaged zip archive (record " + name + " has two different sizes)");
            e.method = method;
            if (!entries_.count(name)) names_.push_back(name);
            entries_[name] = e;
            pos += kCentralHeaderSize + nameLen + extraLen + commentLen;
        }
    }

    // The zip64 extra field holds, in order, only those of the three values that saturated.
    void readZip64Extra(const unsigned char* p, size_t len, Entry& e, uint64_t& compressed) {
        while (len >= 4) {
            const uint16_t id = le16(p), n = le16(p + 2);
            if (n > len - 4) fail("damaged zip archive (bad extra field)");
            if (id == kZip64ExtraId) {
                size_t off = 0;
                for (uint64_t* v : {&e.size, &compressed, &e.localOffset}) {
                    if (*v != 0xFFFFFFFF) continue;
                    if (off + 8 > n) fail("damaged zip archive (short zip64 extra field)");
                    *v = le64(p + 4 + off);
                    off += 8;
                }
            }
            p += 4 + n;
            len -= 4 + n;
        }
    }

    std::string label_;
    std::ifstream file_;
    uint64_t size_ = 0;
    std::unordered_map<std::string, Entry> entries_;
    std::vector<std::string> names_;  // central directory order
};

// Adds the string-keyed tensors of a dict; returns how many there were.
size_t collectTensors(const Value* dict, std::map<std::string, torch::Tensor>& out) {
    size_t n = 0;
    for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
        const Value* k = dict->items[i];
        const Value* v = dict->items[i + 1];
        if (k->kind == Kind::String && v->kind == Kind::Tensor) {
            out[k->text] = v->tensor;  // a repeated key replaces the earlier one, as in Python
            ++n;
        }
    }
    return n;
}

/// Unpickles the root pickle (<archive>/data.pkl) of a zip that torch wrote (Python's torch.save,
/// LibTorch's pickle_save or torch::serialize), loading every storage record only after checking
/// its size against the elements the pickle gives it, and hands the root to `use` while the
/// values are alive.
template <typename UseRoot>
auto withUnpickledArchive(const std::string& path, UseRoot use,
                          FloatTensors floats = FloatTensors::ToFloat32) {
    ZipReader zip(path);
    const std::string& label = zip.label();

    // PyTorch names every record "<archive>/..."; data.pkl is the root pickle.
    std::string archive;
    for (const std::string& name : zip.names()) {
        const size_t slash = name.find('/');
        if (slash != std::string::npos && name.compare(slash, std::string::npos, "/data.pkl") == 0) {
            archive = name.substr(0, slash);
            break;
        }
    }
    if (archive.empty()) zip.fail("not a PyTorch checkpoint (no data.pkl in the zip archive)");
    const std::string orderName = archive + "/byteorder";  // written by PyTorch >= 2.1
    if (zip.has(orderName)) {
        const uint64_t n = zip.recordSize(orderName);
        std::string order(n <= 16 ? size_t(n) : 0, '\0');
        if (n <= 16) zip.readRecord(orderName, order.data());
        if (order != "little") zip.fail("byte order \"" + order + "\" is not supported (only little-endian)");
    }

    const std::string pickleName = archive + "/data.pkl";
    const uint64_t pickleSize = zip.recordSize(pickleName);
    if (pickleSize > kMaxPickleBytes) zip.fail("data.pkl is implausibly large");
    std::vector<unsigned char> pickle(pickleSize);
    zip.readRecord(pickleName, pickle.data());

    std::unordered_map<std::string, torch::Tensor> storages;  // tensors may share a storage
    auto loadStorage = [&](const Value& s) -> torch::Tensor {
        auto it = storages.find(s.text);
        if (it != storages.end()) {
            if (it->second.scalar_type() != s.dtype || it->second.numel() != s.integer)
                zip.fail("storage " + s.text + " is used with two different types or sizes");
            return it->second;
        }
        const std::string record = archive + "/data/" + s.text;
        const uint64_t bytes = zip.recordSize(record);
        const uint64_t elementSize = torch::elementSize(s.dtype);
        if (bytes % elementSize != 0 || bytes / elementSize != uint64_t(s.integer))
            zip.fail("storage " + record + " holds " + std::to_string(bytes) + " bytes, which does not fit its " +
                     std::to_string(s.integer) + " elements");
        // Bools are read as bytes and normalized: a stray byte value must not become a bool.
        const bool isBool = s.dtype == torch::kBool;
        torch::Tensor t = torch::empty({s.integer}, torch::TensorOptions().dtype(isBool ? torch::kByte : s.dtype));
        zip.readRecord(record, t.data_ptr());
        if (isBool) t = t.ne(0);
        storages.emplace(s.text, t);
        return t;
    };

    const int64_t budget = kElementsPerFileByte * int64_t(zip.fileSize()) + kMaxExpandedElements;
    Unpickler unpickler(pickle, label + ": damaged data.pkl", loadStorage, budget, floats);
    return use(zip, unpickler.load());
}

std::map<std::string, torch::Tensor> readStateDict(const std::string& path) {
  return withUnpickledArchive(path, [](ZipReader& zip, const Value* root) -> std::map<std::string, torch::Tensor> {
    if (root->kind != Kind::Dict) zip.fail("data.pkl holds " + describe(root) + ", not a state_dict");

    std::map<std::string, torch::Tensor> result;
    if (collectTensors(root, result) > 0) return result;
    // A training checkpoint ({"state_dict": ..., "optimizer": ...}) is a common near miss.
    for (const char* key : {"state_dict", "model_state_dict", "model"})
        for (size_t i = 0; i + 1 < root->items.size(); i += 2)
            if (root->items[i]->kind == Kind::String && root->items[i]->text == key &&
                root->items[i + 1]->kind == Kind::Dict && collectTensors(root->items[i + 1], result) > 0)
                return result;
    zip.fail("data.pkl holds a dict without tensors, not a state_dict");
  });
}

}  // namespace

std::map<std::string, torch::Tensor> readPytorchStateDict(const std::string& path) {
    try {
        return readStateDict(path);
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw Error(fileLabel(path) + ": out of memory while reading the checkpoint");
    } catch (const std::exception& e) {  // c10::Error from tensor ops, filesystem errors
        throw Error(fileLabel(path) + ": " + firstLine(e.what()));
    }
}

std::optional<std::map<std::string, c10::IValue>> readArchiveAttributes(const std::string& path) {
    using Attributes = std::map<std::string, c10::IValue>;
    try {
        return withUnpickledArchive(
            path,
            [](ZipReader&, const Value* root) -> std::optional<Attributes> {
                // torch::serialize pickles its module as an object of a class in __torch__.
                if (root->kind != Kind::Object || root->text.rfind("__torch__.", 0) != 0)
                    return std::nullopt;
                Attributes attributes;
                for (size_t i = 0; i + 1 < root->items.size(); i += 2) {
                    const Value* key = root->items[i];
                    const Value* value = root->items[i + 1];
                    if (key->kind != Kind::String) continue;
                    switch (value->kind) {
                    case Kind::String: attributes[key->text] = c10::IValue(value->text); break;
                    case Kind::Bool: attributes[key->text] = c10::IValue(value->integer != 0); break;
                    case Kind::Int: attributes[key->text] = c10::IValue(value->integer); break;
                    case Kind::Float: attributes[key->text] = c10::IValue(value->real); break;
                    case Kind::Tensor: attributes[key->text] = c10::IValue(value->tensor); break;
                    default: break;  // nothing a native file writes
                    }
                }
                return attributes;
            },
            FloatTensors::AsStored);
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw Error(fileLabel(path) + ": out of memory while reading the file");
    } catch (const std::exception& e) {
        throw Error(fileLabel(path) + ": " + firstLine(e.what()));
    }
}

bool looksLikeZip(const std::string& path) {
    // Opening a pipe waits for a writer, forever: refused before (checked with stat, not open).
    internal::refuseNonRegularFile(path);
    std::ifstream in(path, std::ios::binary);
    unsigned char magic[4] = {};
    return in.read(reinterpret_cast<char*>(magic), 4) && le32(magic) == kLocalHeaderSig;
}

void refuseLegacyTorchSave(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return;  // a pipe would block the read; what is not a file is the caller's to word
    // The legacy format is a pickle (protocol 2: 0x80 0x02) whose first object is torch's magic
    // number 0x1950a86a20f9469cfc6c, pickled as a 10-byte little-endian LONG1 (opcode 0x8a).
    static const unsigned char kLegacyStart[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c,
                                                 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
    unsigned char start[sizeof kLegacyStart] = {};
    std::ifstream in(path, std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(start), sizeof start) ||
        std::memcmp(start, kLegacyStart, sizeof start) != 0)
        return;
    throw Error(internal::fileName(path) +
                ": saved by torch.save in PyTorch's legacy format (before 1.6, or with "
                "_use_new_zipfile_serialization=False), which this program does not read; save it again "
                "with a current PyTorch: torch.save(torch.load(\"old.pt\"), \"new.pt\") for a state_dict, or "
                "torch.save(model.state_dict(), \"new.pt\")");
}

}  // namespace ebm
