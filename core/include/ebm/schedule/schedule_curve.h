#pragma once
// An annealing schedule as people shape it: control points of (step, temperature) and how the
// curve goes on from each point to the next. The sampler runs on the Schedule it expands to.
// The JSON form ("ebm-schedule", version 1) is what the studio's curve editor and `ebm sample
// --schedule FILE.json` read and write.
#include <string>
#include <vector>

#include "ebm/schedule/schedule.h"

namespace ebm {

/// How the temperature goes from a control point to the next one.
enum class SegmentMode {
    Constant,     // stays at this point's temperature
    Linear,       // straight line in T
    Exponential,  // straight line in log T; both ends must be positive
};
std::string toString(SegmentMode mode);
SegmentMode parseSegmentMode(const std::string& name);

struct CurvePoint {
    double step = 0.0;        // position on the step axis (0 .. steps); whole steps in files people write
    double temperature = 0.0;
    SegmentMode toNext = SegmentMode::Linear;  // ignored on the last point
};

class ScheduleCurve {
public:
    ScheduleCurve() = default;
    /// Throws ebm::Error when the curve cannot be run (see validate()): a point out of order or
    /// range, or a step whose computed temperature is not a finite number (>= 0; > 0 on an
    /// exponential segment), naming the point whose segment gives it.
    ScheduleCurve(int steps, std::vector<CurvePoint> points);

    /// The presets as curves: they expand to Schedule::paperExponential(), paperLinear() and
    /// quick() step for step. `name` as Schedule::preset takes it; steps 0 = the preset's own.
    static ScheduleCurve preset(const std::string& name, int steps = 0);

    int steps() const { return steps_; }
    const std::vector<CurvePoint>& points() const { return points_; }

    /// Temperature of step k, counted from 1 to steps(): k in (s_i, s_i+1] follows the segment
    /// from point i; before the first point the first point's temperature, after the last the
    /// last one's.
    double temperatureAt(double step) const;
    Schedule expand() const;

    /// The same shape over another number of steps: every point's step scales with it. A curve
    /// read from a file names the file in the error when the rescaled one cannot be run.
    ScheduleCurve rescaled(int steps) const;

    /// The "ebm-schedule" JSON document, and back. fromJson throws ebm::Error with one line
    /// that names `source` and the problem.
    std::string toJson() const;
    static ScheduleCurve fromJson(const std::string& text, const std::string& source);
    static ScheduleCurve load(const std::string& path);
    /// Written atomically.
    void save(const std::string& path) const;

    /// "step,temperature" with a header line, then one row per step from 1.
    std::string toCsv() const;

private:
    void validate() const;
    void checkComputedTemperatures() const;

    int steps_ = 0;
    std::vector<CurvePoint> points_;
    std::string source_;  // the file it was read from (empty: made in memory), for messages
};

}  // namespace ebm
