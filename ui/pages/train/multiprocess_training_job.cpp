// The multi-process training job: `ebm train --nproc N --progress-json` in a child process (the
// launcher, which starts the N ranks), its JSON lines (ebm/train/progress_events.h) turned into
// the Train page's values.
#include "pages/train/multiprocess_training_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "ebm/base/error.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/model_file.h"
#include "ebm/train/progress_events.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"
#include "worker/studio_worker.h"

namespace ebm::studio {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kProgressInterval = std::chrono::milliseconds(100);  // as TrainingJob's batches
constexpr int kPollMilliseconds = 50;       // how often the worker looks at Stop between lines
constexpr int kStartTimeoutMilliseconds = 30000;
// After Stop every rank finishes its step and rank 0 writes the checkpoint; a large model's
// step takes seconds on a CPU. Past this the ranks are killed (the last checkpoint stays).
constexpr auto kStopGrace = std::chrono::seconds(120);
constexpr int kExitInterrupted = 130;       // ebm train's status for a run stopped by SIGINT
constexpr int kExitTerminated = 143;        // and by SIGTERM (QProcess::terminate)
constexpr int kLoggedErrorLines = 20;       // of the tool's standard error, when a run fails

QString number(double value) { return QString::number(value, 'g', 17); }

/// What the tool said last about a failure: its "ebm train: ..." line (the launcher names the
/// rank that failed first), else the last line it wrote.
QString failureLine(const QStringList& lines)
{
    const QString prefix = QStringLiteral("ebm train: ");
    for (auto it = lines.crbegin(); it != lines.crend(); ++it)
        if (it->startsWith(prefix))
            return it->mid(prefix.size());
    for (auto it = lines.crbegin(); it != lines.crend(); ++it)
        if (!it->trimmed().isEmpty())
            return it->trimmed();
    return QString();
}

QStringList fileLines(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
}

/// A run that ends before the tool starts: the outcome says why.
QVariant failedRun(JobContext* context, JobControl& control, const QString& message)
{
    TrainingOutcome outcome;
    outcome.failed = true;
    outcome.message = message;
    spdlog::error("{}", message.toStdString());
    drainInterjections(*context, control);
    return QVariant::fromValue(outcome);
}

/// What the run is started with.
struct RunPlan {
    TrainingRunInfo info;
    QString checkpointPath;  // the file rank 0 writes
    qint64 extendTo = 0;     // > 0: --steps of a resumed run that had reached its planned steps
};

/// A resumed run: its plan and history come from the checkpoint at `resumePath`, as in
/// TrainingJob. Throws when the file cannot be resumed.
void planResume(const QString& resumePath, qint64 wantedSteps, RunPlan& plan)
{
    const ebm::Checkpoint cp = ebm::loadCheckpoint(resumePath.toStdString());
    if (!cp.hasTraining)
        throw ebm::Error(resumePath.toStdString() + ": holds weights only (no optimizer state), so it "
                                                    "cannot be resumed exactly; open it as a model to sample from it");
    plan.info.history = thinnedLossHistory(cp);
    if (cp.step >= cp.train.steps && wantedSteps > cp.step)
        plan.extendTo = wantedSteps;
    if (plan.checkpointPath.isEmpty())
        plan.checkpointPath = QString::fromStdString(cp.train.checkpointPath.empty() ? resumePath.toStdString()
                                                                                    : cp.train.checkpointPath);
}

/// The tool's standard output as the Train page's values: the run's plan, batches of steps (at
/// most every kProgressInterval) and checkpoints.
class ProgressReader {
public:
    ProgressReader(JobContext* context, JobReporter& report, TrainingRunInfo& info)
        : context_(context), report_(report), info_(info)
    {
    }

    /// Handles the complete lines the process has written so far.
    void readFrom(QProcess& process)
    {
        pending_ += process.readAllStandardOutput();
        for (int newline = pending_.indexOf('\n'); newline >= 0; newline = pending_.indexOf('\n')) {
            handleLine(pending_.left(newline));
            pending_.remove(0, newline + 1);
        }
    }

    /// Hands the steps read so far to the page.
    void flush()
    {
        if (batch_.points.isEmpty())
            return;
        report_.progress(QVariant::fromValue(batch_));
        batch_.points.clear();
        lastEmit_ = Clock::now();
    }

    void flushWhenDue()
    {
        if (Clock::now() - lastEmit_ >= kProgressInterval)
            flush();
    }

    qint64 lastStep() const { return lastStep_; }
    bool wroteCheckpoint() const { return wroteCheckpoint_; }
    bool ended() const { return ended_; }

private:
    void handleLine(const QByteArray& line)
    {
        const std::optional<ebm::TrainProgressEvent> event = ebm::parseProgressEvent(line.toStdString());
        if (!event)
            return;  // standard output carries only these lines; anything else is not ours
        std::visit([this](const auto& e) { handle(e); }, *event);
    }

    void handle(const ebm::TrainStepEvent& e)
    {
        lastStep_ = e.step;
        const double wallSeconds = std::chrono::duration<double>(Clock::now() - started_).count();
        batch_.points.push_back(TrainPoint{lastStep_, e.loss, e.smoothedLoss, e.learningRate, wallSeconds});
        batch_.stepsPerSecond = e.stepsPerSecond;
        batch_.etaSeconds = e.etaSeconds;
    }

    void handle(const ebm::TrainStartEvent& e)
    {
        info_.modelDescription = QObject::tr("%1 · %2 processes")
                                     .arg(QString::fromStdString(e.model))
                                     .arg(static_cast<qint64>(e.ranks));
        info_.datasetName = QString::fromStdString(e.dataset);
        info_.datasetSize = e.items;
        info_.batchSize = static_cast<int>(e.batch);
        info_.startStep = lastStep_ = e.startStep;
        info_.totalSteps = batch_.totalSteps = e.totalSteps;
        info_.checkpointPath = QString::fromStdString(e.checkpoint);
        context_->training.active = true;
        report_.progress(QVariant::fromValue(info_));
    }

    void handle(const ebm::TrainCheckpointEvent& e)
    {
        flush();
        wroteCheckpoint_ = true;
        Q_EMIT context_->worker->checkpointSaved(QString::fromStdString(e.path), e.step);
    }

    void handle(const ebm::TrainEndEvent& e)
    {
        ended_ = true;
        wroteCheckpoint_ = true;
        lastStep_ = e.step;
    }

    JobContext* context_;
    JobReporter& report_;
    TrainingRunInfo& info_;
    QByteArray pending_;
    TrainProgressBatch batch_;
    Clock::time_point lastEmit_ = Clock::now();
    const Clock::time_point started_ = Clock::now();  // the loss chart's wall-time axis
    qint64 lastStep_ = 0;
    bool wroteCheckpoint_ = false;
    bool ended_ = false;
};

/// Reads the tool's output until it ends. Stop is passed on as Ctrl-C is, and the ranks are
/// killed when they take longer than kStopGrace to end. True when Stop was asked for.
bool watchUntilEnd(QProcess& process, ProgressReader& reader, JobContext* context, JobControl& control)
{
    bool stopping = false;
    Clock::time_point stopAsked;
    while (process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(kPollMilliseconds);
        reader.readFrom(process);
        reader.flushWhenDue();
        if (control.cancelRequested() && !stopping) {
            // As Ctrl-C: the launcher passes it on, every rank stops after the same step, rank 0 saves.
            process.terminate();
            stopping = true;
            stopAsked = Clock::now();
            Q_EMIT context->worker->notice(
                QObject::tr("Stopping the training processes after their current step…"));
        }
        if (stopping && Clock::now() - stopAsked > kStopGrace)
            process.kill();
    }
    reader.readFrom(process);
    reader.flush();
    return stopping;
}

/// How the run ended: finished, stopped, or failed with the tool's own words (its last lines
/// of standard error, from `errorLog`, go to the log).
TrainingOutcome outcomeOf(const QProcess& process, const ProgressReader& reader, bool stopping,
                          const QString& errorLog, int processes)
{
    const QStringList errorLines = errorLog.isEmpty() ? QStringList() : fileLines(errorLog);
    const int exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    TrainingOutcome outcome;
    outcome.step = reader.lastStep();
    if (exitCode == 0 && reader.ended()) {
        outcome.completed = true;
        outcome.message =
            QObject::tr("Training finished at step %1 (%2 processes).").arg(reader.lastStep()).arg(processes);
    } else if (stopping && (exitCode == kExitInterrupted || exitCode == kExitTerminated || exitCode == 0)) {
        outcome.stopped = true;
        outcome.message = QObject::tr("Training stopped at step %1.").arg(reader.lastStep());
    } else {
        outcome.failed = true;
        QString why = failureLine(errorLines);
        if (process.exitStatus() != QProcess::NormalExit)
            why = QObject::tr("the ebm tool ended abnormally (%1)").arg(why.isEmpty() ? process.errorString() : why);
        outcome.message = QObject::tr("Multi-process training failed: %1")
                              .arg(why.isEmpty() ? QObject::tr("exit status %1").arg(exitCode) : why);
        for (qsizetype i = std::max<qsizetype>(0, errorLines.size() - kLoggedErrorLines); i < errorLines.size(); ++i)
            if (!errorLines[i].isEmpty())
                spdlog::warn("ebm train: {}", errorLines[i].toStdString());
        spdlog::error("{}", outcome.message.toStdString());
    }
    return outcome;
}

/// The weights rank 0 wrote in this run become the model the other pages use; when they cannot
/// be opened, the outcome's message says so.
void adoptCheckpoint(JobContext* context, const QString& checkpointPath, TrainingOutcome& outcome)
{
    try {
        ebm::OpenedModel opened = ebm::openModel(checkpointPath.toStdString(), context->model.device);
        ModelInfo described = context->describe(opened.checkpoint, *opened.net);
        described.path = checkpointPath;
        described.averagedWeights = opened.usesAveragedWeights;
        described.weights = QString::fromStdString(opened.weightsDescription());
        described.description = QObject::tr("multi-process run weights (step %1) · %2")
                                    .arg(opened.checkpoint.step)
                                    .arg(described.description);
        context->adopt(std::move(opened.net), std::move(opened.checkpoint), std::move(described));
    } catch (const std::exception& e) {
        outcome.message +=
            QObject::tr(" Its checkpoint %1 could not be opened: %2").arg(checkpointPath, firstLine(e.what()));
    }
}

}  // namespace

QString MultiProcessTrainingJob::ebmToolPath()
{
    const QString fromEnvironment = qEnvironmentVariable("EBM_TOOL");
    if (!fromEnvironment.isEmpty())
        return QFileInfo(fromEnvironment).isExecutable() ? fromEnvironment : QString();
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : {here.filePath(QStringLiteral("ebm")), here.filePath(QStringLiteral("../app/ebm"))}) {
        const QFileInfo file(candidate);
        if (file.isFile() && file.isExecutable())
            return file.canonicalFilePath();
    }
    return QStandardPaths::findExecutable(QStringLiteral("ebm"));
}

QStringList MultiProcessTrainingJob::trainArguments(const TrainingSettings& s, const QString& resumePath,
                                                    const QString& checkpointPath, qint64 extendTo)
{
    QStringList a{QStringLiteral("train"), QStringLiteral("--nproc"), QString::number(s.processes),
                  QStringLiteral("--progress-json"), QStringLiteral("--out"), checkpointPath};
    if (!resumePath.isEmpty()) {
        a << QStringLiteral("--resume") << resumePath;
        if (extendTo > 0)
            a << QStringLiteral("--steps") << QString::number(extendTo);
        // The Train page's checkpoint file is the person's choice, replaced as a studio run replaces it.
        if (QFileInfo(resumePath).absoluteFilePath() != QFileInfo(checkpointPath).absoluteFilePath())
            a << QStringLiteral("--force");
        return a;
    }
    a << QStringLiteral("--data") << s.datasetSpec() << QStringLiteral("--channels") << QString::number(s.imageChannels);
    if (s.initialWeights.isEmpty())
        a << QStringLiteral("--arch") << s.architecture << QStringLiteral("--width") << QString::number(s.width)
          << QStringLiteral("--head") << s.head << QStringLiteral("--image-size") << QString::number(s.imageSize);
    else
        a << QStringLiteral("--init") << s.initialWeights;  // the architecture comes from the file
    a << QStringLiteral("--sigma-min") << number(s.sigmaMin) << QStringLiteral("--sigma-max") << number(s.sigmaMax)
      << QStringLiteral("--spread") << s.spread << QStringLiteral("--sigma0") << number(s.sigma0)
      << QStringLiteral("--batch") << QString::number(s.batchSize) << QStringLiteral("--steps") << QString::number(s.steps)
      << QStringLiteral("--lr") << number(s.learningRate) << QStringLiteral("--lr-schedule")
      << (s.cosineDecay ? QStringLiteral("cosine") : QStringLiteral("constant")) << QStringLiteral("--final-lr")
      << number(s.finalLearningRate) << QStringLiteral("--seed") << QString::number(s.seed)
      << QStringLiteral("--checkpoint-every") << QString::number(s.checkpointEvery)
      << QStringLiteral("--precision") << s.precision << QStringLiteral("--force");
    return a;
}

QVariant MultiProcessTrainingJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    const QString tool = ebmToolPath();
    if (tool.isEmpty())
        return failedRun(context, control,
                         QObject::tr("Multi-process training runs the ebm tool, which was found neither beside the "
                                     "studio nor on PATH: install it with the studio, or set EBM_TOOL to its path."));
    if (settings_.processes < 2)
        return failedRun(context, control, QObject::tr("A multi-process run needs at least 2 processes."));

    RunPlan plan;
    plan.info.processes = settings_.processes;
    plan.checkpointPath = settings_.checkpointPath;
    if (!resumePath_.isEmpty()) {
        try {
            planResume(resumePath_, settings_.steps, plan);
        } catch (const std::exception& e) {
            return failedRun(context, control, QObject::tr("Training could not resume: %1").arg(firstLine(e.what())));
        }
    }
    if (plan.checkpointPath.isEmpty())
        return failedRun(context, control,
                         QObject::tr("A multi-process run writes its weights to a checkpoint file: choose one under "
                                     "Previews and checkpoints."));
    QDir().mkpath(QFileInfo(plan.checkpointPath).absolutePath());

    QTemporaryDir scratch;
    const QString errorLog = scratch.isValid() ? scratch.filePath(QStringLiteral("ebm-train.log")) : QString();
    QProcess process;
    process.setProgram(tool);
    process.setArguments(trainArguments(settings_, resumePath_, plan.checkpointPath, plan.extendTo));
    // Standard error (logs, warnings, the failed rank's line) goes to a file: it cannot fill a
    // pipe nobody reads, and the last lines say what went wrong.
    if (!errorLog.isEmpty())
        process.setStandardErrorFile(errorLog);
    else
        process.setStandardErrorFile(QProcess::nullDevice());
    spdlog::info("starting {} {}", tool.toStdString(), process.arguments().join(QLatin1Char(' ')).toStdString());
    Q_EMIT context->worker->notice(QObject::tr("Starting %1 training processes…").arg(settings_.processes));
    process.start();
    if (!process.waitForStarted(kStartTimeoutMilliseconds))
        return failedRun(context, control, QObject::tr("Could not start %1: %2").arg(tool, process.errorString()));

    ProgressReader reader(context, report, plan.info);
    const bool stopping = watchUntilEnd(process, reader, context, control);
    context->training.active = false;
    TrainingOutcome outcome = outcomeOf(process, reader, stopping, errorLog, settings_.processes);
    if (reader.wroteCheckpoint() && QFileInfo::exists(plan.checkpointPath))
        adoptCheckpoint(context, plan.checkpointPath, outcome);
    drainInterjections(*context, control);
    return QVariant::fromValue(outcome);
}

}  // namespace ebm::studio
