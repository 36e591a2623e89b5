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
#include <QSignalSpy>
#include <QVariant>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

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

/// A run of a Res6 of width 2 on the 16x16 images of the .npy file `dataPath`, batches of 16:
/// milliseconds per step, so tests stay short. Previews, checkpoints and the rest keep the
/// form's defaults; each test sets the cadence it watches.
inline studio::TrainingSettings tinyNpyTraining(const QString& dataPath, qint64 steps)
{
    studio::TrainingSettings t;
    t.datasetKind = studio::DatasetKind::Npy;
    t.datasetPath = dataPath;
    t.imageSize = 16;
    t.architecture = QStringLiteral("res6");
    t.width = 2;
    t.batchSize = 16;
    t.steps = steps;
    return t;
}

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
    /// One progress value of a followed job: through the first relay of its type that
    /// relayProgressAs made (a value of no such type goes nowhere).
    virtual void relayProgress(const QVariant& value)
    {
        for (const auto& relay : progressRelays_)
            if (relay(value))
                return;
    }
    /// The result of `handle`, invalid when the job was dropped before it ran: through the relay
    /// that relayFinishedAs made.
    virtual void relayFinished(const studio::JobHandle& handle, const QVariant& result)
    {
        Q_UNUSED(handle);
        if (finishedRelay_)
            finishedRelay_(result);
    }

    /// Each progress value goes out through the one of `targets` (signals of this probe) that
    /// takes its type.
    template <class Probe, class... T>
    void relayProgressAs(void (Probe::*... targets)(const T&))
    {
        (relayOneProgressAs(targets), ...);
    }
    /// Results go out through `target`, a signal of this probe; a job dropped before it ran gives a
    /// stopped outcome that says `droppedMessage`.
    template <class Outcome, class Probe>
    void relayFinishedAs(void (Probe::*target)(const Outcome&), const QString& droppedMessage = QString())
    {
        Outcome dropped;
        dropped.stopped = true;
        dropped.message = droppedMessage;
        finishedRelay_ = [this, target, dropped](const QVariant& result) {
            Q_EMIT(static_cast<Probe*>(this)->*target)(result.isValid() ? result.value<Outcome>() : dropped);
        };
    }

    template <class T>
    static bool holds(const QVariant& value)
    {
        return value.metaType() == QMetaType::fromType<T>();
    }

    studio::StudioEngine* engine_;

private:
    void followActiveJob() { follow(engine_->activeJob(kind_)); }
    template <class T, class Probe>
    void relayOneProgressAs(void (Probe::*target)(const T&))
    {
        progressRelays_.push_back([this, target](const QVariant& value) {
            if (!holds<T>(value))
                return false;
            Q_EMIT(static_cast<Probe*>(this)->*target)(value.value<T>());
            return true;
        });
    }
    void whenActive(void (studio::JobHandle::*action)())
    {
        if (isActive())
            (handle_->*action)();
    }

    QString kind_;
    QPointer<studio::JobHandle> handle_;
    QSet<int> followed_;  // handle ids: each job is connected once
    std::vector<std::function<bool(const QVariant&)>> progressRelays_;
    std::function<void(const QVariant&)> finishedRelay_;
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
    /// Whether the runs started from now on record the denoised preview, as the Sample page's do.
    void setDenoisedPreview(bool on)
    {
        denoisedPreview_ = on ? studio::DenoisedPreview::Recorded : studio::DenoisedPreview::NotRecorded;
    }

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
    studio::DenoisedPreview denoisedPreview_ = studio::DenoisedPreview::NotRecorded;
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
        relayProgressAs(&TrainingProbe::progress, &TrainingProbe::started, &TrainingProbe::preview);
        relayFinishedAs(&TrainingProbe::finished);
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
};

/// Evaluations of the model or of a file of samples.
class EvaluationProbe : public JobProbe {
    Q_OBJECT
public:
    explicit EvaluationProbe(studio::StudioEngine* engine, Follow follow = OwnJobs)
        : JobProbe(engine, studio::kEvaluationJobKind, follow)
    {
        relayProgressAs(&EvaluationProbe::progress);
        relayFinishedAs(&EvaluationProbe::finished, QStringLiteral("Evaluation stopped; nothing was measured."));
    }

    /// Starts an evaluation after the jobs ahead. Null when refused.
    studio::JobHandle* start(const studio::EvaluationSettings& settings)
    {
        return follow(engine_->start(std::make_unique<studio::EvaluateJob>(settings)));
    }

Q_SIGNALS:
    void progress(const ebm::studio::EvaluationProgressInfo& progress);
    void finished(const ebm::studio::EvaluationOutcome& outcome);
};

/// An engine, a probe of one kind on it and spies on the probe's `progressSignal` and on its
/// ends: what most job tests watch. Tests bind the members to names of their own, as in
/// `auto& [engine, training, progress, finished] = bench;`.
template <class Probe, auto progressSignal>
struct ProbeBench {
    studio::StudioEngine engine;
    Probe probe{&engine};
    QSignalSpy progress{&probe, progressSignal};
    QSignalSpy finished{&probe, &Probe::finished};
};

}  // namespace ebm::testing
