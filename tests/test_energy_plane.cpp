// The energy landscape on a plane through image space (ebm/sample/energy_plane.h). For a
// quadratic energy on 2x3x3 "images" the map equals the closed form at every grid point and its
// arrows equal the closed-form gradient projected onto the plane; the plane through three images
// puts them at their closed-form coordinates; the plane of principal components holds points of
// a 2D subspace exactly; chains project step by step; degenerate inputs are refused in one line;
// progress counts rows and the cancel flag stops the map where it is.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <vector>

#include "analytic_energies.h"
#include "ebm/base/error.h"
#include "ebm/sample/energy_plane.h"

using namespace ebm;

namespace {

const std::vector<int64_t> kImageShape{2, 3, 3};
constexpr int kValues = 18;

/// The message of the ebm::Error that `run` throws, or "" when it throws none.
template <typename F>
QString errorOf(F run)
{
    try {
        run();
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

std::vector<double> valuesOf(const torch::Tensor& t)
{
    const torch::Tensor flat = t.detach().to(torch::kCPU, torch::kFloat64).contiguous().flatten();
    return std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
}

double dot(const std::vector<double>& x, const std::vector<double>& y)
{
    double sum = 0.0;
    for (size_t k = 0; k < x.size(); ++k)
        sum += x[k] * y[k];
    return sum;
}

torch::Tensor randomImage(torch::Dtype dtype = torch::kFloat64) { return torch::randn(kImageShape, dtype); }

/// E(x) = 1/2 (x - m)^T A (x - m) with A = diag(curvature): its values and gradient at a point,
/// by hand.
struct DiagonalQuadratic {
    std::vector<double> curvature, centre;

    DiagonalQuadratic()
    {
        for (int k = 0; k < kValues; ++k) {
            curvature.push_back(0.5 + 0.1 * k);
            centre.push_back(0.3 * std::sin(1.0 + k));
        }
    }
    double energy(const std::vector<double>& x) const
    {
        double e = 0.0;
        for (int k = 0; k < kValues; ++k)
            e += 0.5 * curvature[k] * (x[k] - centre[k]) * (x[k] - centre[k]);
        return e;
    }
    std::vector<double> gradient(const std::vector<double>& x) const
    {
        std::vector<double> g(kValues);
        for (int k = 0; k < kValues; ++k)
            g[k] = curvature[k] * (x[k] - centre[k]);
        return g;
    }
    /// The same energy as torch code on batches [N, 2, 3, 3], for autogradEnergy.
    BatchEnergy batchEnergy() const
    {
        const torch::Tensor a = torch::tensor(curvature, torch::kFloat64);
        const torch::Tensor m = torch::tensor(centre, torch::kFloat64);
        return autogradEnergy([a, m](const torch::Tensor& x) {
            const torch::Tensor d = x.flatten(1) - m.to(x.dtype());
            return 0.5 * (a.to(x.dtype()) * d * d).sum(1);
        });
    }
};

/// origin + s u + t v, by hand.
std::vector<double> planePoint(const ImagePlane& plane, double s, double t)
{
    const std::vector<double> o = valuesOf(plane.origin), u = valuesOf(plane.u), v = valuesOf(plane.v);
    std::vector<double> x(o.size());
    for (size_t k = 0; k < o.size(); ++k)
        x[k] = o[k] + s * u[k] + t * v[k];
    return x;
}

/// How a map compares with the closed form: the first grid point that differs by more than the
/// tolerance times (1 + the value's size), if any, and the longest arrow, by hand.
struct ClosedFormComparison {
    QString failure;
    double longestArrow = 0.0;
};

template <typename EnergyAt, typename GradientAt>
ClosedFormComparison compareWithClosedForm(const PlaneMap& map, const ImagePlane& plane, EnergyAt energyAt,
                                           GradientAt gradientAt, double tolerance)
{
    const std::vector<double> u = valuesOf(plane.u), v = valuesOf(plane.v);
    auto differs = [tolerance](double got, double expected) {
        return !(std::abs(got - expected) <= tolerance * (1.0 + std::abs(expected)));
    };
    ClosedFormComparison comparison;
    for (int row = 0; row < map.resolution; ++row) {
        for (int column = 0; column < map.resolution; ++column) {
            const std::vector<double> x = planePoint(plane, map.uAt(column), map.vAt(row));
            const std::vector<double> g = gradientAt(x);
            const double e = energyAt(x), scoreU = -dot(u, g), scoreV = -dot(v, g), norm = std::sqrt(dot(g, g));
            const size_t i = map.index(row, column);
            if (comparison.failure.isEmpty() &&
                (differs(map.energies[i], e) || differs(map.gradU[i], scoreU) || differs(map.gradV[i], scoreV) ||
                 differs(map.scoreNorm[i], norm)))
                comparison.failure = QString("row %1 column %2: energy %3, arrow (%4, %5), score norm %6; closed form "
                                             "%7, (%8, %9), %10")
                                         .arg(row).arg(column)
                                         .arg(map.energies[i]).arg(map.gradU[i]).arg(map.gradV[i]).arg(map.scoreNorm[i])
                                         .arg(e).arg(scoreU).arg(scoreV).arg(norm);
            comparison.longestArrow = std::max(comparison.longestArrow, std::hypot(scoreU, scoreV));
        }
    }
    return comparison;
}

}  // namespace

class TestEnergyPlane : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void planeThroughImagesPutsThemAtTheirClosedFormCoordinates()
    {
        torch::manual_seed(11);
        const torch::Tensor a = randomImage(), b = randomImage(), c = randomImage();
        const PlaneFit fit = planeThroughImages(a, b, c);
        QVERIFY(torch::equal(fit.plane.origin, a));
        QVERIFY(fit.plane.u.sizes().vec() == kImageShape);
        QVERIFY(fit.plane.u.scalar_type() == torch::kFloat64);

        const std::vector<double> u = valuesOf(fit.plane.u), v = valuesOf(fit.plane.v);
        QVERIFY(std::abs(dot(u, u) - 1.0) < 1e-12 && std::abs(dot(v, v) - 1.0) < 1e-12 && std::abs(dot(u, v)) < 1e-12);

        std::vector<double> toB = valuesOf(b - a), toC = valuesOf(c - a);
        const double lengthB = std::sqrt(dot(toB, toB));
        const double cU = dot(toC, toB) / lengthB;
        const double cV = std::sqrt(dot(toC, toC) - cU * cU);
        const std::vector<double> expected{0.0, 0.0, lengthB, 0.0, cU, cV};
        const std::vector<double> got = valuesOf(fit.points.coordinates);
        QVERIFY(fit.points.coordinates.sizes().vec() == (std::vector<int64_t>{3, 2}));
        for (size_t k = 0; k < expected.size(); ++k)
            QVERIFY2(std::abs(got[k] - expected[k]) < 1e-12, qPrintable(QString("coordinate %1: %2, expected %3")
                                                                            .arg(k).arg(got[k]).arg(expected[k])));
        QVERIFY(fit.points.distances.max().item<double>() < 1e-12);
        QCOMPARE(fit.capturedVariance, 1.0);
    }

    void degenerateImagesAreRefused()
    {
        torch::manual_seed(12);
        const torch::Tensor a = randomImage(), b = randomImage();
        const QString same = errorOf([&] { planeThroughImages(a, a.clone(), b); });
        QVERIFY2(same.contains("same"), qPrintable(same));
        const QString collinear = errorOf([&] { planeThroughImages(a, b, a + 2.0 * (b - a)); });
        QVERIFY2(collinear.contains("line through the first two"), qPrintable(collinear));
        const QString onEnd = errorOf([&] { planeThroughImages(a, b, b.clone()); });
        QVERIFY2(onEnd.contains("line through the first two"), qPrintable(onEnd));
        const QString shape = errorOf([&] { planeThroughImages(a, b, torch::randn({2, 3, 4}, torch::kFloat64)); });
        QVERIFY2(shape.contains("differ in shape"), qPrintable(shape));
        const QString nan = errorOf([&] { planeThroughImages(a, b, torch::full(kImageShape, NAN, torch::kFloat64)); });
        QVERIFY2(nan.contains("NaN"), qPrintable(nan));

        const QString tooFew = errorOf([&] { planeOfPrincipalComponents(torch::stack({a, b})); });
        QVERIFY2(tooFew.contains("at least 3 images"), qPrintable(tooFew));
        const torch::Tensor onALine = torch::stack({a, a + (b - a), a + 3.0 * (b - a), a - 0.5 * (b - a)});
        const QString line = errorOf([&] { planeOfPrincipalComponents(onALine); });
        QVERIFY2(line.contains("one line"), qPrintable(line));
        const QString identical = errorOf([&] { planeOfPrincipalComponents(torch::stack({a, a, a})); });
        QVERIFY2(identical.contains("all the same"), qPrintable(identical));
        for (const QString& message : {same, collinear, onEnd, shape, nan, tooFew, line, identical})
            QVERIFY(!message.contains('\n'));
    }

    void principalPlaneHoldsPointsOfATwoDimensionalSubspace()
    {
        torch::manual_seed(13);
        // p and q orthonormal; the coefficients have mean 0 and are uncorrelated, and p's spread
        // is the larger, so the principal directions are exactly p and q (up to sign).
        const torch::Tensor basis = std::get<0>(torch::linalg::qr(torch::randn({kValues, 3}, torch::kFloat64)));
        const torch::Tensor p = basis.select(1, 0).reshape(kImageShape), q = basis.select(1, 1).reshape(kImageShape);
        const torch::Tensor w = basis.select(1, 2).reshape(kImageShape);  // across the plane
        const torch::Tensor mean = randomImage();
        const double alphas[] = {-6.0, -2.0, 2.0, 6.0}, betas[] = {1.0, -1.0, -1.0, 1.0};
        std::vector<torch::Tensor> points;
        for (int i = 0; i < 4; ++i)
            points.push_back(mean + alphas[i] * p + betas[i] * q);
        const torch::Tensor images = torch::stack(points);

        const PlaneFit fit = planeOfPrincipalComponents(images);
        QVERIFY(fit.points.distances.max().item<double>() < 1e-10);
        QVERIFY(std::abs(fit.capturedVariance - 1.0) < 1e-12);
        QVERIFY((fit.plane.origin - mean).abs().max().item<double>() < 1e-12);
        QVERIFY(std::abs(std::abs((fit.plane.u * p).sum().item<double>()) - 1.0) < 1e-12);
        QVERIFY(std::abs(std::abs((fit.plane.v * q).sum().item<double>()) - 1.0) < 1e-12);
        // The sign rule: each direction's largest component is positive.
        for (const torch::Tensor& direction : {fit.plane.u, fit.plane.v}) {
            const torch::Tensor flat = direction.flatten();
            QVERIFY(flat[flat.abs().argmax()].item<double>() > 0.0);
        }
        // Each point is rebuilt from its coordinates.
        for (int i = 0; i < 4; ++i) {
            const double s = fit.points.coordinates[i][0].item<double>(), t = fit.points.coordinates[i][1].item<double>();
            QVERIFY(std::abs(std::abs(s) - std::abs(alphas[i])) < 1e-10 && std::abs(std::abs(t) - 1.0) < 1e-10);
            QVERIFY((fit.plane.origin + s * fit.plane.u + t * fit.plane.v - points[i]).abs().max().item<double>() < 1e-10);
        }

        // A point off the plane: its coordinates, and its distance from the plane.
        const torch::Tensor off = fit.plane.origin + 2.0 * fit.plane.u + 3.0 * fit.plane.v + 0.5 * w;
        const PlaneProjection projected = projectOntoPlane(fit.plane, off.unsqueeze(0));
        QVERIFY(std::abs(projected.coordinates[0][0].item<double>() - 2.0) < 1e-12);
        QVERIFY(std::abs(projected.coordinates[0][1].item<double>() - 3.0) < 1e-12);
        QVERIFY(std::abs(projected.distances[0].item<double>() - 0.5) < 1e-12);
        // With a third direction in the set, the plane no longer captures all of its variance.
        const PlaneFit spread = planeOfPrincipalComponents(torch::cat({images, (mean + 0.5 * w).unsqueeze(0)}));
        QVERIFY(spread.capturedVariance < 1.0 - 1e-6 && spread.points.distances.max().item<double>() > 1e-3);
    }

    void quadraticMapEqualsTheClosedForm()
    {
        torch::manual_seed(14);
        const DiagonalQuadratic quadratic;
        const PlaneFit fit = planeThroughImages(randomImage(), randomImage(), randomImage());
        const PlaneBounds bounds = boundsAround(fit.points.coordinates);
        PlaneMapOptions options;
        options.resolution = 16;
        options.batchSize = 7;  // batches that straddle rows
        const PlaneMap map = energyPlaneMap(quadratic.batchEnergy(), fit.plane, bounds, options);

        QCOMPARE(map.resolution, 16);
        QCOMPARE(map.energies.size(), size_t(256));
        QCOMPARE(map.rowsDone, 16);
        QVERIFY(!map.stopped);
        QCOMPARE(map.uAt(0), bounds.uMin);
        QCOMPARE(map.uAt(15), bounds.uMax);
        QCOMPARE(map.vAt(15), bounds.vMax);
        const ClosedFormComparison comparison = compareWithClosedForm(
            map, fit.plane, [&](const std::vector<double>& x) { return quadratic.energy(x); },
            [&](const std::vector<double>& x) { return quadratic.gradient(x); }, 1e-9);
        QVERIFY2(comparison.failure.isEmpty(), qPrintable(comparison.failure));
        QVERIFY(std::abs(map.gradNormMax - comparison.longestArrow) < 1e-9 * (1.0 + comparison.longestArrow));
        // The landscape is not flat, so matching it says something.
        QVERIFY(map.energyMax - map.energyMin > 0.1 && map.gradNormMax > 0.1);
        QCOMPARE(map.energyMin, *std::min_element(map.energies.begin(), map.energies.end()));
    }

    void networkMapInFloat32MatchesTheClosedForm()
    {
        // The model adapter of energy_path.h on float32 images: a network E = a/2 ||x - m||^2.
        torch::manual_seed(15);
        const double precision = 2.0, centre = 0.3;
        auto net = std::make_shared<ebm::testing::QuadraticEnergyImpl>(kValues, precision, centre);
        const PlaneFit fit = planeThroughImages(randomImage(torch::kFloat32), randomImage(torch::kFloat32),
                                                randomImage(torch::kFloat32));
        QVERIFY(fit.plane.u.scalar_type() == torch::kFloat32);
        PlaneMapOptions options;
        options.resolution = kMinPlaneResolution;
        const PlaneMap map = energyPlaneMap(modelEnergy(*net), fit.plane, boundsAround(fit.points.coordinates), options);
        auto energyAt = [&](const std::vector<double>& x) {
            double e = 0.0;
            for (double value : x)
                e += 0.5 * precision * (value - centre) * (value - centre);
            return e;
        };
        auto gradientAt = [&](const std::vector<double>& x) {
            std::vector<double> g;
            for (double value : x)
                g.push_back(precision * (value - centre));
            return g;
        };
        const ClosedFormComparison comparison = compareWithClosedForm(map, fit.plane, energyAt, gradientAt, 1e-4);
        QVERIFY2(comparison.failure.isEmpty(), qPrintable(comparison.failure));
    }

    void trajectoriesProjectStepByStep()
    {
        torch::manual_seed(16);
        const PlaneFit fit = planeThroughImages(randomImage(), randomImage(), randomImage());
        const torch::Tensor states = torch::randn({3, 2, 2, 3, 3}, torch::kFloat64);
        const PlaneProjection chain = projectTrajectory(fit.plane, states);
        QVERIFY(chain.coordinates.sizes().vec() == (std::vector<int64_t>{3, 2, 2}));
        QVERIFY(chain.distances.sizes().vec() == (std::vector<int64_t>{3, 2}));
        std::vector<torch::Tensor> frames;
        for (int step = 0; step < 3; ++step) {
            const PlaneProjection one = projectOntoPlane(fit.plane, states[step]);
            QVERIFY(torch::allclose(chain.coordinates[step], one.coordinates, 0.0, 1e-12));
            QVERIFY(torch::allclose(chain.distances[step], one.distances, 0.0, 1e-12));
            // Random states are off the plane: the distance is the length of what it leaves out.
            const torch::Tensor rebuilt = fit.plane.origin + one.coordinates.select(1, 0).view({2, 1, 1, 1}) * fit.plane.u +
                                          one.coordinates.select(1, 1).view({2, 1, 1, 1}) * fit.plane.v;
            QVERIFY(torch::allclose(one.distances, (states[step] - rebuilt).flatten(1).norm(2, 1), 0.0, 1e-12));
            QVERIFY(one.distances.min().item<double>() > 0.1);
            frames.push_back(states[step].to(torch::kFloat32));
        }
        // The sampler's frames (float32, one step at a time) give the same chain.
        const PlaneProjection fromFrames = projectTrajectory(fit.plane, frames);
        QVERIFY(torch::allclose(fromFrames.coordinates, chain.coordinates, 0.0, 1e-5));

        const QString shape = errorOf([&] { projectOntoPlane(fit.plane, torch::randn({4, 18}, torch::kFloat64)); });
        QVERIFY2(shape.contains("plane's items have"), qPrintable(shape));
        QVERIFY(errorOf([&] { projectTrajectory(fit.plane, states[0]); }).contains("step and chain"));
        QVERIFY(errorOf([&] { projectTrajectory(fit.plane, std::vector<torch::Tensor>{}); }).contains("no recorded"));
    }

    void boundsReachBeyondThePoints()
    {
        const torch::Tensor points = torch::tensor({0.0, 0.0, 2.0, 0.0, 1.0, 1.0, std::nan(""), 5.0}, torch::kFloat64).view({4, 2});
        const PlaneBounds wide = boundsAround(points, 0.25, false);  // the NaN row is left out
        QCOMPARE(wide.uMin, -0.5);
        QCOMPARE(wide.uMax, 2.5);
        QCOMPARE(wide.vMin, -0.25);
        QCOMPARE(wide.vMax, 1.25);
        const PlaneBounds square = boundsAround(points);
        QCOMPARE(square.uMin, -0.5);
        QCOMPARE(square.uMax, 2.5);
        QCOMPARE(square.vMin, -1.0);
        QCOMPARE(square.vMax, 2.0);
        const torch::Tensor same = torch::ones({3, 2}, torch::kFloat64);
        QVERIFY(errorOf([&] { boundsAround(same); }).contains("same place"));
        QVERIFY(errorOf([&] { boundsAround(points, -0.1); }).contains("margin"));
    }

    void progressCountsRowsAndCancelStopsTheMap()
    {
        torch::manual_seed(17);
        const DiagonalQuadratic quadratic;
        const PlaneFit fit = planeThroughImages(randomImage(), randomImage(), randomImage());
        const PlaneBounds bounds = boundsAround(fit.points.coordinates);
        PlaneMapOptions options;
        options.resolution = 16;
        options.batchSize = 16;

        std::vector<int> reported, totals;
        const PlaneMap whole = energyPlaneMap(quadratic.batchEnergy(), fit.plane, bounds, options,
                                              [&](int rows, int total) {
                                                  reported.push_back(rows);
                                                  totals.push_back(total);
                                              });
        std::vector<int> everyRow(16);
        for (int k = 0; k < 16; ++k)
            everyRow[k] = k + 1;
        QVERIFY(reported == everyRow);
        QVERIFY(totals == std::vector<int>(16, 16));
        QVERIFY(!whole.stopped);

        std::atomic<bool> cancel{false};
        const PlaneMap part = energyPlaneMap(
            quadratic.batchEnergy(), fit.plane, bounds, options,
            [&](int rows, int) {
                if (rows == 3)
                    cancel = true;
            },
            &cancel);
        QVERIFY(part.stopped);
        QCOMPARE(part.rowsDone, 3);
        for (size_t k = 0; k < part.energies.size(); ++k) {
            if (k < 48)
                QCOMPARE(part.energies[k], whole.energies[k]);
            else
                QVERIFY(std::isnan(part.energies[k]) && std::isnan(part.gradU[k]));
        }
    }

    void defaultsAndRangesAreChecked()
    {
        torch::manual_seed(18);
        const DiagonalQuadratic quadratic;
        const BatchEnergy energy = quadratic.batchEnergy();
        const PlaneFit fit = planeThroughImages(randomImage(), randomImage(), randomImage());
        const PlaneBounds bounds = boundsAround(fit.points.coordinates);
        const PlaneMap map = energyPlaneMap(energy, fit.plane, bounds);
        QCOMPARE(map.resolution, 64);
        QCOMPARE(map.energies.size(), size_t(64 * 64));
        QVERIFY(std::none_of(map.energies.begin(), map.energies.end(), [](double e) { return std::isnan(e); }));

        PlaneMapOptions coarse;
        coarse.resolution = kMinPlaneResolution - 1;
        QVERIFY(errorOf([&] { energyPlaneMap(energy, fit.plane, bounds, coarse); }).contains("points per side"));
        PlaneMapOptions fine;
        fine.resolution = kMaxPlaneResolution + 1;
        QVERIFY(errorOf([&] { energyPlaneMap(energy, fit.plane, bounds, fine); }).contains("points per side"));
        PlaneMapOptions empty;
        empty.batchSize = 0;
        QVERIFY(errorOf([&] { energyPlaneMap(energy, fit.plane, bounds, empty); }).contains("batches"));
        const PlaneBounds backwards{1.0, -1.0, 0.0, 1.0};
        QVERIFY(errorOf([&] { energyPlaneMap(energy, fit.plane, backwards); }).contains("uMin < uMax"));
        ImagePlane skew = fit.plane;
        skew.v = skew.v + 0.5 * skew.u;
        QVERIFY(errorOf([&] { energyPlaneMap(energy, skew, bounds); }).contains("not orthonormal"));
        const BatchEnergy scalar = autogradEnergy([](const torch::Tensor& x) { return x.pow(2).sum(); });
        QVERIFY(errorOf([&] { energyPlaneMap(scalar, fit.plane, bounds); }).contains("one energy per point"));
    }
};

QTEST_APPLESS_MAIN(TestEnergyPlane)
#include "test_energy_plane.moc"
