#include "ebm/sample/sampler.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "ebm/base/error.h"
#include "ebm/schedule/schedule_curve.h"
#include "ebm/nn/precision.h"
#include "base/file_util.h"
#include "nn/frozen_parameters.h"
#include "sample/langevin_loop.h"

namespace ebm {
namespace internal {

NoiseSource::NoiseSource(uint64_t seed) : generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {}

torch::Tensor NoiseSource::normal(torch::IntArrayRef shape, const torch::Device& device)
{
    torch::Tensor n = at::randn(shape, generator_, torch::TensorOptions().dtype(torch::kFloat32));
    return device.is_cpu() ? n : n.to(device);
}

torch::Tensor NoiseSource::uniform(torch::IntArrayRef shape, const torch::Device& device)
{
    torch::Tensor u = at::rand(shape, generator_, torch::TensorOptions().dtype(torch::kFloat64));
    return device.is_cpu() ? u : u.to(device);
}

}  // namespace internal

namespace {

using internal::kStartMean;
using internal::NoiseSource;

// The reference code's inpainting noise on known pixels is 0.1 * T^(1/4).
constexpr double kReferenceInpaintNoiseScale = 0.1;
constexpr double kReferenceInpaintNoiseExponent = 0.25;

// MALA's acceptance tests draw from a stream of their own, so that its proposals use exactly the
// noise plain Langevin uses from the same seed.
constexpr uint64_t kAcceptanceStreamSalt = 0x9E3779B97F4A7C15ULL;

void checkCancel(const std::atomic<bool>* cancel, bool& stopped)
{
    if (cancel && cancel->load(std::memory_order_relaxed))
        stopped = true;
}

/// Hands a step to the configuration's observer, if any; detached, so that it keeps no graph alive.
void observeStep(const SamplerConfig& config, int step, double temperature, const torch::Tensor& state,
                 const torch::Tensor& energies)
{
    if (config.onStep)
        config.onStep(StepObservation{step, temperature, state.detach(), energies.detach()});
}

/// The state the energy sees when inpainting: `state` on the generated pixels (by their weights
/// in `mask`), the known pixels with this step's noise elsewhere.
torch::Tensor blendKnown(const torch::Tensor& state, const torch::Tensor& noisyKnown, const torch::Tensor& mask)
{
    return mask * state + (1 - mask) * noisyKnown;
}

/// Metropolis-adjusted Langevin: each step's Langevin move is a proposal, accepted per chain.
/// Unconditional sampling keeps the energy and gradient of the current state, so that a step
/// costs one evaluation. Inpainting (`mask` defined) evaluates the current state afresh at every
/// step: its known pixels carry new noise each time.
class MalaChain {
public:
    MalaChain(EnergyNetImpl& net, const SamplerConfig& config, const torch::Tensor& x, const torch::Tensor& mask)
        : net_(net), config_(config), uniforms_(config.seed ^ kAcceptanceStreamSalt), mask_(mask),
          current_(mask.defined() ? EnergyAndGrad{} : energyAndGrad(net, x, config.precision)),
          acceptedSteps_(torch::zeros({x.size(0)}, x.options().dtype(torch::kFloat64)))
    {
        if (mask.defined())
            generated_ = (mask > 0).expand_as(x);
    }

    /// One step at `temperature` from x: x' where a chain accepts its proposal, x elsewhere.
    torch::Tensor step(const torch::Tensor& x, double temperature, NoiseSource& noise);
    /// One inpainting step: the proposal moves the generated pixels only, and both states see the
    /// same `noisyKnown` pixels, so the ratio is over the generated pixels alone.
    torch::Tensor stepInpainting(const torch::Tensor& x, const torch::Tensor& noisyKnown, double temperature,
                                 NoiseSource& noise);
    /// The state whose energies energies() holds, after the latest step's decision (inpainting:
    /// with that step's noisy known pixels).
    const torch::Tensor& measured() const { return measured_; }
    /// Energies of the measured state [N].
    const torch::Tensor& energies() const { return current_.energy; }
    /// Fraction of the chains accepted at the latest step; reads a value back, so at reports only.
    double latestRate() const
    {
        return stepsRun_ == 0 ? 1.0 : rateChunks_.back()[(stepsRun_ - 1) % kRateChunk].item<double>();
    }
    /// The acceptance figures of the steps run, into the result.
    void record(SampleResult& result) const;

private:
    /// Each chain's accept/reject decision on `proposed` ([N] bool): keeps the accepted energies
    /// and counts the step. `moved` is the proposal's move before any inpainting weights.
    torch::Tensor decide(const EnergyAndGrad& proposed, const torch::Tensor& moved, double temperature);
    torch::Tensor logAcceptance(const EnergyAndGrad& proposed, const torch::Tensor& moved, double temperature) const;

    // Per-step rates stay on the device (no read-back per step), in chunks: schedules may be long.
    static constexpr int64_t kRateChunk = 4096;

    EnergyNetImpl& net_;
    const SamplerConfig& config_;
    NoiseSource uniforms_;
    torch::Tensor mask_;                     // inpainting weights (undefined: unconditional)
    torch::Tensor generated_;                // inpainting: the pixels with weight above 0, as x's shape
    EnergyAndGrad current_;
    torch::Tensor measured_;
    torch::Tensor acceptedSteps_;            // [N] accepted steps per chain, float64 on the state's device
    std::vector<torch::Tensor> rateChunks_;  // per step, the fraction of chains accepted
    int64_t stepsRun_ = 0;
};

/// `accepted` [N] shaped to select whole chains of a state with `dims` dimensions.
torch::Tensor chainRows(const torch::Tensor& accepted, int64_t dims)
{
    std::vector<int64_t> perChain(static_cast<size_t>(dims), 1);
    perChain[0] = accepted.size(0);
    return accepted.reshape(perChain);
}

torch::Tensor MalaChain::step(const torch::Tensor& x, double temperature, NoiseSource& noise)
{
    const torch::Device device = x.device();
    // The proposal is plain Langevin's step (runLangevin), the same expression and the same noise.
    const double drift = 0.5 * config_.stepSize * config_.stepSize;
    const torch::Tensor update = -drift * current_.grad + config_.stepSize * std::sqrt(temperature) *
                                                              noise.normal(x.sizes(), device);
    torch::Tensor proposal = x + update;
    if (config_.clampToUnitRange)
        proposal = proposal.clamp(-1.0, 2.0);
    const EnergyAndGrad proposed = energyAndGrad(net_, proposal, config_.precision);
    // A clamped proposal moved less than `update`: the ratio needs the move actually made.
    const torch::Tensor moved = config_.clampToUnitRange ? proposal - x : update;
    const torch::Tensor acceptedRows = chainRows(decide(proposed, moved, temperature), x.dim());
    current_.grad = torch::where(acceptedRows, proposed.grad, current_.grad);
    measured_ = torch::where(acceptedRows, proposal, x);
    return measured_;
}

torch::Tensor MalaChain::stepInpainting(const torch::Tensor& x, const torch::Tensor& noisyKnown, double temperature,
                                        NoiseSource& noise)
{
    const torch::Device device = x.device();
    const torch::Tensor point = blendKnown(x, noisyKnown, mask_);
    current_ = energyAndGrad(net_, point, config_.precision);
    // Plain Langevin inpainting's step (runLangevin), the same expressions and the same noise.
    const double drift = 0.5 * config_.stepSize * config_.stepSize;
    const torch::Tensor update = -drift * current_.grad + config_.stepSize * std::sqrt(temperature) *
                                                              noise.normal(x.sizes(), device);
    torch::Tensor proposal = x + mask_ * update;
    if (config_.clampToUnitRange)
        proposal = proposal.clamp(-1.0, 2.0);
    const torch::Tensor proposalPoint = blendKnown(proposal, noisyKnown, mask_);
    const EnergyAndGrad proposed = energyAndGrad(net_, proposalPoint, config_.precision);
    // The ratio takes the step before its weights: a pixel of weight w moves by w times it, with
    // std w eps sqrt(T) both ways, so w leaves the ratio. A clamped proposal's step is its move / w.
    const torch::Tensor moved = config_.clampToUnitRange
                                    ? torch::where(generated_, (proposal - x) / mask_, torch::zeros_like(x))
                                    : update;
    const torch::Tensor acceptedRows = chainRows(decide(proposed, moved, temperature), x.dim());
    current_.grad = torch::Tensor();  // the next step's known pixels carry new noise: no use for it
    measured_ = torch::where(acceptedRows, proposalPoint, point);
    return torch::where(acceptedRows, proposal, x);
}

torch::Tensor MalaChain::decide(const EnergyAndGrad& proposed, const torch::Tensor& moved, double temperature)
{
    const torch::Tensor logAlpha = logAcceptance(proposed, moved, temperature);
    // u < alpha as log u < log alpha; a NaN ratio (a non-finite proposal) is never accepted.
    const torch::Tensor accepted = uniforms_.uniform({moved.size(0)}, moved.device()).log() < logAlpha;
    current_.energy = torch::where(accepted.reshape(current_.energy.sizes()), proposed.energy, current_.energy);
    const torch::Tensor acceptedValues = accepted.to(torch::kFloat64);
    acceptedSteps_ += acceptedValues;
    if (stepsRun_ % kRateChunk == 0)
        rateChunks_.push_back(torch::empty({kRateChunk}, acceptedValues.options()));
    rateChunks_.back()[stepsRun_ % kRateChunk].copy_(acceptedValues.mean());
    ++stepsRun_;
    return accepted;
}

torch::Tensor MalaChain::logAcceptance(const EnergyAndGrad& proposed, const torch::Tensor& moved,
                                       double temperature) const
{
    // Target exp(-E/T), proposals q(y|x) = N(y; x - d g(x), eps^2 T I), d = eps^2/2, g = dE/dx:
    // log alpha = [E(x) - E(x') - (||x - x' + d g(x')||^2 - ||x' - x + d g(x)||^2) / (2 eps^2)] / T.
    // In float64: the two squared norms nearly cancel.
    const double eps = config_.stepSize;
    const double drift = 0.5 * eps * eps;
    auto wide = [](const torch::Tensor& t) { return t.to(torch::kFloat64).flatten(1); };
    torch::Tensor forward = (wide(moved) + drift * wide(current_.grad)).pow(2);
    torch::Tensor reverse = (-wide(moved) + drift * wide(proposed.grad)).pow(2);
    if (generated_.defined()) {
        // Inpainting: the known pixels are the same in x and x', so the densities are over the
        // generated pixels only.
        const torch::Tensor known = generated_.flatten(1).logical_not();
        forward = forward.masked_fill(known, 0.0);
        reverse = reverse.masked_fill(known, 0.0);
    }
    forward = forward.sum(1);
    reverse = reverse.sum(1);
    const torch::Tensor energyDrop =
        current_.energy.to(torch::kFloat64).flatten() - proposed.energy.to(torch::kFloat64).flatten();
    const torch::Tensor scaled = energyDrop - (reverse - forward) / (2 * eps * eps);
    if (temperature > 0.0)
        return scaled / temperature;
    // T = 0: the ratio's limit as T falls to 0, all or nothing.
    return torch::where(scaled >= 0, torch::zeros_like(scaled),
                        torch::full_like(scaled, -std::numeric_limits<double>::infinity()));
}

void MalaChain::record(SampleResult& result) const
{
    if (stepsRun_ == 0)
        return;
    const torch::Tensor rates = torch::cat(rateChunks_).slice(0, 0, stepsRun_).to(torch::kCPU).contiguous();
    result.acceptanceRates.assign(rates.data_ptr<double>(), rates.data_ptr<double>() + rates.numel());
    result.meanAcceptance = rates.mean().item<double>();
    result.chainAcceptance = (acceptedSteps_ / static_cast<double>(stepsRun_)).to(torch::kCPU, torch::kFloat32);
}

}  // namespace

SampleResult internal::runLangevin(EnergyNetImpl& net, const SamplerConfig& config, torch::Tensor x,
                                   const torch::Tensor& known, const torch::Tensor& mask, NoiseSource& noise,
                                   const FrameCallback& onFrame, const std::atomic<bool>* cancel)
{
    validate(config);
    checkPrecision(config.precision, x.device());
    // A copy: a schedule posted to the feed replaces its remaining steps.
    Schedule schedule = config.schedule;
    int steps = schedule.size();
    bool scheduleChanged = false;
    const torch::Device device = x.device();
    const double drift = 0.5 * config.stepSize * config.stepSize;
    const int every = std::max(1, config.reportEvery);

    const internal::FrozenParameters frozen(net);

    SampleResult result;
    const bool inpainting = mask.defined();
    std::optional<MalaChain> mala;
    if (config.sampler == Sampler::Mala)
        mala.emplace(net, config, x, mask);

    // Known pixels get the noise the free ones carry at this temperature (paper-facts.md).
    auto noisyKnownAt = [&](double temperature, torch::IntArrayRef sizes) {
        const double std = config.referenceInpaintNoise
                               ? kReferenceInpaintNoiseScale * std::pow(temperature, kReferenceInpaintNoiseExponent)
                               : config.sigma0 * std::sqrt(temperature);
        return known + std * noise.normal(sizes, device);
    };
    auto evaluationPoint = [&](const torch::Tensor& state, double temperature) {
        if (!inpainting)
            return state;
        return blendKnown(state, noisyKnownAt(temperature, state.sizes()), mask);
    };

    auto report = [&](int step, double temperature, const torch::Tensor& state,
                      const torch::Tensor& energies, bool final) {
        // Checked here, not every step: reading a value back stalls a GPU, and NaNs persist.
        const double meanEnergy = energies.mean().item<double>();
        if (!std::isfinite(meanEnergy))
            throw Error("sampling diverged by step " + std::to_string(step) +
                        " (non-finite energy); try a smaller step size");
        result.reportedSteps.push_back(step);
        result.meanEnergies.push_back(meanEnergy);
        if (!onFrame)
            return true;
        SampleFrame frame;
        frame.step = step;
        frame.totalSteps = steps;
        frame.temperature = temperature;
        frame.state = state.detach().to(torch::kCPU).clone();
        frame.energies = energies.to(torch::kCPU).clone();
        frame.final = final;
        frame.acceptance = mala && !final ? mala->latestRate() : 1.0;
        if (scheduleChanged) {
            frame.scheduleChanged = true;
            frame.temperatures = schedule.temperatures();
            scheduleChanged = false;
        }
        return onFrame(frame);
    };

    for (int step = 0; step < steps; ++step) {
        checkCancel(cancel, result.stopped);
        if (result.stopped)
            break;
        if (config.scheduleFeed)
            if (std::optional<Schedule> edited = config.scheduleFeed->take()) {
                schedule = continueWith(schedule, *edited, step);
                steps = schedule.size();
                scheduleChanged = true;
                if (step >= steps)
                    break;  // the edited schedule ends here
            }
        const double temperature = schedule.at(step);
        torch::Tensor energies;  // reported with the state: Langevin's before its step, MALA's after
        if (mala) {
            x = inpainting ? mala->stepInpainting(x, noisyKnownAt(temperature, x.sizes()), temperature, noise)
                           : mala->step(x, temperature, noise);
            energies = mala->energies();
            observeStep(config, step + 1, temperature, mala->measured(), energies);
        } else {
            torch::Tensor point = evaluationPoint(x, temperature);
            EnergyAndGrad eg = energyAndGrad(net, point, config.precision);
            observeStep(config, step + 1, temperature, point, eg.energy);
            torch::Tensor update = -drift * eg.grad + config.stepSize * std::sqrt(temperature) *
                                                          noise.normal(x.sizes(), device);
            x = inpainting ? x + mask * update : x + update;
            if (config.clampToUnitRange)
                x = x.clamp(-1.0, 2.0);
            energies = eg.energy;
        }
        const bool last = step + 1 == steps;
        if (((step + 1) % every == 0 || last) && !report(step + 1, temperature, x, energies, false))
            result.stopped = true;
    }

    result.temperatures = schedule.temperatures();
    if (mala)
        mala->record(result);
    result.lastState = inpainting ? mask * x + (1 - mask) * known : x;
    if (config.finalDenoise && !result.stopped) {
        torch::Tensor jumped = denoise(net, evaluationPoint(x, 0.0), config.sigma0, config.precision);
        result.samples = inpainting ? mask * jumped + (1 - mask) * known : jumped;
        EnergyAndGrad eg = energyAndGrad(net, result.samples, config.precision);
        report(steps, 0.0, result.samples, eg.energy, true);
    } else {
        result.samples = result.lastState;
    }
    result.samples = result.samples.detach();
    return result;
}

namespace {

/// A schedule option that names a curve file rather than a preset.
bool isScheduleFile(const std::string& name)
{
    constexpr const char* kSuffix = ".json";
    return name.size() > 5 && name.compare(name.size() - 5, 5, kSuffix) == 0;
}

Schedule scheduleFromFile(const std::string& path, int steps)
{
    const ScheduleCurve curve = ScheduleCurve::load(path);
    return (steps > 0 ? curve.rescaled(steps) : curve).expand();
}

}  // namespace

void validate(const SamplerConfig& config)
{
    if (config.schedule.empty())
        throw Error("the annealing schedule has no steps");
    if (config.schedule.size() > kMaxScheduleSteps)
        throw Error("the annealing schedule has " + std::to_string(config.schedule.size()) + " steps; at most " +
                    std::to_string(kMaxScheduleSteps) + " are allowed");
    if (!(config.stepSize > 0.0) || !std::isfinite(config.stepSize))
        throw Error("the Langevin step size must be a positive number, not " + internal::numberText(config.stepSize));
    if (!(config.sigma0 > 0.0) || !std::isfinite(config.sigma0))
        throw Error("sigma0 must be a positive number, not " + internal::numberText(config.sigma0));
    if (config.numSamples < 1 || config.numSamples > kMaxSamplesPerRun)
        throw Error("the number of samples must be between 1 and " + std::to_string(kMaxSamplesPerRun) + ", not " +
                    std::to_string(config.numSamples));
    if (config.reportEvery < 1)
        throw Error("frames are reported every N steps with N at least 1, not " + std::to_string(config.reportEvery));
}

SamplerConfig makeSamplerConfig(const SamplingOptions& options, double sigma0)
{
    if (options.scheduleSteps < 0 || options.scheduleSteps > kMaxScheduleSteps)
        throw Error("the schedule length must be between 0 (the preset's own) and " +
                    std::to_string(kMaxScheduleSteps) + " steps, not " + std::to_string(options.scheduleSteps));
    SamplerConfig config;
    if (options.curve)
        config.schedule =
            (options.scheduleSteps > 0 ? options.curve->rescaled(options.scheduleSteps) : *options.curve).expand();
    else
        config.schedule = isScheduleFile(options.schedule) ? scheduleFromFile(options.schedule, options.scheduleSteps)
                                                       : Schedule::preset(options.schedule, options.scheduleSteps);
    // 0 asks for the schedule's own step size; a negative one is refused by validate().
    config.stepSize = options.stepSize != 0.0 ? options.stepSize
                      : options.curve         ? kDefaultLangevinStepSize
                                              : schedulePresetStepSize(options.schedule, options.scheduleSteps);
    config.sigma0 = sigma0;
    config.numSamples = options.numSamples;
    config.seed = options.seed;
    config.finalDenoise = options.finalDenoise;
    config.reportEvery = options.reportEvery;
    config.referenceInpaintNoise = options.referenceInpaintNoise;
    config.precision = options.precision;
    config.sampler = options.sampler;
    validate(config);
    return config;
}

SampleResult annealedLangevin(EnergyNetImpl& net, const SamplerConfig& config, torch::Tensor start,
                              const FrameCallback& onFrame, const std::atomic<bool>* cancel)
{
    const torch::Device device = deviceOf(net);
    NoiseSource noise(config.seed);
    torch::Tensor x;
    if (start.defined()) {
        x = start.to(device, torch::kFloat32).clone();
    } else {
        if (config.numSamples < 1)
            throw Error("ask for at least one sample");
        std::vector<int64_t> shape{config.numSamples};
        for (int64_t d : net.config().sampleShape())
            shape.push_back(d);
        x = kStartMean + noise.normal(shape, device);
    }
    return internal::runLangevin(net, config, x, {}, {}, noise, onFrame, cancel);
}

torch::Tensor measureEnergies(EnergyNetImpl& net, const torch::Tensor& x, double noiseStd, int draws,
                              uint64_t seed, int64_t batchSize, Precision precision)
{
    if (noiseStd < 0.0)
        throw Error("the noise level must be non-negative");
    torch::NoGradGuard noGrad;
    const torch::Device device = deviceOf(net);
    checkPrecision(precision, device);
    const int repeats = noiseStd > 0.0 ? std::max(1, draws) : 1;
    NoiseSource noise(seed);
    std::vector<torch::Tensor> parts;
    for (int64_t begin = 0; begin < x.size(0); begin += batchSize) {
        torch::Tensor batch = x.slice(0, begin, std::min(x.size(0), begin + batchSize)).to(device, torch::kFloat32);
        torch::Tensor sum = torch::zeros({batch.size(0)}, batch.options());
        for (int r = 0; r < repeats; ++r) {
            torch::Tensor input = noiseStd > 0.0 ? batch + noiseStd * noise.normal(batch.sizes(), device) : batch;
            PrecisionScope scope(precision, device);
            sum += net.forward(input).to(torch::kFloat32);
        }
        parts.push_back((sum / repeats).to(torch::kCPU));
    }
    return parts.empty() ? torch::zeros({0}) : torch::cat(parts);
}

}  // namespace ebm
