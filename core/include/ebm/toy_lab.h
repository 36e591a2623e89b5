#pragma once
// The 2D teaching demos' engine (the studio's Learn page and `ebm bench --toy`): weighted
// Gaussian mixtures, a fast MLP energy evaluator with a hand-written MDSM gradient, a step-by-step
// toy trainer, annealed Langevin for particles, the energy landscape on a grid, sample-quality
// measures and the measure-concentration statistics of the paper's section 2. No Qt.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <torch/types.h>

#include "ebm/dataset.h"
#include "ebm/defaults.h"
#include "ebm/mdsm.h"
#include "ebm/model.h"
#include "ebm/schedule.h"
#include "ebm/schedule_feed.h"

namespace ebm::toy {

// --- Data --------------------------------------------------------------------------------------

/// Isotropic Gaussian components in 2D with (possibly unequal) weights.
struct GaussianMixture {
    std::vector<std::array<double, 2>> means;
    std::vector<double> weights;   // any positive numbers; normalised when sampling
    double std = 0.1;

    /// Eight Gaussians on a circle of `radius`, weights proportional to 1..8 (counter-clockwise
    /// from the positive x axis): the case where one noise level visibly flattens the weights.
    static GaussianMixture weightedEightGaussians(double radius = 2.0, double std = 0.1);
    /// The same circle with equal weights.
    static GaussianMixture eightGaussians(double radius = 2.0, double std = 0.1);

    /// Throws ebm::Error when empty, a weight is not positive or std is not positive.
    void validate() const;
    std::vector<double> normalisedWeights() const;
    torch::Tensor meansTensor() const;                           // [K, 2] float
    Dataset sample(int64_t count, uint64_t seed = 1) const;      // [count, 2] float
};

/// The Learn page's data choices by name: the core's toys ("toy:moons"), "weighted8" and
/// "8gaussians-r2" (the mixtures above). Throws ebm::Error for an unknown name.
Dataset makeToyData(const std::string& name, int64_t count, uint64_t seed = 1);
/// The names makeToyData accepts, the mixtures first.
std::vector<std::string> toyDataNames();
/// The mixture behind a name, when the data are one (its modes are what the measures count).
std::optional<GaussianMixture> mixtureFor(const std::string& name);

// --- Fast MLP evaluation --------------------------------------------------------------------------

/// Energies and input gradients of an MLP energy network (ModelConfig::mlp), and the exact
/// gradient of the MDSM loss with respect to its parameters, written by hand with matrix products
/// into reused buffers: no autograd graph, a few dozen kernel calls per step. It reads the
/// network's own parameter tensors, so an optimizer step on them is seen at once.
class FastMlp {
public:
    /// Throws ebm::Error when `net` is not an MLP energy on the CPU.
    explicit FastMlp(EnergyNet net);
    ~FastMlp();
    FastMlp(const FastMlp&) = delete;
    FastMlp& operator=(const FastMlp&) = delete;

    /// E(x) [N] (when `energy` is not null) and dE/dx [N, D] for points x [N, D]. The returned
    /// gradient is a buffer reused by the next call: copy it to keep it.
    const torch::Tensor& energyAndGrad(const torch::Tensor& x, torch::Tensor* energy = nullptr);

    /// The MDSM loss of eq. 7 (as ebm::mdsmLoss: l(sigma) = 1/sigma^2, divided by the batch size)
    /// on clean points x [N, D] with standard-normal `noise` and one sigma per row [N]; the
    /// parameter gradients are written to gradients() (same order as net->parameters()).
    /// Returns the loss on the reference code's scale (times sigma0^4).
    double mdsmLossAndGradients(const torch::Tensor& x, const torch::Tensor& noise, const torch::Tensor& sigmas,
                                double sigma0);
    const std::vector<torch::Tensor>& gradients() const;

    EnergyNet net() const;

private:
    struct Buffers;
    std::unique_ptr<Buffers> buffers_;
};

// --- Training -----------------------------------------------------------------------------------

struct ToyTrainConfig {
    ModelConfig model = ModelConfig::mlp(2, 128, 3);
    NoiseConfig noise = defaultToyNoise();
    int64_t batchSize = 256;
    double learningRate = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    uint64_t seed = 1;

    /// MDSM for the eight-Gaussian toys: sigma 0.05..2 geometric, sigma0 0.1.
    static NoiseConfig defaultToyNoise();
    /// Throws ebm::Error with one line naming the setting that is out of range.
    void validate() const;
};

/// MDSM with Adam on 2D points, one step at a time (the caller decides when to pause or stop).
/// Batches are drawn with replacement from a seeded stream, so a seed gives the same model.
class ToyTrainer {
public:
    /// `points` [N, 2] (any N >= 1). Throws ebm::Error on bad settings or data.
    ToyTrainer(const ToyTrainConfig& config, torch::Tensor points);
    ~ToyTrainer();
    ToyTrainer(const ToyTrainer&) = delete;
    ToyTrainer& operator=(const ToyTrainer&) = delete;

    /// One step; returns the normalised loss. Throws ebm::Error on a non-finite loss (the weights
    /// stay at the last good step).
    double step();
    /// Replaces the training points (the optimizer keeps its state).
    void setPoints(torch::Tensor points);
    /// Changes the learning rate from the next step on.
    void setLearningRate(double rate);

    EnergyNet net() const;
    FastMlp& fast();
    int64_t completedSteps() const;
    const std::vector<float>& lossHistory() const;
    const ToyTrainConfig& config() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// --- Sampling -----------------------------------------------------------------------------------

struct ParticleConfig {
    double stepSize = kDefaultLangevinStepSize;  // eps of eq. 8
    double sigma0 = 0.1;          // for the final denoising jump
    uint64_t seed = 1;
    /// Keep a snapshot of every step (the timeline). Off, only the newest is kept: a run driven by
    /// hand has no end, and its history would grow by N x 8 bytes a step.
    bool recordSnapshots = true;
};

/// Annealed Langevin dynamics (eq. 8) for a cloud of 2D particles, one step at a time, keeping a
/// snapshot of every step so that a timeline can scrub back. Temperatures come from a schedule
/// (optionally replaced through a ScheduleFeed, as the Sample page's curve editor does) or from
/// the caller for hand-driven annealing.
class ParticleSampler {
public:
    /// `start` [N, 2]. Throws ebm::Error on a non-positive step size or bad start.
    ParticleSampler(EnergyNet net, const ParticleConfig& config, torch::Tensor start);
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
    const std::vector<torch::Tensor>& snapshots() const;   // [N_i, 2] each, the first is the start
    const std::vector<double>& snapshotTemperatures() const;
    const std::vector<int>& snapshotSteps() const;     // schedule position of each snapshot

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

// --- Landscape ----------------------------------------------------------------------------------

struct LandscapeGrid {
    double xMin = -3.0, xMax = 3.0, yMin = -3.0, yMax = 3.0;
    int resolution = 128;          // points per side
};

/// E(x) and the score -dE/dx at the grid's points, row-major with y rising by row.
struct Landscape {
    LandscapeGrid grid;
    torch::Tensor energies;        // [R, R]
    torch::Tensor scores;          // [R, R, 2]
    /// The grid's points [R*R, 2] in the order of energies.flatten().
    static torch::Tensor points(const LandscapeGrid& grid);
};

/// Throws ebm::Error for an empty or inverted range or a resolution outside 2..1024.
Landscape computeLandscape(FastMlp& model, const LandscapeGrid& grid);

// --- Sample quality -----------------------------------------------------------------------------

/// How many modes a sample set covers and how its mode weights compare with the true ones.
struct ModeMatch {
    int modesCovered = 0;                // modes with at least kCoveredShare of their expected count
    int modes = 0;
    double weightTv = 0.0;               // 0.5 * sum |sample weight - true weight| over the modes
    double unassignedFraction = 0.0;     // samples farther than the radius from every mode
    std::vector<double> sampleWeights;   // per mode, among the assigned samples
};

/// A mode counts as covered when it holds at least this share of the samples its weight predicts.
constexpr double kCoveredShare = 0.1;

/// Assigns each sample [N, 2] to its nearest mean [K, 2] when within `radius`, then compares
/// the assigned samples' mode weights with `trueWeights` (normalised here).
ModeMatch matchModes(const torch::Tensor& samples, const torch::Tensor& means, const std::vector<double>& trueWeights,
                     double radius);

/// The Gaussian kernel width of sampleMmd(): twice the eight Gaussians' std, so that it resolves
/// single modes and is not dominated by the distance between them.
constexpr double kDefaultMmdBandwidth = 0.2;

/// Maximum mean discrepancy between two point sets with the kernel exp(-|x-y|^2 / (2 h^2)):
/// the square root of the (biased, never negative) V-statistic. Sets larger than maxPoints are
/// thinned evenly to keep the cost bounded.
double sampleMmd(const torch::Tensor& a, const torch::Tensor& b, double bandwidth = kDefaultMmdBandwidth,
                 int64_t maxPoints = 2000);

// --- Measure concentration (section 2) --------------------------------------------------------

struct Histogram {
    double lo = 0.0, hi = 1.0;
    std::vector<double> counts;   // per bin, as fractions of all draws
    double mean = 0.0;
    double stddev = 0.0;
    double binWidth() const { return counts.empty() ? 0.0 : (hi - lo) / static_cast<double>(counts.size()); }
};

struct ConcentrationStats {
    int dimension = 0;
    double sigma = 0.0;
    Histogram distance;       // ||noisy - clean|| = sigma ||z||, concentrates at sqrt(d) sigma
    Histogram angleDegrees;   // angle between the noise and a fixed direction, concentrates at 90
    double expectedDistance() const;   // sqrt(d) sigma
};

/// Draws `draws` noise vectors N(0, sigma^2 I_d). Throws ebm::Error when d or draws is below 1,
/// sigma is not positive, or d * draws exceeds kMaxConcentrationValues.
ConcentrationStats concentration(int dimension, double sigma, int64_t draws = 2000, int bins = 60, uint64_t seed = 1);

/// The distances ||noisy - clean|| that a spread of sigmas reaches (equal draws per sigma) on a
/// common range [lo, hi]: where one sigma concentrates on a thin shell, a spread covers a band.
Histogram distanceHistogram(int dimension, const std::vector<double>& sigmas, int64_t drawsPerSigma, int bins,
                            double lo, double hi, uint64_t seed = 1);

constexpr int64_t kMaxConcentrationValues = int64_t{64} * 1000 * 1000;

}  // namespace ebm::toy
