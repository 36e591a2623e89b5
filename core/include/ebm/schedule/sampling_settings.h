#pragma once
// The sampling part of the settings a picture keeps (issue 27, ebm/base/png_settings.h): what the
// ebm tool and the studio write of a sampling run into the pictures it made, and read back to run
// it again. No torch: the studio's pages use it on the GUI thread.
#include <string>

#include "ebm/base/json.h"
#include "ebm/schedule/sampling_options.h"
#include "ebm/schedule/schedule.h"
#include "ebm/schedule/schedule_curve.h"

namespace ebm {

/// The schedule `options` ask for, as a curve: the curve in memory, a curve file (.json) or a
/// preset, rescaled to options.scheduleSteps when that is above 0 (as the sampler reads them).
ScheduleCurve requestedScheduleCurve(const SamplingOptions& options);

/// The schedule that ran, as a curve that expands to it step for step: the requested one or, should
/// its expansion differ in any temperature (the curve was edited during the run), one constant
/// segment a step; beyond kMaxStepwiseCurveSteps steps the requested one still (a picture's
/// settings stay well under libpng's 8 MB a chunk).
ScheduleCurve curveThatRan(const SamplingOptions& options, const Schedule& ran);
constexpr int kMaxStepwiseCurveSteps = 50000;

/// A sampling run's settings: "seed", "schedule" (curveThatRan, as an "ebm-schedule" object),
/// "step_size" (the one that ran), "sampler", "precision" and "final_denoise", in that order.
Json samplingSettingsJson(const SamplingOptions& options, const Schedule& ran, double stepSize);

/// Whether picture settings describe a sampling run to repeat (they hold a "schedule").
bool holdsSamplingRun(const Json& settings);

/// The keys a reader takes from a picture's sampling settings; the others are neither read nor
/// checked (the ebm tool leaves out those its command line gives).
struct SamplingSettingsKeys {
    bool seed = true;
    bool schedule = true;      // "schedule" -> options.curve (scheduleSteps is left as it is)
    bool stepSize = true;
    bool sampler = true;       // only when the settings hold one
    bool precision = true;
    bool finalDenoise = true;  // "final_denoise"
    bool samples = true;       // "samples" -> numSamples, 1 to kMaxSamplesPerRun
};

/// Sets the fields of `options` that `keys` name from picture settings (a JSON object, as
/// readPngSettings returns it). Throws ebm::Error in one line naming `source` when a key is
/// missing or holds a value the tool never writes ("SOURCE: its EBM Studio settings hold
/// "step_size": -1, not a positive number; the settings are damaged: WHAT_TO_DO"), or when the
/// schedule is no "ebm-schedule" curve ("SOURCE (its schedule): ..."); `options` is then unchanged.
void readSamplingSettings(const Json& settings, const std::string& source, const std::string& whatToDo,
                          SamplingOptions& options, const SamplingSettingsKeys& keys = {});

}  // namespace ebm
