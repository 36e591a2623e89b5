#pragma once
// MDSM training, one step at a time. Progress values: TrainingRunInfo once, then
// TrainProgressBatch (~10 a second) and TrainingPreview; result: TrainingOutcome. Between two
// steps it saves on request and hosts guest jobs (sampling from the current weights).
#include "jobs/job.h"
#include "worker/job_kinds.h"
#include "worker/studio_types.h"
#include "pages/train/training_types.h"

namespace ebm {
struct Checkpoint;
}

namespace ebm::studio {

class JobControl;
struct JobContext;

/// The loss history of a checkpoint for the loss chart: at most a few thousand points, smoothed
/// like the trainer's loss, spread over the steps it covers.
QVector<TrainPoint> thinnedLossHistory(const ebm::Checkpoint& cp);
/// Work asked of a training job that ended first ("save now", a sampling guest) still gets done.
void drainInterjections(JobContext& context, JobControl& control);

class TrainingJob : public Job {
public:
    /// A new run with `settings`.
    explicit TrainingJob(TrainingSettings settings) : settings_(std::move(settings)) {}
    /// Continues the native checkpoint at `resumePath`, taking previews, checkpoints and a new
    /// length for a finished run from `cadence`.
    TrainingJob(QString resumePath, TrainingSettings cadence)
        : settings_(std::move(cadence)), resumePath_(std::move(resumePath)) {}
    QString kind() const override { return kTrainingJobKind; }
    bool hostsGuests() const override { return true; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    TrainingSettings settings_;
    QString resumePath_;
};

}  // namespace ebm::studio
