#include "ebm/io/run_video.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ebm/base/error.h"
#include "ebm/io/image_file.h"
#include "ebm/io/video_file.h"
#include "io/text_raster.h"

namespace ebm {

namespace {

// DejaVu Sans's digits and capitals rise about 0.73 em above the baseline: centred on that.
constexpr double kCaptionCapHeight = 0.73;
constexpr internal::RGB kBackground{kRunVideoBackground[0], kRunVideoBackground[1], kRunVideoBackground[2]};
constexpr internal::RGB kCaptionColor{kRunVideoCaptionColour[0], kRunVideoCaptionColour[1], kRunVideoCaptionColour[2]};
// Fewer than this many recorded steps would say nothing of the run.
constexpr int kMinRecordedSteps = 3;

/// Where everything goes in a frame; the same for every frame of a video.
struct FrameLayout {
    int width = 0, height = 0;
    int gridWidth = 0, gridHeight = 0;    // makeGrid's picture
    int shownWidth = 0, shownHeight = 0;  // on screen
    int left = 0, top = 0;
    bool captions = false;
    int fontPixels = 0, captionLeft = 0, baseline = 0;
};

FrameLayout layOut(int gridWidth, int gridHeight, int captionWidth, const RunVideoSettings& settings, bool captions)
{
    FrameLayout layout;
    layout.gridWidth = gridWidth;
    layout.gridHeight = gridHeight;
    layout.height = settings.height;
    layout.captions = captions;
    const int captionHeight =
        captions ? std::max(kRunVideoMinCaptionHeight, static_cast<int>(std::lround(settings.height * kRunVideoCaptionHeightShare))) : 0;
    const int area = settings.height - captionHeight;
    const double scale = std::min(double(area) / gridHeight, double(kMaxRunVideoWidth) / gridWidth);
    // Whole multiples keep every picture's pixels square and equal; only a grid too large for the
    // frame is shrunk by a fraction.
    const double shown = scale >= 1.0 ? std::floor(scale) : scale;
    layout.shownWidth = std::max(1, static_cast<int>(gridWidth * shown));
    layout.shownHeight = std::max(1, static_cast<int>(gridHeight * shown));
    layout.fontPixels = static_cast<int>(std::lround(captionHeight * kRunVideoCaptionTextShare));
    layout.captionLeft = layout.fontPixels / 2;
    const int wanted = std::max(layout.shownWidth, captions ? captionWidth + 2 * layout.captionLeft : 0);
    layout.width = std::min(wanted + (wanted & 1), kMaxVideoSide);  // even: H.264 needs no padding
    layout.left = (layout.width - layout.shownWidth) / 2;
    layout.top = (area - layout.shownHeight) / 2;
    layout.baseline = area + static_cast<int>(std::lround((captionHeight + kCaptionCapHeight * layout.fontPixels) / 2));
    return layout;
}

/// The grid of one state as rows of RGB bytes [gridHeight, gridWidth, 3].
torch::Tensor gridPixels(const torch::Tensor& state, int cols)
{
    torch::Tensor values = state.scalar_type() == torch::kUInt8 ? state.to(torch::kFloat32).div(255.0)
                                                                 : torch::nan_to_num(state.to(torch::kFloat32), 0.0);
    torch::Tensor grid = makeGrid(values, cols);  // [C, H, W], clipped to [0, 1]
    if (grid.size(0) == 1)
        grid = grid.expand({3, grid.size(1), grid.size(2)});
    return grid.mul(255.0).round().clamp(0, 255).to(torch::kUInt8).permute({1, 2, 0}).contiguous();
}

std::vector<uint8_t> composeFrame(const torch::Tensor& grid, const std::string& caption, const FrameLayout& layout)
{
    std::vector<uint8_t> frame(static_cast<size_t>(layout.width) * layout.height * 3);
    for (size_t i = 0; i < frame.size(); i += 3) {
        frame[i] = kBackground.r;
        frame[i + 1] = kBackground.g;
        frame[i + 2] = kBackground.b;
    }
    const uint8_t* source = grid.data_ptr<uint8_t>();
    std::vector<int> sourceColumn(static_cast<size_t>(layout.shownWidth));
    for (int x = 0; x < layout.shownWidth; ++x)
        sourceColumn[static_cast<size_t>(x)] = static_cast<int>(int64_t(x) * layout.gridWidth / layout.shownWidth);
    for (int y = 0; y < layout.shownHeight; ++y) {
        const int sourceRow = static_cast<int>(int64_t(y) * layout.gridHeight / layout.shownHeight);
        const uint8_t* from = source + static_cast<size_t>(sourceRow) * layout.gridWidth * 3;
        uint8_t* to = frame.data() + (static_cast<size_t>(layout.top + y) * layout.width + layout.left) * 3;
        for (int x = 0; x < layout.shownWidth; ++x)
            std::copy_n(from + static_cast<size_t>(sourceColumn[static_cast<size_t>(x)]) * 3, 3, to + size_t(x) * 3);
    }
    if (layout.captions)
        internal::drawText(frame.data(), layout.width, layout.height, layout.captionLeft, layout.baseline, caption,
                           layout.fontPixels, kCaptionColor);
    return frame;
}

void checkRecorded(const std::string& path, const std::vector<RunVideoFrame>& recorded)
{
    if (recorded.empty())
        throw Error(path + ": no step of the run was recorded, so there is no video to write");
    const torch::Tensor& first = recorded.front().state;
    if (!first.defined() || first.dim() != 4 || (first.size(1) != 1 && first.size(1) != 3) || first.size(0) < 1)
        throw Error(path + ": a run's video needs images [N, C, H, W] with 1 or 3 channels");
    for (const RunVideoFrame& frame : recorded)
        if (!frame.state.defined() || frame.state.sizes() != first.sizes())
            throw Error(path + ": the recorded steps hold states of different shapes (step " +
                        std::to_string(frame.step) + ")");
}

}  // namespace

void checkRunVideoSettings(const RunVideoSettings& settings)
{
    if (settings.fps < kMinVideoFps || settings.fps > kMaxVideoFps)
        throw Error("the video's frame rate must be between " + std::to_string(kMinVideoFps) + " and " +
                    std::to_string(kMaxVideoFps) + " frames a second, not " + std::to_string(settings.fps));
    if (!(settings.seconds > 0.0) || settings.seconds > kMaxVideoSeconds)
        throw Error("the video's duration must be above 0 and at most " + std::to_string(int(kMaxVideoSeconds)) +
                    " seconds, not " + std::to_string(settings.seconds));
    if (settings.height < kMinVideoHeight || settings.height > kMaxVideoHeight)
        throw Error("the video's height must be between " + std::to_string(kMinVideoHeight) + " and " +
                    std::to_string(kMaxVideoHeight) + " pixels, not " + std::to_string(settings.height));
}

std::vector<int> videoFrameOrder(int recorded, int fps, double seconds)
{
    const int total = std::max(1, static_cast<int>(std::lround(fps * seconds)));
    if (recorded <= 1)
        return std::vector<int>(static_cast<size_t>(total), 0);
    const int hold = std::min(static_cast<int>(std::lround(fps * kVideoFinalHoldSeconds)), total / 4);
    const int moving = total - hold;
    const int last = recorded - 1;
    std::vector<int> order;
    order.reserve(static_cast<size_t>(total));
    for (int i = 0; i < moving; ++i)
        order.push_back(moving == 1 ? last : static_cast<int>(std::lround(double(i) * last / (moving - 1))));
    order.insert(order.end(), static_cast<size_t>(hold), last);
    return order;
}

std::string runFrameCaption(const RunVideoFrame& frame)
{
    char temperature[32];
    std::snprintf(temperature, sizeof temperature, "%.3g", frame.temperature);
    return "step " + std::to_string(frame.step) + " / " + std::to_string(frame.totalSteps) + "   " +
           (frame.denoised ? std::string("denoised") : "T = " + std::string(temperature));
}

RunVideoSummary writeRunVideo(const std::string& path, const std::vector<RunVideoFrame>& recorded,
                              const RunVideoSettings& settings)
{
    checkRunVideoSettings(settings);
    checkRecorded(path, recorded);
    const bool captions = settings.captions && internal::textAvailable();
    if (settings.captions && !captions)
        spdlog::warn("{}: writing the video without captions: {}", path, internal::textUnavailableReason());

    std::vector<std::string> texts;
    for (const RunVideoFrame& frame : recorded)
        texts.push_back(runFrameCaption(frame));
    int captionWidth = 0;
    const torch::Tensor firstGrid = gridPixels(recorded.front().state, settings.cols);
    FrameLayout layout = layOut(static_cast<int>(firstGrid.size(1)), static_cast<int>(firstGrid.size(0)), 0, settings,
                                captions);
    if (captions) {
        for (const std::string& text : texts)
            captionWidth = std::max(captionWidth, internal::textWidth(text, layout.fontPixels));
        layout = layOut(layout.gridWidth, layout.gridHeight, captionWidth, settings, captions);
    }

    VideoWriter writer(path, layout.width, layout.height, VideoSettings{settings.fps, settings.lossless});
    int composedIndex = -1;
    std::vector<uint8_t> pixels;
    for (int index : videoFrameOrder(static_cast<int>(recorded.size()), settings.fps, settings.seconds)) {
        if (index != composedIndex) {
            const torch::Tensor grid = index == 0 ? firstGrid : gridPixels(recorded[size_t(index)].state, settings.cols);
            pixels = composeFrame(grid, texts[size_t(index)], layout);
            composedIndex = index;
        }
        writer.addFrame(pixels);
    }
    writer.finish();
    return RunVideoSummary{writer.frameCount(), layout.width, layout.height, captions};
}

RunVideoRecorder::RunVideoRecorder(int totalSteps, const std::vector<int64_t>& sampleShape)
    : totalSteps_(std::max(1, totalSteps))
{
    int64_t values = std::min<int64_t>(sampleShape.empty() ? 1 : sampleShape.front(), kMaxVideoSamples);
    for (size_t d = 1; d < sampleShape.size(); ++d)
        values *= sampleShape[d];
    if (values * kMinRecordedSteps > kMaxRecordedVideoBytes)
        throw Error("a run's video keeps at least " + std::to_string(kMinRecordedSteps) + " steps of its samples, " +
                    std::to_string(values >> 20) + " MiB each, over the " +
                    std::to_string(kMaxRecordedVideoBytes >> 20) + " MiB allowed; sample smaller pictures");
    const int64_t byCount = (totalSteps_ + kMaxRecordedVideoFrames - 1) / kMaxRecordedVideoFrames;
    const int64_t fitting = std::max<int64_t>(1, kMaxRecordedVideoBytes / values - 2);  // the first and the end
    const int64_t byMemory = (totalSteps_ + fitting - 1) / fitting;
    period_ = static_cast<int>(std::max<int64_t>({1, byCount, byMemory}));
}

void RunVideoRecorder::observe(int step, double temperature, const torch::Tensor& state)
{
    if (step == 1 || step % period_ == 0 || step == totalSteps_)
        keep(step, temperature, state, false);
}

void RunVideoRecorder::finish(int step, double temperature, const torch::Tensor& samples, bool denoised)
{
    keep(step, temperature, samples, denoised);
}

void RunVideoRecorder::keep(int step, double temperature, const torch::Tensor& state, bool denoised)
{
    torch::NoGradGuard noGrad;
    // Converted where the state lives: a quarter of the bytes cross to the CPU.
    const torch::Tensor shown = state.detach().slice(0, 0, kMaxVideoSamples);
    const torch::Tensor bytes =
        torch::nan_to_num(shown.to(torch::kFloat32), 0.0).clamp(0.0, 1.0).mul(255.0).round().to(torch::kUInt8);
    frames_.push_back(RunVideoFrame{step, totalSteps_, temperature, denoised, bytes.to(torch::kCPU).contiguous()});
}

}  // namespace ebm
