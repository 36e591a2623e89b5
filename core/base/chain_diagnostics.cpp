// Chain diagnostics written from the definitions in Vehtari, Gelman, Simpson, Carpenter and
// Buerkner (2021): split chains, rank normalization with the normal quantile of
// (r - 3/8) / (S + 1/4), folding about the median, R-hat from the between- and within-chain
// variances, and the ESS from the combined autocorrelation cut by Geyer's initial monotone
// sequence.
#include "ebm/base/chain_diagnostics.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

#include "ebm/base/error.h"

namespace ebm {
namespace {

std::string number(double value)
{
    std::ostringstream out;
    out.precision(17);
    out << value;
    return out.str();
}

/// Refuses what the diagnostics cannot work on; `draws` may still be constant.
void checkShape(const ChainDraws& draws)
{
    if (draws.empty())
        throw Error("chain diagnostics: no chains given: pass at least one chain of draws");
    const std::size_t length = draws.front().size();
    for (std::size_t m = 1; m < draws.size(); ++m) {
        if (draws[m].size() != length)
            throw Error("chain diagnostics: chain " + std::to_string(m + 1) + " has " +
                        std::to_string(draws[m].size()) + " draws but chain 1 has " + std::to_string(length) +
                        ": give every chain the same number of draws");
    }
    if (length < static_cast<std::size_t>(kMinDrawsPerChain))
        throw Error("chain diagnostics: each chain has " + std::to_string(length) +
                    " draws; split R-hat and ESS need at least " + std::to_string(kMinDrawsPerChain) +
                    " per chain: run the chains longer");
    for (std::size_t m = 0; m < draws.size(); ++m) {
        for (std::size_t i = 0; i < length; ++i) {
            if (!std::isfinite(draws[m][i]))
                throw Error("chain diagnostics: draw " + std::to_string(i + 1) + " of chain " + std::to_string(m + 1) +
                            " is " + number(draws[m][i]) + ", not a finite number: fix or drop that quantity");
        }
    }
}

/// checkShape, and refuses a quantity that never changes: its variances are all zero, so
/// R-hat is 0/0 and the ESS has no autocorrelation to measure.
void checkDiagnosable(const ChainDraws& draws)
{
    checkShape(draws);
    const double first = draws.front().front();
    for (const std::vector<double>& chain : draws) {
        for (double value : chain) {
            if (value != first)
                return;
        }
    }
    throw Error("chain diagnostics: every draw equals " + number(first) +
                ": R-hat and ESS are undefined for a quantity that never changes");
}

/// Mean shifted by the first value: exactly that value for a constant chain, so a constant
/// chain's centred draws and variance are exactly zero.
double meanOf(const std::vector<double>& values)
{
    const double shift = values.front();
    double sum = 0.0;
    for (double value : values)
        sum += value - shift;
    return shift + sum / static_cast<double>(values.size());
}

/// Sample variance (divided by count - 1) of the values, count >= 2.
double varianceOf(const std::vector<double>& values)
{
    const double mean = meanOf(values);
    double sum = 0.0;
    for (double value : values)
        sum += (value - mean) * (value - mean);
    return sum / static_cast<double>(values.size() - 1);
}

ChainDraws split(const ChainDraws& draws)
{
    const std::size_t length = draws.front().size(), half = length / 2;
    ChainDraws halves;
    halves.reserve(2 * draws.size());
    for (const std::vector<double>& chain : draws) {
        halves.emplace_back(chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(half));
        halves.emplace_back(chain.end() - static_cast<std::ptrdiff_t>(half), chain.end());
    }
    return halves;
}

ChainDraws rankNormalized(const ChainDraws& draws)
{
    std::vector<std::pair<double, std::pair<std::size_t, std::size_t>>> pooled;
    for (std::size_t m = 0; m < draws.size(); ++m) {
        for (std::size_t i = 0; i < draws[m].size(); ++i)
            pooled.push_back({draws[m][i], {m, i}});
    }
    std::sort(pooled.begin(), pooled.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    const double total = static_cast<double>(pooled.size());
    ChainDraws z = draws;
    for (std::size_t begin = 0; begin < pooled.size();) {
        std::size_t end = begin;  // the last of the draws tied with pooled[begin]
        while (end + 1 < pooled.size() && pooled[end + 1].first == pooled[begin].first)
            ++end;
        // Ranks count from 1; tied draws share the mean of the ranks they occupy.
        const double rank = 0.5 * static_cast<double>(begin + end) + 1.0;
        const double quantile = inverseNormalCdf((rank - 0.375) / (total + 0.25));
        for (std::size_t k = begin; k <= end; ++k)
            z[pooled[k].second.first][pooled[k].second.second] = quantile;
        begin = end + 1;
    }
    return z;
}

/// |x - median| with the median of all draws of all chains.
ChainDraws folded(const ChainDraws& draws)
{
    std::vector<double> pooled;
    for (const std::vector<double>& chain : draws)
        pooled.insert(pooled.end(), chain.begin(), chain.end());
    const std::size_t middle = pooled.size() / 2;
    const auto upperMiddle = pooled.begin() + static_cast<std::ptrdiff_t>(middle);
    std::nth_element(pooled.begin(), upperMiddle, pooled.end());
    double median = *upperMiddle;
    if (pooled.size() % 2 == 0)  // the mean of the two middle draws; the lower one is the largest before
        median = 0.5 * (median + *std::max_element(pooled.begin(), upperMiddle));
    ChainDraws distances = draws;
    for (std::vector<double>& chain : distances) {
        for (double& value : chain)
            value = std::abs(value - median);
    }
    return distances;
}

/// Variance of the chain means (divided by M - 1): B / N in the paper's notation. M >= 2.
double varianceOfMeans(const ChainDraws& chains)
{
    std::vector<double> means;
    for (const std::vector<double>& chain : chains)
        means.push_back(meanOf(chain));
    return varianceOf(means);
}

/// R-hat of chains of equal length N >= 2, M >= 2: sqrt(var+ / W) with W the mean within-chain
/// variance and var+ = (N - 1) / N W + B / N. W = 0 (every chain constant): 1 when the chains
/// also agree, +infinity when they sit at different values.
double rhatOf(const ChainDraws& chains)
{
    const double length = static_cast<double>(chains.front().size());
    double within = 0.0;
    for (const std::vector<double>& chain : chains)
        within += varianceOf(chain);
    within /= static_cast<double>(chains.size());
    const double betweenOverN = varianceOfMeans(chains);
    if (within == 0.0)
        return betweenOverN == 0.0 ? 1.0 : std::numeric_limits<double>::infinity();
    return std::sqrt(((length - 1.0) / length * within + betweenOverN) / within);
}

/// In-place radix-2 discrete Fourier transform (iterative Cooley-Tukey), size a power of two;
/// the inverse is not divided by the size.
void fourierTransform(std::vector<std::complex<double>>& values, bool inverse)
{
    const std::size_t size = values.size();
    // Bit-reversed order: j counts up with its bits reversed while i counts up.
    for (std::size_t i = 1, j = 0; i < size; ++i) {
        std::size_t bit = size >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j)
            std::swap(values[i], values[j]);
    }
    const double pi = std::acos(-1.0);
    for (std::size_t length = 2; length <= size; length <<= 1) {
        const std::size_t half = length / 2;
        const double angle = (inverse ? 2.0 : -2.0) * pi / static_cast<double>(length);
        for (std::size_t k = 0; k < half; ++k) {
            // Each twiddle from its own angle, not by repeated products, so rounding stays put.
            const std::complex<double> twiddle = std::polar(1.0, angle * static_cast<double>(k));
            for (std::size_t start = 0; start < size; start += length) {
                const std::complex<double> even = values[start + k];
                const std::complex<double> odd = values[start + k + half] * twiddle;
                values[start + k] = even + odd;
                values[start + k + half] = even - odd;
            }
        }
    }
}

/// Biased autocovariances of one chain at lags 0..N-1: (1/N) sum_i (x_i - mean)(x_{i+t} - mean),
/// through the power spectrum of the centred chain padded with zeros to at least 2N (so the
/// circular correlation does not wrap).
std::vector<double> autocovariances(const std::vector<double>& chain)
{
    const std::size_t length = chain.size();
    std::size_t padded = 1;
    while (padded < 2 * length)
        padded <<= 1;
    const double mean = meanOf(chain);
    std::vector<std::complex<double>> spectrum(padded, 0.0);
    for (std::size_t i = 0; i < length; ++i)
        spectrum[i] = chain[i] - mean;
    fourierTransform(spectrum, false);
    for (std::complex<double>& value : spectrum)
        value = std::norm(value);
    fourierTransform(spectrum, true);
    std::vector<double> result(length);
    for (std::size_t t = 0; t < length; ++t)
        result[t] = spectrum[t].real() / static_cast<double>(padded) / static_cast<double>(length);
    return result;
}

/// ESS of M >= 2 chains of N >= 2 draws with var+ > 0. The combined autocorrelation is
/// rho_t = 1 - (W - mean_m acov_m(t)) / var+; Geyer's pairs P_k = rho_2k + rho_2k+1 are summed
/// while positive and made non-increasing; tau = -1 + 2 sum P_k, ESS = MN / tau.
double essOf(const ChainDraws& chains)
{
    const std::size_t count = chains.size(), length = chains.front().size();
    std::vector<double> meanAutocovariance(length, 0.0);
    for (const std::vector<double>& chain : chains) {
        const std::vector<double> chainAutocovariance = autocovariances(chain);
        for (std::size_t t = 0; t < length; ++t)
            meanAutocovariance[t] += chainAutocovariance[t] / static_cast<double>(count);
    }
    const double n = static_cast<double>(length);
    const double within = meanAutocovariance[0] * n / (n - 1.0);
    const double varPlus = meanAutocovariance[0] + varianceOfMeans(chains);
    auto rho = [&](std::size_t t) { return t == 0 ? 1.0 : 1.0 - (within - meanAutocovariance[t]) / varPlus; };

    double pairSum = 0.0, previousPair = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; 2 * k + 1 < length; ++k) {
        double pair = rho(2 * k) + rho(2 * k + 1);
        if (!(pair > 0.0))  // the initial positive sequence ends here
            break;
        pair = std::min(pair, previousPair);  // initial monotone sequence
        pairSum += pair;
        previousPair = pair;
    }
    const double total = static_cast<double>(count) * n;
    // Antithetic chains can make tau tiny; Stan bounds it below by 1 / log10(MN), and so do we.
    const double tau = std::max(-1.0 + 2.0 * pairSum, 1.0 / std::log10(total));
    return total / tau;
}

}  // namespace

Mixing mixingOf(double rhat)
{
    if (std::isnan(rhat))
        throw Error("chain diagnostics: R-hat is NaN, so it says nothing about mixing: compute it from finite draws");
    if (rhat < kRhatGood)
        return Mixing::Good;
    return rhat <= kRhatNotMixed ? Mixing::Doubtful : Mixing::NotMixed;
}

// Acklam's algorithm (P. J. Acklam, "An algorithm for computing the inverse normal cumulative
// distribution function"): rational approximations in a central region and in the tails, good
// to about 1.2e-9 relative, then one step of Halley's method on Phi(x) - p with std::erfc, which
// brings it to about 1e-15.
double inverseNormalCdf(double p)
{
    if (std::isnan(p) || p < 0.0 || p > 1.0)
        throw Error("inverse normal CDF: p = " + number(p) + " is not a probability: give a value in [0, 1]");
    if (p == 0.0)
        return -std::numeric_limits<double>::infinity();
    if (p == 1.0)
        return std::numeric_limits<double>::infinity();
    if (p > 0.5)
        return -inverseNormalCdf(1.0 - p);  // 1 - p is exact for p in [0.5, 1]

    static const double central[2][6] = {
        {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
         -3.066479806614716e+01, 2.506628277459239e+00},
        {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
         -1.328068155288572e+01, 1.0}};
    static const double tail[2][6] = {
        {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
         4.374664141464968e+00, 2.938163982698783e+00},
        {0.0, 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00, 1.0}};
    auto polynomial = [](const double (&coefficients)[6], double x) {
        double value = 0.0;
        for (double coefficient : coefficients)
            value = value * x + coefficient;
        return value;
    };
    constexpr double kTailBelow = 0.02425;
    double x;
    if (p < kTailBelow) {
        const double q = std::sqrt(-2.0 * std::log(p));
        x = polynomial(tail[0], q) / polynomial(tail[1], q);
    } else {
        const double q = p - 0.5, r = q * q;
        x = q * polynomial(central[0], r) / polynomial(central[1], r);
    }
    const double pi = std::acos(-1.0);
    const double residual = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
    const double step = residual * std::sqrt(2.0 * pi) * std::exp(0.5 * x * x);
    if (!std::isfinite(step))  // p below about 1e-300: exp overflows; the approximation stands
        return x;
    return x - step / (1.0 + 0.5 * x * step);
}

ChainDraws splitChains(const ChainDraws& draws)
{
    checkShape(draws);
    return split(draws);
}

ChainDraws rankNormalize(const ChainDraws& draws)
{
    checkShape(draws);
    return rankNormalized(draws);
}

double splitRhat(const ChainDraws& draws)
{
    checkDiagnosable(draws);
    return rhatOf(split(draws));
}

double rankNormalizedSplitRhat(const ChainDraws& draws)
{
    checkDiagnosable(draws);
    const double bulk = rhatOf(rankNormalized(split(draws)));
    const double tails = rhatOf(rankNormalized(split(folded(draws))));
    return std::max(bulk, tails);
}

double bulkEss(const ChainDraws& draws)
{
    checkDiagnosable(draws);
    return essOf(rankNormalized(split(draws)));
}

std::vector<double> autocorrelation(const std::vector<double>& chain, int maxLag)
{
    if (chain.size() < 2)
        throw Error("autocorrelation: the chain has " + std::to_string(chain.size()) +
                    " draws: it needs at least 2");
    if (maxLag < 0 || static_cast<std::size_t>(maxLag) >= chain.size())
        throw Error("autocorrelation: lag " + std::to_string(maxLag) + " is out of range for a chain of " +
                    std::to_string(chain.size()) + " draws: ask for lags 0 to " + std::to_string(chain.size() - 1));
    for (std::size_t i = 0; i < chain.size(); ++i) {
        if (!std::isfinite(chain[i]))
            throw Error("autocorrelation: draw " + std::to_string(i + 1) + " is " + number(chain[i]) +
                        ", not a finite number: fix or drop that quantity");
    }
    if (std::all_of(chain.begin(), chain.end(), [&](double value) { return value == chain.front(); }))
        throw Error("autocorrelation: every draw equals " + number(chain.front()) +
                    ": a chain that never changes has no autocorrelation");
    const std::vector<double> covariance = autocovariances(chain);
    std::vector<double> correlation(static_cast<std::size_t>(maxLag) + 1);
    correlation[0] = 1.0;
    for (std::size_t t = 1; t < correlation.size(); ++t)
        correlation[t] = covariance[t] / covariance[0];
    return correlation;
}

ChainDiagnostics diagnoseChains(const ChainDraws& draws)
{
    checkDiagnosable(draws);
    const ChainDraws halves = split(draws);
    const ChainDraws ranked = rankNormalized(halves);
    ChainDiagnostics result;
    result.splitRhat = rhatOf(halves);
    result.rankRhat = std::max(rhatOf(ranked), rhatOf(rankNormalized(split(folded(draws)))));
    result.bulkEss = essOf(ranked);
    return result;
}

}  // namespace ebm
