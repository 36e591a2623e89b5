// Reading torch.save(state_dict) files: the reference fixture, hand-built archives covering each
// storage type, and damaged files (truncated, random, corrupt pickle) that must fail cleanly.
#include <QtTest/QtTest>

#include "ebm/base/error.h"
#include "ebm/io/pytorch_import.h"

#include <torch/torch.h>

#include <array>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

const QString kFixture = QStringLiteral(EBM_FIXTURES_DIR "/reference-res12-c8.pt");

uint32_t crc32(const QByteArray& data) {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t c = 0xFFFFFFFFu;
    for (char ch : data) c = table[(c ^ uint8_t(ch)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void putLe(QByteArray& b, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) b.append(char((v >> (8 * i)) & 0xFF));
}
uint32_t getLe(const QByteArray& b, qsizetype at, int bytes) {
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint32_t(uint8_t(b[at + i])) << (8 * i);
    return v;
}

// A minimal zip writer (stored entries), enough to build test checkpoints.
QByteArray makeZip(const std::vector<std::pair<QByteArray, QByteArray>>& entries) {
    QByteArray out, dir;
    for (const auto& [name, data] : entries) {
        const uint32_t offset = uint32_t(out.size());
        QByteArray common;  // version, flags, method, time, date, crc, sizes, name length, extra length
        putLe(common, 0, 2); putLe(common, 0, 2); putLe(common, 0, 2); putLe(common, 0, 4);
        putLe(common, crc32(data), 4); putLe(common, uint64_t(data.size()), 4);
        putLe(common, uint64_t(data.size()), 4); putLe(common, uint64_t(name.size()), 2); putLe(common, 0, 2);
        putLe(out, 0x04034b50, 4); out += common; out += name; out += data;
        putLe(dir, 0x02014b50, 4); putLe(dir, 0, 2); dir += common;
        putLe(dir, 0, 2); putLe(dir, 0, 2); putLe(dir, 0, 2); putLe(dir, 0, 4); putLe(dir, offset, 4);
        dir += name;
    }
    const uint32_t dirOffset = uint32_t(out.size());
    out += dir;
    putLe(out, 0x06054b50, 4); putLe(out, 0, 2); putLe(out, 0, 2);
    putLe(out, entries.size(), 2); putLe(out, entries.size(), 2);
    putLe(out, uint64_t(dir.size()), 4); putLe(out, dirOffset, 4); putLe(out, 0, 2);
    return out;
}

// Writes protocol-2 pickles opcode by opcode, the way torch.save does.
struct Pickle {
    QByteArray b = QByteArray("\x80\x02", 2);
    Pickle& op(char c) { b.append(c); return *this; }
    Pickle& global(const char* module, const char* name) {
        b.append('c').append(module).append('\n').append(name).append('\n');
        return *this;
    }
    Pickle& str(const QByteArray& s) { b.append('X'); putLe(b, uint64_t(s.size()), 4); b += s; return *this; }
    Pickle& integer(int32_t v) { b.append('J'); putLe(b, uint32_t(v), 4); return *this; }
    Pickle& ints(const std::vector<int32_t>& v) {
        op('(');
        for (int32_t x : v) integer(x);
        return op('t');
    }
    Pickle& orderedDict() { return global("collections", "OrderedDict").op(')').op('R'); }
    // _rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, size, stride, False, {})
    Pickle& tensor(const char* type, const char* key, int32_t numel, int32_t offset,
                   const std::vector<int32_t>& size, const std::vector<int32_t>& stride) {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        op('(').str("storage").global("torch", type).str(key).str("cpu").integer(numel).op('t').op('Q');
        integer(offset).ints(size).ints(stride).op('\x89').orderedDict().op('t');
        return op('R');
    }
    // The OrderedDict's _metadata attribute, set by BUILD, with nested dicts as torch.save writes it.
    Pickle& metadataAndStop() {
        op('}').str("_metadata").orderedDict();
        str("").op('}').str("version").integer(1).op('s').op('s');
        return op('s').op('b').op('.');
    }
};

QByteArray raw(const void* data, size_t n) { return QByteArray(static_cast<const char*>(data), qsizetype(n)); }

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) qFatal("cannot write %s", qPrintable(path));
    return path;
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};  // initTestCase has already failed clearly
    return f.readAll();
}

// The ebm::Error text reading `path` produces; empty when it loads. Any other exception fails.
QString errorOf(const QString& path, bool* otherException) {
    try {
        ebm::readPytorchStateDict(path.toStdString());
        return {};
    } catch (const ebm::Error& e) {
        return QString::fromStdString(e.what());
    } catch (...) {
        *otherException = true;
        return QStringLiteral("non-ebm exception");
    }
}

std::vector<float> values(const torch::Tensor& t) {
    const torch::Tensor c = t.to(torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

class TestPytorchImport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // A missing fixture is one failed check with its path, not an abort in the first test.
    void initTestCase() {
        QVERIFY2(QFileInfo::exists(kFixture), qPrintable(kFixture + " is missing: the fixture lives in tests/data"));
    }
    void loadsReferenceFixture();
    void looksLikeZip();
    void readsEveryStorageType();
    void rejectsNonCheckpoints();
    void rejectsMalformedStateDicts();
    void rejectsTruncatedCopies();
    void rejectsCorruptStorage();
    void survivesCorruptPickle();

private:
    void expectError(const QString& path, const QString& needle);
    QTemporaryDir tmp_;
};

void TestPytorchImport::expectError(const QString& path, const QString& needle) {
    bool other = false;
    const QString message = errorOf(path, &other);
    QVERIFY2(!other, qPrintable(path));
    QVERIFY2(!message.isEmpty(), qPrintable("no error for " + path));
    QVERIFY2(message.startsWith(QFileInfo(path).fileName() + ": "), qPrintable(message));
    QVERIFY2(!message.contains('\n'), qPrintable(message));
    QVERIFY2(message.contains(needle), qPrintable(message + "  (expected: " + needle + ")"));
}

void TestPytorchImport::loadsReferenceFixture() {
    const auto sd = ebm::readPytorchStateDict(kFixture.toStdString());
    QCOMPARE(sd.size(), size_t(62));
    const std::map<std::string, std::vector<int64_t>> shapes = {
        {"conv1.conv.weight", {8, 1, 3, 3}},         {"conv1.conv.bias", {8}},
        {"rb1.bn1.weight", {8, 32, 32}},             {"rb1.conv_shortcut.conv.conv.weight", {16, 8, 1, 1}},
        {"rbc1.conv_shortcut.conv.weight", {16, 16, 1, 1}}, {"rb3.conv_2.conv.conv.weight", {64, 32, 3, 3}},
        {"rbc3.conv_2.conv.weight", {64, 64, 3, 3}}, {"ln1.weight", {1, 1024}},
        {"ln1.bias", {1}},                           {"lq.bias", {1}},
    };
    for (const auto& [key, shape] : shapes) {
        QVERIFY2(sd.count(key), key.c_str());
        QCOMPARE(sd.at(key).sizes().vec(), shape);
    }
    for (const auto& [key, t] : sd) {  // keys verbatim: prefix handling is the caller's business
        QVERIFY2(!QString::fromStdString(key).startsWith("module."), key.c_str());
        QCOMPARE(t.scalar_type(), torch::kFloat);
        QVERIFY(t.is_contiguous());
        QVERIFY(t.device().is_cpu());
    }
    // Spot values, decoded with Python's zipfile + struct from the raw storage records.
    const auto at = [&](const char* key, int64_t flatIndex) {
        return sd.at(key).reshape({-1})[flatIndex].item<float>();
    };
    QCOMPARE(at("conv1.conv.weight", 0), 0.4293860197067261f);
    QCOMPARE(at("conv1.conv.weight", 71), -0.19540995359420776f);
    QCOMPARE(at("conv1.conv.bias", 3), 0.07329623401165009f);
    QCOMPARE(at("rb1.bn1.weight", 8191), 1.0f);
    QCOMPARE(at("rb3.conv_2.conv.conv.weight", 1000), -0.12331235408782959f);
    QCOMPARE(at("rbc3.conv_2.conv.weight", 12345), -0.03341909497976303f);
    QCOMPARE(at("rbc3.conv_2.conv.weight", 36863), -0.011795934289693832f);
    QCOMPARE(at("ln1.weight", 0), 0.013973861932754517f);
    QCOMPARE(at("ln1.weight", 1023), 0.025617986917495728f);
    QCOMPARE(at("ln1.bias", 0), -0.011842995882034302f);
    QCOMPARE(at("lq.bias", 0), -0.01609184220433235f);
}

void TestPytorchImport::looksLikeZip() {
    QVERIFY(ebm::looksLikeZip(kFixture.toStdString()));
    QVERIFY(!ebm::looksLikeZip(writeFile(tmp_, "empty.pt", {}).toStdString()));
    QVERIFY(!ebm::looksLikeZip(writeFile(tmp_, "text.pt", "hello world").toStdString()));
    QVERIFY(!ebm::looksLikeZip(writeFile(tmp_, "short.pt", "PK").toStdString()));
    QVERIFY(!ebm::looksLikeZip(tmp_.filePath("missing.pt").toStdString()));
}

void TestPytorchImport::readsEveryStorageType() {
    const double d[] = {0.5, -2.0, 3.25};
    const uint16_t half[] = {0x3C00, 0xC000, 0x3800};      // 1, -2, 0.5
    const uint16_t bf16[] = {0x3F80, 0xC000, 0x3F00};      // 1, -2, 0.5
    const int64_t i64[] = {-5, int64_t(1) << 40};
    const int32_t i32[] = {7, -8};
    const uint8_t u8[] = {0, 255};
    const uint8_t b8[] = {0, 1, 2};                         // a stray 2 still reads as true
    const float f[] = {0, 1, 2, 3, 4, 5};

    Pickle p;
    p.orderedDict().op('(');
    p.str("module.double").tensor("DoubleStorage", "0", 3, 0, {3}, {1});
    p.str("half").tensor("HalfStorage", "1", 3, 0, {3}, {1});
    p.str("bf16").tensor("BFloat16Storage", "2", 3, 0, {3}, {1});
    p.str("long").tensor("LongStorage", "3", 2, 0, {2}, {1});
    p.str("int").tensor("IntStorage", "4", 2, 0, {2}, {1});
    p.str("byte").tensor("ByteStorage", "5", 2, 0, {2}, {1});
    p.str("bool").tensor("BoolStorage", "6", 3, 0, {3}, {1});
    p.str("strided").tensor("FloatStorage", "7", 6, 1, {2, 2}, {1, 2});   // a transposed view
    p.str("shared").tensor("FloatStorage", "7", 6, 4, {2}, {1});           // same storage again
    p.str("scalar").tensor("FloatStorage", "7", 6, 5, {}, {});
    p.str("empty").tensor("FloatStorage", "7", 6, 6, {0, 3}, {3, 1});
    p.op('u').metadataAndStop();
    const QString path = writeFile(tmp_, "types.pt", makeZip({
        {"archive/data.pkl", p.b},
        {"archive/data/0", raw(d, sizeof d)}, {"archive/data/1", raw(half, sizeof half)},
        {"archive/data/2", raw(bf16, sizeof bf16)}, {"archive/data/3", raw(i64, sizeof i64)},
        {"archive/data/4", raw(i32, sizeof i32)}, {"archive/data/5", raw(u8, sizeof u8)},
        {"archive/data/6", raw(b8, sizeof b8)}, {"archive/data/7", raw(f, sizeof f)},
        {"archive/version", "3\n"},
    }));

    const auto sd = ebm::readPytorchStateDict(path.toStdString());
    QCOMPARE(sd.size(), size_t(11));
    QVERIFY(sd.count("module.double"));  // kept verbatim
    for (const char* key : {"module.double", "half", "bf16"}) {
        QCOMPARE(sd.at(key).scalar_type(), torch::kFloat);
        QCOMPARE(values(sd.at(key)), key[0] == 'm' ? std::vector<float>({0.5f, -2.f, 3.25f})
                                                   : std::vector<float>({1.f, -2.f, 0.5f}));
    }
    QCOMPARE(sd.at("long").scalar_type(), torch::kLong);
    QCOMPARE(sd.at("long")[1].item<int64_t>(), int64_t(1) << 40);
    QCOMPARE(sd.at("long")[0].item<int64_t>(), int64_t(-5));
    QCOMPARE(sd.at("int").scalar_type(), torch::kInt);
    QCOMPARE(sd.at("int")[1].item<int32_t>(), -8);
    QCOMPARE(sd.at("byte").scalar_type(), torch::kByte);
    QCOMPARE(sd.at("byte")[1].item<uint8_t>(), uint8_t(255));
    QCOMPARE(sd.at("bool").scalar_type(), torch::kBool);
    QCOMPARE(values(sd.at("bool")), std::vector<float>({0.f, 1.f, 1.f}));
    QVERIFY(sd.at("strided").is_contiguous());
    QCOMPARE(values(sd.at("strided")), std::vector<float>({1.f, 3.f, 2.f, 4.f}));
    QCOMPARE(values(sd.at("shared")), std::vector<float>({4.f, 5.f}));
    QCOMPARE(sd.at("scalar").dim(), int64_t(0));
    QCOMPARE(sd.at("scalar").item<float>(), 5.f);
    QCOMPARE(sd.at("empty").sizes().vec(), std::vector<int64_t>({0, 3}));
    // Results own their memory: writing one must not change a tensor sharing its storage.
    sd.at("strided").fill_(-1.f);
    QCOMPARE(values(sd.at("shared")), std::vector<float>({4.f, 5.f}));
}

void TestPytorchImport::rejectsNonCheckpoints() {
    expectError(writeFile(tmp_, "empty.pt", {}), "empty");
    expectError(tmp_.filePath("missing.pt"), "no such file");
    expectError(tmp_.path(), "not a regular file");
    expectError(writeFile(tmp_, "legacy.pt", QByteArray("\x80\x02\x8a\x0a" "lots of pickle", 18)), "legacy");
    QByteArray noise(4096, '\0');
    QRandomGenerator rng(1234);
    for (char& c : noise) c = char(rng.bounded(256));
    noise[0] = 'x';
    expectError(writeFile(tmp_, "random.pt", noise), "not a PyTorch checkpoint (no zip archive)");
    noise.replace(0, 4, QByteArray("PK\x03\x04", 4));  // zip magic, garbage after it
    expectError(writeFile(tmp_, "random-pk.pt", noise), "zip archive");
    expectError(writeFile(tmp_, "other.zip", makeZip({{"readme.txt", "hi"}})), "no data.pkl");
}

void TestPytorchImport::rejectsMalformedStateDicts() {
    const float f[] = {1, 2, 3, 4};
    const auto build = [&](const char* name, const Pickle& p, QByteArray storage = QByteArray()) {
        if (storage.isNull()) storage = raw(f, sizeof f);
        return writeFile(tmp_, name, makeZip({{"a/data.pkl", p.b}, {"a/data/0", storage}, {"a/version", "3\n"}}));
    };
    const auto single = [](const char* type, int32_t numel, int32_t offset, std::vector<int32_t> size,
                           std::vector<int32_t> stride) {
        Pickle p;
        p.orderedDict().str("w").tensor(type, "0", numel, offset, size, stride).op('s').op('.');
        return p;
    };

    Pickle list;
    list.op(']').integer(1).op('a').op('.');
    expectError(build("list.pt", list), "data.pkl holds a list, not a state_dict");
    Pickle noTensors;
    noTensors.op('}').str("epoch").integer(3).op('s').op('.');
    expectError(build("epoch.pt", noTensors), "not a state_dict");
    expectError(build("past-end.pt", single("FloatStorage", 4, 1, {4}, {1})), "past the end of storage");
    expectError(build("stride.pt", single("FloatStorage", 4, 0, {2, 2}, {3, 1})), "past the end of storage");
    expectError(build("huge.pt", single("FloatStorage", 4, 0, {1 << 30, 1 << 30}, {0, 0})), "larger than its storage");
    expectError(build("negative.pt", single("FloatStorage", 4, 0, {-2}, {1})), "bad tensor size");
    expectError(build("complex.pt", single("ComplexFloatStorage", 2, 0, {2}, {1})), "unsupported storage type");
    expectError(build("short.pt", single("DoubleStorage", 4, 0, {4}, {1})), "does not fit its 4 elements");
    Pickle badKey = single("FloatStorage", 4, 0, {4}, {1});
    badKey.b.replace(QByteArray("X\x01\x00\x00\x00" "0", 6), QByteArray("X\x01\x00\x00\x00" "9", 6));  // storage key "9"
    expectError(build("no-storage.pt", badKey), "a/data/9 is missing");
    Pickle unknownOp = single("FloatStorage", 4, 0, {4}, {1});
    unknownOp.b.insert(2, '\xff');
    expectError(build("opcode.pt", unknownOp), "unsupported pickle opcode 0xff");
    Pickle cut = single("FloatStorage", 4, 0, {4}, {1});
    cut.b.chop(3);
    expectError(build("cut-pickle.pt", cut), "damaged data.pkl");
    Pickle underflow;
    underflow.op('s').op('.');
    expectError(build("underflow.pt", underflow), "stack underflow");

    // Deep and cyclic structures must neither overflow the stack nor hang.
    Pickle deep;
    for (int i = 0; i < 200000; ++i) deep.op(']');
    for (int i = 0; i < 199999; ++i) deep.op('a');
    deep.op('.');
    expectError(build("deep.pt", deep), "holds a list");
    Pickle cycle;
    cycle.op('}').op('q').op('\x00').str("self").op('h').op('\x00').op('s').op('.');
    expectError(build("cycle.pt", cycle), "not a state_dict");
}

void TestPytorchImport::rejectsTruncatedCopies() {
    const QByteArray bytes = readFile(kFixture);
    const qsizetype n = bytes.size();
    for (qsizetype cut : {qsizetype(1), qsizetype(3), qsizetype(4), qsizetype(30), qsizetype(100), qsizetype(9000),
                          qsizetype(9100), n / 2, n - 200, n - 23, n - 22, n - 21, n - 1}) {
        const QString path = writeFile(tmp_, QStringLiteral("cut-%1.pt").arg(cut), bytes.left(cut));
        expectError(path, cut < 4 ? QStringLiteral("no zip archive") : QStringLiteral("truncated"));
    }
}

void TestPytorchImport::rejectsCorruptStorage() {
    QByteArray bytes = readFile(kFixture);
    bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x10);  // inside some weight record
    expectError(writeFile(tmp_, "flipped-weight.pt", bytes), "CRC");
}

// Random damage inside data.pkl, with the CRC fixed up so that the unpickler sees it.
void TestPytorchImport::survivesCorruptPickle() {
    const QByteArray original = readFile(kFixture);
    // data.pkl is the first record; its central directory entry is the first one too.
    const qsizetype dataStart = 30 + getLe(original, 26, 2) + getLe(original, 28, 2);
    const qsizetype central = original.indexOf(QByteArray("PK\x01\x02", 4));
    QVERIFY(central > 0);
    const qsizetype pickleSize = getLe(original, central + 24, 4);
    QCOMPARE(original.mid(dataStart, 2), QByteArray("\x80\x02", 2));

    QRandomGenerator rng(42);
    int errors = 0, loads = 0;
    const QString path = tmp_.filePath("fuzz.pt");
    for (int trial = 0; trial < 600; ++trial) {
        QByteArray bytes = original;
        const int flips = trial % 3 + 1;
        for (int i = 0; i < flips; ++i) {
            const qsizetype at = dataStart + (trial < 300 ? qsizetype(trial * 31 + i) % pickleSize : qsizetype(rng.bounded(qint64(pickleSize))));
            bytes[at] = char(rng.bounded(256));
        }
        QByteArray crc;
        putLe(crc, crc32(bytes.mid(dataStart, pickleSize)), 4);
        bytes.replace(central + 16, 4, crc);
        writeFile(tmp_, "fuzz.pt", bytes);
        bool other = false;
        const QString message = errorOf(path, &other);
        QVERIFY2(!other, qPrintable(QStringLiteral("trial %1").arg(trial)));
        QVERIFY2(!message.contains('\n'), qPrintable(message));
        message.isEmpty() ? ++loads : ++errors;
    }
    qInfo("corrupt pickles: %d rejected, %d loaded", errors, loads);
    QVERIFY(errors > 0);
}

QTEST_APPLESS_MAIN(TestPytorchImport)
#include "test_pytorch_import.moc"
