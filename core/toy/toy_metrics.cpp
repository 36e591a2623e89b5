// The toy lab's measures: mode coverage, MMD, and the concentration of Gaussian noise.
#include "ebm/toy/toy_metrics.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "ebm/base/error.h"
#include "base/file_util.h"
#include "toy/toy_common.h"

namespace ebm::toy {
using common::contiguousPoints;
using common::kPi;
using common::seededGenerator;

namespace {

constexpr int64_t kConcentrationChunkValues = int64_t{4} * 1000 * 1000;
constexpr double kRadiansToDegrees = 180.0 / kPi;
constexpr double kDistanceRangeStds = 4.0;       // the distance histogram reaches sqrt(d) + 4 sigmas

}  // namespace

// --- Sample quality ------------------------------------------------------------------------------

ModeMatch matchModes(const torch::Tensor& samples, const torch::Tensor& means, const std::vector<double>& trueWeights,
                     double radius)
{
    const torch::Tensor x = contiguousPoints(samples, 2, "the samples");
    const torch::Tensor m = contiguousPoints(means, 2, "the mode means");
    const int64_t modes = m.size(0);
    if (modes < 1 || static_cast<int64_t>(trueWeights.size()) != modes)
        throw Error("the mode match needs one true weight per mode");
    if (!(radius > 0.0))
        throw Error("the mode radius must be positive");
    double weightTotal = 0.0;
    for (double w : trueWeights) {
        if (!(w > 0.0))
            throw Error("the true mode weights must be positive");
        weightTotal += w;
    }
    ModeMatch match;
    match.modes = static_cast<int>(modes);
    match.sampleWeights.assign(static_cast<size_t>(modes), 0.0);
    const int64_t n = x.size(0);
    if (n == 0) {
        match.weightTv = 1.0;
        return match;
    }
    const auto [distance, nearest] = torch::cdist(x, m).min(1);
    const torch::Tensor inside = distance <= radius;
    const int64_t assigned = inside.sum().item<int64_t>();
    match.unassignedFraction = 1.0 - static_cast<double>(assigned) / static_cast<double>(n);
    torch::Tensor counts = torch::bincount(nearest.masked_select(inside), {}, modes).to(torch::kFloat64);
    double tv = 0.0;
    for (int64_t k = 0; k < modes; ++k) {
        const double count = counts[k].item<double>();
        const double share = assigned > 0 ? count / static_cast<double>(assigned) : 0.0;
        const double expected = trueWeights[static_cast<size_t>(k)] / weightTotal;
        match.sampleWeights[static_cast<size_t>(k)] = share;
        tv += std::abs(share - expected);
        if (count >= kCoveredShare * expected * static_cast<double>(n))
            ++match.modesCovered;
    }
    match.weightTv = assigned > 0 ? 0.5 * tv : 1.0;
    return match;
}

double sampleMmd(const torch::Tensor& a, const torch::Tensor& b, double bandwidth, int64_t maxPoints)
{
    if (!(bandwidth > 0.0))
        throw Error("the MMD kernel width must be positive");
    auto thin = [&](const torch::Tensor& points) {
        torch::Tensor p = contiguousPoints(points, 2, "the MMD point sets");
        if (p.size(0) < 1)
            throw Error("the MMD needs points in both sets");
        if (maxPoints > 0 && p.size(0) > maxPoints)
            p = p.index_select(0, torch::linspace(0, p.size(0) - 1, maxPoints, torch::kFloat64).to(torch::kLong));
        return p.to(torch::kFloat64);
    };
    const torch::Tensor x = thin(a), y = thin(b);
    const double scale = -1.0 / (2.0 * bandwidth * bandwidth);
    auto meanKernel = [&](const torch::Tensor& p, const torch::Tensor& q) {
        return torch::exp(torch::cdist(p, q).pow(2) * scale).mean().item<double>();
    };
    const double squared = meanKernel(x, x) + meanKernel(y, y) - 2.0 * meanKernel(x, y);
    return std::sqrt(std::max(0.0, squared));
}

// --- Measure concentration ----------------------------------------------------------------------

namespace {

Histogram histogramOf(const torch::Tensor& values, double lo, double hi, int bins)
{
    Histogram histogram;
    histogram.lo = lo;
    histogram.hi = hi;
    const torch::Tensor v = values.to(torch::kFloat64);
    histogram.mean = v.mean().item<double>();
    histogram.stddev = v.numel() > 1 ? v.std().item<double>() : 0.0;
    torch::Tensor counts = torch::histc(v.clamp(lo, hi), bins, lo, hi) / static_cast<double>(v.numel());
    histogram.counts.assign(counts.data_ptr<double>(), counts.data_ptr<double>() + bins);
    return histogram;
}

void checkConcentrationRequest(int dimension, int64_t draws, int bins)
{
    constexpr int kMaxBins = 10000;
    if (dimension < 1 || draws < 1)
        throw Error("the concentration demo needs a dimension and a number of draws of at least 1");
    if (bins < 1 || bins > kMaxBins)
        throw Error("the concentration histogram needs between 1 and " + std::to_string(kMaxBins) + " bins");
    if (static_cast<double>(dimension) * static_cast<double>(draws) > static_cast<double>(kMaxConcentrationValues))
        throw Error("dimension x draws is " + std::to_string(int64_t(dimension) * draws) + "; at most " +
                    std::to_string(kMaxConcentrationValues) + " values are drawn, so lower one of them");
}

/// Norms of `draws` standard-normal vectors in `dimension` dimensions and their first coordinates.
std::pair<torch::Tensor, torch::Tensor> normsAndFirstCoordinates(int dimension, int64_t draws, at::Generator& generator)
{
    const int64_t rowsPerChunk = std::max<int64_t>(1, kConcentrationChunkValues / dimension);
    std::vector<torch::Tensor> norms, firsts;
    for (int64_t begin = 0; begin < draws; begin += rowsPerChunk) {
        const int64_t rows = std::min(rowsPerChunk, draws - begin);
        torch::Tensor z = at::randn({rows, dimension}, generator, torch::TensorOptions().dtype(torch::kFloat64));
        norms.push_back(z.norm(2, {1}));
        firsts.push_back(z.select(1, 0).clone());
    }
    return {torch::cat(norms), torch::cat(firsts)};
}

}  // namespace

double ConcentrationStats::expectedDistance() const { return std::sqrt(static_cast<double>(dimension)) * sigma; }

ConcentrationStats concentration(int dimension, double sigma, int64_t draws, int bins, uint64_t seed)
{
    checkConcentrationRequest(dimension, draws, bins);
    if (!(sigma > 0.0) || !std::isfinite(sigma))
        throw Error("the concentration demo needs a positive sigma, not " + internal::numberText(sigma));
    at::Generator generator = seededGenerator(seed);
    auto [norms, firsts] = normsAndFirstCoordinates(dimension, draws, generator);
    ConcentrationStats stats;
    stats.dimension = dimension;
    stats.sigma = sigma;
    const double reach = sigma * (std::sqrt(static_cast<double>(dimension)) + kDistanceRangeStds);
    stats.distance = histogramOf(norms * sigma, 0.0, reach, bins);
    torch::Tensor cosine = (firsts / norms.clamp_min(1e-300)).clamp(-1.0, 1.0);
    stats.angleDegrees = histogramOf(torch::acos(cosine) * kRadiansToDegrees, 0.0, 180.0, bins);
    return stats;
}

Histogram distanceHistogram(int dimension, const std::vector<double>& sigmas, int64_t drawsPerSigma, int bins,
                            double lo, double hi, uint64_t seed)
{
    if (sigmas.empty())
        throw Error("the distance histogram needs at least one sigma");
    checkConcentrationRequest(dimension, drawsPerSigma * static_cast<int64_t>(sigmas.size()), bins);
    if (!(hi > lo))
        throw Error("the distance histogram's range needs lo below hi");
    at::Generator generator = seededGenerator(seed);
    std::vector<torch::Tensor> distances;
    for (double sigma : sigmas) {
        if (!(sigma > 0.0) || !std::isfinite(sigma))
            throw Error("every sigma must be a positive number, not " + internal::numberText(sigma));
        distances.push_back(normsAndFirstCoordinates(dimension, drawsPerSigma, generator).first * sigma);
    }
    return histogramOf(torch::cat(distances), lo, hi, bins);
}

}  // namespace ebm::toy
