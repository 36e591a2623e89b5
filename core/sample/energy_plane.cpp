#include "ebm/sample/energy_plane.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>

#include "ebm/base/error.h"

namespace ebm {
namespace {

/// Relative size under which a direction counts as absent: b - a against the images' own size,
/// the part of c - a across the line against c - a, the second principal spread against the
/// first. Well above double rounding and float32 images' rounding (~1e-7), well below any two
/// images a user would pick.
constexpr double kDegeneracyTolerance = 1e-6;

/// How far u and v of a given plane may be from orthonormal (float32 planes are only that exact).
constexpr double kOrthonormalTolerance = 1e-4;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string shapeText(const torch::Tensor& t)
{
    std::ostringstream text;
    text << t.sizes();
    return text.str();
}

void checkImage(const torch::Tensor& image, const std::string& which)
{
    if (!image.defined() || image.numel() == 0)
        throw Error("the " + which + " is empty; give an image or a point");
    if (!image.is_floating_point())
        throw Error("the " + which + " holds integers; give floating-point values");
    if (!torch::isfinite(image).all().item<bool>())
        throw Error("the " + which + " holds NaN or infinite values, which have no place on a plane");
}

torch::Tensor flatDouble(const torch::Tensor& t) { return t.detach().flatten().to(torch::kFloat64); }

/// The plane's u and v as the rows of a [2, D] float64 matrix on the plane's device.
torch::Tensor basisRows(const ImagePlane& plane) { return torch::stack({flatDouble(plane.u), flatDouble(plane.v)}); }

void checkPlane(const ImagePlane& plane)
{
    if (!plane.origin.defined() || !plane.u.defined() || !plane.v.defined() || plane.origin.numel() == 0)
        throw Error("the plane is not set; make it with planeThroughImages or planeOfPrincipalComponents");
    if (plane.u.sizes() != plane.origin.sizes() || plane.v.sizes() != plane.origin.sizes())
        throw Error("the plane's origin and directions differ in shape (" + shapeText(plane.origin) + ", " +
                    shapeText(plane.u) + ", " + shapeText(plane.v) + "); they must all have one item's shape");
    if (!plane.origin.is_floating_point())
        throw Error("the plane's origin holds integers; give floating-point values");
    const torch::Tensor basis = basisRows(plane).to(torch::kCPU);
    const torch::Tensor gram = basis.matmul(basis.t());
    const double offIdentity = (gram - torch::eye(2, gram.options())).abs().max().item<double>();
    if (!(offIdentity <= kOrthonormalTolerance))
        throw Error("the plane's directions u and v are not orthonormal; make the plane with planeThroughImages or "
                    "planeOfPrincipalComponents");
}

/// images [M, ...item] or item-shaped rows, checked against the plane's item shape.
void checkItems(const ImagePlane& plane, const torch::Tensor& images, int64_t leadingDims, const char* what)
{
    if (!images.defined() || images.dim() != plane.origin.dim() + leadingDims ||
        images.sizes().slice(static_cast<size_t>(leadingDims)) != plane.origin.sizes())
        throw Error(std::string("the ") + what + " have shape " +
                    (images.defined() ? shapeText(images) : std::string("(none)")) + ", but the plane's items have " +
                    shapeText(plane.origin) + "; give " + what + " of that shape" +
                    (leadingDims == 1 ? " with a batch dimension in front" : " with step and chain dimensions in front"));
    if (!images.is_floating_point())
        throw Error(std::string("the ") + what + " hold integers; give floating-point values");
}

/// Coordinates and distances of rows [M, D] (float64, the plane's device).
PlaneProjection projectRows(const ImagePlane& plane, const torch::Tensor& rows)
{
    torch::NoGradGuard noGraph;
    const torch::Tensor basis = basisRows(plane);
    const torch::Tensor offset = rows - flatDouble(plane.origin).unsqueeze(0);
    const torch::Tensor coordinates = offset.matmul(basis.t());
    const torch::Tensor residual = offset - coordinates.matmul(basis);
    return {coordinates.to(torch::kCPU), residual.norm(2, 1).to(torch::kCPU)};
}

/// The direction `direction` (float64 [D]) cast to the plane's dtype and item shape.
torch::Tensor itemLike(const torch::Tensor& direction, const torch::Tensor& item)
{
    return direction.to(item.device(), item.scalar_type()).contiguous().view(item.sizes());
}

void checkBounds(const PlaneBounds& b)
{
    if (!(std::isfinite(b.uMin) && std::isfinite(b.uMax) && std::isfinite(b.vMin) && std::isfinite(b.vMax)))
        throw Error("the map's bounds must be finite numbers");
    if (!(b.uMin < b.uMax && b.vMin < b.vMax))
        throw Error("the map's bounds must have uMin < uMax and vMin < vMax");
}

/// The energy function's results for x [M, ...], the energies as float64 [M] and the gradients
/// as float64 rows [M, D] on x's device.
std::pair<torch::Tensor, torch::Tensor> measure(const BatchEnergy& energy, const torch::Tensor& x)
{
    EnergyAndGrad result = energy(x);
    if (!result.energy.defined() || result.energy.dim() != 1 || result.energy.size(0) != x.size(0))
        throw Error("the energy function returned energies of shape " +
                    (result.energy.defined() ? shapeText(result.energy) : std::string("(none)")) + " for " +
                    std::to_string(x.size(0)) + " points; it must return one energy per point");
    if (!result.grad.defined() || result.grad.sizes() != x.sizes())
        throw Error("the energy function returned gradients of shape " +
                    (result.grad.defined() ? shapeText(result.grad) : std::string("(none)")) + " for points of shape " +
                    shapeText(x) + "; they must have the points' shape");
    return {result.energy.detach().to(x.device(), torch::kFloat64),
            result.grad.detach().flatten(1).to(x.device(), torch::kFloat64)};
}

void copyInto(std::vector<double>& values, int64_t start, const torch::Tensor& t)
{
    const torch::Tensor flat = t.to(torch::kCPU, torch::kFloat64).contiguous();
    std::copy(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel(), values.begin() + start);
}

}  // namespace

PlaneFit planeThroughImages(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& c)
{
    checkImage(a, "first image of the plane");
    checkImage(b, "second image of the plane");
    checkImage(c, "third image of the plane");
    if (b.sizes() != a.sizes() || c.sizes() != a.sizes())
        throw Error("the three images of the plane differ in shape (" + shapeText(a) + ", " + shapeText(b) + ", " +
                    shapeText(c) + "); give three items of the same shape, without a batch dimension");
    torch::NoGradGuard noGraph;
    const torch::Tensor origin = flatDouble(a);
    const torch::Tensor toB = flatDouble(b.to(a.device())) - origin;
    const torch::Tensor toC = flatDouble(c.to(a.device())) - origin;

    const double lengthB = toB.norm().item<double>();
    const double scale = std::max(origin.norm().item<double>(), lengthB);
    if (!(lengthB > kDegeneracyTolerance * scale))
        throw Error("the first two images of the plane are the same, so they give no direction; choose another one");
    const torch::Tensor u = toB / lengthB;
    // Gram-Schmidt twice: the second pass removes what rounding left of u after the first.
    torch::Tensor across = toC - toC.dot(u) * u;
    across = across - across.dot(u) * u;
    const double lengthAcross = across.norm().item<double>();
    if (!(lengthAcross > kDegeneracyTolerance * toC.norm().item<double>()))
        throw Error("the third image of the plane lies on the line through the first two (or equals one of them), so "
                    "the three span no plane; choose another one");
    const torch::Tensor v = across / lengthAcross;

    PlaneFit fit;
    fit.plane = {a.detach().clone(), itemLike(u, a), itemLike(v, a)};
    fit.points = projectRows(fit.plane, torch::stack({origin, origin + toB, origin + toC}));
    fit.capturedVariance = 1.0;
    return fit;
}

PlaneFit planeOfPrincipalComponents(const torch::Tensor& images)
{
    if (!images.defined() || images.dim() < 2 || images.size(0) < 3)
        throw Error("a plane of principal components needs at least 3 images in a batch [N, ...], not " +
                    (images.defined() ? shapeText(images) : std::string("none")));
    checkImage(images, "set of images for the principal components");
    torch::NoGradGuard noGraph;
    const torch::Tensor rows = images.detach().flatten(1).to(torch::kFloat64);
    const torch::Tensor mean = rows.mean(0);
    const torch::Tensor centred = rows - mean.unsqueeze(0);
    const auto decomposition = torch::linalg::svd(centred, false, c10::nullopt);
    const torch::Tensor spread = std::get<1>(decomposition).to(torch::kCPU);
    const torch::Tensor& directions = std::get<2>(decomposition);  // right singular vectors, as rows
    const double first = spread[0].item<double>();
    // The mean of equal images is theirs only up to rounding: "all the same" is relative to their size.
    if (!(first > kDegeneracyTolerance * rows.norm().item<double>()))
        throw Error("the images are all the same, so they have no principal directions; give different images");
    if (spread.size(0) < 2 || !(spread[1].item<double>() > kDegeneracyTolerance * first))
        throw Error("the images all lie on one line, so they have no second principal direction; add images that "
                    "differ in another way");

    torch::Tensor principal[2];
    for (int k = 0; k < 2; ++k) {
        const torch::Tensor direction = directions[k];
        const int64_t largest = direction.abs().argmax().item<int64_t>();
        principal[k] = direction[largest].item<double>() < 0.0 ? -direction : direction;
    }

    const torch::Tensor item = images[0];
    PlaneFit fit;
    fit.plane = {itemLike(mean, item), itemLike(principal[0], item), itemLike(principal[1], item)};
    fit.points = projectRows(fit.plane, rows);
    const torch::Tensor variances = spread.pow(2);
    fit.capturedVariance = (variances[0] + variances[1]).item<double>() / variances.sum().item<double>();
    return fit;
}

PlaneProjection projectOntoPlane(const ImagePlane& plane, const torch::Tensor& images)
{
    checkPlane(plane);
    checkItems(plane, images, 1, "images to project");
    const torch::Tensor rows = images.detach().to(plane.origin.device()).flatten(1).to(torch::kFloat64);
    return projectRows(plane, rows);
}

PlaneProjection projectTrajectory(const ImagePlane& plane, const torch::Tensor& states)
{
    checkPlane(plane);
    checkItems(plane, states, 2, "chain states to project");
    const int64_t steps = states.size(0), chains = states.size(1);
    const torch::Tensor rows = states.detach().to(plane.origin.device()).flatten(2).flatten(0, 1).to(torch::kFloat64);
    PlaneProjection projection = projectRows(plane, rows);
    projection.coordinates = projection.coordinates.view({steps, chains, 2});
    projection.distances = projection.distances.view({steps, chains});
    return projection;
}

PlaneProjection projectTrajectory(const ImagePlane& plane, const std::vector<torch::Tensor>& states)
{
    if (states.empty())
        throw Error("the chain has no recorded states to project");
    for (const torch::Tensor& state : states)
        checkItems(plane, state, 1, "chain states to project");
    return projectTrajectory(plane, torch::stack(states));
}

PlaneBounds boundsAround(const torch::Tensor& coordinates, double margin, bool square)
{
    if (!(std::isfinite(margin) && margin >= 0.0))
        throw Error("the margin around the points must be a non-negative number");
    if (!coordinates.defined() || coordinates.dim() < 1 || coordinates.size(-1) != 2)
        throw Error("the coordinates to bound must have shape [..., 2], not " +
                    (coordinates.defined() ? shapeText(coordinates) : std::string("(none)")));
    const torch::Tensor points = coordinates.detach().to(torch::kCPU, torch::kFloat64).reshape({-1, 2});
    const torch::Tensor finite = points.index({torch::isfinite(points).all(1)});
    if (finite.size(0) == 0)
        throw Error("none of the coordinates to bound is finite; give explicit bounds");
    const torch::Tensor low = std::get<0>(finite.min(0)), high = std::get<0>(finite.max(0));
    double uMin = low[0].item<double>(), uMax = high[0].item<double>();
    double vMin = low[1].item<double>(), vMax = high[1].item<double>();
    double uSize = uMax - uMin, vSize = vMax - vMin;
    if (!(uSize > 0.0 || vSize > 0.0))
        throw Error("the points to bound are all at the same place; give explicit bounds");
    // A side of zero size (points on a line parallel to an axis) takes the other's.
    if (!(uSize > 0.0))
        uSize = vSize;
    if (!(vSize > 0.0))
        vSize = uSize;
    double uCentre = 0.5 * (uMin + uMax), vCentre = 0.5 * (vMin + vMax);
    double uHalf = 0.5 * uSize * (1.0 + 2.0 * margin), vHalf = 0.5 * vSize * (1.0 + 2.0 * margin);
    if (square)
        uHalf = vHalf = std::max(uHalf, vHalf);
    return {uCentre - uHalf, uCentre + uHalf, vCentre - vHalf, vCentre + vHalf};
}

PlaneMap energyPlaneMap(const BatchEnergy& energy, const ImagePlane& plane, const PlaneBounds& bounds,
                        const PlaneMapOptions& options, const PlaneProgress& progress, const std::atomic<bool>* cancel)
{
    if (!energy)
        throw Error("no energy function was given for the map");
    checkPlane(plane);
    checkBounds(bounds);
    if (options.resolution < kMinPlaneResolution || options.resolution > kMaxPlaneResolution)
        throw Error("a map has between " + std::to_string(kMinPlaneResolution) + " and " +
                    std::to_string(kMaxPlaneResolution) + " points per side, not " + std::to_string(options.resolution));
    if (options.batchSize < 1)
        throw Error("the map is measured in batches of at least one point, not " + std::to_string(options.batchSize));

    torch::NoGradGuard noGraph;
    const int resolution = options.resolution;
    const int64_t total = static_cast<int64_t>(resolution) * resolution;
    PlaneMap map;
    map.resolution = resolution;
    map.uMin = bounds.uMin;
    map.uMax = bounds.uMax;
    map.vMin = bounds.vMin;
    map.vMax = bounds.vMax;
    for (std::vector<double>* values : {&map.energies, &map.gradU, &map.gradV, &map.scoreNorm})
        values->assign(static_cast<size_t>(total), kNaN);

    const auto device = plane.origin.device();
    const torch::Tensor basis = basisRows(plane);
    const torch::Tensor origin = flatDouble(plane.origin).unsqueeze(0);
    std::vector<int64_t> batchShape{0};
    batchShape.insert(batchShape.end(), plane.origin.sizes().begin(), plane.origin.sizes().end());
    const auto indexOptions = torch::TensorOptions().dtype(torch::kInt64).device(device);

    int64_t measured = 0;
    while (measured < total) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            map.stopped = true;
            break;
        }
        const int64_t count = std::min(options.batchSize, total - measured);
        const torch::Tensor index = torch::arange(measured, measured + count, indexOptions);
        const torch::Tensor column = torch::remainder(index, resolution).to(torch::kFloat64);
        const torch::Tensor row = torch::div(index, resolution, "floor").to(torch::kFloat64);
        // The same arithmetic as PlaneMap::uAt and vAt: the map holds the points it says it does.
        const torch::Tensor s = bounds.uMin + (bounds.uMax - bounds.uMin) * column / (resolution - 1);
        const torch::Tensor t = bounds.vMin + (bounds.vMax - bounds.vMin) * row / (resolution - 1);
        batchShape[0] = count;
        const torch::Tensor x =
            (origin + torch::stack({s, t}, 1).matmul(basis)).to(plane.origin.scalar_type()).view(batchShape);
        const auto [energies, gradients] = measure(energy, x);
        const torch::Tensor score = -gradients.matmul(basis.t());
        copyInto(map.energies, measured, energies);
        copyInto(map.gradU, measured, score.select(1, 0));
        copyInto(map.gradV, measured, score.select(1, 1));
        copyInto(map.scoreNorm, measured, gradients.norm(2, 1));
        measured += count;
        const int rowsDone = static_cast<int>(measured / resolution);
        if (rowsDone > map.rowsDone) {
            map.rowsDone = rowsDone;
            if (progress)
                progress(rowsDone, resolution);
        }
    }

    map.energyMin = map.energyMax = kNaN;
    for (int64_t k = 0; k < measured; ++k) {
        const double e = map.energies[static_cast<size_t>(k)];
        if (std::isfinite(e)) {
            map.energyMin = std::isnan(map.energyMin) ? e : std::min(map.energyMin, e);
            map.energyMax = std::isnan(map.energyMax) ? e : std::max(map.energyMax, e);
        }
        const double arrow = std::hypot(map.gradU[static_cast<size_t>(k)], map.gradV[static_cast<size_t>(k)]);
        if (std::isfinite(arrow))
            map.gradNormMax = std::max(map.gradNormMax, arrow);
    }
    return map;
}

}  // namespace ebm
