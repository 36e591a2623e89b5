// Videos of a sampling run (issue 27): MP4 (H.264) and animated WebP written by VideoWriter and
// read back through the same libraries: frame count, size, frame rate and the pixels of known
// frames; odd sizes, refusals, and files left behind (none unless finished). Then the run's video:
// which recorded step each video frame shows, the grid and caption in the frames, the recorder.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "ebm/base/error.h"
#include "ebm/io/run_video.h"
#include "ebm/io/video_file.h"

using namespace ebm;
namespace fs = std::filesystem;

namespace {

constexpr int kWidth = 64;
constexpr int kHeight = 48;
constexpr int kFrames = 12;
constexpr int kFps = 24;
constexpr int kCell = 16;  // the pattern: a 4 x 3 grid of solid 16 x 16 cells
// H.264 at its default quality keeps a flat cell's colour within a few levels; cell edges (colour
// subsampled at half resolution) are left out of the comparison.
constexpr int kCellBorder = 3;
constexpr double kMp4Tolerance = 4.0;

/// The colour of cell `cell` in frame `frame`: every cell differs from the others and changes
/// from frame to frame by more than the tolerance.
std::array<uint8_t, 3> cellColour(int cell, int frame)
{
    return {static_cast<uint8_t>(30 + (cell * 53 + frame * 17) % 200), static_cast<uint8_t>(30 + (cell * 97) % 200),
            static_cast<uint8_t>(30 + (cell * 31 + frame * 41) % 200)};
}

std::vector<uint8_t> pattern(int frame, int width = kWidth, int height = kHeight)
{
    std::vector<uint8_t> rgb(static_cast<size_t>(width) * height * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const auto colour = cellColour((y / kCell) * (kWidth / kCell) + x / kCell, frame);
            std::copy(colour.begin(), colour.end(), rgb.begin() + (static_cast<ptrdiff_t>(y) * width + x) * 3);
        }
    return rgb;
}

/// Mean absolute difference over the cells' interiors of a decoded frame (its rows `stride`
/// pixels long) and the pattern.
double cellInteriorError(const std::vector<uint8_t>& decoded, int stride, const std::vector<uint8_t>& expected,
                         int width, int height)
{
    double sum = 0.0;
    int64_t count = 0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            if (y % kCell < kCellBorder || y % kCell >= kCell - kCellBorder || x % kCell < kCellBorder ||
                x % kCell >= kCell - kCellBorder)
                continue;
            for (int c = 0; c < 3; ++c) {
                sum += std::abs(int(decoded[(size_t(y) * stride + x) * 3 + c]) - int(expected[(size_t(y) * width + x) * 3 + c]));
                ++count;
            }
        }
    return sum / double(count);
}

void writePattern(const std::string& path, VideoSettings settings, int width = kWidth, int height = kHeight)
{
    VideoWriter writer(path, width, height, settings);
    for (int frame = 0; frame < kFrames; ++frame)
        writer.addFrame(pattern(frame, width, height));
    writer.finish();
}

std::set<std::string> entries(const QTemporaryDir& dir)
{
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.path().toStdString()))
        names.insert(entry.path().filename().string());
    return names;
}

bool refused(const std::function<void()>& action, const std::string& expected)
{
    try {
        action();
    } catch (const Error& e) {
        const std::string message = e.what();
        if (message.find(expected) == std::string::npos || message.find('\n') != std::string::npos)
            qWarning("unexpected message: %s", message.c_str());
        return message.find(expected) != std::string::npos && message.find('\n') == std::string::npos;
    }
    return false;
}

/// The pixels of `frame` equal to `colour`.
int countPixels(const std::vector<uint8_t>& frame, std::array<uint8_t, 3> colour)
{
    int count = 0;
    for (size_t i = 0; i + 2 < frame.size(); i += 3)
        count += frame[i] == colour[0] && frame[i + 1] == colour[1] && frame[i + 2] == colour[2];
    return count;
}

/// A recorded step whose 4 samples (3 x 8 x 8) are all of one colour.
RunVideoFrame solidStep(int step, int total, std::array<uint8_t, 3> colour, bool denoised = false)
{
    torch::Tensor state = torch::empty({4, 3, 8, 8}, torch::kUInt8);
    for (int c = 0; c < 3; ++c)
        state.select(1, c).fill_(colour[size_t(c)]);
    return RunVideoFrame{step, total, 10.0 / step, denoised, state};
}

}  // namespace

class VideoFileTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mp4KeepsFramesSizeRateAndColours()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("pattern.mp4").toStdString();
        writePattern(path, VideoSettings{kFps, false});
        const VideoInfo info = readVideoInfo(path);
        QCOMPARE(info.format, VideoFormat::Mp4);
        QCOMPARE(info.frames, kFrames);
        QCOMPARE(info.width, kWidth);
        QCOMPARE(info.height, kHeight);
        QVERIFY2(std::abs(info.fps - kFps) < 0.01, QByteArray::number(info.fps));
        QVERIFY2(std::abs(info.seconds - double(kFrames) / kFps) < 0.05, QByteArray::number(info.seconds));
        for (int frame : {0, 7, kFrames - 1}) {
            const std::vector<uint8_t> decoded = readVideoFrame(path, frame);
            QCOMPARE(decoded.size(), size_t(kWidth) * kHeight * 3);
            const double error = cellInteriorError(decoded, kWidth, pattern(frame), kWidth, kHeight);
            QVERIFY2(error < kMp4Tolerance, qPrintable(QString("frame %1: %2 levels").arg(frame).arg(error)));
            // The comparison tells frames apart: the neighbouring frame's pattern is far off.
            const double other = cellInteriorError(decoded, kWidth, pattern(frame == 0 ? 1 : frame - 1), kWidth, kHeight);
            QVERIFY2(other > 2 * kMp4Tolerance, qPrintable(QString("frame %1 vs its neighbour: %2").arg(frame).arg(other)));
        }
        QVERIFY(refused([&] { readVideoFrame(path, kFrames); }, "has 12 frames, no frame 12"));
    }

    void losslessWebPKeepsEveryPixel()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("pattern.webp").toStdString();
        writePattern(path, VideoSettings{kFps, true});
        const VideoInfo info = readVideoInfo(path);
        QCOMPARE(info.format, VideoFormat::WebP);
        QCOMPARE(info.frames, kFrames);
        QCOMPARE(info.width, kWidth);
        QCOMPARE(info.height, kHeight);
        QVERIFY2(std::abs(info.fps - kFps) < 0.01, QByteArray::number(info.fps));
        for (int frame = 0; frame < kFrames; ++frame)
            QVERIFY2(readVideoFrame(path, frame) == pattern(frame), qPrintable(QString("frame %1").arg(frame)));
        QVERIFY(refused([&] { readVideoFrame(path, kFrames); }, "has 12 frames, no frame 12"));
    }

    void lossyWebPStaysClose()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("lossy.webp").toStdString();
        writePattern(path, VideoSettings{kFps, false});
        QCOMPARE(readVideoInfo(path).frames, kFrames);
        const double error = cellInteriorError(readVideoFrame(path, 5), kWidth, pattern(5), kWidth, kHeight);
        QVERIFY2(error < kMp4Tolerance, QByteArray::number(error));
    }

    /// H.264 needs even sides: 63 x 47 is stored as 64 x 48, the last column and row repeated.
    /// WebP keeps the odd size.
    void oddSizesArePaddedForMp4Only()
    {
        QTemporaryDir dir;
        const int width = kWidth - 1, height = kHeight - 1;
        const std::string mp4 = dir.filePath("odd.mp4").toStdString();
        writePattern(mp4, VideoSettings{kFps, false}, width, height);
        const VideoInfo info = readVideoInfo(mp4);
        QCOMPARE(info.width, kWidth);
        QCOMPARE(info.height, kHeight);
        QCOMPARE(info.frames, kFrames);
        const std::vector<uint8_t> decoded = readVideoFrame(mp4, 3);
        QVERIFY(cellInteriorError(decoded, info.width, pattern(3, width, height), width, height) < kMp4Tolerance);
        // The padding repeats the neighbouring pixels (the bottom-right cell's colour).
        const auto corner = cellColour(11, 3);
        const uint8_t* padded = &decoded[(size_t(kHeight - 1) * kWidth + kWidth - 1) * 3];
        for (int c = 0; c < 3; ++c)
            QVERIFY2(std::abs(int(padded[c]) - int(corner[size_t(c)])) <= 2 * kMp4Tolerance, qPrintable(QString::number(padded[c])));

        const std::string webp = dir.filePath("odd.webp").toStdString();
        writePattern(webp, VideoSettings{kFps, true}, width, height);
        QCOMPARE(readVideoInfo(webp).width, width);
        QCOMPARE(readVideoInfo(webp).height, height);
        QVERIFY(readVideoFrame(webp, 3) == pattern(3, width, height));
    }

    void refusesWhatItCannotWrite()
    {
        QTemporaryDir dir;
        const std::string gif = dir.filePath("run.gif").toStdString();
        QVERIFY(refused([&] { VideoWriter writer(gif, 8, 8); }, "run.gif: unknown video format; name the file with .mp4 or .webp"));
        QVERIFY(refused([&] { checkVideoOutput(gif); }, ".mp4 or .webp"));
        const std::string missing = dir.filePath("no-such-folder/run.mp4").toStdString();
        QVERIFY(refused([&] { VideoWriter writer(missing, 8, 8); }, "no-such-folder does not exist"));
        QVERIFY(refused([&] { checkVideoOutput(missing); }, "no-such-folder does not exist"));
        QVERIFY(refused([&] { VideoWriter writer(dir.path().toStdString(), 8, 8); }, "is a folder"));
        const std::string mp4 = dir.filePath("run.mp4").toStdString();
        QVERIFY(refused([&] { VideoWriter writer(mp4, 0, 8); }, "between 1 and 8192 pixels"));
        QVERIFY(refused([&] { VideoWriter writer(mp4, 8, 8, VideoSettings{0, false}); }, "frame rate"));
        QVERIFY(refused([&] { VideoWriter(mp4, 8, 8).addFrame(std::vector<uint8_t>(10)); }, "which needs 192"));
        QVERIFY(refused([&] { VideoWriter(mp4, 8, 8).finish(); }, "at least one frame"));
        QVERIFY2(entries(dir).empty(), "a refused video left a file");
        if (::geteuid() != 0) {  // root may write into a read-only folder
            QVERIFY(fs::create_directory(dir.filePath("locked").toStdString()));
            fs::permissions(dir.filePath("locked").toStdString(), fs::perms::owner_read | fs::perms::owner_exec);
            QVERIFY(refused([&] { checkVideoOutput(dir.filePath("locked/run.webp").toStdString()); }, "is not writable"));
            fs::permissions(dir.filePath("locked").toStdString(), fs::perms::owner_all);
        }
        // Not a video at all.
        std::ofstream(dir.filePath("text.mp4").toStdString()) << "not a video";
        QVERIFY(refused([&] { readVideoInfo(dir.filePath("text.mp4").toStdString()); }, "not a readable MP4 or WebP video"));
    }

    /// Cancelled or abandoned, a writer leaves nothing, and an old file at the path stays as it was;
    /// finished, it leaves the file alone (no temporary beside it).
    void onlyAFinishedVideoIsWritten()
    {
        for (const char* name : {"run.mp4", "run.webp"}) {
            QTemporaryDir dir;
            const std::string path = dir.filePath(name).toStdString();
            {
                VideoWriter writer(path, kWidth, kHeight);
                writer.addFrame(pattern(0));
                writer.cancel();
                QVERIFY(refused([&] { writer.addFrame(pattern(1)); }, "takes no more frames"));
            }
            {
                VideoWriter abandoned(path, kWidth, kHeight);
                abandoned.addFrame(pattern(0));
            }
            QVERIFY2(entries(dir).empty(), name);
            std::ofstream(path) << "old";
            {
                VideoWriter writer(path, kWidth, kHeight);
                writer.addFrame(pattern(0));
                writer.cancel();
            }
            std::ifstream old(path);
            QCOMPARE(std::string(std::istreambuf_iterator<char>(old), {}), std::string("old"));
            writePattern(path, VideoSettings{});
            QCOMPARE(entries(dir), std::set<std::string>{name});
            QCOMPARE(readVideoInfo(path).frames, kFrames);
        }
    }

    void videoFramesSpreadTheRecordedSteps()
    {
        // 8 s at 24 fps from 300 recorded steps: 192 frames, the last second holds the end.
        const std::vector<int> order = videoFrameOrder(300, 24, 8.0);
        QCOMPARE(order.size(), size_t(192));
        QCOMPARE(order.front(), 0);
        QVERIFY(std::is_sorted(order.begin(), order.end()));
        QCOMPARE(int(std::count(order.begin(), order.end(), 299)), 24 + 1);
        // Fewer recorded steps than frames: each is shown, for longer.
        const std::vector<int> few = videoFrameOrder(5, 10, 2.0);
        QCOMPARE(few.size(), size_t(20));
        for (int step = 0; step < 5; ++step)
            QVERIFY2(std::count(few.begin(), few.end(), step) >= 1, qPrintable(QString::number(step)));
        QVERIFY(std::all_of(few.end() - 5, few.end(), [](int index) { return index == 4; }));  // a quarter held
        QCOMPARE(videoFrameOrder(1, 24, 1.0), std::vector<int>(24, 0));
        QCOMPARE(videoFrameOrder(3, 24, 0.01), std::vector<int>{2});
    }

    void captionsNameStepAndTemperature()
    {
        QCOMPARE(runFrameCaption(RunVideoFrame{120, 500, 0.1234, false, {}}), std::string("step 120 / 500   T = 0.123"));
        QCOMPARE(runFrameCaption(RunVideoFrame{500, 500, 0.0, true, {}}), std::string("step 500 / 500   denoised"));
    }

    /// Each frame shows the grid of its step, scaled up by whole pixels (8 x 8 samples twice as
    /// large), over a caption; lossless WebP keeps the colours exactly.
    void runVideoShowsEachStepsGrid()
    {
        QTemporaryDir dir;
        const std::array<uint8_t, 3> red{200, 40, 60}, green{40, 180, 90}, blue{50, 70, 210};
        const std::vector<RunVideoFrame> recorded{solidStep(1, 3, red), solidStep(2, 3, green),
                                                  solidStep(3, 3, blue, true)};
        RunVideoSettings settings;
        settings.fps = 10;
        settings.seconds = 1.0;
        settings.height = 64;
        settings.lossless = true;
        const std::string webp = dir.filePath("run.webp").toStdString();
        const RunVideoSummary summary = writeRunVideo(webp, recorded, settings);
        QCOMPARE(summary.frames, 10);
        QCOMPARE(summary.height, 64);
        const VideoInfo info = readVideoInfo(webp);
        QCOMPARE(info.height, 64);
        QCOMPARE(info.width, summary.width);
        QVERIFY2(std::abs(info.seconds - 1.0) < 0.01, QByteArray::number(info.seconds));
        // A frame equal to the one before is stored once: three steps, three frames.
        QCOMPARE(info.frames, 3);
        // A 2 x 2 grid of 8 x 8 samples (22 x 22 with the padding) fits 52 rows twice: 16 x 16 each.
        constexpr int kShownSamplePixels = 4 * 16 * 16;
        QCOMPARE(countPixels(readVideoFrame(webp, 0), red), kShownSamplePixels);
        QCOMPARE(countPixels(readVideoFrame(webp, 1), green), kShownSamplePixels);
        const std::vector<uint8_t> last = readVideoFrame(webp, 2);
        QCOMPARE(countPixels(last, blue), kShownSamplePixels);
        QCOMPARE(countPixels(last, red), 0);
        // The caption's ink in the bottom rows, when the font is installed.
        int bright = 0;
        for (size_t i = size_t(info.width) * (info.height - 12) * 3; i < last.size(); ++i)
            bright += last[i] > 150;
        if (summary.captions)
            QVERIFY2(bright > 10, "no caption drawn");
        else
            qWarning("the caption font is missing: captions not checked");

        settings.captions = false;
        const std::string mp4 = dir.filePath("run.mp4").toStdString();
        const RunVideoSummary plain = writeRunVideo(mp4, recorded, settings);
        QVERIFY(!plain.captions);
        const VideoInfo mp4Info = readVideoInfo(mp4);
        QCOMPARE(mp4Info.frames, 10);
        QCOMPARE(mp4Info.height, 64);
        QVERIFY2(std::abs(mp4Info.fps - 10.0) < 0.01, QByteArray::number(mp4Info.fps));

        QVERIFY(refused([&] { writeRunVideo(dir.filePath("none.mp4").toStdString(), {}, settings); }, "no step"));
        settings.height = 8;
        QVERIFY(refused([&] { writeRunVideo(mp4, recorded, settings); }, "height must be between 32 and 2160"));
    }

    void recorderKeepsEvenlySpacedSteps()
    {
        RunVideoRecorder recorder(1000, {2, 1, 8, 8});
        QCOMPARE(recorder.period(), 5);  // 1000 steps in at most 240 recorded
        const torch::Tensor half = torch::full({2, 1, 8, 8}, 0.5);
        for (int step = 1; step <= 1000; ++step)
            recorder.observe(step, 1.0, half);
        torch::Tensor end = torch::full({2, 1, 8, 8}, 2.0);
        end[0][0][0][0] = std::nan("");
        recorder.finish(1000, 0.0, end, true);
        const std::vector<RunVideoFrame>& frames = recorder.frames();
        QCOMPARE(frames.size(), size_t(1 + 200 + 1));
        QCOMPARE(frames.front().step, 1);
        QCOMPARE(frames[1].step, 5);
        QCOMPARE(frames[frames.size() - 2].step, 1000);
        QVERIFY(frames.back().denoised);
        QCOMPARE(frames.front().state.scalar_type(), torch::kUInt8);
        QCOMPARE(int(frames.front().state[0][0][3][3].item<uint8_t>()), 128);
        QCOMPARE(int(frames.back().state[0][0][0][0].item<uint8_t>()), 0);    // NaN
        QCOMPARE(int(frames.back().state[1][0][0][0].item<uint8_t>()), 255);  // clipped
        // Only the first kMaxVideoSamples samples are kept.
        RunVideoRecorder many(10, {kMaxVideoSamples + 44, 1, 4, 4});
        many.observe(1, 1.0, torch::zeros({kMaxVideoSamples + 44, 1, 4, 4}));
        QCOMPARE(many.frames().front().state.size(0), kMaxVideoSamples);
        // Pictures too large to keep three steps of are refused before the run.
        QVERIFY(refused([] { RunVideoRecorder huge(10, {256, 3, 1024, 1024}); }, "MiB allowed"));
    }
};

QTEST_APPLESS_MAIN(VideoFileTest)
#include "test_video_file.moc"
