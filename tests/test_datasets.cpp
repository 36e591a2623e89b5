// The engine's data layer: IDX, CIFAR-10, .npy, toy sets, padding and the PNG writer.
// Synthetic files are written byte by byte here and read back exactly; every parser must
// turn damaged input into one ebm::Error line naming the file.
#include <QtTest/QtTest>
#include <QTemporaryDir>

#include <torch/torch.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/io/dataset.h"
#include "ebm/io/image_file.h"
#include "ebm/io/toy2d.h"

namespace {

constexpr int kIdxSide = 28;
constexpr int kPaddedSide = 32;
constexpr int kCifarRecord = 3073;
constexpr int kCifarImage = 3072;

std::string be32(uint32_t value) {
    std::string out(4, '\0');
    out[0] = char(value >> 24);
    out[1] = char(value >> 16);
    out[2] = char(value >> 8);
    out[3] = char(value);
    return out;
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    QVERIFY2(out.good(), path.c_str());
}

void writeGzip(const std::string& path, const std::string& bytes) {
    gzFile file = gzopen(path.c_str(), "wb");
    QVERIFY(file != nullptr);
    QCOMPARE(gzwrite(file, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
    QCOMPARE(gzclose(file), Z_OK);
}

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string randomBytes(size_t count, uint32_t seed) {
    std::mt19937 engine(seed);
    std::string bytes(count, '\0');
    for (char& c : bytes) c = char(engine() & 0xff);
    return bytes;
}

/// Pixel value of image i at (r, c): covers all 256 byte values.
unsigned char pixel(int i, int r, int c) { return static_cast<unsigned char>((i * 37 + r * 11 + c * 3) % 256); }

std::string idxImages(int count, int rows, int cols, uint32_t declaredCount) {
    std::string bytes = be32(0x00000803) + be32(declaredCount) + be32(uint32_t(rows)) + be32(uint32_t(cols));
    for (int i = 0; i < count; ++i)
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) bytes += char(pixel(i, r, c));
    return bytes;
}

std::string idxLabels(int count, uint32_t declaredCount) {
    std::string bytes = be32(0x00000801) + be32(declaredCount);
    for (int i = 0; i < count; ++i) bytes += char(i % 10);
    return bytes;
}

std::string cifarRecords(int count) {
    std::string bytes;
    for (int i = 0; i < count; ++i) {
        bytes += char((i * 3) % 10);
        for (int k = 0; k < kCifarImage; ++k) bytes += char((k * 7 + i * 13) % 256);
    }
    return bytes;
}

std::string npyFile(const std::string& descr, const std::string& shape, const std::string& data,
                    int major = 1, bool fortran = false) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                         ", 'shape': " + shape + ", }";
    const size_t preamble = major == 1 ? 10 : 12;
    while ((preamble + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string bytes = std::string("\x93NUMPY", 6) + char(major) + char(0);
    bytes += char(header.size() & 0xff);
    bytes += char((header.size() >> 8) & 0xff);
    if (major != 1) bytes += std::string(2, '\0');
    return bytes + header + data;
}

template <class T>
std::string rawBytes(const std::vector<T>& values) {
    return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

/// Runs `action`, which must throw ebm::Error: a single line that names `path`.
void expectError(const std::function<void()>& action, const std::string& path, const char* what) {
    try {
        action();
    } catch (const ebm::Error& error) {
        const std::string message = error.what();
        if (qEnvironmentVariableIsSet("EBM_SHOW_ERRORS")) qInfo("%s: %s", what, message.c_str());   // for reviewing wording
        QVERIFY2(message.find(path) != std::string::npos, (std::string(what) + ": message does not name the file: " + message).c_str());
        QVERIFY2(message.find('\n') == std::string::npos, (std::string(what) + ": message is not one line: " + message).c_str());
        return;
    } catch (const std::exception& error) {
        QFAIL((std::string(what) + ": wrong exception type: " + error.what()).c_str());
    }
    QFAIL((std::string(what) + ": no ebm::Error thrown").c_str());
}

/// Every prefix cut of `bytes` at the given points (and a few derived ones) must be rejected.
std::vector<size_t> cutPoints(size_t size, std::initializer_list<size_t> extra) {
    std::vector<size_t> cuts = {0, 1, 3, size / 3, size / 2, size - 1};
    for (size_t cut : extra)
        if (cut < size) cuts.push_back(cut);
    return cuts;
}

}  // namespace

class DatasetTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fashionMnistTestSplit();
    void idxRoundTrip();
    void idxRejectsMalformed();
    void idxGzipBombStopsAtTheDeclaredSize();
    void mnistFolder();
    void cifarRoundTrip();
    void cifarRejectsMalformed();
    void npyRoundTrip();
    void npyDtypes();
    void npyRejectsMalformed();
    void npyFuzzFindings();
    void toySets();
    void eightGaussiansClusters();
    void padOrCropCentres();
    void openDatasetSpecs();
    void gridLayout();
    void pngFile();
    void jpegFile();
    void pictureFilesRejectBadInput();
    void anEmptyFolderNamesPictures();

private:
    QTemporaryDir dir_;
    std::string file(const char* name) const { return dir_.filePath(QString::fromUtf8(name)).toStdString(); }
};

void DatasetTest::fashionMnistTestSplit() {
    const std::string folder = ebm::defaultFashionMnistFolder();
    if (!QFileInfo::exists(QString::fromStdString(folder + "/t10k-images-idx3-ubyte.gz")))
        QSKIP("dataset-fashion-mnist is not installed");

    const ebm::Dataset test = ebm::loadMnistFolder(folder, false);
    QCOMPARE(test.size(), int64_t(10000));
    QCOMPARE(test.data.sizes().vec(), (std::vector<int64_t>{10000, 1, kPaddedSide, kPaddedSide}));
    QCOMPARE(test.data.scalar_type(), torch::kFloat);
    QVERIFY(test.data.min().item<float>() >= 0.0f);
    QCOMPARE(test.data.max().item<float>(), 1.0f);   // some pixel is 255
    // 28 -> 32: two zero pixels on every side.
    const int border = (kPaddedSide - kIdxSide) / 2;
    QCOMPARE(test.data.narrow(2, 0, border).abs().max().item<float>(), 0.0f);
    QCOMPARE(test.data.narrow(2, kPaddedSide - border, border).abs().max().item<float>(), 0.0f);
    QCOMPARE(test.data.narrow(3, 0, border).abs().max().item<float>(), 0.0f);
    QCOMPARE(test.data.narrow(3, kPaddedSide - border, border).abs().max().item<float>(), 0.0f);
    QVERIFY(test.data.narrow(2, border, kIdxSide).narrow(3, border, kIdxSide).sum().item<float>() > 0.0f);

    QCOMPARE(test.labels.scalar_type(), torch::kLong);
    QCOMPARE(test.labels.size(0), int64_t(10000));
    QCOMPARE(test.labels.min().item<int64_t>(), int64_t(0));
    QCOMPARE(test.labels.max().item<int64_t>(), int64_t(9));
    QVERIFY(torch::equal(torch::bincount(test.labels), torch::full({10}, 1000, torch::kLong)));

    // The unpadded images are the interior of the padded ones.
    const ebm::Dataset raw = ebm::openDataset("fashion-mnist", false, kIdxSide);
    QCOMPARE(raw.data.sizes().vec(), (std::vector<int64_t>{10000, 1, kIdxSide, kIdxSide}));
    QVERIFY(torch::equal(raw.data, test.data.narrow(2, border, kIdxSide).narrow(3, border, kIdxSide)));
}

void DatasetTest::idxRoundTrip() {
    const int count = 5;
    const std::string bytes = idxImages(count, kIdxSide, kIdxSide, count);
    std::string pixels = bytes.substr(16);
    const torch::Tensor expected =
        torch::from_blob(pixels.data(), {count, 1, kIdxSide, kIdxSide}, torch::kUInt8).to(torch::kFloat).div(255.0f);

    writeBytes(file("plain-idx3-ubyte"), bytes);
    writeGzip(file("zipped-idx3-ubyte.gz"), bytes);
    for (const char* name : {"plain-idx3-ubyte", "zipped-idx3-ubyte.gz"}) {
        const torch::Tensor kept = ebm::readIdxImages(file(name), 0);
        QVERIFY2(torch::equal(kept, expected), name);
        const torch::Tensor padded = ebm::readIdxImages(file(name), kPaddedSide);
        QCOMPARE(padded.sizes().vec(), (std::vector<int64_t>{count, 1, kPaddedSide, kPaddedSide}));
        QVERIFY(torch::equal(padded.narrow(2, 2, kIdxSide).narrow(3, 2, kIdxSide), expected));
        QCOMPARE(padded.sum().item<float>(), expected.sum().item<float>());
    }

    // Non-square images keep their shape when padTo is 0.
    writeBytes(file("odd-idx3-ubyte"), idxImages(2, 3, 4, 2));
    QCOMPARE(ebm::readIdxImages(file("odd-idx3-ubyte"), 0).sizes().vec(), (std::vector<int64_t>{2, 1, 3, 4}));

    writeBytes(file("plain-idx1-ubyte"), idxLabels(count, count));
    writeGzip(file("zipped-idx1-ubyte.gz"), idxLabels(count, count));
    const torch::Tensor labels = torch::tensor({0, 1, 2, 3, 4}, torch::kLong);
    QVERIFY(torch::equal(ebm::readIdxLabels(file("plain-idx1-ubyte")), labels));
    QVERIFY(torch::equal(ebm::readIdxLabels(file("zipped-idx1-ubyte.gz")), labels));
}

void DatasetTest::idxRejectsMalformed() {
    const std::string images = idxImages(4, kIdxSide, kIdxSide, 4);
    const std::string labels = idxLabels(4, 4);
    const std::string path = file("bad-idx");
    auto rejectImages = [&](const std::string& bytes, const char* what, bool alsoGzip = true) {
        writeBytes(path, bytes);
        expectError([&] { ebm::readIdxImages(path); }, path, what);
        if (!alsoGzip) return;
        writeGzip(path, bytes);
        expectError([&] { ebm::readIdxImages(path); }, path, what);
    };
    auto rejectLabels = [&](const std::string& bytes, const char* what) {
        writeBytes(path, bytes);
        expectError([&] { ebm::readIdxLabels(path); }, path, what);
        writeGzip(path, bytes);
        expectError([&] { ebm::readIdxLabels(path); }, path, what);
    };

    for (size_t cut : cutPoints(images.size(), {4, 8, 15, 16, 17, 16 + 784}))
        rejectImages(images.substr(0, cut), "truncated images");
    for (size_t cut : cutPoints(labels.size(), {4, 7, 8, 9}))
        rejectLabels(labels.substr(0, cut), "truncated labels");

    // A cut gzip stream (not just cut content) is reported as well.
    writeGzip(path, images);
    const std::string zipped = readBytes(path);
    for (size_t cut : {size_t(2), size_t(10), zipped.size() / 2, zipped.size() - 4, zipped.size() - 1}) {
        writeBytes(path, zipped.substr(0, cut));
        expectError([&] { ebm::readIdxImages(path); }, path, "truncated gzip");
    }
    writeBytes(path, zipped + "junk");
    expectError([&] { ebm::readIdxImages(path); }, path, "junk after gzip");

    rejectImages(be32(0x12345678) + images.substr(4), "bad image magic");
    rejectImages(labels, "label file read as images");
    rejectImages(be32(0x00000c03) + images.substr(4), "int IDX element type");
    rejectLabels(be32(0xdeadbeef) + labels.substr(4), "bad label magic");
    rejectLabels(images, "image file read as labels");

    rejectImages(idxImages(4, kIdxSide, kIdxSide, 5), "count larger than the data");
    rejectImages(idxImages(4, kIdxSide, kIdxSide, 0xffffffffu), "absurd count");
    rejectImages(idxImages(4, kIdxSide, kIdxSide, 3), "count smaller than the data");
    rejectImages(idxImages(0, kIdxSide, kIdxSide, 0), "no images");
    rejectImages(be32(0x803) + be32(1) + be32(0) + be32(28), "zero rows");
    rejectImages(be32(0x803) + be32(1) + be32(100000) + be32(100000), "absurd image size");
    rejectLabels(idxLabels(4, 5), "label count larger than the data");
    rejectLabels(idxLabels(4, 0x7fffffffu), "absurd label count");
    rejectLabels(idxLabels(4, 2), "label count smaller than the data");

    for (uint32_t seed = 1; seed <= 4; ++seed) {
        rejectImages(randomBytes(1000 * seed, seed), "random bytes as images", false);
        writeBytes(path, randomBytes(1000 * seed, seed));
        expectError([&] { ebm::readIdxLabels(path); }, path, "random bytes as labels");
    }
    // Random bytes behind a gzip header are corrupt gzip data.
    writeBytes(path, std::string("\x1f\x8b", 2) + randomBytes(500, 9));
    expectError([&] { ebm::readIdxImages(path); }, path, "random gzip");

    expectError([&] { ebm::readIdxImages(file("missing-idx3-ubyte")); }, file("missing-idx3-ubyte"), "missing file");
    const std::string folder = dir_.path().toStdString();
    expectError([&] { ebm::readIdxLabels(folder); }, folder, "folder instead of file");
}

/// A small gzip file of zeros that inflates to far more than its header declares is refused
/// after decoding what the header allows (the message says so, instead of counting the excess,
/// which meant decoding all of it: 4.3 GB for a 3.2 MB file); a header that promises more than
/// the program reads is refused before any data is decoded.
void DatasetTest::idxGzipBombStopsAtTheDeclaredSize() {
    const std::string path = file("bomb-idx3-ubyte.gz");
    std::string bomb = idxImages(4, kIdxSide, kIdxSide, 4);
    bomb.append(size_t(64) << 20, '\0');
    writeGzip(path, bomb);
    QVERIFY(readBytes(path).size() < (size_t(1) << 20));
    try {
        ebm::readIdxImages(path);
        QFAIL("a gzip bomb was read");
    } catch (const ebm::Error& error) {
        QVERIFY2(std::string(error.what()).find("more data follows the 4 images") != std::string::npos, error.what());
    }
    writeGzip(path, idxImages(4, 4096, 4096, 1000));
    try {
        ebm::readIdxImages(path);
        QFAIL("a header promising 16 GB was read");
    } catch (const ebm::Error& error) {
        QVERIFY2(std::string(error.what()).find("more than the 3072.0 MiB this program reads") != std::string::npos, error.what());
    }
}

void DatasetTest::mnistFolder() {
    QTemporaryDir folder;
    const std::string root = folder.path().toStdString();
    writeGzip(root + "/t10k-images-idx3-ubyte.gz", idxImages(3, kIdxSide, kIdxSide, 3));
    writeBytes(root + "/t10k-labels-idx1-ubyte", idxLabels(3, 3));

    const ebm::Dataset test = ebm::loadMnistFolder(root, false);
    QCOMPARE(test.data.sizes().vec(), (std::vector<int64_t>{3, 1, kPaddedSide, kPaddedSide}));
    QVERIFY(torch::equal(test.labels, torch::tensor({0, 1, 2}, torch::kLong)));
    QCOMPARE(ebm::openDataset(root, false).size(), int64_t(3));

    expectError([&] { ebm::loadMnistFolder(root, true); }, root, "no train split");
    expectError([&] { ebm::loadMnistFolder(root + "/nowhere", true); }, root + "/nowhere", "missing folder");

    // Labels that do not belong to the images.
    writeBytes(root + "/t10k-labels-idx1-ubyte", idxLabels(4, 4));
    expectError([&] { ebm::loadMnistFolder(root, false); }, root + "/t10k-labels-idx1-ubyte", "label count mismatch");
}

void DatasetTest::cifarRoundTrip() {
    const int count = 3;
    const std::string bytes = cifarRecords(count);
    writeBytes(file("batch.bin"), bytes);
    const ebm::Dataset dataset = ebm::loadCifar10(file("batch.bin"));
    QCOMPARE(dataset.data.sizes().vec(), (std::vector<int64_t>{count, 3, 32, 32}));
    QVERIFY(torch::equal(dataset.labels, torch::tensor({0, 3, 6}, torch::kLong)));
    for (int i = 0; i < count; ++i)
        for (int k : {0, 1, 31, 32, 1023, 1024, 2047, 2048, 3071}) {
            // Channel-major: byte k is channel k / 1024, row (k % 1024) / 32, column k % 32.
            const float want = float(static_cast<unsigned char>(bytes[size_t(i) * kCifarRecord + 1 + size_t(k)])) / 255.0f;
            QCOMPARE(dataset.data[i][k / 1024][(k % 1024) / 32][k % 32].item<float>(), want);
        }
    std::string pixels;
    for (int i = 0; i < count; ++i) pixels += bytes.substr(size_t(i) * kCifarRecord + 1, kCifarImage);
    QVERIFY(torch::equal(dataset.data,
                         torch::from_blob(pixels.data(), {count, 3, 32, 32}, torch::kUInt8).to(torch::kFloat).div(255.0f)));

    // A folder: data_batch_* in numeric order for training, test_batch.bin for testing.
    QTemporaryDir folder;
    const std::string root = folder.path().toStdString();
    writeBytes(root + "/data_batch_1.bin", cifarRecords(2));
    writeBytes(root + "/data_batch_2.bin", cifarRecords(1));
    writeBytes(root + "/test_batch.bin", cifarRecords(1));
    writeBytes(root + "/batches.meta.txt", "airplane\n");
    const ebm::Dataset train = ebm::loadCifar10(root, true);
    QCOMPARE(train.size(), int64_t(3));
    QVERIFY(torch::equal(train.labels, torch::tensor({0, 3, 0}, torch::kLong)));
    QCOMPARE(ebm::loadCifar10(root, false).size(), int64_t(1));
    QCOMPARE(ebm::openDataset(root, true).size(), int64_t(3));
    QCOMPARE(ebm::openDataset(file("batch.bin")).size(), int64_t(count));
}

void DatasetTest::cifarRejectsMalformed() {
    const std::string bytes = cifarRecords(3);
    const std::string path = file("bad.bin");
    auto reject = [&](const std::string& content, const char* what) {
        writeBytes(path, content);
        expectError([&] { ebm::loadCifar10(path); }, path, what);
    };
    // A cut exactly between records is a valid shorter file, so those points are skipped.
    for (size_t cut : cutPoints(bytes.size(), {1, 3072, kCifarRecord + 1, 2 * kCifarRecord - 1}))
        if (cut == 0 || cut % kCifarRecord != 0) reject(bytes.substr(0, cut), "truncated CIFAR");
    reject(bytes + "x", "one extra byte");

    std::string badLabel = bytes;
    badLabel[kCifarRecord] = char(200);
    reject(badLabel, "label out of range");
    reject(std::string(3 * 3074, '\0'), "CIFAR-100 record size");
    for (uint32_t seed = 1; seed <= 4; ++seed) reject(randomBytes(size_t(kCifarRecord) * seed, seed), "random bytes");
    reject(randomBytes(5000, 7), "random bytes of odd size");

    expectError([&] { ebm::loadCifar10(file("missing.bin")); }, file("missing.bin"), "missing file");
    QTemporaryDir empty;
    expectError([&] { ebm::loadCifar10(empty.path().toStdString()); }, empty.path().toStdString(), "folder without batches");
}

void DatasetTest::npyRoundTrip() {
    torch::manual_seed(3);
    for (const torch::Tensor& array : {torch::randn({4, 1, 8, 8}), torch::randn({7}), torch::randn({5, 2}),
                                       torch::randn({2, 3, 4}).transpose(1, 2)}) {   // non-contiguous
        ebm::writeNpy(file("round.npy"), array);
        const torch::Tensor back = ebm::readNpy(file("round.npy"));
        QCOMPARE(back.scalar_type(), torch::kFloat);
        QVERIFY(torch::equal(back, array));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(file("round.npy.tmp"))));
        // Data starts 64-byte aligned, as numpy writes it.
        const std::string bytes = readBytes(file("round.npy"));
        QCOMPARE((bytes.size() - size_t(array.numel()) * 4) % 64, size_t(0));
    }
    // Doubles are written as float32.
    ebm::writeNpy(file("double.npy"), torch::tensor({1.5, -2.25}, torch::kDouble));
    QVERIFY(torch::equal(ebm::readNpy(file("double.npy")), torch::tensor({1.5f, -2.25f})));
}

void DatasetTest::npyDtypes() {
    const std::vector<float> f4 = {0.5f, -1.0f, 3.25f, 1e-3f, 7.0f, 8.0f};
    writeBytes(file("f4.npy"), npyFile("<f4", "(2, 3)", rawBytes(f4)));
    QVERIFY(torch::equal(ebm::readNpy(file("f4.npy")), torch::tensor({0.5f, -1.0f, 3.25f, 1e-3f, 7.0f, 8.0f}).reshape({2, 3})));

    const std::vector<double> f8 = {0.25, -4.0};
    writeBytes(file("f8.npy"), npyFile("<f8", "(2,)", rawBytes(f8), 2));   // version 2.0 header
    QVERIFY(torch::equal(ebm::readNpy(file("f8.npy")), torch::tensor({0.25f, -4.0f})));

    const std::vector<uint8_t> u1 = {0, 51, 255, 102};
    writeBytes(file("u1.npy"), npyFile("|u1", "(1, 2, 2)", rawBytes(u1)));
    QVERIFY(torch::equal(ebm::readNpy(file("u1.npy")),
                         torch::tensor({0.0f, 51.0f, 255.0f, 102.0f}).div(255.0f).reshape({1, 2, 2})));

    const std::vector<int64_t> i8 = {-3, 9, 1ll << 40};
    writeBytes(file("i8.npy"), npyFile("<i8", "(3,)", rawBytes(i8)));
    QVERIFY(torch::equal(ebm::readNpy(file("i8.npy")), torch::tensor({int64_t(-3), int64_t(9), int64_t(1) << 40})));

    const std::vector<int32_t> i4 = {7, -8};
    writeBytes(file("i4.npy"), npyFile("<i4", "(2,)", rawBytes(i4)));
    QVERIFY(torch::equal(ebm::readNpy(file("i4.npy")), torch::tensor({int64_t(7), int64_t(-8)})));

    writeBytes(file("scalar.npy"), npyFile("<f4", "()", rawBytes(std::vector<float>{2.0f})));
    QCOMPARE(ebm::readNpy(file("scalar.npy")).item<float>(), 2.0f);
}

void DatasetTest::npyFuzzFindings() {
    // Found by tests/fuzz (./dev fuzz): an empty array (shape (0, 1, 4, 4)) was copied with a
    // null pointer, undefined behaviour that UBSan reports. It reads as an empty array, and as a
    // data set it is refused.
    const std::string path = EBM_FIXTURES_DIR "/fuzz-regressions/npy-empty-shape.npy";
    QVERIFY2(QFile::exists(QString::fromStdString(path)), path.c_str());
    const torch::Tensor array = ebm::readNpy(path);
    QCOMPARE(array.sizes().vec(), (std::vector<int64_t>{0, 1, 4, 4}));
    expectError([&] { ebm::openDataset(path); }, path, "an empty .npy array as a data set");
}

void DatasetTest::npyRejectsMalformed() {
    const std::vector<float> values(2 * 3 * 4, 0.5f);
    const std::string good = npyFile("<f4", "(2, 3, 4)", rawBytes(values));
    const std::string path = file("bad.npy");
    auto reject = [&](const std::string& content, const char* what) {
        writeBytes(path, content);
        expectError([&] { ebm::readNpy(path); }, path, what);
    };
    for (size_t cut : cutPoints(good.size(), {5, 6, 8, 9, 10, 40, 63, 64, 65}))
        reject(good.substr(0, cut), "truncated npy");
    reject(good + "xy", "trailing bytes");
    reject("\x93NUMPX" + good.substr(6), "bad magic");
    reject(std::string("PK\x03\x04", 4) + randomBytes(100, 1), "npz archive");
    reject(npyFile("<f4", "(2, 3, 4)", rawBytes(values), 9), "unknown version");
    reject(npyFile("<f4", "(2, 3, 4)", rawBytes(values), 1, true), "Fortran order");
    reject(npyFile(">f4", "(2, 3, 4)", rawBytes(values)), "big-endian");
    reject(npyFile("<c8", "(12,)", rawBytes(values)), "complex dtype");
    reject(npyFile("<f4", "(2, 3, 5)", rawBytes(values)), "shape larger than the data");
    reject(npyFile("<f4", "(1000000000, 1000000000)", rawBytes(values)), "absurd shape");
    reject(npyFile("<f4", "(99999999999999999999,)", rawBytes(values)), "overflowing dimension");
    reject(npyFile("<f4", "(1099511627776, 1099511627776, 1099511627776)", rawBytes(values)), "overflowing product");
    reject(npyFile("<f4", "(2, -3, 4)", rawBytes(values)), "negative dimension");
    reject(npyFile("<f4", "(2, 3", rawBytes(values)), "unterminated shape");
    std::string lyingLength = good;
    lyingLength[8] = char(0xff);
    lyingLength[9] = char(0xff);
    reject(lyingLength, "header length beyond the file");
    std::string brokenDict = good;
    brokenDict[10] = '[';
    reject(brokenDict, "header is not a dict");
    for (uint32_t seed = 1; seed <= 4; ++seed) reject(randomBytes(300 * seed, seed), "random bytes");
    reject(std::string("\x93NUMPY\x01\x00", 8) + randomBytes(300, 5), "random header");
    expectError([&] { ebm::readNpy(file("missing.npy")); }, file("missing.npy"), "missing file");
    expectError([&] { ebm::writeNpy(file("no/such/folder.npy"), torch::ones({2})); }, file("no/such/folder.npy"), "unwritable");
}

void DatasetTest::toySets() {
    const std::vector<std::string> names = ebm::toy2dNames();
    QCOMPARE(names.size(), size_t(6));
    for (const std::string& name : names) {
        const ebm::Dataset first = ebm::makeToy2d(name, 2000, 7);
        QCOMPARE(first.data.sizes().vec(), (std::vector<int64_t>{2000, 2}));
        QCOMPARE(first.data.scalar_type(), torch::kFloat);
        QVERIFY2(!first.labels.defined() || first.labels.numel() == 0, name.c_str());
        QVERIFY2(torch::isfinite(first.data).all().item<bool>(), name.c_str());
        const float extent = first.data.abs().max().item<float>();
        QVERIFY2(extent > 2.0f && extent < 5.5f, (name + " extent " + std::to_string(extent)).c_str());
        QVERIFY2(first.data.std(0).min().item<float>() > 0.5f, name.c_str());

        QVERIFY2(torch::equal(first.data, ebm::makeToy2d(name, 2000, 7).data), (name + " is not deterministic").c_str());
        QVERIFY2(!torch::equal(first.data, ebm::makeToy2d(name, 2000, 8).data), (name + " ignores the seed").c_str());
    }
    expectError([] { ebm::makeToy2d("nonsense", 10); }, "nonsense", "unknown toy");
    expectError([] { ebm::makeToy2d("moons", 0); }, "moons", "zero points");
    expectError([] { ebm::makeToy2d("moons", int64_t(1) << 40); }, "moons", "absurd count");
}

void DatasetTest::eightGaussiansClusters() {
    const int64_t count = 4000;
    const torch::Tensor points = ebm::makeToy2d("8gaussians", count, 11).data;
    const double radius = 4.0 / std::sqrt(2.0);
    std::vector<int64_t> members(8, 0);
    const auto accessor = points.accessor<float, 2>();
    for (int64_t i = 0; i < count; ++i) {
        int nearest = 0;
        double best = 1e9;
        for (int k = 0; k < 8; ++k) {
            const double angle = k * M_PI / 4.0;
            const double distance = std::hypot(accessor[i][0] - radius * std::cos(angle), accessor[i][1] - radius * std::sin(angle));
            if (distance < best) best = distance, nearest = k;
        }
        QVERIFY2(best < 2.0, ("point far from every centre: " + std::to_string(best)).c_str());
        ++members[size_t(nearest)];
    }
    for (int64_t n : members) QVERIFY2(n > count / 8 * 0.8 && n < count / 8 * 1.2, std::to_string(n).c_str());
    const double meanRadius = points.norm(2, 1).mean().item<double>();
    QVERIFY2(std::abs(meanRadius - radius) < 0.15, std::to_string(meanRadius).c_str());
}

void DatasetTest::padOrCropCentres() {
    const torch::Tensor images = torch::rand({2, 3, 28, 28});
    const torch::Tensor padded = ebm::padOrCrop(images, 32);
    QCOMPARE(padded.sizes().vec(), (std::vector<int64_t>{2, 3, 32, 32}));
    QVERIFY(torch::equal(padded.narrow(2, 2, 28).narrow(3, 2, 28), images));
    QCOMPARE(padded.sum().item<float>(), images.sum().item<float>());
    QVERIFY(torch::equal(ebm::padOrCrop(padded, 28), images));
    QVERIFY(torch::equal(ebm::padOrCrop(images, 28), images));
    // Odd differences: pad 1 before, 2 after (and crop the same way).
    const torch::Tensor odd = ebm::padOrCrop(torch::ones({1, 1, 5, 5}), 8);
    QCOMPARE(odd[0][0][1][1].item<float>(), 1.0f);
    QCOMPARE(odd[0][0][0][1].item<float>(), 0.0f);
    QCOMPARE(odd[0][0][6][6].item<float>(), 0.0f);
    QCOMPARE(odd.sum().item<float>(), 25.0f);
    expectError([] { ebm::padOrCrop(torch::ones({3, 4}), 8); }, "padOrCrop", "2D input");
}

void DatasetTest::openDatasetSpecs() {
    const ebm::Dataset moons = ebm::openDataset("toy:moons:500");
    QCOMPARE(moons.data.sizes().vec(), (std::vector<int64_t>{500, 2}));
    QVERIFY(ebm::openDataset("toy:8gaussians").size() > 1000);
    expectError([] { ebm::openDataset("toy:moons:many"); }, "toy:moons:many", "bad count");
    expectError([] { ebm::openDataset("toy:stars"); }, "stars", "unknown toy");

    // Gray stacks [N, H, W] get a channel; channels-last stacks are transposed; images padded.
    ebm::writeNpy(file("gray.npy"), torch::rand({6, 28, 28}));
    QCOMPARE(ebm::openDataset(file("gray.npy")).data.sizes().vec(), (std::vector<int64_t>{6, 1, 32, 32}));
    ebm::writeNpy(file("rgb.npy"), torch::rand({4, 32, 32, 3}));
    QCOMPARE(ebm::openDataset(file("rgb.npy")).data.sizes().vec(), (std::vector<int64_t>{4, 3, 32, 32}));
    ebm::writeNpy(file("points.npy"), torch::randn({9, 2}));
    QCOMPARE(ebm::openDataset(file("points.npy")).data.sizes().vec(), (std::vector<int64_t>{9, 2}));
    ebm::writeNpy(file("line.npy"), torch::randn({9}));
    expectError([&] { ebm::openDataset(file("line.npy")); }, file("line.npy"), "1D npy");

    writeBytes(file("notes.txt"), "hello");
    expectError([&] { ebm::openDataset(file("notes.txt")); }, file("notes.txt"), "unknown file kind");
    expectError([&] { ebm::openDataset(file("nothing-here")); }, file("nothing-here"), "missing path");
    QTemporaryDir empty;
    expectError([&] { ebm::openDataset(empty.path().toStdString()); }, empty.path().toStdString(), "empty folder");
}

void DatasetTest::gridLayout() {
    const torch::Tensor images = torch::rand({5, 3, 4, 6});
    const torch::Tensor grid = ebm::makeGrid(images, 3, 2, 1.0f);
    QCOMPARE(grid.sizes().vec(), (std::vector<int64_t>{3, 2 * (4 + 2) + 2, 3 * (6 + 2) + 2}));
    QVERIFY(torch::equal(grid.narrow(1, 2, 4).narrow(2, 2, 6), images[0]));
    QVERIFY(torch::equal(grid.narrow(1, 8, 4).narrow(2, 2, 6), images[3]));    // row 1, column 0
    QVERIFY(torch::equal(grid.narrow(1, 8, 4).narrow(2, 10, 6), images[4]));   // row 1, column 1
    QCOMPARE(grid[0][0][0].item<float>(), 1.0f);
    QCOMPARE(grid.narrow(1, 8, 4).narrow(2, 18, 6).min().item<float>(), 1.0f);   // empty cell
    // Automatic columns: 10 images -> 4 columns, 3 rows; values clipped.
    const torch::Tensor square = ebm::makeGrid(torch::full({10, 1, 2, 2}, 3.0f), 0, 1, 0.0f);
    QCOMPARE(square.sizes().vec(), (std::vector<int64_t>{1, 3 * 3 + 1, 4 * 3 + 1}));
    QCOMPARE(square.max().item<float>(), 1.0f);
    expectError([] { ebm::makeGrid(torch::rand({2, 2, 4, 4})); }, "makeGrid", "two channels");
}

void DatasetTest::pngFile() {
    for (const int channels : {1, 3}) {
        const int height = 10, width = 13;
        // Exact byte values k / 255 plus a few out-of-range values that must be clipped.
        torch::Tensor image = torch::arange(channels * height * width).remainder(256).to(torch::kFloat).div(255.0f)
                                  .reshape({channels, height, width});
        image[0][0][0] = -0.5f;
        image[0][0][1] = 1.7f;
        image[0][0][2] = std::nanf("");
        const std::string path = file(channels == 1 ? "gray.png" : "rgb.png");
        ebm::writeImage(path, image);
        QVERIFY(!QFileInfo::exists(QString::fromStdString(path + ".partial")));
        QCOMPARE(readBytes(path).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));

        // Read back at its own size: every byte survives, clipped values at 0 and 255, NaN at 0.
        const torch::Tensor back = ebm::readImage(path, channels, 0);
        QCOMPARE(back.sizes().vec(), (std::vector<int64_t>{channels, height, width}));
        const torch::Tensor expected =
            torch::nan_to_num(image, 0.0, 1.0, 0.0).clamp(0, 1).mul(255).add(0.5).floor().div(255);
        QVERIFY(torch::equal(back, expected));
        QCOMPARE(back[0][0][0].item<float>(), 0.0f);
        QCOMPARE(back[0][0][1].item<float>(), 1.0f);
        QCOMPARE(back[0][0][2].item<float>(), 0.0f);
    }
    // Colour read as gray, and a centre crop resized: a 20x10 picture whose middle 10x10 is white.
    torch::Tensor wide = torch::zeros({3, 10, 20});
    wide.narrow(2, 5, 10).fill_(1.0f);
    ebm::writeImage(file("wide.png"), wide);
    const torch::Tensor square = ebm::readImage(file("wide.png"), 1, 5);
    QCOMPARE(square.sizes().vec(), (std::vector<int64_t>{1, 5, 5}));
    QVERIFY(square.min().item<float>() > 0.99f);
    // A grid goes straight to a file.
    ebm::writeImage(file("grid.png"), ebm::makeGrid(torch::rand({7, 3, 8, 8})));
    QVERIFY(QFileInfo(QString::fromStdString(file("grid.png"))).size() > 0);
}

void DatasetTest::jpegFile() {
    // JPEG is lossy: a smooth gradient comes back within a few grey levels.
    const torch::Tensor gradient = torch::linspace(0, 1, 32).repeat({3, 24, 1});
    ebm::writeImage(file("gradient.jpg"), gradient);
    const torch::Tensor back = ebm::readImage(file("gradient.jpg"), 3, 0);
    QCOMPARE(back.sizes().vec(), (std::vector<int64_t>{3, 24, 32}));
    QVERIFY2((back - gradient).abs().max().item<float>() < 0.05f, "JPEG round trip drifted");
    // A truncated JPEG is refused, not decoded into half a grey picture with libjpeg warnings.
    const std::string bytes = readBytes(file("gradient.jpg"));
    const std::string cut = file("cut.jpg");
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    expectError([&] { ebm::readImage(cut, 1, 0); }, cut, "truncated JPEG");
}

void DatasetTest::pictureFilesRejectBadInput() {
    expectError([&] { ebm::writeImage(file("bad.png"), torch::rand({2, 4, 4})); }, file("bad.png"), "two channels");
    expectError([&] { ebm::writeImage(file("bad.png"), torch::rand({1, 3, 4, 4})); }, file("bad.png"), "4D input");
    expectError([&] { ebm::writeImage(file("bad.png"), torch::Tensor()); }, file("bad.png"), "undefined");
    expectError([&] { ebm::writeImage(file("missing/dir/x.png"), torch::rand({1, 4, 4})); }, file("missing/dir/x.png"), "no folder");
    expectError([&] { ebm::writeImage(file("x.bmp"), torch::rand({1, 4, 4})); }, file("x.bmp"), "unknown extension");

    ebm::writeImage(file("ok.png"), torch::rand({1, 16, 16}));
    const std::string png = readBytes(file("ok.png"));
    auto writeFile = [&](const char* name, const std::string& content) {
        std::ofstream(file(name), std::ios::binary) << content;
        return file(name);
    };
    expectError([&] { ebm::readImage(writeFile("empty.png", ""), 1, 0); }, file("empty.png"), "empty");
    expectError([&] { ebm::readImage(writeFile("text.png", "hello"), 1, 0); }, file("text.png"), "not a picture");
    expectError([&] { ebm::readImage(writeFile("half.png", png.substr(0, png.size() / 2)), 1, 0); }, file("half.png"),
                "truncated PNG");
    // A header claiming 100000 x 100000 pixels is refused before anything is allocated.
    std::string huge = png;
    for (int k = 0; k < 2; ++k) {
        const uint32_t side = 100000;
        for (int b = 0; b < 4; ++b) huge[16 + 4 * k + b] = char((side >> (24 - 8 * b)) & 0xFF);
    }
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(huge.data() + 12), 17);
    for (int b = 0; b < 4; ++b) huge[29 + b] = char((crc >> (24 - 8 * b)) & 0xFF);
    try {
        ebm::readImage(writeFile("huge.png", huge), 1, 0);
        QFAIL("a 100000x100000 header was accepted");
    } catch (const ebm::Error& e) {
        QVERIFY2(std::string(e.what()).find("100000x100000") != std::string::npos, e.what());
    }
    expectError([&] { ebm::readImage(file("ok.png"), 2, 0); }, file("ok.png"), "two channels asked for");

    // A folder with one damaged picture: the others load and the damaged one is listed.
    QTemporaryDir folder;
    ebm::writeImage(folder.filePath("a.png").toStdString(), torch::rand({1, 8, 8}));
    ebm::writeImage(folder.filePath("b.png").toStdString(), torch::rand({1, 8, 8}));
    std::ofstream(folder.filePath("c.png").toStdString(), std::ios::binary) << "not a picture";
    std::vector<std::string> skipped;
    const ebm::Dataset partial = ebm::loadImageFolder(folder.path().toStdString(), 1, 8, &skipped);
    QCOMPARE(partial.size(), int64_t(2));
    QCOMPARE(skipped.size(), size_t(1));
    QVERIFY(skipped[0].find("c.png") != std::string::npos);
    expectError([&] { ebm::loadImageFolder(folder.path().toStdString(), 1, 8); },
                folder.filePath("c.png").toStdString(), "damaged picture in a folder");
}

/// An empty folder given where a folder of pictures would load: the message names pictures
/// beside the array formats, as one line that names the folder.
void DatasetTest::anEmptyFolderNamesPictures() {
    QTemporaryDir empty;
    const std::string folder = empty.path().toStdString();
    for (const bool anyDataset : {true, false}) {
        try {
            if (anyDataset)
                ebm::openAnyDataset(folder, 1, 16, false);
            else
                ebm::openDataset(folder);
            QFAIL("an empty folder opened as a data set");
        } catch (const ebm::Error& error) {
            const std::string message = error.what();
            QVERIFY2(message.find(folder) != std::string::npos, message.c_str());
            QVERIFY2(message.find("no pictures") != std::string::npos, message.c_str());
            QVERIFY2(message.find("PNG or JPEG picture") != std::string::npos, message.c_str());
            QVERIFY2(message.find("IDX") != std::string::npos && message.find(".npy") != std::string::npos,
                     message.c_str());
            QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
        }
    }
}

QTEST_APPLESS_MAIN(DatasetTest)
#include "test_datasets.moc"
