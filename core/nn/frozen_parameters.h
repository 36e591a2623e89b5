#pragma once
// Sampling and likelihood estimates need gradients with respect to the input only: a network's
// parameters stop asking for theirs for the lifetime of a FrozenParameters, and get their flags
// back when it ends (also when an exception leaves the run).
#include <torch/torch.h>

#include <utility>
#include <vector>

namespace ebm::internal {

class FrozenParameters {
public:
    explicit FrozenParameters(torch::nn::Module& net)
    {
        for (auto& p : net.parameters()) {
            flags_.emplace_back(p, p.requires_grad());
            p.set_requires_grad(false);
        }
    }
    ~FrozenParameters()
    {
        for (auto& [p, f] : flags_)
            p.set_requires_grad(f);
    }
    FrozenParameters(const FrozenParameters&) = delete;
    FrozenParameters& operator=(const FrozenParameters&) = delete;

private:
    std::vector<std::pair<torch::Tensor, bool>> flags_;
};

}  // namespace ebm::internal
