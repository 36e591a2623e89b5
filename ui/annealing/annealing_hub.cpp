#include "annealing/annealing_hub.h"

#include "ebm/schedule/schedule_feed.h"
#include <algorithm>
#include <exception>

#include "jobs/job_handle.h"

namespace ebm::studio {

void AnnealingHub::publishCurve(const ebm::ScheduleCurve& curve, bool edited)
{
    editedCurve_ = curve;
    for (const Run& run : runs_) {
        if (!run.handle || !run.handle->isActive() || !run.feed)
            continue;
        try {
            run.feed->post(curve.rescaled(run.steps).expand());
        } catch (const std::exception&) {
            // A curve that cannot run at this length: the run keeps its schedule.
        }
    }
    Q_EMIT editedCurveChanged(curve, edited);
}

void AnnealingHub::announceRun(const QString& source, JobHandle* run, std::shared_ptr<ebm::ScheduleFeed> feed,
                               int steps)
{
    if (!run)
        return;
    runs_.append(Run{run, std::move(feed), steps});
    connect(run, &JobHandle::finished, this, [this, run] {
        runs_.erase(std::remove_if(runs_.begin(), runs_.end(),
                                   [run](const Run& r) { return !r.handle || r.handle == run; }),
                    runs_.end());
    });
    Q_EMIT runAnnounced(source, run);
}

}  // namespace ebm::studio
