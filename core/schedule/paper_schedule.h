#pragma once
// The reference annealing schedule's numbers (paper-facts.md), shared by the hand-written
// schedules and their control-point curves: 500 hot steps, 2000 cooling, 200 to zero.
#include <algorithm>
#include <cmath>

namespace ebm::internal {

/// A phase of `steps` stretched by `scale`, rounded on its own: one that exists keeps at least
/// one step, an absent one (0 steps) stays absent. Schedule's presets and their curves both use
/// it, so they agree step for step.
inline int scaledPhase(int steps, double scale)
{
    return steps > 0 ? std::max(1, static_cast<int>(std::lround(steps * scale))) : 0;
}

constexpr int kPaperHotSteps = 500;
constexpr int kPaperCoolingSteps = 2000;
constexpr int kPaperFinalSteps = 200;
constexpr double kPaperHotTemperature = 100.0;
constexpr double kPaperCoolTemperature = 1.0;
constexpr int kPaperSteps = kPaperHotSteps + kPaperCoolingSteps + kPaperFinalSteps;
// The fast preset: the paper's three phases in fewer steps, each step larger so that the
// Langevin time eps^2 x steps stays the paper's (0.02^2 x 2700 = 1.08). The shortest such curve
// within 5% of the paper schedule's FID-like figure on the evaluation protocol
// (docs/evaluation.md, "Schedules").
constexpr int kFastHotSteps = 83;
constexpr int kFastCoolingSteps = 334;
constexpr int kFastFinalSteps = 33;
constexpr double kFastStepSize = 0.049;
constexpr double kLargestScaledStepSize = 0.05;
constexpr int kFastSteps = kFastHotSteps + kFastCoolingSteps + kFastFinalSteps;
// The quick preview: the same three phases over 20%, 70% and 10% of its length.
constexpr int kQuickDefaultSteps = 300;
constexpr double kQuickHotFraction = 0.2;
constexpr double kQuickCoolFraction = 0.9;

}  // namespace ebm::internal
