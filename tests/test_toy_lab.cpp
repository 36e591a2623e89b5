// The 2D teaching demos' engine: the fast MLP's energies, scores and MDSM gradients against
// autograd; multiscale MDSM against a single small sigma on the weighted eight Gaussians (the
// paper's section 2 in two dimensions); the sample-quality measures on known answers; the
// particle sampler's timeline; and measure concentration.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>

#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"
#include "ebm/train/mdsm.h"
#include "ebm/toy/toy_lab.h"
#include "test_support.h"

using namespace ebm;
using namespace ebm::toy;

namespace {

double relativeDifference(const torch::Tensor& value, const torch::Tensor& reference)
{
    return (value - reference).norm().item<double>() / std::max(reference.norm().item<double>(), 1e-30);
}

constexpr int64_t kDataPoints = 4000;
constexpr int kTrainSteps = 600;
constexpr int64_t kParticles = 1000;
constexpr double kModeRadius = 0.5;     // a quarter of the circle's radius: the modes are 1.5 apart
constexpr double kStartExtent = 3.0;

struct Outcome {
    ModeMatch modes;
    double mmd = 0.0;
};

/// Trains an MLP energy on the weighted eight Gaussians with `noise`, anneals particles under it
/// and measures them against the mixture.
Outcome trainAndSample(const NoiseConfig& noise, EnergyNet* trained = nullptr)
{
    const GaussianMixture mixture = GaussianMixture::weightedEightGaussians();
    const Dataset data = mixture.sample(kDataPoints, 7);
    ToyTrainConfig config;
    config.model = ModelConfig::mlp(2, 64, 3);   // smaller than the page's 3x128: the suite runs on two cores
    config.noise = noise;
    config.seed = 3;
    ToyTrainer trainer(config, data.data);
    for (int i = 0; i < kTrainSteps; ++i)
        trainer.step();
    ParticleConfig particles;
    particles.sigma0 = noise.sigma0;
    const torch::Tensor samples =
        annealParticles(trainer.net(), defaultToySchedule(), kParticles, kStartExtent, particles);
    if (trained)
        *trained = trainer.net();
    Outcome outcome;
    outcome.modes = matchModes(samples, mixture.meansTensor(), mixture.normalisedWeights(), kModeRadius);
    outcome.mmd = sampleMmd(samples, mixture.sample(kParticles, 11).data);
    return outcome;
}

}  // namespace

class TestToyLab : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // One thread, as the Learn page's jobs run: these small products only lose from more, and the
    // seeded runs below then follow the same arithmetic on every machine.
    void initTestCase() { ebm::configureThreads(1); }

    void fastEnergiesAndScoresEqualAutograd()
    {
        for (HeadKind head : {HeadKind::Quadratic, HeadKind::Linear}) {
            EnergyNet net = testing::seededPointMlp(32, head, 2);
            FastMlp fast(net);
            const torch::Tensor x = torch::randn({37, 2}) * 2.0;
            torch::Tensor energy;
            const torch::Tensor grad = fast.energyAndGrad(x, &energy).clone();
            const EnergyAndGrad reference = energyAndGradWithGraph(*net, x, InputGradientMethod::Autograd);
            QVERIFY(relativeDifference(grad, reference.grad.detach()) < 1e-5);
            QVERIFY(relativeDifference(energy, reference.energy.detach()) < 1e-5);
            // The model's own hand-written pass (what the image trainer's MDSM uses) agrees too.
            const EnergyAndGrad explicitPass = energyAndGradWithGraph(*net, x, InputGradientMethod::Explicit);
            QVERIFY(relativeDifference(explicitPass.grad.detach(), reference.grad.detach()) < 1e-5);
        }
    }

    void handWrittenMdsmGradientEqualsDoubleBackprop()
    {
        for (HeadKind head : {HeadKind::Quadratic, HeadKind::Linear}) {
            EnergyNet net = testing::seededPointMlp(24, head, 4);
            FastMlp fast(net);
            const torch::Tensor x = torch::randn({19, 2}) * 2.0;
            const torch::Tensor noise = torch::randn({19, 2});
            const NoiseConfig sigmas = ToyTrainConfig::defaultToyNoise();
            const double normalised = fast.mdsmLossAndGradients(x, noise, batchSigmas(sigmas, 19), sigmas.sigma0);

            net->zero_grad();
            MdsmLoss reference = mdsmLoss(*net, x, noise, sigmas, InputGradientMethod::Autograd);
            reference.loss.backward();
            QVERIFY(std::abs(normalised - reference.normalised) <= 1e-5 * std::abs(reference.normalised));
            const auto parameters = net->parameters();
            for (size_t i = 0; i < parameters.size(); ++i) {
                const torch::Tensor expected =
                    parameters[i].grad().defined() ? parameters[i].grad() : torch::zeros_like(parameters[i]);
                QVERIFY2(relativeDifference(fast.gradients()[i], expected) < 1e-4 ||
                             (fast.gradients()[i] - expected).abs().max().item<double>() < 1e-6,
                         qPrintable(QString("parameter %1").arg(i)));
            }
        }
    }

    void multiscaleMatchesTheModeWeightsThatOneSigmaFlattens()
    {
        EnergyNet multiscaleNet;
        const Outcome multiscale = trainAndSample(ToyTrainConfig::defaultToyNoise(), &multiscaleNet);
        const Outcome single = trainAndSample(NoiseConfig::singleSigma(0.1, 0.1));
        qInfo("MDSM: %d modes, weight TV %.3f, MMD %.3f, unassigned %.3f; single sigma: %d modes, TV %.3f, MMD %.3f, "
              "unassigned %.3f",
              multiscale.modes.modesCovered, multiscale.modes.weightTv, multiscale.mmd,
              multiscale.modes.unassignedFraction, single.modes.modesCovered, single.modes.weightTv, single.mmd,
              single.modes.unassignedFraction);
        QCOMPARE(multiscale.modes.modesCovered, 8);
        constexpr double kMargin = 0.05;
        QVERIFY(multiscale.modes.weightTv + kMargin < single.modes.weightTv);
        QVERIFY(multiscale.modes.unassignedFraction < 0.15);   // annealed into the modes, not left between them

        // A trained score field is not the untrained one: the landscape refresh shows training.
        torch::manual_seed(3);
        EnergyNet untrained = makeEnergyNet(ModelConfig::mlp(2, 64, 3));
        LandscapeGrid grid;
        grid.resolution = 24;
        FastMlp trainedFast(multiscaleNet), untrainedFast(untrained);
        const Landscape before = computeLandscape(untrainedFast, grid);
        const Landscape after = computeLandscape(trainedFast, grid);
        QCOMPARE(after.energies.sizes(), (torch::IntArrayRef{24, 24}));
        QCOMPARE(after.scores.sizes(), (torch::IntArrayRef{24, 24, 2}));
        QVERIFY(relativeDifference(after.scores, before.scores) > 0.5);
        // And it points to the data: just outside the circle, the score points back inwards.
        const torch::Tensor outside = torch::tensor({{3.0f, 0.0f}, {0.0f, 3.0f}, {-3.0f, 0.0f}, {0.0f, -3.0f}});
        const torch::Tensor score = -trainedFast.energyAndGrad(outside).clone();
        QVERIFY(((score * outside).sum(1) < 0).all().item<bool>());
    }

    void modeMatchOnKnownAnswers()
    {
        const GaussianMixture mixture = GaussianMixture::weightedEightGaussians();
        const torch::Tensor means = mixture.meansTensor();
        const std::vector<double> weights = mixture.normalisedWeights();
        QCOMPARE(weights.size(), size_t(8));
        QVERIFY(std::abs(weights[7] - 8.0 / 36.0) < 1e-12);
        // The mixture's own samples: every mode, weights within sampling error.
        const ModeMatch own = matchModes(mixture.sample(20000, 5).data, means, weights, kModeRadius);
        QCOMPARE(own.modesCovered, 8);
        QVERIFY(own.weightTv < 0.02);
        QVERIFY(own.unassignedFraction < 1e-3);
        // Everything on the heaviest mode: one mode covered, TV = 1 - its weight.
        const ModeMatch collapsed = matchModes(means[7].view({1, 2}).repeat({100, 1}), means, weights, kModeRadius);
        QCOMPARE(collapsed.modesCovered, 1);
        QVERIFY(std::abs(collapsed.weightTv - (1.0 - 8.0 / 36.0)) < 1e-9);
        // Far away: nothing assigned.
        const ModeMatch far = matchModes(torch::full({10, 2}, 50.0f), means, weights, kModeRadius);
        QCOMPARE(far.modesCovered, 0);
        QCOMPARE(far.unassignedFraction, 1.0);
        QVERIFY_THROWS_EXCEPTION(Error, matchModes(means, means, {1.0, 2.0}, kModeRadius));
    }

    void mmdSeparatesDistributions()
    {
        const GaussianMixture mixture = GaussianMixture::weightedEightGaussians();
        const torch::Tensor a = mixture.sample(1000, 1).data, b = mixture.sample(1000, 2).data;
        const double same = sampleMmd(a, b);
        const double uniformWeights = sampleMmd(a, GaussianMixture::eightGaussians().sample(1000, 3).data);
        const double shifted = sampleMmd(a, b + 0.5);
        QVERIFY(same < uniformWeights);
        QVERIFY(uniformWeights < shifted);
        QCOMPARE(sampleMmd(a, a), 0.0);
    }

    void particleTimelineRewindsAndTakesDrops()
    {
        torch::manual_seed(1);
        EnergyNet net = makeEnergyNet(ModelConfig::mlp(2, 16, 2));
        ParticleSampler sampler(net, ParticleConfig{}, ParticleSampler::spreadStart(50, 3.0, 1));
        QVERIFY((sampler.positions().abs() <= 3.0).all().item<bool>());
        sampler.setSchedule(Schedule::quick(10));
        auto feed = std::make_shared<ScheduleFeed>();
        sampler.setScheduleFeed(feed);
        for (int i = 0; i < 4; ++i)
            QVERIFY(sampler.stepScheduled());
        QCOMPARE(sampler.snapshots().size(), size_t(5));
        const torch::Tensor atTwo = sampler.snapshots()[2].clone();
        sampler.rewindTo(2);
        QCOMPARE(sampler.stepsTaken(), 2);
        QVERIFY(torch::equal(sampler.positions(), atTwo));
        // An edited curve takes over the remaining steps: 6 long, 2 done, 4 left.
        feed->post(Schedule(std::vector<double>(6, 0.5)));
        int steps = 0;
        while (sampler.stepScheduled())
            ++steps;
        QCOMPARE(steps, 4);
        QCOMPARE(sampler.lastTemperature(), 0.5);
        sampler.addParticles(torch::zeros({3, 2}));
        QCOMPARE(sampler.positions().size(0), int64_t(53));
        sampler.step(0.0);
        QCOMPARE(sampler.snapshots().back().size(0), int64_t(53));
        QCOMPARE(sampler.snapshots().front().size(0), int64_t(50));
        QVERIFY_THROWS_EXCEPTION(Error, sampler.rewindTo(99));
        QVERIFY_THROWS_EXCEPTION(Error, sampler.step(-1.0));

        // Without history only the newest state is kept, however long it runs.
        ParticleConfig lean;
        lean.recordSnapshots = false;
        ParticleSampler endless(net, lean, ParticleSampler::spreadStart(50, 3.0, 1));
        for (int i = 0; i < 20; ++i)
            endless.step(1.0);
        QCOMPARE(endless.snapshots().size(), size_t(1));
        QVERIFY(torch::equal(endless.snapshots().front(), endless.positions()));
        QCOMPARE(endless.stepsTaken(), 20);
    }

    void concentrationAtSqrtDSigmaAndNinetyDegrees()
    {
        constexpr int kDimension = 1024;
        constexpr double kSigma = 0.3;
        const ConcentrationStats stats = concentration(kDimension, kSigma, 2000);
        QVERIFY(std::abs(stats.distance.mean - stats.expectedDistance()) < 0.02 * stats.expectedDistance());
        QVERIFY(std::abs(stats.angleDegrees.mean - 90.0) < 1.0);
        // Thin shell: the spread of the distances stays near sigma / sqrt(2), whatever d.
        QVERIFY(stats.distance.stddev < kSigma);
        double total = 0.0;
        for (double c : stats.distance.counts)
            total += c;
        QVERIFY(std::abs(total - 1.0) < 1e-9);
        // A spread of sigmas covers distances that one sigma never reaches.
        const double lo = 0.0, hi = 2.0 * std::sqrt(double(kDimension));
        const Histogram one = distanceHistogram(kDimension, {kSigma}, 500, 50, lo, hi);
        const Histogram spread = distanceHistogram(kDimension, {0.1, 0.3, 0.6, 1.0, 1.5}, 100, 50, lo, hi);
        auto occupied = [](const Histogram& h) {
            int bins = 0;
            for (double c : h.counts)
                bins += c > 0.0 ? 1 : 0;
            return bins;
        };
        QVERIFY(occupied(spread) > 3 * occupied(one));
        // Low dimensions do not concentrate: in 2D the angle is uniform, its mean 90 but wide.
        const ConcentrationStats plane = concentration(2, 1.0, 4000);
        QVERIFY(plane.angleDegrees.stddev > 40.0);
        QVERIFY(stats.angleDegrees.stddev < 3.0);
        QVERIFY_THROWS_EXCEPTION(Error, concentration(1000000, 1.0, 1000));
        QVERIFY_THROWS_EXCEPTION(Error, concentration(10, 0.0, 10));
    }

    void refusesBadSettingsInOneLine()
    {
        ToyTrainConfig config;
        const torch::Tensor points = torch::randn({10, 2});
        config.learningRate = 0.0;
        QVERIFY_THROWS_EXCEPTION(Error, ToyTrainer(config, points));
        config = ToyTrainConfig{};
        config.noise.sigmaMin = 3.0;
        config.noise.sigmaMax = 1.0;
        QVERIFY_THROWS_EXCEPTION(Error, ToyTrainer(config, points));
        QVERIFY_THROWS_EXCEPTION(Error, ToyTrainer(ToyTrainConfig{}, torch::zeros({0, 2})));
        QVERIFY_THROWS_EXCEPTION(Error, ToyTrainer(ToyTrainConfig{}, torch::zeros({5, 3})));
        QVERIFY_THROWS_EXCEPTION(Error, makeToyData("nonsense", 10));
        QCOMPARE(makeToyData("toy:moons", 10).size(), int64_t(10));
        QVERIFY_THROWS_EXCEPTION(Error, FastMlp(makeEnergyNet(ModelConfig{})));
        LandscapeGrid grid;
        grid.resolution = 1;
        torch::manual_seed(1);
        FastMlp fast(makeEnergyNet(ModelConfig::mlp(2, 8, 1)));
        QVERIFY_THROWS_EXCEPTION(Error, computeLandscape(fast, grid));
    }
};

QTEST_APPLESS_MAIN(TestToyLab)
#include "test_toy_lab.moc"
