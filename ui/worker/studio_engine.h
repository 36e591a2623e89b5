#pragma once
// The GUI thread's handle on the worker: a JobRunner (one job at a time on the worker thread,
// one busy state) and the model-wide state (model, runtime) with the jobs that change it. Every
// page starts its work the same way: start(job, policy), then follows the JobHandle it gets back
// (progress values, pause state, finished). Never blocks, never calls torch.
#include <QObject>
#include <QPointer>

#include <memory>
#include <optional>

#include "jobs/job_handle.h"
#include "jobs/job_runner.h"
#include "worker/job_kinds.h"
#include "worker/studio_types.h"

namespace ebm::studio {

class StudioWorker;

class StudioEngine : public QObject {
    Q_OBJECT
public:
    explicit StudioEngine(QObject* parent = nullptr);
    /// Stops every job (they answer between two steps) and joins the worker thread.
    ~StudioEngine() override;

    // --- any job ---------------------------------------------------------------------------
    /// Starts `job` on the worker thread (see JobRunner for the policies); null when refused.
    JobHandle* start(std::unique_ptr<Job> job, JobRunner::StartPolicy policy = JobRunner::StartPolicy::Queue);
    /// The one busy state: some job runs or waits.
    bool isBusy() const { return runner_->isBusy(); }
    /// The active job of `kind` started last, e.g. to pause it; null when none.
    JobHandle* activeJob(const QString& kind) const { return runner_->activeOfKind(kind); }

    // --- model and runtime ----------------------------------------------------------------
    /// Returns false (with a problem() message) while training or evaluation runs; a sampling
    /// run on the old model is stopped.
    bool loadModel(const QString& path);
    bool loadBundledModel();
    void saveModel(const QString& path);
    /// Writes the model as a PyTorch state_dict (the reference code's keys); refused while training runs.
    void exportPytorch(const QString& path);
    /// "auto", "cpu" or "cuda"; threads 0 = one per core. Applied between jobs.
    void configureRuntime(const QString& device, int threads);
    bool hasModel() const { return hasModel_; }
    const ModelInfo& model() const { return model_; }
    const RuntimeInfo& runtime() const { return runtime_; }

    /// The model the Sample page still samples after a training run's weights became the loaded
    /// model (they are offered there, never switched to silently); nullopt when it samples the
    /// loaded model. Opening a model ends it.
    const std::optional<ModelInfo>& modelKeptForSampling() const { return keptForSampling_; }
    /// The Sample page takes the loaded model (the training run's weights): the kept model is
    /// freed. Refused (false, with a problem()) while a training run goes.
    bool releaseKeptModel();

    /// Writes the final samples of the last sampling run as .npy; refused while a job runs.
    void exportSamplesNpy(const QString& path);

    /// The training run in progress (null when none): pages sample its weights as guests
    /// (StartPolicy::GuestOrQueue) and "save now" goes to it.
    JobHandle* trainingRun() const { return activeJob(kTrainingJobKind); }

Q_SIGNALS:
    void runtimeChanged(const ebm::studio::RuntimeInfo& info);
    void modelLoaded(const ebm::studio::ModelInfo& info);
    /// modelKeptForSampling() changed (emitted before the modelLoaded of a training run's weights).
    void keptModelChanged();
    void modelLoadFailed(const QString& path, const QString& message);
    void modelSaved(const QString& path);
    void checkpointSaved(const QString& path, qint64 step);
    void problem(const QString& message);
    void notice(const QString& message);
    /// A job was queued, started, paused, resumed or finished, or the model changed: refresh buttons.
    void activityChanged();

private:
    void takeModel(const ModelInfo& info);
    /// Refuses (false, with a problem() naming `action`) while training or an evaluation runs.
    bool modelIsFree(const QString& action);

    std::unique_ptr<StudioWorker> worker_;  // its context is used on the runner's thread
    std::unique_ptr<JobRunner> runner_;     // declared after worker_: joins the thread first
    ModelInfo model_;
    RuntimeInfo runtime_;
    bool hasModel_ = false;
    /// A model opened by a load job, announced when the job has ended (so that nothing is
    /// busy any more when pages hear of it).
    std::optional<ModelInfo> openedModel_;
    std::optional<ModelInfo> keptForSampling_;
};

}  // namespace ebm::studio
