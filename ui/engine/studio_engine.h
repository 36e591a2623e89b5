#pragma once
// The GUI thread's handle on the worker: a JobRunner (one job at a time on the worker thread,
// one busy state), the model-wide state (model, runtime), and typed conveniences for the jobs
// the three first pages run. A new page starts its own Job class with start() and listens to
// the JobHandle it gets back; it needs no change here. Never blocks, never calls torch.
#include <QObject>
#include <QPointer>

#include <atomic>
#include <memory>
#include <optional>

#include "engine/job_handle.h"
#include "engine/job_runner.h"
#include "engine/studio_types.h"

namespace ebm {
class Schedule;
class ScheduleFeed;
}  // namespace ebm

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
    /// Returns false (with a problem() message) while training or evaluation runs.
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

    // --- sampling ------------------------------------------------------------------------
    /// Queues a run (or, while training, runs it on the current training weights between two
    /// training steps). Returns its id, 0 when refused.
    int startSampling(const SamplingSettings& settings);
    void pauseSampling();
    void resumeSampling();
    void stepSampling();
    void stopSampling();
    void setDenoisedPreview(bool on) { denoisedPreview_->store(on); }
    /// The running run follows `schedule` from its next step on (steps taken keep theirs);
    /// samplingScheduleChanged() follows once it has. False when no run is going.
    bool updateSamplingSchedule(const ebm::Schedule& schedule);
    bool isSampling() const { return isActive(sampling_); }
    /// The sampling run in progress (null when none): its buttons.
    JobHandle* samplingJob() const { return isSampling() ? sampling_.data() : nullptr; }
    bool isSamplingPaused() const { return isSampling() && sampling_->isPaused(); }
    int currentRunId() const { return isSampling() ? runId_ : 0; }
    void exportSamplesNpy(const QString& path);

    // --- training ------------------------------------------------------------------------
    bool startTraining(const TrainingSettings& settings);
    bool resumeTrainingFrom(const QString& checkpointPath, const TrainingSettings& cadence);
    void pauseTraining();
    void continueTraining();
    void stepTraining();
    void stopTraining();
    /// "Save now": written between two steps of the running job.
    void saveTrainingCheckpoint(const QString& path);
    bool isTraining() const { return isActive(training_); }
    /// The training run in progress (null when none): its buttons.
    JobHandle* trainingJob() const { return isTraining() ? training_.data() : nullptr; }
    bool isTrainingPaused() const { return isTraining() && training_->isPaused(); }

    // --- evaluation ----------------------------------------------------------------------
    /// Queues an evaluation of the loaded model; refused (false, with a problem()) while
    /// another job runs, since all three share the worker's cores.
    bool startEvaluation(const EvaluationSettings& settings);
    /// Ends the running evaluation between two batches; nothing is measured then.
    void stopEvaluation();
    bool isEvaluating() const { return isActive(evaluation_); }

Q_SIGNALS:
    void runtimeChanged(const ebm::studio::RuntimeInfo& info);
    void modelLoaded(const ebm::studio::ModelInfo& info);
    void modelLoadFailed(const QString& path, const QString& message);
    void modelSaved(const QString& path);
    void samplingStarted(const ebm::studio::SamplingRunInfo& info);
    /// An edited schedule took over the running run (info.scheduleUpdate is set).
    void samplingScheduleChanged(const ebm::studio::SamplingRunInfo& info);
    void sampleFrames(const ebm::studio::SampleFrameBatch& batch);
    void samplingFinished(const ebm::studio::SamplingOutcome& outcome);
    void trainingStarted(const ebm::studio::TrainingRunInfo& info);
    void trainingProgress(const ebm::studio::TrainProgressBatch& batch);
    void trainingPreview(const ebm::studio::TrainingPreview& preview);
    void trainingFinished(const ebm::studio::TrainingOutcome& outcome);
    void checkpointSaved(const QString& path, qint64 step);
    void evaluationProgress(const ebm::studio::EvaluationProgressInfo& progress);
    void evaluationFinished(const ebm::studio::EvaluationOutcome& outcome);
    void jobStateChanged(ebm::studio::JobKind kind, ebm::studio::JobState state);
    void problem(const QString& message);
    void notice(const QString& message);
    /// A job was queued, started, paused, resumed or finished, or the model changed: refresh buttons.
    void activityChanged();

private:
    /// Passes a button press to a job that is still running (no-op once it has finished).
    static void whenRunning(JobHandle* job, void (JobHandle::*action)());
    static bool isActive(const QPointer<JobHandle>& h) { return h && h->isActive(); }
    /// Re-emits what a sampling, training or evaluation job reports as the typed signals above.
    void forward(JobHandle* handle, JobKind kind);
    void forwardProgress(const QVariant& value);
    void takeModel(const ModelInfo& info);

    std::unique_ptr<StudioWorker> worker_;  // its context is used on the runner's thread
    std::unique_ptr<JobRunner> runner_;     // declared after worker_: joins the thread first
    std::shared_ptr<std::atomic<bool>> denoisedPreview_ = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<ebm::ScheduleFeed> scheduleFeed_;  // of the present sampling run
    QPointer<JobHandle> sampling_;
    QPointer<JobHandle> training_;
    QPointer<JobHandle> evaluation_;
    ModelInfo model_;
    RuntimeInfo runtime_;
    bool hasModel_ = false;
    /// A model opened by a load job, announced when the job has ended (so that nothing is
    /// busy any more when pages hear of it).
    std::optional<ModelInfo> openedModel_;
    int runId_ = 0;
};

}  // namespace ebm::studio
