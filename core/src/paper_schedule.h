#pragma once
// The reference annealing schedule's numbers (paper-facts.md), shared by the hand-written
// schedules and their control-point curves: 500 hot steps, 2000 cooling, 200 to zero.
namespace ebm::internal {

constexpr int kPaperHotSteps = 500;
constexpr int kPaperCoolingSteps = 2000;
constexpr int kPaperFinalSteps = 200;
constexpr double kPaperHotTemperature = 100.0;
constexpr double kPaperCoolTemperature = 1.0;
// The quick preview: the same three phases over 20%, 70% and 10% of its length.
constexpr int kQuickDefaultSteps = 300;
constexpr double kQuickHotFraction = 0.2;
constexpr double kQuickCoolFraction = 0.9;

}  // namespace ebm::internal
