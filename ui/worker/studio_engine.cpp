#include "worker/studio_engine.h"

#include "jobs/job_control.h"
#include "worker/model_jobs.h"
#include "worker/studio_worker.h"

namespace ebm::studio {

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
    connect(worker_.get(), &StudioWorker::modelKeptForSamplePage, this, [this](const ModelInfo& kept) {
        keptForSampling_ = kept;
        Q_EMIT keptModelChanged();
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

bool StudioEngine::modelIsFree(const QString& action)
{
    if (trainingRun()) {
        Q_EMIT problem(tr("Stop training before %1.").arg(action));
        return false;
    }
    if (activeJob(kEvaluationJobKind)) {
        Q_EMIT problem(tr("Stop the evaluation before %1.").arg(action));
        return false;
    }
    return true;
}

bool StudioEngine::loadModel(const QString& path)
{
    if (!modelIsFree(tr("opening another model")))
        return false;
    if (JobHandle* sampling = activeJob(kSamplingJobKind))
        sampling->cancel();  // its samples would come from a model no longer shown
    JobHandle* load = start(std::make_unique<LoadModelJob>(path));
    connect(load, &JobHandle::finished, this, [this] {
        if (openedModel_) {
            const ModelInfo info = *openedModel_;
            openedModel_.reset();
            if (keptForSampling_) {
                keptForSampling_.reset();  // the worker let it go when it opened this one
                Q_EMIT keptModelChanged();
            }
            takeModel(info);
        }
    });
    return true;
}

bool StudioEngine::loadBundledModel() { return loadModel(QString()); }

void StudioEngine::saveModel(const QString& path)
{
    if (JobHandle* training = trainingRun()) {
        // The running job owns the weights: save them between two of its steps.
        Interjection work;
        work.kind = Interjection::Kind::SaveCheckpoint;
        work.path = path;
        training->control().post(work);
        return;
    }
    start(std::make_unique<SaveModelJob>(path));
}

void StudioEngine::exportPytorch(const QString& path)
{
    if (trainingRun()) {
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

bool StudioEngine::releaseKeptModel()
{
    if (!keptForSampling_)
        return true;
    if (trainingRun()) {
        Q_EMIT problem(tr("Wait for the training run to end: its weights are the ones to sample then."));
        return false;
    }
    // Queued: a run on the kept model ends first, and any run started later samples the loaded one.
    start(std::make_unique<ReleaseKeptModelJob>());
    keptForSampling_.reset();
    Q_EMIT keptModelChanged();
    return true;
}

void StudioEngine::exportSamplesNpy(const QString& path)
{
    if (isBusy()) {
        Q_EMIT problem(tr("Export the samples when no job is running."));
        return;
    }
    start(std::make_unique<ExportSamplesJob>(path));
}

}  // namespace ebm::studio
