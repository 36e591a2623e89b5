#pragma once
// Annealed Langevin sampling with live frames. Progress values: SamplingRunInfo once, then
// SampleFrameBatch (at most ~25 a second); result: SamplingOutcome. Runs as a guest of a
// training job on the weights being trained.
#include <atomic>
#include <memory>

#include "engine/job.h"
#include "engine/studio_types.h"

namespace ebm::studio {

inline const QString kSamplingJobKind = QStringLiteral("sampling");

class SamplingJob : public Job {
public:
    /// `denoisedPreview` is read at every recorded frame, so the person can switch it mid-run.
    SamplingJob(SamplingSettings settings, int runId, std::shared_ptr<const std::atomic<bool>> denoisedPreview)
        : settings_(std::move(settings)), runId_(runId), denoisedPreview_(std::move(denoisedPreview)) {}
    QString kind() const override { return kSamplingJobKind; }
    bool canRunAsGuest() const override { return true; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    SamplingSettings settings_;
    int runId_;
    std::shared_ptr<const std::atomic<bool>> denoisedPreview_;
};

}  // namespace ebm::studio
