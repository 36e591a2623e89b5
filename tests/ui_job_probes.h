#pragma once
// Test-only probes on the studio's jobs: a probe starts sampling, training or evaluation jobs
// through StudioEngine::start (as the pages do) and re-emits what their JobHandles report as
// typed signals, so that tests watch runs with QSignalSpy. A probe made with EveryJob also
// follows every job of its kind that anyone else (a page of a window) starts, the one running
// now included. Dropped jobs (finished before they ran) finish with a "stopped" outcome, as on
// the pages.
//
// moc reads this header through the `#include "moc_ui_job_probes.cpp"` at the end of each test
// that includes it (AUTOMOC generates that file from this header, per test executable).
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QVariant>

#include <atomic>
#include <memory>

#include "jobs/job_handle.h"
#include "jobs/job_runner.h"
#include "worker/evaluate_job.h"
#include "worker/evaluation_types.h"
#include "worker/job_kinds.h"
#include "worker/studio_engine.h"
#include "worker/studio_types.h"
#include "annealing/sampling_job.h"
#include "annealing/sampling_types.h"
#include "pages/train/multiprocess_training_job.h"
#include "pages/train/training_job.h"
#include "pages/train/training_types.h"

namespace ebm::testing {

/// What every probe does: follow handles of one kind and pass their controls on.
class JobProbe : public QObject {
    Q_OBJECT
public:
    /// OwnJobs: only the jobs start() starts. EveryJob: also every job of the kind that anyone
    /// starts from now on, and the one active now.
    enum Follow { OwnJobs, EveryJob };

    JobProbe(studio::StudioEngine* engine, QString kind, Follow follow)
        : engine_(engine), kind_(std::move(kind))
    {
        if (follow == OwnJobs)
            return;
        // The runner announces a job synchronously when it is started, before it can report.
        connect(engine_, &studio::StudioEngine::activityChanged, this, &JobProbe::followActiveJob);
        followActiveJob();
    }

    /// The job followed last (null once it has been deleted after finishing).
    studio::JobHandle* handle() const { return handle_; }
    bool isActive() const { return handle_ && handle_->isActive(); }
    bool isPaused() const { return handle_ && handle_->isPaused(); }

    // The controls of the job followed last; nothing when it has ended.
    void pause() { whenActive(&studio::JobHandle::pause); }
    void resume() { whenActive(&studio::JobHandle::resume); }
    void step() { whenActive(&studio::JobHandle::step); }
    void stop() { whenActive(&studio::JobHandle::cancel); }

Q_SIGNALS:
    void pausedChanged(bool paused);

protected:
    /// Connects `handle` (null: refused) once; returns it.
    studio::JobHandle* follow(studio::JobHandle* handle)
    {
        if (!handle || followed_.contains(handle->id()))
            return handle;
        followed_.insert(handle->id());
        handle_ = handle;
        connect(handle, &studio::JobHandle::progress, this, [this](const QVariant& value) { relayProgress(value); });
        connect(handle, &studio::JobHandle::pausedChanged, this, &JobProbe::pausedChanged);
        connect(handle, &studio::JobHandle::finished, this,
                [this, handle](const QVariant& result) { relayFinished(*handle, result); });
        return handle;
    }
    /// One progress value of a followed job.
    virtual void relayProgress(const QVariant& value) = 0;
    /// The result of `handle`; invalid when the job was dropped before it ran.
    virtual void relayFinished(const studio::JobHandle& handle, const QVariant& result) = 0;

    template <class T>
    static bool holds(const QVariant& value)
    {
        return value.metaType() == QMetaType::fromType<T>();
    }

    studio::StudioEngine* engine_;

private:
    void followActiveJob() { follow(engine_->activeJob(kind_)); }
    void whenActive(void (studio::JobHandle::*action)())
    {
        if (isActive())
            (handle_->*action)();
    }

    QString kind_;
    QPointer<studio::JobHandle> handle_;
    QSet<int> followed_;  // handle ids: each job is connected once
};

/// Annealed Langevin runs of the Sample page's kind.
class SamplingProbe : public JobProbe {
    Q_OBJECT
public:
    explicit SamplingProbe(studio::StudioEngine* engine, Follow follow = OwnJobs)
        : JobProbe(engine, studio::kSamplingJobKind, follow)
    {
    }

    /// Starts a run as the Sample page does: between two steps of a running training job (on
    /// its weights), else after the jobs ahead. Null when refused.
    studio::JobHandle* start(const studio::SamplingSettings& settings,
                             studio::JobRunner::StartPolicy policy = studio::JobRunner::StartPolicy::GuestOrQueue)
    {
        const int id = ++lastRunId_;
        studio::JobHandle* run =
            engine_->start(std::make_unique<studio::SamplingJob>(settings, id, denoisedPreview_), policy);
        if (run)
            runIds_.insert(run->id(), id);
        return follow(run);
    }
    /// Read by the runs at every recorded frame (the Sample page's "Denoised preview").
    void setDenoisedPreview(bool on) { denoisedPreview_->store(on); }

Q_SIGNALS:
    void started(const ebm::studio::SamplingRunInfo& info);
    /// An edited schedule took over the run (info.scheduleUpdate is set).
    void scheduleChanged(const ebm::studio::SamplingRunInfo& info);
    void frames(const ebm::studio::SampleFrameBatch& batch);
    void finished(const ebm::studio::SamplingOutcome& outcome);

protected:
    void relayProgress(const QVariant& value) override
    {
        if (holds<studio::SampleFrameBatch>(value)) {
            Q_EMIT frames(value.value<studio::SampleFrameBatch>());
        } else if (holds<studio::SamplingRunInfo>(value)) {
            const auto info = value.value<studio::SamplingRunInfo>();
            if (info.scheduleUpdate)
                Q_EMIT scheduleChanged(info);
            else
                Q_EMIT started(info);
        }
    }
    void relayFinished(const studio::JobHandle& handle, const QVariant& result) override
    {
        studio::SamplingOutcome dropped;
        dropped.runId = runIds_.value(handle.id());  // 0 for a run started elsewhere
        dropped.stopped = true;
        Q_EMIT finished(result.isValid() ? result.value<studio::SamplingOutcome>() : dropped);
    }

private:
    std::shared_ptr<std::atomic<bool>> denoisedPreview_ = std::make_shared<std::atomic<bool>>(false);
    int lastRunId_ = 0;
    QHash<int, int> runIds_;  // run id by handle id, for the outcome of a run dropped before it ran
};

/// Training runs, in this process or in processes of their own.
class TrainingProbe : public JobProbe {
    Q_OBJECT
public:
    explicit TrainingProbe(studio::StudioEngine* engine, Follow follow = OwnJobs)
        : JobProbe(engine, studio::kTrainingJobKind, follow)
    {
    }

    /// Starts a new run (`resumePath` empty) or continues that checkpoint with `settings` as
    /// its cadence, in settings.processes processes when above 1 (as the Train page does), after
    /// the jobs ahead. Null when refused.
    studio::JobHandle* start(const studio::TrainingSettings& settings, const QString& resumePath = QString())
    {
        std::unique_ptr<studio::Job> job;
        if (settings.processes > 1)
            job = resumePath.isEmpty() ? std::make_unique<studio::MultiProcessTrainingJob>(settings)
                                       : std::make_unique<studio::MultiProcessTrainingJob>(resumePath, settings);
        else
            job = resumePath.isEmpty() ? std::make_unique<studio::TrainingJob>(settings)
                                       : std::make_unique<studio::TrainingJob>(resumePath, settings);
        return follow(engine_->start(std::move(job)));
    }

Q_SIGNALS:
    void started(const ebm::studio::TrainingRunInfo& info);
    void progress(const ebm::studio::TrainProgressBatch& batch);
    void preview(const ebm::studio::TrainingPreview& preview);
    void finished(const ebm::studio::TrainingOutcome& outcome);

protected:
    void relayProgress(const QVariant& value) override
    {
        if (holds<studio::TrainProgressBatch>(value))
            Q_EMIT progress(value.value<studio::TrainProgressBatch>());
        else if (holds<studio::TrainingRunInfo>(value))
            Q_EMIT started(value.value<studio::TrainingRunInfo>());
        else if (holds<studio::TrainingPreview>(value))
            Q_EMIT preview(value.value<studio::TrainingPreview>());
    }
    void relayFinished(const studio::JobHandle&, const QVariant& result) override
    {
        studio::TrainingOutcome dropped;
        dropped.stopped = true;
        Q_EMIT finished(result.isValid() ? result.value<studio::TrainingOutcome>() : dropped);
    }
};

/// Evaluations of the model or of a file of samples.
class EvaluationProbe : public JobProbe {
    Q_OBJECT
public:
    explicit EvaluationProbe(studio::StudioEngine* engine, Follow follow = OwnJobs)
        : JobProbe(engine, studio::kEvaluationJobKind, follow)
    {
    }

    /// Starts an evaluation after the jobs ahead. Null when refused.
    studio::JobHandle* start(const studio::EvaluationSettings& settings)
    {
        return follow(engine_->start(std::make_unique<studio::EvaluateJob>(settings)));
    }

Q_SIGNALS:
    void progress(const ebm::studio::EvaluationProgressInfo& progress);
    void finished(const ebm::studio::EvaluationOutcome& outcome);

protected:
    void relayProgress(const QVariant& value) override
    {
        if (holds<studio::EvaluationProgressInfo>(value))
            Q_EMIT progress(value.value<studio::EvaluationProgressInfo>());
    }
    void relayFinished(const studio::JobHandle&, const QVariant& result) override
    {
        studio::EvaluationOutcome dropped;
        dropped.stopped = true;
        dropped.message = QStringLiteral("Evaluation stopped; nothing was measured.");
        Q_EMIT finished(result.isValid() ? result.value<studio::EvaluationOutcome>() : dropped);
    }
};

}  // namespace ebm::testing
