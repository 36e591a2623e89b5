#pragma once
// Comparing the energies of image sets, as the paper's figure F.1A does (CIFAR-10 train and test
// against SVHN): per-image energies averaged over sigma0 noise draws with their spread, a
// denoising residual as a second score, AUROC and ROC curve of a score as an outlier detector,
// and the transformed or class-restricted sets such comparisons use. No global state: the
// studio calls these from its worker thread, `ebm energy` from the command line.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "ebm/base/defaults.h"
#include "ebm/base/precision_mode.h"
#include "ebm/nn/model.h"
#include "ebm/io/dataset.h"

namespace ebm {

/// How the energies of a set are measured.
struct EnergyInspectionOptions {
    double noiseStd = kDefaultSigma0;  // N(0, noiseStd^2) added before each evaluation; 0 = none
    int draws = 8;                     // noise draws per image (1 when noiseStd is 0)
    uint64_t seed = 1;
    /// Also measure the denoising residual ||sigma0^2 dE/dx|| (costs an input gradient per draw).
    bool residual = false;
    double sigma0 = kDefaultSigma0;    // the model's sigma0: the residual's scale
    /// Images per batch. The noise stream follows the batches, so results agree with
    /// ebm::measureEnergies only at the same batch size (its default is also 256).
    int64_t batchSize = 256;
    /// The network's arithmetic (energies and residuals come back float32).
    Precision precision = Precision::Float32;
};

/// Per-image figures of a set, each [N] float on the CPU.
struct ImageEnergies {
    /// Mean energy over the draws: exactly ebm::measureEnergies for the same x, noise std,
    /// draws, seed and batch size.
    torch::Tensor energy;
    /// Standard deviation of the energy over the draws (with Bessel's correction); 0 with one
    /// draw or no noise. The mean's own uncertainty is spread / sqrt(draws).
    torch::Tensor spread;
    /// ||sigma0^2 dE/dx|| (the length of the denoising jump of eq. 9) at the same noisy points
    /// as the energies, averaged over the draws: the score is trained at noisy points, not at
    /// clean ones. Undefined unless requested.
    torch::Tensor residual;
};

/// Called after every batch and draw with the image evaluations done so far (images x draws)
/// and their total.
using InspectionProgress = std::function<void(int64_t done, int64_t total)>;

/// Measures every row of x ([N, ...], any device; moved to the model's) in batches, noise from
/// a CPU generator seeded with options.seed so that a seed gives the same figures on every
/// device. `cancel` is polled before every batch and draw (a fraction of a second apart);
/// raising it throws ebm::Cancelled. Throws ebm::Error for a negative noise level or a draw
/// count or batch size below 1.
ImageEnergies measureImageEnergies(EnergyNetImpl& net, const torch::Tensor& x,
                                   const EnergyInspectionOptions& options,
                                   const InspectionProgress& progress = {},
                                   const std::atomic<bool>* cancel = nullptr);

/// Mean and standard deviation (with Bessel's correction; 0 for one value) of a set's scores.
struct ScoreSummary {
    int64_t count = 0;
    double mean = 0.0;
    double std = 0.0;
};
ScoreSummary summarize(const torch::Tensor& scores);

/// Area under the ROC curve of a score used to tell outliers from inliers: the probability that
/// an outlier scores higher than an inlier, ties counting one half (the Mann-Whitney U statistic
/// over the product of the set sizes), by sorting. 0.5 when the score cannot tell the sets apart,
/// 1 when every outlier scores above every inlier, 0 when below. Throws ebm::Error when a set
/// is empty or holds a NaN.
double auroc(const torch::Tensor& inlierScores, const torch::Tensor& outlierScores);

/// One point of the ROC curve: flagging every image with score >= threshold as an outlier
/// finds this fraction of the outliers (true positives) and of the inliers (false positives).
struct RocPoint {
    double threshold = 0.0;
    double falsePositiveRate = 0.0;
    double truePositiveRate = 0.0;
};
/// The curve from (0, 0) (threshold +infinity) to (1, 1) (the lowest score), one point per
/// distinct score; tied scores move both rates at once, so the trapezoids under the curve add up
/// to auroc() exactly. Same errors as auroc().
std::vector<RocPoint> rocCurve(const torch::Tensor& inlierScores, const torch::Tensor& outlierScores);

/// A change applied to every image of a set, to make a shifted copy of it.
struct ImageTransform {
    enum class Kind { Noise, Invert, FlipHorizontal, Shift };
    Kind kind = Kind::Invert;
    double noiseStd = 0.0;  // Noise: N(0, noiseStd^2) added, not clipped to [0, 1]
    int shiftRight = 0;     // Shift: columns to the right (negative: left); vacated pixels are 0
    int shiftDown = 0;      //        rows down (negative: up)
};

/// Parses a comma-separated chain, applied in order: "invert" (1 - x), "flip" (left-right),
/// "noise:STD", "shift:DX" or "shift:DX:DY"; "none" or "" is no transform. Throws ebm::Error
/// with one line naming the item that is not understood.
std::vector<ImageTransform> parseTransforms(const std::string& text);
/// The chain in the form parseTransforms() reads ("none" for an empty chain).
std::string describeTransforms(const std::vector<ImageTransform>& transforms);

/// Applies the chain to images [N, C, H, W] (noise and invert also to points [N, D]) and returns
/// a new tensor. Noise comes from a CPU generator seeded from `seed` mixed with a constant, so
/// it is not the noise an energy measurement with the same seed draws. Throws ebm::Error for a
/// flip or shift of points, or a shift that leaves nothing of the image.
torch::Tensor applyTransforms(const torch::Tensor& images, const std::vector<ImageTransform>& transforms,
                              uint64_t seed = 1);

/// Positions (int64 [K], ascending) of the rows of `data` whose label is one of `classes`.
/// Throws ebm::Error naming the data set when it has no labels, when no classes are given, when
/// a class is outside the labels' range or has no images.
torch::Tensor classIndices(const Dataset& data, const std::vector<int64_t>& classes);
/// The rows of `data` (images and labels) with one of those labels, in their original order.
/// Same errors as classIndices().
Dataset restrictToClasses(const Dataset& data, const std::vector<int64_t>& classes);

}  // namespace ebm
