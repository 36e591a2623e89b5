#pragma once
// What a person asks of a sampling run, in plain values (the ebm tool's options, the studio's
// panel, the evaluation's sampling stage). ebm::makeSamplerConfig turns it into the sampler's
// configuration and is the one place that checks it.
#include <cstdint>
#include <optional>
#include <string>

#include "ebm/base/defaults.h"
#include "ebm/base/precision_mode.h"
#include "ebm/schedule/schedule_curve.h"

namespace ebm {

/// How each annealing step moves the state. Both propose the Langevin step of eq. 8 at the step's
/// temperature T; MALA then accepts or rejects it per chain (Metropolis-Hastings for exp(-E/T)),
/// which removes the step size's bias at the cost of some rejected moves.
enum class Sampler {
    Langevin,  // eq. 8 as the paper runs it: every step taken
    Mala,      // Metropolis-adjusted Langevin
};
constexpr Sampler kDefaultSampler = Sampler::Langevin;

std::string toString(Sampler sampler);           // "langevin", "mala"
Sampler parseSampler(const std::string& name);   // throws ebm::Error naming the known ones

struct SamplingOptions {
    std::string schedule = defaultSchedulePreset();  // a preset (schedulePresets()) or a curve FILE.json
    int scheduleSteps = 0;                     // 0 = the preset's (or curve's) own length
    /// A curve in memory (the studio's editor): when set, it is the schedule and `schedule`
    /// is not read; scheduleSteps > 0 rescales it.
    std::optional<ScheduleCurve> curve;
    /// eps of eq. 8; 0 = the schedule's own (ebm::schedulePresetStepSize: 0.02, larger for "fast").
    double stepSize = 0.0;
    int64_t numSamples = 64;
    uint64_t seed = 1;
    bool finalDenoise = true;                  // eq. 9 after annealing
    int reportEvery = kDefaultReportEvery;
    bool referenceInpaintNoise = false;        // 0.1*T^(1/4) on known pixels instead of sigma0*sqrt(T)
    /// The network's arithmetic for each step's energy and gradient (the state stays float32).
    Precision precision = defaultSamplingPrecision();
    Sampler sampler = kDefaultSampler;
};

}  // namespace ebm
