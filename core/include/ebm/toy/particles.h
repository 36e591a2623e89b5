#pragma once
// The toy lab's sampler: annealed Langevin dynamics (or MALA) for a cloud of 2D particles.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <torch/types.h>

#include "ebm/base/defaults.h"
#include "ebm/schedule/schedule.h"
#include "ebm/schedule/sampling_options.h"
#include "ebm/schedule/schedule_feed.h"
#include "ebm/nn/model.h"

namespace ebm::toy {

/// An energy on 2D points as the particle sampler reads it: dE/dx [N, 2] for points x [N, 2],
/// and E(x) [N] into `energy` when it is not null. The gradient may share its storage with the
/// next call's (FastMlp's is a reused buffer): the sampler copies what it keeps.
using PointEnergy = std::function<torch::Tensor(const torch::Tensor& x, torch::Tensor* energy)>;

struct ParticleConfig {
    double stepSize = kDefaultLangevinStepSize;  // eps of eq. 8
    double sigma0 = 0.1;          // for the final denoising jump
    uint64_t seed = 1;
    /// Keep a snapshot of every step (the timeline). Off, only the newest is kept: a run driven by
    /// hand has no end, and its history would grow by N x 8 bytes a step.
    bool recordSnapshots = true;
    /// Langevin takes every step (eq. 8). Mala makes that step a proposal x' that each particle
    /// accepts with probability min(1, exp(-(E(x') - E(x))/T) q(x|x') / q(x'|x)),
    /// q(y|x) = N(y; x - eps^2/2 dE/dx(x), eps^2 T I), at T = 0 the ratio's limit, as the image
    /// sampler does (ebm/sample/sampler.h): the step size then biases nothing, at the cost of
    /// rejected moves. Still one energy and gradient per step: an accepted x' keeps its own.
    Sampler sampler = kDefaultSampler;
};

/// Annealed Langevin dynamics (eq. 8) for a cloud of 2D particles, one step at a time, keeping a
/// snapshot of every step so that a timeline can scrub back. Temperatures come from a schedule
/// (optionally replaced through a ScheduleFeed, as the Sample page's curve editor does) or from
/// the caller for hand-driven annealing.
class ParticleSampler {
public:
    /// `start` [N, 2]. Throws ebm::Error on a non-positive step size or bad start, or when `net`
    /// is not an MLP energy on 2D points (FastMlp evaluates it).
    ParticleSampler(EnergyNet net, const ParticleConfig& config, torch::Tensor start);
    /// The same on any energy (an analytic one, in tests).
    ParticleSampler(PointEnergy energy, const ParticleConfig& config, torch::Tensor start);
    ~ParticleSampler();

    /// Start points spread uniformly over the square [-extent, extent]^2.
    static torch::Tensor spreadStart(int64_t count, double extent, uint64_t seed);

    void setSchedule(Schedule schedule);
    void setScheduleFeed(std::shared_ptr<ScheduleFeed> feed);
    /// One step at the schedule's next temperature; false when the schedule is finished.
    bool stepScheduled();
    /// One step at `temperature` (hand-driven annealing, no schedule needed).
    void step(double temperature);
    /// The denoising jump of eq. 9 (x - sigma0^2 dE/dx), recorded as one more snapshot.
    void denoiseJump();
    /// Adds particles at `points` [M, 2] (clicks on the plane); earlier snapshots keep their size.
    void addParticles(const torch::Tensor& points);
    /// Goes back to snapshot `index` (drops the later ones); the schedule position follows.
    void rewindTo(int index);

    const torch::Tensor& positions() const;            // [N, 2], current
    int stepsTaken() const;                            // schedule position
    int totalSteps() const;                            // schedule length (0 without one)
    double lastTemperature() const;
    /// The fraction of the particles that took their move at the newest step: MALA's acceptance.
    /// 1 for Langevin, and for the start and the denoising jump, which are no Metropolis steps.
    double lastAcceptance() const;
    const std::vector<torch::Tensor>& snapshots() const;   // [N_i, 2] each, the first is the start
    const std::vector<double>& snapshotTemperatures() const;
    const std::vector<int>& snapshotSteps() const;     // schedule position of each snapshot
    const std::vector<double>& snapshotAcceptance() const;   // lastAcceptance() at each snapshot

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// A whole annealed run: `count` particles spread over [-extent, extent]^2 follow `schedule`, then
/// (when `finalDenoise`) take the denoising jump. Returns the final positions [count, 2].
torch::Tensor annealParticles(EnergyNet net, const Schedule& schedule, int64_t count, double extent,
                              const ParticleConfig& config = {}, bool finalDenoise = true);

/// The Learn page's default anneal for the toys: `steps` steps from T = 100 down to 0 in the
/// quick preset's shape (T = 100 matches sigma = 10 sigma0 = 1, the scale of the eight Gaussians).
/// At the default step size 0.02, 1500 steps let the particles settle into the modes' weights; a
/// third of that leaves them spread nearly evenly.
Schedule defaultToySchedule(int steps = 1500);

}  // namespace ebm::toy
