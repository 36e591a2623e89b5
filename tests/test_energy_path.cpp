// The energy along a path between two points: the straight line and the nudged elastic band
// (ebm/sample/energy_path.h). On a 2D double well whose minimum-energy path is curved, the band
// finds the known saddle and barrier, and the straight line crosses a higher one; on the bundled
// reference model the relaxed path between two images never rises above the line. Invalid inputs
// are refused in one line; progress and the cancel flag stop the band where it is.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "ebm/sample/energy_path.h"

using namespace ebm;

namespace {

const std::string kReferenceModel = std::string(EBM_FIXTURES_DIR) + "/reference-res12-c8.pt";
const std::string kReferenceInputs = std::string(EBM_FIXTURES_DIR) + "/reference-res12-c8.inputs.npy";

/// E(x, y) = (x^2 - 1)^2 + 5 (y - (1 - x^2)/2)^2 on points [N, 2]: minima (-1, 0) and (1, 0) at
/// energy 0, and a valley that bends up through the saddle (0, 1/2) at energy exactly 1. On the
/// straight line y = 0 between the minima E = 9/4 (1 - x^2)^2: a barrier of 9/4 at x = 0.
torch::Tensor curvedDoubleWell(const torch::Tensor& points)
{
    const torch::Tensor x = points.select(1, 0), y = points.select(1, 1);
    return (x * x - 1).pow(2) + 5.0 * (y - 0.5 * (1 - x * x)).pow(2);
}

torch::Tensor point(double x, double y) { return torch::tensor({x, y}, torch::kFloat64); }

const torch::Tensor& leftMinimum()
{
    static const torch::Tensor p = point(-1.0, 0.0);
    return p;
}
const torch::Tensor& rightMinimum()
{
    static const torch::Tensor p = point(1.0, 0.0);
    return p;
}

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

double maxOf(const std::vector<double>& values) { return *std::max_element(values.begin(), values.end()); }

double interiorMean(const std::vector<double>& values)
{
    double sum = 0.0;
    for (size_t i = 1; i + 1 < values.size(); ++i)
        sum += values[i];
    return sum / static_cast<double>(values.size() - 2);
}

}  // namespace

class TestEnergyPath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void autogradEnergyGivesTheClosedFormGradient()
    {
        const BatchEnergy energy = autogradEnergy(curvedDoubleWell);
        const EnergyAndGrad measured = energy(point(0.3, 0.2).unsqueeze(0));
        // dE/dx = 4x(x^2 - 1) + 10 u x, dE/dy = 10 u, u = y - (1 - x^2)/2.
        const double x = 0.3, y = 0.2, u = y - 0.5 * (1 - x * x);
        QCOMPARE(measured.energy.sizes().vec(), (std::vector<int64_t>{1}));
        QVERIFY(std::abs(measured.energy.item<double>() - (std::pow(x * x - 1, 2) + 5 * u * u)) < 1e-12);
        QVERIFY(std::abs(measured.grad[0][0].item<double>() - (4 * x * (x * x - 1) + 10 * u * x)) < 1e-12);
        QVERIFY(std::abs(measured.grad[0][1].item<double>() - 10 * u) < 1e-12);
    }

    void straightLineCrossesTheHigherBarrier()
    {
        const EnergyPath line = straightLinePath(autogradEnergy(curvedDoubleWell), leftMinimum(), rightMinimum(), 16);
        QCOMPARE(line.images.sizes().vec(), (std::vector<int64_t>{16, 2}));
        QCOMPARE(int(line.energies.size()), 16);
        QVERIFY(torch::equal(line.images[0], leftMinimum()) && torch::equal(line.images[15], rightMinimum()));
        // 16 points: the two middle ones sit at x = -1/15 and 1/15, symmetric about the peak.
        const double nearest = 1.0 / 15.0;
        const double expected = 2.25 * std::pow(1 - nearest * nearest, 2);
        QVERIFY2(std::abs(line.barrier - expected) < 1e-12, qPrintable(QString::number(line.barrier, 'g', 15)));
        QVERIFY(line.saddleIndex == 7 || line.saddleIndex == 8);
        QCOMPARE(line.arcLength.front(), 0.0);
        QVERIFY(std::abs(line.arcLength.back() - 2.0) < 1e-12);
        QCOMPARE(line.iterationsRun, 0);
        QVERIFY(!line.converged);
        // The valley pulls across the line (dE/dy = -5 (1 - x^2) on it): a straight line is no
        // minimum-energy path here.
        QVERIFY(line.finalForceNorm > 1.0);
    }

    void nebFindsTheSaddleOfTheCurvedValley()
    {
        PathOptions options;
        options.points = 16;
        options.nebIterations = 2000;
        options.forceTolerance = 1e-4;
        const BatchEnergy energy = autogradEnergy(curvedDoubleWell);
        const EnergyPath relaxed = relaxedPath(energy, leftMinimum(), rightMinimum(), options);
        QVERIFY2(relaxed.converged, qPrintable(QString("force %1 after %2 steps")
                                                   .arg(relaxed.finalForceNorm)
                                                   .arg(relaxed.iterationsRun)));
        QVERIFY(relaxed.finalForceNorm <= options.forceTolerance);
        QVERIFY(relaxed.iterationsRun > 0 && relaxed.iterationsRun < options.nebIterations);
        // The ends stay where they are.
        QVERIFY(torch::equal(relaxed.images[0], leftMinimum()) && torch::equal(relaxed.images[15], rightMinimum()));
        QCOMPARE(relaxed.energies.front(), 0.0);
        QCOMPARE(relaxed.energies.back(), 0.0);
        // The climbing point is on the saddle, and the barrier is its energy.
        const torch::Tensor saddle = relaxed.images[relaxed.saddleIndex];
        const double saddleX = saddle[0].item<double>(), saddleY = saddle[1].item<double>();
        QVERIFY2(std::abs(saddleX) < 1e-3 && std::abs(saddleY - 0.5) < 1e-3,
                 qPrintable(QString("saddle at (%1, %2)").arg(saddleX).arg(saddleY)));
        QVERIFY2(std::abs(relaxed.barrier - 1.0) < 1e-4, qPrintable(QString::number(relaxed.barrier, 'g', 10)));
        // Energies are those of the points, and the band bends: longer than the line's 2.
        const torch::Tensor measured = curvedDoubleWell(relaxed.images);
        for (int i = 0; i < 16; ++i)
            QVERIFY(std::abs(measured[i].item<double>() - relaxed.energies[static_cast<size_t>(i)]) < 1e-12);
        QVERIFY(relaxed.images.select(1, 1).slice(0, 1, -1).gt(0.0).all().item<bool>());
        QVERIFY(std::is_sorted(relaxed.arcLength.begin(), relaxed.arcLength.end()));
        QVERIFY(relaxed.arcLength.back() > 2.1);

        const EnergyPath line = straightLinePath(energy, leftMinimum(), rightMinimum(), 16);
        QVERIFY2(line.barrier > relaxed.barrier + 1.0,
                 qPrintable(QString("line %1, relaxed %2").arg(line.barrier).arg(relaxed.barrier)));
    }

    void withoutClimbingTheBarrierFallsBetweenPoints()
    {
        // 16 points leave none on the saddle: the plain band's highest points straddle it, below 1.
        PathOptions options;
        options.points = 16;
        options.nebIterations = 2000;
        options.forceTolerance = 1e-4;
        options.climbingImage = false;
        const EnergyPath plain = relaxedPath(autogradEnergy(curvedDoubleWell), leftMinimum(), rightMinimum(), options);
        QVERIFY(plain.converged);
        QVERIFY2(plain.barrier < 0.999 && plain.barrier > 0.9, qPrintable(QString::number(plain.barrier, 'g', 10)));
    }

    void relaxedPathOnTheReferenceModelStaysBelowTheLine()
    {
        QVERIFY2(QFile::exists(QString::fromStdString(kReferenceModel)),
                 "the fixture reference-res12-c8.pt is missing: it lives in tests/data");
        EnergyNet net = instantiate(loadCheckpoint(kReferenceModel));
        net->eval();
        std::vector<bool> flagsBefore;
        for (const torch::Tensor& p : net->parameters())
            flagsBefore.push_back(p.requires_grad());
        const torch::Tensor inputs = readNpy(kReferenceInputs);  // [4, 1, 32, 32]
        const torch::Tensor a = inputs[0], b = inputs[3];
        const BatchEnergy energy = modelEnergy(*net);

        const int points = 10;
        const EnergyPath line = straightLinePath(energy, a, b, points);
        // The adapter gives the network's own energies.
        const torch::Tensor direct = net->forward(line.images).detach();
        for (int i = 0; i < points; ++i)
            QVERIFY(std::abs(direct[i].item<double>() - line.energies[static_cast<size_t>(i)]) <=
                    1e-4 * (1.0 + std::abs(line.energies[static_cast<size_t>(i)])));

        PathOptions options;
        options.points = points;
        options.nebIterations = 40;
        const EnergyPath relaxed = relaxedPath(energy, a, b, options);
        QCOMPARE(relaxed.images.sizes().vec(), (std::vector<int64_t>{points, 1, 32, 32}));
        QVERIFY(torch::equal(relaxed.images[0], a) && torch::equal(relaxed.images[points - 1], b));
        for (double e : relaxed.energies)
            QVERIFY(std::isfinite(e));
        QVERIFY(relaxed.iterationsRun > 0);
        const double lineMax = maxOf(line.energies), relaxedMax = maxOf(relaxed.energies);
        QVERIFY2(relaxedMax <= lineMax + 1e-5 * (1.0 + std::abs(lineMax)),
                 qPrintable(QString("relaxed max %1 above the line's %2").arg(relaxedMax).arg(lineMax)));
        QVERIFY(relaxed.barrier <= line.barrier + 1e-5 * (1.0 + std::abs(lineMax)));
        // The band went downhill: its interior is lower on average than the line's.
        QVERIFY2(interiorMean(relaxed.energies) < interiorMean(line.energies),
                 qPrintable(QString("relaxed %1, line %2")
                                .arg(interiorMean(relaxed.energies))
                                .arg(interiorMean(line.energies))));

        // Input gradients only: the parameters got no gradient and keep their flags.
        size_t i = 0;
        for (const torch::Tensor& p : net->parameters()) {
            QCOMPARE(p.requires_grad(), bool(flagsBefore[i++]));
            QVERIFY(!p.grad().defined());
        }
    }

    void progressAndCancelStopTheBand()
    {
        const BatchEnergy energy = autogradEnergy(curvedDoubleWell);
        PathOptions options;
        options.points = 8;
        std::vector<int> seen;
        std::vector<double> firstEnergies;
        const EnergyPath stopped = relaxedPath(energy, leftMinimum(), rightMinimum(), options,
                                               [&](int iteration, const EnergyPath& band) {
                                                   seen.push_back(iteration);
                                                   if (iteration == 0)
                                                       firstEnergies = band.energies;
                                                   return iteration < 3;
                                               });
        QCOMPARE(seen, (std::vector<int>{0, 1, 2, 3}));
        QVERIFY(stopped.stopped && !stopped.converged);
        QCOMPARE(stopped.iterationsRun, 3);
        // Step 0 is the straight line.
        const EnergyPath line = straightLinePath(energy, leftMinimum(), rightMinimum(), 8);
        QCOMPARE(firstEnergies.size(), line.energies.size());
        for (size_t k = 0; k < line.energies.size(); ++k)
            QVERIFY(std::abs(firstEnergies[k] - line.energies[k]) < 1e-12);

        std::atomic<bool> cancel{true};
        const EnergyPath cancelled = relaxedPath(energy, leftMinimum(), rightMinimum(), options, {}, &cancel);
        QVERIFY(cancelled.stopped);
        QCOMPARE(cancelled.iterationsRun, 0);
        QVERIFY(torch::equal(cancelled.images, line.images));
    }

    void invalidInputsAreRefused()
    {
        const BatchEnergy energy = autogradEnergy(curvedDoubleWell);
        const QString shape =
            errorOf([&] { straightLinePath(energy, leftMinimum(), torch::zeros({3}, torch::kFloat64), 8); });
        QVERIFY2(shape.contains("differ in shape") && shape.contains("[2]") && shape.contains("[3]"), qPrintable(shape));
        const QString tooFew = errorOf([&] { straightLinePath(energy, leftMinimum(), rightMinimum(), 2); });
        QVERIFY2(tooFew.contains("between 3 and 128") && tooFew.contains("not 2"), qPrintable(tooFew));
        PathOptions options;
        options.points = 2;
        QVERIFY(errorOf([&] { relaxedPath(energy, leftMinimum(), rightMinimum(), options); }).contains("not 2"));
        options.points = kMaxPathPoints + 1;
        QVERIFY(errorOf([&] { relaxedPath(energy, leftMinimum(), rightMinimum(), options); }).contains("between 3"));
        QVERIFY(errorOf([&] { relaxedPath(energy, leftMinimum(), torch::zeros({2, 1}, torch::kFloat64), PathOptions()); })
                    .contains("differ in shape"));
        const QString nan = errorOf([&] { straightLinePath(energy, point(std::nan(""), 0.0), rightMinimum(), 8); });
        QVERIFY2(nan.contains("first end") && nan.contains("NaN"), qPrintable(nan));
        const QString same = errorOf([&] { relaxedPath(energy, rightMinimum(), rightMinimum(), PathOptions()); });
        QVERIFY2(same.contains("same point"), qPrintable(same));
        PathOptions badStep;
        badStep.nebStepSize = 0.0;
        QVERIFY(errorOf([&] { relaxedPath(energy, leftMinimum(), rightMinimum(), badStep); }).contains("step size"));
        PathOptions badIterations;
        badIterations.nebIterations = -1;
        QVERIFY(errorOf([&] { relaxedPath(energy, leftMinimum(), rightMinimum(), badIterations); }).contains("steps"));
        // An energy function that returns one number for the whole batch is refused, not indexed.
        const BatchEnergy scalar = autogradEnergy([](const torch::Tensor& x) { return x.pow(2).sum(); });
        QVERIFY(errorOf([&] { straightLinePath(scalar, leftMinimum(), rightMinimum(), 8); })
                    .contains("one energy per point"));
        // Every error is one line.
        QVERIFY(!shape.contains('\n') && !tooFew.contains('\n') && !nan.contains('\n') && !same.contains('\n'));
    }

    void methodNamesRoundTrip()
    {
        QCOMPARE(toString(PathMethod::Line), std::string("line"));
        QCOMPARE(toString(PathMethod::Neb), std::string("neb"));
        QVERIFY(parsePathMethod("neb") == PathMethod::Neb);
        QVERIFY(parsePathMethod("line") == PathMethod::Line);
        QVERIFY(errorOf([] { parsePathMethod("spline"); }).contains("unknown path method 'spline'"));
    }
};

QTEST_APPLESS_MAIN(TestEnergyPath)
#include "test_energy_path.moc"
