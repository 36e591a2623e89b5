// Saving a recorded run as a run file and loading one back (ebm/io/run_bundle.h), on the worker.
#include "annealing/run_bundle_job.h"

#include <torch/torch.h>

#include <QFileInfo>
#include <QObject>

#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <new>

#include "ebm/base/error.h"
#include "ebm/io/run_bundle.h"
#include "jobs/job_control.h"
#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "worker/tensor_images.h"
#include "annealing/run_history.h"

namespace ebm::studio {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kProgressInterval = std::chrono::milliseconds(100);  // at most ten reports a second
constexpr int kGray = 1, kRgb = 3;
constexpr float kByteScale = 255.0f;

/// Reports RunBundleProgress at most every kProgressInterval, and always the last moment.
class ProgressThrottle {
public:
    ProgressThrottle(JobReporter& report, int total) : report_(report), total_(total) {}
    void done(int count)
    {
        const Clock::time_point now = Clock::now();
        if (count < total_ && now - last_ < kProgressInterval)
            return;
        last_ = now;
        report_.progress(QVariant::fromValue(RunBundleProgress{count, total_}));
    }

private:
    JobReporter& report_;
    int total_;
    Clock::time_point last_{};
};

/// One sample's pixels into `out` ([C, H, W] bytes) as gray or RGB, as the run's first image was.
void copyPixels(const QImage& image, int channels, uint8_t* out)
{
    const QImage packed = image.convertToFormat(channels == kGray ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    const int width = packed.width(), height = packed.height();
    const size_t plane = size_t(width) * size_t(height);
    for (int y = 0; y < height; ++y) {
        const uchar* line = packed.constScanLine(y);
        if (channels == kGray) {
            std::memcpy(out + size_t(y) * width, line, size_t(width));
            continue;
        }
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < kRgb; ++c)
                out[c * plane + size_t(y) * width + x] = line[x * kRgb + c];
    }
}

QString runName(QString path)
{
    while (path.size() > 1 && path.endsWith(QLatin1Char('/')))
        path.chop(1);
    QString name = QFileInfo(path).fileName();
    if (name.endsWith(runBundleSuffix()))
        name.chop(runBundleSuffix().size());
    return name;
}

/// The bundle of `snapshots`; throws ebm::Error when its moments are not of one shape.
ebm::RunBundle bundleOf(const QVector<SampleSnapshot>& snapshots, JobControl& control, ProgressThrottle& progress,
                        bool& cancelled)
{
    const SampleSnapshot& first = snapshots.front();
    if (first.raw.isEmpty())
        throw ebm::Error("the run recorded no samples to save");
    const int samples = static_cast<int>(first.raw.size());
    const QSize size = first.raw.front().size();
    // The format says it, not the pixels: an RGB run whose first image happens to be gray stays RGB.
    const int channels = first.raw.front().format() == QImage::Format_Grayscale8 ? kGray : kRgb;
    const int64_t moments = snapshots.size();
    const int64_t frameBytes = moments * samples * channels * int64_t(size.width()) * size.height();
    if (frameBytes > ebm::kMaxRunBundleFrameBytes)
        throw ebm::Error("the run's " + std::to_string(moments) + " recorded moments take " +
                         std::to_string(frameBytes >> 20) + " MiB, more than a run file holds (" +
                         std::to_string(ebm::kMaxRunBundleFrameBytes >> 20) + " MiB); record fewer moments");

    ebm::RunBundle bundle;
    bundle.frames = torch::empty({moments, samples, channels, size.height(), size.width()}, torch::kUInt8);
    bundle.steps = torch::empty({moments}, torch::kInt);
    bundle.temperatures = torch::empty({moments}, torch::kDouble);
    bundle.energies = torch::full({moments, samples}, std::numeric_limits<double>::quiet_NaN(), torch::kDouble);
    bundle.finalFlags = torch::empty({moments}, torch::kUInt8);
    uint8_t* frames = bundle.frames.data_ptr<uint8_t>();
    int32_t* steps = bundle.steps.data_ptr<int32_t>();
    double* temperatures = bundle.temperatures.data_ptr<double>();
    double* energies = bundle.energies.data_ptr<double>();
    uint8_t* finals = bundle.finalFlags.data_ptr<uint8_t>();
    const size_t imageBytes = size_t(channels) * size.width() * size.height();
    for (int64_t f = 0; f < moments; ++f) {
        if (control.cancelRequested()) {
            cancelled = true;
            return {};
        }
        const SampleSnapshot& moment = snapshots[f];
        if (moment.raw.size() != samples)
            throw ebm::Error("moment " + std::to_string(f) + " (step " + std::to_string(moment.step) + ") holds " +
                             std::to_string(moment.raw.size()) + " samples where the first holds " +
                             std::to_string(samples) + "; a run file keeps one shape");
        for (int i = 0; i < samples; ++i) {
            if (moment.raw[i].size() != size)
                throw ebm::Error("moment " + std::to_string(f) + " holds an image of another size than the first");
            copyPixels(moment.raw[i], channels, frames + (size_t(f) * samples + i) * imageBytes);
        }
        steps[f] = moment.step;
        temperatures[f] = moment.temperature;
        finals[f] = moment.final ? 1 : 0;
        // A moment without energies keeps NaN: numpy and the Compare page show them as missing.
        for (int i = 0; i < samples && i < moment.energies.size(); ++i)
            energies[f * samples + i] = moment.energies[i];
        progress.done(static_cast<int>(f + 1));
    }
    return bundle;
}

/// A refusal of any kind as one line (torch's texts carry back-traces after the first).
QString firstLineOf(const std::exception& e)
{
    const QString text = QString::fromStdString(e.what());
    return text.left(text.indexOf(QLatin1Char('\n')));
}

}  // namespace

QString runBundleSuffix() { return QString::fromLatin1(ebm::kRunBundleSuffix); }

QString runBundleFilter() { return QObject::tr("EBM Studio runs (*%1)").arg(runBundleSuffix()); }

void registerRunBundleTypes()
{
    qRegisterMetaType<RunBundleProgress>();
    qRegisterMetaType<RunBundleSaved>();
    qRegisterMetaType<LoadedRunBundle>();
}

QVariant SaveRunBundleJob::run(JobContext*, JobControl& control, JobReporter& report)
{
    RunBundleSaved result;
    result.path = path_;
    try {
        if (snapshots_.isEmpty())
            throw ebm::Error("there is no recorded run to save");
        ProgressThrottle progress(report, static_cast<int>(snapshots_.size()));
        ebm::RunBundle bundle = bundleOf(snapshots_, control, progress, result.cancelled);
        if (result.cancelled)
            return QVariant::fromValue(result);
        bundle.settingsJson = settingsJson_.empty() ? std::string("{}") : settingsJson_;
        ebm::writeRunBundle(path_.toStdString(), bundle);
        result.ok = true;
        result.moments = static_cast<int>(snapshots_.size());
    } catch (const ebm::Error& e) {
        const QString line = firstLineOf(e);
        // The engine's lines name the folder already; the job's own ones do not.
        result.error = line.startsWith(path_) ? line : QStringLiteral("%1: %2").arg(path_, line);
    } catch (const std::bad_alloc&) {
        result.error = QObject::tr("%1: not enough memory to save the run").arg(path_);
    } catch (const std::exception& e) {
        result.error = QStringLiteral("%1: %2").arg(path_, firstLineOf(e));
    }
    return QVariant::fromValue(result);
}

QVariant LoadRunBundleJob::run(JobContext*, JobControl& control, JobReporter& report)
{
    LoadedRunBundle result;
    result.path = path_;
    result.name = runName(path_);
    try {
        const ebm::RunBundle bundle = ebm::readRunBundle(path_.toStdString());
        const int moments = static_cast<int>(bundle.moments());
        result.samples = static_cast<int>(bundle.samples());
        result.channels = static_cast<int>(bundle.frames.size(2));
        result.imageSize = QSize(static_cast<int>(bundle.frames.size(4)), static_cast<int>(bundle.frames.size(3)));
        result.settingsJson = QString::fromStdString(bundle.settingsJson);
        const torch::Tensor steps = bundle.steps.contiguous();
        const torch::Tensor temperatures = bundle.temperatures.contiguous();
        const torch::Tensor finals = bundle.finalFlags.contiguous();
        ProgressThrottle progress(report, moments);
        result.snapshots.reserve(moments);
        for (int f = 0; f < moments; ++f) {
            if (control.cancelRequested()) {
                result.cancelled = true;
                result.snapshots.clear();
                return QVariant::fromValue(result);
            }
            SampleSnapshot moment;
            moment.step = steps.data_ptr<int32_t>()[f];
            moment.temperature = temperatures.data_ptr<double>()[f];
            moment.final = finals.data_ptr<uint8_t>()[f] != 0;
            moment.energies = tensorToDoubles(bundle.energies[f]);
            // tensorToImages takes [0, 1]: byte / 255 comes back to the same byte.
            moment.raw = tensorToImages(bundle.frames[f].to(torch::kFloat32).div(kByteScale));
            result.snapshots.push_back(std::move(moment));
            progress.done(f + 1);
        }
        result.ok = true;
    } catch (const ebm::Error& e) {
        result.error = firstLineOf(e);
    } catch (const std::bad_alloc&) {
        result.error = QObject::tr("%1: not enough memory to open the run").arg(path_);
    } catch (const std::exception& e) {
        result.error = QStringLiteral("%1: %2").arg(path_, firstLineOf(e));
    }
    if (!result.ok)
        result.snapshots.clear();
    return QVariant::fromValue(result);
}

JobHandle* saveRunBundle(StudioEngine* engine, const QString& path, const RunHistory& history,
                         const std::string& settingsJson, QObject* receiver,
                         const std::function<void(bool ok, const QString& message)>& done)
{
    if (history.isEmpty()) {
        done(false, QObject::tr("There is no recorded run to save yet: run the sampler first."));
        return nullptr;
    }
    QVector<SampleSnapshot> snapshots;
    snapshots.reserve(history.size());
    for (int i = 0; i < history.size(); ++i)
        snapshots.push_back(history.at(i));  // shared images: copying them costs nothing here
    JobHandle* handle = engine->start(std::make_unique<SaveRunBundleJob>(path, std::move(snapshots), settingsJson));
    if (!handle) {
        done(false, QObject::tr("%1: the run was not saved (the worker refused the job)").arg(path));
        return nullptr;
    }
    QObject::connect(handle, &JobHandle::finished, receiver, [done, path](const QVariant& result) {
        if (!result.isValid()) {  // dropped before it ran
            done(false, QObject::tr("%1: saving the run was stopped; nothing was written").arg(path));
            return;
        }
        const RunBundleSaved saved = result.value<RunBundleSaved>();
        if (saved.ok)
            done(true, QObject::tr("Saved the run (%1 recorded moments) to %2").arg(saved.moments).arg(path));
        else if (saved.cancelled)
            done(false, QObject::tr("%1: saving the run was stopped; nothing was written").arg(path));
        else
            done(false, saved.error);
    });
    return handle;
}

}  // namespace ebm::studio
