#include "annealing/sampling_types.h"

namespace ebm::studio {

bool SamplingSettings::operator==(const SamplingSettings& o) const
{
    return schedulePreset == o.schedulePreset && steps == o.steps && stepSize == o.stepSize &&
           numSamples == o.numSamples && seed == o.seed && startFromImages == o.startFromImages &&
           startImages == o.startImages && denoiseJump == o.denoiseJump && recordEvery == o.recordEvery &&
           scheduleCurve == o.scheduleCurve && precision == o.precision;
}

}  // namespace ebm::studio
