#pragma once
// Chain diagnostics of an annealed run (issue 25): Stan's figures (chain_diagnostics.h) over the
// longest stretch of steps that hold one temperature, where the chains sample one fixed
// distribution. The recorder keeps, per chain and step of that stretch, the energy and the
// state's projections on a few fixed random directions (a handful of numbers, not the images);
// chainReport turns a completed record into plain figures. `ebm sample --diagnostics` and the
// studio's Sample page share it.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "ebm/base/chain_diagnostics.h"
#include "ebm/sample/sampler.h"

namespace ebm {

/// Fewest steps a hold needs to be diagnosed: fewer say little, and split chains need
/// kMinDrawsPerChain draws, two a half.
constexpr int kMinSegmentSteps = 8;
/// Random unit directions the states are projected on, besides the energy.
constexpr int kProjectionCount = 4;
/// Seed of those directions: fixed, not the run's seed, so every run projects on the same ones.
constexpr uint64_t kDirectionSeed = 25;
/// Most memory a record may take (the draws of every chain at every step of the hold).
constexpr int64_t kMaxChainRecordMiB = 256;

/// A stretch of consecutive steps at one temperature, 1-based and inclusive (as
/// StepObservation counts steps); empty (steps() == 0) when there is none.
struct ConstantSegment {
    int firstStep = 1;
    int lastStep = 0;
    double temperature = 0.0;
    int steps() const { return lastStep - firstStep + 1; }
};

/// The longest run of consecutive equal temperatures among steps fromStep..size (1-based; the
/// latest of equally long runs, since the chains have had longest to settle there). Empty when
/// no step is at or after fromStep.
ConstantSegment longestConstantSegment(const std::vector<double>& temperatures, int fromStep = 1);

/// Bytes a ChainRecorder keeps for `chains` chains over `segment` (compare with
/// kMaxChainRecordMiB before recording).
int64_t chainRecordBytes(int64_t chains, const ConstantSegment& segment);

/// Per chain and per step of a segment: the energy and the state's projections on
/// kProjectionCount random unit directions (drawn with kDirectionSeed at the segment's first
/// step), kept on the sampler's device so that no step reads anything back. observe() is meant
/// for SamplerConfig::onStep and runs on the sampler's thread.
class ChainRecorder {
public:
    explicit ChainRecorder(const ConstantSegment& segment) : segment_(segment) {}
    /// Records the steps of the segment and ignores the others. A step of the segment at another
    /// temperature (a schedule edited during the run) disturbs the record: nothing more is kept.
    void observe(const StepObservation& step);
    const ConstantSegment& segment() const { return segment_; }
    /// Steps of the segment recorded so far.
    int recorded() const { return recorded_; }
    /// A step of the segment came at another temperature than the segment's.
    bool disturbed() const { return disturbed_; }
    /// Every step of the segment recorded at its temperature: the figures can be computed.
    bool complete() const { return !disturbed_ && recorded_ == segment_.steps(); }
    int64_t chains() const { return draws_.defined() ? draws_.size(1) : 0; }
    /// Quantity q's draws (0 the energy, 1..kProjectionCount the projections), one vector per
    /// chain, over the steps recorded so far.
    ChainDraws draws(int quantity) const;

private:
    ConstantSegment segment_;
    torch::Tensor directions_;  // [D, kProjectionCount] float64 unit columns
    torch::Tensor draws_;       // [steps, N, 1 + kProjectionCount] float64
    int recorded_ = 0;
    bool disturbed_ = false;
};

/// One quantity's figures, or why there are none (a quantity that never changed, a NaN).
struct QuantityDiagnostics {
    std::string name;
    std::optional<ChainDiagnostics> figures;
    std::string problem;  // with no figures: diagnoseChains' reason
    std::string verdict;  // with figures: verdictOf(*figures)
};

/// diagnoseChains(draws) with its verdict, or the reason it refused them.
QuantityDiagnostics diagnoseQuantity(std::string name, const ChainDraws& draws);

/// Lag-1 autocorrelation averaged over the chains whose draws changed (a MALA chain that
/// rejected every step has none to measure); NaN when none did.
double meanLag1Autocorrelation(const ChainDraws& draws);

/// Stan's verdict from the rank-normalized R-hat (Vehtari et al. recommend it over the classic):
/// "good" below kRhatGood, "not mixed" above kRhatNotMixed, "doubtful" between, and "undefined"
/// when it is NaN.
std::string verdictOf(const ChainDiagnostics& figures);

/// The figures of a completed record.
struct ChainReport {
    ConstantSegment segment;
    int64_t chains = 0;
    /// "energy" first, then "projection 1" .. "projection kProjectionCount".
    std::vector<QuantityDiagnostics> quantities;
    double energyLag1Autocorrelation = std::numeric_limits<double>::quiet_NaN();
};

/// Computes the figures of `recorder`; throws ebm::Error when it is not complete().
ChainReport chainReport(const ChainRecorder& recorder);

}  // namespace ebm
