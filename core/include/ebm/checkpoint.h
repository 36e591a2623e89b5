#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include <torch/types.h>
#include "ebm/mdsm.h"
#include "ebm/model.h"

namespace ebm {

/// What the trainer was asked to do; stored with every checkpoint so a run can be resumed
/// or reproduced.
struct TrainConfig {
    std::string dataset;          // spec given to openDataset (or an image folder)
    NoiseConfig noise;
    int64_t batchSize = 128;
    int64_t steps = 100000;
    double learningRate = 1e-4;
    double beta1 = 0.9;
    double beta2 = 0.95;
    bool cosineDecay = true;
    double finalLearningRate = 1e-6;
    uint64_t seed = 1;
    int64_t checkpointEvery = 5000;   // 0 = only at the end and on demand
    std::string checkpointPath;       // where periodic checkpoints go
    bool randomFlip = false;          // horizontal flips (CelebA)
};

/// Everything a checkpoint file may hold. Weights are name -> tensor as in state_dict().
struct Checkpoint {
    ModelConfig model;
    std::map<std::string, torch::Tensor> weights;
    bool hasTraining = false;         // native files with training state
    TrainConfig train;
    int64_t step = 0;
    std::vector<float> lossHistory;   // normalised loss per step (may be thinned)
    std::string optimizerState;       // serialized Adam state (opaque bytes)
    std::string rngState;             // serialized generator states (opaque bytes)
    std::string format;               // "ebm-native-1" or "pytorch-state-dict"
    std::string sourcePath;
};

/// Native format: a zip archive (torch::serialize) written to a temporary file in the same
/// folder, flushed and renamed over `path`, so a crash never destroys the previous file.
void saveCheckpoint(const Checkpoint& checkpoint, const std::string& path);

/// Opens a native checkpoint or a PyTorch state_dict of the reference code (with or without
/// the `module.` prefix), inferring the architecture. Throws ebm::Error naming the file and
/// the problem.
Checkpoint loadCheckpoint(const std::string& path);

/// Builds the network described by a checkpoint and loads its weights (CPU).
/// Throws ebm::Error when names or shapes do not match.
EnergyNet instantiate(const Checkpoint& checkpoint);

/// Copies a network's parameters into name -> tensor (CPU, detached clones).
std::map<std::string, torch::Tensor> collectWeights(EnergyNetImpl& net);
/// Loads weights by name; every parameter must be present with the right shape.
void loadWeights(EnergyNetImpl& net, const std::map<std::string, torch::Tensor>& weights,
                 const std::string& sourceForErrors);

/// Infers the reference architecture from state_dict keys and shapes.
ModelConfig inferModelConfig(const std::map<std::string, torch::Tensor>& weights,
                             const std::string& sourceForErrors);

}  // namespace ebm
