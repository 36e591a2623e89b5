#include "settings_from_image.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "ebm/base/error.h"
#include "ebm/base/png_settings.h"
#include "ebm/base/sha256.h"
#include "ebm/schedule/sampling_settings.h"
#include "command_support.h"

namespace ebm::cli {
namespace {

/// Digits of a SHA-256 shown in a warning: enough to tell two files apart at a glance.
constexpr size_t kShownDigits = 12;

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
    SamplingOptions ran = options;  // what the configuration resolved: the run's own values
    ran.seed = config.seed;
    ran.sampler = config.sampler;
    ran.precision = config.precision;
    ran.finalDenoise = config.finalDenoise;
    return samplingSettingsJson(ran, config.schedule, config.stepSize);
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
    if (!holdsSamplingRun(settings))
        throw Error(path + ": its settings (ebm " + textOf(settings, "command") +
                    ") hold no sampling run to repeat; give a picture that ebm sample or ebm inpaint wrote");
    SamplingSettingsKeys keys;  // what the command line gives wins
    keys.seed = !args.isSet("seed");
    keys.schedule = !args.isSet("schedule");
    keys.stepSize = !args.isSet("step-size");
    keys.sampler = !args.isSet("sampler");
    keys.precision = !args.isSet("precision");
    keys.finalDenoise = !args.isSet("no-denoise");
    keys.samples = !args.isSet("num");
    readSamplingSettings(settings, path, "give the sampling options on the command line instead", options, keys);
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
