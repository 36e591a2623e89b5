#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include "ebm/nn/model.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"

namespace ebm {

class Distributed;

struct TrainProgress {
    int64_t step = 0;            // completed steps
    int64_t totalSteps = 0;
    double loss = 0.0;           // normalised loss of this step (reference code's scale)
    double smoothedLoss = 0.0;   // exponential moving average
    double learningRate = 0.0;
    double stepsPerSecond = 0.0;
    double etaSeconds = 0.0;
};

/// Called after every step; return false to stop after this step (like cancel).
using ProgressCallback = std::function<bool(const TrainProgress&)>;

/// Trains an energy network with MDSM and Adam. Owns the network, optimizer and random state;
/// one step at a time so that callers (CLI loop, studio worker) decide when to pause or stop.
class Trainer {
public:
    /// Fresh run.
    Trainer(const ModelConfig& model, const TrainConfig& config, Dataset data,
            torch::Device device = torch::kCPU);
    /// Resume from a native checkpoint with training state (exactly: same weights, optimizer
    /// moments, data order and noise stream as if it had never stopped).
    Trainer(const Checkpoint& checkpoint, Dataset data, torch::Device device = torch::kCPU);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    /// Fine-tuning: replaces the fresh run's initial weights with `source`'s (native or PyTorch
    /// file) before the first step; the optimizer and learning-rate schedule start afresh.
    /// Throws ebm::Error when the architectures differ or a step has already run.
    void startFromWeights(const Checkpoint& source);

    /// Keeps (decay > 0) or drops (0) an exponential moving average of the weights, updated
    /// after every step and saved in the checkpoint. Switched on mid-run, it starts from the
    /// current weights; a changed decay applies from the next step. Throws ebm::Error unless
    /// 0 <= decay < 1.
    void setAveraging(double decay);
    /// The averaged weights (name -> CPU tensor), empty when averaging is off.
    std::map<std::string, torch::Tensor> averagedWeights() const;
    /// Data-parallel training: from now on this rank computes its slice of every global batch
    /// and gradients are summed across `group`, so the run equals a one-rank run of the same
    /// batch to float rounding. Checks first that every rank has the same settings, data and
    /// weights (throws ebm::Error on every rank otherwise). Only rank 0 writes checkpoints in
    /// run(); a stop (cancel) on any rank stops every rank after the same step (a progress
    /// callback that returns false stops only its own rank: every rank must give the same answer).
    void setDistributed(std::shared_ptr<Distributed> group);

    /// One optimisation step. Throws ebm::Error on a non-finite loss without touching the
    /// weights (the last good state stays).
    TrainProgress step();

    /// Runs until totalSteps, a callback refusal or the cancel flag; writes periodic
    /// checkpoints when checkpointEvery > 0 and a path is set. Returns the last progress.
    /// On a non-finite loss it writes nothing more and rethrows with the step number.
    TrainProgress run(const ProgressCallback& onProgress = {},
                      const std::atomic<bool>* cancel = nullptr);

    Checkpoint checkpoint() const;
    void saveCheckpoint(const std::string& path) const;

    EnergyNet net() const;
    int64_t completedSteps() const;
    const TrainConfig& config() const;
    double currentLearningRate() const;
    void setTotalSteps(int64_t steps);

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// The learning rate at `step` (0-based) under the config's constant or cosine schedule.
double learningRateAt(const TrainConfig& config, int64_t step);

}  // namespace ebm
