#include "settings_from_image.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "ebm/base/defaults.h"
#include "ebm/base/error.h"
#include "ebm/base/sha256.h"
#include "ebm/io/image_file.h"
#include "command_support.h"

namespace ebm::cli {
namespace {

/// Digits of a SHA-256 shown in a warning: enough to tell two files apart at a glance.
constexpr size_t kShownDigits = 12;
/// The longest schedule kept as one point a step (about 60 bytes each in JSON).
constexpr int kMaxStepwiseCurve = 50000;

std::string baseName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

/// A model's SHA-256, taken once per run although the settings and the check both ask for it.
std::string modelSha256(const std::string& path)
{
    static std::map<std::string, std::string> known;
    auto it = known.find(path);
    if (it == known.end())
        it = known.emplace(path, fileSha256Hex(path)).first;
    return it->second;
}

bool endsWithJson(const std::string& name)
{
    return name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0;
}

/// The schedule `options` ask for, as a curve (the way makeSamplerConfig reads them).
ScheduleCurve requestedCurve(const SamplingOptions& options)
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

/// The schedule that ran, as a curve that expands to it step for step: the requested one, or,
/// should its expansion differ in any temperature, one constant segment a step (up to
/// kMaxStepwiseCurve steps: a picture's settings stay well under libpng's 8 MB a chunk).
ScheduleCurve curveThatRan(const SamplingOptions& options, const Schedule& ran)
{
    ScheduleCurve curve = requestedCurve(options);
    if (curve.expand().temperatures() == ran.temperatures() || ran.size() > kMaxStepwiseCurve)
        return curve;
    std::vector<CurvePoint> points;
    for (int step = 0; step < ran.size(); ++step)
        points.push_back({double(step), ran.at(step), SegmentMode::Constant});
    return ScheduleCurve(ran.size(), std::move(points));
}

[[noreturn]] void refuseSetting(const std::string& path, const std::string& key, const Json& value,
                                const std::string& expected)
{
    throw Error(path + ": its EBM Studio settings hold \"" + key + "\": " + value.dump() + ", not " + expected +
                "; the settings are damaged: give the sampling options on the command line instead");
}

const Json& setting(const Json& settings, const std::string& path, const std::string& key)
{
    const auto it = settings.find(key);
    if (it == settings.end())
        refuseSetting(path, key, nullptr, "a value (it is missing)");
    return *it;
}

/// A string member of a settings object, or "" when it is missing or not a string.
std::string textOf(const Json& object, const std::string& key)
{
    if (!object.is_object())
        return {};
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Says in one line each what of the picture's run this one does not repeat: another model file
/// (by SHA-256), the other weights of it, start images left out.
void warnAboutDifferences(const Json& settings, const std::string& path, const CliArgs& args,
                          const OpenedModel& model)
{
    const Json stored = settings.contains("model") ? settings["model"] : Json::object();
    const std::string storedSha = textOf(stored, "sha256"), storedWeights = textOf(stored, "weights");
    const std::string sha = modelSha256(model.path), weights = model.usesAveragedWeights ? "averaged" : "raw";
    if (!storedSha.empty() && storedSha != sha)
        spdlog::warn("{} was made with the model {} (SHA-256 {}...), not with {} (SHA-256 {}...): going on with "
                     "this one, so the pictures will differ",
                     path, textOf(stored, "file"), storedSha.substr(0, kShownDigits), baseName(model.path),
                     sha.substr(0, kShownDigits));
    else if (!storedWeights.empty() && storedWeights != weights)
        spdlog::warn("{} was made with the model's {} weights, this run uses its {} ones: {} --raw-weights to "
                     "repeat it",
                     path, storedWeights, weights, storedWeights == "raw" ? "add" : "leave out");
    if (settings.contains("start") && args.text("start").empty())
        spdlog::warn("{} was sampled from start images ({}), which --settings-from does not repeat; give them "
                     "with --start",
                     path, settings["start"].dump());
}

}  // namespace

std::string programVersion()
{
#ifdef EBM_STUDIO_VERSION
    return EBM_STUDIO_VERSION;
#else
    return "unknown";  // the build gave this target no version (app/CMakeLists.txt)
#endif
}

Json fileFingerprint(const std::string& path)
{
    return Json{{"file", baseName(path)}, {"sha256", fileSha256Hex(path)}};
}

Json inputSettings(const std::string& spec)
{
    return isExistingFile(spec) ? fileFingerprint(spec) : Json{{"name", spec}};
}

std::string pictureSettings(const std::string& command, const OpenedModel* model, const Json& details)
{
    Json settings{{"format", kPngSettingsFormat},
                  {"version", kPngSettingsVersion},
                  {"app", "EBM Studio"},
                  {"app_version", programVersion()},
                  {"command", command}};
    if (model && !model->path.empty())
        settings["model"] = {{"file", baseName(model->path)},
                             {"sha256", modelSha256(model->path)},
                             {"weights", model->usesAveragedWeights ? "averaged" : "raw"}};
    for (const auto& [key, value] : details.items())
        settings[key] = value;
    return settings.dump();
}

Json samplingSettings(const SamplingOptions& options, const SamplerConfig& config)
{
    return Json{{"seed", config.seed},
                {"schedule", Json::parse(curveThatRan(options, config.schedule).toJson())},
                {"step_size", config.stepSize},
                {"sampler", toString(config.sampler)},
                {"precision", toString(config.precision)},
                {"final_denoise", config.finalDenoise}};
}

std::string sampleSettings(const CliArgs& args, const OpenedModel& model, const SamplingOptions& options,
                           const SamplerConfig& config, int64_t count)
{
    Json details = samplingSettings(options, config);
    details["samples"] = count;
    if (!args.text("start").empty())
        details["start"] = inputSettings(args.text("start"));
    return pictureSettings("sample", &model, details);
}

void addSettingsFromOption(CliArgs& args)
{
    args.option("settings-from", "",
                "repeat the run that wrote this PNG (its seed, schedule, step size, sampler, precision and "
                "number); options given here win");
}

void applySettingsFrom(const CliArgs& args, const OpenedModel& model, SamplingOptions& options)
{
    const std::string path = args.text("settings-from");
    if (path.empty())
        return;
    const std::optional<std::string> text = readPngSettings(path);
    if (!text)
        throw Error(path + " holds no EBM Studio settings (written by another program); give the sampling options "
                           "on the command line instead");
    const Json settings = Json::parse(*text);  // readPngSettings has checked it
    if (!settings.contains("schedule"))
        throw Error(path + ": its settings (ebm " + textOf(settings, "command") +
                    ") hold no sampling run to repeat; give a picture that ebm sample or ebm inpaint wrote");
    if (!args.isSet("seed")) {
        const Json& seed = setting(settings, path, "seed");
        if (!seed.is_number_unsigned())
            refuseSetting(path, "seed", seed, "a whole number from 0 up");
        options.seed = seed.get<uint64_t>();
    }
    if (!args.isSet("schedule"))
        options.curve = ScheduleCurve::fromJson(setting(settings, path, "schedule").dump(), path + " (its schedule)");
    if (!args.isSet("step-size")) {
        const Json& stepSize = setting(settings, path, "step_size");
        if (!stepSize.is_number() || !std::isfinite(stepSize.get<double>()) || stepSize.get<double>() <= 0)
            refuseSetting(path, "step_size", stepSize, "a positive number");
        options.stepSize = stepSize.get<double>();
    }
    if (!args.isSet("sampler") && settings.contains("sampler")) {  // ebm inpaint's have none
        const Json& sampler = settings["sampler"];
        if (!sampler.is_string() || (sampler != toString(Sampler::Langevin) && sampler != toString(Sampler::Mala)))
            refuseSetting(path, "sampler", sampler, "\"langevin\" or \"mala\"");
        options.sampler = parseSampler(sampler.get<std::string>());
    }
    if (!args.isSet("precision")) {
        const Json& precision = setting(settings, path, "precision");
        try {
            options.precision = parsePrecision(precision.is_string() ? precision.get<std::string>() : "");
        } catch (const Error&) {
            refuseSetting(path, "precision", precision, "a precision (float32, tf32, bf16)");
        }
    }
    if (!args.isSet("no-denoise")) {
        const Json& finalDenoise = setting(settings, path, "final_denoise");
        if (!finalDenoise.is_boolean())
            refuseSetting(path, "final_denoise", finalDenoise, "true or false");
        options.finalDenoise = finalDenoise.get<bool>();
    }
    if (!args.isSet("num")) {
        const Json& count = setting(settings, path, "samples");
        if (!count.is_number_integer() || count.get<long long>() < 1 || count.get<long long>() > kMaxSamplesPerRun)
            refuseSetting(path, "samples", count, "a whole number from 1 to " + std::to_string(kMaxSamplesPerRun));
        options.numSamples = count.get<int64_t>();
    }
    warnAboutDifferences(settings, path, args, model);
}

void printPictureSettings(const std::string& path, bool oneLine)
{
    const std::optional<std::string> text = readPngSettings(path);
    if (!text)
        throw Error(path + " holds no EBM Studio settings (written by another program)");
    std::cout << Json::parse(*text).dump(oneLine ? -1 : 2) << '\n';
}

}  // namespace ebm::cli
