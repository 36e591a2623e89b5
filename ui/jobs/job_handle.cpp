#include "jobs/job_handle.h"

#include "jobs/job_control.h"

namespace ebm::studio {

JobHandle::JobHandle(int id, QString kind, QObject* parent)
    : QObject(parent), id_(id), kind_(std::move(kind)), control_(std::make_shared<JobControl>())
{
}

JobHandle::~JobHandle() = default;

bool JobHandle::cancelRequested() const { return control_->cancelRequested(); }

void JobHandle::pause()
{
    if (isActive())
        control_->pause();
}

void JobHandle::resume()
{
    if (isActive())
        control_->resume();
}

void JobHandle::togglePause()
{
    if (isPaused())
        resume();
    else
        pause();
}

void JobHandle::step()
{
    if (isActive())
        control_->stepOnce();
}

void JobHandle::cancel()
{
    if (!isActive())
        return;
    control_->cancel();
    if (status_ == Status::Queued)
        Q_EMIT cancelledWhileQueued();
}

void JobHandle::markStarted()
{
    status_ = Status::Running;
    Q_EMIT started();
}

void JobHandle::markPaused(bool paused)
{
    if (paused_ == paused || !isActive())
        return;
    paused_ = paused;
    Q_EMIT pausedChanged(paused);
}

void JobHandle::finish(const QVariant& result)
{
    if (status_ == Status::Finished)
        return;  // finished() is emitted exactly once
    status_ = Status::Finished;
    paused_ = false;
    result_ = result;
    Q_EMIT finished(result);
    deleteLater();
}

}  // namespace ebm::studio
