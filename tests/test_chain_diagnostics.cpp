// Chain diagnostics (Vehtari et al. 2021): the normal quantile against known values, R-hat and
// bulk ESS on chains whose answer is known (independent draws, AR(1) chains, chains stuck in
// different modes or with different spreads), the autocorrelation against its definition, and
// every degenerate input answered with a number or one line, never a silent NaN.
#include <QtTest/QtTest>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "ebm/base/chain_diagnostics.h"
#include "ebm/base/error.h"
#include "error_support.h"

using namespace ebm;

namespace {

using testing::refusal;

ChainDraws normalChains(std::uint64_t seed, const std::vector<double>& means, const std::vector<double>& spreads,
                        int length)
{
    std::mt19937_64 random(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    ChainDraws draws(means.size());
    for (std::size_t m = 0; m < means.size(); ++m) {
        for (int i = 0; i < length; ++i)
            draws[m].push_back(means[m] + spreads[m] * normal(random));
    }
    return draws;
}

/// x_t = phi x_{t-1} + e_t, e_t standard normal, started from the stationary N(0, 1 / (1 - phi^2))
/// so no warm-up is needed.
ChainDraws autoregressiveChains(std::uint64_t seed, double phi, int chains, int length)
{
    std::mt19937_64 random(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    ChainDraws draws(static_cast<std::size_t>(chains));
    for (std::vector<double>& chain : draws) {
        double x = normal(random) / std::sqrt(1.0 - phi * phi);
        for (int t = 0; t < length; ++t) {
            x = phi * x + normal(random);
            chain.push_back(x);
        }
    }
    return draws;
}

QString show(double value) { return QString::number(value, 'g', 10); }

}  // namespace

class TestChainDiagnostics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void inverseNormalCdfMatchesKnownValues()
    {
        const struct { double p, x; } known[] = {
            {0.975, 1.959963984540054}, {0.5, 0.0},  {1e-10, -6.361340902404057},
            {0.025, -1.959963984540054}, {0.8413447460685429, 1.0}, {0.0013498980316301035, -3.0},
            {0.02425, -1.9729610513118845},  // the edge between Acklam's tail and central regions
            {1e-300, -37.0470962993612},
        };
        for (const auto& entry : known) {
            const double x = inverseNormalCdf(entry.p);
            QVERIFY2(std::abs(x - entry.x) < 1e-6, qPrintable(show(entry.p) + " -> " + show(x)));
        }
        QVERIFY(std::abs(inverseNormalCdf(0.5)) < 1e-15);
        // Symmetric, and monotone across the region edges.
        for (double p : {1e-6, 0.001, 0.02424, 0.02426, 0.1, 0.3, 0.49})
            QVERIFY2(std::abs(inverseNormalCdf(p) + inverseNormalCdf(1.0 - p)) < 1e-9, qPrintable(show(p)));
        QVERIFY(inverseNormalCdf(0.0242499) < inverseNormalCdf(0.02425));
        QVERIFY(inverseNormalCdf(0.02425) < inverseNormalCdf(0.0242501));
        // The limits are infinite; anything outside [0, 1] is refused.
        QVERIFY(inverseNormalCdf(0.0) == -std::numeric_limits<double>::infinity());
        QVERIFY(inverseNormalCdf(1.0) == std::numeric_limits<double>::infinity());
        // Below about 1e-300 the Halley step overflows and the approximation alone answers.
        QVERIFY2(std::abs(inverseNormalCdf(1e-320) + 38.26912534303265) < 1e-6,
                 qPrintable(show(inverseNormalCdf(1e-320))));
        for (double p : {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
            const QString why = refusal([p] { inverseNormalCdf(p); });
            QVERIFY2(why.startsWith(QStringLiteral("inverse normal CDF: p = ")) &&
                         why.endsWith(QStringLiteral(" is not a probability: give a value in [0, 1]")),
                     qPrintable(why));
        }
    }

    void splitAndRanksFollowThePaper()
    {
        // An odd length drops the middle draw.
        const ChainDraws halves = splitChains({{1, 2, 3, 4, 5}});
        QVERIFY(halves == (ChainDraws{{1, 2}, {4, 5}}));
        // Ranks over all chains; the three 2s share ranks 2, 3 and 4: 3.
        const ChainDraws z = rankNormalize({{2, 9, 1, 2}, {2, 5, 6, 7}});
        const double total = 8.0;
        auto expected = [&](double rank) { return inverseNormalCdf((rank - 0.375) / (total + 0.25)); };
        QCOMPARE(z[0][2], expected(1));
        QCOMPARE(z[0][0], expected(3));
        QCOMPARE(z[0][3], expected(3));
        QCOMPARE(z[1][0], expected(3));
        QCOMPARE(z[1][1], expected(5));
        QCOMPARE(z[1][3], expected(7));
        QCOMPARE(z[0][1], expected(8));
    }

    void independentNormalChainsMix()
    {
        const ChainDraws draws = normalChains(20210101, {0, 0, 0, 0}, {1, 1, 1, 1}, 1000);
        const double classic = splitRhat(draws), ranked = rankNormalizedSplitRhat(draws), ess = bulkEss(draws);
        QVERIFY2(classic > 0.99 && classic < 1.01, qPrintable(show(classic)));
        QVERIFY2(ranked > 0.99 && ranked < 1.01, qPrintable(show(ranked)));
        QVERIFY2(std::abs(ess / 4000.0 - 1.0) < 0.2, qPrintable(show(ess)));
        QVERIFY(mixingOf(ranked) == Mixing::Good);
        const ChainDiagnostics all = diagnoseChains(draws);
        QCOMPARE(all.splitRhat, classic);
        QCOMPARE(all.rankRhat, ranked);
        QCOMPARE(all.bulkEss, ess);
    }

    void autoregressiveChainsHaveTheirKnownEss()
    {
        // For AR(1) the integrated autocorrelation time is (1 + phi) / (1 - phi) = 19.
        const double phi = 0.9;
        const ChainDraws draws = autoregressiveChains(7, phi, 4, 5000);
        const double expected = 4 * 5000 * (1.0 - phi) / (1.0 + phi);
        const double ess = bulkEss(draws);
        QVERIFY2(std::abs(ess / expected - 1.0) < 0.25, qPrintable(show(ess) + " against " + show(expected)));
        const double rhat = rankNormalizedSplitRhat(draws);
        QVERIFY2(rhat < kRhatNotMixed, qPrintable(show(rhat)));
    }

    void autocorrelationOfAnAutoregressiveChain()
    {
        const std::vector<double> chain = autoregressiveChains(11, 0.9, 1, 5000).front();
        const std::vector<double> acf = autocorrelation(chain, 50);
        QCOMPARE(acf.size(), std::size_t(51));
        QCOMPARE(acf[0], 1.0);
        QVERIFY2(std::abs(acf[1] - 0.9) < 0.03, qPrintable(show(acf[1])));
        QVERIFY2(std::abs(acf[2] - 0.81) < 0.05, qPrintable(show(acf[2])));
        // The FFT route equals the definition's direct sum (1/N) sum (x_i - mean)(x_i+t - mean).
        double mean = 0.0;
        for (double x : chain)
            mean += x / static_cast<double>(chain.size());
        auto direct = [&](std::size_t lag) {
            double sum = 0.0;
            for (std::size_t i = 0; i + lag < chain.size(); ++i)
                sum += (chain[i] - mean) * (chain[i + lag] - mean);
            return sum / static_cast<double>(chain.size());
        };
        for (int lag : {1, 2, 7, 50}) {
            const auto at = static_cast<std::size_t>(lag);
            QVERIFY2(std::abs(acf[at] - direct(at) / direct(0)) < 1e-9, qPrintable(QString::number(lag)));
        }
        // The last lag there is: one product.
        const std::vector<double> full = autocorrelation({1, 2, 3, 4}, 3);
        QVERIFY2(std::abs(full[3] - (-1.5 * 1.5 / 4) / (5.0 / 4)) < 1e-12, qPrintable(show(full[3])));
    }

    void chainsInDifferentModesHaveNotMixed()
    {
        const ChainDraws draws = normalChains(3, {0, 0, 5, 5}, {1, 1, 1, 1}, 1000);
        const double classic = splitRhat(draws), ranked = rankNormalizedSplitRhat(draws);
        QVERIFY2(classic > 1.1, qPrintable(show(classic)));
        QVERIFY2(ranked > 1.1, qPrintable(show(ranked)));
        QVERIFY(mixingOf(ranked) == Mixing::NotMixed);
        const double ess = bulkEss(draws);
        QVERIFY2(ess > 0.0 && ess < 100.0, qPrintable(show(ess)));
    }

    void foldingSeesAChainWithADifferentSpread()
    {
        // The means agree, so the classic R-hat sees nothing; the folded draws |x - median| do.
        const ChainDraws draws = normalChains(5, {0, 0, 0, 0}, {1, 1, 1, 3}, 1000);
        const double classic = splitRhat(draws), ranked = rankNormalizedSplitRhat(draws);
        QVERIFY2(classic < kRhatGood, qPrintable(show(classic)));
        QVERIFY2(ranked > kRhatNotMixed, qPrintable(show(ranked)));
    }

    void oneChainIsComparedWithItself()
    {
        const ChainDraws steady = normalChains(13, {0}, {1}, 1000);
        const double rhat = rankNormalizedSplitRhat(steady), ess = bulkEss(steady);
        QVERIFY2(rhat > 0.98 && rhat < 1.02, qPrintable(show(rhat)));
        QVERIFY2(ess > 600.0 && ess < 1400.0, qPrintable(show(ess)));
        // A trend inside the one chain shows between its halves.
        std::vector<double> trend;
        for (int t = 0; t < 1000; ++t)
            trend.push_back(t / 1000.0);
        QVERIFY2(splitRhat({trend}) > 2.0, qPrintable(show(splitRhat({trend}))));
        QVERIFY(mixingOf(rankNormalizedSplitRhat({trend})) == Mixing::NotMixed);
    }

    void degenerateInputsAreAnsweredNeverNaN()
    {
        const std::vector<std::function<void(const ChainDraws&)>> diagnostics = {
            [](const ChainDraws& d) { splitRhat(d); }, [](const ChainDraws& d) { rankNormalizedSplitRhat(d); },
            [](const ChainDraws& d) { bulkEss(d); }, [](const ChainDraws& d) { diagnoseChains(d); }};
        auto refusedByAll = [&](const ChainDraws& draws, const QString& expected) {
            for (const auto& diagnostic : diagnostics) {
                const QString why = refusal([&] { diagnostic(draws); });
                QVERIFY2(why == expected, qPrintable(why));
            }
        };
        refusedByAll({}, QStringLiteral("chain diagnostics: no chains given: pass at least one chain of draws"));
        refusedByAll({{1, 2, 3, 4, 5}, {1, 2, 3}},
                     QStringLiteral("chain diagnostics: chain 2 has 3 draws but chain 1 has 5: give every chain the "
                                    "same number of draws"));
        refusedByAll({{1, 2, 3}, {4, 5, 6}},
                     QStringLiteral("chain diagnostics: each chain has 3 draws; split R-hat and ESS need at least 4 "
                                    "per chain: run the chains longer"));
        refusedByAll({{1, std::nan(""), 3, 4}},
                     QStringLiteral("chain diagnostics: draw 2 of chain 1 is nan, not a finite number: fix or drop "
                                    "that quantity"));
        refusedByAll({{2.5, 2.5, 2.5, 2.5}, {2.5, 2.5, 2.5, 2.5}},
                     QStringLiteral("chain diagnostics: every draw equals 2.5: R-hat and ESS are undefined for a "
                                    "quantity that never changes"));

        // Four draws per chain is enough: finite numbers.
        const ChainDiagnostics few = diagnoseChains({{1, 2, 3, 4}, {2, 1, 4, 3}});
        QVERIFY(std::isfinite(few.splitRhat) && std::isfinite(few.rankRhat));
        QVERIFY(std::isfinite(few.bulkEss) && few.bulkEss > 0.0);

        // Chains that each stay put, at different values: no within-chain variance, R-hat is
        // infinite and says "not mixed"; the ESS is still a small finite number.
        const ChainDraws stuck = {{0, 0, 0, 0}, {1, 1, 1, 1}};
        QVERIFY(splitRhat(stuck) == std::numeric_limits<double>::infinity());
        QVERIFY(rankNormalizedSplitRhat(stuck) == std::numeric_limits<double>::infinity());
        QVERIFY(mixingOf(splitRhat(stuck)) == Mixing::NotMixed);
        const double stuckEss = bulkEss(stuck);
        QVERIFY2(std::isfinite(stuckEss) && stuckEss > 0.0 && stuckEss < 4.0, qPrintable(show(stuckEss)));

        QVERIFY(mixingOf(1.0) == Mixing::Good);
        QVERIFY(mixingOf(1.03) == Mixing::Doubtful);
        QVERIFY(mixingOf(kRhatNotMixed) == Mixing::Doubtful);
        QVERIFY(mixingOf(1.06) == Mixing::NotMixed);
        QVERIFY(refusal([] { mixingOf(std::nan("")); }).startsWith(QStringLiteral("chain diagnostics: R-hat is NaN")));

        QCOMPARE(refusal([] { autocorrelation({3, 3, 3}, 1); }),
                 QStringLiteral("autocorrelation: every draw equals 3: a chain that never changes has no "
                                "autocorrelation"));
        QCOMPARE(refusal([] { autocorrelation({1, 2, 3}, 3); }),
                 QStringLiteral("autocorrelation: lag 3 is out of range for a chain of 3 draws: ask for lags 0 to 2"));
        QCOMPARE(refusal([] { autocorrelation({1, 2, 3}, -1); }),
                 QStringLiteral("autocorrelation: lag -1 is out of range for a chain of 3 draws: ask for lags 0 to 2"));
        QCOMPARE(refusal([] { autocorrelation({1}, 0); }),
                 QStringLiteral("autocorrelation: the chain has 1 draws: it needs at least 2"));
        QCOMPARE(refusal([] { autocorrelation({1, std::numeric_limits<double>::infinity()}, 0); }),
                 QStringLiteral("autocorrelation: draw 2 is inf, not a finite number: fix or drop that quantity"));
    }
};

QTEST_APPLESS_MAIN(TestChainDiagnostics)
#include "test_chain_diagnostics.moc"
