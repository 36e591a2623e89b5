// The toy lab's particles: annealed Langevin dynamics (eq. 8) for 2D points, step by step, and
// its Metropolis-adjusted variant (MALA).
#include "ebm/toy/particles.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "ebm/base/error.h"
#include "ebm/toy/fast_mlp.h"
#include "base/file_util.h"
#include "toy/toy_common.h"

namespace ebm::toy {
using common::contiguousPoints;
using common::kFloat;
using common::seededGenerator;

namespace {

// MALA's acceptance tests draw from a stream of their own, so that its proposals use exactly the
// noise plain Langevin draws from the same seed (the same start and seed propose the same moves).
constexpr uint64_t kAcceptanceStreamSalt = 0xA5C3E1D2B4F69788ULL;

/// The toy models' energy through FastMlp: its hand-written passes, no autograd graph.
PointEnergy fastMlpEnergy(EnergyNet net)
{
    auto fast = std::make_shared<FastMlp>(std::move(net));
    return [fast](const torch::Tensor& x, torch::Tensor* energy) { return fast->energyAndGrad(x, energy); };
}

}  // namespace

struct ParticleSampler::State {
    ParticleConfig config;
    PointEnergy energy;
    at::Generator generator;
    at::Generator acceptanceGenerator;   // MALA's uniforms
    torch::Tensor x;
    // MALA keeps the energy [N] (float64) and gradient [N, 2] of x, so that a step costs one
    // evaluation; stale after anything but a step moves x (a jump, drops, a rewind).
    torch::Tensor currentEnergy, currentGrad;
    bool currentKnown = false;
    Schedule schedule;
    std::shared_ptr<ScheduleFeed> feed;
    int stepsTaken = 0;
    double lastTemperature = 0.0;
    double lastAcceptance = 1.0;
    std::vector<torch::Tensor> snapshots;
    std::vector<double> temperatures;
    std::vector<int> steps;
    std::vector<double> acceptance;

    void record()
    {
        if (!config.recordSnapshots && !snapshots.empty()) {
            snapshots.clear();
            temperatures.clear();
            steps.clear();
            acceptance.clear();
        }
        snapshots.push_back(x.clone());
        temperatures.push_back(lastTemperature);
        steps.push_back(stepsTaken);
        acceptance.push_back(lastAcceptance);
    }

    /// dE/dx at `points` as float [N, 2] (and E into `energies`, when asked).
    torch::Tensor gradient(const torch::Tensor& points, torch::Tensor* energies)
    {
        torch::Tensor grad = contiguousPoints(energy(points, energies), 2, "the energy's gradient");
        if (grad.size(0) != points.size(0) || (energies && energies->numel() != points.size(0)))
            throw Error("the particles' energy must give one value and one gradient per particle");
        return grad;
    }

    void langevinStep(double temperature);
    double malaStep(double temperature);
};

ParticleSampler::ParticleSampler(EnergyNet net, const ParticleConfig& config, torch::Tensor start)
    : ParticleSampler(fastMlpEnergy(std::move(net)), config, std::move(start))
{
}

ParticleSampler::ParticleSampler(PointEnergy energy, const ParticleConfig& config, torch::Tensor start)
    : state_(std::make_unique<State>())
{
    if (!(config.stepSize > 0.0) || !std::isfinite(config.stepSize))
        throw Error("the Langevin step size must be a positive number, not " + internal::numberText(config.stepSize));
    if (!(config.sigma0 > 0.0))
        throw Error("sigma0 must be a positive number");
    if (!energy)
        throw Error("the particle sampler needs an energy to sample");
    State& s = *state_;
    s.config = config;
    s.energy = std::move(energy);
    s.generator = seededGenerator(config.seed);
    s.acceptanceGenerator = seededGenerator(config.seed ^ kAcceptanceStreamSalt);
    s.x = contiguousPoints(start, 2, "the particles' start").clone();
    s.record();
}

ParticleSampler::~ParticleSampler() = default;

torch::Tensor ParticleSampler::spreadStart(int64_t count, double extent, uint64_t seed)
{
    if (count < 1 || count > kMaxSamplesPerRun)
        throw Error("the particle count must be between 1 and " + std::to_string(kMaxSamplesPerRun));
    at::Generator generator = seededGenerator(seed);
    return (at::rand({count, 2}, generator, kFloat) * 2.0 - 1.0) * extent;
}

void ParticleSampler::setSchedule(Schedule schedule) { state_->schedule = std::move(schedule); }
void ParticleSampler::setScheduleFeed(std::shared_ptr<ScheduleFeed> feed) { state_->feed = std::move(feed); }

bool ParticleSampler::stepScheduled()
{
    State& s = *state_;
    if (s.feed)
        if (std::optional<Schedule> edited = s.feed->take())
            s.schedule = continueWith(s.schedule, *edited, s.stepsTaken);
    if (s.stepsTaken >= s.schedule.size())
        return false;
    const double temperature = s.schedule.at(s.stepsTaken);
    step(temperature);
    return true;
}

void ParticleSampler::State::langevinStep(double temperature)
{
    const torch::Tensor grad = gradient(x, nullptr);
    const torch::Tensor noise = at::randn(x.sizes(), generator, kFloat);
    const float drift = static_cast<float>(0.5 * config.stepSize * config.stepSize);
    const float spread = static_cast<float>(config.stepSize * std::sqrt(temperature));
    float* p = x.data_ptr<float>();
    const float* g = grad.data_ptr<float>();
    const float* n = noise.data_ptr<float>();
    for (int64_t k = 0; k < x.numel(); ++k)
        p[k] += -drift * g[k] + spread * n[k];
}

double ParticleSampler::State::malaStep(double temperature)
{
    if (!currentKnown) {
        torch::Tensor energies;
        currentGrad = gradient(x, &energies).clone();
        currentEnergy = energies.to(torch::kFloat64).contiguous();
        currentKnown = true;
    }
    // The proposal is plain Langevin's step: the same expression and the same noise.
    const torch::Tensor noise = at::randn(x.sizes(), generator, kFloat);
    const float drift = static_cast<float>(0.5 * config.stepSize * config.stepSize);
    const float spread = static_cast<float>(config.stepSize * std::sqrt(temperature));
    torch::Tensor proposal = torch::empty_like(x);
    {
        const float* p = x.data_ptr<float>();
        const float* g = currentGrad.data_ptr<float>();
        const float* n = noise.data_ptr<float>();
        float* q = proposal.data_ptr<float>();
        for (int64_t k = 0; k < x.numel(); ++k)
            q[k] = p[k] + (-drift * g[k] + spread * n[k]);
    }
    torch::Tensor proposedEnergies;
    const torch::Tensor proposedGrad = gradient(proposal, &proposedEnergies);
    const torch::Tensor proposedEnergy = proposedEnergies.to(torch::kFloat64).contiguous();
    const int64_t count = x.size(0), dim = x.size(1);
    const torch::Tensor uniforms = at::rand({count}, acceptanceGenerator, torch::TensorOptions().dtype(torch::kFloat64));

    // Target exp(-E/T), proposals q(y|x) = N(y; x - d g(x), eps^2 T I), d = eps^2/2, g = dE/dx:
    // log alpha = [E(x) - E(x') - (||x - x' + d g(x')||^2 - ||x' - x + d g(x)||^2) / (2 eps^2)] / T,
    // in float64 (the two squared norms nearly cancel), with the move actually made in float32.
    const double eps = config.stepSize;
    const double d = 0.5 * eps * eps;
    float* p = x.data_ptr<float>();
    float* g = currentGrad.data_ptr<float>();
    double* e = currentEnergy.data_ptr<double>();
    const float* q = proposal.data_ptr<float>();
    const float* gq = proposedGrad.data_ptr<float>();
    const double* eq = proposedEnergy.data_ptr<double>();
    const double* u = uniforms.data_ptr<double>();
    int64_t accepted = 0;
    for (int64_t i = 0; i < count; ++i) {
        double forward = 0.0, reverse = 0.0;
        for (int64_t c = 0; c < dim; ++c) {
            const int64_t k = i * dim + c;
            const double moved = static_cast<double>(q[k]) - static_cast<double>(p[k]);
            const double there = moved + d * g[k];
            const double back = -moved + d * gq[k];
            forward += there * there;
            reverse += back * back;
        }
        const double scaled = e[i] - eq[i] - (reverse - forward) / (2.0 * eps * eps);
        // T = 0: the ratio's limit as T falls to 0, all or nothing.
        const double logAlpha = temperature > 0.0 ? scaled / temperature
                                                  : (scaled >= 0.0 ? 0.0 : -std::numeric_limits<double>::infinity());
        // u < alpha as log u < log alpha; a NaN ratio (a non-finite proposal) is never accepted.
        if (!(std::log(u[i]) < logAlpha))
            continue;
        ++accepted;
        e[i] = eq[i];
        for (int64_t c = 0; c < dim; ++c) {
            p[i * dim + c] = q[i * dim + c];
            g[i * dim + c] = gq[i * dim + c];
        }
    }
    return count > 0 ? static_cast<double>(accepted) / static_cast<double>(count) : 1.0;
}

void ParticleSampler::step(double temperature)
{
    if (!(temperature >= 0.0) || !std::isfinite(temperature))
        throw Error("a Langevin temperature must be finite and not negative");
    torch::NoGradGuard noGraph;
    State& s = *state_;
    if (s.config.sampler == Sampler::Mala) {
        s.lastAcceptance = s.malaStep(temperature);
    } else {
        s.langevinStep(temperature);
        s.lastAcceptance = 1.0;
    }
    ++s.stepsTaken;
    s.lastTemperature = temperature;
    s.record();
}

void ParticleSampler::denoiseJump()
{
    State& s = *state_;
    const torch::Tensor grad = s.gradient(s.x, nullptr);
    s.x.sub_(grad, s.config.sigma0 * s.config.sigma0);
    s.currentKnown = false;
    s.lastTemperature = 0.0;
    s.lastAcceptance = 1.0;
    s.record();
}

void ParticleSampler::addParticles(const torch::Tensor& points)
{
    State& s = *state_;
    s.x = torch::cat({s.x, contiguousPoints(points, 2, "the dropped particles")}).contiguous();
    if (s.x.size(0) > kMaxSamplesPerRun)
        throw Error("at most " + std::to_string(kMaxSamplesPerRun) + " particles");
    s.currentKnown = false;
    s.snapshots.back() = s.x.clone();
}

void ParticleSampler::rewindTo(int index)
{
    State& s = *state_;
    if (index < 0 || index >= static_cast<int>(s.snapshots.size()))
        throw Error("no snapshot " + std::to_string(index) + " to go back to");
    s.snapshots.resize(static_cast<size_t>(index) + 1);
    s.temperatures.resize(static_cast<size_t>(index) + 1);
    s.steps.resize(static_cast<size_t>(index) + 1);
    s.acceptance.resize(static_cast<size_t>(index) + 1);
    s.x = s.snapshots.back().clone();
    s.currentKnown = false;
    s.stepsTaken = s.steps.back();
    s.lastTemperature = s.temperatures.back();
    s.lastAcceptance = s.acceptance.back();
}

const torch::Tensor& ParticleSampler::positions() const { return state_->x; }
int ParticleSampler::stepsTaken() const { return state_->stepsTaken; }
int ParticleSampler::totalSteps() const { return state_->schedule.size(); }
double ParticleSampler::lastTemperature() const { return state_->lastTemperature; }
double ParticleSampler::lastAcceptance() const { return state_->lastAcceptance; }
const std::vector<torch::Tensor>& ParticleSampler::snapshots() const { return state_->snapshots; }
const std::vector<double>& ParticleSampler::snapshotTemperatures() const { return state_->temperatures; }
const std::vector<int>& ParticleSampler::snapshotSteps() const { return state_->steps; }
const std::vector<double>& ParticleSampler::snapshotAcceptance() const { return state_->acceptance; }

torch::Tensor annealParticles(EnergyNet net, const Schedule& schedule, int64_t count, double extent,
                              const ParticleConfig& config, bool finalDenoise)
{
    ParticleConfig withoutHistory = config;
    withoutHistory.recordSnapshots = false;
    ParticleSampler sampler(std::move(net), withoutHistory, ParticleSampler::spreadStart(count, extent, config.seed));
    sampler.setSchedule(schedule);
    while (sampler.stepScheduled()) {
    }
    if (finalDenoise)
        sampler.denoiseJump();
    return sampler.positions().clone();
}

Schedule defaultToySchedule(int steps)
{
    constexpr double kToyHotTemperature = 100.0;
    return Schedule::quick(steps, kToyHotTemperature);
}

}  // namespace ebm::toy
