#include "ebm/schedule/sampling_settings.h"

#include <cmath>
#include <utility>
#include <vector>

#include "ebm/base/defaults.h"
#include "ebm/base/error.h"
#include "ebm/base/precision_mode.h"

namespace ebm {
namespace {

bool endsWithJson(const std::string& name)
{
    return name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0;
}

/// Refuses what the settings hold under `key`; `value` is null when the key is missing.
[[noreturn]] void refuseSetting(const std::string& source, const std::string& whatToDo, const std::string& key,
                                const Json& value, const std::string& expected)
{
    throw Error(source + ": its EBM Studio settings hold \"" + key + "\": " + value.dump() + ", not " + expected +
                "; the settings are damaged: " + whatToDo);
}

}  // namespace

ScheduleCurve requestedScheduleCurve(const SamplingOptions& options)
{
    const int steps = options.scheduleSteps;
    if (options.curve)
        return steps > 0 ? options.curve->rescaled(steps) : *options.curve;
    if (endsWithJson(options.schedule)) {
        const ScheduleCurve curve = ScheduleCurve::load(options.schedule);
        return steps > 0 ? curve.rescaled(steps) : curve;
    }
    return ScheduleCurve::preset(options.schedule, steps);
}

ScheduleCurve curveThatRan(const SamplingOptions& options, const Schedule& ran)
{
    ScheduleCurve curve = requestedScheduleCurve(options);
    if (curve.expand().temperatures() == ran.temperatures() || ran.size() > kMaxStepwiseCurveSteps)
        return curve;
    std::vector<CurvePoint> points;
    points.reserve(size_t(ran.size()));
    for (int step = 0; step < ran.size(); ++step)
        points.push_back({double(step), ran.at(step), SegmentMode::Constant});
    return ScheduleCurve(ran.size(), std::move(points));
}

Json samplingSettingsJson(const SamplingOptions& options, const Schedule& ran, double stepSize)
{
    return Json{{"seed", options.seed},
                {"schedule", Json::parse(curveThatRan(options, ran).toJson())},
                {"step_size", stepSize},
                {"sampler", toString(options.sampler)},
                {"precision", toString(options.precision)},
                {"final_denoise", options.finalDenoise}};
}

bool holdsSamplingRun(const Json& settings) { return settings.is_object() && settings.contains("schedule"); }

void readSamplingSettings(const Json& settings, const std::string& source, const std::string& whatToDo,
                          SamplingOptions& options, const SamplingSettingsKeys& keys)
{
    const auto setting = [&](const std::string& key) -> const Json& {
        if (!settings.is_object() || !settings.contains(key))
            refuseSetting(source, whatToDo, key, nullptr, "a value (it is missing)");
        return settings[key];
    };
    SamplingOptions read = options;  // assigned at the end: a refusal changes nothing
    if (keys.seed) {
        const Json& seed = setting("seed");
        if (!seed.is_number_integer() || (!seed.is_number_unsigned() && seed.get<int64_t>() < 0))
            refuseSetting(source, whatToDo, "seed", seed, "a whole number from 0 up");
        read.seed = seed.get<uint64_t>();
    }
    if (keys.schedule)
        read.curve = ScheduleCurve::fromJson(setting("schedule").dump(), source + " (its schedule)");
    if (keys.stepSize) {
        const Json& stepSize = setting("step_size");
        if (!stepSize.is_number() || !std::isfinite(stepSize.get<double>()) || stepSize.get<double>() <= 0)
            refuseSetting(source, whatToDo, "step_size", stepSize, "a positive number");
        read.stepSize = stepSize.get<double>();
    }
    if (keys.sampler && settings.contains("sampler")) {
        const Json& sampler = settings["sampler"];
        if (!sampler.is_string() || (sampler != toString(Sampler::Langevin) && sampler != toString(Sampler::Mala)))
            refuseSetting(source, whatToDo, "sampler", sampler,
                          "\"" + toString(Sampler::Langevin) + "\" or \"" + toString(Sampler::Mala) + "\"");
        read.sampler = parseSampler(sampler.get<std::string>());
    }
    if (keys.precision) {
        const Json& precision = setting("precision");
        try {
            read.precision = parsePrecision(precision.is_string() ? precision.get<std::string>() : "");
        } catch (const Error&) {
            refuseSetting(source, whatToDo, "precision", precision, "a precision (float32, tf32, bf16)");
        }
    }
    if (keys.finalDenoise) {
        const Json& finalDenoise = setting("final_denoise");
        if (!finalDenoise.is_boolean())
            refuseSetting(source, whatToDo, "final_denoise", finalDenoise, "true or false");
        read.finalDenoise = finalDenoise.get<bool>();
    }
    if (keys.samples) {
        const Json& count = setting("samples");
        if (!count.is_number_integer() || count.get<long long>() < 1 || count.get<long long>() > kMaxSamplesPerRun)
            refuseSetting(source, whatToDo, "samples", count,
                          "a whole number from 1 to " + std::to_string(kMaxSamplesPerRun));
        read.numSamples = count.get<int64_t>();
    }
    options = std::move(read);
}

}  // namespace ebm
