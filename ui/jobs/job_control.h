#pragma once
// The buttons of a running job (pause, resume, single step, stop) as thread-safe state.
// The GUI thread writes it directly: the worker's event loop is busy while a job runs, so a
// queued slot would only arrive after the job. The worker reads it between steps and blocks
// on a QWaitCondition while paused, never the GUI.
#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <atomic>
#include <deque>
#include <functional>
#include <optional>


namespace ebm::studio {

class JobReporter;

/// Work that a paused or running host job performs between two steps on behalf of the
/// person: save the weights now, or run a guest job (sampling from the current weights).
struct Interjection {
    enum class Kind { SaveCheckpoint, Guest };
    Kind kind = Kind::SaveCheckpoint;
    QString path;                    // SaveCheckpoint
    std::function<void()> guest;     // Guest: runs the whole guest job (JobRunner::StartPolicy::GuestOrQueue)
};

class JobControl {
public:
    // --- GUI side -------------------------------------------------------------------------
    /// Clears every request; called before a new job is queued so stale clicks do not leak.
    void reset();
    void pause();
    void resume();
    /// While paused: let exactly one more step run.
    void stepOnce();
    void cancel();
    void post(const Interjection& work);

    // --- worker side ----------------------------------------------------------------------
    bool cancelRequested() const { return cancel_.load(std::memory_order_relaxed); }
    const std::atomic<bool>* cancelFlag() const { return &cancel_; }
    bool pauseRequested() const { return pause_.load(std::memory_order_relaxed); }

    enum class Permission { Proceed, Cancel, Interject, Blocked };
    /// Non-blocking: may the job take its next step now? Consumes a single-step credit.
    Permission check();
    /// Blocks until something changes (resume, step, cancel, interjection) or `timeoutMs`.
    void waitForChange(unsigned long timeoutMs = 250);
    std::optional<Interjection> takeInterjection();

    /// The loop a job runs between two steps: false means stop. While paused it blocks (on the
    /// worker thread), announcing the pause through `report` after calling `beforePause` (flush
    /// what the person has not seen yet); interjected work goes to `interject` (null: dropped).
    bool awaitNextStep(JobReporter& report, const std::function<void()>& beforePause,
                       const std::function<void(const Interjection&)>& interject = {});

private:
    void changed();  // caller holds mutex_

    mutable QMutex mutex_;
    QWaitCondition wake_;
    std::atomic<bool> cancel_{false};
    std::atomic<bool> pause_{false};
    int stepCredits_ = 0;
    quint64 generation_ = 0;
    quint64 seenGeneration_ = 0;
    std::deque<Interjection> interjections_;
    bool pauseAnnounced_ = false;  // worker thread only
};

}  // namespace ebm::studio
