#pragma once
// Evaluation of energy models: sample quality in a feature space (Frechet distance, an
// inception-like score, class histogram), nearest training neighbours of samples (paper,
// appendix C), and log-likelihood by annealed importance sampling (forward AIS from an isotropic
// Gaussian, reverse AIS from data). See docs/evaluation.md for what each number means.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <torch/types.h>
#include "ebm/nn/model.h"
#include "ebm/eval/classifier.h"

namespace ebm {

/// Progress of a long evaluation step: fraction in [0, 1] and a short description.
/// Returning false cancels (the step throws ebm::Cancelled).
using EvalProgress = std::function<bool(double fraction, const std::string& detail)>;

// ---------------------------------------------------------------------------------------------
// Feature extraction

/// Features [N, D] (float64, CPU) and, for classifiers, class probabilities [N, K] (float64,
/// CPU; undefined when the extractor has no classification head).
struct FeatureBatch {
    torch::Tensor features;
    torch::Tensor probabilities;
};

/// Anything that maps images [N, C, H, W] in [0, 1] to features.
class FeatureExtractor {
public:
    virtual ~FeatureExtractor() = default;
    virtual std::string describe() const = 0;
    /// One batch; the extractor converts channels and size as it needs.
    virtual FeatureBatch extract(const torch::Tensor& images) = 0;
};

/// The bundled (or any) ebm classifier: its 128-d penultimate layer and softmax probabilities.
/// Images are padded/cropped to the classifier's size; RGB is averaged to gray for a 1-channel
/// classifier.
std::unique_ptr<FeatureExtractor> classifierFeatures(Classifier net, const std::string& description,
                                                     torch::Device device = torch::kCPU);

/// A user's TorchScript module (torch.jit.save). forward(images) must return features [N, D]
/// (more dimensions are flattened, e.g. [N, 2048, 1, 1]) or a tuple (features, logits); with
/// logits the inception-like score and class histogram are available too.
struct TorchScriptOptions {
    int inputSize = 0;        // resize (bilinear) to this square size; 0 = keep (e.g. 299 for Inception)
    int channels = 0;         // 3 replicates gray images to RGB, 1 averages RGB to gray; 0 = keep
    bool signedRange = false; // feed [-1, 1] instead of [0, 1]
    torch::Device device = torch::kCPU;
};
std::unique_ptr<FeatureExtractor> loadTorchScriptFeatures(const std::string& path, const TorchScriptOptions& options);

/// Runs an extractor over many images in batches (images may be on any device; results CPU).
FeatureBatch extractFeatures(FeatureExtractor& extractor, const torch::Tensor& images, int64_t batchSize = 256,
                             const EvalProgress& progress = {});

// ---------------------------------------------------------------------------------------------
// Frechet distance between Gaussians fitted to features (FID-like)

struct GaussianStats {
    torch::Tensor mean;  // [D] float64
    torch::Tensor cov;   // [D, D] float64, unbiased (N - 1)
    int64_t count = 0;
};
GaussianStats gaussianStats(const torch::Tensor& features);

/// Square root of a symmetric positive semi-definite matrix by eigendecomposition (float64);
/// negative eigenvalues from round-off are clipped to zero.
torch::Tensor sqrtPsd(const torch::Tensor& matrix);

/// ||m1 - m2||^2 + tr S1 + tr S2 - 2 tr sqrt(S1^(1/2) S2 S1^(1/2)), in float64. The matrix in the
/// last term is symmetric PSD, so its square root comes from a symmetric eigendecomposition.
double frechetDistance(const GaussianStats& a, const GaussianStats& b);

// ---------------------------------------------------------------------------------------------
// Inception-like score and class histogram

struct InceptionScore {
    double score = 0.0;     // exp(E_x KL(p(y|x) || p(y))) over all rows
    double splitMean = 0.0; // mean and std of the score over `splits` equal parts
    double splitStd = 0.0;
    int splits = 1;
};
/// probabilities [N, K], rows summing to one.
InceptionScore inceptionScore(const torch::Tensor& probabilities, int splits = 1);

struct ClassHistogram {
    std::vector<int64_t> counts;  // argmax class counts
    int covered = 0;              // classes predicted at least once
    double totalVariation = 0.0;  // 0.5 sum |f_k - 1/K|: 0 = perfectly balanced
    double entropyRatio = 0.0;    // entropy of the histogram / log K: 1 = balanced
};
ClassHistogram classHistogram(const torch::Tensor& probabilities);

// ---------------------------------------------------------------------------------------------
// Nearest neighbours in pixel space (L2)

struct Neighbours {
    torch::Tensor indices;    // [Q, k] int64 into the reference set, nearest first
    torch::Tensor distances;  // [Q, k] float64 L2 distances
};
/// The k nearest reference rows of each query (flattened), scanning the reference set in
/// batches of `batchSize` rows so that 60000 training images need little memory.
Neighbours nearestNeighbours(const torch::Tensor& queries, const torch::Tensor& reference, int k,
                             int64_t batchSize = 4096, const EvalProgress& progress = {});

/// Image grid [C, H', W']: one row per query, the query first, then its neighbours.
torch::Tensor neighbourGrid(const torch::Tensor& queries, const torch::Tensor& reference, const Neighbours& neighbours);

// ---------------------------------------------------------------------------------------------
// Log-likelihood by annealed importance sampling

/// Transitions between intermediate distributions. Hmc and Mala (HMC with one leapfrog step)
/// are Metropolis-corrected and leave each intermediate distribution exactly invariant, as AIS
/// requires; Ula is plain unadjusted Langevin (x - eps^2/2 grad U + eps n): cheaper but biased.
enum class AisTransition { Hmc, Mala, Ula };
/// Spacing of the inverse temperatures beta_0 = 0 < ... < beta_K = 1.
enum class BetaSchedule { Sigmoid, Geometric, Linear };
std::string toString(AisTransition t);
AisTransition parseAisTransition(const std::string& name);  // throws ebm::Error
std::string toString(BetaSchedule s);
BetaSchedule parseBetaSchedule(const std::string& name);

/// K + 1 inverse temperatures from 0 to 1. Sigmoid: Grosse et al.'s sigma(delta (2k/K - 1))
/// rescaled to [0, 1] (`parameter` = delta, default 4). Geometric: 0, then beta_min^(1 - (k-1)/(K-1))
/// for k >= 1 (`parameter` = beta_min, default 1e-4). Linear: k/K.
std::vector<double> betaSchedule(BetaSchedule kind, int steps, double parameter = 0.0);

struct AisConfig {
    int steps = 1000;                 // K intermediate distributions
    BetaSchedule schedule = BetaSchedule::Sigmoid;
    double scheduleParameter = 0.0;   // 0 = the schedule's default
    AisTransition transition = AisTransition::Hmc;
    int leapfrogSteps = 10;           // HMC only
    int transitionsPerStep = 1;       // MCMC updates per intermediate distribution
    double stepSize = 0.01;           // initial leapfrog / Langevin step (pixel units)
    bool adaptStepSize = true;        // shared step size tuned towards targetAcceptance (Hmc, Mala)
    double targetAcceptance = 0.65;
    /// Base distribution N(baseMean, baseStd^2 I): baseMean is a scalar or a tensor of one
    /// sample's shape; undefined means 0.5.
    torch::Tensor baseMean;
    double baseStd = 1.0;
    /// Target density exp(-E(x)/temperature) / Z. 1 is the model's own density (see docs).
    double temperature = 1.0;
    int64_t chains = 64;              // forward AIS only; reverse runs one chain per start image
    uint64_t seed = 1;
};

struct AisResult {
    bool reverse = false;
    double logZ0 = 0.0;            // log partition function of the base Gaussian (exact)
    double logZ = 0.0;             // pooled estimate: forward log Z0 + logmeanexp(w); reverse log Z0 - logmeanexp(w)
    double logZStdErr = 0.0;       // delta-method standard error of the pooled estimate (NaN when the
                                   // effective sample size is below 2: one chain dominates)
    torch::Tensor chainLogZ;       // [chains] single-chain estimates (forward: log Z0 + log w_i; reverse: log Z0 - log w_i)
    double logWeightStd = 0.0;     // spread of the log weights (large = unreliable)
    double effectiveSampleSize = 0.0;
    double acceptance = 0.0;       // mean Metropolis acceptance (1 for Ula)
    double finalStepSize = 0.0;
    torch::Tensor startEnergies;   // reverse: E(x) of the start images [chains] (float64)
    torch::Tensor finalStates;     // CPU
    int steps = 0;
};

/// Forward AIS from the base Gaussian to exp(-E/T): a stochastic lower bound on log Z
/// (E[log Z-hat] <= log Z). Throws ebm::Cancelled when progress returns false.
AisResult forwardAis(EnergyNetImpl& net, const AisConfig& config, const EvalProgress& progress = {});

/// Reverse AIS (Burda et al. 2015) from `start` (rows are samples of the target; test images in
/// practice) back to the base: a stochastic upper bound on log Z when the starts are exact
/// samples of the model.
AisResult reverseAis(EnergyNetImpl& net, const torch::Tensor& start, const AisConfig& config,
                     const EvalProgress& progress = {});

/// Log densities and bits per dimension of data from their energies and log Z.
struct DensitySummary {
    double meanLogDensity = 0.0;   // nats, mean over images of log p(x)
    double stdLogDensity = 0.0;
    double bitsPerDim = 0.0;       // mean over images of -log p(x) / (D ln 2)
    double bitsPerDimStd = 0.0;    // spread over images
    double bitsPerDimStdErr = 0.0; // standard error of the mean
    int64_t count = 0;
    int64_t dims = 0;
};
/// log p(x_i) = -E(x_i)/T - logZ_i with logZ a scalar tensor or one value per image (reverse
/// AIS per chain, the paper's "average of the log density").
DensitySummary summariseDensity(const torch::Tensor& energies, const torch::Tensor& logZ, double temperature,
                                int64_t dims);

/// -logDensity / (dims ln 2).
double bitsPerDim(double logDensity, int64_t dims);

}  // namespace ebm
