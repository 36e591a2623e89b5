// The unpickler of torch.save's data.pkl (see unpickler.h).
#include "io/unpickler.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "ebm/base/error.h"

namespace ebm::internal::pickle {
namespace {

// Caps that no real state_dict comes near but that keep corrupt input from exhausting memory.
constexpr size_t kMaxPickleValues = 4u << 20;      // ~15 values per tensor
constexpr size_t kMaxStackDepth = 1u << 20;
constexpr size_t kMaxTensorDims = 16;

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

}  // namespace

std::string describe(const Value* v) {
    return v->kind == Kind::Object ? v->text + " object" : std::string("a ") + kindName(v->kind);
}

Unpickler::Unpickler(const std::vector<unsigned char>& data, std::string where, StorageLoader loader,
                     int64_t elementBudget, FloatTensors floats)
    : data_(data), where_(std::move(where)), loader_(std::move(loader)), elementBudget_(elementBudget),
      floats_(floats) {}

Value* Unpickler::load() {
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

void Unpickler::fail(const std::string& what, size_t at) const {
    throw Error(where_ + ": " + what + " at byte " + std::to_string(at));
}

void Unpickler::need(uint64_t n) const {
    if (n > data_.size() - pos_) fail("unexpected end of data", pos_);
}

unsigned char Unpickler::u8() { need(1); return data_[pos_++]; }

uint16_t Unpickler::u16() { need(2); pos_ += 2; return le16(&data_[pos_ - 2]); }

uint32_t Unpickler::u32() { need(4); pos_ += 4; return le32(&data_[pos_ - 4]); }

uint64_t Unpickler::u64() { need(8); pos_ += 8; return le64(&data_[pos_ - 8]); }

std::string Unpickler::bytes(uint64_t n) {
    need(n);
    pos_ += size_t(n);
    return std::string(reinterpret_cast<const char*>(&data_[pos_ - n]), size_t(n));
}

std::string Unpickler::line() {
    const auto begin = data_.begin() + std::ptrdiff_t(pos_);
    const auto nl = std::find(begin, data_.end(), '\n');
    if (nl == data_.end()) fail("unterminated GLOBAL name", pos_);
    std::string s(begin, nl);
    pos_ += s.size() + 1;
    return s;
}

// LONG1/LONG4: little-endian two's complement of n bytes; we only need 64-bit values.
int64_t Unpickler::longInt(uint64_t n, size_t at) {
    if (n > 8) fail("integer too large", at);
    const std::string b = bytes(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(uint8_t(b[i])) << (8 * i);
    if (n > 0 && n < 8 && (uint8_t(b[n - 1]) & 0x80)) v |= ~uint64_t(0) << (8 * n);  // sign-extend
    return int64_t(v);
}

Value* Unpickler::make(Kind kind, size_t at) {
    if (arena_.size() >= kMaxPickleValues) fail("too many objects", at);
    arena_.emplace_back();
    arena_.back().kind = kind;
    return &arena_.back();
}

Value* Unpickler::makeInt(int64_t v, size_t at) {
    Value* x = make(Kind::Int, at);
    x->integer = v;
    return x;
}

Value* Unpickler::makeString(std::string s, size_t at) {
    Value* x = make(Kind::String, at);
    x->text = std::move(s);
    return x;
}

size_t Unpickler::floor() const { return marks_.empty() ? 0 : marks_.back(); }

Value* Unpickler::pop(size_t at) {
    if (stack_.size() <= floor()) fail("stack underflow", at);
    Value* v = stack_.back();
    stack_.pop_back();
    return v;
}

Value* Unpickler::top(size_t at) {
    if (stack_.size() <= floor()) fail("stack underflow", at);
    return stack_.back();
}

std::vector<Value*> Unpickler::popMark(size_t at) {
    if (marks_.empty()) fail("missing MARK", at);
    std::vector<Value*> items(stack_.begin() + std::ptrdiff_t(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
}

Value* Unpickler::tuple(std::vector<Value*> items, size_t at) {
    Value* t = make(Kind::Tuple, at);
    t->items = std::move(items);
    return t;
}

void Unpickler::setItems(Value* dict, const std::vector<Value*>& kv, size_t at) {
    if (kv.size() % 2) fail("odd number of dict items", at);
    if (dict->kind == Kind::Object) return;  // state of an object we do not interpret
    if (dict->kind != Kind::Dict) fail("SETITEM on " + describe(dict), at);
    dict->items.insert(dict->items.end(), kv.begin(), kv.end());
}

void Unpickler::append(Value* list, const std::vector<Value*>& items, size_t at) {
    if (list->kind == Kind::Object) return;
    if (list->kind != Kind::List) fail("APPEND on " + describe(list), at);
    list->items.insert(list->items.end(), items.begin(), items.end());
}

void Unpickler::memoPut(uint32_t index, size_t at) {
    if (memo_.size() >= kMaxPickleValues && !memo_.count(index)) fail("memo too large", at);
    // Picklers number memo entries from 0 upwards: a larger index is damage.
    if (index >= kMaxPickleValues) fail("implausible memo index " + std::to_string(index), at);
    memo_[index] = top(at);
}

Value* Unpickler::memoGet(uint32_t index, size_t at) {
    auto it = memo_.find(index);
    if (it == memo_.end()) fail("unknown memo entry " + std::to_string(index), at);
    return it->second;
}

void Unpickler::step(unsigned char op, size_t at) {
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
    case 'b': {                                    // BUILD
        // An object's attribute dict is kept (a torch::serialize archive's module is such an
        // object); other state, such as an OrderedDict's _metadata, is not needed.
        Value* state = pop(at);
        Value* object = top(at);
        if (object->kind == Kind::Object && state->kind == Kind::Dict && object->items.empty())
            object->items = state->items;
        break;
    }
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
Value* Unpickler::persistentLoad(Value* pid, size_t at) {
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

Value* Unpickler::call(Value* callable, Value* args, size_t at) {
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

std::vector<int64_t> Unpickler::intTuple(const Value* v, const char* what, size_t at) {
    if (v->kind != Kind::Tuple || v->items.size() > kMaxTensorDims) fail(std::string("bad tensor ") + what, at);
    std::vector<int64_t> out;
    for (const Value* x : v->items) {
        if (x->kind != Kind::Int || x->integer < 0) fail(std::string("bad tensor ") + what, at);
        out.push_back(x->integer);
    }
    return out;
}

// _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)
torch::Tensor Unpickler::rebuildTensor(const std::vector<Value*>& a, size_t at) {
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
    const torch::ScalarType out =
        floats_ == FloatTensors::ToFloat32 && torch::isFloatingType(storage.dtype) ? torch::kFloat : storage.dtype;
    return base.as_strided(size, stride, offset)
        .to(out, /*non_blocking=*/false, /*copy=*/true, torch::MemoryFormat::Contiguous);
}

}  // namespace ebm::internal::pickle
