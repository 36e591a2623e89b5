#pragma once
// Models leave for PyTorch as a state_dict with exactly the reference code's keys and shapes,
// so that its Res*_Quadratic(...).load_state_dict(torch.load(path)) accepts them unchanged.
#include <map>
#include <string>

#include <torch/types.h>

#include "ebm/io/checkpoint.h"

namespace ebm {

/// The reference code's state_dict for `checkpoint`'s network with the weights `choice`
/// selects: the network's parameters under their own names (they already follow the reference
/// layout) plus the LayerNorm parameters its residual blocks hold unused (a PyTorch file's own
/// values, else ones and zeros as PyTorch initialises them). The MLP has no reference class: its parameters as they are.
std::map<std::string, torch::Tensor> referenceStateDict(const Checkpoint& checkpoint,
                                                        WeightChoice choice = WeightChoice::PreferAveraged);

/// Writes name -> tensor as a file that Python's torch.load reads as a dict (PyTorch's zip
/// format, through LibTorch's pickler), float32 on the CPU; atomically, like the checkpoints.
/// Throws ebm::Error naming the file.
void writePytorchStateDict(const std::map<std::string, torch::Tensor>& stateDict, const std::string& path);

}  // namespace ebm
