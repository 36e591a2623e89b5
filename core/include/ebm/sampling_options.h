#pragma once
// What a person asks of a sampling run, in plain values (the ebm tool's options, the studio's
// panel, the evaluation's sampling stage). ebm::makeSamplerConfig turns it into the sampler's
// configuration and is the one place that checks it.
#include <cstdint>
#include <optional>
#include <string>

#include "ebm/defaults.h"
#include "ebm/schedule_curve.h"

namespace ebm {

struct SamplingOptions {
    std::string schedule = "paper";            // preset: paper, paper-linear, quick
    int scheduleSteps = 0;                     // 0 = the preset's (or curve's) own length
    /// A curve in memory (the studio's editor): when set, it is the schedule and `schedule`
    /// is not read; scheduleSteps > 0 rescales it.
    std::optional<ScheduleCurve> curve;
    double stepSize = kDefaultLangevinStepSize;
    int64_t numSamples = 64;
    uint64_t seed = 1;
    bool finalDenoise = true;                  // eq. 9 after annealing
    int reportEvery = kDefaultReportEvery;
    bool referenceInpaintNoise = false;        // 0.1*T^(1/4) on known pixels instead of sigma0*sqrt(T)
};

}  // namespace ebm
