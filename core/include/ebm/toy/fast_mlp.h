#pragma once
// The toy lab's model: a fast evaluator of MLP energies with a hand-written MDSM gradient.
#include <memory>
#include <vector>

#include <torch/types.h>

#include "ebm/nn/model.h"

namespace ebm::toy {

/// Energies and input gradients of an MLP energy network (ModelConfig::mlp), and the exact
/// gradient of the MDSM loss with respect to its parameters, written by hand with matrix products
/// into reused buffers: no autograd graph, a few dozen kernel calls per step. It reads the
/// network's own parameter tensors, so an optimizer step on them is seen at once.
class FastMlp {
public:
    /// Throws ebm::Error when `net` is not an MLP energy on the CPU.
    explicit FastMlp(EnergyNet net);
    ~FastMlp();
    FastMlp(const FastMlp&) = delete;
    FastMlp& operator=(const FastMlp&) = delete;

    /// E(x) [N] (when `energy` is not null) and dE/dx [N, D] for points x [N, D]. The returned
    /// gradient is a buffer reused by the next call: copy it to keep it.
    const torch::Tensor& energyAndGrad(const torch::Tensor& x, torch::Tensor* energy = nullptr);

    /// The MDSM loss of eq. 7 (as ebm::mdsmLoss: l(sigma) = 1/sigma^2, divided by the batch size)
    /// on clean points x [N, D] with standard-normal `noise` and one sigma per row [N]; the
    /// parameter gradients are written to gradients() (same order as net->parameters()).
    /// Returns the loss on the reference code's scale (times sigma0^4).
    double mdsmLossAndGradients(const torch::Tensor& x, const torch::Tensor& noise, const torch::Tensor& sigmas,
                                double sigma0);
    const std::vector<torch::Tensor>& gradients() const;

    EnergyNet net() const;

private:
    struct Buffers;
    std::unique_ptr<Buffers> buffers_;
};

}  // namespace ebm::toy
