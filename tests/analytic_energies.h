#pragma once
// Energies with closed-form gradients, for tests that compare the engine with hand computations.
#include <torch/torch.h>

#include "ebm/nn/model.h"

namespace ebm::testing {

inline ModelConfig pointConfig(int dim)
{
    ModelConfig config;
    config.arch = Architecture::Mlp;
    config.inputDim = dim;
    return config;
}

/// E(x) = a/2 ||x - m||^2 with learnable precision a and centre m; dE/dx = a (x - m).
class QuadraticEnergyImpl : public EnergyNetImpl {
public:
    QuadraticEnergyImpl(int dim, double precision, double centre = 0.0)
        : EnergyNetImpl(pointConfig(dim))
    {
        a = register_parameter("a", torch::full({1}, precision, torch::kFloat64));
        m = register_parameter("m", torch::full({dim}, centre, torch::kFloat64));
    }
    torch::Tensor forward(const torch::Tensor& x) override
    {
        torch::Tensor d = x.flatten(1) - m.to(x.dtype());
        return 0.5 * a.to(x.dtype()) * d.pow(2).sum(1);
    }
    torch::Tensor a, m;
};

}  // namespace ebm::testing
