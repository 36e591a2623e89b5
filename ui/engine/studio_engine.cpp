#include "engine/studio_engine.h"

#include "engine/job_control.h"
#include "engine/jobs/evaluate_job.h"
#include "engine/jobs/model_jobs.h"
#include "engine/jobs/sampling_job.h"
#include "engine/jobs/multiprocess_training_job.h"
#include "engine/jobs/training_job.h"
#include "engine/studio_worker.h"
#include "ebm/schedule_feed.h"

namespace ebm::studio {
namespace {

template <class T>
bool holds(const QVariant& value)
{
    return value.metaType() == QMetaType::fromType<T>();
}

}  // namespace

StudioEngine::StudioEngine(QObject* parent) : QObject(parent)
{
    registerStudioMetaTypes();
    worker_ = std::make_unique<StudioWorker>();
    runner_ = std::make_unique<JobRunner>(worker_->context());

    // The worker emits from the runner's thread: these arrive queued, on the GUI thread.
    connect(worker_.get(), &StudioWorker::checkpointSaved, this, &StudioEngine::checkpointSaved);
    connect(worker_.get(), &StudioWorker::problem, this, &StudioEngine::problem);
    connect(worker_.get(), &StudioWorker::notice, this, &StudioEngine::notice);
    connect(worker_.get(), &StudioWorker::modelSaved, this, &StudioEngine::modelSaved);
    connect(worker_.get(), &StudioWorker::runtimeChanged, this, [this](const RuntimeInfo& info) {
        runtime_ = info;
        Q_EMIT runtimeChanged(info);
    });
    connect(worker_.get(), &StudioWorker::modelLoaded, this, [this](const ModelInfo& info) {
        const JobHandle* load = activeJob(kModelJobKind);
        if (load && load->isRunning())
            openedModel_ = info;  // announced when the load job ends
        else
            takeModel(info);      // e.g. the weights a training run leaves
    });
    connect(worker_.get(), &StudioWorker::modelLoadFailed, this, &StudioEngine::modelLoadFailed);
    connect(runner_.get(), &JobRunner::activityChanged, this, &StudioEngine::activityChanged);
}

StudioEngine::~StudioEngine() = default;

void StudioEngine::takeModel(const ModelInfo& info)
{
    model_ = info;
    hasModel_ = true;
    Q_EMIT modelLoaded(info);
    Q_EMIT activityChanged();
}

JobHandle* StudioEngine::start(std::unique_ptr<Job> job, JobRunner::StartPolicy policy)
{
    return runner_->start(std::move(job), policy);
}

void StudioEngine::forward(JobHandle* handle, JobKind kind)
{
    connect(handle, &JobHandle::progress, this, &StudioEngine::forwardProgress);
    connect(handle, &JobHandle::pausedChanged, this, [this, kind](bool paused) {
        Q_EMIT jobStateChanged(kind, paused ? JobState::Paused : JobState::Running);
    });
}

void StudioEngine::forwardProgress(const QVariant& value)
{
    if (holds<SampleFrameBatch>(value)) {
        Q_EMIT sampleFrames(value.value<SampleFrameBatch>());
    } else if (holds<SamplingRunInfo>(value)) {
        const SamplingRunInfo info = value.value<SamplingRunInfo>();
        if (info.scheduleUpdate) {
            Q_EMIT samplingScheduleChanged(info);
            return;
        }
        Q_EMIT samplingStarted(info);
        Q_EMIT jobStateChanged(JobKind::Sampling, JobState::Running);
    } else if (holds<TrainProgressBatch>(value)) {
        Q_EMIT trainingProgress(value.value<TrainProgressBatch>());
    } else if (holds<TrainingRunInfo>(value)) {
        Q_EMIT trainingStarted(value.value<TrainingRunInfo>());
        Q_EMIT jobStateChanged(JobKind::Training, JobState::Running);
    } else if (holds<TrainingPreview>(value)) {
        Q_EMIT trainingPreview(value.value<TrainingPreview>());
    } else if (holds<EvaluationProgressInfo>(value)) {
        Q_EMIT evaluationProgress(value.value<EvaluationProgressInfo>());
    }
}

bool StudioEngine::loadModel(const QString& path)
{
    if (isTraining()) {
        Q_EMIT problem(tr("Stop training before opening another model."));
        return false;
    }
    if (isEvaluating()) {
        Q_EMIT problem(tr("Stop the evaluation before opening another model."));
        return false;
    }
    if (isSampling())
        stopSampling();
    JobHandle* load = start(std::make_unique<LoadModelJob>(path));
    connect(load, &JobHandle::finished, this, [this] {
        if (openedModel_) {
            const ModelInfo info = *openedModel_;
            openedModel_.reset();
            takeModel(info);
        }
    });
    return true;
}

bool StudioEngine::loadBundledModel() { return loadModel(QString()); }

void StudioEngine::saveModel(const QString& path)
{
    if (isTraining()) {
        // The running job owns the weights: save them between two of its steps.
        saveTrainingCheckpoint(path);
        return;
    }
    start(std::make_unique<SaveModelJob>(path));
}

void StudioEngine::exportPytorch(const QString& path)
{
    if (isTraining()) {
        Q_EMIT problem(tr("Stop training before exporting for PyTorch (or save a checkpoint with Ctrl+S and "
                          "export that file with ebm export)."));
        return;
    }
    start(std::make_unique<ExportPytorchJob>(path));
}

void StudioEngine::configureRuntime(const QString& device, int threads)
{
    start(std::make_unique<ConfigureRuntimeJob>(device, threads));
}

int StudioEngine::startSampling(const SamplingSettings& settings)
{
    if (isEvaluating()) {
        Q_EMIT problem(tr("An evaluation is running; wait for it or stop it before sampling."));
        return 0;
    }
    if (isSampling()) {
        Q_EMIT problem(tr("A sampling run is already going; stop it first."));
        return 0;
    }
    if (!hasModel_ && !isTraining()) {
        Q_EMIT problem(tr("No model is loaded yet."));
        return 0;
    }
    const int id = ++runId_;
    scheduleFeed_ = std::make_shared<ebm::ScheduleFeed>();
    auto job = std::make_unique<SamplingJob>(settings, id, denoisedPreview_, scheduleFeed_);
    // While training, the run goes between two training steps, on the weights being trained.
    sampling_ = isTraining() ? runner_->startGuest(std::move(job)) : runner_->start(std::move(job));
    forward(sampling_, JobKind::Sampling);
    connect(sampling_, &JobHandle::finished, this, [this, id](const QVariant& result) {
        SamplingOutcome outcome;
        outcome.runId = id;
        outcome.stopped = true;  // dropped before it ran
        Q_EMIT samplingFinished(result.isValid() ? result.value<SamplingOutcome>() : outcome);
    });
    Q_EMIT activityChanged();  // again, now that isSampling() knows the handle
    return id;
}

void StudioEngine::whenRunning(JobHandle* job, void (JobHandle::*action)())
{
    if (job)
        (job->*action)();
}

bool StudioEngine::updateSamplingSchedule(const ebm::Schedule& schedule)
{
    if (!isSampling() || !scheduleFeed_)
        return false;
    scheduleFeed_->post(schedule);
    return true;
}

void StudioEngine::pauseSampling() { whenRunning(sampling_, &JobHandle::pause); }

void StudioEngine::resumeSampling() { whenRunning(sampling_, &JobHandle::resume); }

void StudioEngine::stepSampling() { whenRunning(sampling_, &JobHandle::step); }

void StudioEngine::stopSampling() { whenRunning(sampling_, &JobHandle::cancel); }

void StudioEngine::exportSamplesNpy(const QString& path)
{
    if (isSampling() || isTraining()) {
        Q_EMIT problem(tr("Export the samples when no job is running."));
        return;
    }
    start(std::make_unique<ExportSamplesJob>(path));
}

bool StudioEngine::startTraining(const TrainingSettings& settings)
{
    return resumeTrainingFrom(QString(), settings);
}

bool StudioEngine::resumeTrainingFrom(const QString& checkpointPath, const TrainingSettings& cadence)
{
    if (isTraining() || isSampling() || isEvaluating()) {
        Q_EMIT problem(tr("Wait for the running job to end (or stop it) before training."));
        return false;
    }
    std::unique_ptr<Job> job;
    if (cadence.processes > 1)  // data-parallel, in processes of its own
        job = checkpointPath.isEmpty() ? std::make_unique<MultiProcessTrainingJob>(cadence)
                                       : std::make_unique<MultiProcessTrainingJob>(checkpointPath, cadence);
    else
        job = checkpointPath.isEmpty() ? std::make_unique<TrainingJob>(cadence)
                                       : std::make_unique<TrainingJob>(checkpointPath, cadence);
    training_ = start(std::move(job));
    forward(training_, JobKind::Training);
    connect(training_, &JobHandle::finished, this, [this](const QVariant& result) {
        TrainingOutcome outcome;
        outcome.stopped = true;
        Q_EMIT trainingFinished(result.isValid() ? result.value<TrainingOutcome>() : outcome);
    });
    Q_EMIT activityChanged();  // again, now that isTraining() knows the handle
    return true;
}

void StudioEngine::pauseTraining() { whenRunning(training_, &JobHandle::pause); }

void StudioEngine::continueTraining() { whenRunning(training_, &JobHandle::resume); }

void StudioEngine::stepTraining() { whenRunning(training_, &JobHandle::step); }

void StudioEngine::stopTraining()
{
    whenRunning(training_, &JobHandle::cancel);
    stopSampling();  // a run interjected into training ends with it
}

void StudioEngine::saveTrainingCheckpoint(const QString& path)
{
    if (!isTraining()) {
        saveModel(path);
        return;
    }
    Interjection work;
    work.kind = Interjection::Kind::SaveCheckpoint;
    work.path = path;
    training_->control().post(work);
}

bool StudioEngine::startEvaluation(const EvaluationSettings& settings)
{
    if (isEvaluating() || isSampling() || isTraining()) {
        Q_EMIT problem(tr("Wait for the running job to end (or stop it) before evaluating."));
        return false;
    }
    if (!hasModel_ && settings.samplesPath.isEmpty()) {
        Q_EMIT problem(tr("No model is loaded yet: open one, or evaluate a file of samples."));
        return false;
    }
    evaluation_ = start(std::make_unique<EvaluateJob>(settings));
    forward(evaluation_, JobKind::Evaluation);
    connect(evaluation_, &JobHandle::finished, this, [this](const QVariant& result) {
        EvaluationOutcome outcome;
        outcome.stopped = true;
        outcome.message = tr("Evaluation stopped; nothing was measured.");
        Q_EMIT evaluationFinished(result.isValid() ? result.value<EvaluationOutcome>() : outcome);
    });
    Q_EMIT activityChanged();  // again, now that isEvaluating() knows the handle
    return true;
}

void StudioEngine::stopEvaluation()
{
    if (evaluation_)
        evaluation_->cancel();
}

}  // namespace ebm::studio
