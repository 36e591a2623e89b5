// Settings inside every exported picture (issue 27): the engine's own SHA-256 against the
// standard's test vectors, the "ebm-studio" chunk of a PNG written, read back, missing and
// damaged, the torch-free encoder the studio writes its QImages with, and the sampling settings
// written and read back.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/base/png_settings.h"
#include "ebm/base/sha256.h"
#include "ebm/io/image_file.h"
#include "ebm/schedule/sampling_settings.h"

using namespace ebm;

namespace {

const std::string kSettings =
    R"({"format":"ebm-settings","version":1,"command":"sample","seed":7,"note":"white on black"})";

std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// A small gray picture with distinct values, so that a changed pixel shows.
torch::Tensor testPicture()
{
    return torch::arange(0, 48, torch::kFloat32).reshape({1, 6, 8}) / 47.0;
}

/// CRC-32 as PNG chunks carry it (ISO 3309, the reflected polynomial 0xEDB88320).
uint32_t crc32Of(const std::string& bytes)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char byte : bytes) {
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

enum class Checksum { Fixed, LeftWrong };

/// `bytes` of a PNG with `from` (which must occur once, inside the settings chunk) replaced by
/// `to` of the same length; the chunk's checksum is then made to match the new text, or left as
/// it was, as after damage on a disk.
void spoilBytes(std::string& bytes, const std::string& from, const std::string& to, Checksum checksum)
{
    const size_t at = bytes.find(from);
    QVERIFY2(at != std::string::npos && bytes.find(from, at + 1) == std::string::npos, from.c_str());
    QCOMPARE(to.size(), from.size());
    bytes.replace(at, from.size(), to);
    const size_t type = bytes.find("iTXt");
    QVERIFY(type != std::string::npos && type < at);
    const auto* lengthBytes = reinterpret_cast<const unsigned char*>(bytes.data() + type - 4);
    const size_t length = size_t(lengthBytes[0]) << 24 | size_t(lengthBytes[1]) << 16 |
                          size_t(lengthBytes[2]) << 8 | size_t(lengthBytes[3]);
    if (checksum == Checksum::Fixed) {
        const uint32_t crc = crc32Of(bytes.substr(type, 4 + length));
        for (int i = 0; i < 4; ++i)
            bytes[type + 4 + length + size_t(i)] = char(crc >> (24 - 8 * i));
    }
}

/// The file at `path`, spoilt as spoilBytes does.
void spoil(const std::string& path, const std::string& from, const std::string& to, Checksum checksum)
{
    std::string bytes = readBytes(path);
    spoilBytes(bytes, from, to, checksum);
    writeBytes(path, bytes);
}

/// Pixels of `channels` 8-bit channels, distinct in every byte that counts, with `padding` bytes
/// of 0xEE after each row (QImage rows are 4-byte aligned): the encoder must skip them.
std::string testPixels(int width, int height, int channels, int padding)
{
    std::string pixels;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width * channels; ++x)
            pixels += char((y * 37 + x * 11) % 251);
        pixels += std::string(size_t(padding), '\xEE');
    }
    return pixels;
}

/// Sampling options unlike the defaults in every field the settings keep.
SamplingOptions unusualOptions()
{
    SamplingOptions options;
    options.schedule = "quick";
    options.scheduleSteps = 20;
    options.seed = 7;
    options.stepSize = 0.03;
    options.sampler = Sampler::Mala;
    options.precision = Precision::BFloat16;
    options.finalDenoise = false;
    return options;
}

}  // namespace

class PngSettingsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    /// FIPS 180-4's examples (one block, the empty message, two blocks) and a million "a" fed in
    /// uneven pieces, which crosses every block boundary.
    void sha256MatchesTheStandardsVectors()
    {
        QCOMPARE(sha256Hex("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(sha256Hex(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        Sha256 million;
        const std::string piece(997, 'a');
        size_t fed = 0;
        for (; fed + piece.size() <= 1000000; fed += piece.size())
            million.update(piece);
        million.update(std::string(1000000 - fed, 'a'));
        QCOMPARE(million.hex(), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    /// A file's digest is its bytes' digest (read in 1 MiB pieces); a missing file is named.
    void fileSha256ReadsTheWholeFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.bin").toStdString();
        std::string bytes((size_t(3) << 20) + 5, '\0');
        for (size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = char(i * 31 % 251);
        writeBytes(path, bytes);
        QCOMPARE(fileSha256Hex(path), sha256Hex(bytes));
        const std::string missing = dir.filePath("gone.ebm").toStdString();
        QVERIFY(errorOf([&] { fileSha256Hex(missing); }).find(missing) != std::string::npos);
    }

    /// The settings come back as written, and the pixels are the picture's.
    void settingsReadBackEqual()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("grid.png").toStdString();
        writeImage(path, testPicture(), kSettings);
        const std::optional<std::string> settings = readPngSettings(path);
        QVERIFY(settings.has_value());
        QCOMPARE(*settings, kSettings);
        QVERIFY(torch::allclose(readImage(path, 1), testPicture(), 0.0, 0.5 / 255));
        // Kept uncompressed under its keyword, for any PNG tool to show.
        QVERIFY(readBytes(path).find(std::string("iTXt") + kPngSettingsKeyword) != std::string::npos);
    }

    /// A PNG written without settings (as another program would) has none: no error.
    void pngWithoutSettingsGivesNothing()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("plain.png").toStdString();
        writeImage(path, testPicture());
        QVERIFY(!readPngSettings(path).has_value());
        QVERIFY(torch::allclose(readImage(path, 1), testPicture(), 0.0, 0.5 / 255));
    }

    /// A damaged chunk is refused in one line naming the file and saying what is wrong: not JSON,
    /// another format, a newer version, a wrong checksum (libpng drops the chunk then).
    void damagedSettingsAreRefused()
    {
        QTemporaryDir dir;
        const struct {
            const char* name;
            std::string from, to;
            Checksum checksum;
            std::string problem;
        } cases[] = {
            {"not-json.png", R"({"format")", R"(#"format")", Checksum::Fixed,
             "settings (the ebm-studio chunk) are damaged: not JSON"},
            {"other-format.png", "ebm-settings", "ebm-settingz", Checksum::Fixed, R"(no "format": "ebm-settings")"},
            {"newer.png", R"("version":1)", R"("version":2)", Checksum::Fixed,
             "version 2, while this program reads version 1"},
            {"bad-checksum.png", "white", "black", Checksum::LeftWrong,
             "a text chunk is damaged (its checksum is wrong)"},
        };
        for (const auto& c : cases) {
            const std::string path = dir.filePath(c.name).toStdString();
            writeImage(path, testPicture(), kSettings);
            QVERIFY(readPngSettings(path).has_value());
            spoil(path, c.from, c.to, c.checksum);
            if (QTest::currentTestFailed())
                return;
            const std::string error = errorOf([&] { readPngSettings(path); });
            QVERIFY2(error.rfind(path + ": ", 0) == 0, error.c_str());
            QVERIFY2(error.find(c.problem) != std::string::npos, error.c_str());
            QVERIFY2(error.find('\n') == std::string::npos, error.c_str());
            // The pixels are another matter: they still read.
            QVERIFY(torch::allclose(readImage(path, 1), testPicture(), 0.0, 0.5 / 255));
        }
    }

    /// The writer keeps only settings a reader takes: anything else is refused before writing.
    void writerRefusesWhatIsNotSettings()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("refused.png").toStdString();
        for (const std::string& text : {std::string("{}"), std::string("[1]"), std::string("not json"),
                                        std::string(R"({"format":"ebm-settings","version":"1"})")}) {
            const std::string error = errorOf([&] { writeImage(path, testPicture(), text); });
            QVERIFY2(error.rfind(path + ": ", 0) == 0, error.c_str());
            QVERIFY(!QFileInfo::exists(QString::fromStdString(path)));
        }
    }

    /// The encoder the studio writes its pictures with: gray, RGB and RGBA rows with padding come
    /// back as the pixels given (RGBA read as RGB: fully opaque here), the settings chunk as
    /// written, from the bytes in memory as from the file.
    void encodedPngRoundTrips()
    {
        QTemporaryDir dir;
        constexpr int kWidth = 5, kHeight = 3, kPadding = 3;
        for (int channels : {1, 3, 4}) {
            std::string pixels = testPixels(kWidth, kHeight, channels, kPadding);
            if (channels == 4)
                for (int y = 0; y < kHeight; ++y)
                    for (int x = 0; x < kWidth; ++x)
                        pixels[size_t(y * (kWidth * 4 + kPadding) + x * 4 + 3)] = char(255);  // opaque
            const std::string png = encodePng(reinterpret_cast<const uint8_t*>(pixels.data()), kWidth, kHeight,
                                              channels, size_t(kWidth * channels + kPadding), kSettings);
            const std::optional<std::string> settings = readPngSettingsFromBytes(png, "memory");
            QVERIFY(settings.has_value());
            QCOMPARE(*settings, kSettings);
            QVERIFY(png.find(std::string("iTXt") + kPngSettingsKeyword) < png.find("IDAT"));  // before the pixels

            const std::string path = dir.filePath(QStringLiteral("encoded-%1.png").arg(channels)).toStdString();
            writeBytes(path, png);
            QCOMPARE(*readPngSettings(path), kSettings);
            const int readChannels = channels == 1 ? 1 : 3;
            const torch::Tensor read = readImage(path, readChannels);  // [C, H, W] in [0, 1]
            QCOMPARE(read.sizes(), (torch::IntArrayRef{readChannels, kHeight, kWidth}));
            for (int y = 0; y < kHeight; ++y)
                for (int x = 0; x < kWidth; ++x)
                    for (int c = 0; c < readChannels; ++c) {
                        const size_t at = size_t(y * (kWidth * channels + kPadding) + x * channels + c);
                        const auto given = uint8_t(pixels[at]);
                        QCOMPARE(int(std::lround(read[c][y][x].item<float>() * 255)), int(given));
                    }
        }
        // Without settings: a plain PNG, which holds none.
        const std::string pixels = testPixels(kWidth, kHeight, 1, 0);
        const std::string plain =
            encodePng(reinterpret_cast<const uint8_t*>(pixels.data()), kWidth, kHeight, 1, kWidth, "");
        QVERIFY(!readPngSettingsFromBytes(plain, "memory").has_value());
    }

    /// A chunk spoilt in memory is refused in one line naming the source; the encoder refuses
    /// what a reader would not take, and shapes that are no picture, before encoding anything.
    void encodedPngRefusals()
    {
        constexpr size_t npos = std::string::npos;
        const std::string pixels = testPixels(4, 4, 3, 0);
        const auto* data = reinterpret_cast<const uint8_t*>(pixels.data());
        std::string png = encodePng(data, 4, 4, 3, 12, kSettings);
        spoilBytes(png, R"({"format")", R"(#"format")", Checksum::Fixed);
        if (QTest::currentTestFailed())
            return;
        const std::string error = errorOf([&] { readPngSettingsFromBytes(png, "dropped.png"); });
        const std::string expected =
            "dropped.png: its EBM Studio settings (the ebm-studio chunk) are damaged: not JSON";
        QVERIFY2(error.rfind(expected, 0) == 0, error.c_str());
        QVERIFY2(error.find('\n') == std::string::npos, error.c_str());
        QVERIFY(errorOf([&] { readPngSettingsFromBytes("GIF89a", "a.gif"); }).rfind("a.gif: is not a PNG", 0) == 0);

        QVERIFY(errorOf([&] { encodePng(data, 4, 4, 3, 12, "{}"); }).find("not EBM Studio settings") != npos);
        QVERIFY(errorOf([&] { encodePng(data, 4, 4, 2, 12, ""); }).find("not 2") != npos);
        QVERIFY(errorOf([&] { encodePng(data, 4, 4, 3, 11, ""); }).find("rows are shorter") != npos);
        QVERIFY(errorOf([&] { encodePng(data, 0, 4, 3, 12, ""); }).find("empty") != npos);
    }

    /// What samplingSettingsJson writes, readSamplingSettings reads back field for field; the
    /// schedule comes back as a curve that runs exactly the temperatures that ran.
    void samplingSettingsReadBack()
    {
        const SamplingOptions written = unusualOptions();
        const Schedule ran = Schedule::preset("quick", 20);
        Json settings = samplingSettingsJson(written, ran, 0.03);
        QCOMPARE(settings["step_size"].get<double>(), 0.03);
        QCOMPARE(settings["sampler"].get<std::string>(), std::string("mala"));
        QVERIFY(!holdsSamplingRun(Json{{"command", "denoise"}}));
        QVERIFY(holdsSamplingRun(settings));
        settings["samples"] = 5;
        // Through the text a PNG keeps, as a reader gets it.
        settings = Json::parse(settings.dump());
        SamplingOptions read;
        readSamplingSettings(settings, "grid.png", "try again", read);
        QCOMPARE(read.seed, written.seed);
        QVERIFY(read.curve.has_value());
        QCOMPARE(read.curve->expand().temperatures(), ran.temperatures());
        QCOMPARE(read.stepSize, 0.03);
        QVERIFY(read.sampler == Sampler::Mala);
        QVERIFY(read.precision == Precision::BFloat16);
        QCOMPARE(read.finalDenoise, false);
        QCOMPARE(read.numSamples, int64_t(5));
    }

    /// A schedule edited during the run is kept as it ran, step for step.
    void scheduleEditedDuringTheRunIsKeptAsItRan()
    {
        std::vector<double> temperatures = Schedule::preset("quick", 20).temperatures();
        temperatures[10] = 42.0;
        const Schedule ran(temperatures);
        const ScheduleCurve curve = curveThatRan(unusualOptions(), ran);
        QCOMPARE(curve.steps(), 20);
        QCOMPARE(curve.expand().temperatures(), temperatures);
    }

    /// A damaged value is refused in one line naming the picture, the key, the value and what to
    /// do, and changes nothing; keys a reader leaves out are not even looked at.
    void damagedSamplingSettingsAreRefused()
    {
        Json settings = samplingSettingsJson(unusualOptions(), Schedule::preset("quick", 20), 0.03);
        settings["samples"] = 5;
        settings["step_size"] = -1;
        const SamplingOptions before;
        SamplingOptions options = before;
        const std::string error =
            errorOf([&] { readSamplingSettings(settings, "grid.png", "do it by hand", options); });
        QCOMPARE(error, std::string("grid.png: its EBM Studio settings hold \"step_size\": -1, not a positive number; "
                                    "the settings are damaged: do it by hand"));
        QCOMPARE(options.seed, before.seed);  // nothing taken, not even what came before the damage
        QVERIFY(!options.curve.has_value());

        SamplingSettingsKeys keys;
        keys.stepSize = false;
        readSamplingSettings(settings, "grid.png", "do it by hand", options, keys);
        QCOMPARE(options.seed, uint64_t(7));
        QCOMPARE(options.stepSize, before.stepSize);

        settings.erase("seed");
        QVERIFY(errorOf([&] { readSamplingSettings(settings, "grid.png", "x", options, keys); })
                    .find("\"seed\": null, not a value (it is missing)") != std::string::npos);
        settings["seed"] = 7;
        settings["schedule"] = "fast";
        const std::string scheduleError = errorOf([&] { readSamplingSettings(settings, "grid.png", "x", options, keys); });
        QVERIFY2(scheduleError.rfind("grid.png (its schedule)", 0) == 0, scheduleError.c_str());
    }

    /// Only PNGs hold settings: a JPEG is written without, and asking one for them says so.
    void jpegHoldsNoSettings()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("grid.jpg").toStdString();
        writeImage(path, testPicture(), kSettings);
        const std::string error = errorOf([&] { readPngSettings(path); });
        QVERIFY2(error.rfind(path + ": is not a PNG picture", 0) == 0, error.c_str());
    }
};

QTEST_APPLESS_MAIN(PngSettingsTest)
#include "test_png_settings.moc"
