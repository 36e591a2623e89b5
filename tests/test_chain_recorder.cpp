// The chain recorder that `ebm sample --diagnostics` and the Sample page share (issue 25): the
// hold it picks (the longest, the latest of equals), the draws it keeps (the energies fed in,
// projections on fixed unit directions), a record a changed temperature disturbs, and a report
// whose verdicts follow Stan's thresholds.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "ebm/base/chain_diagnostics.h"
#include "ebm/base/error.h"
#include "error_support.h"
#include "ebm/sample/chain_recorder.h"
#include "ebm/sample/sampler.h"

using namespace ebm;

namespace {

using testing::refusal;

/// A step as the sampler reports it: `energies` one per chain, the state [N, 2, 2].
StepObservation observation(int step, double temperature, const std::vector<double>& energies,
                            torch::Tensor state = {})
{
    const auto chains = static_cast<int64_t>(energies.size());
    StepObservation o;
    o.step = step;
    o.temperature = temperature;
    o.energies = torch::tensor(energies, torch::kFloat64);
    o.state = state.defined() ? state : torch::zeros({chains, 2, 2});
    return o;
}

ChainDraws normalChains(std::uint64_t seed, const std::vector<double>& means, int length)
{
    std::mt19937_64 random(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    ChainDraws draws(means.size());
    for (std::size_t m = 0; m < means.size(); ++m)
        for (int i = 0; i < length; ++i)
            draws[m].push_back(means[m] + normal(random));
    return draws;
}

/// A recorder fed `draws` as the energies of steps 1..length at T = 1, every state zero.
ChainRecorder recorderOf(const ChainDraws& draws)
{
    const int length = static_cast<int>(draws.front().size());
    ChainRecorder recorder(ConstantSegment{1, length, 1.0});
    for (int t = 0; t < length; ++t) {
        std::vector<double> energies;
        for (const std::vector<double>& chain : draws)
            energies.push_back(chain[static_cast<std::size_t>(t)]);
        recorder.observe(observation(t + 1, 1.0, energies));
    }
    return recorder;
}

ChainDiagnostics figures(double rankRhat) { return ChainDiagnostics{1.0, rankRhat, 100.0}; }

}  // namespace

class TestChainRecorder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void longestHoldIsPickedLatestAmongEquals()
    {
        // Holds of 3 at T = 2 (steps 2-4) and T = 1 (steps 5-7): the later one, where the chains
        // have had longest to settle.
        const ConstantSegment equal = longestConstantSegment({3, 2, 2, 2, 1, 1, 1, 0});
        QCOMPARE(equal.firstStep, 5);
        QCOMPARE(equal.lastStep, 7);
        QCOMPARE(equal.steps(), 3);
        QCOMPARE(equal.temperature, 1.0);
        const ConstantSegment first = longestConstantSegment({5, 5, 5, 5, 4, 4, 3});
        QCOMPARE(first.firstStep, 1);
        QCOMPARE(first.lastStep, 4);
        QCOMPARE(first.temperature, 5.0);
        const ConstantSegment whole = longestConstantSegment(std::vector<double>(20, 0.5));
        QCOMPARE(whole.firstStep, 1);
        QCOMPARE(whole.lastStep, 20);
        // A cooling schedule holds each temperature one step: the last step.
        const ConstantSegment cooling = longestConstantSegment({4, 3, 2, 1});
        QCOMPARE(cooling.steps(), 1);
        QCOMPARE(cooling.firstStep, 4);
        QCOMPARE(longestConstantSegment({}).steps(), 0);
    }

    void holdsFromAStepOn()
    {
        const std::vector<double> t{1, 1, 1, 1, 2, 2, 2};
        // From step 3: steps 3-4 at T = 1 are shorter than steps 5-7 at T = 2.
        const ConstantSegment later = longestConstantSegment(t, 3);
        QCOMPARE(later.firstStep, 5);
        QCOMPARE(later.lastStep, 7);
        QCOMPARE(later.temperature, 2.0);
        // From step 2: 2-4 and 5-7 are equally long, the later wins.
        QCOMPARE(longestConstantSegment(t, 2).firstStep, 5);
        QCOMPARE(longestConstantSegment(t, 1).firstStep, 1);
        const ConstantSegment last = longestConstantSegment(t, 7);
        QCOMPARE(last.firstStep, 7);
        QCOMPARE(last.lastStep, 7);
        QCOMPARE(longestConstantSegment(t, 8).steps(), 0);
    }

    void recordSizeCountsEveryNumberKept()
    {
        QCOMPARE(chainRecordBytes(4, ConstantSegment{1, 16, 1.0}),
                 int64_t(4) * 16 * (1 + kProjectionCount) * int64_t(sizeof(double)));
        QVERIFY(kMinSegmentSteps >= kMinDrawsPerChain);  // a hold has the draws the figures need
    }

    void drawsAreTheEnergiesFedIn()
    {
        // Steps 3-6 at T = 0.5 among 8; energy 10 * step + chain.
        ChainRecorder recorder(ConstantSegment{3, 6, 0.5});
        QCOMPARE(recorder.chains(), int64_t(0));
        for (int step = 1; step <= 8; ++step) {
            const double temperature = step >= 3 && step <= 6 ? 0.5 : 2.0;
            recorder.observe(observation(step, temperature, {10.0 * step, 10.0 * step + 1, 10.0 * step + 2}));
            QCOMPARE(recorder.complete(), step >= 6);
        }
        QCOMPARE(recorder.recorded(), 4);
        QCOMPARE(recorder.chains(), int64_t(3));
        QVERIFY(!recorder.disturbed());
        const ChainDraws energies = recorder.draws(0);
        QCOMPARE(energies.size(), std::size_t(3));
        for (std::size_t chain = 0; chain < 3; ++chain) {
            std::vector<double> expected;
            for (int step = 3; step <= 6; ++step)
                expected.push_back(10.0 * step + static_cast<double>(chain));
            QCOMPARE(energies[chain], expected);
        }
        // Zero states project to zero on every direction.
        for (int p = 1; p <= kProjectionCount; ++p)
            for (const std::vector<double>& chain : recorder.draws(p))
                QCOMPARE(chain, std::vector<double>(4, 0.0));
    }

    void projectionsAreOnFixedUnitDirections()
    {
        // State k of the segment is the k-th unit vector of the 4 pixels: the draws of a
        // projection are its direction's components, whose squares sum to 1.
        auto record = [] {
            ChainRecorder recorder(ConstantSegment{1, 4, 1.0});
            for (int k = 0; k < 4; ++k) {
                torch::Tensor state = torch::zeros({2, 4}, torch::kFloat32);
                state.select(1, k).fill_(1.0);
                recorder.observe(observation(k + 1, 1.0, {0.0, 1.0}, state.view({2, 2, 2})));
            }
            return recorder;
        };
        const ChainRecorder recorder = record();
        QVERIFY(recorder.complete());
        for (int p = 1; p <= kProjectionCount; ++p) {
            const ChainDraws components = recorder.draws(p);
            QCOMPARE(components.size(), std::size_t(2));
            QCOMPARE(components[0], components[1]);  // both chains saw the same states
            double squares = 0.0;
            for (double c : components[0])
                squares += c * c;
            QVERIFY2(std::abs(squares - 1.0) < 1e-12, qPrintable(QString::number(squares, 'g', 17)));
        }
        // Not the run's seed: another record projects on the same directions.
        const ChainRecorder again = record();
        for (int p = 1; p <= kProjectionCount; ++p)
            QCOMPARE(again.draws(p), recorder.draws(p));
    }

    void anotherTemperatureInTheHoldDisturbsTheRecord()
    {
        ChainRecorder recorder(ConstantSegment{2, 9, 1.0});
        recorder.observe(observation(1, 3.0, {1.0, 2.0}));  // before the hold: ignored
        for (int step = 2; step <= 9; ++step)
            recorder.observe(observation(step, step == 5 ? 0.9 : 1.0, {1.0 * step, 2.0 * step}));
        QVERIFY(recorder.disturbed());
        QVERIFY(!recorder.complete());
        QCOMPARE(recorder.recorded(), 3);  // steps 2-4, nothing after the change
        QVERIFY(refusal([&] { chainReport(recorder); }).contains(QStringLiteral("changed temperature")));
        // A record the run stopped short of is refused as well.
        ChainRecorder stopped(ConstantSegment{1, 8, 1.0});
        for (int step = 1; step <= 5; ++step)
            stopped.observe(observation(step, 1.0, {1.0 * step, 2.0 * step}));
        QVERIFY(!stopped.complete());
        QVERIFY(!refusal([&] { chainReport(stopped); }).isEmpty());
    }

    void verdictsFollowStansThresholds()
    {
        QCOMPARE(verdictOf(figures(1.0)), std::string("good"));
        QCOMPARE(verdictOf(figures(std::nextafter(kRhatGood, 0.0))), std::string("good"));
        QCOMPARE(verdictOf(figures(kRhatGood)), std::string("doubtful"));
        QCOMPARE(verdictOf(figures(1.03)), std::string("doubtful"));
        QCOMPARE(verdictOf(figures(kRhatNotMixed)), std::string("doubtful"));
        QCOMPARE(verdictOf(figures(std::nextafter(kRhatNotMixed, 2.0))), std::string("not mixed"));
        QCOMPARE(verdictOf(figures(std::numeric_limits<double>::infinity())), std::string("not mixed"));
        QCOMPARE(verdictOf(figures(std::numeric_limits<double>::quiet_NaN())), std::string("undefined"));
    }

    void reportOfChainsThatMix()
    {
        // The draws test_chain_diagnostics finds mixed: independent normals, 4 chains of 1000.
        const ChainDraws draws = normalChains(20210101, {0, 0, 0, 0}, 1000);
        const ChainRecorder recorder = recorderOf(draws);
        QVERIFY(recorder.complete());
        QCOMPARE(recorder.draws(0), draws);
        const ChainReport report = chainReport(recorder);
        QCOMPARE(report.segment.firstStep, 1);
        QCOMPARE(report.segment.lastStep, 1000);
        QCOMPARE(report.chains, int64_t(4));
        QCOMPARE(report.quantities.size(), std::size_t(1 + kProjectionCount));
        const QuantityDiagnostics& energy = report.quantities.front();
        QCOMPARE(energy.name, std::string("energy"));
        QVERIFY(energy.figures.has_value());
        const ChainDiagnostics expected = diagnoseChains(draws);
        QCOMPARE(energy.figures->splitRhat, expected.splitRhat);
        QCOMPARE(energy.figures->rankRhat, expected.rankRhat);
        QCOMPARE(energy.figures->bulkEss, expected.bulkEss);
        QVERIFY2(energy.figures->rankRhat < kRhatGood, qPrintable(QString::number(energy.figures->rankRhat)));
        QCOMPARE(energy.verdict, std::string("good"));
        QVERIFY(energy.problem.empty());
        // The mean over the chains of each one's lag-1 autocorrelation: near 0 for independent draws.
        double sum = 0.0;
        for (const std::vector<double>& chain : draws)
            sum += autocorrelation(chain, 1)[1];
        QCOMPARE(report.energyLag1Autocorrelation, sum / 4);
        QVERIFY(std::abs(report.energyLag1Autocorrelation) < 0.1);
        // Zero states: every projection draw is 0, which no figure can be made of.
        for (int p = 1; p <= kProjectionCount; ++p) {
            const QuantityDiagnostics& projection = report.quantities[static_cast<std::size_t>(p)];
            QCOMPARE(projection.name, "projection " + std::to_string(p));
            QVERIFY(!projection.figures.has_value());
            QVERIFY(!projection.problem.empty());
            QVERIFY(projection.verdict.empty());
        }
    }

    void reportOfChainsInDifferentModes()
    {
        const ChainDraws draws = normalChains(3, {0, 0, 5, 5}, 1000);
        const ChainReport report = chainReport(recorderOf(draws));
        const QuantityDiagnostics& energy = report.quantities.front();
        QVERIFY(energy.figures.has_value());
        QVERIFY2(energy.figures->rankRhat > kRhatNotMixed, qPrintable(QString::number(energy.figures->rankRhat)));
        QCOMPARE(energy.verdict, std::string("not mixed"));
        QCOMPARE(energy.verdict, verdictOf(*energy.figures));
    }

    void diagnoseQuantityNamesItsProblem()
    {
        const QuantityDiagnostics constant = diagnoseQuantity("still", ChainDraws(2, std::vector<double>(8, 3.0)));
        QCOMPARE(constant.name, std::string("still"));
        QVERIFY(!constant.figures);
        QVERIFY(!constant.problem.empty());
        // Chains that never changed have no autocorrelation: NaN, not a number made up.
        QVERIFY(std::isnan(meanLag1Autocorrelation(ChainDraws(2, std::vector<double>(8, 3.0)))));
    }
};

QTEST_APPLESS_MAIN(TestChainRecorder)
#include "test_chain_recorder.moc"
