#pragma once
// The toy lab's trainer: MDSM with Adam on 2D points, one step at a time.
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/types.h>

#include "ebm/base/train_config.h"
#include "ebm/nn/model.h"
#include "ebm/toy/fast_mlp.h"

namespace ebm::toy {

struct ToyTrainConfig {
    ModelConfig model = ModelConfig::mlp(2, 128, 3);
    NoiseConfig noise = defaultToyNoise();
    int64_t batchSize = 256;
    double learningRate = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    uint64_t seed = 1;

    /// MDSM for the eight-Gaussian toys: sigma 0.05..2 geometric, sigma0 0.1.
    static NoiseConfig defaultToyNoise();
    /// Throws ebm::Error with one line naming the setting that is out of range.
    void validate() const;
};

/// MDSM with Adam on 2D points, one step at a time (the caller decides when to pause or stop).
/// Batches are drawn with replacement from a seeded stream, so a seed gives the same model.
class ToyTrainer {
public:
    /// `points` [N, 2] (any N >= 1). Throws ebm::Error on bad settings or data.
    ToyTrainer(const ToyTrainConfig& config, torch::Tensor points);
    ~ToyTrainer();
    ToyTrainer(const ToyTrainer&) = delete;
    ToyTrainer& operator=(const ToyTrainer&) = delete;

    /// One step; returns the normalised loss. Throws ebm::Error on a non-finite loss (the weights
    /// stay at the last good step).
    double step();
    /// Replaces the training points (the optimizer keeps its state).
    void setPoints(torch::Tensor points);
    /// Changes the learning rate from the next step on.
    void setLearningRate(double rate);
    /// Changes the noise levels (sigma range, spread, sigma0) from the next step on; the weights
    /// and Adam's moments stay. Throws ebm::Error (one line) on a range the trainer refuses.
    void setNoise(const NoiseConfig& noise);

    EnergyNet net() const;
    FastMlp& fast();
    int64_t completedSteps() const;
    const std::vector<float>& lossHistory() const;
    const ToyTrainConfig& config() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace ebm::toy
