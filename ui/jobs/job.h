#pragma once
// One unit of work for the worker thread. A job runs with a context (the worker-owned model,
// device and trainer: torch state, defined in engine/private/job_context.h and therefore only
// visible to the .cpp files of jobs) and a control (pause / resume / single step / cancel),
// and reports progress and its result as plain values that reach the GUI through its
// JobHandle. Adding a job touches neither the worker's nor the engine's header.
#include <QString>
#include <QVariant>

namespace ebm::studio {

struct JobContext;
class JobControl;

/// The job's voice while it runs on the worker thread; every call is queued to its handle.
class JobReporter {
public:
    virtual ~JobReporter() = default;
    /// A plain value (registered meta-type) for the handle's progress(); the job throttles it to
    /// what a screen can show.
    virtual void progress(const QVariant& value) = 0;
    /// The job blocked on (or left) a pause: drives the handle's pausedChanged().
    virtual void setPaused(bool paused) = 0;
};

class Job {
public:
    virtual ~Job() = default;
    /// Jobs of one kind replace each other under JobRunner::StartPolicy::Replace ("sampling").
    virtual QString kind() const = 0;
    /// May run between two steps of a running host job (sampling from the weights in training).
    virtual bool canRunAsGuest() const { return false; }
    /// Runs guests between two of its steps (see JobControl's Interjection::Kind::Guest).
    virtual bool hostsGuests() const { return false; }
    /// Runs on the worker thread; the value returned is the handle's result. `context` is null
    /// for jobs that need no model (and in the runner's own tests).
    virtual QVariant run(JobContext* context, JobControl& control, JobReporter& report) = 0;
};

}  // namespace ebm::studio
