#include "ebm/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "ebm/base/error.h"
#include "ebm/train/distributed.h"
#include "ebm/train/mdsm.h"
#include "base/file_util.h"

namespace ebm {
namespace {

constexpr double kMaxLearningRate = 1.0;  // Adam steps of more than the weights' scale

constexpr double kLossSmoothing = 0.98;  // EMA weight of the displayed smoothed loss
constexpr double kRateSmoothing = 0.9;   // EMA weight of steps per second
// Random streams are derived from (seed, step) so resuming at step k reproduces step k exactly
// without storing generator internals.
constexpr uint64_t kNoiseStream = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kOrderStream = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kFlipStream = 0x165667B19E3779F9ull;

uint64_t mixSeed(uint64_t seed, uint64_t stream, uint64_t counter)
{
    // splitmix64 finaliser over the combined words: distinct, well-spread generator seeds.
    uint64_t z = seed ^ (stream + 0x9E3779B97F4A7C15ull * (counter + 1));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

at::Generator generatorFor(uint64_t seed, uint64_t stream, uint64_t counter)
{
    return at::make_generator<at::CPUGeneratorImpl>(mixSeed(seed, stream, counter));
}

}  // namespace

double learningRateAt(const TrainConfig& config, int64_t step)
{
    if (!config.cosineDecay || config.steps <= 0)
        return config.learningRate;
    const double progress = std::min(1.0, static_cast<double>(step) / static_cast<double>(config.steps));
    return config.finalLearningRate +
           0.5 * (config.learningRate - config.finalLearningRate) * (1.0 + std::cos(M_PI * progress));
}

struct Trainer::State {
    TrainConfig config;
    Dataset data;
    torch::Device device = torch::kCPU;
    EnergyNet net;
    std::unique_ptr<torch::optim::Adam> optimizer;
    int64_t step = 0;
    std::vector<float> lossHistory;
    double smoothedLoss = std::nan("");
    double stepsPerSecond = 0.0;
    int64_t cachedEpoch = -1;
    torch::Tensor order;
    /// The moving average of each parameter (same order as net->parameters()), empty when off.
    std::vector<torch::Tensor> averaged;

    void resetAverage()
    {
        averaged.clear();
        if (config.emaDecay <= 0.0)
            return;
        torch::NoGradGuard noGrad;
        for (const auto& p : net->parameters())
            averaged.push_back(p.detach().clone());
    }

    void updateAverage()
    {
        if (averaged.empty())
            return;
        torch::NoGradGuard noGrad;
        const auto params = net->parameters();
        for (size_t i = 0; i < params.size(); ++i)
            averaged[i].mul_(config.emaDecay).add_(params[i].detach(), 1.0 - config.emaDecay);
    }

    std::shared_ptr<Distributed> group;          // null: one process
    const std::atomic<bool>* cancel = nullptr;   // run()'s, shared with the other ranks each step
    bool stopRequested = false;                  // some rank was cancelled during the last step

    void validate() const
    {
        if (data.size() < 1)
            throw Error("the training data set is empty");
        if (config.batchSize < 1)
            throw Error("the batch size must be at least 1");
        if (data.size() < config.batchSize)
            throw Error("the data set has " + std::to_string(data.size()) +
                        " items, fewer than one batch of " + std::to_string(config.batchSize));
        // Beyond these Adam's update overflows the float weights or never decays, and the
        // message would be LibTorch's, not the person's.
        if (!(config.learningRate > 0.0 && config.learningRate <= kMaxLearningRate))
            throw Error("the learning rate must be above 0 and at most " + internal::numberText(kMaxLearningRate) +
                        " (the paper uses 1e-4 to 5e-5), not " + internal::numberText(config.learningRate));
        if (!(config.finalLearningRate >= 0.0 && config.finalLearningRate <= kMaxLearningRate))
            throw Error("the final learning rate must be between 0 and " + internal::numberText(kMaxLearningRate) +
                        ", not " + internal::numberText(config.finalLearningRate));
        if (!(config.emaDecay >= 0.0 && config.emaDecay < 1.0))
            throw Error("the weight-averaging decay must be at least 0 (off) and below 1 (0.999 is usual), not " +
                        internal::numberText(config.emaDecay));
        for (const auto& [name, beta] : {std::pair<const char*, double>{"beta1", config.beta1}, {"beta2", config.beta2}})
            if (!(beta >= 0.0 && beta < 1.0))
                throw Error(std::string("Adam's ") + name + " must be at least 0 and below 1 (the paper's are 0.9 and 0.95), not " +
                            internal::numberText(beta));
        std::vector<int64_t> expected = net->config().sampleShape();
        std::vector<int64_t> got(data.data.sizes().begin() + 1, data.data.sizes().end());
        if (got != expected) {
            std::ostringstream msg;
            msg << "the data items have shape " << c10::IntArrayRef(got) << " but the model "
                << net->config().describe() << " expects " << c10::IntArrayRef(expected)
                << "; choose a matching image size and channel count";
            throw Error(msg.str());
        }
        checkPrecision(config.precision, device);
    }

    void makeOptimizer()
    {
        auto options = torch::optim::AdamOptions(config.learningRate).betas({config.beta1, config.beta2});
        optimizer = std::make_unique<torch::optim::Adam>(net->parameters(), options);
    }

    torch::Tensor batchIndices()
    {
        const int64_t perEpoch = data.size() / config.batchSize;  // the last partial batch is dropped
        const int64_t epoch = step / perEpoch;
        if (epoch != cachedEpoch) {
            auto generator = generatorFor(config.seed, kOrderStream, static_cast<uint64_t>(epoch));
            order = torch::randperm(data.size(), generator, torch::kLong);
            cachedEpoch = epoch;
        }
        const int64_t begin = (step % perEpoch) * config.batchSize;
        return order.slice(0, begin, begin + config.batchSize);
    }

    /// Sums the gradients and this rank's share of the loss over the ranks (one all-reduce, the
    /// loss and the stop flag riding in the gradients' bucket); returns the whole batch's loss.
    double sumOverRanks(double loss)
    {
        const bool stopping = cancel && cancel->load(std::memory_order_relaxed);
        std::vector<torch::Tensor> tensors;
        for (const auto& p : net->parameters())
            if (p.grad().defined())
                tensors.push_back(p.grad());
        torch::Tensor shared = torch::tensor({loss, stopping ? 1.0 : 0.0}, torch::kFloat32).to(device);
        tensors.push_back(shared);
        group->sumInPlace(tensors, "step " + std::to_string(step + 1));
        shared = shared.to(torch::kCPU, torch::kFloat64);
        stopRequested = shared[1].item<double>() > 0.0;
        return shared[0].item<double>();
    }

    /// What every rank must agree on, one "name=value" per line: the model, the training
    /// settings, the data (size and a hash of its bytes), the step and the weights.
    std::string settingsSummary() const
    {
        auto number = [](double value) {  // the shortest text that reads back as the same double
            char text[32];
            for (int digits = 6; digits <= 17; ++digits) {
                std::snprintf(text, sizeof text, "%.*g", digits, value);
                if (std::strtod(text, nullptr) == value)
                    break;
            }
            return std::string(text);
        };
        uint64_t weights = 0;
        for (const auto& p : net->parameters())
            weights = hashTensorBytes(p, weights);
        std::ostringstream out;
        out << "model=" << net->config().describe() << " (width " << net->config().baseWidth << ", hidden "
            << net->config().hiddenWidth << "x" << net->config().hiddenLayers << ", input " << net->config().inputDim << ")\n"
            << "data=" << data.size() << " items, hash " << hashTensorBytes(data.data) << "\n"
            << "batch=" << config.batchSize << "\n"
            << "steps=" << config.steps << "\n"
            << "step=" << step << "\n"
            << "seed=" << config.seed << "\n"
            << "noise=" << number(config.noise.sigmaMin) << ".." << number(config.noise.sigmaMax) << " "
            << toString(config.noise.spread) << ", sigma0 " << number(config.noise.sigma0) << "\n"
            << "learning rate=" << number(config.learningRate) << (config.cosineDecay ? " cosine to " : " constant ")
            << number(config.finalLearningRate) << "\n"
            << "Adam betas=" << number(config.beta1) << ", " << number(config.beta2) << "\n"
            << "random flips=" << (config.randomFlip ? "on" : "off") << "\n"
            << "weight average=" << number(config.emaDecay) << "\n"
            << "precision=" << toString(config.precision) << "\n"
            << "device=" << torch::Device(device.type()).str() << "\n"  // each rank its own CUDA index
            << "weights=hash " << weights << "\n";
        return out.str();
    }
};

Trainer::Trainer(const ModelConfig& model, const TrainConfig& config, Dataset data, torch::Device device)
    : state_(std::make_unique<State>())
{
    state_->config = config;
    state_->data = std::move(data);
    state_->device = device;
    torch::manual_seed(config.seed);  // weight initialisation
    state_->net = makeEnergyNet(model);
    state_->validate();
    state_->net->to(device);
    state_->makeOptimizer();
    state_->resetAverage();
}

Trainer::Trainer(const Checkpoint& checkpoint, Dataset data, torch::Device device)
    : state_(std::make_unique<State>())
{
    if (!checkpoint.hasTraining)
        throw Error(checkpoint.sourcePath + ": holds weights only (no optimizer state); "
                    "it can be sampled from or fine-tuned, but not resumed exactly");
    state_->config = checkpoint.train;
    state_->data = std::move(data);
    state_->device = device;
    state_->net = instantiate(checkpoint);
    state_->validate();
    state_->net->to(device);
    state_->makeOptimizer();
    if (!checkpoint.optimizerState.empty()) {
        std::istringstream in(checkpoint.optimizerState);
        try {
            torch::load(*state_->optimizer, in, device);
        } catch (const std::exception& e) {
            throw Error(checkpoint.sourcePath + ": the optimizer state is damaged and cannot be resumed");
        }
    }
    state_->step = checkpoint.step;
    state_->lossHistory = checkpoint.lossHistory;
    if (state_->config.emaDecay > 0.0 && !checkpoint.averagedWeights.empty()) {
        torch::NoGradGuard noGrad;
        for (const auto& item : state_->net->named_parameters()) {
            auto it = checkpoint.averagedWeights.find(item.key());
            if (it == checkpoint.averagedWeights.end() || it->second.sizes() != item.value().sizes())
                throw Error(checkpoint.sourcePath + ": the averaged weight '" + item.key() + "' is missing or of another shape");
            state_->averaged.push_back(it->second.to(device, item.value().scalar_type()).clone());
        }
    } else {
        state_->resetAverage();  // averaging switched on at this resume: it starts from the weights
    }
}

Trainer::~Trainer() = default;

void Trainer::setDistributed(std::shared_ptr<Distributed> group)
{
    State& s = *state_;
    if (group && group->worldSize() > s.config.batchSize)
        throw Error("a batch of " + std::to_string(s.config.batchSize) + " rows cannot be split over " +
                    std::to_string(group->worldSize()) + " ranks; use a batch of at least the world size");
    if (group)
        group->requireSameSettings(s.settingsSummary());
    s.group = std::move(group);
}

void Trainer::startFromWeights(const Checkpoint& source)
{
    State& s = *state_;
    if (s.step != 0)
        throw Error("starting weights can only be set before the first training step");
    if (!(source.model == s.net->config()))
        throw Error(source.sourcePath + ": holds a " + source.model.describe() + " but this run trains a " +
                    s.net->config().describe() + "; fine-tune with the same architecture");
    // In place, so that the optimizer keeps referring to the same parameter tensors.
    loadWeights(*s.net, source.weights, source.sourcePath);
    s.resetAverage();
}

void Trainer::setAveraging(double decay)
{
    State& s = *state_;
    if (!(decay >= 0.0 && decay < 1.0))
        throw Error("the weight-averaging decay must be at least 0 (off) and below 1 (0.999 is usual), not " +
                    internal::numberText(decay));
    if (decay == s.config.emaDecay)
        return;
    const bool wasOn = !s.averaged.empty();
    s.config.emaDecay = decay;
    if (decay == 0.0)
        s.averaged.clear();
    else if (!wasOn)
        s.resetAverage();
}

TrainProgress Trainer::step()
{
    State& s = *state_;
    const auto started = std::chrono::steady_clock::now();
    const double lr = learningRateAt(s.config, s.step);
    for (auto& group : s.optimizer->param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

    // Data-parallel, this rank computes its slice of the rows; their flips and noise are drawn
    // for the whole batch and sliced, so they are the very numbers a one-rank run uses.
    const torch::Tensor indices = s.batchIndices();
    const int64_t rows = indices.size(0);
    const RowSlice mine = s.group ? rowsOfRank(rows, s.group->rank(), s.group->worldSize()) : RowSlice{0, rows};
    torch::Tensor batch = s.data.data.index_select(0, indices.slice(0, mine.begin, mine.end));
    if (s.config.randomFlip && batch.dim() == 4) {
        auto generator = generatorFor(s.config.seed, kFlipStream, static_cast<uint64_t>(s.step));
        torch::Tensor flip = (torch::rand({rows}, generator) < 0.5).slice(0, mine.begin, mine.end);
        batch = torch::where(flip.view({-1, 1, 1, 1}), batch.flip({3}), batch);
    }
    auto generator = generatorFor(s.config.seed, kNoiseStream, static_cast<uint64_t>(s.step));
    std::vector<int64_t> noiseShape(batch.sizes().begin(), batch.sizes().end());
    noiseShape[0] = rows;
    torch::Tensor noise = at::randn(noiseShape, generator, torch::TensorOptions().dtype(torch::kFloat32))
                              .slice(0, mine.begin, mine.end);
    batch = batch.to(s.device, torch::kFloat32);
    noise = noise.to(s.device);

    s.optimizer->zero_grad();
    MdsmLoss loss = [&] {
        PrecisionScope precision(s.config.precision, s.device);   // backward runs after it, as autocast asks
        return mdsmLossOfRows(*s.net, batch, noise, s.config.noise, mine.begin, rows);
    }();
    if (s.group) {
        // The slices' losses are divided by the whole batch's rows: their gradients add up.
        loss.loss.backward();
        loss.normalised = s.sumOverRanks(loss.normalised);
    }
    if (!std::isfinite(loss.normalised))
        throw Error("the loss became " + std::string(std::isnan(loss.normalised) ? "NaN" : "infinite") +
                    " at step " + std::to_string(s.step + 1) +
                    "; the weights were left at the last good step. Lower the learning rate or "
                    "narrow the noise range and resume from the last checkpoint");
    if (!s.group)
        loss.loss.backward();
    // One read-back for all gradients: a NaN or infinity anywhere makes the (float64) total
    // non-finite.
    std::vector<torch::Tensor> gradientSums;
    for (const auto& p : s.net->parameters())
        if (p.grad().defined())
            gradientSums.push_back(p.grad().sum(torch::kFloat64));
    if (!gradientSums.empty() && !std::isfinite(torch::stack(gradientSums).sum().item<double>()))
        throw Error("a gradient became non-finite at step " + std::to_string(s.step + 1) +
                        "; the weights were left at the last good step. Lower the learning rate");
    s.optimizer->step();
    s.updateAverage();
    ++s.step;
    s.lossHistory.push_back(static_cast<float>(loss.normalised));

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double rate = seconds > 0 ? 1.0 / seconds : 0.0;
    s.stepsPerSecond = s.stepsPerSecond == 0.0 ? rate : kRateSmoothing * s.stepsPerSecond + (1 - kRateSmoothing) * rate;
    s.smoothedLoss = std::isnan(s.smoothedLoss) ? loss.normalised
                                                : kLossSmoothing * s.smoothedLoss + (1 - kLossSmoothing) * loss.normalised;
    TrainProgress p;
    p.step = s.step;
    p.totalSteps = s.config.steps;
    p.loss = loss.normalised;
    p.smoothedLoss = s.smoothedLoss;
    p.learningRate = lr;
    p.stepsPerSecond = s.stepsPerSecond;
    p.etaSeconds = s.stepsPerSecond > 0 ? static_cast<double>(std::max<int64_t>(0, s.config.steps - s.step)) / s.stepsPerSecond : 0.0;
    return p;
}

TrainProgress Trainer::run(const ProgressCallback& onProgress, const std::atomic<bool>* cancel)
{
    State& s = *state_;
    TrainProgress last;
    last.step = s.step;
    last.totalSteps = s.config.steps;
    // Several ranks stop together: each step shares every rank's cancel flag.
    struct ForgetCancel {
        State& s;
        ~ForgetCancel() { s.cancel = nullptr; }
    } forgetCancel{s};
    s.cancel = cancel;
    s.stopRequested = false;
    while (s.step < s.config.steps) {
        if (s.group ? s.stopRequested : cancel && cancel->load(std::memory_order_relaxed))
            break;
        last = step();
        const bool periodic = s.config.checkpointEvery > 0 && !s.config.checkpointPath.empty() &&
                              s.step % s.config.checkpointEvery == 0 && (!s.group || s.group->isMain());
        if (periodic)
            saveCheckpoint(s.config.checkpointPath);
        if (onProgress && !onProgress(last))
            break;
    }
    return last;
}

Checkpoint Trainer::checkpoint() const
{
    const State& s = *state_;
    Checkpoint cp;
    cp.model = s.net->config();
    cp.weights = collectWeights(*s.net);
    cp.averagedWeights = averagedWeights();
    cp.hasTraining = true;
    cp.train = s.config;
    cp.step = s.step;
    cp.lossHistory = s.lossHistory;
    std::ostringstream optimizer;
    torch::save(*s.optimizer, optimizer);
    cp.optimizerState = optimizer.str();
    cp.rngState = "counter-based: streams derived from seed " + std::to_string(s.config.seed) + " and the step";
    cp.format = kNativeCheckpointFormat;
    return cp;
}

void Trainer::saveCheckpoint(const std::string& path) const { ebm::saveCheckpoint(checkpoint(), path); }

std::map<std::string, torch::Tensor> Trainer::averagedWeights() const
{
    const State& s = *state_;
    std::map<std::string, torch::Tensor> weights;
    if (s.averaged.empty())
        return weights;
    const auto names = s.net->named_parameters();
    for (size_t i = 0; i < names.size(); ++i)
        weights[names[i].key()] = s.averaged[i].detach().to(torch::kCPU).clone();
    return weights;
}

EnergyNet Trainer::net() const { return state_->net; }
int64_t Trainer::completedSteps() const { return state_->step; }
const TrainConfig& Trainer::config() const { return state_->config; }
double Trainer::currentLearningRate() const { return learningRateAt(state_->config, state_->step); }
void Trainer::setTotalSteps(int64_t steps) { state_->config.steps = steps; }

}  // namespace ebm
