#include "ebm/schedule/schedule_curve.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "ebm/base/defaults.h"
#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "base/enum_names.h"
#include "base/file_util.h"
#include "schedule/paper_schedule.h"

namespace ebm {
namespace {

constexpr const char* kFormat = "ebm-schedule";
constexpr int kVersion = 1;
constexpr uintmax_t kMaxFileBytes = 1 << 20;  // a schedule is a few points, not megabytes

using namespace internal;  // the paper's schedule numbers

const internal::NameTable<SegmentMode, 3> kModeNames = {
    {SegmentMode::Constant, "constant"}, {SegmentMode::Linear, "linear"}, {SegmentMode::Exponential, "exponential"}};

/// Hot plateau, cooling to T = 1, linear ramp to 0: the paper's shape and the fast preset's.
/// Each phase rounds on its own, as Schedule's hand-written presets do.
ScheduleCurve threePhaseCurve(int hotSteps, int coolingSteps, int finalSteps, int steps, SegmentMode cooling)
{
    const int ownLength = hotSteps + coolingSteps + finalSteps;
    const double scale = steps > 0 ? static_cast<double>(steps) / ownLength : 1.0;
    const int hot = scaledPhase(hotSteps, scale);
    const int cool = hot + scaledPhase(coolingSteps, scale);
    const int end = cool + scaledPhase(finalSteps, scale);
    std::vector<CurvePoint> points;
    if (hot > 0)
        points.push_back({0, kPaperHotTemperature, SegmentMode::Constant});
    points.push_back({double(hot), kPaperHotTemperature, cooling});
    points.push_back({double(cool), kPaperCoolTemperature, SegmentMode::Linear});
    points.push_back({double(end), 0.0, SegmentMode::Linear});
    return ScheduleCurve(end, std::move(points));
}

ScheduleCurve paperCurve(int steps, SegmentMode cooling)
{
    return threePhaseCurve(kPaperHotSteps, kPaperCoolingSteps, kPaperFinalSteps, steps, cooling);
}

ScheduleCurve quickCurve(int steps)
{
    if (steps < 3)
        throw Error("a quick schedule needs at least 3 steps");
    // Schedule::quick spreads its phases over (k - 1) / (steps - 1) for k = 1..steps.
    const double span = steps - 1;
    return ScheduleCurve(steps, {{1, kPaperHotTemperature, SegmentMode::Constant},
                                 {1 + kQuickHotFraction * span, kPaperHotTemperature, SegmentMode::Exponential},
                                 {1 + kQuickCoolFraction * span, kPaperCoolTemperature, SegmentMode::Linear},
                                 {double(steps), 0.0, SegmentMode::Linear}});
}

/// The number as people write it: whole steps as whole numbers ("300", not "3e+02"), others as
/// the shortest text that reads back as the same double ("1e-320", where numberText shows the
/// denormal's rounding, "9.99989e-321").
std::string shortestText(double value)
{
    constexpr double kLargestPlainWhole = 1e15;  // beyond it, 1e+300 reads better than its digits
    constexpr int kMostDigits = 17;              // enough for any double
    char text[64];  // "%.0f" below 1e15, "%.17g" of any double
    if (std::isfinite(value) && std::floor(value) == value && std::abs(value) < kLargestPlainWhole) {
        std::snprintf(text, sizeof text, "%.0f", value);
        return text;
    }
    for (int digits = 1; digits <= kMostDigits; ++digits) {
        std::snprintf(text, sizeof text, "%.*g", digits, value);
        if (std::strtod(text, nullptr) == value)
            break;
    }
    return text;
}

/// The point whose segment holds `step`: step k in (s_i, s_i+1] follows point i; the first
/// point before it, the last after it.
size_t segmentStart(const std::vector<CurvePoint>& points, double step)
{
    if (step <= points.front().step)
        return 0;
    if (step > points.back().step)
        return points.size() - 1;
    const auto next = std::lower_bound(points.begin() + 1, points.end(), step,
                                       [](const CurvePoint& p, double s) { return p.step < s; });
    return static_cast<size_t>(next - points.begin()) - 1;
}

/// The temperature at `step` on the segment from point i (segmentStart).
double segmentTemperature(const std::vector<CurvePoint>& points, size_t i, double step)
{
    const CurvePoint& a = points[i];
    if (step <= a.step || i + 1 == points.size())
        return a.temperature;
    const CurvePoint& b = points[i + 1];
    const double w = (step - a.step) / (b.step - a.step);
    switch (a.toNext) {
    case SegmentMode::Constant: return a.temperature;
    case SegmentMode::Linear: return a.temperature + w * (b.temperature - a.temperature);
    case SegmentMode::Exponential: return a.temperature * std::exp(w * std::log(b.temperature / a.temperature));
    }
    return a.temperature;
}

}  // namespace

std::string toString(SegmentMode mode) { return internal::nameOf(kModeNames, mode); }

SegmentMode parseSegmentMode(const std::string& name) { return internal::parseName(kModeNames, name, "segment mode"); }

ScheduleCurve::ScheduleCurve(int steps, std::vector<CurvePoint> points) : steps_(steps), points_(std::move(points))
{
    validate();
}

ScheduleCurve ScheduleCurve::preset(const std::string& name, int steps)
{
    if (name == "paper" || name == "paper-exponential")
        return paperCurve(steps, SegmentMode::Exponential);
    if (name == "paper-linear" || name == "linear")
        return paperCurve(steps, SegmentMode::Linear);
    if (name == "fast")
        return threePhaseCurve(kFastHotSteps, kFastCoolingSteps, kFastFinalSteps, steps, SegmentMode::Exponential);
    if (name == "quick")
        return quickCurve(steps > 0 ? steps : kQuickDefaultSteps);
    throw Error("unknown schedule '" + name + "': use fast, paper, paper-linear, quick or a schedule .json file");
}

void ScheduleCurve::validate() const
{
    if (steps_ < 1 || steps_ > kMaxScheduleSteps)
        throw Error("a schedule has between 1 and " + std::to_string(kMaxScheduleSteps) + " steps, not " +
                    std::to_string(steps_));
    if (points_.empty())
        throw Error("a schedule needs at least one control point");
    for (size_t i = 0; i < points_.size(); ++i) {
        const CurvePoint& p = points_[i];
        const std::string which = "point " + std::to_string(i + 1);
        if (!std::isfinite(p.step) || p.step < 0 || p.step > steps_)
            throw Error(which + " is at step " + internal::numberText(p.step) + ", outside 0.." + std::to_string(steps_));
        if (i > 0 && p.step < points_[i - 1].step)
            throw Error(which + " (step " + internal::numberText(p.step) + ") comes before point " + std::to_string(i) + " (step " +
                        internal::numberText(points_[i - 1].step) + "): the steps must be in order");
        if (!std::isfinite(p.temperature) || p.temperature < 0)
            throw Error(which + " has the temperature " + internal::numberText(p.temperature) +
                        "; temperatures must be finite and not negative");
        if (i + 1 < points_.size() && p.toNext == SegmentMode::Exponential &&
            !(p.temperature > 0 && points_[i + 1].temperature > 0))
            throw Error(which + " goes on exponentially to a zero temperature; an exponential segment needs two "
                                "positive ends (use linear to reach 0)");
    }
    checkComputedTemperatures();
}

void ScheduleCurve::checkComputedTemperatures() const
{
    // Finite points can still give an infinite temperature: an exponential segment from 1e-320
    // (a denormal) overflows the ratio of its ends. Every step is computed here, as expand() will.
    for (int k = 1; k <= steps_; ++k) {
        const size_t i = segmentStart(points_, k);
        const CurvePoint& p = points_[i];
        const bool exponential = p.toNext == SegmentMode::Exponential && i + 1 < points_.size() && k > p.step;
        const double t = segmentTemperature(points_, i, k);
        if (std::isfinite(t) && (exponential ? t > 0 : t >= 0))
            continue;
        throw Error("point " + std::to_string(i + 1) + " (step " + shortestText(p.step) + ", T = " +
                    shortestText(p.temperature) + ") gives a temperature that is not a finite positive number at step " +
                    std::to_string(k) + " (" + shortestText(t) + "); " +
                    (exponential ? "keep the two temperatures of an exponential segment within a factor of 1e300 of "
                                   "each other, or make the segment linear"
                                 : "give the points smaller temperatures"));
    }
}

double ScheduleCurve::temperatureAt(double step) const
{
    return segmentTemperature(points_, segmentStart(points_, step), step);
}

Schedule ScheduleCurve::expand() const
{
    std::vector<double> temperatures(static_cast<size_t>(steps_));
    for (int k = 1; k <= steps_; ++k)
        temperatures[static_cast<size_t>(k - 1)] = temperatureAt(k);
    return Schedule(std::move(temperatures));
}

ScheduleCurve ScheduleCurve::rescaled(int steps) const
{
    if (steps < 1 || steps > kMaxScheduleSteps)
        throw Error("a schedule has between 1 and " + std::to_string(kMaxScheduleSteps) + " steps, not " +
                    std::to_string(steps));
    const double factor = static_cast<double>(steps) / steps_;
    std::vector<CurvePoint> points = points_;
    for (CurvePoint& p : points)
        p.step = std::min<double>(p.step * factor, steps);
    try {
        ScheduleCurve curve(steps, std::move(points));
        curve.source_ = source_;
        return curve;
    } catch (const Error& e) {
        // Other steps fall on other points of a segment: a file that runs may not run rescaled.
        if (source_.empty())
            throw;
        throw Error(source_ + " rescaled to " + std::to_string(steps) + " steps: " + e.what());
    }
}

std::string ScheduleCurve::toJson() const
{
    Json points = Json::array();
    for (size_t i = 0; i < points_.size(); ++i) {
        const CurvePoint& p = points_[i];
        Json point{{"step", p.step}, {"temperature", p.temperature}};
        if (std::floor(p.step) == p.step)
            point["step"] = static_cast<int64_t>(p.step);  // whole steps read as whole steps
        if (i + 1 < points_.size())
            point["to_next"] = toString(p.toNext);
        points.push_back(point);
    }
    return Json{{"format", kFormat}, {"version", kVersion}, {"steps", steps_}, {"points", points}}.dump(1) + "\n";
}

ScheduleCurve ScheduleCurve::fromJson(const std::string& text, const std::string& source)
{
    auto fail = [&](const std::string& problem) -> Error { return Error(source + ": " + problem); };
    const Json document = parseJsonDocument(text, source);
    if (!document.is_object() || !document.contains("format") || document["format"] != kFormat)
        throw fail("not an ebm schedule (its \"format\" must be \"ebm-schedule\")");
    if (!document.contains("version") || !document["version"].is_number_integer() || document["version"] != kVersion)
        throw fail("schedule version " + (document.contains("version") ? document["version"].dump() : "missing") +
                   " is not one this program reads (it reads version 1)");
    if (!document.contains("steps") || !document["steps"].is_number_integer())
        throw fail("\"steps\" must be a whole number of steps");
    const Json& list = document.contains("points") ? document["points"] : Json();
    if (!list.is_array() || list.empty())
        throw fail("\"points\" must be a list of at least one control point");
    std::vector<CurvePoint> points;
    for (size_t i = 0; i < list.size(); ++i) {
        const Json& p = list[i];
        const std::string which = "point " + std::to_string(i + 1);
        if (!p.is_object() || !p.contains("step") || !p["step"].is_number() || !p.contains("temperature") ||
            !p["temperature"].is_number())
            throw fail(which + " needs a \"step\" and a \"temperature\" number");
        CurvePoint point;
        point.step = p["step"].get<double>();
        point.temperature = p["temperature"].get<double>();
        if (i + 1 < list.size()) {
            if (!p.contains("to_next") || !p["to_next"].is_string())
                throw fail(which + " needs \"to_next\": constant, linear or exponential");
            try {
                point.toNext = parseSegmentMode(p["to_next"].get<std::string>());
            } catch (const Error& e) {
                throw fail(which + ": " + e.what());
            }
        }
        points.push_back(point);
    }
    // Read as written: 2^63 as a signed number would wrap to a negative count. Whole numbers
    // from 0 up are the JSON reader's unsigned ones.
    const Json& steps = document["steps"];
    if (!steps.is_number_unsigned() || steps.get<uint64_t>() < 1 || steps.get<uint64_t>() > uint64_t(kMaxScheduleSteps))
        throw fail("a schedule has between 1 and " + std::to_string(kMaxScheduleSteps) + " steps, not " + steps.dump());
    try {
        ScheduleCurve curve(static_cast<int>(steps.get<uint64_t>()), std::move(points));
        curve.source_ = source;
        return curve;
    } catch (const Error& e) {
        throw fail(e.what());
    }
}

ScheduleCurve ScheduleCurve::load(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw Error(path + ": no such schedule file; give fast, paper, paper-linear, quick, or a curve file "
                           "(ebm schedule --preset paper --json writes one to start from)");
    return fromJson(internal::readFileBytes(path, kMaxFileBytes), path);
}

void ScheduleCurve::save(const std::string& path) const { internal::writeBytesAtomically(path, toJson(), "schedule"); }

std::string ScheduleCurve::toCsv() const
{
    std::ostringstream csv;
    csv.precision(10);
    csv << "step,temperature\n";
    for (int k = 1; k <= steps_; ++k)
        csv << k << ',' << temperatureAt(k) << '\n';
    return csv.str();
}

}  // namespace ebm
