#pragma once
#include <string>
#include <utility>
#include <vector>

namespace ebm {

/// A named schedule as people pick it from a list: the tool's --schedule word, the studio's label.
struct SchedulePreset {
    std::string name;       // "fast"
    std::string label;      // "Fast (600 steps)"
    int steps = 0;          // its own length
    double stepSize = 0.0;  // its Langevin step size eps at that length
};
/// Every preset, the default first.
const std::vector<SchedulePreset>& schedulePresets();
/// The preset sampling and evaluation use unless asked otherwise.
const std::string& defaultSchedulePreset();
/// The Langevin step size a schedule runs with unless one is asked for: the paper's 0.02, but
/// the fast preset's own, scaled with its length (steps 0: its own) so that eps^2 x steps stays.
/// Names that are no preset (curve files) get the paper's.
double schedulePresetStepSize(const std::string& name, int steps = 0);

/// A temperature for every Langevin step. Pure data: the sampler only reads it.
class Schedule {
public:
    Schedule() = default;
    explicit Schedule(std::vector<double> temperatures);

    /// The paper's 2700 steps: 500 at T = 100, 2000 exponentially 100 -> 1, 200 linearly 1 -> 0.
    /// `scale` stretches every phase (scale 0.1 gives 270 steps of the same shape).
    static Schedule paperExponential(double scale = 1.0);
    /// The same with a linear 100 -> 1 ramp in the middle phase.
    static Schedule paperLinear(double scale = 1.0);
    /// A short exponential anneal for previews: `steps` steps from tMax down to 0.
    static Schedule quick(int steps = 300, double tMax = 100.0);
    /// Piecewise schedule through control points (step fraction in [0,1], temperature).
    /// Between points the temperature is interpolated linearly, or linearly in log T when
    /// `logInterpolation` and both ends are positive.
    static Schedule piecewise(const std::vector<std::pair<double, double>>& points, int steps,
                              bool logInterpolation = true);
    /// The "fast" preset: the paper's three phases over fewer steps (run it with
    /// schedulePresetStepSize("fast"), larger steps that keep the paper's Langevin time).
    static Schedule fast(double scale = 1.0);
    /// Presets by name (see schedulePresets()); throws ebm::Error otherwise.
    static Schedule preset(const std::string& name, int steps = 0);

    int size() const { return static_cast<int>(temperatures_.size()); }
    bool empty() const { return temperatures_.empty(); }
    double at(int step) const { return temperatures_.at(static_cast<size_t>(step)); }
    const std::vector<double>& temperatures() const { return temperatures_; }
    double maxTemperature() const;

private:
    std::vector<double> temperatures_;
};

}  // namespace ebm
