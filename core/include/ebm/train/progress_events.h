#pragma once
// The events of `ebm train --progress-json`: one JSON object per line on standard output, for
// programs that drive the tool (the studio's multi-process runs). The tool writes them and the
// studio reads them through these definitions, so the two cannot drift apart. The lines are a
// published format: field names and order stay as they are.
//   {"event":"start","model":...,"dataset":...,"items":N,"start_step":N,"total_steps":N,"batch":N,
//    "ranks":N,"checkpoint":...}
//   {"event":"step","step":N,"loss":X,"smoothed":X,"lr":X,"steps_per_s":X,"eta_s":X}
//   {"event":"checkpoint","step":N,"path":...}
//   {"event":"end","step":N,"interrupted":B,"path":...}
// Non-finite numbers are written as null (JSON has no NaN) and read back as NaN.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace ebm {

/// The run's plan, written once before the first step.
struct TrainStartEvent {
    std::string model;       // ModelConfig::describe(): "res12-64 (3x32x32, quadratic head)"
    std::string dataset;     // as the run names it (a path is absolute)
    int64_t items = 0;       // items in the data set
    int64_t startStep = 0;   // steps done before this run (a resumed one)
    int64_t totalSteps = 0;
    int64_t batch = 0;       // the global batch, over all ranks
    int64_t ranks = 1;
    std::string checkpoint;  // the file the run writes
};

/// One optimisation step (every step; the tool flushes them about ten times a second).
struct TrainStepEvent {
    int64_t step = 0;  // completed steps
    double loss = 0.0;
    double smoothedLoss = 0.0;
    double learningRate = 0.0;
    double stepsPerSecond = 0.0;
    double etaSeconds = 0.0;
};

/// A checkpoint written after `step`.
struct TrainCheckpointEvent {
    int64_t step = 0;
    std::string path;
};

/// The run ended, with its checkpoint written (`interrupted`: before its last step).
struct TrainEndEvent {
    int64_t step = 0;
    bool interrupted = false;
    std::string path;
};

using TrainProgressEvent = std::variant<TrainStartEvent, TrainStepEvent, TrainCheckpointEvent, TrainEndEvent>;

/// The event as one line of compact JSON, without the line's newline.
std::string toJsonLine(const TrainStartEvent& event);
std::string toJsonLine(const TrainStepEvent& event);
std::string toJsonLine(const TrainCheckpointEvent& event);
std::string toJsonLine(const TrainEndEvent& event);
std::string toJsonLine(const TrainProgressEvent& event);

/// The event a line holds (a trailing newline is allowed); nullopt for anything else: text that
/// is not a JSON object, or an object without a known "event". Never throws on bad input. As
/// readers always have, it takes a missing or mistyped field as unknown: 0 or "" (false for
/// "interrupted"), and NaN for a real number (a null one is a non-finite value).
std::optional<TrainProgressEvent> parseProgressEvent(const std::string& line);

}  // namespace ebm
