#pragma once
// The toy lab's measures: sample quality (modes, MMD) and the measure-concentration statistics
// of the paper's section 2.
#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace ebm::toy {

// --- Sample quality -----------------------------------------------------------------------------

/// How many modes a sample set covers and how its mode weights compare with the true ones.
struct ModeMatch {
    int modesCovered = 0;                // modes with at least kCoveredShare of their expected count
    int modes = 0;
    double weightTv = 0.0;               // 0.5 * sum |sample weight - true weight| over the modes
    double unassignedFraction = 0.0;     // samples farther than the radius from every mode
    std::vector<double> sampleWeights;   // per mode, among the assigned samples
};

/// A mode counts as covered when it holds at least this share of the samples its weight predicts.
constexpr double kCoveredShare = 0.1;

/// Assigns each sample [N, 2] to its nearest mean [K, 2] when within `radius`, then compares
/// the assigned samples' mode weights with `trueWeights` (normalised here).
ModeMatch matchModes(const torch::Tensor& samples, const torch::Tensor& means, const std::vector<double>& trueWeights,
                     double radius);

/// The Gaussian kernel width of sampleMmd(): twice the eight Gaussians' std, so that it resolves
/// single modes and is not dominated by the distance between them.
constexpr double kDefaultMmdBandwidth = 0.2;

/// Maximum mean discrepancy between two point sets with the kernel exp(-|x-y|^2 / (2 h^2)):
/// the square root of the (biased, never negative) V-statistic. Sets larger than maxPoints are
/// thinned evenly to keep the cost bounded.
double sampleMmd(const torch::Tensor& a, const torch::Tensor& b, double bandwidth = kDefaultMmdBandwidth,
                 int64_t maxPoints = 2000);

// --- Measure concentration (section 2) --------------------------------------------------------

struct Histogram {
    double lo = 0.0, hi = 1.0;
    std::vector<double> counts;   // per bin, as fractions of all draws
    double mean = 0.0;
    double stddev = 0.0;
    double binWidth() const { return counts.empty() ? 0.0 : (hi - lo) / static_cast<double>(counts.size()); }
};

struct ConcentrationStats {
    int dimension = 0;
    double sigma = 0.0;
    Histogram distance;       // ||noisy - clean|| = sigma ||z||, concentrates at sqrt(d) sigma
    Histogram angleDegrees;   // angle between the noise and a fixed direction, concentrates at 90
    double expectedDistance() const;   // sqrt(d) sigma
};

/// Draws `draws` noise vectors N(0, sigma^2 I_d). Throws ebm::Error when d or draws is below 1,
/// sigma is not positive, or d * draws exceeds kMaxConcentrationValues.
ConcentrationStats concentration(int dimension, double sigma, int64_t draws = 2000, int bins = 60, uint64_t seed = 1);

/// The distances ||noisy - clean|| that a spread of sigmas reaches (equal draws per sigma) on a
/// common range [lo, hi]: where one sigma concentrates on a thin shell, a spread covers a band.
Histogram distanceHistogram(int dimension, const std::vector<double>& sigmas, int64_t drawsPerSigma, int bins,
                            double lo, double hi, uint64_t seed = 1);

constexpr int64_t kMaxConcentrationValues = int64_t{64} * 1000 * 1000;

}  // namespace ebm::toy
