#pragma once
// The GUI thread's handle on the worker: starts the worker thread, queues jobs, answers the
// buttons of running jobs at once through JobControl, and keeps a plain summary of what runs.
// Views talk to this object only; it never blocks and never calls torch.
#include <QObject>
#include <QThread>

#include "job_control.h"
#include "studio_types.h"

namespace ebm::studio {

class StudioWorker;

class StudioEngine : public QObject {
    Q_OBJECT
public:
    explicit StudioEngine(QObject* parent = nullptr);
    /// Stops every job (they answer between two steps) and joins the worker thread.
    ~StudioEngine() override;

    // --- model and runtime ----------------------------------------------------------------
    /// Returns false (with a problem() message) while training runs.
    bool loadModel(const QString& path);
    bool loadBundledModel();
    void saveModel(const QString& path);
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
    void setDenoisedPreview(bool on);
    bool isSampling() const { return samplingActive_; }
    bool isSamplingPaused() const { return samplingActive_ && samplingPaused_; }
    int currentRunId() const { return samplingActive_ ? runId_ : 0; }
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
    bool isTraining() const { return trainingActive_; }

    // --- evaluation ----------------------------------------------------------------------
    /// Queues an evaluation of the loaded model; refused (false, with a problem()) while
    /// another job runs, since all three share the worker's cores.
    bool startEvaluation(const EvaluationSettings& settings);
    /// Ends the running evaluation between two batches; nothing is measured then.
    void stopEvaluation();
    bool isEvaluating() const { return evaluationActive_; }
    bool isTrainingPaused() const { return trainingActive_ && trainingPaused_; }

Q_SIGNALS:
    void runtimeChanged(const ebm::studio::RuntimeInfo& info);
    void modelLoaded(const ebm::studio::ModelInfo& info);
    void modelLoadFailed(const QString& path, const QString& message);
    void modelSaved(const QString& path);
    void samplingStarted(const ebm::studio::SamplingRunInfo& info);
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
    /// Any of isSampling / isTraining / isEvaluating / paused / hasModel changed: refresh buttons.
    void activityChanged();

private:
    QThread thread_;
    StudioWorker* worker_ = nullptr;  // lives on thread_, deleted when it finishes
    JobControl samplingControl_;
    JobControl trainingControl_;
    JobControl evaluationControl_;
    ModelInfo model_;
    RuntimeInfo runtime_;
    bool hasModel_ = false;
    bool modelRequested_ = false;     // a load is queued: keep Sample disabled until it lands
    bool samplingActive_ = false;
    bool samplingPaused_ = false;
    bool trainingActive_ = false;
    bool trainingPaused_ = false;
    bool evaluationActive_ = false;
    int runId_ = 0;
};

}  // namespace ebm::studio
