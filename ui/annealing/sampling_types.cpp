#include "annealing/sampling_types.h"

#include <algorithm>

#include "ebm/base/precision_mode.h"
#include "ebm/schedule/schedule_curve.h"

namespace ebm::studio {
namespace {

constexpr int kMaxSamples = 256;

}  // namespace

QString samplerName(ebm::Sampler sampler) { return QString::fromStdString(ebm::toString(sampler)); }

QString defaultSamplerName() { return samplerName(ebm::kDefaultSampler); }

bool SamplingSettings::operator==(const SamplingSettings& o) const
{
    return schedulePreset == o.schedulePreset && steps == o.steps && stepSize == o.stepSize &&
           numSamples == o.numSamples && seed == o.seed && startFromImages == o.startFromImages &&
           startImages == o.startImages && denoiseJump == o.denoiseJump && recordEvery == o.recordEvery &&
           scheduleCurve == o.scheduleCurve && precision == o.precision && sampler == o.sampler;
}

bool measuresAcceptance(const SamplingSettings& settings)
{
    return settings.sampler == samplerName(ebm::Sampler::Mala);
}

ebm::SamplingOptions toSamplingOptions(const SamplingSettings& settings)
{
    ebm::SamplingOptions options;
    options.schedule = settings.schedulePreset.toStdString();
    options.scheduleSteps = settings.steps;
    options.stepSize = settings.stepSize;
    options.precision = ebm::parsePrecision(settings.precision.toStdString());
    options.sampler = ebm::parseSampler(settings.sampler.toStdString());
    options.numSamples = std::clamp(settings.numSamples, 1, kMaxSamples);
    options.seed = settings.seed;
    options.finalDenoise = settings.denoiseJump;
    options.reportEvery = 1;  // the job's relay decides what to record; every step may pause
    if (settings.schedulePreset == kEditedSchedulePreset)
        options.curve = ebm::ScheduleCurve::fromJson(settings.scheduleCurve.toStdString(), "the edited schedule");
    return options;
}

}  // namespace ebm::studio
