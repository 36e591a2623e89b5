#include "jobs/job_runner.h"

#include <QMetaObject>

#include <exception>

#include "jobs/job_control.h"

namespace ebm::studio {

/// Queues what a job reports to its handle on the GUI thread, in the order reported (the
/// finished() that follows travels the same queue, so it always comes last).
class HandleReporter final : public JobReporter {
public:
    explicit HandleReporter(JobHandle* handle) : handle_(handle) {}
    void progress(const QVariant& value) override
    {
        JobHandle* h = handle_;
        QMetaObject::invokeMethod(h, [h, value] { Q_EMIT h->progress(value); }, Qt::QueuedConnection);
    }
    void setPaused(bool paused) override
    {
        JobHandle* h = handle_;
        QMetaObject::invokeMethod(h, [h, paused] { h->markPaused(paused); }, Qt::QueuedConnection);
    }

private:
    JobHandle* handle_;  // outlives the run: deleted only after finished() on the GUI thread
};

namespace {

QVariant runGuarded(Job& job, JobContext* context, JobControl& control, JobReporter& report)
{
    try {
        return job.run(context, control, report);
    } catch (const std::exception&) {
        // Jobs turn their failures into results; an escaped exception must not end the thread.
        return {};
    }
}

}  // namespace

JobRunner::JobRunner(JobContext* context, QObject* parent)
    : QObject(parent), anchor_(std::make_unique<QObject>()), context_(context)
{
    thread_.setObjectName(QStringLiteral("ebm-worker"));
    anchor_->moveToThread(&thread_);
    thread_.start();
}

JobRunner::~JobRunner()
{
    cancelAll();
    thread_.quit();
    thread_.wait();
}

bool JobRunner::isBusy() const { return running_ || !queue_.empty() || !guests_.isEmpty(); }

JobHandle* JobRunner::activeOfKind(const QString& kind) const
{
    for (auto it = all_.crbegin(); it != all_.crend(); ++it)
        if (*it && (*it)->isActive() && (*it)->kind() == kind)
            return *it;
    return nullptr;
}

void JobRunner::cancelAll()
{
    for (const QPointer<JobHandle>& h : all_)
        if (h)
            h->control().cancel();
}

JobHandle* JobRunner::makeHandle(const Job& job)
{
    auto* handle = new JobHandle(nextId_++, job.kind(), this);
    all_.append(handle);
    connect(handle, &JobHandle::cancelledWhileQueued, this, [this, handle] { dropQueued(handle); });
    connect(handle, &JobHandle::pausedChanged, this, &JobRunner::activityChanged);
    return handle;
}

JobHandle* JobRunner::start(std::unique_ptr<Job> job, StartPolicy policy)
{
    if (policy == StartPolicy::GuestOrQueue)
        return startGuest(std::move(job));
    const bool wasBusy = isBusy();
    if (policy == StartPolicy::RefuseIfBusy && wasBusy)
        return nullptr;
    bool jumpQueue = false;
    if (policy == StartPolicy::Replace) {
        // Newest request wins: older requests of this kind end now (queued) or at their next step.
        const QString kind = job->kind();
        for (auto it = queue_.begin(); it != queue_.end();) {
            if (it->handle->kind() == kind) {
                JobHandle* dropped = it->handle;
                it = queue_.erase(it);
                dropped->control().cancel();
                all_.removeAll(dropped);
                dropped->finish({});
            } else {
                ++it;
            }
        }
        if (running_ && running_->kind() == kind) {
            running_->control().cancel();
            jumpQueue = true;  // it takes the cancelled one's turn
        }
    }
    Pending pending{std::shared_ptr<Job>(std::move(job)), nullptr};
    pending.handle = makeHandle(*pending.job);
    JobHandle* handle = pending.handle;
    if (jumpQueue)
        queue_.push_front(std::move(pending));
    else
        queue_.push_back(std::move(pending));
    startNext();
    announce(wasBusy);
    return handle;
}

JobHandle* JobRunner::startGuest(std::unique_ptr<Job> job)
{
    if (!running_ || !runningHostsGuests_ || !job->canRunAsGuest() || running_->cancelRequested())
        return start(std::move(job), StartPolicy::Queue);
    const bool wasBusy = isBusy();
    std::shared_ptr<Job> shared(std::move(job));
    JobHandle* handle = makeHandle(*shared);
    guests_.append(handle);
    guestJobs_.insert(handle, shared);
    JobContext* context = context_;
    std::shared_ptr<JobControl> control = handle->sharedControl();
    Interjection work;
    work.kind = Interjection::Kind::Guest;
    // Runs on the worker thread, between two steps of the host (or right after it ends).
    work.guest = [this, shared, handle, context, control] {
        QMetaObject::invokeMethod(handle, [handle] { handle->markStarted(); }, Qt::QueuedConnection);
        QVariant result;
        if (!control->cancelRequested()) {
            HandleReporter reporter(handle);
            result = runGuarded(*shared, context, *control, reporter);
        }
        QMetaObject::invokeMethod(this, [this, handle, result] { jobEnded(handle, result); }, Qt::QueuedConnection);
    };
    running_->control().post(work);
    announce(wasBusy);
    return handle;
}

void JobRunner::startNext()
{
    if (running_ || queue_.empty())
        return;
    Pending next = std::move(queue_.front());
    queue_.pop_front();
    dispatch(std::move(next));
}

void JobRunner::dispatch(Pending pending)
{
    JobHandle* handle = pending.handle;
    running_ = handle;
    runningHostsGuests_ = pending.job->hostsGuests();
    handle->markStarted();
    JobContext* context = context_;
    std::shared_ptr<JobControl> control = handle->sharedControl();
    std::shared_ptr<Job> job = std::move(pending.job);
    QMetaObject::invokeMethod(
        anchor_.get(),
        [this, job, handle, context, control] {
            HandleReporter reporter(handle);
            const QVariant result = runGuarded(*job, context, *control, reporter);
            // Guests that arrived after the host's last step still run, on the weights it left.
            while (std::optional<Interjection> work = control->takeInterjection())
                if (work->kind == Interjection::Kind::Guest && work->guest)
                    work->guest();
            QMetaObject::invokeMethod(this, [this, handle, result] { jobEnded(handle, result); },
                                      Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void JobRunner::jobEnded(JobHandle* handle, const QVariant& result)
{
    const bool wasBusy = isBusy();
    if (running_ == handle) {
        running_ = nullptr;
        runningHostsGuests_ = false;
        // The worker is done with this control. Guests posted after its last look never ran:
        // they run next, as ordinary jobs.
        while (handle->control().takeInterjection()) {
        }
        for (auto it = guests_.rbegin(); it != guests_.rend(); ++it) {
            JobHandle* guest = *it;
            if (guest && guest->status() == JobHandle::Status::Queued)
                queue_.push_front(Pending{guestJobs_.value(guest), guest});
        }
        guests_.removeIf([](const QPointer<JobHandle>& g) { return !g || g->status() == JobHandle::Status::Queued; });
    }
    guests_.removeAll(handle);
    guestJobs_.remove(handle);
    all_.removeAll(handle);
    handle->finish(result);
    startNext();
    announce(wasBusy);
}

void JobRunner::dropQueued(JobHandle* handle)
{
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
        if (it->handle == handle) {
            const bool wasBusy = isBusy();
            queue_.erase(it);
            all_.removeAll(handle);
            handle->finish({});
            announce(wasBusy);
            return;
        }
    }
}

void JobRunner::announce(bool wasBusy)
{
    if (wasBusy != isBusy())
        Q_EMIT busyChanged(isBusy());
    Q_EMIT activityChanged();
}

}  // namespace ebm::studio
