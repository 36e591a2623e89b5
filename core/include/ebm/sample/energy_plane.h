#pragma once
// The energy landscape on a plane through image space: the plane through three chosen images, or
// the one through a set's mean along its first two principal directions; the energy at every
// point of a grid on it with the score -dE/dx projected onto it (the arrows a Langevin step
// follows, as far as they lie in the plane); and where images and recorded Langevin chains fall
// on the plane and how far they are from it. No global state: the studio calls these from its
// worker thread.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include <torch/types.h>

#include "ebm/sample/energy_path.h"

namespace ebm {

/// Grid points along each side of a map: the default, and the range a request may ask for.
constexpr int kDefaultPlaneResolution = 64;
constexpr int kMinPlaneResolution = 8;
constexpr int kMaxPlaneResolution = 256;
/// How far boundsAround() reaches beyond the points' bounding box, as a fraction of its size.
constexpr double kDefaultPlaneMargin = 0.25;
/// Grid points measured together (one forward and one backward pass each batch).
constexpr int64_t kDefaultPlaneBatchSize = 256;

/// A plane through image space: the points origin + s u + t v. All three have one item's shape
/// ([C, H, W], or [D] for points) and the dtype and device of the images that made the plane; u
/// and v are orthonormal (computed in double precision before the cast).
struct ImagePlane {
    torch::Tensor origin;
    torch::Tensor u;
    torch::Tensor v;
};

/// Where items fall on a plane. Both float64 on the CPU.
struct PlaneProjection {
    /// [..., 2]: (s, t) = ((x - origin) . u, (x - origin) . v), the point of the plane nearest x.
    torch::Tensor coordinates;
    /// [...]: ||x - (origin + s u + t v)||, how far x is off the plane (in the units of the
    /// images, over all their values). NaN where x holds NaN or infinite values.
    torch::Tensor distances;
};

/// A plane with the images that made it.
struct PlaneFit {
    ImagePlane plane;
    /// The images' coordinates [N, 2] and distances [N] (0 up to rounding for three images).
    PlaneProjection points;
    /// The part of the images' spread about the origin that lies in the plane, in [0, 1]: 1 for
    /// three images (they span it); for principal components (s1^2 + s2^2) / sum of all s_i^2.
    double capturedVariance = 1.0;
};

/// The plane through a, b and c, each one item (no batch dimension) of the same shape: origin
/// a, u along b - a, v along the part of c - a perpendicular to u (Gram-Schmidt), so a is at
/// (0, 0), b at (|b - a|, 0) and c above the u axis (t > 0). On a's device in a's dtype. Throws
/// ebm::Error in one line when an image is empty, not floating point, not finite, of another
/// shape, or when b equals a or c lies on the line through a and b (the three span no plane).
PlaneFit planeThroughImages(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& c);

/// The plane through the mean of images [N, ...] along their first two principal directions
/// (the first two right singular vectors of the centred set, by SVD in double precision; each
/// direction's sign chosen so that its largest component is positive, so that the same set gives
/// the same plane). Costs one thin SVD of an N x (values per image) matrix. Throws ebm::Error for
/// fewer than 3 images, values that are not finite, or images that all lie on one line.
PlaneFit planeOfPrincipalComponents(const torch::Tensor& images);

/// Coordinates and distances of images [N, ...item] (the plane's item shape; any device and
/// floating dtype). Throws ebm::Error when the item shape is not the plane's.
PlaneProjection projectOntoPlane(const ImagePlane& plane, const torch::Tensor& images);

/// The same for a recorded chain: states [T, N, ...item] (T steps of N chains) give coordinates
/// [T, N, 2] and distances [T, N].
PlaneProjection projectTrajectory(const ImagePlane& plane, const torch::Tensor& states);
/// The same for the states [N, ...item] a sampler reported one step at a time (as SampleFrame's
/// `state`), stacked in order. Throws ebm::Error for an empty list.
PlaneProjection projectTrajectory(const ImagePlane& plane, const std::vector<torch::Tensor>& states);

/// A rectangle of plane coordinates.
struct PlaneBounds {
    double uMin = -1.0;
    double uMax = 1.0;
    double vMin = -1.0;
    double vMax = 1.0;
};

/// The bounding box of the finite rows of `coordinates` ([..., 2], as projectOntoPlane gives;
/// several sets can be concatenated first), widened on every side by `margin` times its size in
/// that direction. With `square`, the narrower side is widened about its centre to the wider
/// one's size, so that a square map has square cells and the arrows keep their directions. A
/// side of zero size takes the other side's. Throws ebm::Error when no row is finite, all points
/// coincide, or the margin is negative.
PlaneBounds boundsAround(const torch::Tensor& coordinates, double margin = kDefaultPlaneMargin, bool square = true);

struct PlaneMapOptions {
    int resolution = kDefaultPlaneResolution;  // points per side, in [kMinPlaneResolution, kMaxPlaneResolution]
    int64_t batchSize = kDefaultPlaneBatchSize;  // >= 1
};

/// The energy and projected score on a resolution x resolution grid that spans the bounds,
/// corners included. Values are row-major: index(row, column) holds the point
/// (uAt(column), vAt(row)); row 0 is at vMin (a view that draws v upwards flips it).
struct PlaneMap {
    int resolution = 0;
    double uMin = 0.0;
    double uMax = 0.0;
    double vMin = 0.0;
    double vMax = 0.0;
    /// Energies as measured (NaN and infinities included); NaN where the map stopped before.
    std::vector<double> energies;
    /// The score -dE/dx projected onto the plane: -dE/dx . u and -dE/dx . v.
    std::vector<double> gradU;
    std::vector<double> gradV;
    /// ||dE/dx|| over all values: with hypot(gradU, gradV) it says how much of the force on a
    /// sampler lies in the plane.
    std::vector<double> scoreNorm;
    /// The longest in-plane arrow, hypot(gradU, gradV), over the measured finite points (to
    /// scale the arrows); 0 when there are none.
    double gradNormMax = 0.0;
    /// The range of the measured finite energies (for the colour scale); NaN when there are none.
    double energyMin = 0.0;
    double energyMax = 0.0;
    /// Rows measured completely (all of them unless stopped; a stopped map may also hold part
    /// of the next row).
    int rowsDone = 0;
    /// Whether the cancel flag stopped the map before its last row.
    bool stopped = false;

    std::size_t index(int row, int column) const
    {
        return static_cast<std::size_t>(row) * static_cast<std::size_t>(resolution) + static_cast<std::size_t>(column);
    }
    double uAt(int column) const { return uMin + (uMax - uMin) * column / (resolution - 1); }
    double vAt(int row) const { return vMin + (vMax - vMin) * row / (resolution - 1); }
};

/// Called with the rows measured so far and the number of rows, each time a batch completes a row.
using PlaneProgress = std::function<void(int rowsDone, int totalRows)>;

/// Measures the energy and dE/dx at every grid point origin + s u + t v (built in double
/// precision, measured in the plane's dtype on its device) in batches of options.batchSize,
/// one call of `energy` (a forward and a backward pass) each. `cancel` is polled before every
/// batch; raising it returns the map measured so far with `stopped` set. Throws ebm::Error in one
/// line for a plane whose u and v are not orthonormal or whose tensors differ in shape, bounds
/// that are not finite or not increasing, a resolution or batch size out of range, and an energy
/// function that returns the wrong shapes.
PlaneMap energyPlaneMap(const BatchEnergy& energy, const ImagePlane& plane, const PlaneBounds& bounds,
                        const PlaneMapOptions& options = {}, const PlaneProgress& progress = {},
                        const std::atomic<bool>* cancel = nullptr);

}  // namespace ebm
