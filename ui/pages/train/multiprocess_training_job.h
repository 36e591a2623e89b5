#pragma once
// A data-parallel training run in processes of its own: `ebm train --nproc N --progress-json`,
// started and watched from the worker thread. It reports the same values as TrainingJob
// (TrainingRunInfo, TrainProgressBatch, TrainingOutcome), so the Train page shows it the same
// way; when it ends, the checkpoint rank 0 wrote becomes the studio's model. The weights live in
// the other processes while it runs: no pause, single step, previews or guests.
#include <QStringList>

#include "jobs/job.h"
#include "worker/studio_types.h"
#include "pages/train/training_job.h"
#include "pages/train/training_types.h"

namespace ebm::studio {

class MultiProcessTrainingJob : public Job {
public:
    /// A new run with `settings` (settings.processes ranks).
    explicit MultiProcessTrainingJob(TrainingSettings settings) : settings_(std::move(settings)) {}
    /// Continues the native checkpoint at `resumePath` with cadence.processes ranks.
    MultiProcessTrainingJob(QString resumePath, TrainingSettings cadence)
        : settings_(std::move(cadence)), resumePath_(std::move(resumePath)) {}
    QString kind() const override { return kTrainingJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

    /// The ebm tool the runs start: $EBM_TOOL, else `ebm` beside the studio (installed) or in
    /// the build tree (../app/ebm), else `ebm` on PATH; empty when there is none.
    static QString ebmToolPath();
    /// The options handed to `ebm train` for a new run (`resumePath` empty) or a resumed one,
    /// writing `checkpointPath`; `extendTo` > 0 sets --steps of a resumed run.
    static QStringList trainArguments(const TrainingSettings& settings, const QString& resumePath,
                                      const QString& checkpointPath, qint64 extendTo = 0);

private:
    TrainingSettings settings_;
    QString resumePath_;
};

}  // namespace ebm::studio
