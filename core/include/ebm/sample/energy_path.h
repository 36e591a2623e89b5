#pragma once
// The energy along a path between two images (or points): the straight line between them, and
// the minimum-energy path a nudged elastic band relaxes it to (Henkelman & Jonsson 2000, with
// their improved tangent and the climbing image of Henkelman, Uberuaga & Jonsson 2000). The
// highest point of the relaxed path estimates the saddle between the two, and its height above
// the higher end the barrier a sampler has to cross to go from one to the other. No global
// state: the studio calls these from its worker thread, `ebm path` from the command line.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "ebm/base/precision_mode.h"
#include "ebm/nn/model.h"

namespace ebm {

/// Points on a path, counting both ends: the fewest that have an interior point, the most that
/// one batch of images should hold.
constexpr int kMinPathPoints = 3;
constexpr int kMaxPathPoints = 128;
constexpr int kDefaultPathPoints = 16;
/// Steps of the band's optimizer unless asked otherwise, and the most a request may ask for.
constexpr int kDefaultNebIterations = 200;
constexpr int kMaxNebIterations = 1000000;
/// The optimizer's (FIRE's) first time step; it grows to kNebMaxStepGrowth times this while the
/// band keeps going downhill and halves when it overshoots.
constexpr double kDefaultNebStepSize = 0.05;
constexpr double kNebMaxStepGrowth = 10.0;
/// Stiffness of the springs that keep the points evenly spaced along the band (energy per
/// squared distance). Only its part along the band acts, so it sets how fast the spacing evens
/// out, not where the band settles.
constexpr double kDefaultNebSpringConstant = 1.0;
/// Steps of the plain band before its highest point starts climbing to the saddle (it also
/// starts as soon as the plain band has converged).
constexpr int kDefaultNebClimbAfter = 20;
/// The band has converged when no point feels a force (energy per distance) larger than this.
constexpr double kDefaultNebForceTolerance = 1e-3;
/// The most a point moves in one step, as a fraction of the straight line's spacing
/// |b - a| / (points - 1): early forces can be large and far from the band's scale.
constexpr double kDefaultNebMaxStepFraction = 0.25;

/// Energies [N] and dE/dx (the shape of x) of a batch x [N, ...] of path points.
using BatchEnergy = std::function<EnergyAndGrad(const torch::Tensor& x)>;

/// The network's energies and input gradients (ebm::energyAndGrad, no parameter gradients) in
/// `precision`, on the network's device; results come back on x's device in x's dtype. The
/// network must outlive the function. Throws ebm::Error when the precision is not available on
/// the network's device.
BatchEnergy modelEnergy(EnergyNetImpl& net, Precision precision = Precision::Float32);

/// An energy given as a differentiable function of x (returning [N]), its gradient by autograd:
/// analytic energies for tests and demonstrations.
BatchEnergy autogradEnergy(std::function<torch::Tensor(const torch::Tensor& x)> energy);

enum class PathMethod {
    Line,  // the straight line from a to b
    Neb,   // the line relaxed by a nudged elastic band
};
std::string toString(PathMethod method);          // "line", "neb"
PathMethod parsePathMethod(const std::string& name);  // throws ebm::Error

/// How a path is made. relaxedPath ignores `method` (it is the caller's choice of function).
struct PathOptions {
    int points = kDefaultPathPoints;  // K, both ends included, in [kMinPathPoints, kMaxPathPoints]
    PathMethod method = PathMethod::Neb;
    int nebIterations = kDefaultNebIterations;  // 0: the straight line, measured as a band
    double nebStepSize = kDefaultNebStepSize;
    double springConstant = kDefaultNebSpringConstant;
    /// The highest interior point climbs up along the band to the saddle, after climbAfter
    /// steps, while it is higher than any end it touches (otherwise it would climb out past it).
    bool climbingImage = true;
    int climbAfter = kDefaultNebClimbAfter;
    double forceTolerance = kDefaultNebForceTolerance;
    double maxStepFraction = kDefaultNebMaxStepFraction;
};

/// A path of K points from a to b and the energies along it.
struct EnergyPath {
    /// [K, ...a's shape], from a (row 0) to b (row K-1), on a's device in a's dtype.
    torch::Tensor images;
    std::vector<double> energies;   // [K]
    /// [K]: cumulative Euclidean distance from a along the path, raw (in the units of the
    /// images, over all their values; 0 at a). Divide by the last for a fraction of the length.
    std::vector<double> arcLength;
    /// The highest interior point (1..K-2).
    int saddleIndex = 0;
    /// Its energy minus the higher of the two ends: the height to climb from either end.
    /// Negative when no interior point is above both ends (the path only goes down from the
    /// higher one).
    double barrier = 0.0;
    /// Optimizer steps taken (0 for the straight line).
    int iterationsRun = 0;
    /// The largest force on an interior point at the end (the band's own force: the true force
    /// across the band plus the springs along it, the climbing point's inverted force). For
    /// the straight line, the largest component of -dE/dx across the line.
    double finalForceNorm = 0.0;
    /// Whether the force fell under the tolerance (always false for the straight line).
    bool converged = false;
    /// Whether onProgress or the cancel flag stopped the band before that.
    bool stopped = false;
};

/// The straight line a + t (b - a), t = k / (K-1), K = `points`, measured in one batch.
/// a and b are one item each (no batch dimension: [C, H, W] or [D]) of the same shape, finite.
/// Throws ebm::Error in one line when they are not, or when `points` is outside
/// [kMinPathPoints, kMaxPathPoints], or the energy function returns the wrong shapes.
/// Energies are returned as measured, NaN and infinities included (the caller says so).
EnergyPath straightLinePath(const BatchEnergy& energy, const torch::Tensor& a, const torch::Tensor& b,
                            int points = kDefaultPathPoints);

/// Called after every step with the step's number (0: the straight line, before the first step)
/// and the band as it is; returning false stops the band there.
using PathProgress = std::function<bool(int iteration, const EnergyPath& band)>;

/// The nudged elastic band: starts from the straight line, keeps the ends fixed, and moves the
/// K-2 interior points (measured as one batch per step) by the true force across the band and
/// the springs along it, with the FIRE optimizer (Bitzek et al. 2006), until the largest force is
/// under options.forceTolerance or options.nebIterations steps have run. `cancel` is polled every
/// step; raising it (or onProgress returning false) returns the band reached so far, with
/// `stopped` set. Throws ebm::Error for the inputs straightLinePath refuses, for a and b that are
/// the same point, for options out of range, and when the energies along the band stop being
/// finite (naming the step).
EnergyPath relaxedPath(const BatchEnergy& energy, const torch::Tensor& a, const torch::Tensor& b,
                       const PathOptions& options, const PathProgress& onProgress = {},
                       const std::atomic<bool>* cancel = nullptr);

}  // namespace ebm
