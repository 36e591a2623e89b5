#pragma once
// The worker-owned model state (a JobContext, torch, behind this pimpl out of moc's sight) and
// the signals about the model that every page cares about. Jobs run with its
// context on the JobRunner's thread and report their own progress through their handles; this
// header does not grow with new jobs.
#include <QObject>
#include <QString>

#include <memory>

#include "worker/studio_types.h"

namespace ebm::studio {

struct JobContext;

class StudioWorker : public QObject {
    Q_OBJECT
public:
    StudioWorker();
    ~StudioWorker() override;

    /// For the JobRunner only: jobs use it on the worker thread, never the GUI thread.
    JobContext* context() { return d.get(); }

Q_SIGNALS:
    void runtimeChanged(const ebm::studio::RuntimeInfo& info);
    void modelLoaded(const ebm::studio::ModelInfo& info);
    /// A training run's weights became the loaded model; `kept`, the model they replaced, stays
    /// the Sample page's until it takes them (emitted just before modelLoaded).
    void modelKeptForSamplePage(const ebm::studio::ModelInfo& kept);
    void modelLoadFailed(const QString& path, const QString& message);
    void modelSaved(const QString& path);
    void checkpointSaved(const QString& path, qint64 step);
    /// A problem the person should see (also logged).
    void problem(const QString& message);
    /// Something done that deserves a line in the status bar.
    void notice(const QString& message);

private:
    std::unique_ptr<JobContext> d;
};

}  // namespace ebm::studio
