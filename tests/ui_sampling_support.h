#pragma once
// Sampling settings the Sample page's tests run with, said once.
#include <QString>

#include "annealing/sampling_types.h"
#include "worker/studio_types.h"

namespace ebm::testing {

/// A short run: `steps` steps of `preset`'s shape for `samples` samples, every step recorded, seed 5.
inline studio::SamplingSettings quickSampling(int steps, int samples,
                                              const QString& preset = studio::defaultSchedulePreset())
{
    studio::SamplingSettings s;
    s.schedulePreset = preset;
    s.steps = steps;
    s.numSamples = samples;
    s.recordEvery = 1;
    s.seed = 5;
    return s;
}

}  // namespace ebm::testing
