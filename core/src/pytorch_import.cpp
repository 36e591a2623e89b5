// Reader for state_dicts written by PyTorch's torch.save (zip container, PyTorch >= 1.6).
//
// The file is a zip archive of stored (uncompressed) records:
//   <archive>/data.pkl    a pickle (protocol 2) of an OrderedDict name -> tensor
//   <archive>/data/<key>  the raw little-endian bytes of each storage
//   <archive>/version     the format version
// LibTorch's torch::pickle_load refuses the OrderedDict's `_metadata` attribute, so this file
// carries its own small zip reader and unpickler. Both treat the file as untrusted: every read
// is bounds-checked, sizes are capped, and every failure becomes one ebm::Error line.
#include "ebm/pytorch_import.h"

#include "ebm/error.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace ebm {
namespace {

// Caps that no real state_dict comes near but that keep corrupt input from exhausting memory.
constexpr uint64_t kMaxPickleBytes = 64ull << 20;  // data.pkl of a 100k-tensor model is ~15 MB
constexpr size_t kMaxPickleValues = 4u << 20;      // ~15 values per tensor
constexpr size_t kMaxStackDepth = 1u << 20;
constexpr size_t kMaxZipEntries = 1u << 20;
constexpr uint64_t kMaxCentralDirBytes = 64ull << 20;
constexpr size_t kMaxTensorDims = 16;
constexpr int64_t kMaxExpandedElements = 1ll << 26;  // stride-0 tensors may exceed their storage
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

uint16_t le16(const unsigned char* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t le32(const unsigned char* p) { return uint32_t(le16(p)) | (uint32_t(le16(p + 2)) << 16); }
uint64_t le64(const unsigned char* p) { return uint64_t(le32(p)) | (uint64_t(le32(p + 4)) << 32); }

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

// ---------------------------------------------------------------------------------------------
// Pickle: the subset of opcodes that torch.save emits (plus a few cheap protocol 3/4 ones).

struct Value {
    enum class Kind { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Object, Storage, Tensor };
    Kind kind = Kind::None;
    int64_t integer = 0;          // Bool, Int; Storage: element count
    double real = 0;              // Float
    std::string text;             // String; Global and Object: "module.name"; Storage: record key
    std::vector<Value*> items;    // Tuple, List; Dict: key, value, key, value...
    torch::ScalarType dtype = torch::kFloat;  // Storage
    torch::Tensor tensor;         // Tensor
};
using Kind = Value::Kind;

const char* kindName(Kind k) {
    switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "string";
    case Kind::Tuple: return "tuple";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Global: return "class";
    case Kind::Object: return "object";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
    }
    return "?";
}

std::string describe(const Value* v) {
    return v->kind == Kind::Object ? v->text + " object" : std::string("a ") + kindName(v->kind);
}

struct StorageType {
    const char* name;
    torch::ScalarType dtype;
};
constexpr StorageType kStorageTypes[] = {
    {"torch.FloatStorage", torch::kFloat},   {"torch.DoubleStorage", torch::kDouble},
    {"torch.HalfStorage", torch::kHalf},     {"torch.BFloat16Storage", torch::kBFloat16},
    {"torch.LongStorage", torch::kLong},     {"torch.IntStorage", torch::kInt},
    {"torch.ShortStorage", torch::kShort},   {"torch.CharStorage", torch::kChar},
    {"torch.ByteStorage", torch::kByte},     {"torch.BoolStorage", torch::kBool},
};

// Returns the storage tensor (1-D, storage.integer elements) for a Storage value.
using StorageLoader = std::function<torch::Tensor(const Value&)>;

class Unpickler {
public:
    Unpickler(const std::vector<unsigned char>& data, std::string where, StorageLoader loader,
              int64_t elementBudget)
        : data_(data), where_(std::move(where)), loader_(std::move(loader)), elementBudget_(elementBudget) {}

    Value* load() {
        for (;;) {
            const size_t at = pos_;
            const unsigned char op = u8();
            if (op == '.') {  // STOP
                if (stack_.empty()) fail("STOP on an empty stack", at);
                return stack_.back();
            }
            step(op, at);
            if (stack_.size() > kMaxStackDepth || marks_.size() > kMaxStackDepth)
                fail("stack too deep", at);
        }
    }

private:
    [[noreturn]] void fail(const std::string& what, size_t at) const {
        throw Error(where_ + ": " + what + " at byte " + std::to_string(at));
    }

    void need(uint64_t n) const {
        if (n > data_.size() - pos_) fail("unexpected end of data", pos_);
    }
    unsigned char u8() { need(1); return data_[pos_++]; }
    uint16_t u16() { need(2); pos_ += 2; return le16(&data_[pos_ - 2]); }
    uint32_t u32() { need(4); pos_ += 4; return le32(&data_[pos_ - 4]); }
    uint64_t u64() { need(8); pos_ += 8; return le64(&data_[pos_ - 8]); }
    std::string bytes(uint64_t n) {
        need(n);
        pos_ += size_t(n);
        return std::string(reinterpret_cast<const char*>(&data_[pos_ - n]), size_t(n));
    }
    std::string line() {
        const auto begin = data_.begin() + std::ptrdiff_t(pos_);
        const auto nl = std::find(begin, data_.end(), '\n');
        if (nl == data_.end()) fail("unterminated GLOBAL name", pos_);
        std::string s(begin, nl);
        pos_ += s.size() + 1;
        return s;
    }
    // LONG1/LONG4: little-endian two's complement of n bytes; we only need 64-bit values.
    int64_t longInt(uint64_t n, size_t at) {
        if (n > 8) fail("integer too large", at);
        const std::string b = bytes(n);
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i) v |= uint64_t(uint8_t(b[i])) << (8 * i);
        if (n > 0 && n < 8 && (uint8_t(b[n - 1]) & 0x80)) v |= ~uint64_t(0) << (8 * n);  // sign-extend
        return int64_t(v);
    }

    Value* make(Kind kind, size_t at) {
        if (arena_.size() >= kMaxPickleValues) fail("too many objects", at);
        arena_.emplace_back();
        arena_.back().kind = kind;
        return &arena_.back();
    }
    Value* makeInt(int64_t v, size_t at) { Value* x = make(Kind::Int, at); x->integer = v; return x; }
    Value* makeString(std::string s, size_t at) { Value* x = make(Kind::String, at); x->text = std::move(s); return x; }

    size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
    Value* pop(size_t at) {
        if (stack_.size() <= floor()) fail("stack underflow", at);
        Value* v = stack_.back();
        stack_.pop_back();
        return v;
    }
    Value* top(size_t at) {
        if (stack_.size() <= floor()) fail("stack underflow", at);
        return stack_.back();
    }
    std::vector<Value*> popMark(size_t at) {
        if (marks_.empty()) fail("missing MARK", at);
        std::vector<Value*> items(stack_.begin() + std::ptrdiff_t(marks_.back()), stack_.end());
        stack_.resize(marks_.back());
        marks_.pop_back();
        return items;
    }
    Value* tuple(std::vector<Value*> items, size_t at) {
        Value* t = make(Kind::Tuple, at);
        t->items = std::move(items);
        return t;
    }
    void setItems(Value* dict, const std::vector<Value*>& kv, size_t at) {
        if (kv.size() % 2) fail("odd number of dict items", at);
        if (dict->kind == Kind::Object) return;  // state of an object we do not interpret
        if (dict->kind != Kind::Dict) fail("SETITEM on " + describe(dict), at);
        dict->items.insert(dict->items.end(), kv.begin(), kv.end());
    }
    void append(Value* list, const std::vector<Value*>& items, size_t at) {
        if (list->kind == Kind::Object) return;
        if (list->kind != Kind::List) fail("APPEND on " + describe(list), at);
        list->items.insert(list->items.end(), items.begin(), items.end());
    }
    void memoPut(uint32_t index, size_t at) {
        if (memo_.size() >= kMaxPickleValues && !memo_.count(index)) fail("memo too large", at);
        // Picklers number memo entries from 0 upwards; LibTorch's unpickler (which reads native
        // checkpoints after this check) sizes a table by the largest index it meets.
        if (index >= kMaxPickleValues) fail("implausible memo index " + std::to_string(index), at);
        memo_[index] = top(at);
    }
    Value* memoGet(uint32_t index, size_t at) {
        auto it = memo_.find(index);
        if (it == memo_.end()) fail("unknown memo entry " + std::to_string(index), at);
        return it->second;
    }

    void step(unsigned char op, size_t at) {
        switch (op) {
        case 0x80: u8(); break;                        // PROTO
        case 0x95: u64(); break;                       // FRAME (protocol 4): only a size hint
        case 'c': {                                    // GLOBAL "module\nname\n"
            std::string module = line();
            Value* g = make(Kind::Global, at);
            g->text = module + "." + line();
            stack_.push_back(g);
            break;
        }
        case 0x93: {                                   // STACK_GLOBAL
            Value* name = pop(at);
            Value* module = pop(at);
            if (name->kind != Kind::String || module->kind != Kind::String) fail("bad STACK_GLOBAL", at);
            Value* g = make(Kind::Global, at);
            g->text = module->text + "." + name->text;
            stack_.push_back(g);
            break;
        }
        case 'q': memoPut(u8(), at); break;            // BINPUT
        case 'r': memoPut(u32(), at); break;           // LONG_BINPUT
        case 0x94: memoPut(uint32_t(memo_.size()), at); break;  // MEMOIZE
        case 'h': stack_.push_back(memoGet(u8(), at)); break;   // BINGET
        case 'j': stack_.push_back(memoGet(u32(), at)); break;  // LONG_BINGET
        case '}': stack_.push_back(make(Kind::Dict, at)); break;
        case ']': stack_.push_back(make(Kind::List, at)); break;
        case ')': stack_.push_back(make(Kind::Tuple, at)); break;
        case '(': marks_.push_back(stack_.size()); break;   // MARK
        case 't': stack_.push_back(tuple(popMark(at), at)); break;
        case 0x85: case 0x86: case 0x87: {             // TUPLE1..3
            std::vector<Value*> items(size_t(op - 0x84));
            for (size_t i = items.size(); i-- > 0;) items[i] = pop(at);
            stack_.push_back(tuple(std::move(items), at));
            break;
        }
        case 'l': { Value* l = make(Kind::List, at); l->items = popMark(at); stack_.push_back(l); break; }
        case 'd': { Value* d = make(Kind::Dict, at); setItems(d, popMark(at), at); stack_.push_back(d); break; }
        case 'J': stack_.push_back(makeInt(int32_t(u32()), at)); break;  // BININT
        case 'K': stack_.push_back(makeInt(u8(), at)); break;            // BININT1
        case 'M': stack_.push_back(makeInt(u16(), at)); break;           // BININT2
        case 0x8a: { const uint64_t n = u8(); stack_.push_back(makeInt(longInt(n, at), at)); break; }  // LONG1
        case 0x8b: { const uint64_t n = u32(); stack_.push_back(makeInt(longInt(n, at), at)); break; } // LONG4
        case 'X': case 'B': stack_.push_back(makeString(bytes(u32()), at)); break;     // BINUNICODE, BINBYTES
        case 0x8c: case 'U': case 'C': stack_.push_back(makeString(bytes(u8()), at)); break;  // SHORT_*
        case 0x8d: stack_.push_back(makeString(bytes(u64()), at)); break;              // BINUNICODE8
        case 'T': {                                                                    // BINSTRING
            const int32_t n = int32_t(u32());
            if (n < 0) fail("negative string length", at);
            stack_.push_back(makeString(bytes(uint64_t(n)), at));
            break;
        }
        case 'N': stack_.push_back(make(Kind::None, at)); break;
        case 0x88: case 0x89: {                        // NEWTRUE, NEWFALSE
            Value* b = make(Kind::Bool, at);
            b->integer = op == 0x88;
            stack_.push_back(b);
            break;
        }
        case 'G': {                                    // BINFLOAT, big-endian
            need(8);
            uint64_t bits = 0;
            for (int i = 0; i < 8; ++i) bits = (bits << 8) | data_[pos_++];
            Value* f = make(Kind::Float, at);
            std::memcpy(&f->real, &bits, sizeof bits);
            stack_.push_back(f);
            break;
        }
        case 'Q': stack_.push_back(persistentLoad(pop(at), at)); break;  // BINPERSID
        case 'R': case 0x81: {                         // REDUCE, NEWOBJ: callable(*args)
            Value* args = pop(at);
            Value* callable = pop(at);
            stack_.push_back(call(callable, args, at));
            break;
        }
        case 'b': pop(at); top(at); break;             // BUILD: the state (e.g. _metadata) is not needed
        case 's': { Value* v = pop(at); Value* k = pop(at); setItems(top(at), {k, v}, at); break; }
        case 'u': { std::vector<Value*> kv = popMark(at); setItems(top(at), kv, at); break; }
        case 'a': { Value* v = pop(at); append(top(at), {v}, at); break; }
        case 'e': { std::vector<Value*> items = popMark(at); append(top(at), items, at); break; }
        case '0': pop(at); break;                      // POP
        case '1': popMark(at); break;                  // POP_MARK
        case '2': stack_.push_back(top(at)); break;    // DUP
        default: {
            std::ostringstream s;
            s << "unsupported pickle opcode 0x" << std::hex << int(op);
            fail(s.str(), at);
        }
        }
    }

    // BINPERSID: ('storage', torch.FloatStorage, key, location, numel)
    Value* persistentLoad(Value* pid, size_t at) {
        const auto& t = pid->items;
        if (pid->kind != Kind::Tuple || t.size() < 5 || t[0]->kind != Kind::String || t[0]->text != "storage" ||
            t[1]->kind != Kind::Global || t[2]->kind != Kind::String || t[4]->kind != Kind::Int)
            fail("unrecognized persistent id", at);
        Value* storage = make(Kind::Storage, at);
        const StorageType* type = nullptr;
        for (const StorageType& st : kStorageTypes)
            if (t[1]->text == st.name) type = &st;
        if (!type) fail("unsupported storage type " + t[1]->text, at);
        if (t[4]->integer < 0) fail("negative storage size", at);
        storage->dtype = type->dtype;
        storage->text = t[2]->text;
        storage->integer = t[4]->integer;
        return storage;
    }

    Value* call(Value* callable, Value* args, size_t at) {
        if (args->kind != Kind::Tuple) fail("call arguments are not a tuple", at);
        const std::string& name = callable->text;
        if (callable->kind != Kind::Global) fail("call of " + describe(callable), at);
        if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor") {
            Value* t = make(Kind::Tensor, at);
            t->tensor = rebuildTensor(args->items, at);
            return t;
        }
        // LibTorch's pickler (torch::pickle_save, so files that `ebm export` writes) tags typed
        // containers with their type, e.g. restore_type_tag(dict, "Dict[str, Tensor]").
        if (name == "torch.jit._pickle.restore_type_tag" && !args->items.empty())
            return args->items[0];
        // Parameters (state_dict(keep_vars=True)) wrap the tensor built just before.
        if ((name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") &&
            !args->items.empty() && args->items[0]->kind == Kind::Tensor)
            return args->items[0];
        if (name == "collections.OrderedDict" || name == "builtins.dict" || name == "__builtin__.dict") {
            Value* d = make(Kind::Dict, at);
            // OrderedDict([(k, v), ...]) is legal, though torch.save uses SETITEMS instead.
            if (!args->items.empty() && args->items[0]->kind == Kind::List)
                for (Value* pair : args->items[0]->items)
                    if (pair->kind == Kind::Tuple && pair->items.size() == 2)
                        setItems(d, pair->items, at);
            return d;
        }
        Value* object = make(Kind::Object, at);  // anything else: kept opaque, e.g. _extra_state
        object->text = name;
        return object;
    }

    std::vector<int64_t> intTuple(const Value* v, const char* what, size_t at) {
        if (v->kind != Kind::Tuple || v->items.size() > kMaxTensorDims) fail(std::string("bad tensor ") + what, at);
        std::vector<int64_t> out;
        for (const Value* x : v->items) {
            if (x->kind != Kind::Int || x->integer < 0) fail(std::string("bad tensor ") + what, at);
            out.push_back(x->integer);
        }
        return out;
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)
    torch::Tensor rebuildTensor(const std::vector<Value*>& a, size_t at) {
        if (a.size() < 4 || a[0]->kind != Kind::Storage || a[1]->kind != Kind::Int || a[1]->integer < 0)
            fail("bad tensor arguments", at);
        const Value& storage = *a[0];
        const int64_t offset = a[1]->integer;
        const std::vector<int64_t> size = intTuple(a[2], "size", at);
        const std::vector<int64_t> stride = intTuple(a[3], "stride", at);
        if (size.size() != stride.size()) fail("tensor size and stride differ in length", at);
        // The last element the view touches must lie inside the storage.
        int64_t numel = 1, last = offset;
        bool overflow = false;
        for (size_t i = 0; i < size.size(); ++i) {
            int64_t reach = 0;
            overflow |= __builtin_mul_overflow(numel, size[i], &numel);
            if (size[i] > 0) {
                overflow |= __builtin_mul_overflow(size[i] - 1, stride[i], &reach);
                overflow |= __builtin_add_overflow(last, reach, &last);
            }
        }
        if (overflow || (numel > 0 && last >= storage.integer) || offset > storage.integer)
            fail("tensor reaches past the end of storage " + storage.text, at);
        if (numel > std::max(storage.integer, kMaxExpandedElements))
            fail("tensor much larger than its storage " + storage.text, at);
        // Many views of one large storage could otherwise ask for unbounded memory.
        if (numel > elementBudget_) fail("tensors add up to far more data than the file holds", at);
        elementBudget_ -= numel;
        const torch::Tensor base = loader_(storage);
        const torch::ScalarType out = torch::isFloatingType(storage.dtype) ? torch::kFloat : storage.dtype;
        return base.as_strided(size, stride, offset)
            .to(out, /*non_blocking=*/false, /*copy=*/true, torch::MemoryFormat::Contiguous);
    }

    const std::vector<unsigned char>& data_;
    std::string where_;
    StorageLoader loader_;
    int64_t elementBudget_;
    size_t pos_ = 0;
    std::deque<Value> arena_;  // owns every value; freed flat, so cyclic or deep nesting is harmless
    std::vector<Value*> stack_;
    std::vector<size_t> marks_;
    std::unordered_map<uint32_t, Value*> memo_;
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
auto withUnpickledArchive(const std::string& path, UseRoot use) {
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
    Unpickler unpickler(pickle, label + ": damaged data.pkl", loadStorage, budget);
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

void checkTensorRecords(const std::string& path) {
    try {
        withUnpickledArchive(path, [](ZipReader&, const Value*) { return 0; });
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw Error(fileLabel(path) + ": out of memory while checking the file");
    } catch (const std::exception& e) {
        throw Error(fileLabel(path) + ": " + firstLine(e.what()));
    }
}

bool looksLikeZip(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char magic[4] = {};
    return in.read(reinterpret_cast<char*>(magic), 4) && le32(magic) == kLocalHeaderSig;
}

}  // namespace ebm
