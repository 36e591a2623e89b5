#pragma once
// A recorded sampling run as a file of its own (issue 27, part 4: two runs side by side): a folder
// NAME.ebmrun holding NumPy arrays that numpy.load reads as they are, and the run's settings as
// the JSON a studio picture keeps (ebm/base/png_settings.h):
//   frames.npy        uint8   [F, N, C, H, W]  the N samples at each of F recorded moments
//                                              (C = 1 gray or 3 RGB, 0-255)
//   steps.npy         int32   [F]              steps completed at each moment, never decreasing
//   temperatures.npy  float64 [F]              the temperature of each moment's step
//   energies.npy      float64 [F, N]           each sample's energy at each moment
//   final.npy         uint8   [F]              1 where the moment is after the final denoising jump
//   settings.json     a JSON object: the run's settings
// Written whole or not at all: into a new folder beside the target, then renamed into place (an
// older run there is moved aside first and removed after); never through a symbolic link.
#include <cstdint>
#include <string>

#include <torch/types.h>

namespace ebm {

/// What a run folder's name ends with (the studio's dialogs add it; the engine reads any folder).
inline constexpr char kRunBundleSuffix[] = ".ebmrun";

/// The most a run file may hold: moments, samples a moment, and bytes of frames (what reading
/// allocates at most, checked against the files' sizes before any of them is read whole).
constexpr int64_t kMaxRunBundleFrames = 100000;
constexpr int64_t kMaxRunBundleSamples = 4096;
constexpr int64_t kMaxRunBundleFrameBytes = int64_t(2) << 30;
constexpr uintmax_t kMaxRunBundleSettingsBytes = uintmax_t(64) << 20;

/// A recorded run in memory, on the CPU, in the dtypes and shapes of the files above.
struct RunBundle {
    torch::Tensor frames;        // uint8 [F, N, C, H, W]
    torch::Tensor steps;         // int32 [F]
    torch::Tensor temperatures;  // float64 [F]
    torch::Tensor energies;      // float64 [F, N]
    torch::Tensor finalFlags;    // uint8 [F], 0 or 1
    std::string settingsJson;    // a JSON object ("{}" when nothing is known)

    int64_t moments() const { return frames.defined() && frames.dim() > 0 ? frames.size(0) : 0; }
    int64_t samples() const { return frames.defined() && frames.dim() > 1 ? frames.size(1) : 0; }
};

/// Throws ebm::Error in one line naming `where` when `bundle` is no run the format can hold: a
/// dtype or shape other than the above, shapes that disagree, more than the caps, steps that go
/// back, final flags other than 0 and 1, settings that are not a JSON object.
void checkRunBundle(const RunBundle& bundle, const std::string& where);

/// Writes `bundle` as the run folder `path` (checkRunBundle first). An older run folder at `path`
/// is replaced; anything else there (a file, a link, a folder holding other files) is refused
/// untouched. Throws ebm::Error in one line naming `path`.
void writeRunBundle(const std::string& path, const RunBundle& bundle);

/// Reads the run folder `path`. Refuses in one ebm::Error line naming the folder or its file: a
/// missing or extra-large file, a damaged or truncated .npy, a dtype or shape other than the
/// above, arrays whose shapes disagree, what checkRunBundle refuses.
RunBundle readRunBundle(const std::string& path);

}  // namespace ebm
