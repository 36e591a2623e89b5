// The toy lab's trainer: MDSM through the fast evaluator, and Adam written out per tensor.
#include "ebm/toy/toy_trainer.h"

#include <torch/torch.h>

#include <cmath>

#include "ebm/base/error.h"
#include "ebm/train/mdsm.h"
#include "base/file_util.h"
#include "toy/toy_common.h"

namespace ebm::toy {
using common::contiguousPoints;
using common::kFloat;
using common::seededGenerator;

namespace {

constexpr double kAdamEpsilon = 1e-8;            // torch::optim::Adam's default

}  // namespace

NoiseConfig ToyTrainConfig::defaultToyNoise()
{
    NoiseConfig noise;
    noise.sigmaMin = 0.05;
    noise.sigmaMax = 2.0;
    noise.spread = NoiseSpread::Geometric;
    noise.sigma0 = 0.1;
    return noise;
}

void ToyTrainConfig::validate() const
{
    constexpr int kMaxWidth = 4096, kMaxDepth = 16;
    constexpr int64_t kMaxBatch = 65536;
    if (model.arch != Architecture::Mlp)
        throw Error("the toy trainer trains an MLP energy");
    if (model.inputDim != 2)
        throw Error("the toy trainer works on 2D points, not " + std::to_string(model.inputDim) + "D");
    if (model.hiddenWidth < 1 || model.hiddenWidth > kMaxWidth)
        throw Error("the MLP width must be between 1 and " + std::to_string(kMaxWidth));
    if (model.hiddenLayers < 1 || model.hiddenLayers > kMaxDepth)
        throw Error("the MLP depth must be between 1 and " + std::to_string(kMaxDepth) + " layers");
    if (batchSize < 1 || batchSize > kMaxBatch)
        throw Error("the toy batch size must be between 1 and " + std::to_string(kMaxBatch));
    if (!(learningRate > 0.0 && learningRate <= 1.0))
        throw Error("the learning rate must be above 0 and at most 1, not " + internal::numberText(learningRate));
    if (!(beta1 >= 0.0 && beta1 < 1.0) || !(beta2 >= 0.0 && beta2 < 1.0))
        throw Error("Adam's betas must be at least 0 and below 1");
    if (!(noise.sigmaMin > 0.0) || !(noise.sigmaMax >= noise.sigmaMin) || !std::isfinite(noise.sigmaMax))
        throw Error("the noise range needs 0 < sigma-min <= sigma-max, not " + internal::numberText(noise.sigmaMin) +
                    ".." + internal::numberText(noise.sigmaMax));
    if (!(noise.sigma0 > 0.0) || !std::isfinite(noise.sigma0))
        throw Error("sigma0 must be a positive number, not " + internal::numberText(noise.sigma0));
}

struct ToyTrainer::State {
    ToyTrainConfig config;
    torch::Tensor points;
    EnergyNet net;
    std::unique_ptr<FastMlp> fast;
    at::Generator generator;
    torch::Tensor sigmas;
    std::vector<torch::Tensor> firstMoment, secondMoment;
    int64_t step = 0;
    std::vector<float> losses;
};

ToyTrainer::ToyTrainer(const ToyTrainConfig& config, torch::Tensor points) : state_(std::make_unique<State>())
{
    config.validate();
    State& s = *state_;
    s.config = config;
    setPoints(std::move(points));
    torch::manual_seed(config.seed);   // weight initialisation, as the image trainer does
    s.net = makeEnergyNet(config.model);
    s.fast = std::make_unique<FastMlp>(s.net);
    s.generator = seededGenerator(config.seed);
    s.sigmas = batchSigmas(config.noise, config.batchSize);
    for (const torch::Tensor& p : s.net->parameters()) {
        s.firstMoment.push_back(torch::zeros_like(p));
        s.secondMoment.push_back(torch::zeros_like(p));
    }
}

ToyTrainer::~ToyTrainer() = default;

void ToyTrainer::setPoints(torch::Tensor points)
{
    torch::Tensor p = contiguousPoints(points, 2, "the toy training data");
    if (p.size(0) < 1)
        throw Error("the toy training data hold no points; draw or load some first");
    if (!torch::isfinite(p).all().item<bool>())
        throw Error("the toy training data hold a non-finite coordinate");
    state_->points = p;
}

void ToyTrainer::setLearningRate(double rate)
{
    if (!(rate > 0.0 && rate <= 1.0))
        throw Error("the learning rate must be above 0 and at most 1, not " + internal::numberText(rate));
    state_->config.learningRate = rate;
}

void ToyTrainer::setNoise(const NoiseConfig& noise)
{
    ToyTrainConfig changed = state_->config;
    changed.noise = noise;
    changed.validate();   // the same limits as at the start
    state_->sigmas = batchSigmas(noise, changed.batchSize);
    state_->config = changed;
}

double ToyTrainer::step()
{
    torch::NoGradGuard noGraph;
    State& s = *state_;
    const int64_t batch = s.config.batchSize;
    torch::Tensor indices = at::randint(s.points.size(0), {batch}, s.generator, torch::kLong);
    torch::Tensor clean = s.points.index_select(0, indices);
    torch::Tensor noise = at::randn({batch, 2}, s.generator, kFloat);
    const double loss = s.fast->mdsmLossAndGradients(clean, noise, s.sigmas, s.config.noise.sigma0);
    const auto& gradients = s.fast->gradients();
    double total = 0.0;
    for (const torch::Tensor& g : gradients) {
        const float* v = g.data_ptr<float>();
        for (int64_t k = 0; k < g.numel(); ++k)
            total += v[k];
    }
    if (!std::isfinite(loss) || !std::isfinite(total))
        throw Error("the toy loss became non-finite at step " + std::to_string(s.step + 1) +
                    "; the weights were left at the last good step. Lower the learning rate or narrow the noise range");

    // Adam (as torch::optim::Adam with its default epsilon), one fused pass per tensor.
    ++s.step;
    const double b1 = s.config.beta1, b2 = s.config.beta2;
    const double correction1 = 1.0 - std::pow(b1, static_cast<double>(s.step));
    const double correction2 = 1.0 - std::pow(b2, static_cast<double>(s.step));
    const float stepScale = static_cast<float>(s.config.learningRate / correction1);
    const float rootCorrection2 = static_cast<float>(std::sqrt(correction2));
    const auto parameters = s.net->parameters();
    for (size_t t = 0; t < parameters.size(); ++t) {
        float* p = parameters[t].data_ptr<float>();
        float* m = s.firstMoment[t].data_ptr<float>();
        float* v = s.secondMoment[t].data_ptr<float>();
        const float* g = gradients[t].data_ptr<float>();
        const float fb1 = static_cast<float>(b1), fb2 = static_cast<float>(b2);
        for (int64_t k = 0; k < parameters[t].numel(); ++k) {
            m[k] = fb1 * m[k] + (1.0f - fb1) * g[k];
            v[k] = fb2 * v[k] + (1.0f - fb2) * g[k] * g[k];
            p[k] -= stepScale * m[k] / (std::sqrt(v[k]) / rootCorrection2 + static_cast<float>(kAdamEpsilon));
        }
    }
    s.losses.push_back(static_cast<float>(loss));
    return loss;
}

EnergyNet ToyTrainer::net() const { return state_->net; }
FastMlp& ToyTrainer::fast() { return *state_->fast; }
int64_t ToyTrainer::completedSteps() const { return state_->step; }
const std::vector<float>& ToyTrainer::lossHistory() const { return state_->losses; }
const ToyTrainConfig& ToyTrainer::config() const { return state_->config; }

}  // namespace ebm::toy
