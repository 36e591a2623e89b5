#include "ebm/schedule/schedule.h"

#include <algorithm>
#include <cmath>

#include "ebm/base/defaults.h"
#include "ebm/base/error.h"
#include "base/file_util.h"
#include "schedule/paper_schedule.h"

namespace ebm {
namespace {

using namespace internal;  // the paper's schedule numbers

Schedule threePhases(int hotSteps, int coolingSteps, int finalSteps, double scale, bool exponential)
{
    if (!(scale > 0.0))
        throw Error("a schedule needs a positive length");
    std::vector<double> t;
    const int hot = scaledPhase(hotSteps, scale);
    const int cooling = scaledPhase(coolingSteps, scale);
    const int final = scaledPhase(finalSteps, scale);
    t.insert(t.end(), static_cast<size_t>(hot), kPaperHotTemperature);
    const double logRatio = std::log(kPaperHotTemperature / kPaperCoolTemperature);
    for (int k = 1; k <= cooling; ++k) {
        const double f = static_cast<double>(k) / cooling;
        t.push_back(exponential ? kPaperHotTemperature * std::exp(-f * logRatio)
                                : kPaperHotTemperature + f * (kPaperCoolTemperature - kPaperHotTemperature));
    }
    for (int k = 1; k <= final; ++k)
        t.push_back(kPaperCoolTemperature * (1.0 - static_cast<double>(k) / final));
    return Schedule(std::move(t));
}

}  // namespace

Schedule::Schedule(std::vector<double> temperatures) : temperatures_(std::move(temperatures))
{
    for (size_t k = 0; k < temperatures_.size(); ++k)
        if (!std::isfinite(temperatures_[k]) || temperatures_[k] < 0.0)
            throw Error("the schedule's temperature at step " + std::to_string(k + 1) + " is " +
                        internal::numberText(temperatures_[k]) + "; temperatures must be finite and not negative");
}

Schedule Schedule::paperExponential(double scale)
{
    return threePhases(kPaperHotSteps, kPaperCoolingSteps, kPaperFinalSteps, scale, true);
}
Schedule Schedule::paperLinear(double scale)
{
    return threePhases(kPaperHotSteps, kPaperCoolingSteps, kPaperFinalSteps, scale, false);
}
Schedule Schedule::fast(double scale) { return threePhases(kFastHotSteps, kFastCoolingSteps, kFastFinalSteps, scale, true); }

const std::vector<SchedulePreset>& schedulePresets()
{
    static const std::vector<SchedulePreset> presets = {
        {"fast", "Fast (" + std::to_string(kFastSteps) + " steps of ε " + internal::numberText(kFastStepSize) + ")",
         kFastSteps, kFastStepSize},
        {"paper", "Paper, exponential cooling (" + std::to_string(kPaperSteps) + " steps)", kPaperSteps,
         kDefaultLangevinStepSize},
        {"paper-linear", "Paper, linear cooling (" + std::to_string(kPaperSteps) + " steps)", kPaperSteps,
         kDefaultLangevinStepSize},
        {"quick", "Quick preview (" + std::to_string(kQuickDefaultSteps) + " steps)", kQuickDefaultSteps,
         kDefaultLangevinStepSize},
    };
    return presets;
}

const std::string& defaultSchedulePreset() { return schedulePresets().front().name; }

double schedulePresetStepSize(const std::string& name, int steps)
{
    if (name != "fast")
        return kDefaultLangevinStepSize;
    if (steps <= 0)
        return kFastStepSize;
    // A shorter copy would need still larger steps; beyond the range the paper found to work
    // (0.015 to 0.05) the chains lose accuracy instead of gaining time.
    return std::min(kLargestScaledStepSize, kFastStepSize * std::sqrt(static_cast<double>(kFastSteps) / steps));
}

Schedule Schedule::quick(int steps, double tMax)
{
    if (steps < 3)
        throw Error("a quick schedule needs at least 3 steps");
    // Same three phases as the paper's, shortened: 20% hot, 70% cooling, 10% to zero.
    return piecewise({{0.0, tMax}, {kQuickHotFraction, tMax}, {kQuickCoolFraction, kPaperCoolTemperature}, {1.0, 0.0}},
                     steps, true);
}

Schedule Schedule::piecewise(const std::vector<std::pair<double, double>>& points, int steps,
                             bool logInterpolation)
{
    if (points.empty())
        throw Error("a piecewise schedule needs at least one control point");
    if (steps < 1)
        throw Error("a schedule needs at least one step");
    auto sorted = points;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<double> t;
    t.reserve(static_cast<size_t>(steps));
    for (int k = 0; k < steps; ++k) {
        const double f = steps == 1 ? 0.0 : static_cast<double>(k) / (steps - 1);
        if (f <= sorted.front().first) {
            t.push_back(sorted.front().second);
            continue;
        }
        if (f >= sorted.back().first) {
            t.push_back(sorted.back().second);
            continue;
        }
        auto hi = std::upper_bound(sorted.begin(), sorted.end(), f,
                                   [](double v, const auto& p) { return v < p.first; });
        auto lo = hi - 1;
        const double span = hi->first - lo->first;
        const double w = span > 0.0 ? (f - lo->first) / span : 1.0;
        const double a = lo->second, b = hi->second;
        if (logInterpolation && a > 0.0 && b > 0.0)
            t.push_back(std::exp(std::log(a) + w * (std::log(b) - std::log(a))));
        else
            t.push_back(a + w * (b - a));
    }
    return Schedule(std::move(t));
}

Schedule Schedule::preset(const std::string& name, int steps)
{
    const double paperScale = steps > 0 ? static_cast<double>(steps) / kPaperSteps : 1.0;
    if (name == "paper" || name == "paper-exponential")
        return paperExponential(paperScale);
    if (name == "paper-linear" || name == "linear")
        return paperLinear(paperScale);
    if (name == "fast")
        return fast(steps > 0 ? static_cast<double>(steps) / kFastSteps : 1.0);
    if (name == "quick")
        return quick(steps > 0 ? steps : kQuickDefaultSteps);
    throw Error("unknown schedule '" + name + "': use fast, paper, paper-linear or quick");
}

double Schedule::maxTemperature() const
{
    return temperatures_.empty() ? 0.0 : *std::max_element(temperatures_.begin(), temperatures_.end());
}

}  // namespace ebm
