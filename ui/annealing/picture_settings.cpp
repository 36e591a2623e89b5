#include "annealing/picture_settings.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QImage>
#include <QObject>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/base/png_settings.h"
#include "widgets/safe_save.h"
#include "ebm/base/sha256.h"
#include "ebm/schedule/sampling_settings.h"
#include "ebm/schedule/schedule.h"

namespace ebm::studio {
namespace {

/// Two temperatures the same, give or take the rounding of a curve that went through JSON.
constexpr double kSameTemperature = 1e-9;

/// A file's SHA-256, kept for as long as the file keeps its modification time and size.
std::string fileSha256(const QString& path)
{
    struct Known {
        QDateTime modified;
        qint64 size = 0;
        std::string sha256;
    };
    static QHash<QString, Known> known;  // GUI thread only
    const QFileInfo file(path);
    const auto it = known.constFind(path);
    if (it != known.constEnd() && it->modified == file.lastModified() && it->size == file.size())
        return it->sha256;
    std::string sha256 = ebm::fileSha256Hex(QFile::encodeName(path).toStdString());
    known.insert(path, {file.lastModified(), file.size(), sha256});
    return sha256;
}

/// The preset that runs the same temperatures as `curve` at its length, or empty.
QString presetRunning(const ebm::ScheduleCurve& curve)
{
    const std::vector<double> wanted = curve.expand().temperatures();
    for (const QString& name : schedulePresets()) {
        try {
            const std::vector<double> preset =
                ebm::ScheduleCurve::preset(name.toStdString(), curve.steps()).expand().temperatures();
            const bool same = preset.size() == wanted.size() &&
                              std::equal(preset.begin(), preset.end(), wanted.begin(), [](double a, double b) {
                                  return std::abs(a - b) <= kSameTemperature * std::max(1.0, std::abs(a));
                              });
            if (same)
                return name;
        } catch (const ebm::Error&) {
            // a preset that cannot be this long: not this one
        }
    }
    return {};
}

}  // namespace

ebm::Json modelSettings(const ModelInfo& model)
{
    if (model.fromTraining || model.fallback || model.path.isEmpty())
        return ebm::Json{{"description", model.description.toStdString()},
                         {"weights", model.fromTraining ? "training run" : model.fallback ? "untrained stand-in"
                                                                                          : "in memory"}};
    ebm::Json json{{"file", QFileInfo(model.path).fileName().toStdString()}};
    try {
        json["sha256"] = fileSha256(model.path);
    } catch (const ebm::Error&) {
        // The file is gone or unreadable since it was opened: its name still says which it was.
    }
    json["weights"] = model.averagedWeights ? "averaged" : "raw";
    return json;
}

std::string studioPictureSettings(const QString& command, const ModelInfo& model, const SamplingRunInfo& run,
                                  const ebm::Json& details)
{
    try {
        const ebm::SamplingOptions options = toSamplingOptions(run.settings);
        const ebm::Schedule ran(std::vector<double>(run.temperatures.begin(), run.temperatures.end()));
        ebm::Json settings = studioPictureHeader(command.toStdString());
        settings["model"] = run.fromTrainingWeights
                                ? ebm::Json{{"description", run.modelDescription.toStdString()},
                                            {"weights", "training run"}}
                                : modelSettings(model);
        const ebm::Json sampling = ebm::samplingSettingsJson(options, ran, run.settings.stepSize);
        for (const auto& [key, value] : sampling.items())  // items() of a temporary would dangle
            settings[key] = value;
        settings["samples"] = run.numSamples;
        for (const auto& [key, value] : details.items())
            settings[key] = value;
        return settings.dump();
    } catch (const std::exception&) {
        return {};  // settings the run itself could not have read: nothing to keep
    }
}

std::string maskPixelsSha256(const QImage& mask)
{
    const QImage gray = mask.convertToFormat(QImage::Format_Grayscale8);
    ebm::Sha256 sha;
    for (int y = 0; y < gray.height(); ++y)
        sha.update(gray.constScanLine(y), size_t(gray.width()));
    return sha.hex();
}

bool readPictureSampling(const std::string& json, const QString& source, const QStringList& commands,
                         PictureSampling& out, QString& error)
{
    error.clear();
    const ebm::Json settings = ebm::Json::parse(json, nullptr, false);
    const auto command = settings.is_object() ? settings.find("command") : settings.end();
    if (!settings.is_object() || command == settings.end() || !command->is_string() ||
        !commands.contains(QString::fromStdString(command->get<std::string>())))
        return false;
    if (!ebm::holdsSamplingRun(settings)) {
        error = QObject::tr("%1: its settings hold no sampling run to take").arg(source);
        return false;
    }
    ebm::SamplingOptions options;
    try {
        ebm::readSamplingSettings(settings, source.toStdString(), "set the fields by hand instead", options);
    } catch (const ebm::Error& e) {
        error = QString::fromStdString(e.what());
        return false;
    }
    const ebm::ScheduleCurve& curve = *options.curve;
    const QString preset = presetRunning(curve);
    PictureSampling read;
    read.fields.insert(QStringLiteral("schedule"), preset.isEmpty() ? kEditedSchedulePreset : preset);
    read.fields.insert(QStringLiteral("steps"), curve.steps());
    read.fields.insert(QStringLiteral("stepSize"), options.stepSize);
    read.fields.insert(QStringLiteral("sampler"), QString::fromStdString(ebm::toString(options.sampler)));
    read.fields.insert(QStringLiteral("precision"), QString::fromStdString(ebm::toString(options.precision)));
    read.fields.insert(QStringLiteral("seed"), QString::number(options.seed));  // as text: 64 bits survive
    read.fields.insert(QStringLiteral("denoiseJump"), options.finalDenoise);
    read.samples = int(std::min<int64_t>(options.numSamples, std::numeric_limits<int>::max()));
    if (preset.isEmpty())
        read.editedCurve = curve;
    read.settings = settings;
    out = std::move(read);
    return true;
}

}  // namespace ebm::studio
