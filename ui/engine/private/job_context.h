#pragma once
// What a job runs with: the worker-owned model, device and trainer. It holds torch types, so
// only the .cpp files of the worker and of jobs include it (moc never reads it).
#include <torch/types.h>

#include <memory>
#include <string>

#include "ebm/checkpoint.h"
#include "ebm/model.h"
#include "ebm/schedule_feed.h"
#include "ebm/trainer.h"
#include "engine/job.h"
#include "engine/job_control.h"
#include "engine/studio_worker.h"

namespace ebm::studio {

/// First line of an exception text: torch's messages carry C++ back-traces after it.
QString firstLine(const char* text);

/// What an inpainting run completes: images [N, C, H, W] and the mask [1, 1, H, W] (1 = generate).
struct InpaintInput {
    torch::Tensor images;
    torch::Tensor mask;
    bool referenceNoise = false;  // the reference code's 0.1*T^(1/4) on known pixels
};

/// The loss history of a checkpoint for the loss chart: at most a few thousand points, smoothed
/// like the trainer's loss, spread over the steps it covers (jobs/training_job.cpp).
QVector<TrainPoint> thinnedLossHistory(const ebm::Checkpoint& cp);

struct JobContext {
    StudioWorker* q = nullptr;             // emits the model-wide signals (loaded, saved, notices)

    torch::Device device{torch::kCPU};
    ebm::EnergyNet net;                    // the model that sampling uses
    ebm::Checkpoint metadata;              // its checkpoint without weights (to save it again)
    ModelInfo info;
    std::unique_ptr<ebm::Trainer> trainer; // the active or most recent training run
    bool trainingActive = false;
    torch::Tensor lastSamples;             // samples of the last run, CPU, for .npy export

    RuntimeInfo runtimeInfo() const;
    /// Makes `model` the one sampling uses and announces it.
    void adopt(ebm::EnergyNet model, ebm::Checkpoint meta, ModelInfo described);
    ModelInfo describe(const ebm::Checkpoint& cp, const ebm::EnergyNetImpl& model) const;

    // studio_worker.cpp: the model and runtime jobs
    void configureRuntime(const QString& device, int threads);
    /// Opens a native .ebm or reference .pt file; on failure the current model stays.
    bool loadModel(const QString& path);
    /// The bundled Fashion-MNIST model; a missing file gives a clear message and an untrained
    /// stand-in so that the studio stays usable.
    bool loadBundledModel();
    void saveModel(const QString& path);
    void exportSamplesNpy(const QString& path);
    /// Writes the model's weights in use as the reference code's PyTorch state_dict.
    void exportPytorch(const QString& path);

    // jobs/sampling_job.cpp
    /// One annealed Langevin run on `model`, reporting frames through `report` and honouring
    /// `control`. Never throws: failures are in the outcome.
    /// Annealed Langevin with live frames; with `inpaint`, the known pixels of its images stay
    /// clamped (ebm::inpaint). The final samples go to `samples` when given.
    SamplingOutcome runSampling(const SamplingSettings& settings, int runId, ebm::EnergyNetImpl& model,
                                double sigma0, bool fromTrainingWeights, const std::atomic<bool>& denoisedPreview,
                                const std::shared_ptr<ebm::ScheduleFeed>& scheduleFeed, JobControl& control,
                                JobReporter& report, const InpaintInput* inpaint = nullptr,
                                torch::Tensor* samples = nullptr);

    // jobs/training_job.cpp
    TrainingOutcome runTraining(const TrainingSettings& cadence, TrainingRunInfo runInfo, std::string checkpointPath,
                                JobControl& control, JobReporter& report);
    TrainingOutcome startTraining(const TrainingSettings& settings, JobControl& control, JobReporter& report);
    TrainingOutcome resumeTraining(const QString& path, const TrainingSettings& cadence, JobControl& control,
                                   JobReporter& report);
    /// Work asked of a training job that ended first (save now) still gets done.
    void drainInterjections(JobControl& control);

    // jobs/evaluate_job.cpp
    EvaluationOutcome runEvaluation(const EvaluationSettings& settings, JobControl& control, JobReporter& report);
};

}  // namespace ebm::studio
