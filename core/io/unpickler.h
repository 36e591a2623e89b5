#pragma once
// A small unpickler for the pickles that torch.save writes (data.pkl of its zip archives):
// the subset of opcodes torch.save emits (plus a few cheap protocol 3/4 ones). It treats the
// data as untrusted: every read is bounds-checked, sizes are capped, and every failure becomes
// one ebm::Error line. Not part of the public API; pytorch_import.cpp is its user.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <torch/types.h>

namespace ebm::internal {

// Little-endian reads, shared with the zip reader.
inline uint16_t le16(const unsigned char* p) { return uint16_t(p[0] | (p[1] << 8)); }
inline uint32_t le32(const unsigned char* p) { return uint32_t(le16(p)) | (uint32_t(le16(p + 2)) << 16); }
inline uint64_t le64(const unsigned char* p) { return uint64_t(le32(p)) | (uint64_t(le32(p + 4)) << 32); }

namespace pickle {

constexpr int64_t kMaxExpandedElements = 1ll << 26;  // stride-0 tensors may exceed their storage

struct Value {
    enum class Kind { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Object, Storage, Tensor };
    Kind kind = Kind::None;
    int64_t integer = 0;          // Bool, Int; Storage: element count
    double real = 0;              // Float
    std::string text;             // String; Global and Object: "module.name"; Storage: record key
    std::vector<Value*> items;    // Tuple, List; Dict and Object (its BUILD state): key, value, ...
    torch::ScalarType dtype = torch::kFloat;  // Storage
    torch::Tensor tensor;         // Tensor
};
using Kind = Value::Kind;

/// "a dict", "collections.OrderedDict object", ...: what a value is, for error messages.
std::string describe(const Value* v);

// Returns the storage tensor (1-D, storage.integer elements) for a Storage value.
using StorageLoader = std::function<torch::Tensor(const Value&)>;

/// What floating-point tensors become: float32 for PyTorch's state_dicts (the engine computes in
/// float32), or the type the file holds for native checkpoints (their checksums cover the bytes).
enum class FloatTensors { ToFloat32, AsStored };

/// Reads one pickle. load() returns its root value, which, like every value, lives as long as the
/// unpickler. Storages come from `loader`; `elementBudget` caps the elements of all tensors together;
/// `where` starts every error message.
class Unpickler {
public:
    Unpickler(const std::vector<unsigned char>& data, std::string where, StorageLoader loader,
              int64_t elementBudget, FloatTensors floats = FloatTensors::ToFloat32);
    Value* load();

private:
    [[noreturn]] void fail(const std::string& what, size_t at) const;
    void need(uint64_t n) const;
    unsigned char u8();
    uint16_t u16();
    uint32_t u32();
    uint64_t u64();
    std::string bytes(uint64_t n);
    std::string line();
    // LONG1/LONG4: little-endian two's complement of n bytes; we only need 64-bit values.
    int64_t longInt(uint64_t n, size_t at);
    Value* make(Kind kind, size_t at);
    Value* makeInt(int64_t v, size_t at);
    Value* makeString(std::string s, size_t at);
    size_t floor() const;
    Value* pop(size_t at);
    Value* top(size_t at);
    std::vector<Value*> popMark(size_t at);
    Value* tuple(std::vector<Value*> items, size_t at);
    void setItems(Value* dict, const std::vector<Value*>& kv, size_t at);
    void append(Value* list, const std::vector<Value*>& items, size_t at);
    void memoPut(uint32_t index, size_t at);
    Value* memoGet(uint32_t index, size_t at);
    void step(unsigned char op, size_t at);
    // BINPERSID: ('storage', torch.FloatStorage, key, location, numel)
    Value* persistentLoad(Value* pid, size_t at);
    Value* call(Value* callable, Value* args, size_t at);
    std::vector<int64_t> intTuple(const Value* v, const char* what, size_t at);
    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)
    torch::Tensor rebuildTensor(const std::vector<Value*>& a, size_t at);

    const std::vector<unsigned char>& data_;
    std::string where_;
    StorageLoader loader_;
    int64_t elementBudget_;
    FloatTensors floats_;
    size_t pos_ = 0;
    std::deque<Value> arena_;  // owns every value; freed flat, so cyclic or deep nesting is harmless
    std::vector<Value*> stack_;
    std::vector<size_t> marks_;
    std::unordered_map<uint32_t, Value*> memo_;
};

}  // namespace pickle
}  // namespace ebm::internal
