#pragma once
// Runs jobs on one worker thread, one at a time, in the order they were started, and keeps
// the one busy state the buttons read. Each started job gets a JobHandle. Start policies:
// Queue (wait for the jobs ahead), RefuseIfBusy, and Replace ("newest request wins", as in
// Qt's threaded Mandelbrot example: a running or queued job of the same kind is cancelled at
// its next step and the new request runs next). A guest job (sampling while training) runs
// between two steps of a host job instead of waiting for it to end.
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QThread>

#include <deque>
#include <memory>

#include "jobs/job.h"
#include "jobs/job_handle.h"

namespace ebm::studio {

class JobRunner : public QObject {
    Q_OBJECT
public:
    enum class StartPolicy {
        Queue,         // after the jobs ahead
        RefuseIfBusy,  // null handle when anything runs or waits
        Replace,       // newest request of its kind wins
        GuestOrQueue,  // between two steps of a running host (sampling the weights in training), else Queue
    };

    /// `context` is handed to every job (null: jobs that need no model, as in tests).
    explicit JobRunner(JobContext* context, QObject* parent = nullptr);
    /// Cancels every job (they answer within one step) and joins the worker thread.
    ~JobRunner() override;

    /// Null when refused (RefuseIfBusy while busy).
    JobHandle* start(std::unique_ptr<Job> job, StartPolicy policy = StartPolicy::Queue);
    /// A job runs, waits in the queue, or runs as a guest.
    bool isBusy() const;
    JobHandle* running() const { return running_; }
    /// The active (queued, running or guest) job of this kind started last; null when none.
    JobHandle* activeOfKind(const QString& kind) const;
    void cancelAll();

Q_SIGNALS:
    void busyChanged(bool busy);
    /// A job was queued, started, paused, resumed or finished: refresh buttons.
    void activityChanged();

private:
    struct Pending {
        std::shared_ptr<Job> job;
        JobHandle* handle = nullptr;
    };

    /// Runs `job` inside the running job when that one hosts guests; otherwise as Queue.
    JobHandle* startGuest(std::unique_ptr<Job> job);
    JobHandle* makeHandle(const Job& job);
    void startNext();
    void dispatch(Pending pending);
    void jobEnded(JobHandle* handle, const QVariant& result);
    void dropQueued(JobHandle* handle);
    void announce(bool wasBusy);

    QThread thread_;
    std::unique_ptr<QObject> anchor_;  // lives on thread_: the target of the queued runs
    JobContext* context_;
    std::deque<Pending> queue_;
    QPointer<JobHandle> running_;
    bool runningHostsGuests_ = false;
    QList<QPointer<JobHandle>> guests_;
    QHash<JobHandle*, std::shared_ptr<Job>> guestJobs_;  // to requeue guests a host left behind
    QList<QPointer<JobHandle>> all_;   // active handles in start order, for activeOfKind()
    int nextId_ = 1;
};

}  // namespace ebm::studio
