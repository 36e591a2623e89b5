#pragma once
// The worker's private state, shared by studio_worker.cpp, worker_sampling.cpp and
// worker_training.cpp. It holds torch types, so only those .cpp files include it.
#include <torch/types.h>

#include <memory>
#include <string>

#include "ebm/checkpoint.h"
#include "ebm/model.h"
#include "ebm/trainer.h"
#include "job_control.h"
#include "studio_worker.h"

namespace ebm::studio {

/// First line of an exception text: torch's messages carry C++ back-traces after it.
QString firstLine(const char* text);

struct StudioWorker::Impl {
    StudioWorker* q = nullptr;
    JobControl* samplingControl = nullptr;
    JobControl* trainingControl = nullptr;
    JobControl* evaluationControl = nullptr;

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

    // worker_sampling.cpp
    /// Runs one annealed Langevin run on `model`, reporting frames and honouring the sampling
    /// controls. Never throws: failures end in samplingFinished(failed).
    void runSampling(const SamplingSettings& settings, int runId, ebm::EnergyNetImpl& model, double sigma0,
                     bool fromTrainingWeights);

    // worker_training.cpp
    void runTraining(const TrainingSettings& cadence, TrainingRunInfo runInfo, std::string checkpointPath);
    void startTraining(const TrainingSettings& settings);
    void resumeTraining(const QString& path, const TrainingSettings& cadence);
    void drainInterjections();

    // worker_evaluation.cpp
    void runEvaluation(const EvaluationSettings& settings);
};

}  // namespace ebm::studio
