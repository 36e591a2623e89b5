// The MDSM objective (eq. 7): values against hand computations and the double-backprop
// parameter gradient against finite differences.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include "ebm/base/error.h"
#include "ebm/io/checkpoint.h"
#include "ebm/train/mdsm.h"
#include "analytic_energies.h"
#include "test_support.h"

using namespace ebm;
using ebm::testing::QuadraticEnergyImpl;

namespace {

double relativeDifference(const torch::Tensor& value, const torch::Tensor& reference)
{
    const double scale = reference.norm().item<double>();
    return (value - reference).norm().item<double>() / std::max(scale, 1e-30);
}

/// The MDSM loss of `net` by `method`, then every parameter's gradient (zeros where a parameter
/// gets none, as the head bias).
std::vector<torch::Tensor> lossAndParameterGradients(EnergyNetImpl& net, const torch::Tensor& x, const torch::Tensor& noise,
                                                     InputGradientMethod method)
{
    net.zero_grad();
    torch::Tensor loss = mdsmLoss(net, x, noise, NoiseConfig{}, method).loss;
    loss.backward();
    std::vector<torch::Tensor> all{loss.detach()};
    for (const auto& p : net.parameters())
        all.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    return all;
}

/// Largest relative differences seen so far, reported at the end of the test.
struct WorstErrors {
    double energy = 0.0, inputGradient = 0.0, parameterGradient = 0.0;
};

/// The explicit dE/dx path against the autograd one on `net`: energies, input gradients and
/// every parameter gradient of the MDSM loss. Returns a failure description, empty when all agree.
QString compareGradientMethods(EnergyNetImpl& net, const torch::Tensor& x, double tolerance, WorstErrors& worst,
                               InputGradientMethod handWritten = InputGradientMethod::Explicit)
{
    const QString name = QString::fromStdString(net.config().describe()) +
                         (handWritten == InputGradientMethod::Portable ? " (portable)" : "");
    if (!net.explicitEnergyAndGrad(x))
        return name + ": no explicit gradient";
    std::optional<EnergyAndGrad> explicitResult = energyAndGradWithGraph(net, x, handWritten);
    EnergyAndGrad reference = energyAndGradWithGraph(net, x, InputGradientMethod::Autograd);
    if (reference.grad.norm().item<double>() == 0.0)
        return name + ": zero input gradient, nothing compared";
    const double energyError = relativeDifference(explicitResult->energy, reference.energy);
    const double gradError = relativeDifference(explicitResult->grad, reference.grad);
    worst.energy = std::max(worst.energy, energyError);
    worst.inputGradient = std::max(worst.inputGradient, gradError);
    // The energy (not used by the loss) sums terms that partly cancel, and the explicit pass
    // computes conv-then-pool as one strided conv: rounding differs more than for dE/dx.
    if (!(energyError < 10 * tolerance) || !(gradError < tolerance))
        return name + QString(": energy error %1, input gradient error %2").arg(energyError).arg(gradError);

    torch::Tensor noise = torch::randn_like(x);
    NoiseConfig noiseConfig;
    noiseConfig.sigmaMin = 0.05;
    noiseConfig.sigmaMax = 1.0;
    auto parameterGradients = [&](InputGradientMethod method, double& lossValue) {
        net.zero_grad();
        MdsmLoss loss = mdsmLoss(net, x, noise, noiseConfig, method);
        loss.loss.backward();
        lossValue = loss.loss.item<double>();
        // A parameter that cannot reach dE/dx may get no gradient on one path and an exact
        // zero on the other: both mean zero.
        std::vector<torch::Tensor> grads;
        for (const auto& p : net.parameters())
            grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
        return grads;
    };
    double explicitLoss = 0.0, autogradLoss = 0.0;
    const std::vector<torch::Tensor> explicitGrads = parameterGradients(handWritten, explicitLoss);
    const std::vector<torch::Tensor> autogradGrads = parameterGradients(InputGradientMethod::Autograd, autogradLoss);
    if (!(std::abs(explicitLoss - autogradLoss) < tolerance * std::abs(autogradLoss)))
        return name + QString(": loss %1 vs %2").arg(explicitLoss).arg(autogradLoss);
    const auto names = net.named_parameters().keys();
    double largestNorm = 0.0;
    for (const torch::Tensor& g : autogradGrads)
        largestNorm = std::max(largestNorm, g.norm().item<double>());
    if (largestNorm == 0.0)
        return name + ": all parameter gradients are zero, nothing compared";
    int compared = 0;
    for (size_t i = 0; i < autogradGrads.size(); ++i) {
        const QString parameter = name + " " + QString::fromStdString(names[i]);
        const double referenceNorm = autogradGrads[i].norm().item<double>();
        // Relative to the gradient itself, or to the largest one where it is (nearly) zero.
        const double scale = std::max(referenceNorm, 1e-6 * largestNorm);
        const double error = (explicitGrads[i] - autogradGrads[i]).norm().item<double>() / scale;
        if (referenceNorm == 0.0) {
            if (!(error < tolerance))
                return parameter + QString(": should have no gradient, differs by %1").arg(error);
            continue;
        }
        worst.parameterGradient = std::max(worst.parameterGradient, error);
        // Parameter gradients pass through one more backward pass than dE/dx: a looser bound.
        if (!(error < 10 * tolerance))
            return parameter + QString(": parameter gradient error %1").arg(error);
        ++compared;
    }
    // Every weight reaches dE/dx; only additive biases may not (the head's, and under a linear
    // head those of the last block's outputs).
    if (compared < static_cast<int>(autogradGrads.size()) - 3)
        return name + QString(": only %1 parameter gradients compared").arg(compared);
    return {};
}

}  // namespace

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
        EnergyNet net = makeEnergyNet(testing::resNetConfig(Architecture::Res6, 2, 8));
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

    void explicitInputGradientMatchesAutograd()
    {
        // The hand-written backward pass of the ResNets must equal autograd's dE/dx, and the
        // double-backprop parameter gradients of the loss must agree, for every layout it covers.
        torch::manual_seed(5);
        constexpr double kFloatTolerance = 2e-5;
        WorstErrors worst;
        int checked = 0;
        for (Architecture arch : {Architecture::Res6, Architecture::Res12, Architecture::Res18})
            for (HeadKind head : {HeadKind::Quadratic, HeadKind::Linear})
                for (int channels : {1, 3})
                    for (int size : {28, 32}) {
                        ModelConfig config = testing::resNetConfig(arch, 4, size, channels);
                        config.head = head;
                        EnergyNet net = makeEnergyNet(config);
                        torch::Tensor x = torch::rand({3, channels, size, size});
                        const QString failure = compareGradientMethods(*net, x, kFloatTolerance, worst);
                        QVERIFY2(failure.isEmpty(), qPrintable(failure));
                        ++checked;
                    }
        QCOMPARE(checked, 24);
        {
            // 64x64 adds a third halving of the image; one layout is enough to cover it.
            EnergyNet net = makeEnergyNet(testing::resNetConfig(Architecture::Res12, 4, 64));
            const QString failure = compareGradientMethods(*net, torch::rand({2, 1, 64, 64}), kFloatTolerance, worst);
            QVERIFY2(failure.isEmpty(), qPrintable(failure));
        }
        qInfo("float32 worst relative differences: energy %.2e, dE/dx %.2e, parameter gradients %.2e",
              worst.energy, worst.inputGradient, worst.parameterGradient);

        // Double precision: the two paths differ only by rounding.
        EnergyNet net = makeEnergyNet(testing::resNetConfig(Architecture::Res12, 3, 28));
        net->to(torch::kFloat64);
        WorstErrors worstDouble;
        const QString failure =
            compareGradientMethods(*net, torch::rand({2, 1, 28, 28}, torch::kFloat64), 1e-11, worstDouble);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }

    void portablePassMatchesAutograd()
    {
        // What CUDA and bfloat16 run: the hand-written pass from stock operators, without the
        // CPU loops (parity interleave, ELU slope). Odd sizes (28 -> 14 -> 7) included. In double
        // precision, so that a wrong index shows at once and rounding does not: in float32 a
        // nearly cancelling gradient (the stem's bias in one draw) differs by 1e-3 relative
        // between any two summation orders.
        torch::manual_seed(15);
        constexpr double kDoubleTolerance = 1e-10;
        WorstErrors worst;
        for (int size : {28, 32})
            for (int channels : {1, 3}) {
                EnergyNet net = makeEnergyNet(testing::resNetConfig(Architecture::Res12, 4, size, channels));
                net->to(torch::kFloat64);
                const QString failure =
                    compareGradientMethods(*net, torch::rand({3, channels, size, size}, torch::kFloat64),
                                           kDoubleTolerance, worst, InputGradientMethod::Portable);
                QVERIFY2(failure.isEmpty(), qPrintable(failure));
            }
        ModelConfig config = ModelConfig::mlp(2, 16, 3);
        EnergyNet mlp = makeEnergyNet(config);
        mlp->to(torch::kFloat64);
        const QString failure = compareGradientMethods(*mlp, torch::rand({5, 2}, torch::kFloat64), kDoubleTolerance,
                                                       worst, InputGradientMethod::Portable);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));

        // And the portable pass is the CPU loops' maths, not merely close to autograd: in double
        // precision the two hand-written passes agree to rounding, value and parameter gradients.
        EnergyNet net = makeEnergyNet(testing::resNetConfig(Architecture::Res6, 3, 28));
        net->to(torch::kFloat64);
        const torch::Tensor x = torch::rand({2, 1, 28, 28}, torch::kFloat64);
        const torch::Tensor noise = torch::randn_like(x);
        const auto cpuLoops = lossAndParameterGradients(*net, x, noise, InputGradientMethod::Explicit);
        const auto portable = lossAndParameterGradients(*net, x, noise, InputGradientMethod::Portable);
        for (size_t i = 0; i < cpuLoops.size(); ++i)
            QVERIFY2(relativeDifference(portable[i], cpuLoops[i]) < 1e-12 ||
                         (cpuLoops[i].norm().item<double>() == 0.0 && portable[i].norm().item<double>() == 0.0),
                     qPrintable(QString("item %1 differs by %2").arg(i).arg(relativeDifference(portable[i], cpuLoops[i]))));
    }

    void explicitInputGradientMatchesAutogradOnReferenceCheckpoint()
    {
        QVERIFY2(QFile::exists(QStringLiteral(EBM_FIXTURES_DIR "/reference-res12-c8.pt")),
                 EBM_FIXTURES_DIR "/reference-res12-c8.pt is missing: the fixture lives in tests/data");
        EnergyNet net = instantiate(loadCheckpoint(EBM_FIXTURES_DIR "/reference-res12-c8.pt"));
        torch::manual_seed(8);
        WorstErrors worst;
        const QString failure = compareGradientMethods(*net, torch::rand({4, 1, 32, 32}), 2e-5, worst);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }

    void samplingGradientUsesTheExplicitPathAndMatchesAutograd()
    {
        // energyAndGrad (what the sampler calls) keeps no graph, so it must still equal autograd.
        torch::manual_seed(9);
        for (Architecture arch : {Architecture::Res6, Architecture::Res18}) {
            EnergyNet net = makeEnergyNet(testing::resNetConfig(arch, 4, 32, 3));
            const torch::Tensor x = torch::rand({3, 3, 32, 32});
            const EnergyAndGrad sampled = energyAndGrad(*net, x);
            const EnergyAndGrad reference = energyAndGradWithGraph(*net, x, InputGradientMethod::Autograd);
            QVERIFY(!sampled.grad.requires_grad());
            QVERIFY(relativeDifference(sampled.grad, reference.grad.detach()) < 2e-5);
            QVERIFY(relativeDifference(sampled.energy, reference.energy.detach()) < 2e-4);
        }
    }

    void mlpExplicitPassMatchesAutograd()
    {
        // The MLP's hand-written input gradient: the same loss and the same parameter gradients
        // as autograd's double backpropagation, for both heads.
        for (HeadKind head : {HeadKind::Quadratic, HeadKind::Linear}) {
            EnergyNet net = testing::seededPointMlp(16, head, 6);
            QVERIFY(net->explicitEnergyAndGrad(torch::rand({5, 2})).has_value());
            torch::Tensor x = torch::rand({5, 2});
            torch::Tensor noise = torch::randn({5, 2});
            const auto byDefault = lossAndParameterGradients(*net, x, noise, InputGradientMethod::Explicit);
            const auto byAutograd = lossAndParameterGradients(*net, x, noise, InputGradientMethod::Autograd);
            QCOMPARE(byDefault.size(), byAutograd.size());
            for (size_t i = 0; i < byDefault.size(); ++i)
                QVERIFY2(relativeDifference(byDefault[i], byAutograd[i]) < 1e-4, qPrintable(QString::number(i)));
        }
    }
};

QTEST_APPLESS_MAIN(TestMdsm)
#include "test_mdsm.moc"
