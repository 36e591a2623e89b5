#pragma once
#include <torch/types.h>
#include "ebm/base/train_config.h"
#include "ebm/nn/model.h"

namespace ebm {

/// One sigma per batch row, spread over [sigmaMin, sigmaMax] (not sampled), shape [rows].
torch::Tensor batchSigmas(const NoiseConfig& noise, int64_t rows,
                          torch::TensorOptions options = torch::kFloat32);

struct MdsmLoss {
    torch::Tensor loss;        // what is optimised: the reference code's scale, with graph
    double normalised = 0.0;   // loss * sigma0^4, what the reference code logs
};

/// The MDSM objective of eq. 7 with l(sigma) = 1/sigma^2, on a clean batch x and Gaussian
/// noise `noise` (same shape as x, standard normal). Per row: || (x - x~)/sigma/sigma0^2 +
/// dE/dx(x~)/sigma ||^2, summed and divided by the batch size. Keeps the graph for
/// double backpropagation into the parameters. `method` chooses how dE/dx is built (same
/// value either way; Autograd is the reference).
MdsmLoss mdsmLoss(EnergyNetImpl& net, const torch::Tensor& x, const torch::Tensor& noise,
                  const NoiseConfig& config,
                  InputGradientMethod method = InputGradientMethod::Explicit);

/// The same objective on rows [firstRow, firstRow + x.size(0)) of a batch of `batchRows` rows
/// (data-parallel training): each row gets its sigma from the whole batch's spread and the sum
/// is divided by batchRows, so the losses (and gradients) of a batch's slices add up to the
/// whole batch's. mdsmLoss is the slice that is the whole batch.
MdsmLoss mdsmLossOfRows(EnergyNetImpl& net, const torch::Tensor& x, const torch::Tensor& noise,
                        const NoiseConfig& config, int64_t firstRow, int64_t batchRows,
                        InputGradientMethod method = InputGradientMethod::Explicit);

}  // namespace ebm
