// The training job: MDSM steps one at a time, so that pause, single step, stop, "save now" and
// "sample from the current weights" (a guest job) happen between two steps.
#include "pages/train/training_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "ebm/base/error.h"
#include "ebm/schedule/schedule.h"
#include "ebm/nn/runtime.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "ebm/sample/sampler.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"
#include "worker/model_jobs.h"
#include "worker/studio_worker.h"
#include "worker/tensor_images.h"

namespace ebm::studio {
namespace {

using Clock = std::chrono::steady_clock;

// The loss chart needs every step but not a signal per step: ten batches a second.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
constexpr double kHistorySmoothing = 0.98;  // same EMA weight as the trainer's smoothed loss
constexpr int kMaxHistoryPoints = 5000;     // resumed runs: thinned earlier loss for the chart
// Previews use one fixed seed so that successive previews differ only by the weights.
constexpr uint64_t kPreviewSeed = 7;

ebm::TrainConfig trainConfigFrom(const TrainingSettings& s)
{
    ebm::TrainConfig c;
    c.dataset = s.datasetSpec().toStdString();
    c.noise.sigmaMin = s.sigmaMin;
    c.noise.sigmaMax = s.sigmaMax;
    c.noise.spread = ebm::parseNoiseSpread(s.spread.toStdString());
    c.noise.sigma0 = s.sigma0;
    c.precision = ebm::parsePrecision(s.precision.toStdString());
    c.batchSize = s.batchSize;
    c.steps = s.steps;
    c.learningRate = s.learningRate;
    c.cosineDecay = s.cosineDecay;
    c.finalLearningRate = s.finalLearningRate;
    c.seed = s.seed;
    c.checkpointEvery = s.checkpointEvery;
    c.checkpointPath = s.checkpointPath.toStdString();
    return c;
}

ebm::Dataset openTrainingData(const std::string& spec, int channels, int imageSize)
{
    ebm::Dataset data = ebm::openAnyDataset(spec, channels, imageSize, true);
    if (data.data.dim() != 4)
        throw ebm::Error(spec + ": holds points, not images; the studio trains image models");
    return data;
}

/// A few quick samples from the weights of the moment, for the page's preview strip.
void sendPreview(ebm::Trainer& t, const TrainingSettings& cadence, JobControl& control, JobReporter& report)
{
    ebm::SamplingOptions options;
    options.schedule = "quick";
    options.scheduleSteps = std::max(3, cadence.previewSteps);
    options.numSamples = std::clamp(cadence.previewSamples, 1, 64);
    options.seed = kPreviewSeed;
    options.reportEvery = options.scheduleSteps;
    const ebm::SamplerConfig config = ebm::makeSamplerConfig(options, t.config().noise.sigma0);
    ebm::SampleResult r = ebm::annealedLangevin(*t.net(), config, {}, {}, control.cancelFlag());
    if (!r.stopped)
        report.progress(QVariant::fromValue(TrainingPreview{t.completedSteps(), tensorGridImage(r.samples)}));
}

/// The trained weights become the loaded model, ready to save (the Sample page offers them).
void adoptTrainedWeights(JobContext& c, ebm::Trainer& t)
{
    ebm::Checkpoint meta;
    meta.model = t.net()->config();
    meta.hasTraining = true;
    meta.train = t.config();
    meta.step = t.completedSteps();
    meta.format = "training";
    ModelInfo described = c.describe(meta, *t.net());
    described.fromTraining = true;
    described.path.clear();
    // Said plainly wherever the model is named: these are a training run's weights.
    described.description =
        QObject::tr("training run weights (step %1) · %2").arg(t.completedSteps()).arg(described.description);
    c.adopt(t.net(), std::move(meta), std::move(described));
}

TrainingOutcome runTraining(JobContext& c, const TrainingSettings& cadence, TrainingRunInfo runInfo,
                            std::string checkpointPath, JobControl& control, JobReporter& report)
{
    ebm::Trainer& t = *c.training.trainer;
    const int64_t total = t.config().steps;
    c.training.active = true;
    report.progress(QVariant::fromValue(runInfo));

    TrainProgressBatch batch;
    batch.totalSteps = total;
    const Clock::time_point started = Clock::now();  // the loss chart's wall-time axis
    Clock::time_point lastEmit = started;
    auto flush = [&] {
        if (batch.points.isEmpty())
            return;
        report.progress(QVariant::fromValue(batch));
        batch.points.clear();
        lastEmit = Clock::now();
    };

    auto save = [&](const std::string& path) {
        if (path.empty())
            return;
        QDir().mkpath(QFileInfo(QString::fromStdString(path)).absolutePath());
        t.saveCheckpoint(path);
        spdlog::info("checkpoint at step {} written to {}", t.completedSteps(), path);
        Q_EMIT c.worker->checkpointSaved(QString::fromStdString(path), t.completedSteps());
    };

    // A periodic checkpoint that cannot be written (disk full, folder gone) is reported, and
    // training goes on: the weights in memory are fine.
    auto trySave = [&](const std::string& path) {
        try {
            save(path);
        } catch (const std::exception& e) {
            Q_EMIT c.worker->problem(QObject::tr("Could not save the checkpoint: %1").arg(firstLine(e.what())));
        }
    };

    auto handle = [&](const Interjection& work) {
        if (work.kind == Interjection::Kind::SaveCheckpoint) {
            trySave(work.path.toStdString());
        } else if (work.guest) {
            flush();
            work.guest();  // e.g. sampling from t.net() (see SamplingJob::run)
        }
    };
    // Between two steps: false means stop. Blocks on the worker thread while paused, waking for
    // resume, a single step, stop, or interjected work.
    auto gate = [&] { return control.awaitNextStep(report, flush, handle); };

    TrainingOutcome outcome;
    try {
        while (t.completedSteps() < total) {
            if (!gate()) {
                outcome.stopped = true;
                break;
            }
            const ebm::TrainProgress p = t.step();
            const double wallSeconds = std::chrono::duration<double>(Clock::now() - started).count();
            batch.points.push_back(TrainPoint{p.step, p.loss, p.smoothedLoss, p.learningRate, wallSeconds});
            batch.stepsPerSecond = p.stepsPerSecond;
            batch.etaSeconds = p.etaSeconds;
            if (cadence.checkpointEvery > 0 && p.step % cadence.checkpointEvery == 0)
                trySave(checkpointPath);
            if (cadence.previewEvery > 0 && p.step % cadence.previewEvery == 0) {
                flush();
                sendPreview(t, cadence, control, report);
            }
            if (control.pauseRequested() || Clock::now() - lastEmit >= kProgressInterval)
                flush();
        }
        outcome.completed = t.completedSteps() >= total;
        // The end of a run, finished or stopped, is kept like a periodic checkpoint.
        trySave(checkpointPath);
    } catch (const std::exception& e) {
        // A non-finite loss lands here: the trainer kept the last good weights, and the last
        // checkpoint on disk is left as it was.
        outcome.failed = true;
        outcome.message = firstLine(e.what());
        spdlog::error("training stopped: {}", outcome.message.toStdString());
    }
    flush();
    outcome.step = t.completedSteps();
    if (outcome.completed)
        outcome.message = QObject::tr("Training finished at step %1.").arg(outcome.step);
    else if (outcome.stopped)
        outcome.message = QObject::tr("Training stopped at step %1.").arg(outcome.step);
    c.training.active = false;

    if (t.completedSteps() > 0)
        adoptTrainedWeights(c, t);
    return outcome;
}

TrainingOutcome startTraining(JobContext& c, const TrainingSettings& settings, JobControl& control,
                              JobReporter& report)
{
    try {
        // Fine-tuning takes the architecture (and so the image shape) from the starting weights.
        std::optional<ebm::Checkpoint> start;
        if (!settings.initialWeights.isEmpty()) {
            Q_EMIT c.worker->notice(QObject::tr("Opening the starting weights…"));
            start = ebm::loadCheckpoint(settings.initialWeights.toStdString());
            if (!start->model.isImageModel())
                throw ebm::Error(settings.initialWeights.toStdString() +
                                 ": holds a point (MLP) model; the studio fine-tunes image models");
        }
        Q_EMIT c.worker->notice(QObject::tr("Opening the data set…"));
        ebm::Dataset data = openTrainingData(settings.datasetSpec().toStdString(),
                                             start ? start->model.inChannels : settings.imageChannels,
                                             start ? start->model.imageSize : settings.imageSize);
        ebm::ModelConfig model;
        if (start) {
            model = start->model;
        } else {
            model.arch = ebm::parseArchitecture(settings.architecture.toStdString());
            model.head = ebm::parseHead(settings.head.toStdString());
            model.baseWidth = settings.width;
        }
        model.inChannels = static_cast<int>(data.data.size(1));
        model.imageSize = static_cast<int>(data.data.size(2));
        ebm::TrainConfig config = trainConfigFrom(settings);
        // The steps behind the starting weights stay countable: the window shows the total.
        if (start && start->hasTraining) {
            const std::string& before = start->train.history;
            config.history = ebm::appendHistory(
                before, ebm::fineTuneHistoryEntry(QFileInfo(settings.initialWeights).fileName().toStdString(),
                                                  start->step + ebm::stepsBeforeThisRun(before)));
        }
        TrainingRunInfo info;
        info.modelDescription = QString::fromStdString(model.describe());
        if (start)
            info.modelDescription += QObject::tr(", fine-tuned from %1").arg(QFileInfo(settings.initialWeights).fileName());
        info.datasetName = QString::fromStdString(data.name.empty() ? config.dataset : data.name);
        info.datasetSize = data.size();
        info.totalSteps = config.steps;
        info.batchSize = config.batchSize;
        info.checkpointPath = settings.checkpointPath;
        spdlog::info("training {} on {} ({} items) with {}", model.describe(), config.dataset, data.size(),
                     ebm::describeDevice(c.model.device));
        c.training.trainer = std::make_unique<ebm::Trainer>(model, config, std::move(data), c.model.device);
        if (start)
            c.training.trainer->startFromWeights(*start);
        return runTraining(c, settings, info, config.checkpointPath, control, report);
    } catch (const std::exception& e) {
        TrainingOutcome outcome;
        outcome.failed = true;
        outcome.message = QObject::tr("Training could not start: %1").arg(firstLine(e.what()));
        spdlog::error("{}", outcome.message.toStdString());
        return outcome;
    }
}

TrainingOutcome resumeTraining(JobContext& c, const QString& path, const TrainingSettings& cadence,
                               JobControl& control, JobReporter& report)
{
    try {
        ebm::Checkpoint cp = ebm::loadCheckpoint(path.toStdString());
        if (!cp.hasTraining)
            throw ebm::Error(path.toStdString() + ": holds weights only (no optimizer state), so it cannot be "
                                                  "resumed exactly; open it as a model to sample from it");
        Q_EMIT c.worker->notice(
            QObject::tr("Opening the data set %1…").arg(QString::fromStdString(cp.train.dataset)));
        ebm::Dataset data = openTrainingData(cp.train.dataset, cp.model.inChannels, cp.model.imageSize);
        const QVector<TrainPoint> history = thinnedLossHistory(cp);  // with the plan it was trained under
        // An exact continuation keeps the planned length (the cosine learning rate depends on
        // it); a run that already reached it is extended to the length asked for.
        if (cp.step >= cp.train.steps && cadence.steps > cp.step)
            cp.train.steps = cadence.steps;
        std::string checkpointPath = cadence.checkpointPath.toStdString();
        if (checkpointPath.empty())
            checkpointPath = cp.train.checkpointPath.empty() ? path.toStdString() : cp.train.checkpointPath;
        cp.train.checkpointPath = checkpointPath;
        cp.train.checkpointEvery = cadence.checkpointEvery;
        TrainingRunInfo info;
        info.modelDescription = QString::fromStdString(cp.model.describe());
        info.datasetName = QString::fromStdString(data.name.empty() ? cp.train.dataset : data.name);
        info.datasetSize = data.size();
        info.startStep = cp.step;
        info.totalSteps = cp.train.steps;
        info.batchSize = static_cast<int>(cp.train.batchSize);
        info.history = history;
        info.checkpointPath = QString::fromStdString(checkpointPath);
        spdlog::info("resuming {} at step {} of {}", path.toStdString(), cp.step, cp.train.steps);
        c.training.trainer = std::make_unique<ebm::Trainer>(cp, std::move(data), c.model.device);
        return runTraining(c, cadence, info, checkpointPath, control, report);
    } catch (const std::exception& e) {
        TrainingOutcome outcome;
        outcome.failed = true;
        outcome.message = QObject::tr("Training could not resume: %1").arg(firstLine(e.what()));
        spdlog::error("{}", outcome.message.toStdString());
        return outcome;
    }
}


}  // namespace

void drainInterjections(JobContext& c, JobControl& control)
{
    // Work asked of a training job that ended first still gets done, on the adopted weights.
    while (auto work = control.takeInterjection()) {
        if (work->kind == Interjection::Kind::SaveCheckpoint)
            saveModelTo(c, work->path);
        else if (work->guest)
            work->guest();
    }
}

QVector<TrainPoint> thinnedLossHistory(const ebm::Checkpoint& cp)
{
    QVector<TrainPoint> points;
    const auto& losses = cp.lossHistory;
    if (losses.empty())
        return points;
    // History may be thinned already; spread it over the steps it covers.
    const double stepsPerEntry = static_cast<double>(std::max<int64_t>(cp.step, 1)) / losses.size();
    const size_t stride = std::max<size_t>(1, losses.size() / kMaxHistoryPoints);
    double smoothed = losses.front();
    for (size_t i = 0; i < losses.size(); ++i) {
        smoothed = kHistorySmoothing * smoothed + (1 - kHistorySmoothing) * losses[i];
        if (i % stride != 0 && i + 1 != losses.size())
            continue;
        TrainPoint p;
        p.step = static_cast<qint64>(std::llround((i + 1) * stepsPerEntry));
        p.loss = losses[i];
        p.smoothedLoss = smoothed;
        p.learningRate = ebm::learningRateAt(cp.train, p.step - 1);
        points.push_back(p);
    }
    return points;
}

QVariant TrainingJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    const TrainingOutcome outcome = resumePath_.isEmpty()
                                        ? startTraining(*context, settings_, control, report)
                                        : resumeTraining(*context, resumePath_, settings_, control, report);
    drainInterjections(*context, control);
    return QVariant::fromValue(outcome);
}

}  // namespace ebm::studio
