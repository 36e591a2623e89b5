#include "ebm/schedule/schedule_feed.h"

#include <algorithm>

namespace ebm {

void ScheduleFeed::post(Schedule schedule)
{
    std::lock_guard<std::mutex> lock(mutex_);
    next_ = std::move(schedule);
}

std::optional<Schedule> ScheduleFeed::take()
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::optional<Schedule> taken = std::move(next_);
    next_.reset();
    return taken;
}

bool ScheduleFeed::hasPending() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return next_.has_value();
}

Schedule continueWith(const Schedule& current, const Schedule& edited, int stepsDone)
{
    const int done = std::clamp(stepsDone, 0, current.size());
    std::vector<double> temperatures(current.temperatures().begin(), current.temperatures().begin() + done);
    for (int step = done; step < edited.size(); ++step)
        temperatures.push_back(edited.at(step));
    return Schedule(std::move(temperatures));
}

}  // namespace ebm
