#pragma once
// A schedule that another thread may replace while a sampling run goes on: the studio's curve
// editor posts the edited curve, and the sampler takes it between two steps. Steps already
// taken keep their temperatures; the new schedule decides the rest, and its length becomes the
// run's length. Pure data and a mutex: the GUI thread may hold and post to it.
#include <mutex>
#include <optional>
#include <vector>

#include "ebm/schedule/schedule.h"

namespace ebm {

class ScheduleFeed {
public:
    /// Replaces any schedule posted earlier and not yet taken (the newest edit wins).
    void post(Schedule schedule);
    /// The posted schedule, once; empty when nothing new was posted.
    std::optional<Schedule> take();
    bool hasPending() const;

private:
    mutable std::mutex mutex_;
    std::optional<Schedule> next_;
};

/// The schedule a run follows after an edit at `stepsDone` completed steps: the temperatures
/// of `current` up to that step, then those of `edited` from there on. When `edited` is no
/// longer than the steps already done, the run ends where it is.
Schedule continueWith(const Schedule& current, const Schedule& edited, int stepsDone);

}  // namespace ebm
