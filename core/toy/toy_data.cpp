// The toy lab's 2D data: Gaussian mixtures and the Learn page's named data sets.
#include "ebm/toy/toy_data.h"

#include <torch/torch.h>

#include <cmath>

#include "ebm/base/error.h"
#include "ebm/io/toy2d.h"
#include "base/file_util.h"
#include "toy/toy_common.h"

namespace ebm::toy {
using common::kFloat;
using common::kPi;
using common::seededGenerator;

namespace {

constexpr int kEightModes = 8;
constexpr const char* kWeightedEightName = "weighted8";
constexpr const char* kEightName = "8gaussians-r2";
constexpr const char* kCorePrefix = "toy:";

}  // namespace

GaussianMixture GaussianMixture::eightGaussians(double radius, double std)
{
    GaussianMixture mixture;
    mixture.std = std;
    for (int k = 0; k < kEightModes; ++k) {
        const double angle = 2.0 * kPi * k / kEightModes;
        mixture.means.push_back({radius * std::cos(angle), radius * std::sin(angle)});
        mixture.weights.push_back(1.0);
    }
    return mixture;
}

GaussianMixture GaussianMixture::weightedEightGaussians(double radius, double std)
{
    GaussianMixture mixture = eightGaussians(radius, std);
    for (int k = 0; k < kEightModes; ++k)
        mixture.weights[static_cast<size_t>(k)] = k + 1.0;
    return mixture;
}

void GaussianMixture::validate() const
{
    if (means.empty() || means.size() != weights.size())
        throw Error("a Gaussian mixture needs one weight per mean and at least one mean");
    for (double w : weights)
        if (!(w > 0.0) || !std::isfinite(w))
            throw Error("a Gaussian mixture's weights must be positive numbers, not " + internal::numberText(w));
    if (!(std > 0.0) || !std::isfinite(std))
        throw Error("a Gaussian mixture's std must be a positive number, not " + internal::numberText(std));
}

std::vector<double> GaussianMixture::normalisedWeights() const
{
    validate();
    double total = 0.0;
    for (double w : weights)
        total += w;
    std::vector<double> result;
    for (double w : weights)
        result.push_back(w / total);
    return result;
}

torch::Tensor GaussianMixture::meansTensor() const
{
    torch::Tensor result = torch::empty({static_cast<int64_t>(means.size()), 2}, kFloat);
    for (size_t k = 0; k < means.size(); ++k) {
        result[static_cast<int64_t>(k)][0] = means[k][0];
        result[static_cast<int64_t>(k)][1] = means[k][1];
    }
    return result;
}

Dataset GaussianMixture::sample(int64_t count, uint64_t seed) const
{
    validate();
    if (count < 1)
        throw Error("a mixture sample needs at least one point, not " + std::to_string(count));
    at::Generator generator = seededGenerator(seed);
    const std::vector<double> w = normalisedWeights();
    torch::Tensor probabilities = torch::tensor(w, torch::kFloat64);
    torch::Tensor component = torch::multinomial(probabilities, count, /*replacement=*/true, generator);
    torch::Tensor points = meansTensor().index_select(0, component) + std * at::randn({count, 2}, generator, kFloat);
    Dataset data;
    data.data = points.contiguous();
    data.labels = component;
    return data;
}

std::vector<std::string> toyDataNames()
{
    std::vector<std::string> names{kWeightedEightName, kEightName};
    for (const std::string& core : toy2dNames())
        names.push_back(kCorePrefix + core);
    return names;
}

std::optional<GaussianMixture> mixtureFor(const std::string& name)
{
    if (name == kWeightedEightName)
        return GaussianMixture::weightedEightGaussians();
    if (name == kEightName)
        return GaussianMixture::eightGaussians();
    return std::nullopt;
}

Dataset makeToyData(const std::string& name, int64_t count, uint64_t seed)
{
    if (std::optional<GaussianMixture> mixture = mixtureFor(name)) {
        Dataset data = mixture->sample(count, seed);
        data.name = name;
        return data;
    }
    if (name.rfind(kCorePrefix, 0) == 0)
        return makeToy2d(name.substr(std::char_traits<char>::length(kCorePrefix)), count, seed);
    std::string known;
    for (const std::string& n : toyDataNames())
        known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown toy data '" + name + "': use one of " + known);
}

}  // namespace ebm::toy
