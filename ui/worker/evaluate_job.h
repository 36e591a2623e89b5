#pragma once
// Measures the current model (or a file of samples) as `ebm eval` does. Progress values:
// EvaluationProgressInfo (~10 a second); result: EvaluationOutcome.
#include "jobs/job.h"
#include "worker/evaluation_types.h"
#include "worker/job_kinds.h"
#include "worker/studio_types.h"

namespace ebm::studio {

class EvaluateJob : public Job {
public:
    explicit EvaluateJob(EvaluationSettings settings) : settings_(std::move(settings)) {}
    QString kind() const override { return kEvaluationJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    EvaluationSettings settings_;
};

}  // namespace ebm::studio
