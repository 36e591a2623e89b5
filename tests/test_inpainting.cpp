// Inpainting masks: the presets (the torch-free pixels and their tensors), mask pictures (white
// generates, other sizes scaled with nearest neighbours), the error over the generated pixels, and
// feathered masks (soft weights at the edge; radius 0 is the hard clamp), and inpainting with MALA
// (known pixels kept, acceptance recorded, the conditional of a Gaussian sampled without bias).
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QTemporaryDir>

#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/base/mask_preset.h"
#include "ebm/io/image_file.h"
#include "ebm/sample/inpainting.h"
#include "ebm/sample/sampler.h"
#include "analytic_energies.h"

using namespace ebm;

namespace {

/// Whether `generated` of `pixels` draws, each generated with probability `fraction`, is within
/// five standard deviations of the binomial's mean (a false alarm about once in 1.7 million).
bool binomiallyPlausible(double generated, double pixels, double fraction)
{
    const double spread = std::sqrt(pixels * fraction * (1 - fraction));
    return std::abs(generated - pixels * fraction) <= 5 * spread;
}

/// E(x) = 1/2 (x - m)^T P (x - m) over the flattened pixels: a correlated Gaussian, whose
/// conditional given some pixels k has precision P_uu and mean m_u - P_uu^-1 P_uk (k - m_k).
class CorrelatedGaussianImpl : public EnergyNetImpl {
public:
    CorrelatedGaussianImpl(const torch::Tensor& precision, const torch::Tensor& centre)
        : EnergyNetImpl(testing::pointConfig(static_cast<int>(precision.size(0))))
    {
        p = register_parameter("p", precision.to(torch::kFloat64));
        m = register_parameter("m", centre.to(torch::kFloat64));
    }
    torch::Tensor forward(const torch::Tensor& x) override
    {
        const torch::Tensor d = x.flatten(1) - m.to(x.dtype());
        return 0.5 * (d.matmul(p.to(x.dtype())) * d).sum(1);
    }
    torch::Tensor p, m;
};

/// A chain held at T = 1 for `steps` steps, without the final jump.
SamplerConfig heldAtOne(int steps, double stepSize, Sampler sampler)
{
    SamplerConfig config;
    config.schedule = Schedule(std::vector<double>(steps, 1.0));
    config.stepSize = stepSize;
    config.finalDenoise = false;
    config.sampler = sampler;
    config.seed = 3;
    return config;
}

}  // namespace

class TestInpainting : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void presetsGenerateTheNamedPart()
    {
        const torch::Tensor right = presetMask("right", 8);
        QCOMPARE(right.sizes(), (torch::IntArrayRef{1, 1, 8, 8}));
        QCOMPARE(right.sum().item<double>(), 32.0);
        QCOMPARE(right[0][0][3][3].item<float>(), 0.0f);
        QCOMPARE(right[0][0][3][4].item<float>(), 1.0f);
        QVERIFY(torch::equal(presetMask("left", 8), 1 - right));
        QVERIFY(torch::equal(presetMask("top", 8) + presetMask("bottom", 8), torch::ones({1, 1, 8, 8})));
        const torch::Tensor centre = presetMask("centre", 8);
        QCOMPARE(centre.sum().item<double>(), 16.0);  // rows and columns 2..5
        QCOMPARE(centre[0][0][2][2].item<float>(), 1.0f);
        QCOMPARE(centre[0][0][1][2].item<float>(), 0.0f);
        QVERIFY(torch::equal(presetMask("center", 8), centre));
        // random:FRACTION: each pixel generated with that probability; the same seed, the same mask.
        const torch::Tensor random = presetMask("random:0.25", 64, 3);
        QVERIFY(binomiallyPlausible(random.sum().item<double>(), 64 * 64, 0.25));
        QVERIFY(torch::equal(random, presetMask("random:0.25", 64, 3)));
        QVERIFY(!torch::equal(random, presetMask("random:0.25", 64, 4)));
        QVERIFY(torch::equal(random, random.round()));  // only 0 and 1
        for (const char* bad : {"random:abc", "random:1.5", "random:", "diagonal"})
            QVERIFY_THROWS_EXCEPTION(Error, presetMask(bad, 8));
        QVERIFY(isPresetMask("random:0.1") && isPresetMask("centre") && !isPresetMask("mask.png"));
    }

    void presetTensorsHoldThePresetPixels()
    {
        // presetMask is presetMaskPixels as a [1, 1, S, S] float tensor, row-major.
        for (const std::string spec : {"left", "right", "top", "bottom", "centre", "random:0.3", "random:1"}) {
            const std::vector<uint8_t> pixels = presetMaskPixels(spec, 12, 7);
            const torch::Tensor mask = presetMask(spec, 12, 7);
            QCOMPARE(pixels.size(), size_t(12 * 12));
            QVERIFY(mask.dtype() == torch::kFloat32);
            QCOMPARE(mask.sizes(), (torch::IntArrayRef{1, 1, 12, 12}));
            for (int y = 0; y < 12; ++y)
                for (int x = 0; x < 12; ++x)
                    QCOMPARE(mask[0][0][y][x].item<float>(), float(pixels[y * 12 + x]));
        }
        QCOMPARE(presetMaskPixels("right", 4)[1], uint8_t(0));  // row 0, column 1: the left half
        QCOMPARE(presetMaskPixels("bottom", 4)[8], uint8_t(1));  // row 2, column 0
        // The fraction is a probability at every value, exactly so at 0 and 1.
        for (double fraction : {0.0, 0.1, 0.5, 0.9, 1.0}) {
            const std::vector<uint8_t> pixels = presetMaskPixels("random:" + std::to_string(fraction), 100, 11);
            double generated = 0;
            for (uint8_t pixel : pixels)
                generated += pixel;
            QVERIFY2(binomiallyPlausible(generated, 100 * 100, fraction), qPrintable(QString::number(fraction)));
        }
        QCOMPARE(presetMaskPixels("random:0", 9, 2), std::vector<uint8_t>(81, 0));
        QCOMPARE(presetMaskPixels("random:1", 9, 2), std::vector<uint8_t>(81, 1));
        QVERIFY(presetMaskPixels("random:0.5", 32, 1) != presetMaskPixels("random:0.5", 32, 2));
        QVERIFY_THROWS_EXCEPTION(Error, presetMaskPixels("centre", 0));
        QVERIFY_THROWS_EXCEPTION(Error, presetMaskPixels("random:0.5x", 8));
    }

    void maskPicturesRoundTripAndScaleWithNearestNeighbours()
    {
        QTemporaryDir dir;
        const std::string path = QDir(dir.path()).filePath(QStringLiteral("mask.png")).toStdString();
        const torch::Tensor mask = presetMask("random:0.5", 16, 5);
        writeMask(path, mask);
        std::string note;
        QVERIFY(torch::equal(readMask(path, 16, &note), mask));
        QVERIFY(note.empty());
        // 16x16 read as 8x8: every other pixel, no grey, and the person is told.
        const torch::Tensor half = readMask(path, 8, &note);
        QVERIFY(torch::equal(half, mask.index({torch::indexing::Slice(), torch::indexing::Slice(),
                                               torch::indexing::Slice(0, 16, 2), torch::indexing::Slice(0, 16, 2)})));
        QVERIFY(QString::fromStdString(note).contains(QLatin1String("nearest")));
        // A grey picture: >= 128 of 255 generates.
        const std::string grey = QDir(dir.path()).filePath(QStringLiteral("grey.png")).toStdString();
        torch::Tensor levels = torch::tensor({127.0f / 255, 128.0f / 255}).reshape({1, 1, 2});
        writeImage(grey, levels);
        const torch::Tensor read = readMask(grey, 2);
        QCOMPARE(read.sizes(), (torch::IntArrayRef{1, 1, 2, 2}));  // 1x2 stretched to 2x2
        QCOMPARE(read[0][0][0][0].item<float>(), 0.0f);
        QCOMPARE(read[0][0][0][1].item<float>(), 1.0f);
        try {
            readMask(QDir(dir.path()).filePath(QStringLiteral("missing.png")).toStdString(), 8);
            QFAIL("a missing mask file was read");
        } catch (const Error& e) {
            QVERIFY(QString::fromUtf8(e.what()).contains(QLatin1String("missing.png")));
        }
    }

    void masksThatGenerateNothingAreRefused()
    {
        QTemporaryDir dir;
        auto refusal = [](const std::string& path, int size) {
            try {
                readMask(path, size);
            } catch (const Error& e) {
                return QString::fromUtf8(e.what());
            }
            return QString();
        };
        // All black, and pure red (dark gray as a mask): completions equal to the input, exit 0.
        const std::string black = QDir(dir.path()).filePath(QStringLiteral("black.png")).toStdString();
        writeImage(black, torch::zeros({1, 8, 8}));
        QCOMPARE(refusal(black, 8), QString::fromStdString(black + ": has no white pixels, so nothing would be "
                                                                   "generated; white marks the pixels to generate"));
        const std::string red = QDir(dir.path()).filePath(QStringLiteral("red.png")).toStdString();
        torch::Tensor redPixels = torch::zeros({3, 8, 8});
        redPixels[0] = 1;
        writeImage(red, redPixels);
        QVERIFY(refusal(red, 8).startsWith(QString::fromStdString(red + ": has no white pixels")));
        // One white pixel that nearest neighbours drop when 16x16 becomes 8x8 (odd rows and columns go).
        const std::string speck = QDir(dir.path()).filePath(QStringLiteral("speck.png")).toStdString();
        torch::Tensor speckPixels = torch::zeros({1, 16, 16});
        speckPixels[0][5][5] = 1;
        writeImage(speck, speckPixels);
        QVERIFY(refusal(speck, 16).isEmpty());
        const QString lost = refusal(speck, 8);
        QVERIFY2(lost.startsWith(QString::fromStdString(speck + ": its white pixels are lost when the 16x16 mask is "
                                                                "scaled to 8x8")),
                 qPrintable(lost));
    }

    void maskedErrorCountsOnlyTheGeneratedPixels()
    {
        const torch::Tensor truth = torch::zeros({1, 1, 2, 2});
        torch::Tensor completions = torch::zeros({2, 1, 2, 2});
        completions[0][0][0][1] = 0.5;   // generated pixel: error 0.25
        completions[0][0][1][0] = 1.0;   // known pixel: not counted
        completions[1][0][0][1] = 0.1;
        torch::Tensor mask = torch::zeros({1, 1, 2, 2});
        mask[0][0][0][1] = 1;
        mask[0][0][1][1] = 1;
        const torch::Tensor mse = maskedMse(completions, truth, mask);
        // Two generated pixels each: (0.25 + 0) / 2 and (0.01 + 0) / 2.
        QCOMPARE(mse[0].item<double>(), 0.125);
        QVERIFY(std::abs(mse[1].item<double>() - 0.005) < 1e-7);
        QCOMPARE(maskedMse(completions, truth, torch::zeros({1, 1, 2, 2}))[0].item<double>(), 0.0);
    }

    /// A feathered mask: weight 1 on the generated pixels, a Gaussian fall-off over `radius`
    /// pixels outside them, exactly 0 farther; radius 0 is the mask itself.
    void featheringSoftensOnlyTheEdge()
    {
        const torch::Tensor right = presetMask("right", 8);  // columns 4..7 generated
        QVERIFY(featherMask(right, 0).is_same(right));
        const torch::Tensor soft = featherMask(right, 2);
        QCOMPARE(soft.sizes(), right.sizes());
        for (int y = 0; y < 8; ++y) {
            for (int x = 4; x < 8; ++x)
                QVERIFY(soft[0][0][y][x].item<float>() == 1.0f);
            const float next = soft[0][0][y][3].item<float>(), second = soft[0][0][y][2].item<float>();
            QVERIFY2(next < 1 && next > second && second > 0, qPrintable(QString("%1 %2").arg(next).arg(second)));
            QVERIFY(soft[0][0][y][1].item<float>() == 0.0f && soft[0][0][y][0].item<float>() == 0.0f);
        }
        QVERIFY_THROWS_EXCEPTION(Error, featherMask(right, -1));
        QVERIFY_THROWS_EXCEPTION(Error, featherMask(right, std::nan("")));
    }

    /// An inpainting run with soft weights blends the edge and keeps the pixels beyond it exactly;
    /// radius 0 is the hard clamp; soft weights without a generated pixel are refused.
    void aFeatheredRunBlendsTheEdgeAndKeepsTheRest()
    {
        testing::QuadraticEnergyImpl energy(64, 10.0, 0.5);
        torch::manual_seed(5);
        const torch::Tensor images = torch::rand({2, 1, 8, 8});
        SamplerConfig config;
        config.schedule = Schedule::quick(60, 10.0);
        config.stepSize = 0.2;
        config.sigma0 = 0.1;
        const torch::Tensor right = presetMask("right", 8);
        const torch::Tensor hard = inpaint(energy, config, images, right).samples;
        QVERIFY(torch::equal(inpaint(energy, config, images, featherMask(right, 0)).samples, hard));
        const torch::Tensor soft = inpaint(energy, config, images, featherMask(right, 2)).samples;
        using torch::indexing::Slice;
        const auto columns = [](const torch::Tensor& t, int from, int to) {
            return t.index({Slice(), Slice(), Slice(), Slice(from, to)});
        };
        QVERIFY(torch::equal(columns(soft, 0, 2), columns(images, 0, 2)));   // beyond the feather: exact
        QVERIFY(torch::equal(columns(hard, 0, 4), columns(images, 0, 4)));   // the hard clamp keeps all four
        QVERIFY(!torch::equal(columns(soft, 3, 4), columns(images, 3, 4)));  // the edge is blended
        QVERIFY_THROWS_EXCEPTION(Error, inpaint(energy, config, images, right * 0.5));
        QVERIFY_THROWS_EXCEPTION(Error, inpaint(energy, config, images, right * 2));
    }

    /// MALA inpainting keeps the known pixels exactly, in every frame and in the result, and
    /// records each step's acceptance (in [0, 1], the frames' the result's) and each chain's.
    void malaInpaintingKeepsKnownPixelsAndRecordsAcceptance()
    {
        testing::QuadraticEnergyImpl energy(16, 10.0, 0.5);
        torch::manual_seed(7);
        const torch::Tensor images = torch::rand({3, 1, 4, 4});
        const torch::Tensor mask = presetMask("right", 4);
        const torch::Tensor known = (1 - mask).expand_as(images).to(torch::kBool);
        SamplerConfig config;
        config.schedule = Schedule::quick(60, 10.0);
        config.stepSize = 0.3;  // large enough that some steps are refused
        config.sigma0 = 0.1;
        config.reportEvery = 1;
        config.sampler = Sampler::Mala;
        for (bool referenceNoise : {false, true}) {
            config.referenceInpaintNoise = referenceNoise;
            bool everyFrameKeeps = true;
            std::vector<double> frameRates;
            double observedMismatch = 0.0;
            config.onStep = [&](const StepObservation& seen) {
                // The observed energies are the observed state's own (its known pixels noisy).
                torch::NoGradGuard noGrad;
                const torch::Tensor own = energy.forward(seen.state).flatten();
                const double mismatch = (own - seen.energies.flatten()).abs().max().item<double>();
                observedMismatch = std::max(observedMismatch, mismatch);
            };
            const SampleResult r = inpaint(energy, config, images, mask, [&](const SampleFrame& f) {
                everyFrameKeeps =
                    everyFrameKeeps && torch::equal(f.state.masked_select(known), images.masked_select(known));
                if (!f.final)
                    frameRates.push_back(f.acceptance);
                return true;
            });
            QVERIFY(everyFrameKeeps);
            QVERIFY(torch::equal(r.samples.masked_select(known), images.masked_select(known)));
            QVERIFY2(observedMismatch < 1e-5, qPrintable(QString::number(observedMismatch)));
            QCOMPARE(int(r.acceptanceRates.size()), 60);
            QCOMPARE(frameRates, r.acceptanceRates);
            for (double rate : r.acceptanceRates)
                QVERIFY2(rate >= 0.0 && rate <= 1.0, qPrintable(QString::number(rate)));
            QCOMPARE(r.chainAcceptance.size(0), int64_t(3));
            QVERIFY(r.chainAcceptance.min().item<double>() >= 0.0 && r.chainAcceptance.max().item<double>() <= 1.0);
            QVERIFY(std::abs(r.chainAcceptance.mean().item<double>() - r.meanAcceptance) < 1e-5);
            const double meanRate =
                std::accumulate(r.acceptanceRates.begin(), r.acceptanceRates.end(), 0.0) / r.acceptanceRates.size();
            QVERIFY(std::abs(meanRate - r.meanAcceptance) < 1e-12);
            QVERIFY2(r.meanAcceptance > 0.0 && r.meanAcceptance < 1.0, qPrintable(QString::number(r.meanAcceptance)));
            // Free pixels still relax towards the energy's centre (0.5).
            const torch::Tensor freePixels = r.samples.masked_select(known.logical_not());
            QVERIFY((freePixels - 0.5).abs().mean().item<double>() < 0.2);
        }
        // Plain Langevin records no acceptance, as unconditional sampling does.
        config.sampler = Sampler::Langevin;
        config.onStep = {};
        const SampleResult plain = inpaint(energy, config, images, mask);
        QVERIFY(plain.acceptanceRates.empty() && !plain.chainAcceptance.defined());
        QCOMPARE(plain.meanAcceptance, 1.0);
    }

    /// A tiny step is almost always accepted, a huge one mostly refused (at T = 1, where float32
    /// rounding of the energies cannot decide).
    void malaInpaintingAcceptanceFallsWithTheStepSize()
    {
        testing::QuadraticEnergyImpl energy(16, 10.0, 0.5);
        torch::manual_seed(8);
        const torch::Tensor images = torch::rand({200, 1, 4, 4});
        const torch::Tensor mask = presetMask("centre", 4);
        const SampleResult tiny = inpaint(energy, heldAtOne(40, 0.01, Sampler::Mala), images, mask);
        const SampleResult huge = inpaint(energy, heldAtOne(40, 1.0, Sampler::Mala), images, mask);
        QVERIFY2(tiny.meanAcceptance > 0.98, qPrintable(QString::number(tiny.meanAcceptance)));
        QVERIFY2(huge.meanAcceptance < 0.5, qPrintable(QString::number(huge.meanAcceptance)));
        QCOMPARE(int(huge.acceptanceRates.size()), 40);
    }

    /// MALA's proposal is Langevin inpainting's step, with the same noise: on a flat energy every
    /// ratio is 1, so MALA retraces Langevin inpainting bit for bit, hard mask or feathered.
    void malaInpaintingProposesLangevinsStep()
    {
        testing::QuadraticEnergyImpl flat(64, 0.0);
        torch::manual_seed(9);
        const torch::Tensor images = torch::rand({2, 1, 8, 8});
        SamplerConfig config;
        config.schedule = Schedule::quick(30, 10.0);
        config.stepSize = 0.2;
        config.sigma0 = 0.1;
        config.seed = 12;
        for (const torch::Tensor& mask : {presetMask("right", 8), featherMask(presetMask("right", 8), 2)}) {
            config.sampler = Sampler::Langevin;
            const SampleResult langevin = inpaint(flat, config, images, mask);
            config.sampler = Sampler::Mala;
            const SampleResult mala = inpaint(flat, config, images, mask);
            QCOMPARE(mala.meanAcceptance, 1.0);
            QVERIFY(torch::equal(mala.lastState, langevin.lastState));
            QVERIFY(torch::equal(mala.samples, langevin.samples));
        }
    }

    /// At T = 1 and a large step, MALA inpainting samples the conditional of a correlated
    /// Gaussian given the known pixels (its mean and covariance in closed form), where plain
    /// Langevin inpainting at that step inflates the covariance.
    void malaInpaintingSamplesTheConditionalWhereLangevinIsBiased()
    {
        // Pixels of a 2x2 image in row-major order; the right column (1 and 3) is generated.
        const torch::Tensor precision = torch::tensor({{3.0, -1.0, 0.5, 0.3},
                                                       {-1.0, 4.0, 0.5, 1.0},
                                                       {0.5, 0.5, 3.0, -1.2},
                                                       {0.3, 1.0, -1.2, 4.0}},
                                                      torch::kFloat64);
        const torch::Tensor centre = torch::full({4}, 0.5, torch::kFloat64);
        CorrelatedGaussianImpl energy(precision, centre);
        const torch::Tensor unknown = torch::tensor({1, 3}, torch::kLong);
        const torch::Tensor knownIndex = torch::tensor({0, 2}, torch::kLong);
        const torch::Tensor knownValues = torch::tensor({0.2, 0.9}, torch::kFloat64);
        const torch::Tensor pUU = precision.index({unknown}).index({torch::indexing::Slice(), unknown});
        const torch::Tensor pUK = precision.index({unknown}).index({torch::indexing::Slice(), knownIndex});
        const torch::Tensor covariance = torch::linalg::inv(pUU);  // 1/15 [[4, -1], [-1, 4]]
        const torch::Tensor mean = centre.index({unknown}) - covariance.matmul(pUK.matmul(knownValues - 0.5));

        constexpr int64_t kChains = 6000;
        torch::Tensor image = torch::zeros({1, 1, 2, 2});
        image[0][0][0][0] = 0.2;
        image[0][0][1][0] = 0.9;
        const torch::Tensor images = image.expand({kChains, 1, 2, 2}).contiguous();
        torch::Tensor mask = torch::zeros({1, 1, 2, 2});
        mask[0][0][0][1] = 1;
        mask[0][0][1][1] = 1;
        // eps^2/2 times P_uu's eigenvalues (3 and 5) is 0.375 and 0.625: Langevin's chain settles
        // with variances 1/(1 - 0.19) and 1/(1 - 0.31) times too large along them (+31% on each
        // pixel's). sigma0 nearly 0 keeps the known pixels' noise out of the target.
        auto sampled = [&](Sampler sampler) {
            SamplerConfig config = heldAtOne(150, 0.5, sampler);
            config.sigma0 = 1e-6;
            config.reportEvery = 150;
            const SampleResult r = inpaint(energy, config, images, mask);
            return std::make_pair(r.samples.flatten(1).index({torch::indexing::Slice(), unknown}).to(torch::kFloat64),
                                  r.meanAcceptance);
        };
        auto covarianceOf = [](const torch::Tensor& draws) {
            const torch::Tensor centred = draws - draws.mean(0);
            return centred.t().matmul(centred) / (draws.size(0) - 1);
        };
        const auto [mala, acceptance] = sampled(Sampler::Mala);
        const torch::Tensor plain = sampled(Sampler::Langevin).first;
        const double meanError = (mala.mean(0) - mean).abs().max().item<double>();
        const double covarianceError = (covarianceOf(mala) - covariance).abs().max().item<double>();
        const double plainExcess = (covarianceOf(plain).diagonal() / covariance.diagonal()).min().item<double>();
        qInfo("conditional variance %.4f: mala %.4f, langevin %.4f (acceptance %.3f)",
              covariance[0][0].item<double>(), covarianceOf(mala)[0][0].item<double>(),
              covarianceOf(plain)[0][0].item<double>(), acceptance);
        QVERIFY2(meanError < 0.03, qPrintable(QString("mala mean off by %1").arg(meanError)));
        QVERIFY2(covarianceError < 0.02, qPrintable(QString("mala covariance off by %1").arg(covarianceError)));
        QVERIFY2(plainExcess > 1.15, qPrintable(QString("langevin variance ratio %1").arg(plainExcess)));
        QVERIFY2(acceptance > 0.5 && acceptance < 0.98, qPrintable(QString::number(acceptance)));
        // Langevin's mean is right for a Gaussian (its drift is linear): the bias is the spread.
        QVERIFY((plain.mean(0) - mean).abs().max().item<double>() < 0.03);
    }
};

QTEST_APPLESS_MAIN(TestInpainting)
#include "test_inpainting.moc"
