#pragma once
// The GUI thread's grip on one started job: its own controls and its own progress / finished
// path. Created by JobRunner; deleted (deleteLater) once finished() has been delivered, so keep
// a QPointer to it.
#include <QObject>
#include <QString>
#include <QVariant>

#include <memory>

namespace ebm::studio {

class JobControl;

class JobHandle : public QObject {
    Q_OBJECT
public:
    enum class Status { Queued, Running, Finished };

    JobHandle(int id, QString kind, QObject* parent = nullptr);
    ~JobHandle() override;

    int id() const { return id_; }
    QString kind() const { return kind_; }
    Status status() const { return status_; }
    bool isActive() const { return status_ != Status::Finished; }
    bool isRunning() const { return status_ == Status::Running; }
    /// The job has stopped between two steps at a pause (reported by the job, not requested).
    bool isPaused() const { return paused_ && status_ == Status::Running; }
    /// cancel() was asked (by the person, by a replacing job or by the runner's end).
    bool cancelRequested() const;
    /// What run() returned; invalid before finished() or for a job that never ran.
    QVariant result() const { return result_; }

    void pause();
    void resume();
    /// Pause when running, resume when paused (the F6 key).
    void togglePause();
    /// While paused: one more step. On a running job: pauses it first.
    void step();
    /// Asks the job to end at its next step; a queued job is dropped without running.
    void cancel();

    /// Thread-safe controls, shared with the worker thread for the time the job runs.
    JobControl& control() { return *control_; }
    std::shared_ptr<JobControl> sharedControl() const { return control_; }

Q_SIGNALS:
    void started();
    void progress(const QVariant& value);
    void pausedChanged(bool paused);
    /// Exactly once per handle, also for a queued job dropped by cancel() or a replacement.
    void finished(const QVariant& result);
    /// For the runner: drop this job from the queue if it has not started.
    void cancelledWhileQueued();

private:
    friend class JobRunner;
    friend class HandleReporter;
    void markStarted();
    void markPaused(bool paused);
    void finish(const QVariant& result);

    int id_;
    QString kind_;
    Status status_ = Status::Queued;
    bool paused_ = false;
    QVariant result_;
    std::shared_ptr<JobControl> control_;
};

}  // namespace ebm::studio
