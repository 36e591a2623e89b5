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
#include <optional>

#include "studio_types.h"

namespace ebm::studio {

/// Work that a paused or running training job performs between two steps on behalf of the
/// person: save the weights now, or sample from the current weights.
struct Interjection {
    enum class Kind { SaveCheckpoint, Sample };
    Kind kind = Kind::SaveCheckpoint;
    QString path;                    // SaveCheckpoint
    SamplingSettings sampling;       // Sample
    int runId = 0;                   // Sample
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

    // A flag the worker reads when it records a frame: compute the denoised preview?
    void setDenoisedPreview(bool on) { denoisedPreview_.store(on); }
    bool denoisedPreview() const { return denoisedPreview_.load(); }

private:
    void changed();  // caller holds mutex_

    mutable QMutex mutex_;
    QWaitCondition wake_;
    std::atomic<bool> cancel_{false};
    std::atomic<bool> pause_{false};
    std::atomic<bool> denoisedPreview_{false};
    int stepCredits_ = 0;
    quint64 generation_ = 0;
    quint64 seenGeneration_ = 0;
    std::deque<Interjection> interjections_;
};

}  // namespace ebm::studio
