// The energy inspector's engine: per-image energies with their spread and denoising residual,
// AUROC and ROC curve of a score as an outlier detector, transformed copies of a set and class
// restriction, checked against hand computations and the quadratic energy's closed forms.
#include <QtTest/QtTest>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "ebm/base/error.h"
#include "ebm/sample/energy_inspection.h"
#include "ebm/sample/sampler.h"
#include "analytic_energies.h"
#include "test_support.h"

using namespace ebm;
using ebm::testing::QuadraticEnergyImpl;

namespace {

torch::Tensor scores(std::vector<double> values) { return torch::tensor(values, torch::kFloat64); }

/// The definition itself, pair by pair: the chance that an outlier scores higher, ties 1/2.
double pairwiseAuroc(const torch::Tensor& inliers, const torch::Tensor& outliers)
{
    double wins = 0.0;
    for (int64_t o = 0; o < outliers.numel(); ++o)
        for (int64_t i = 0; i < inliers.numel(); ++i) {
            const double a = outliers[o].item<double>(), b = inliers[i].item<double>();
            wins += a > b ? 1.0 : a == b ? 0.5 : 0.0;
        }
    return wins / (static_cast<double>(inliers.numel()) * outliers.numel());
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

/// E = precision/2 ||x - centre||^2 on `dim` dimensions, evaluated in float32 as models are.
std::shared_ptr<QuadraticEnergyImpl> floatQuadratic(int dim, double precision = 1.0, double centre = 0.0)
{
    auto energy = std::make_shared<QuadraticEnergyImpl>(dim, precision, centre);
    energy->to(torch::kFloat32);
    return energy;
}

/// Six labelled rows whose single pixel holds the row's own position, so the kept rows show.
Dataset labelledRows()
{
    Dataset data;
    data.name = "six";
    data.data = torch::arange(6, torch::kFloat32).view({6, 1, 1, 1});
    data.labels = torch::tensor(std::vector<int64_t>{0, 1, 2, 1, 0, 4}, torch::kInt64);
    return data;
}

}  // namespace

class TestEnergyInspection : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aurocEqualsTheHandComputationWithTies()
    {
        // Inliers {1, 2, 2, 3}, outliers {2, 3, 4}: 12 pairs (outlier, inlier).
        //   outlier 2: beats 1, ties 2 and 2, loses to 3     -> 1 + 0.5 + 0.5 + 0 = 2
        //   outlier 3: beats 1, 2, 2, ties 3                 -> 3 + 0.5          = 3.5
        //   outlier 4: beats all four                        ->                    4
        // AUROC = (2 + 3.5 + 4) / 12 = 9.5 / 12 = 19/24.
        const torch::Tensor inliers = scores({1, 2, 2, 3}), outliers = scores({2, 3, 4});
        const double value = auroc(inliers, outliers);
        QCOMPARE(value, 19.0 / 24.0);
        // Ties counted as losses would give 7/12, as wins 11/12: the halves are what is tested.
        QVERIFY(std::abs(value - 7.0 / 12.0) > 0.1 && std::abs(value - 11.0 / 12.0) > 0.1);
        // The input order does not matter.
        QCOMPARE(auroc(scores({3, 2, 1, 2}), scores({4, 2, 3})), 19.0 / 24.0);
    }

    void tiesCountOneHalf()
    {
        // Every pair tied: ties as losses would give 0, as wins 1.
        QCOMPARE(auroc(scores({5, 5, 5}), scores({5, 5})), 0.5);
        // Integer scores with many ties against the pair-by-pair definition.
        torch::manual_seed(3);
        const torch::Tensor inliers = torch::randint(0, 6, {40}, torch::kFloat64);
        const torch::Tensor outliers = torch::randint(2, 8, {30}, torch::kFloat64);
        QVERIFY(std::abs(auroc(inliers, outliers) - pairwiseAuroc(inliers, outliers)) < 1e-12);
    }

    void aurocOfIdenticalSetsIsHalfAndSeparatedSetsGiveOneOrZero()
    {
        torch::manual_seed(4);
        const torch::Tensor same = torch::randn({101}, torch::kFloat64);
        QCOMPARE(auroc(same, same), 0.5);
        QCOMPARE(auroc(scores({0, 1, 2}), scores({3, 4})), 1.0);
        QCOMPARE(auroc(scores({3, 4}), scores({0, 1, 2})), 0.0);
        // Float energies are accepted as they come from the measurement.
        QCOMPARE(auroc(torch::tensor({-2.0f, -1.0f}), torch::tensor({7.0f})), 1.0);
    }

    void aurocRefusesEmptySetsAndNaN()
    {
        QVERIFY(errorOf([] { auroc(scores({}), scores({1})); }).contains("inlier set has no scores"));
        QVERIFY(errorOf([] { auroc(scores({1}), scores({})); }).contains("outlier set has no scores"));
        QVERIFY(errorOf([] { auroc(scores({1, std::nan("")}), scores({1})); }).contains("NaN"));
        QVERIFY(errorOf([] { rocCurve(scores({1}), scores({std::nan("")})); }).contains("NaN"));
    }

    void rocCurveRunsFromZeroToOneAndItsAreaIsTheAuroc()
    {
        const torch::Tensor inliers = scores({1, 2, 2, 3}), outliers = scores({2, 3, 4});
        const std::vector<RocPoint> curve = rocCurve(inliers, outliers);
        QCOMPARE(curve.front().falsePositiveRate, 0.0);
        QCOMPARE(curve.front().truePositiveRate, 0.0);
        QVERIFY(std::isinf(curve.front().threshold));
        QCOMPARE(curve.back().falsePositiveRate, 1.0);
        QCOMPARE(curve.back().truePositiveRate, 1.0);
        QCOMPARE(curve.back().threshold, 1.0);
        QCOMPARE(curve.size(), size_t(5));  // +inf and the four distinct scores
        // Threshold 3 flags the inlier 3 and the outliers 3 and 4 together: (1/4, 2/3).
        QCOMPARE(curve[2].threshold, 3.0);
        QCOMPARE(curve[2].falsePositiveRate, 0.25);
        QCOMPARE(curve[2].truePositiveRate, 2.0 / 3.0);
        double area = 0.0;
        for (size_t k = 1; k < curve.size(); ++k) {
            QVERIFY(curve[k].falsePositiveRate >= curve[k - 1].falsePositiveRate);
            QVERIFY(curve[k].truePositiveRate >= curve[k - 1].truePositiveRate);
            area += (curve[k].falsePositiveRate - curve[k - 1].falsePositiveRate) *
                    (curve[k].truePositiveRate + curve[k - 1].truePositiveRate) / 2;
        }
        QVERIFY(std::abs(area - 19.0 / 24.0) < 1e-12);
    }

    void summaryIsMeanAndSampleStd()
    {
        // {1, 2, 3, 4}: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, over n-1 = 3.
        const ScoreSummary s = summarize(scores({1, 2, 3, 4}));
        QCOMPARE(s.count, int64_t(4));
        QCOMPARE(s.mean, 2.5);
        QVERIFY(std::abs(s.std - std::sqrt(5.0 / 3.0)) < 1e-12);
        QCOMPARE(summarize(scores({7})).std, 0.0);
    }

    void meansAgreeExactlyWithMeasureEnergies()
    {
        const auto energy = floatQuadratic(5, 3.0, 0.25);
        torch::manual_seed(5);
        const torch::Tensor x = torch::rand({300, 5});  // more than one batch of 256
        for (bool residual : {false, true}) {
            EnergyInspectionOptions options;
            options.noiseStd = 0.3;
            options.draws = 4;
            options.seed = 7;
            options.residual = residual;
            const ImageEnergies measured = measureImageEnergies(*energy, x, options);
            QVERIFY(torch::equal(measured.energy, measureEnergies(*energy, x, 0.3, 4, 7)));
            QCOMPARE(measured.residual.defined(), residual);
        }
        // A small ResNet, whose residual comes from its hand-written backward pass.
        torch::manual_seed(6);
        EnergyNet net = makeEnergyNet(testing::resNetConfig(Architecture::Res6, 2, 8));
        const torch::Tensor images = torch::rand({10, 1, 8, 8});
        EnergyInspectionOptions options;
        options.draws = 3;
        options.seed = 2;
        options.residual = true;
        options.batchSize = 4;
        const ImageEnergies measured = measureImageEnergies(*net, images, options);
        QVERIFY(torch::equal(measured.energy, measureEnergies(*net, images, 0.1, 3, 2, 4)));
        QVERIFY(measured.residual.gt(0).all().item<bool>());
    }

    void quadraticEnergyGivesClosedFormSpreadAndResidual()
    {
        // E = a/2 ||x - m||^2. With x~ = x + s n: E[E] = a/2 (r^2 + D s^2) and
        // Var E = a^2/4 (4 s^2 r^2 + 2 D s^4), r = ||x - m||. At the clean point the residual is
        // sigma0^2 ||dE/dx|| = sigma0^2 a r.
        const int dim = 4;
        const double a = 2.0, s = 0.5, sigma0 = 0.1;
        const auto energy = floatQuadratic(dim, a);
        const torch::Tensor x = torch::tensor({0.0f, 1.0f, 2.0f}).view({3, 1}).expand({3, dim}).contiguous();
        EnergyInspectionOptions options;
        options.noiseStd = s;
        options.draws = 10000;
        options.seed = 9;
        const ImageEnergies noisy = measureImageEnergies(*energy, x, options);
        for (int64_t i = 0; i < 3; ++i) {
            const double r2 = x[i].pow(2).sum().item<double>();
            const double mean = a / 2 * (r2 + dim * s * s);
            const double std = a / 2 * std::sqrt(4 * s * s * r2 + 2 * dim * std::pow(s, 4));
            QVERIFY2(std::abs(noisy.energy[i].item<double>() - mean) < 4 * std / std::sqrt(10000.0),
                     qPrintable(QString("row %1: mean %2, expected %3").arg(i).arg(noisy.energy[i].item<double>()).arg(mean)));
            QVERIFY2(std::abs(noisy.spread[i].item<double>() - std) < 0.05 * std,
                     qPrintable(QString("row %1: spread %2, expected %3").arg(i).arg(noisy.spread[i].item<double>()).arg(std)));
        }
        options.noiseStd = 0.0;
        options.residual = true;
        options.sigma0 = sigma0;
        const ImageEnergies clean = measureImageEnergies(*energy, x, options);
        for (int64_t i = 0; i < 3; ++i) {
            const double r = std::sqrt(x[i].pow(2).sum().item<double>());
            QVERIFY(std::abs(clean.residual[i].item<double>() - sigma0 * sigma0 * a * r) < 1e-6);
            QCOMPARE(clean.energy[i].item<double>(), a / 2 * r * r);
        }
    }

    void spreadIsZeroWithOneDrawOrNoNoise()
    {
        const auto energy = floatQuadratic(3);
        const torch::Tensor x = torch::rand({20, 3});
        EnergyInspectionOptions options;
        options.draws = 1;
        QVERIFY(measureImageEnergies(*energy, x, options).spread.eq(0).all().item<bool>());
        options.draws = 8;
        options.noiseStd = 0.0;
        QVERIFY(measureImageEnergies(*energy, x, options).spread.eq(0).all().item<bool>());
        options.noiseStd = 0.1;
        QVERIFY(measureImageEnergies(*energy, x, options).spread.gt(0).all().item<bool>());
    }

    void progressArrivesAndCancelStops()
    {
        const auto energy = floatQuadratic(3);
        const torch::Tensor x = torch::rand({10, 3});
        EnergyInspectionOptions options;
        options.draws = 3;
        options.batchSize = 4;
        std::vector<int64_t> seen;
        measureImageEnergies(*energy, x, options, [&](int64_t done, int64_t total) {
            QCOMPARE(total, int64_t(30));
            seen.push_back(done);
        });
        QCOMPARE(seen.size(), size_t(9));  // three batches (4, 4, 2) times three draws
        QCOMPARE(seen.back(), int64_t(30));
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));

        std::atomic<bool> cancel{false};
        int calls = 0;
        auto stopAfterTwo = [&](int64_t, int64_t) {
            if (++calls == 2)
                cancel.store(true);
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, measureImageEnergies(*energy, x, options, stopAfterTwo, &cancel));
        QCOMPARE(calls, 2);
        options.draws = 0;
        QVERIFY(errorOf([&] { measureImageEnergies(*energy, x, options); }).contains("draws"));
        options.draws = 1;
        options.noiseStd = -1;
        QVERIFY(errorOf([&] { measureImageEnergies(*energy, x, options); }).contains("noise level"));
    }

    void transformsDoWhatTheySay()
    {
        // One 2x3 image:  0 1 2
        //                 3 4 5   (divided by 10)
        const torch::Tensor image = torch::arange(6, torch::kFloat32).view({1, 1, 2, 3}) / 10;
        auto apply = [&](const char* chain) { return applyTransforms(image, parseTransforms(chain)); };
        auto same = [](const torch::Tensor& got, std::vector<float> expected) {
            return torch::allclose(got, torch::tensor(expected).view({1, 1, 2, 3}) / 10, 0.0, 1e-6);
        };
        QVERIFY(torch::allclose(apply("invert"), 1 - image));
        QVERIFY(same(apply("flip"), {2, 1, 0, 5, 4, 3}));
        QVERIFY(same(apply("shift:1"), {0, 0, 1, 0, 3, 4}));
        QVERIFY(same(apply("shift:-1"), {1, 2, 0, 4, 5, 0}));
        QVERIFY(same(apply("shift:1:1"), {0, 0, 0, 0, 0, 1}));
        QVERIFY(same(apply("shift:-2:-1"), {5, 0, 0, 0, 0, 0}));
        QVERIFY(same(apply("flip,shift:1"), {0, 2, 1, 0, 5, 4}));
        QVERIFY(torch::equal(apply("none"), image));
        QVERIFY(torch::equal(apply(""), image));
        QVERIFY(torch::equal(apply("noise:0"), image));
        QVERIFY(torch::equal(image, torch::arange(6, torch::kFloat32).view({1, 1, 2, 3}) / 10));  // input untouched

        // Noise: the requested std, seeded, and not the measurement's noise for the same seed.
        const torch::Tensor flat = torch::zeros({20000, 1});
        const torch::Tensor noisy = applyTransforms(flat, parseTransforms("noise:0.3"), 4);
        QVERIFY(std::abs(noisy.std().item<double>() - 0.3) < 0.01);
        QVERIFY(std::abs(noisy.mean().item<double>()) < 0.01);
        QVERIFY(torch::equal(noisy, applyTransforms(flat, parseTransforms("noise:0.3"), 4)));
        QVERIFY(!torch::equal(noisy, applyTransforms(flat, parseTransforms("noise:0.3"), 5)));
        at::Generator measurement = at::make_generator<at::CPUGeneratorImpl>(4);
        QVERIFY(!torch::allclose(noisy, 0.3 * at::randn({20000, 1}, measurement, torch::kFloat32)));

        QCOMPARE(describeTransforms(parseTransforms(" invert, flip ,noise:0.25,shift:2,shift:-1:3")),
                 std::string("invert,flip,noise:0.25,shift:2,shift:-1:3"));
        QCOMPARE(describeTransforms({}), std::string("none"));
    }

    void badTransformsAreRefusedNamingTheItem()
    {
        QVERIFY(errorOf([] { parseTransforms("invert,blur"); }).contains("'blur'"));
        QVERIFY(errorOf([] { parseTransforms("noise:x"); }).contains("'noise:x'"));
        QVERIFY(errorOf([] { parseTransforms("noise:-1"); }).contains("non-negative"));
        QVERIFY(errorOf([] { parseTransforms("shift:1.5"); }).contains("whole number"));
        QVERIFY(errorOf([] { parseTransforms("shift:99999999999"); }).contains("whole number"));
        QVERIFY(errorOf([] { parseTransforms("invert:2"); }).contains("'invert:2'"));
        const torch::Tensor image = torch::zeros({1, 1, 4, 4});
        QVERIFY(errorOf([&] { applyTransforms(image, parseTransforms("shift:4")); }).contains("leaves nothing"));
        QVERIFY(errorOf([] { applyTransforms(torch::zeros({5, 2}), parseTransforms("flip")); }).contains("points"));
        QVERIFY(torch::equal(applyTransforms(torch::zeros({5, 2}), parseTransforms("invert")), torch::ones({5, 2})));
    }

    void classRestrictionKeepsOnlyThoseLabels()
    {
        const Dataset data = labelledRows();  // labels 0 1 2 1 0 4
        QVERIFY(torch::equal(classIndices(data, {1, 4}), torch::tensor(std::vector<int64_t>{1, 3, 5})));
        const Dataset kept = restrictToClasses(data, {4, 1, 1});
        QCOMPARE(kept.size(), int64_t(3));
        QVERIFY(torch::equal(kept.labels, torch::tensor(std::vector<int64_t>{1, 1, 4})));
        QVERIFY(torch::equal(kept.data.flatten(), torch::tensor({1.0f, 3.0f, 5.0f})));
        QCOMPARE(kept.name, std::string("six"));

        const QString absent = errorOf([&] { restrictToClasses(data, {0, 3}); });
        QVERIFY2(absent.contains("six") && absent.contains("class 3 has no images"), qPrintable(absent));
        const QString outside = errorOf([&] { restrictToClasses(data, {7}); });
        QVERIFY2(outside.contains("class 7 is out of range") && outside.contains("0 to 4"), qPrintable(outside));
        QVERIFY(errorOf([&] { restrictToClasses(data, {-1}); }).contains("out of range"));
        QVERIFY(errorOf([&] { restrictToClasses(data, {}); }).contains("no classes"));
        Dataset unlabelled = data;
        unlabelled.labels = torch::Tensor();
        QVERIFY(errorOf([&] { restrictToClasses(unlabelled, {0}); }).contains("has no labels"));
    }
};

QTEST_APPLESS_MAIN(TestEnergyInspection)
#include "test_energy_inspection.moc"
