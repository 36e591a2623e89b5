#pragma once
// Convergence diagnostics of Markov chains as Stan reports them (Vehtari, Gelman, Simpson,
// Carpenter and Buerkner 2021, "Rank-normalization, folding, and localization: an improved
// R-hat for assessing convergence of MCMC"): split R-hat, the rank-normalized split R-hat, the
// bulk effective sample size and one chain's autocorrelation. Plain doubles, no torch.
//
// Degenerate inputs are decided, never a silent NaN: no chains, chains of different lengths,
// fewer than kMinDrawsPerChain draws in a chain, a draw that is not finite, or draws that all
// equal one value throw ebm::Error. One chain is fine (its two halves are compared). Chains that
// each stay constant at different values have zero within-chain variance: R-hat is +infinity.
#include <vector>

namespace ebm {

/// Draws of one scalar quantity: one vector per chain, every chain the same length.
using ChainDraws = std::vector<std::vector<double>>;

/// R-hat below this: the chains agree well enough to use the draws (the paper's recommendation).
constexpr double kRhatGood = 1.01;
/// R-hat above this: the chains have not mixed; between the two thresholds it is doubtful.
constexpr double kRhatNotMixed = 1.05;
/// Fewest draws per chain the diagnostics accept: each half of a split chain needs two draws
/// for a variance.
constexpr int kMinDrawsPerChain = 4;

/// What an R-hat says about mixing, by the thresholds above.
enum class Mixing {
    Good,      // R-hat < kRhatGood
    Doubtful,  // kRhatGood <= R-hat <= kRhatNotMixed
    NotMixed,  // R-hat > kRhatNotMixed, +infinity included
};
Mixing mixingOf(double rhat);

/// Phi^-1(p), the standard normal quantile: -infinity at 0, +infinity at 1; throws ebm::Error
/// for p outside [0, 1] or NaN. Accurate to about 1e-15 relative.
double inverseNormalCdf(double p);

/// Each chain cut into its first and last floor(N/2) draws (the middle draw of an odd N is
/// dropped): 2M chains, so a trend inside a chain shows as a difference between chains.
ChainDraws splitChains(const ChainDraws& draws);

/// Every draw replaced by Phi^-1((r - 3/8) / (S + 1/4)), r its rank among all S draws of all
/// chains (1 = smallest; tied draws share the average of their ranks). Same shape as `draws`.
ChainDraws rankNormalize(const ChainDraws& draws);

/// Classic split R-hat of the draws themselves (Gelman et al., BDA3, on split chains).
double splitRhat(const ChainDraws& draws);

/// The paper's R-hat: the larger of the split R-hat of the rank-normalized draws (bulk) and of
/// the rank-normalized folded draws |x - median| (tails, so a chain with a different spread
/// shows even where the means agree).
double rankNormalizedSplitRhat(const ChainDraws& draws);

/// Bulk effective sample size: the ESS of the rank-normalized split chains, from the combined
/// autocorrelation and Geyer's initial monotone sequence. At most S log10(S).
double bulkEss(const ChainDraws& draws);

/// Autocorrelation of one chain at lags 0..maxLag (entry 0 is 1), from the biased
/// autocovariance (divided by N at every lag). Throws ebm::Error for fewer than two draws, a
/// lag not below the chain's length, a draw that is not finite, or a constant chain.
std::vector<double> autocorrelation(const std::vector<double>& chain, int maxLag);

/// The three numbers a report shows for one quantity.
struct ChainDiagnostics {
    double splitRhat = 0.0;
    double rankRhat = 0.0;
    double bulkEss = 0.0;
};
ChainDiagnostics diagnoseChains(const ChainDraws& draws);

}  // namespace ebm
