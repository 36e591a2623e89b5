#pragma once
// The toy lab's 2D data: weighted Gaussian mixtures and the named choices of the Learn page.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "ebm/io/dataset.h"

namespace ebm::toy {

/// Isotropic Gaussian components in 2D with (possibly unequal) weights.
struct GaussianMixture {
    std::vector<std::array<double, 2>> means;
    std::vector<double> weights;   // any positive numbers; normalised when sampling
    double std = 0.1;

    /// Eight Gaussians on a circle of `radius`, weights proportional to 1..8 (counter-clockwise
    /// from the positive x axis): the case where one noise level visibly flattens the weights.
    static GaussianMixture weightedEightGaussians(double radius = 2.0, double std = 0.1);
    /// The same circle with equal weights.
    static GaussianMixture eightGaussians(double radius = 2.0, double std = 0.1);

    /// Throws ebm::Error when empty, a weight is not positive or std is not positive.
    void validate() const;
    std::vector<double> normalisedWeights() const;
    torch::Tensor meansTensor() const;                           // [K, 2] float
    Dataset sample(int64_t count, uint64_t seed = 1) const;      // [count, 2] float
};

/// The Learn page's data choices by name: the core's toys ("toy:moons"), "weighted8" and
/// "8gaussians-r2" (the mixtures above). Throws ebm::Error for an unknown name.
Dataset makeToyData(const std::string& name, int64_t count, uint64_t seed = 1);
/// The names makeToyData accepts, the mixtures first.
std::vector<std::string> toyDataNames();
/// The mixture behind a name, when the data are one (its modes are what the measures count).
std::optional<GaussianMixture> mixtureFor(const std::string& name);

}  // namespace ebm::toy
