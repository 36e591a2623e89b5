#include "jobs/job_control.h"

#include <QMutexLocker>

#include "jobs/job.h"

namespace ebm::studio {

void JobControl::changed()
{
    ++generation_;
    wake_.wakeAll();
}

void JobControl::reset()
{
    QMutexLocker lock(&mutex_);
    cancel_.store(false);
    pause_.store(false);
    stepCredits_ = 0;
    interjections_.clear();
    changed();
}

void JobControl::pause()
{
    QMutexLocker lock(&mutex_);
    pause_.store(true);
    changed();
}

void JobControl::resume()
{
    QMutexLocker lock(&mutex_);
    pause_.store(false);
    stepCredits_ = 0;
    changed();
}

void JobControl::stepOnce()
{
    QMutexLocker lock(&mutex_);
    // Stepping a running job first pauses it; the step is granted once it is paused.
    if (!pause_.load())
        pause_.store(true);
    else
        ++stepCredits_;
    changed();
}

void JobControl::cancel()
{
    QMutexLocker lock(&mutex_);
    cancel_.store(true);
    changed();
}

void JobControl::post(const Interjection& work)
{
    QMutexLocker lock(&mutex_);
    interjections_.push_back(work);
    changed();
}

JobControl::Permission JobControl::check()
{
    QMutexLocker lock(&mutex_);
    seenGeneration_ = generation_;
    if (cancel_.load())
        return Permission::Cancel;
    if (!interjections_.empty())
        return Permission::Interject;
    if (!pause_.load())
        return Permission::Proceed;
    if (stepCredits_ > 0) {
        --stepCredits_;
        return Permission::Proceed;
    }
    return Permission::Blocked;
}

void JobControl::waitForChange(unsigned long timeoutMs)
{
    QMutexLocker lock(&mutex_);
    // A change between check() and here already bumped the generation: do not sleep through it.
    if (generation_ != seenGeneration_)
        return;
    wake_.wait(&mutex_, timeoutMs);
}

std::optional<Interjection> JobControl::takeInterjection()
{
    QMutexLocker lock(&mutex_);
    if (interjections_.empty())
        return std::nullopt;
    Interjection work = interjections_.front();
    interjections_.pop_front();
    return work;
}

bool JobControl::awaitNextStep(JobReporter& report, const std::function<void()>& beforePause,
                               const std::function<void(const Interjection&)>& interject)
{
    for (;;) {
        switch (check()) {
        case Permission::Cancel:
            return false;
        case Permission::Interject:
            if (std::optional<Interjection> work = takeInterjection(); work && interject)
                interject(*work);
            continue;
        case Permission::Proceed:
            if (pauseAnnounced_ && !pauseRequested()) {
                pauseAnnounced_ = false;
                report.setPaused(false);
            }
            return true;
        case Permission::Blocked:
            if (!pauseAnnounced_) {
                if (beforePause)
                    beforePause();
                pauseAnnounced_ = true;
                report.setPaused(true);
            }
            waitForChange();
            continue;
        }
    }
}

}  // namespace ebm::studio
