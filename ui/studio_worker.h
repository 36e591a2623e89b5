#pragma once
// The one object that touches torch. It lives on a background QThread, owns the model (on CUDA
// when present, else CPU) and runs one job at a time; everything it reports leaves as plain
// values through queued signals. Torch stays behind the pimpl, out of moc's sight.
#include <QObject>
#include <QString>

#include <memory>

#include "studio_types.h"

namespace ebm::studio {

class JobControl;

class StudioWorker : public QObject {
    Q_OBJECT
public:
    /// The controls are owned by the engine and outlive the worker.
    StudioWorker(JobControl* samplingControl, JobControl* trainingControl, JobControl* evaluationControl);
    ~StudioWorker() override;

public Q_SLOTS:
    /// Sets the device ("auto", "cpu", "cuda") and intra-op threads (0 = one per core) from the
    /// worker's own thread: OpenMP thread counts are per calling thread.
    void configureRuntime(const QString& device, int threads);
    /// Opens a native .ebm or reference .pt file; on failure the current model stays.
    void loadModel(const QString& path);
    /// The bundled Fashion-MNIST model; a missing file gives a clear message and an untrained
    /// stand-in so that the studio stays usable.
    void loadBundledModel();
    void saveModel(const QString& path);
    void sample(const ebm::studio::SamplingSettings& settings, int runId);
    void train(const ebm::studio::TrainingSettings& settings);
    /// Continues a native checkpoint exactly where it stopped, to the length it planned. From
    /// `cadence` it takes previews, automatic checkpoints, and a new length for a finished run.
    void resumeTraining(const QString& checkpointPath, const ebm::studio::TrainingSettings& cadence);
    void exportSamplesNpy(const QString& path);
    /// Measures the current model (or a file of samples) as `ebm eval` does, reporting each
    /// stage; stops between two batches when the evaluation control is cancelled.
    void evaluate(const ebm::studio::EvaluationSettings& settings);

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
    /// A problem the person should see (also logged).
    void problem(const QString& message);
    /// Something done that deserves a line in the status bar.
    void notice(const QString& message);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
    friend struct Impl;
};

}  // namespace ebm::studio
