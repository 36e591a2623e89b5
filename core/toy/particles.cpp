// The toy lab's particles: annealed Langevin dynamics (eq. 8) for 2D points, step by step.
#include "ebm/toy/particles.h"

#include <torch/torch.h>

#include <cmath>

#include "ebm/base/error.h"
#include "ebm/toy/fast_mlp.h"
#include "base/file_util.h"
#include "toy/toy_common.h"

namespace ebm::toy {
using common::contiguousPoints;
using common::kFloat;
using common::seededGenerator;

struct ParticleSampler::State {
    ParticleConfig config;
    std::unique_ptr<FastMlp> fast;
    at::Generator generator;
    torch::Tensor x;
    Schedule schedule;
    std::shared_ptr<ScheduleFeed> feed;
    int stepsTaken = 0;
    double lastTemperature = 0.0;
    std::vector<torch::Tensor> snapshots;
    std::vector<double> temperatures;
    std::vector<int> steps;

    void record()
    {
        if (!config.recordSnapshots && !snapshots.empty()) {
            snapshots.clear();
            temperatures.clear();
            steps.clear();
        }
        snapshots.push_back(x.clone());
        temperatures.push_back(lastTemperature);
        steps.push_back(stepsTaken);
    }
};

ParticleSampler::ParticleSampler(EnergyNet net, const ParticleConfig& config, torch::Tensor start)
    : state_(std::make_unique<State>())
{
    if (!(config.stepSize > 0.0) || !std::isfinite(config.stepSize))
        throw Error("the Langevin step size must be a positive number, not " + internal::numberText(config.stepSize));
    if (!(config.sigma0 > 0.0))
        throw Error("sigma0 must be a positive number");
    State& s = *state_;
    s.config = config;
    s.fast = std::make_unique<FastMlp>(std::move(net));
    s.generator = seededGenerator(config.seed);
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

void ParticleSampler::step(double temperature)
{
    if (!(temperature >= 0.0) || !std::isfinite(temperature))
        throw Error("a Langevin temperature must be finite and not negative");
    torch::NoGradGuard noGraph;
    State& s = *state_;
    const torch::Tensor& grad = s.fast->energyAndGrad(s.x);
    const torch::Tensor noise = at::randn(s.x.sizes(), s.generator, kFloat);
    const float drift = static_cast<float>(0.5 * s.config.stepSize * s.config.stepSize);
    const float spread = static_cast<float>(s.config.stepSize * std::sqrt(temperature));
    float* x = s.x.data_ptr<float>();
    const float* g = grad.data_ptr<float>();
    const float* n = noise.data_ptr<float>();
    for (int64_t k = 0; k < s.x.numel(); ++k)
        x[k] += -drift * g[k] + spread * n[k];
    ++s.stepsTaken;
    s.lastTemperature = temperature;
    s.record();
}

void ParticleSampler::denoiseJump()
{
    State& s = *state_;
    const torch::Tensor& grad = s.fast->energyAndGrad(s.x);
    s.x.sub_(grad, s.config.sigma0 * s.config.sigma0);
    s.lastTemperature = 0.0;
    s.record();
}

void ParticleSampler::addParticles(const torch::Tensor& points)
{
    State& s = *state_;
    s.x = torch::cat({s.x, contiguousPoints(points, 2, "the dropped particles")}).contiguous();
    if (s.x.size(0) > kMaxSamplesPerRun)
        throw Error("at most " + std::to_string(kMaxSamplesPerRun) + " particles");
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
    s.x = s.snapshots.back().clone();
    s.stepsTaken = s.steps.back();
    s.lastTemperature = s.temperatures.back();
}

const torch::Tensor& ParticleSampler::positions() const { return state_->x; }
int ParticleSampler::stepsTaken() const { return state_->stepsTaken; }
int ParticleSampler::totalSteps() const { return state_->schedule.size(); }
double ParticleSampler::lastTemperature() const { return state_->lastTemperature; }
const std::vector<torch::Tensor>& ParticleSampler::snapshots() const { return state_->snapshots; }
const std::vector<double>& ParticleSampler::snapshotTemperatures() const { return state_->temperatures; }
const std::vector<int>& ParticleSampler::snapshotSteps() const { return state_->steps; }

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
