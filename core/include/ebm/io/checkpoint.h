#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include <torch/types.h>
#include "ebm/base/train_config.h"
#include "ebm/nn/model.h"
#include "ebm/nn/precision.h"

namespace ebm {

/// Which of a checkpoint's weights a network is built from.
enum class WeightChoice {
    /// The moving average when the file has one (what sampling and evaluation want), else the raw weights.
    PreferAveraged,
    /// The optimiser's own weights (what training resumes from).
    Raw,
};

/// Checkpoint::format of the files this program writes, and of PyTorch state_dicts it reads.
inline constexpr const char* kNativeCheckpointFormat = "ebm-native-1";
inline constexpr const char* kPytorchCheckpointFormat = "pytorch-state-dict";

/// Everything a checkpoint file may hold. Weights are name -> tensor as in state_dict().
struct Checkpoint {
    ModelConfig model;
    std::map<std::string, torch::Tensor> weights;
    /// The exponential moving average of `weights` (same names), empty when not kept.
    std::map<std::string, torch::Tensor> averagedWeights;
    /// Whether the file held averaged weights (kept when the tensors are dropped after loading).
    bool hasAveragedWeights = false;
    bool hasTraining = false;         // native files with training state
    TrainConfig train;
    int64_t step = 0;
    std::vector<float> lossHistory;   // normalised loss per step (may be thinned)
    std::string optimizerState;       // serialized Adam state (opaque bytes)
    std::string rngState;             // serialized generator states (opaque bytes)
    std::string format;               // kNativeCheckpointFormat or kPytorchCheckpointFormat
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
EnergyNet instantiate(const Checkpoint& checkpoint, WeightChoice choice = WeightChoice::Raw);

/// The weights `choice` selects: the averaged ones when asked for and present, else the raw ones.
const std::map<std::string, torch::Tensor>& chosenWeights(const Checkpoint& checkpoint, WeightChoice choice);
/// Whether `choice` picks the checkpoint's averaged weights (it asks for them and they exist).
bool choosesAveragedWeights(const Checkpoint& checkpoint, WeightChoice choice);

/// Copies a network's parameters into name -> tensor (CPU, detached clones).
std::map<std::string, torch::Tensor> collectWeights(EnergyNetImpl& net);
/// Loads weights by name; every parameter must be present with the right shape.
void loadWeights(EnergyNetImpl& net, const std::map<std::string, torch::Tensor>& weights,
                 const std::string& sourceForErrors);

/// Infers the reference architecture from state_dict keys and shapes.
ModelConfig inferModelConfig(const std::map<std::string, torch::Tensor>& weights,
                             const std::string& sourceForErrors);

}  // namespace ebm
