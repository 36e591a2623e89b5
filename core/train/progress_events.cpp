#include "ebm/train/progress_events.h"

#include <cmath>
#include <limits>

#include "ebm/base/json.h"

namespace ebm {
namespace {

/// Whole numbers beyond this are not steps or counts: they read as unknown (0), as do fractions
/// that would not fit an int64_t.
constexpr double kLargestWholeNumber = 9.0e18;

int64_t integerField(const Json& object, const char* key)
{
    const auto it = object.find(key);
    if (it == object.end())
        return 0;
    if (it->is_number_integer())
        return it->get<int64_t>();
    if (it->is_number_float()) {
        const double value = it->get<double>();
        return std::isfinite(value) && std::fabs(value) < kLargestWholeNumber ? std::llround(value) : 0;
    }
    return 0;
}

double realField(const Json& object, const char* key)
{
    // Non-finite values arrive as null: a diverged loss stays visible as NaN.
    const auto it = object.find(key);
    return it != object.end() && it->is_number() ? it->get<double>() : std::numeric_limits<double>::quiet_NaN();
}

std::string textField(const Json& object, const char* key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flagField(const Json& object, const char* key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::optional<TrainProgressEvent> eventOf(const Json& o)
{
    const std::string kind = textField(o, "event");
    if (kind == "step")
        return TrainStepEvent{integerField(o, "step"), realField(o, "loss"), realField(o, "smoothed"),
                              realField(o, "lr"), realField(o, "steps_per_s"), realField(o, "eta_s")};
    if (kind == "start")
        return TrainStartEvent{textField(o, "model"), textField(o, "dataset"), integerField(o, "items"),
                               integerField(o, "start_step"), integerField(o, "total_steps"),
                               integerField(o, "batch"), integerField(o, "ranks"), textField(o, "checkpoint")};
    if (kind == "checkpoint")
        return TrainCheckpointEvent{integerField(o, "step"), textField(o, "path")};
    if (kind == "end")
        return TrainEndEvent{integerField(o, "step"), flagField(o, "interrupted"), textField(o, "path")};
    return std::nullopt;
}

}  // namespace

std::string toJsonLine(const TrainStartEvent& event)
{
    const Json line = {{"event", "start"},
                       {"model", event.model},
                       {"dataset", event.dataset},
                       {"items", event.items},
                       {"start_step", event.startStep},
                       {"total_steps", event.totalSteps},
                       {"batch", event.batch},
                       {"ranks", event.ranks},
                       {"checkpoint", event.checkpoint}};
    return line.dump();
}

std::string toJsonLine(const TrainStepEvent& event)
{
    const Json line = {{"event", "step"},
                       {"step", event.step},
                       {"loss", event.loss},
                       {"smoothed", event.smoothedLoss},
                       {"lr", event.learningRate},
                       {"steps_per_s", event.stepsPerSecond},
                       {"eta_s", event.etaSeconds}};
    return line.dump();
}

std::string toJsonLine(const TrainCheckpointEvent& event)
{
    const Json line = {{"event", "checkpoint"}, {"step", event.step}, {"path", event.path}};
    return line.dump();
}

std::string toJsonLine(const TrainEndEvent& event)
{
    const Json line = {
        {"event", "end"}, {"step", event.step}, {"interrupted", event.interrupted}, {"path", event.path}};
    return line.dump();
}

std::string toJsonLine(const TrainProgressEvent& event)
{
    return std::visit([](const auto& e) { return toJsonLine(e); }, event);
}

std::optional<TrainProgressEvent> parseProgressEvent(const std::string& line)
{
    try {
        // Without exceptions a line that is not JSON parses as a discarded value, not an object.
        const Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!object.is_object())
            return std::nullopt;
        return eventOf(object);
    } catch (const Json::exception&) {
        return std::nullopt;
    }
}

}  // namespace ebm
