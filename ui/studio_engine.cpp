#include "studio_engine.h"

#include <QMetaObject>

#include "studio_worker.h"

namespace ebm::studio {

StudioEngine::StudioEngine(QObject* parent) : QObject(parent)
{
    registerStudioMetaTypes();
    thread_.setObjectName(QStringLiteral("ebm-worker"));
    worker_ = new StudioWorker(&samplingControl_, &trainingControl_, &evaluationControl_);
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);

    // Plain forwarding: queued from the worker thread, re-emitted on the GUI thread.
    connect(worker_, &StudioWorker::sampleFrames, this, &StudioEngine::sampleFrames);
    connect(worker_, &StudioWorker::trainingProgress, this, &StudioEngine::trainingProgress);
    connect(worker_, &StudioWorker::trainingPreview, this, &StudioEngine::trainingPreview);
    connect(worker_, &StudioWorker::checkpointSaved, this, &StudioEngine::checkpointSaved);
    connect(worker_, &StudioWorker::problem, this, &StudioEngine::problem);
    connect(worker_, &StudioWorker::notice, this, &StudioEngine::notice);
    connect(worker_, &StudioWorker::modelSaved, this, &StudioEngine::modelSaved);
    connect(worker_, &StudioWorker::samplingStarted, this, &StudioEngine::samplingStarted);
    connect(worker_, &StudioWorker::trainingStarted, this, &StudioEngine::trainingStarted);
    connect(worker_, &StudioWorker::evaluationProgress, this, &StudioEngine::evaluationProgress);
    connect(worker_, &StudioWorker::evaluationFinished, this, [this](const EvaluationOutcome& outcome) {
        evaluationActive_ = false;
        Q_EMIT evaluationFinished(outcome);
        Q_EMIT activityChanged();
    });

    // Forwarding that also updates the summary the buttons read.
    connect(worker_, &StudioWorker::runtimeChanged, this, [this](const RuntimeInfo& info) {
        runtime_ = info;
        Q_EMIT runtimeChanged(info);
    });
    connect(worker_, &StudioWorker::modelLoaded, this, [this](const ModelInfo& info) {
        model_ = info;
        hasModel_ = true;
        modelRequested_ = false;
        Q_EMIT modelLoaded(info);
        Q_EMIT activityChanged();
    });
    connect(worker_, &StudioWorker::modelLoadFailed, this, [this](const QString& path, const QString& message) {
        modelRequested_ = false;
        Q_EMIT modelLoadFailed(path, message);
        Q_EMIT activityChanged();
    });
    connect(worker_, &StudioWorker::samplingFinished, this, [this](const SamplingOutcome& outcome) {
        if (outcome.runId == runId_) {
            samplingActive_ = false;
            samplingPaused_ = false;
        }
        Q_EMIT samplingFinished(outcome);
        Q_EMIT activityChanged();
    });
    connect(worker_, &StudioWorker::trainingFinished, this, [this](const TrainingOutcome& outcome) {
        trainingActive_ = false;
        trainingPaused_ = false;
        Q_EMIT trainingFinished(outcome);
        Q_EMIT activityChanged();
    });
    connect(worker_, &StudioWorker::jobStateChanged, this, [this](JobKind kind, JobState state) {
        const bool paused = state == JobState::Paused;
        if (kind == JobKind::Sampling)
            samplingPaused_ = paused;
        else
            trainingPaused_ = paused;
        Q_EMIT jobStateChanged(kind, state);
        Q_EMIT activityChanged();
    });
    thread_.start();
}

StudioEngine::~StudioEngine()
{
    // Jobs check these between steps, so the thread ends within one step.
    samplingControl_.cancel();
    trainingControl_.cancel();
    evaluationControl_.cancel();
    thread_.quit();
    thread_.wait();
}

bool StudioEngine::loadModel(const QString& path)
{
    if (trainingActive_) {
        Q_EMIT problem(tr("Stop training before opening another model."));
        return false;
    }
    if (evaluationActive_) {
        Q_EMIT problem(tr("Stop the evaluation before opening another model."));
        return false;
    }
    if (samplingActive_)
        stopSampling();
    modelRequested_ = true;
    QMetaObject::invokeMethod(worker_, [w = worker_, path] { w->loadModel(path); }, Qt::QueuedConnection);
    Q_EMIT activityChanged();
    return true;
}

bool StudioEngine::loadBundledModel()
{
    if (trainingActive_) {
        Q_EMIT problem(tr("Stop training before opening another model."));
        return false;
    }
    if (evaluationActive_) {
        Q_EMIT problem(tr("Stop the evaluation before opening another model."));
        return false;
    }
    if (samplingActive_)
        stopSampling();
    modelRequested_ = true;
    QMetaObject::invokeMethod(worker_, [w = worker_] { w->loadBundledModel(); }, Qt::QueuedConnection);
    Q_EMIT activityChanged();
    return true;
}

void StudioEngine::saveModel(const QString& path)
{
    if (trainingActive_) {
        // The running job owns the weights: save them between two of its steps.
        saveTrainingCheckpoint(path);
        return;
    }
    QMetaObject::invokeMethod(worker_, [w = worker_, path] { w->saveModel(path); }, Qt::QueuedConnection);
}

void StudioEngine::configureRuntime(const QString& device, int threads)
{
    QMetaObject::invokeMethod(worker_, [w = worker_, device, threads] { w->configureRuntime(device, threads); },
                              Qt::QueuedConnection);
}

int StudioEngine::startSampling(const SamplingSettings& settings)
{
    if (evaluationActive_) {
        Q_EMIT problem(tr("An evaluation is running; wait for it or stop it before sampling."));
        return 0;
    }
    if (samplingActive_) {
        Q_EMIT problem(tr("A sampling run is already going; stop it first."));
        return 0;
    }
    if (!hasModel_ && !trainingActive_) {
        Q_EMIT problem(tr("No model is loaded yet."));
        return 0;
    }
    samplingControl_.reset();
    const int id = ++runId_;
    samplingActive_ = true;
    samplingPaused_ = false;
    if (trainingActive_) {
        // The worker is inside the training job: hand it the run to do between two steps.
        Interjection work;
        work.kind = Interjection::Kind::Sample;
        work.sampling = settings;
        work.runId = id;
        trainingControl_.post(work);
    } else {
        QMetaObject::invokeMethod(worker_, [w = worker_, settings, id] { w->sample(settings, id); },
                                  Qt::QueuedConnection);
    }
    Q_EMIT activityChanged();
    return id;
}

void StudioEngine::pauseSampling() { samplingControl_.pause(); }
void StudioEngine::resumeSampling() { samplingControl_.resume(); }
void StudioEngine::stepSampling() { samplingControl_.stepOnce(); }
void StudioEngine::stopSampling() { samplingControl_.cancel(); }
void StudioEngine::setDenoisedPreview(bool on) { samplingControl_.setDenoisedPreview(on); }

void StudioEngine::exportSamplesNpy(const QString& path)
{
    if (samplingActive_ || trainingActive_) {
        Q_EMIT problem(tr("Export the samples when no job is running."));
        return;
    }
    QMetaObject::invokeMethod(worker_, [w = worker_, path] { w->exportSamplesNpy(path); }, Qt::QueuedConnection);
}

bool StudioEngine::startTraining(const TrainingSettings& settings)
{
    if (trainingActive_ || samplingActive_ || evaluationActive_) {
        Q_EMIT problem(tr("Wait for the running job to end (or stop it) before training."));
        return false;
    }
    trainingControl_.reset();
    trainingActive_ = true;
    trainingPaused_ = false;
    QMetaObject::invokeMethod(worker_, [w = worker_, settings] { w->train(settings); }, Qt::QueuedConnection);
    Q_EMIT activityChanged();
    return true;
}

bool StudioEngine::resumeTrainingFrom(const QString& checkpointPath, const TrainingSettings& cadence)
{
    if (trainingActive_ || samplingActive_ || evaluationActive_) {
        Q_EMIT problem(tr("Wait for the running job to end (or stop it) before training."));
        return false;
    }
    trainingControl_.reset();
    trainingActive_ = true;
    trainingPaused_ = false;
    QMetaObject::invokeMethod(
        worker_, [w = worker_, checkpointPath, cadence] { w->resumeTraining(checkpointPath, cadence); },
        Qt::QueuedConnection);
    Q_EMIT activityChanged();
    return true;
}

void StudioEngine::pauseTraining() { trainingControl_.pause(); }
void StudioEngine::continueTraining() { trainingControl_.resume(); }
void StudioEngine::stepTraining() { trainingControl_.stepOnce(); }

void StudioEngine::stopTraining()
{
    trainingControl_.cancel();
    samplingControl_.cancel();  // a run interjected into training ends with it
}

void StudioEngine::saveTrainingCheckpoint(const QString& path)
{
    if (!trainingActive_) {
        saveModel(path);
        return;
    }
    Interjection work;
    work.kind = Interjection::Kind::SaveCheckpoint;
    work.path = path;
    trainingControl_.post(work);
}

bool StudioEngine::startEvaluation(const EvaluationSettings& settings)
{
    if (evaluationActive_ || samplingActive_ || trainingActive_) {
        Q_EMIT problem(tr("Wait for the running job to end (or stop it) before evaluating."));
        return false;
    }
    if (!hasModel_ && settings.samplesPath.isEmpty()) {
        Q_EMIT problem(tr("No model is loaded yet: open one, or evaluate a file of samples."));
        return false;
    }
    evaluationControl_.reset();
    evaluationActive_ = true;
    QMetaObject::invokeMethod(worker_, [w = worker_, settings] { w->evaluate(settings); }, Qt::QueuedConnection);
    Q_EMIT activityChanged();
    return true;
}

void StudioEngine::stopEvaluation() { evaluationControl_.cancel(); }

}  // namespace ebm::studio
