#include "ebm/sample/energy_path.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <utility>

#include "ebm/base/error.h"
#include "ebm/nn/precision.h"
#include "base/enum_names.h"
#include "nn/frozen_parameters.h"

namespace ebm {
namespace {

const internal::NameTable<PathMethod, 2> kPathMethodNames = {{PathMethod::Line, "line"}, {PathMethod::Neb, "neb"}};

// FIRE's constants as Bitzek et al. (2006) give them: the time step grows after this many
// downhill steps in a row, by this factor, and shrinks by the other when a step overshoots (the
// force turns against the velocity); the velocity is steered towards the force by a mixing
// weight that starts at kFireStartMixing and decays while the descent goes on.
constexpr int kFireDownhillStepsBeforeGrowth = 5;
constexpr double kFireStepGrowth = 1.1;
constexpr double kFireStepShrink = 0.5;
constexpr double kFireStartMixing = 0.1;
constexpr double kFireMixingDecay = 0.99;

/// Lengths below this count as zero when a direction is normalised (two points on top of each
/// other give no direction, and must not give NaN).
constexpr double kTinyLength = 1e-30;

std::string shapeText(const torch::Tensor& t)
{
    std::ostringstream text;
    text << t.sizes();
    return text.str();
}

void checkPoints(int points)
{
    if (points < kMinPathPoints || points > kMaxPathPoints)
        throw Error("a path has between " + std::to_string(kMinPathPoints) + " and " +
                    std::to_string(kMaxPathPoints) + " points (both ends included), not " + std::to_string(points));
}

void checkEnd(const torch::Tensor& end, const char* which)
{
    if (!end.defined() || end.numel() == 0)
        throw Error(std::string("the ") + which + " end of the path is empty; give an image or a point");
    if (!end.is_floating_point())
        throw Error(std::string("the ") + which + " end of the path holds integers; give floating-point values");
    if (!torch::isfinite(end).all().item<bool>())
        throw Error(std::string("the ") + which + " end of the path holds NaN or infinite values, which give no energy");
}

/// b on a's device and in its dtype, once both ends have been checked.
torch::Tensor checkedEnds(const torch::Tensor& a, const torch::Tensor& b)
{
    checkEnd(a, "first");
    checkEnd(b, "second");
    if (a.sizes() != b.sizes())
        throw Error("the two ends of the path differ in shape (" + shapeText(a) + " and " + shapeText(b) +
                    "); give two items of the same shape, without a batch dimension");
    return b.to(a.device(), a.scalar_type());
}

/// The energy function's results for x [N, ...], checked and brought to x's device and dtype.
EnergyAndGrad measure(const BatchEnergy& energy, const torch::Tensor& x)
{
    if (!energy)
        throw Error("no energy function was given for the path");
    EnergyAndGrad result = energy(x);
    if (!result.energy.defined() || result.energy.dim() != 1 || result.energy.size(0) != x.size(0))
        throw Error("the energy function returned energies of shape " +
                    (result.energy.defined() ? shapeText(result.energy) : std::string("(none)")) + " for " +
                    std::to_string(x.size(0)) + " points; it must return one energy per point");
    if (!result.grad.defined() || result.grad.sizes() != x.sizes())
        throw Error("the energy function returned gradients of shape " +
                    (result.grad.defined() ? shapeText(result.grad) : std::string("(none)")) + " for points of shape " +
                    shapeText(x) + "; they must have the points' shape");
    return {result.energy.detach().to(x.device(), x.scalar_type()), result.grad.detach().to(x.device(), x.scalar_type())};
}

/// The straight line's K points [K, ...a's shape], its ends exactly a and b.
torch::Tensor lineImages(const torch::Tensor& a, const torch::Tensor& b, int points)
{
    std::vector<int64_t> column(static_cast<size_t>(a.dim()) + 1, 1);
    column[0] = points;
    const torch::Tensor fractions = torch::linspace(0.0, 1.0, points, a.options()).view(column);
    torch::Tensor images = a.unsqueeze(0) + fractions * (b - a).unsqueeze(0);
    images[0].copy_(a);
    images[points - 1].copy_(b);
    return images;
}

std::vector<double> doubles(const torch::Tensor& t)
{
    const torch::Tensor flat = t.detach().to(torch::kCPU, torch::kFloat64).contiguous().flatten();
    return std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
}

/// rows [K, D]: each row's distance from the first along the polyline.
std::vector<double> cumulativeLength(const torch::Tensor& rows)
{
    const std::vector<double> segments = doubles((rows.slice(0, 1) - rows.slice(0, 0, -1)).norm(2, 1));
    std::vector<double> length{0.0};
    for (double s : segments)
        length.push_back(length.back() + s);
    return length;
}

/// A path's summary figures from its energies: the highest interior point (a NaN counts as
/// highest, so that the barrier says so) and its height above the higher end.
void summarize(EnergyPath& path)
{
    const std::vector<double>& e = path.energies;
    const size_t last = e.size() - 1;
    size_t highest = 1;
    for (size_t i = 2; i < last; ++i)
        if (!std::isnan(e[highest]) && (std::isnan(e[i]) || e[i] > e[highest]))
            highest = i;
    path.saddleIndex = static_cast<int>(highest);
    const double higherEnd = std::isnan(e[0]) || std::isnan(e[last]) ? std::numeric_limits<double>::quiet_NaN()
                                                                      : std::max(e[0], e[last]);
    path.barrier = e[highest] - higherEnd;
}

/// Rows scaled to unit length (zero rows stay zero).
torch::Tensor unitRows(const torch::Tensor& rows)
{
    return rows / rows.norm(2, 1, true).clamp_min(kTinyLength);
}

/// The band's geometry at its interior points.
struct BandShape {
    torch::Tensor tangent;  // [K-2, D], unit
    torch::Tensor ahead;    // [K-2, D]: to the next point
    torch::Tensor behind;   // [K-2, D]: from the previous point
};

/// The improved tangent of Henkelman & Jonsson (2000): towards the higher neighbour where the
/// energy rises or falls through the point, else both segments weighted by the energy
/// differences (larger towards the higher neighbour), so that the tangent turns smoothly at
/// maxima and minima along the band and kinks do not form there.
BandShape bandShape(const torch::Tensor& rows, const torch::Tensor& energies)
{
    BandShape shape;
    shape.ahead = rows.slice(0, 2) - rows.slice(0, 1, -1);
    shape.behind = rows.slice(0, 1, -1) - rows.slice(0, 0, -2);
    const torch::Tensor next = energies.slice(0, 2), here = energies.slice(0, 1, -1), previous = energies.slice(0, 0, -2);
    const torch::Tensor rising = ((next > here) & (here > previous)).unsqueeze(1);
    const torch::Tensor falling = ((next < here) & (here < previous)).unsqueeze(1);
    const torch::Tensor stepAhead = (next - here).abs(), stepBehind = (previous - here).abs();
    const torch::Tensor larger = torch::max(stepAhead, stepBehind), smaller = torch::min(stepAhead, stepBehind);
    const torch::Tensor nextIsHigher = next > previous;
    const torch::Tensor weightAhead = torch::where(nextIsHigher, larger, smaller).unsqueeze(1);
    const torch::Tensor weightBehind = torch::where(nextIsHigher, smaller, larger).unsqueeze(1);
    torch::Tensor mixed = weightAhead * shape.ahead + weightBehind * shape.behind;
    // Equal energies on both sides weigh nothing: the bisector of the two segments instead.
    mixed = torch::where((larger > 0).unsqueeze(1), mixed, unitRows(shape.ahead) + unitRows(shape.behind));
    shape.tangent = unitRows(torch::where(rising, shape.ahead, torch::where(falling, shape.behind, mixed)));
    return shape;
}

/// The force the band moves by at its interior points [K-2, D]: the true force across the band
/// and the springs' along it; the climbing point (interior row `climber`, or -1 for none) feels
/// the true force with its part along the band inverted and no spring, so it goes up to the
/// saddle along the band and down across it.
torch::Tensor bandForce(const BandShape& shape, const torch::Tensor& gradient, double springConstant, int climber)
{
    const torch::Tensor& tangent = shape.tangent;
    const torch::Tensor along = (gradient * tangent).sum(1, true);
    const torch::Tensor stretch = shape.ahead.norm(2, 1, true) - shape.behind.norm(2, 1, true);
    torch::Tensor force = along * tangent - gradient + springConstant * stretch * tangent;
    if (climber >= 0)
        force[climber].copy_(2.0 * along[climber] * tangent[climber] - gradient[climber]);
    return force;
}

/// The interior row of the highest interior point, when it may climb: not when it touches an
/// end at least as high, where climbing would carry it out past that end.
int climbingRow(const std::vector<double>& energies)
{
    const size_t last = energies.size() - 1;
    size_t highest = 1;
    for (size_t i = 2; i < last; ++i)
        if (energies[i] > energies[highest])
            highest = i;
    if ((highest == 1 && energies[0] >= energies[1]) || (highest == last - 1 && energies[last] >= energies[highest]))
        return -1;
    return static_cast<int>(highest) - 1;
}

/// The velocity-Verlet-like optimizer FIRE (Bitzek et al. 2006) over all interior points at
/// once, with each point's move capped.
class FireOptimizer {
public:
    FireOptimizer(double stepSize, double maxMove)
        : step_(stepSize), maxStep_(stepSize * kNebMaxStepGrowth), maxMove_(maxMove)
    {
    }

    /// The move of every interior point [K-2, D] for the forces on them.
    torch::Tensor move(const torch::Tensor& force)
    {
        if (!velocity_.defined()) {
            velocity_ = torch::zeros_like(force);
        } else if ((force * velocity_).sum().item<double>() > 0.0) {
            // Going downhill: steer the velocity towards the force, and speed up after a while.
            const double forceNorm = force.norm().item<double>(), velocityNorm = velocity_.norm().item<double>();
            velocity_ = (1.0 - mixing_) * velocity_ + (forceNorm > 0.0 ? mixing_ * velocityNorm / forceNorm : 0.0) * force;
            if (downhillSteps_ > kFireDownhillStepsBeforeGrowth) {
                step_ = std::min(step_ * kFireStepGrowth, maxStep_);
                mixing_ *= kFireMixingDecay;
            }
            ++downhillSteps_;
        } else {
            // Overshot: stop, and go on more carefully.
            velocity_.zero_();
            step_ *= kFireStepShrink;
            mixing_ = kFireStartMixing;
            downhillSteps_ = 0;
        }
        velocity_ = velocity_ + step_ * force;
        const torch::Tensor move = step_ * velocity_;
        return move * (maxMove_ / move.norm(2, 1, true).clamp_min(maxMove_));
    }

private:
    torch::Tensor velocity_;
    double step_;
    double maxStep_;
    double maxMove_;
    double mixing_ = kFireStartMixing;
    int downhillSteps_ = 0;
};

void checkOptions(const PathOptions& options)
{
    checkPoints(options.points);
    if (options.nebIterations < 0 || options.nebIterations > kMaxNebIterations)
        throw Error("the elastic band runs between 0 and " + std::to_string(kMaxNebIterations) + " steps, not " +
                    std::to_string(options.nebIterations));
    if (!(std::isfinite(options.nebStepSize) && options.nebStepSize > 0.0))
        throw Error("the elastic band's step size must be a positive number");
    if (!(std::isfinite(options.springConstant) && options.springConstant >= 0.0))
        throw Error("the elastic band's spring constant must be a non-negative number");
    if (options.climbAfter < 0)
        throw Error("the climbing point starts after a non-negative number of steps, not " +
                    std::to_string(options.climbAfter));
    if (!(std::isfinite(options.forceTolerance) && options.forceTolerance >= 0.0))
        throw Error("the elastic band's force tolerance must be a non-negative number");
    if (!(std::isfinite(options.maxStepFraction) && options.maxStepFraction > 0.0))
        throw Error("the elastic band's largest move must be a positive fraction of the points' spacing");
}

bool allFinite(const EnergyAndGrad& measured)
{
    return (torch::isfinite(measured.energy).all() & torch::isfinite(measured.grad).all()).item<bool>();
}

}  // namespace

BatchEnergy modelEnergy(EnergyNetImpl& net, Precision precision)
{
    checkPrecision(precision, deviceOf(net));
    return [&net, precision](const torch::Tensor& x) {
        // Input gradients only: the parameters' flags are back as they were after every call.
        const internal::FrozenParameters frozen(net);
        // energyAndGrad's autograd path (networks without a hand-written backward) needs a graph.
        torch::AutoGradMode withGraph(true);
        const EnergyAndGrad result = energyAndGrad(net, x.detach().to(deviceOf(net), torch::kFloat32), precision);
        return EnergyAndGrad{result.energy.to(x.device(), x.scalar_type()), result.grad.to(x.device(), x.scalar_type())};
    };
}

BatchEnergy autogradEnergy(std::function<torch::Tensor(const torch::Tensor& x)> energy)
{
    if (!energy)
        throw Error("no energy function was given");
    return [energy = std::move(energy)](const torch::Tensor& x) {
        torch::AutoGradMode withGraph(true);
        const torch::Tensor input = x.detach().requires_grad_(true);
        const torch::Tensor e = energy(input);
        // An energy that does not depend on x has no graph to differentiate: its gradient is 0.
        torch::Tensor grad = e.defined() && e.requires_grad()
                                 ? torch::autograd::grad({e.sum()}, {input}, {}, false, false, true)[0]
                                 : torch::Tensor();
        if (!grad.defined())
            grad = torch::zeros_like(input);
        return EnergyAndGrad{e.defined() ? e.detach() : e, grad.detach()};
    };
}

std::string toString(PathMethod method) { return internal::nameOf(kPathMethodNames, method); }

PathMethod parsePathMethod(const std::string& name) { return internal::parseName(kPathMethodNames, name, "path method"); }

EnergyPath straightLinePath(const BatchEnergy& energy, const torch::Tensor& a, const torch::Tensor& b, int points)
{
    checkPoints(points);
    const torch::Tensor end = checkedEnds(a, b);
    torch::NoGradGuard noGraph;
    EnergyPath path;
    path.images = lineImages(a.detach(), end.detach(), points);
    const EnergyAndGrad measured = measure(energy, path.images);
    path.energies = doubles(measured.energy);
    const torch::Tensor rows = path.images.flatten(1);
    path.arcLength = cumulativeLength(rows);
    summarize(path);
    // The force across the line: how far it is from a minimum-energy path.
    const torch::Tensor direction = unitRows((end - a).flatten().unsqueeze(0));
    const torch::Tensor gradient = measured.grad.flatten(1).slice(0, 1, -1);
    const torch::Tensor across = gradient - (gradient * direction).sum(1, true) * direction;
    path.finalForceNorm = across.norm(2, 1).max().item<double>();
    return path;
}

EnergyPath relaxedPath(const BatchEnergy& energy, const torch::Tensor& a, const torch::Tensor& b,
                       const PathOptions& options, const PathProgress& onProgress, const std::atomic<bool>* cancel)
{
    checkOptions(options);
    const torch::Tensor end = checkedEnds(a, b);
    const double span = (end - a).norm().item<double>();
    if (!(span > 0.0))
        throw Error("the two ends of the path are the same point, so there is no band to relax; give two different ones");
    torch::NoGradGuard noGraph;
    const int points = options.points;
    const std::vector<int64_t> imageShape = [&] {
        std::vector<int64_t> shape{points};
        shape.insert(shape.end(), a.sizes().begin(), a.sizes().end());
        return shape;
    }();

    torch::Tensor rows = lineImages(a.detach(), end.detach(), points).flatten(1);
    EnergyAndGrad measured = measure(energy, rows.view(imageShape));
    if (!allFinite(measured))
        throw Error("the energies or their gradients along the straight line are NaN or infinite; the band cannot "
                    "start from there");
    const torch::Tensor endEnergies[2] = {measured.energy.slice(0, 0, 1), measured.energy.slice(0, -1)};
    torch::Tensor energies = measured.energy;
    torch::Tensor gradient = measured.grad.flatten(1).slice(0, 1, -1);

    // The band as a caller sees it (rows are replaced, never changed in place, so the images a
    // snapshot holds stay as they were).
    auto snapshot = [&](int step, double forceNorm, bool converged, bool stopped) {
        EnergyPath path;
        path.images = rows.view(imageShape);
        path.energies = doubles(energies);
        path.arcLength = cumulativeLength(rows);
        summarize(path);
        path.iterationsRun = step;
        path.finalForceNorm = forceNorm;
        path.converged = converged;
        path.stopped = stopped;
        return path;
    };

    FireOptimizer optimizer(options.nebStepSize, options.maxStepFraction * span / (points - 1));
    bool climbing = false;
    int step = 0;
    for (;;) {
        if (options.climbingImage && step >= options.climbAfter)
            climbing = true;
        const std::vector<double> energyValues = doubles(energies);
        const BandShape shape = bandShape(rows, energies);
        const torch::Tensor force =
            bandForce(shape, gradient, options.springConstant, climbing ? climbingRow(energyValues) : -1);
        const double forceNorm = force.norm(2, 1).max().item<double>();
        bool converged = forceNorm <= options.forceTolerance;
        if (converged && options.climbingImage && !climbing) {
            // The plain band has settled: now its highest point climbs to the saddle.
            climbing = true;
            continue;
        }
        bool stopped = false;
        if (onProgress && !onProgress(step, snapshot(step, forceNorm, converged, false)))
            stopped = true;
        if (!stopped && cancel && cancel->load(std::memory_order_relaxed))
            stopped = true;
        if (converged || stopped || step == options.nebIterations)
            return snapshot(step, forceNorm, converged, stopped);

        const torch::Tensor interior = rows.slice(0, 1, -1) + optimizer.move(force);
        rows = torch::cat({rows.slice(0, 0, 1), interior, rows.slice(0, -1)});
        ++step;
        std::vector<int64_t> interiorShape = imageShape;
        interiorShape[0] = points - 2;
        measured = measure(energy, interior.view(interiorShape));
        if (!allFinite(measured))
            throw Error("the energies or their gradients along the band became NaN or infinite at step " +
                        std::to_string(step) + "; try a smaller step size or fewer steps");
        energies = torch::cat({endEnergies[0], measured.energy, endEnergies[1]});
        gradient = measured.grad.flatten(1);
    }
}

}  // namespace ebm
