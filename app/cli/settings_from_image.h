#pragma once
// The settings every PNG of the ebm tool keeps (issue 27): what made the picture, as JSON in its
// "ebm-studio" chunk (ebm::writeImage), for `ebm info --image` to show and for
// `ebm sample --settings-from` to run again.
#include <cstdint>
#include <string>

#include "ebm/base/json.h"
#include "ebm/io/model_file.h"
#include "ebm/sample/sampler.h"
#include "cli_args.h"

namespace ebm::cli {

/// This program's version as the settings record it ("unknown" when the build did not say).
std::string programVersion();

/// A file as settings name it: {"file": its base name, "sha256": its SHA-256}.
Json fileFingerprint(const std::string& path);
/// An input as settings name it: a file by its fingerprint, a data set or folder by name
/// ({"name": "fashion-mnist"}).
Json inputSettings(const std::string& spec);

/// The settings text of a command's pictures: "format", "version", the program's version, the
/// command, the model (base name, SHA-256, weights in use; left out when `model` is null), then
/// the keys of `details` in their order.
std::string pictureSettings(const std::string& command, const OpenedModel* model, const Json& details);

/// A sampling run's settings: seed, schedule (the "ebm-schedule" curve it ran, as an object),
/// step size, sampler, precision and whether the denoising jump ended it.
Json samplingSettings(const SamplingOptions& options, const SamplerConfig& config);

/// The settings of `ebm sample`'s grid: samplingSettings, the number of samples and the start
/// images (--start) when given.
std::string sampleSettings(const CliArgs& args, const OpenedModel& model, const SamplingOptions& options,
                           const SamplerConfig& config, int64_t count);

/// Declares --settings-from FILE.png.
void addSettingsFromOption(CliArgs& args);

/// With --settings-from FILE.png, the picture's seed, schedule, step size, sampler, precision,
/// final jump and number of samples replace those of `options` that the command line does not
/// give. Warns in one line when the model differs from the picture's (by SHA-256) or the picture
/// was sampled from start images that are not given again. Throws ebm::Error naming the file when
/// it holds no settings or no sampling settings. Without the option, does nothing.
void applySettingsFrom(const CliArgs& args, const OpenedModel& model, SamplingOptions& options);

/// `ebm info --image FILE.png`: prints the picture's settings as indented JSON (on one line when
/// `oneLine`). Throws ebm::Error in one line when the picture holds none.
void printPictureSettings(const std::string& path, bool oneLine);

}  // namespace ebm::cli
