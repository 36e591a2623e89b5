// The MDSM objective (eq. 7): values against hand computations and the double-backprop
// parameter gradient against finite differences.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include "analytic_energies.h"
#include "ebm/mdsm.h"
#include "ebm/error.h"

using namespace ebm;
using ebm::testing::QuadraticEnergyImpl;

class TestMdsm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sigmasAreSpreadOverRows()
    {
        NoiseConfig geometric;  // Fashion-MNIST: [0.1, 3] geometric
        torch::Tensor s = batchSigmas(geometric, 5, torch::kFloat64);
        QCOMPARE(s.size(0), 5);
        QVERIFY(std::abs(s[0].item<double>() - 0.1) < 1e-12);
        QVERIFY(std::abs(s[4].item<double>() - 3.0) < 1e-12);
        // Geometric: constant ratio between neighbours.
        const double r = s[1].item<double>() / s[0].item<double>();
        QVERIFY(std::abs(s[3].item<double>() / s[2].item<double>() - r) < 1e-9);

        NoiseConfig linear;
        linear.sigmaMin = 0.05;
        linear.sigmaMax = 1.2;
        linear.spread = NoiseSpread::Linear;
        torch::Tensor l = batchSigmas(linear, 4, torch::kFloat64);
        QVERIFY(std::abs((l[1] - l[0]).item<double>() - (l[3] - l[2]).item<double>()) < 1e-12);

        torch::Tensor single = batchSigmas(NoiseConfig::singleSigma(0.6), 7, torch::kFloat64);
        QVERIFY(torch::allclose(single, torch::full({7}, 0.6, torch::kFloat64)));

        NoiseConfig bad;
        bad.sigmaMin = 0.0;
        QVERIFY_THROWS_EXCEPTION(Error, batchSigmas(bad, 3));
    }

    void lossEqualsHandComputation()
    {
        const int64_t rows = 6, dim = 3;
        const double a = 37.0, centre = 0.25;
        QuadraticEnergyImpl energy(dim, a, centre);
        torch::manual_seed(3);
        torch::Tensor x = torch::rand({rows, dim}, torch::kFloat64);
        torch::Tensor noise = torch::randn({rows, dim}, torch::kFloat64);
        NoiseConfig config;
        config.sigmaMin = 0.2;
        config.sigmaMax = 1.5;
        config.spread = NoiseSpread::Linear;
        config.sigma0 = 0.1;

        MdsmLoss loss = mdsmLoss(energy, x, noise, config);

        // By hand: x~ = x + sigma n; dE/dx~ = a (x~ - m); per row l(sigma) ||x - x~ + s0^2 dE||^2 / s0^4.
        double expected = 0.0;
        auto xa = x.accessor<double, 2>();
        auto na = noise.accessor<double, 2>();
        for (int64_t i = 0; i < rows; ++i) {
            const double sigma = 0.2 + (1.5 - 0.2) * i / (rows - 1);
            double sq = 0.0;
            for (int64_t j = 0; j < dim; ++j) {
                const double noisy = xa[i][j] + sigma * na[i][j];
                const double r = xa[i][j] - noisy + 0.01 * a * (noisy - centre);
                sq += r * r;
            }
            expected += sq / (sigma * sigma) / 1e-4;
        }
        expected /= rows;
        QVERIFY2(std::abs(loss.loss.item<double>() - expected) < 1e-9 * expected,
                 qPrintable(QString("loss %1 expected %2").arg(loss.loss.item<double>()).arg(expected)));
        QVERIFY(std::abs(loss.normalised - expected * 1e-4) < 1e-9 * expected);
    }

    void perfectScoreGivesZeroLoss()
    {
        // With dE/dx~ = (x~ - x)/sigma0^2 the residual vanishes; a = 1/sigma0^2, centre = x for
        // one data point (all rows share it).
        QuadraticEnergyImpl energy(2, 100.0, 0.5);
        torch::Tensor x = torch::full({4, 2}, 0.5, torch::kFloat64);
        torch::Tensor noise = torch::randn({4, 2}, torch::kFloat64);
        MdsmLoss loss = mdsmLoss(energy, x, noise, NoiseConfig{});
        QVERIFY(loss.loss.item<double>() < 1e-18);
    }

    void parameterGradientMatchesFiniteDifferences()
    {
        // A small real network in double precision: the double-backprop gradient of a few
        // weights against central differences of the loss.
        torch::manual_seed(11);
        ModelConfig config;
        config.arch = Architecture::Res6;
        config.baseWidth = 2;
        config.imageSize = 8;
        EnergyNet net = makeEnergyNet(config);
        net->to(torch::kFloat64);
        torch::Tensor x = torch::rand({3, 1, 8, 8}, torch::kFloat64);
        torch::Tensor noise = torch::randn({3, 1, 8, 8}, torch::kFloat64);
        NoiseConfig noiseConfig;
        noiseConfig.sigmaMin = 0.3;
        noiseConfig.sigmaMax = 1.0;

        MdsmLoss loss = mdsmLoss(*net, x, noise, noiseConfig);
        loss.loss.backward();
        int checked = 0;
        for (const auto& item : net->named_parameters()) {
            torch::Tensor p = item.value();
            const int64_t index = p.numel() / 2;
            // The energy's constant offset (lq.bias) never reaches dE/dx: no gradient, and the
            // finite difference must agree that the loss ignores it.
            const double analytic = p.grad().defined() ? p.grad().flatten()[index].item<double>() : 0.0;
            const double h = 1e-5;
            auto nudge = [&](double delta) {
                torch::NoGradGuard guard;
                p.flatten()[index] += delta;
            };
            nudge(h);
            const double up = mdsmLoss(*net, x, noise, noiseConfig).loss.item<double>();
            nudge(-2 * h);
            const double down = mdsmLoss(*net, x, noise, noiseConfig).loss.item<double>();
            nudge(h);
            const double numeric = (up - down) / (2 * h);
            const double scale = std::max({1.0, std::abs(numeric), std::abs(analytic)});
            QVERIFY2(std::abs(numeric - analytic) < 1e-5 * scale,
                     qPrintable(QString("%1: analytic %2 numeric %3")
                                    .arg(QString::fromStdString(item.key())).arg(analytic).arg(numeric)));
            ++checked;
        }
        QVERIFY(checked >= 10);
    }
};

QTEST_APPLESS_MAIN(TestMdsm)
#include "test_mdsm.moc"
