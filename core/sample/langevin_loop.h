#pragma once
// The annealing loop that annealedLangevin (sampler.cpp) and inpaint (inpainting.cpp) share:
// private to the sample layer.
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <atomic>

#include "ebm/sample/sampler.h"

namespace ebm {

namespace internal {

constexpr double kStartMean = 0.5;  // the reference code starts at 0.5 + N(0, I)

/// Standard normal noise from a seeded CPU generator, moved to the state's device, so that a
/// seed gives the same samples on every device.
class NoiseSource {
public:
    explicit NoiseSource(uint64_t seed);
    torch::Tensor normal(torch::IntArrayRef shape, const torch::Device& device);
    /// Uniform [0, 1) float64 draws (MALA's acceptance tests), on the state's device.
    torch::Tensor uniform(torch::IntArrayRef shape, const torch::Device& device);

private:
    at::Generator generator_;
};

/// The annealing loop from state `x`, drawing its noise from `noise`. `mask` undefined means
/// every pixel is free; otherwise pixels where it is 0 stay `known` (inpainting). With MALA an
/// inpainting step evaluates the energy twice (see inpaint).
SampleResult runLangevin(EnergyNetImpl& net, const SamplerConfig& config, torch::Tensor x,
                         const torch::Tensor& known, const torch::Tensor& mask, NoiseSource& noise,
                         const FrameCallback& onFrame, const std::atomic<bool>* cancel);

}  // namespace internal
}  // namespace ebm
