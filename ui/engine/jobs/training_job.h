#pragma once
// MDSM training, one step at a time. Progress values: TrainingRunInfo once, then
// TrainProgressBatch (~10 a second) and TrainingPreview; result: TrainingOutcome. Between two
// steps it saves on request and hosts guest jobs (sampling from the current weights).
#include "engine/job.h"
#include "engine/studio_types.h"

namespace ebm::studio {

inline const QString kTrainingJobKind = QStringLiteral("training");

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
