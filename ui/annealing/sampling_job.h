#pragma once
// Annealed Langevin sampling (or MALA, as the settings' sampler says) with live frames. Progress
// values: SamplingRunInfo once, then SampleFrameBatch (at most ~10 a second; each snapshot with
// its step's acceptance), and a SamplingRunInfo marked scheduleUpdate after a
// schedule posted to the feed took over; result: SamplingOutcome, whose chain diagnostics (the
// R-hat and bulk ESS over the schedule's longest hold, issue 25) the Sample page's runs
// (kSamplingJobKind) fill in, not the Schedule page's previews. Runs as a guest of a training
// job on the weights being trained.
#include <memory>

#include "ebm/schedule/schedule_feed.h"

#include "jobs/job.h"
#include "worker/job_kinds.h"
#include "worker/studio_types.h"
#include "annealing/sampling_types.h"

namespace ebm::studio {

/// Short runs that show what a schedule does (the Schedule page): their own kind, so that
/// restarting one never cancels the Sample page's run.
inline const QString kSchedulePreviewJobKind = QStringLiteral("schedule-preview");

class SamplingJob : public Job {
public:
    /// `scheduleFeed` (may be null): a schedule posted there replaces the remaining steps.
    SamplingJob(SamplingSettings settings, int runId, DenoisedPreview denoisedPreview,
                std::shared_ptr<ebm::ScheduleFeed> scheduleFeed = {}, QString kind = kSamplingJobKind)
        : settings_(std::move(settings)), runId_(runId), denoisedPreview_(denoisedPreview),
          scheduleFeed_(std::move(scheduleFeed)), kind_(std::move(kind))
    {
    }
    QString kind() const override { return kind_; }
    bool canRunAsGuest() const override { return true; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    SamplingSettings settings_;
    int runId_;
    DenoisedPreview denoisedPreview_;
    std::shared_ptr<ebm::ScheduleFeed> scheduleFeed_;
    QString kind_;
};

}  // namespace ebm::studio
