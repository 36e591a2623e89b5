#include "ebm/eval/evaluation.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ebm/base/error.h"
#include "ebm/io/dataset.h"
#include "ebm/io/image_file.h"
#include "base/enum_names.h"
#include "nn/frozen_parameters.h"

namespace ebm {
namespace {

std::string firstLine(const std::string& text)
{
    const auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

void report(const EvalProgress& progress, double fraction, const std::string& detail)
{
    if (progress && !progress(fraction, detail))
        throw Cancelled();
}

/// Converts channels of images [N, C, H, W]: 3 -> 1 by averaging, 1 -> 3 by replication.
torch::Tensor matchChannels(const torch::Tensor& x, int64_t channels, const std::string& who)
{
    if (channels <= 0 || x.size(1) == channels)
        return x;
    if (channels == 1 && x.size(1) == 3)
        return x.mean(1, true);
    if (channels == 3 && x.size(1) == 1)
        return x.expand({x.size(0), 3, x.size(2), x.size(3)}).contiguous();
    throw Error(who + " takes " + std::to_string(channels) + "-channel images, not " + std::to_string(x.size(1)) +
                "-channel ones");
}

class ClassifierExtractor : public FeatureExtractor {
public:
    ClassifierExtractor(Classifier net, std::string description, torch::Device device)
        : net_(std::move(net)), description_(std::move(description)), device_(device)
    {
        net_->to(device_);
        net_->eval();
    }
    std::string describe() const override { return description_; }
    FeatureBatch extract(const torch::Tensor& images) override
    {
        if (images.dim() != 4)
            throw Error("the classifier features need images [N, C, H, W]");
        torch::NoGradGuard noGrad;
        const ClassifierConfig& c = net_->config();
        torch::Tensor x = matchChannels(images.to(torch::kCPU, torch::kFloat32), c.inChannels, "the classifier");
        x = padOrCrop(x, c.imageSize).to(device_);
        auto [features, logits] = net_->featuresAndLogits(x);
        return {features.to(torch::kCPU, torch::kFloat64), torch::softmax(logits.to(torch::kFloat64), 1).to(torch::kCPU)};
    }

private:
    Classifier net_;
    std::string description_;
    torch::Device device_;
};

class TorchScriptExtractor : public FeatureExtractor {
public:
    TorchScriptExtractor(torch::jit::script::Module module, std::string description, TorchScriptOptions options)
        : module_(std::move(module)), description_(std::move(description)), options_(options)
    {
        module_.eval();
    }
    std::string describe() const override { return description_; }
    FeatureBatch extract(const torch::Tensor& images) override
    {
        if (images.dim() != 4)
            throw Error("the feature extractor needs images [N, C, H, W]");
        torch::NoGradGuard noGrad;
        torch::Tensor x = matchChannels(images.to(options_.device, torch::kFloat32), options_.channels,
                                        "the feature extractor (--feature-channels)");
        if (options_.inputSize > 0 && (x.size(2) != options_.inputSize || x.size(3) != options_.inputSize))
            x = torch::nn::functional::interpolate(
                x, torch::nn::functional::InterpolateFuncOptions()
                       .size(std::vector<int64_t>{options_.inputSize, options_.inputSize})
                       .mode(torch::kBilinear)
                       .align_corners(false));
        if (options_.signedRange)
            x = x * 2.0 - 1.0;
        c10::IValue out;
        try {
            out = module_.forward({x});
        } catch (const std::exception& e) {
            throw Error(description_ + ": forward failed on images " + shapeText(x) + ": " + firstLine(e.what()) +
                        " (check --feature-size and --feature-channels)");
        }
        torch::Tensor features, logits;
        if (out.isTensor()) {
            features = out.toTensor();
        } else if (out.isTuple() || out.isList()) {
            std::vector<c10::IValue> items;
            if (out.isTuple())
                items = out.toTuple()->elements().vec();
            else
                items = out.toList().vec();
            if (items.empty() || !items[0].isTensor())
                throw Error(description_ + ": forward must return features [N, D] or a tuple (features, logits)");
            features = items[0].toTensor();
            if (items.size() > 1 && items[1].isTensor())
                logits = items[1].toTensor();
        } else {
            throw Error(description_ + ": forward must return features [N, D] or a tuple (features, logits)");
        }
        if (features.dim() < 2 || features.size(0) != x.size(0))
            throw Error(description_ + ": forward returned features " + shapeText(features) + ", expected [N, D]");
        FeatureBatch batch;
        batch.features = features.flatten(1).to(torch::kCPU, torch::kFloat64);
        if (logits.defined() && logits.dim() == 2 && logits.size(0) == x.size(0))
            batch.probabilities = torch::softmax(logits.to(torch::kCPU, torch::kFloat64), 1);
        return batch;
    }

private:
    static std::string shapeText(const torch::Tensor& t)
    {
        std::ostringstream out;
        out << t.sizes();
        return out.str();
    }
    torch::jit::script::Module module_;
    std::string description_;
    TorchScriptOptions options_;
};

// ---------------------------------------------------------------------------------------------
// AIS machinery

double logMeanExp(const torch::Tensor& values)
{
    const double max = values.max().item<double>();
    return max + std::log((values - max).exp().mean().item<double>());
}

class AisRunner {
public:
    AisRunner(EnergyNetImpl& net, const AisConfig& config, std::vector<int64_t> sampleShape)
        : net_(net), config_(config), shape_(std::move(sampleShape)), device_(deviceOf(net)),
          generator_(at::make_generator<at::CPUGeneratorImpl>(config.seed))
    {
        if (config.steps < 1)
            throw Error("AIS needs at least one intermediate distribution");
        if (!(config.baseStd > 0.0))
            throw Error("the AIS base distribution needs a positive standard deviation");
        if (!(config.temperature > 0.0))
            throw Error("the AIS target temperature must be positive");
        if (!(config.stepSize > 0.0))
            throw Error("the AIS step size must be positive");
        if (config.transition == AisTransition::Hmc && config.leapfrogSteps < 1)
            throw Error("HMC needs at least one leapfrog step");
        dims_ = 1;
        for (int64_t d : shape_)
            dims_ *= d;
        std::vector<int64_t> one{1};
        one.insert(one.end(), shape_.begin(), shape_.end());
        if (!config.baseMean.defined()) {
            mean_ = torch::full(one, 0.5, torch::kFloat32);
        } else if (config.baseMean.numel() == 1) {
            mean_ = torch::full(one, config.baseMean.item<double>(), torch::kFloat32);
        } else if (config.baseMean.numel() == dims_) {
            mean_ = config.baseMean.to(torch::kCPU, torch::kFloat32).reshape(one);
        } else {
            throw Error("the AIS base mean must be a scalar or one sample's shape");
        }
        mean_ = mean_.to(device_);
        variance_ = config.baseStd * config.baseStd;
        logZ0_ = 0.5 * static_cast<double>(dims_) * std::log(2.0 * M_PI * variance_);
        stepSize_ = config.stepSize;
    }

    double logZ0() const { return logZ0_; }
    int64_t dims() const { return dims_; }

    torch::Tensor normal(torch::IntArrayRef shape)
    {
        torch::Tensor n = at::randn(shape, generator_, torch::TensorOptions().dtype(torch::kFloat32));
        return device_.is_cpu() ? n : n.to(device_);
    }

    torch::Tensor baseSample(int64_t chains)
    {
        std::vector<int64_t> shape{chains};
        shape.insert(shape.end(), shape_.begin(), shape_.end());
        return mean_ + config_.baseStd * normal(shape);
    }

    /// Sets the state and evaluates the model there.
    void start(const torch::Tensor& x)
    {
        x_ = x.to(device_, torch::kFloat32).contiguous();
        evaluate(x_, energy_, grad_);
        if (!energy_.isfinite().all().item<bool>())
            throw Error("the energy is not finite at the AIS start points");
    }

    /// E(x)/T - E0(x) at the current state, per chain (float64): the log-weight increment per
    /// unit of beta.
    torch::Tensor energyGap() const { return energy_ / config_.temperature - baseEnergy(x_); }
    const torch::Tensor& state() const { return x_; }
    const torch::Tensor& energies() const { return energy_; }

    /// `transitionsPerStep` MCMC updates leaving exp(-(1-beta) E0 - beta E/T) invariant.
    void transition(double beta)
    {
        for (int r = 0; r < std::max(1, config_.transitionsPerStep); ++r) {
            if (config_.transition == AisTransition::Ula)
                ulaStep(beta);
            else
                hmcStep(beta, config_.transition == AisTransition::Mala ? 1 : config_.leapfrogSteps);
        }
    }

    double acceptance() const { return updates_ ? acceptedSum_ / updates_ : 1.0; }
    double stepSize() const { return stepSize_; }

private:
    torch::Tensor baseEnergy(const torch::Tensor& x) const
    {
        return (x - mean_).to(torch::kFloat64).pow(2).flatten(1).sum(1) / (2.0 * variance_);
    }
    torch::Tensor baseGrad(const torch::Tensor& x) const { return (x - mean_) / variance_; }

    void evaluate(const torch::Tensor& x, torch::Tensor& energy, torch::Tensor& grad)
    {
        EnergyAndGrad eg = energyAndGrad(net_, x);
        if (eg.energy.dim() != 1 || eg.energy.size(0) != x.size(0))
            throw Error("the energy network must return one energy per row");
        energy = eg.energy.to(torch::kFloat64);
        grad = eg.grad.to(torch::kFloat32);
    }

    torch::Tensor potential(double beta, const torch::Tensor& x, const torch::Tensor& energy) const
    {
        return (1.0 - beta) * baseEnergy(x) + beta * energy / config_.temperature;
    }
    torch::Tensor potentialGrad(double beta, const torch::Tensor& x, const torch::Tensor& grad) const
    {
        return static_cast<float>(1.0 - beta) * baseGrad(x) + static_cast<float>(beta / config_.temperature) * grad;
    }

    torch::Tensor rowMask(const torch::Tensor& accept) const
    {
        std::vector<int64_t> shape(static_cast<size_t>(x_.dim()), 1);
        shape[0] = accept.size(0);
        return accept.view(shape);
    }

    void hmcStep(double beta, int leapfrog)
    {
        const float eps = static_cast<float>(stepSize_);
        torch::Tensor p = normal(x_.sizes());
        const torch::Tensor h0 = potential(beta, x_, energy_) + 0.5 * p.to(torch::kFloat64).pow(2).flatten(1).sum(1);
        torch::Tensor x = x_, energy = energy_, grad = grad_;
        p = p - 0.5f * eps * potentialGrad(beta, x, grad);
        for (int l = 0; l < leapfrog; ++l) {
            x = x + eps * p;
            evaluate(x, energy, grad);
            const torch::Tensor g = potentialGrad(beta, x, grad);
            p = l + 1 < leapfrog ? p - eps * g : p - 0.5f * eps * g;
        }
        const torch::Tensor h1 = potential(beta, x, energy) + 0.5 * p.to(torch::kFloat64).pow(2).flatten(1).sum(1);
        torch::Tensor logAccept = h0 - h1;
        logAccept = torch::where(torch::isfinite(logAccept) & torch::isfinite(x.flatten(1)).all(1), logAccept,
                                 torch::full_like(logAccept, -std::numeric_limits<double>::infinity()));
        const torch::Tensor u = at::rand({x_.size(0)}, generator_, torch::TensorOptions().dtype(torch::kFloat64));
        const torch::Tensor accept = u.log().to(device_) < logAccept;
        const torch::Tensor mask = rowMask(accept);
        x_ = torch::where(mask, x, x_);
        grad_ = torch::where(mask, grad, grad_);
        energy_ = torch::where(accept, energy, energy_);
        const double rate = accept.to(torch::kFloat64).mean().item<double>();
        acceptedSum_ += rate;
        ++updates_;
        if (config_.adaptStepSize) {
            constexpr double kAdapt = 1.02;
            constexpr double kMinStep = 1e-6, kMaxStep = 10.0;
            stepSize_ = std::clamp(rate > config_.targetAcceptance ? stepSize_ * kAdapt : stepSize_ / kAdapt,
                                   kMinStep, kMaxStep);
        }
    }

    void ulaStep(double beta)
    {
        const float eps = static_cast<float>(stepSize_);
        torch::Tensor x = x_ - 0.5f * eps * eps * potentialGrad(beta, x_, grad_) + eps * normal(x_.sizes());
        torch::Tensor energy, grad;
        evaluate(x, energy, grad);
        if (!energy.isfinite().all().item<bool>())
            throw Error("AIS with unadjusted Langevin diverged (non-finite energy); use a smaller --ais-step-size "
                        "or the hmc/mala transitions");
        x_ = x;
        energy_ = energy;
        grad_ = grad;
        acceptedSum_ += 1.0;
        ++updates_;
    }

    EnergyNetImpl& net_;
    const AisConfig& config_;
    std::vector<int64_t> shape_;
    torch::Device device_;
    at::Generator generator_;
    int64_t dims_ = 1;
    torch::Tensor mean_;
    double variance_ = 1.0;
    double logZ0_ = 0.0;
    double stepSize_ = 0.01;
    double acceptedSum_ = 0.0;
    int64_t updates_ = 0;
    torch::Tensor x_, energy_, grad_;
};

void finishResult(AisResult& result, const torch::Tensor& logWeights, const AisRunner& runner, int steps)
{
    const torch::Tensor w = logWeights.to(torch::kCPU, torch::kFloat64);
    const int64_t n = w.numel();
    const double lme = logMeanExp(w);
    result.logZ0 = runner.logZ0();
    result.logZ = result.reverse ? result.logZ0 - lme : result.logZ0 + lme;
    result.chainLogZ = result.reverse ? result.logZ0 - w : result.logZ0 + w;
    result.logWeightStd = n > 1 ? w.std().item<double>() : 0.0;
    const torch::Tensor scaled = (w - w.max()).exp();
    const double sum = scaled.sum().item<double>();
    result.effectiveSampleSize = sum * sum / scaled.pow(2).sum().item<double>();
    // The delta-method error needs several chains to share the weight; with one dominant chain
    // it says nothing, so report it as unknown.
    result.logZStdErr = n > 1 && result.effectiveSampleSize >= 2.0
                            ? scaled.std().item<double>() / scaled.mean().item<double>() / std::sqrt(double(n))
                            : std::numeric_limits<double>::quiet_NaN();
    result.acceptance = runner.acceptance();
    result.finalStepSize = runner.stepSize();
    result.finalStates = runner.state().to(torch::kCPU);
    result.steps = steps;
}

std::string aisDetail(const char* direction, double beta, const AisRunner& runner)
{
    char text[96];
    std::snprintf(text, sizeof text, "%s beta %.3g  acc %.2f  eps %.3g", direction, beta, runner.acceptance(),
                  runner.stepSize());
    return text;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
std::unique_ptr<FeatureExtractor> classifierFeatures(Classifier net, const std::string& description,
                                                     torch::Device device)
{
    if (!net)
        throw Error("no classifier given");
    return std::make_unique<ClassifierExtractor>(std::move(net), description, device);
}

std::unique_ptr<FeatureExtractor> loadTorchScriptFeatures(const std::string& path, const TorchScriptOptions& options)
{
    torch::jit::script::Module module;
    try {
        module = torch::jit::load(path, options.device);
    } catch (const std::exception& e) {
        throw Error(path + ": not a TorchScript module (" + firstLine(e.what()) +
                    "); save one with torch.jit.save(torch.jit.script(model), path)");
    }
    std::ostringstream description;
    description << "TorchScript " << path;
    if (options.inputSize > 0)
        description << " at " << options.inputSize << "x" << options.inputSize;
    if (options.channels > 0)
        description << ", " << options.channels << " channels";
    return std::make_unique<TorchScriptExtractor>(std::move(module), description.str(), options);
}

FeatureBatch extractFeatures(FeatureExtractor& extractor, const torch::Tensor& images, int64_t batchSize,
                             const EvalProgress& progress)
{
    if (!images.defined() || images.size(0) == 0)
        throw Error("no images to extract features from");
    batchSize = std::max<int64_t>(1, batchSize);
    std::vector<torch::Tensor> features, probabilities;
    const int64_t n = images.size(0);
    for (int64_t begin = 0; begin < n; begin += batchSize) {
        FeatureBatch b = extractor.extract(images.slice(0, begin, std::min(n, begin + batchSize)));
        features.push_back(b.features);
        if (b.probabilities.defined())
            probabilities.push_back(b.probabilities);
        report(progress, static_cast<double>(std::min(n, begin + batchSize)) / n, "features");
    }
    FeatureBatch all;
    all.features = torch::cat(features);
    if (probabilities.size() == features.size())
        all.probabilities = torch::cat(probabilities);
    return all;
}

// ---------------------------------------------------------------------------------------------
GaussianStats gaussianStats(const torch::Tensor& features)
{
    if (!features.defined() || features.dim() != 2 || features.size(0) < 2)
        throw Error("Frechet statistics need at least two feature vectors [N, D]");
    const torch::Tensor f = features.to(torch::kCPU, torch::kFloat64);
    GaussianStats stats;
    stats.count = f.size(0);
    stats.mean = f.mean(0);
    const torch::Tensor centred = f - stats.mean;
    stats.cov = centred.t().mm(centred) / static_cast<double>(stats.count - 1);
    return stats;
}

torch::Tensor sqrtPsd(const torch::Tensor& matrix)
{
    const torch::Tensor m = matrix.to(torch::kFloat64);
    const torch::Tensor symmetric = 0.5 * (m + m.t());
    auto [values, vectors] = torch::linalg::eigh(symmetric, "L");
    return vectors.mm(torch::diag(values.clamp_min(0.0).sqrt())).mm(vectors.t());
}

double frechetDistance(const GaussianStats& a, const GaussianStats& b)
{
    if (!a.mean.defined() || !b.mean.defined() || a.mean.numel() != b.mean.numel())
        throw Error("Frechet distance between features of different dimensions");
    const torch::Tensor s1 = a.cov.to(torch::kFloat64), s2 = b.cov.to(torch::kFloat64);
    const torch::Tensor root1 = sqrtPsd(s1);
    const torch::Tensor inner = root1.mm(s2).mm(root1);
    const torch::Tensor eigenvalues = torch::linalg::eigvalsh(0.5 * (inner + inner.t()), "L");
    const double traceRoot = eigenvalues.clamp_min(0.0).sqrt().sum().item<double>();
    const double meanTerm = (a.mean.to(torch::kFloat64) - b.mean.to(torch::kFloat64)).pow(2).sum().item<double>();
    const double value = meanTerm + s1.trace().item<double>() + s2.trace().item<double>() - 2.0 * traceRoot;
    return std::max(0.0, value);
}

// ---------------------------------------------------------------------------------------------
InceptionScore inceptionScore(const torch::Tensor& probabilities, int splits)
{
    if (!probabilities.defined() || probabilities.dim() != 2 || probabilities.size(0) < 1)
        throw Error("the inception-like score needs class probabilities [N, K]");
    const torch::Tensor p = probabilities.to(torch::kCPU, torch::kFloat64);
    auto score = [](const torch::Tensor& part) {
        const torch::Tensor marginal = part.mean(0, true);
        // KL(p(y|x) || p(y)) with 0 log 0 = 0.
        const torch::Tensor kl = (torch::xlogy(part, part) - torch::xlogy(part, marginal.expand_as(part))).sum(1);
        return std::exp(kl.mean().item<double>());
    };
    InceptionScore result;
    result.score = score(p);
    result.splits = std::clamp<int>(splits, 1, static_cast<int>(p.size(0)));
    std::vector<double> parts;
    const int64_t n = p.size(0);
    for (int s = 0; s < result.splits; ++s) {
        const int64_t begin = n * s / result.splits, end = n * (s + 1) / result.splits;
        parts.push_back(score(p.slice(0, begin, end)));
    }
    double mean = 0.0;
    for (double v : parts)
        mean += v / parts.size();
    double var = 0.0;
    for (double v : parts)
        var += (v - mean) * (v - mean) / parts.size();
    result.splitMean = mean;
    result.splitStd = std::sqrt(var);
    return result;
}

ClassHistogram classHistogram(const torch::Tensor& probabilities)
{
    if (!probabilities.defined() || probabilities.dim() != 2 || probabilities.size(0) < 1)
        throw Error("a class histogram needs class probabilities [N, K]");
    const int64_t k = probabilities.size(1);
    const torch::Tensor counts = torch::bincount(probabilities.argmax(1).to(torch::kCPU), {}, k);
    ClassHistogram h;
    const double n = static_cast<double>(probabilities.size(0));
    double entropy = 0.0;
    for (int64_t c = 0; c < k; ++c) {
        const int64_t count = counts[c].item<int64_t>();
        h.counts.push_back(count);
        h.covered += count > 0;
        const double f = count / n;
        h.totalVariation += 0.5 * std::abs(f - 1.0 / k);
        if (f > 0)
            entropy -= f * std::log(f);
    }
    h.entropyRatio = k > 1 ? entropy / std::log(static_cast<double>(k)) : 1.0;
    return h;
}

// ---------------------------------------------------------------------------------------------
Neighbours nearestNeighbours(const torch::Tensor& queries, const torch::Tensor& reference, int k, int64_t batchSize,
                             const EvalProgress& progress)
{
    if (!queries.defined() || !reference.defined() || queries.size(0) == 0 || reference.size(0) == 0)
        throw Error("nearest neighbours need queries and a reference set");
    const torch::Tensor q = queries.to(torch::kCPU, torch::kFloat32).flatten(1);
    const int64_t n = reference.size(0), numQueries = q.size(0);
    if (reference[0].numel() != q.size(1))
        throw Error("nearest neighbours: samples and reference images differ in size (" + std::to_string(q.size(1)) +
                    " vs " + std::to_string(reference[0].numel()) + " values)");
    if (k < 1)
        throw Error("ask for at least one neighbour");
    k = static_cast<int>(std::min<int64_t>(k, n));
    batchSize = std::max<int64_t>(1, batchSize);
    const torch::Tensor qNorm = q.pow(2).sum(1, true);
    torch::Tensor best = torch::full({numQueries, 0}, 0.0f);
    torch::Tensor bestIndex = torch::zeros({numQueries, 0}, torch::kInt64);
    for (int64_t begin = 0; begin < n; begin += batchSize) {
        const int64_t end = std::min(n, begin + batchSize);
        const torch::Tensor r = reference.slice(0, begin, end).to(torch::kCPU, torch::kFloat32).flatten(1);
        // Squared distances by ||q||^2 + ||r||^2 - 2 q.r: one matrix product per batch.
        const torch::Tensor d = qNorm + r.pow(2).sum(1).unsqueeze(0) - 2.0f * q.mm(r.t());
        const torch::Tensor index = torch::arange(begin, end, torch::kInt64).unsqueeze(0).expand({numQueries, end - begin});
        const torch::Tensor allD = torch::cat({best, d}, 1), allIndex = torch::cat({bestIndex, index}, 1);
        auto [values, positions] = allD.topk(std::min<int64_t>(k, allD.size(1)), 1, /*largest=*/false, /*sorted=*/true);
        best = values;
        bestIndex = allIndex.gather(1, positions);
        report(progress, static_cast<double>(end) / n, "neighbours");
    }
    // Exact distances of the chosen rows in float64, re-sorted (the expansion above rounds).
    const torch::Tensor chosen = reference.index_select(0, bestIndex.flatten()).to(torch::kCPU, torch::kFloat64)
                                     .reshape({numQueries, k, -1});
    const torch::Tensor exact = (chosen - q.to(torch::kFloat64).unsqueeze(1)).pow(2).sum(2).sqrt();
    auto [sorted, order] = exact.sort(1);
    return {bestIndex.gather(1, order), sorted};
}

torch::Tensor neighbourGrid(const torch::Tensor& queries, const torch::Tensor& reference, const Neighbours& neighbours)
{
    if (queries.dim() != 4)
        throw Error("a neighbour grid needs images [N, C, H, W]");
    const int64_t numQueries = neighbours.indices.size(0), k = neighbours.indices.size(1);
    std::vector<torch::Tensor> rows;
    for (int64_t i = 0; i < numQueries; ++i) {
        rows.push_back(queries[i].unsqueeze(0).to(torch::kCPU, torch::kFloat32));
        rows.push_back(reference.index_select(0, neighbours.indices[i]).to(torch::kCPU, torch::kFloat32));
    }
    return makeGrid(torch::cat(rows).clamp(0, 1), static_cast<int>(k + 1));
}

// ---------------------------------------------------------------------------------------------
namespace {
const internal::NameTable<AisTransition, 3> kTransitionNames = {
    {AisTransition::Hmc, "hmc"}, {AisTransition::Mala, "mala"}, {AisTransition::Ula, "ula"}};
const internal::NameTable<BetaSchedule, 3> kBetaScheduleNames = {
    {BetaSchedule::Sigmoid, "sigmoid"}, {BetaSchedule::Geometric, "geometric"}, {BetaSchedule::Linear, "linear"}};
}  // namespace

std::string toString(AisTransition t) { return internal::nameOf(kTransitionNames, t); }

AisTransition parseAisTransition(const std::string& name)
{
    return internal::parseName(kTransitionNames, name, "AIS transition");
}

std::string toString(BetaSchedule s) { return internal::nameOf(kBetaScheduleNames, s); }

BetaSchedule parseBetaSchedule(const std::string& name) { return internal::parseName(kBetaScheduleNames, name, "beta schedule"); }

std::vector<double> betaSchedule(BetaSchedule kind, int steps, double parameter)
{
    if (steps < 1)
        throw Error("an AIS schedule needs at least one step");
    std::vector<double> betas(static_cast<size_t>(steps) + 1, 0.0);
    switch (kind) {
    case BetaSchedule::Linear:
        for (int k = 0; k <= steps; ++k)
            betas[k] = static_cast<double>(k) / steps;
        break;
    case BetaSchedule::Geometric: {
        const double betaMin = parameter > 0.0 ? parameter : 1e-4;
        if (betaMin >= 1.0)
            throw Error("the geometric schedule's smallest beta must lie below 1");
        for (int k = 1; k <= steps; ++k)
            betas[k] = steps == 1 ? 1.0 : std::pow(betaMin, 1.0 - static_cast<double>(k - 1) / (steps - 1));
        break;
    }
    case BetaSchedule::Sigmoid: {
        const double delta = parameter > 0.0 ? parameter : 4.0;
        auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
        const double low = sigmoid(-delta), high = sigmoid(delta);
        for (int k = 0; k <= steps; ++k)
            betas[k] = (sigmoid(delta * (2.0 * k / steps - 1.0)) - low) / (high - low);
        break;
    }
    }
    betas.front() = 0.0;
    betas.back() = 1.0;
    return betas;
}

AisResult forwardAis(EnergyNetImpl& net, const AisConfig& config, const EvalProgress& progress)
{
    if (config.chains < 1)
        throw Error("forward AIS needs at least one chain");
    internal::FrozenParameters frozen(net);
    AisRunner runner(net, config, net.config().sampleShape());
    const std::vector<double> betas = betaSchedule(config.schedule, config.steps, config.scheduleParameter);
    runner.start(runner.baseSample(config.chains));
    torch::Tensor logW = torch::zeros({config.chains}, torch::kFloat64).to(runner.state().device());
    const int every = std::max(1, config.steps / 200);
    for (int k = 1; k <= config.steps; ++k) {
        logW = logW - (betas[k] - betas[k - 1]) * runner.energyGap();
        if (k < config.steps)
            runner.transition(betas[k]);
        if (k % every == 0 || k == config.steps)
            report(progress, static_cast<double>(k) / config.steps, aisDetail("forward", betas[k], runner));
    }
    AisResult result;
    result.reverse = false;
    finishResult(result, logW, runner, config.steps);
    return result;
}

AisResult reverseAis(EnergyNetImpl& net, const torch::Tensor& start, const AisConfig& config,
                     const EvalProgress& progress)
{
    if (!start.defined() || start.size(0) < 1)
        throw Error("reverse AIS needs start images");
    const std::vector<int64_t> shape = net.config().sampleShape();
    if (start.dim() != static_cast<int64_t>(shape.size()) + 1 ||
        std::vector<int64_t>(start.sizes().begin() + 1, start.sizes().end()) != shape)
        throw Error("reverse AIS: the start images do not have the model's input shape");
    internal::FrozenParameters frozen(net);
    AisRunner runner(net, config, shape);
    const std::vector<double> betas = betaSchedule(config.schedule, config.steps, config.scheduleParameter);
    runner.start(start);
    const torch::Tensor startEnergies = runner.energies().to(torch::kCPU).clone();
    torch::Tensor logW = torch::zeros({start.size(0)}, torch::kFloat64).to(runner.state().device());
    const int every = std::max(1, config.steps / 200);
    for (int k = config.steps; k >= 1; --k) {
        logW = logW + (betas[k] - betas[k - 1]) * runner.energyGap();
        if (k > 1)
            runner.transition(betas[k - 1]);
        const int done = config.steps - k + 1;
        if (done % every == 0 || k == 1)
            report(progress, static_cast<double>(done) / config.steps, aisDetail("reverse", betas[k - 1], runner));
    }
    AisResult result;
    result.reverse = true;
    finishResult(result, logW, runner, config.steps);
    result.startEnergies = startEnergies;
    return result;
}

double bitsPerDim(double logDensity, int64_t dims) { return -logDensity / (static_cast<double>(dims) * std::log(2.0)); }

DensitySummary summariseDensity(const torch::Tensor& energies, const torch::Tensor& logZ, double temperature,
                                int64_t dims)
{
    if (!energies.defined() || energies.numel() < 1)
        throw Error("no energies to turn into densities");
    if (dims < 1)
        throw Error("the data dimension must be positive");
    const torch::Tensor e = energies.to(torch::kCPU, torch::kFloat64).flatten();
    torch::Tensor z = logZ.to(torch::kCPU, torch::kFloat64).flatten();
    if (z.numel() != 1 && z.numel() != e.numel())
        throw Error("log Z must be one value or one per image");
    const torch::Tensor logDensity = -e / temperature - z;
    const torch::Tensor bits = -logDensity / (static_cast<double>(dims) * std::log(2.0));
    DensitySummary s;
    s.count = e.numel();
    s.dims = dims;
    s.meanLogDensity = logDensity.mean().item<double>();
    s.bitsPerDim = bits.mean().item<double>();
    if (s.count > 1) {
        s.stdLogDensity = logDensity.std().item<double>();
        s.bitsPerDimStd = bits.std().item<double>();
        s.bitsPerDimStdErr = s.bitsPerDimStd / std::sqrt(static_cast<double>(s.count));
    }
    return s;
}

}  // namespace ebm
