#pragma once
// A sampling run as a video (MP4 or animated WebP, see video_file.h): every frame is the grid of
// the samples at one recorded step (makeGrid), scaled by nearest neighbour to the video's height,
// over a caption with the step and the temperature. The recorded steps are resampled to the
// video's frame rate and duration, and the last one (the denoised samples) is held at the end.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace ebm {

constexpr int kDefaultVideoFps = 24;
constexpr double kDefaultVideoSeconds = 8.0;
constexpr int kDefaultVideoHeight = 720;
constexpr int kMinVideoHeight = 32;
constexpr int kMaxVideoHeight = 2160;
constexpr double kMaxVideoSeconds = 600.0;
/// How long the end of the run stays on screen (at most a quarter of the video).
constexpr double kVideoFinalHoldSeconds = 1.0;
/// The widest frame a run's video gets: a wide grid is scaled down to it.
constexpr int kMaxRunVideoWidth = 3840;
/// The steps a recording keeps at most (besides the first and the last) ...
constexpr int kMaxRecordedVideoFrames = 240;
/// ... and the memory they may take, 8 bits a value.
constexpr int64_t kMaxRecordedVideoBytes = int64_t(512) << 20;
/// The samples a video shows at most: the first ones of the run (a 16 x 16 grid). More would be
/// a few pixels each at video sizes, and cost memory at every recorded step.
constexpr int64_t kMaxVideoSamples = 256;

/// The look of a run's video, which the studio's exports share: a caption strip of this share
/// of the frame's height (never below a legible minimum), its text this share of the strip,
/// light grey on a dark background (8-bit RGB).
constexpr double kRunVideoCaptionHeightShare = 0.06;
constexpr int kRunVideoMinCaptionHeight = 12;
constexpr double kRunVideoCaptionTextShare = 0.6;
constexpr uint8_t kRunVideoBackground[3] = {24, 24, 24};
constexpr uint8_t kRunVideoCaptionColour[3] = {235, 235, 235};

/// One recorded moment of a run.
struct RunVideoFrame {
    int step = 0;            // 1-based, as SampleFrame counts
    int totalSteps = 0;
    double temperature = 0.0;
    bool denoised = false;   // the samples after the final denoising jump
    /// [N, C, H, W] with C = 1 or 3, on the CPU: uint8 (0-255) or floating point in [0, 1] (clipped).
    torch::Tensor state;
};

struct RunVideoSettings {
    int fps = kDefaultVideoFps;
    double seconds = kDefaultVideoSeconds;
    int height = kDefaultVideoHeight;  // the frame's, caption included
    int cols = 0;                      // grid columns (0 = near square), as makeGrid
    bool captions = true;              // step and temperature under the grid (needs the font)
    bool lossless = false;             // WebP only
};

/// Throws ebm::Error in one line naming the setting out of range (frame rate, duration, height).
void checkRunVideoSettings(const RunVideoSettings& settings);

/// Which of `recorded` frames each video frame shows: fps * seconds frames (at least one), the
/// recorded ones evenly spaced from the first to the last, then the last held for
/// kVideoFinalHoldSeconds (a quarter of the video at most). Frames repeat when there are fewer
/// recorded than shown.
std::vector<int> videoFrameOrder(int recorded, int fps, double seconds);

/// "step 120 / 500   T = 0.123", or "step 500 / 500   denoised" after the jump.
std::string runFrameCaption(const RunVideoFrame& frame);

struct RunVideoSummary {
    int frames = 0;
    int width = 0;
    int height = 0;
    bool captions = false;  // false when the font is missing (said once on stderr)
};

/// Writes the video of `recorded` (in order, one shape) to `path` (.mp4 or .webp), atomically.
/// Without the caption font it writes the video without captions and warns once. Throws
/// ebm::Error in one line: no frames, states of different shapes, a setting out of range, or the
/// video's own errors (see VideoWriter).
RunVideoSummary writeRunVideo(const std::string& path, const std::vector<RunVideoFrame>& recorded,
                              const RunVideoSettings& settings = {});

/// Keeps the frames of one run for its video, within kMaxRecordedVideoFrames and
/// kMaxRecordedVideoBytes: 8-bit CPU copies of the first kMaxVideoSamples samples at the first
/// step, every period-th step and the last step, then the end of the run.
class RunVideoRecorder {
public:
    /// `totalSteps`: the schedule's length; `sampleShape`: one state's shape [N, C, H, W]. Throws
    /// ebm::Error when even three steps would not fit the memory allowed.
    RunVideoRecorder(int totalSteps, const std::vector<int64_t>& sampleShape);
    /// Steps between two recorded ones.
    int period() const { return period_; }
    /// Copies `state` (any device, values in [0, 1]) when `step` is one to keep.
    void observe(int step, double temperature, const torch::Tensor& state);
    /// The end of the run, at `step`: the samples after the denoising jump when `denoised`.
    void finish(int step, double temperature, const torch::Tensor& samples, bool denoised);
    const std::vector<RunVideoFrame>& frames() const { return frames_; }

private:
    void keep(int step, double temperature, const torch::Tensor& state, bool denoised);
    int totalSteps_;
    int period_ = 1;
    std::vector<RunVideoFrame> frames_;
};

}  // namespace ebm
