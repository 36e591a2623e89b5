#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>
#include <torch/types.h>
#include "ebm/base/defaults.h"
#include "ebm/schedule/sampling_options.h"
#include "ebm/schedule/schedule.h"
#include "ebm/schedule/schedule_feed.h"
#include "ebm/nn/model.h"

namespace ebm {

/// What a step observer sees at every step: the state whose energy the step measured, and that
/// energy. Langevin measures the state before its move, MALA the state after its accept/reject
/// decision. The tensors stay on the sampler's device (nothing is copied or read back for them)
/// and are valid during the call only: copy what you keep.
struct StepObservation {
    int step = 0;             // 1-based, as SampleFrame counts
    double temperature = 0.0;
    torch::Tensor state;      // [N, ...]
    torch::Tensor energies;   // N energies
};
using StepObserver = std::function<void(const StepObservation&)>;

struct SamplerConfig {
    Schedule schedule = Schedule::paperExponential();
    double stepSize = kDefaultLangevinStepSize;  // eps of eq. 8
    double sigma0 = kDefaultSigma0;  // for the denoising jump and the inpainting noise level
    int64_t numSamples = 64;
    uint64_t seed = 1;
    bool finalDenoise = true;      // eq. 9 after annealing
    int reportEvery = kDefaultReportEvery;  // callback period in steps (the last step always reports)
    bool clampToUnitRange = false; // clip the state to [-1, 2] guards against blow-ups only
    /// Inpainting noise on the clamped pixels: std = sigma0*sqrt(T) (paper) when false,
    /// 0.1*T^(1/4) (the reference code) when true.
    bool referenceInpaintNoise = false;
    /// Arithmetic of each step's energy and gradient; the state and the noise stay float32.
    /// (A person's request, SamplingOptions, defaults to the machine's defaultSamplingPrecision.)
    Precision precision = Precision::Float32;
    /// When set, polled before every step: a posted schedule replaces the remaining steps
    /// (see continueWith), e.g. a curve edited while the run is paused.
    std::shared_ptr<ScheduleFeed> scheduleFeed;
    /// Langevin takes every step; Mala accepts each chain's step with the Metropolis-Hastings
    /// ratio for exp(-E/T) (inpainting too: see inpaint, where a step costs two evaluations).
    Sampler sampler = kDefaultSampler;
    /// When set, called at every step, reported or not (e.g. `ebm sample --diagnostics` keeps a
    /// few numbers per chain and step). It draws nothing: the run is the same with or without it.
    StepObserver onStep;
};

/// The sampler's configuration for a person's request and the model's sigma0. Throws
/// ebm::Error with one line naming the setting that is out of range.
SamplerConfig makeSamplerConfig(const SamplingOptions& options, double sigma0);

/// Throws ebm::Error when a configuration cannot run (empty schedule, step size not positive,
/// sample count out of range, ...). The sampler calls it before its first step.
void validate(const SamplerConfig& config);

/// What a caller sees every `reportEvery` steps.
struct SampleFrame {
    int step = 0;                 // 1-based count of completed steps
    int totalSteps = 0;
    double temperature = 0.0;
    torch::Tensor state;          // [N, ...] current noisy state, CPU float
    torch::Tensor energies;       // [N] energy of the current state, CPU float
    bool final = false;           // after the denoising jump
    /// The schedule was replaced since the previous frame; `temperatures` is then the whole
    /// schedule the run now follows (one per step) and totalSteps its length.
    bool scheduleChanged = false;
    std::vector<double> temperatures;
    /// Fraction of the chains whose step was accepted at this step (MALA); plain Langevin takes
    /// every step, and the final frame is the jump, not a step: 1 there.
    double acceptance = 1.0;
};

/// Returning false from the callback stops sampling early (the state so far is returned).
using FrameCallback = std::function<bool(const SampleFrame&)>;

struct SampleResult {
    torch::Tensor samples;        // [N, ...] after the jump when finalDenoise
    torch::Tensor lastState;      // [N, ...] before the jump
    std::vector<double> temperatures;   // per step, as run (after any schedule edits)
    std::vector<double> meanEnergies;   // per reported step
    std::vector<int> reportedSteps;
    bool stopped = false;         // stopped early by callback or cancel flag
    /// MALA only (empty or undefined for Langevin, which accepts every step): the fraction of
    /// chains accepted at every step run, each chain's fraction of accepted steps ([N], CPU) and
    /// the mean over the steps run.
    std::vector<double> acceptanceRates;
    torch::Tensor chainAcceptance;
    double meanAcceptance = 1.0;
};

/// Annealed Langevin dynamics (eq. 8): x <- x - eps^2/2 dE/dx + eps sqrt(T) N(0, I).
/// With config.sampler Mala that step is a proposal x', accepted per chain with probability
/// min(1, exp(-(E(x') - E(x))/T) q(x|x') / q(x'|x)), q(y|x) = N(y; x - eps^2/2 dE/dx(x), eps^2 T I);
/// at T = 0, the ratio's limit: accepted when E(x') + ||x - x' + eps^2/2 dE/dx(x')||^2 / (2 eps^2)
/// is at most E(x). Unconditionally still one energy and gradient per step: an accepted x' keeps its gradient.
/// `start` empty means 0.5 + N(0, I). `cancel` is polled every step.
SampleResult annealedLangevin(EnergyNetImpl& net, const SamplerConfig& config,
                              torch::Tensor start = {}, const FrameCallback& onFrame = {},
                              const std::atomic<bool>* cancel = nullptr);

/// Energies of x after adding N(0, noiseStd^2) noise, averaged over `draws` draws ([N]).
/// noiseStd = 0 measures x itself (draws is then ignored).
torch::Tensor measureEnergies(EnergyNetImpl& net, const torch::Tensor& x, double noiseStd = 0.1,
                              int draws = 1, uint64_t seed = 1, int64_t batchSize = 256,
                              Precision precision = Precision::Float32);

}  // namespace ebm
