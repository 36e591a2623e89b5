// The multi-process training job: `ebm train --nproc N --progress-json` in a child process (the
// launcher, which starts the N ranks), its JSON lines turned into the Train page's values.
#include "engine/jobs/multiprocess_training_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <chrono>
#include <cmath>
#include <limits>

#include "ebm/checkpoint.h"
#include "ebm/error.h"
#include "ebm/model_file.h"
#include "engine/private/job_context.h"

namespace ebm::studio {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kProgressInterval = std::chrono::milliseconds(100);  // as TrainingJob's batches
constexpr int kPollMilliseconds = 50;       // how often the worker looks at Stop between lines
constexpr int kStartTimeoutMilliseconds = 30000;
// After Stop every rank finishes its step and rank 0 writes the checkpoint; a large model's
// step takes seconds on a CPU. Past this the ranks are killed (the last checkpoint stays).
constexpr auto kStopGrace = std::chrono::seconds(120);
constexpr int kExitInterrupted = 130;       // ebm train's status for a run stopped early
constexpr int kLoggedErrorLines = 20;       // of the tool's standard error, when a run fails

QString number(double value) { return QString::number(value, 'g', 17); }

qint64 integerOf(const QJsonObject& o, const char* key) { return std::llround(o.value(QLatin1String(key)).toDouble()); }

double realOf(const QJsonObject& o, const char* key)
{
    // Non-finite values arrive as null (JSON has no NaN): a diverged loss stays visible as NaN.
    return o.value(QLatin1String(key)).toDouble(std::numeric_limits<double>::quiet_NaN());
}

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
      << QStringLiteral("--precision") << s.precision;
    return a;
}

QVariant MultiProcessTrainingJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    TrainingOutcome outcome;
    auto failed = [&](const QString& message) {
        outcome.failed = true;
        outcome.message = message;
        spdlog::error("{}", message.toStdString());
        context->drainInterjections(control);
        return QVariant::fromValue(outcome);
    };

    const QString tool = ebmToolPath();
    if (tool.isEmpty())
        return failed(QObject::tr("Multi-process training runs the ebm tool, which was found neither beside the "
                                  "studio nor on PATH: install it with the studio, or set EBM_TOOL to its path."));
    if (settings_.processes < 2)
        return failed(QObject::tr("A multi-process run needs at least 2 processes."));

    // A resumed run: its plan and history come from the checkpoint, as in TrainingJob.
    TrainingRunInfo info;
    info.processes = settings_.processes;
    QString checkpointPath = settings_.checkpointPath;
    qint64 extendTo = 0;
    if (!resumePath_.isEmpty()) {
        try {
            const ebm::Checkpoint cp = ebm::loadCheckpoint(resumePath_.toStdString());
            if (!cp.hasTraining)
                throw ebm::Error(resumePath_.toStdString() + ": holds weights only (no optimizer state), so it "
                                                             "cannot be resumed exactly; open it as a model to sample from it");
            info.history = thinnedLossHistory(cp);
            if (cp.step >= cp.train.steps && settings_.steps > cp.step)
                extendTo = settings_.steps;
            if (checkpointPath.isEmpty())
                checkpointPath = QString::fromStdString(cp.train.checkpointPath.empty() ? resumePath_.toStdString()
                                                                                        : cp.train.checkpointPath);
        } catch (const std::exception& e) {
            return failed(QObject::tr("Training could not resume: %1").arg(firstLine(e.what())));
        }
    }
    if (checkpointPath.isEmpty())
        return failed(QObject::tr("A multi-process run writes its weights to a checkpoint file: choose one under "
                                  "Previews and checkpoints."));
    QDir().mkpath(QFileInfo(checkpointPath).absolutePath());

    QTemporaryDir scratch;
    const QString errorLog = scratch.isValid() ? scratch.filePath(QStringLiteral("ebm-train.log")) : QString();
    QProcess process;
    process.setProgram(tool);
    process.setArguments(trainArguments(settings_, resumePath_, checkpointPath, extendTo));
    // Standard error (logs, warnings, the failed rank's line) goes to a file: it cannot fill a
    // pipe nobody reads, and the last lines say what went wrong.
    if (!errorLog.isEmpty())
        process.setStandardErrorFile(errorLog);
    else
        process.setStandardErrorFile(QProcess::nullDevice());
    spdlog::info("starting {} {}", tool.toStdString(), process.arguments().join(QLatin1Char(' ')).toStdString());
    Q_EMIT context->q->notice(QObject::tr("Starting %1 training processes…").arg(settings_.processes));
    process.start();
    if (!process.waitForStarted(kStartTimeoutMilliseconds))
        return failed(QObject::tr("Could not start %1: %2").arg(tool, process.errorString()));

    TrainProgressBatch batch;
    Clock::time_point lastEmit = Clock::now();
    auto flush = [&] {
        if (batch.points.isEmpty())
            return;
        report.progress(QVariant::fromValue(batch));
        batch.points.clear();
        lastEmit = Clock::now();
    };
    qint64 lastStep = 0;
    bool wroteCheckpoint = false, ended = false;
    auto handleLine = [&](const QByteArray& line) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            return;  // standard output carries only these lines; anything else is not ours
        const QJsonObject o = document.object();
        const QString event = o.value(QLatin1String("event")).toString();
        if (event == QLatin1String("step")) {
            lastStep = integerOf(o, "step");
            batch.points.push_back(TrainPoint{lastStep, realOf(o, "loss"), realOf(o, "smoothed"), realOf(o, "lr")});
            batch.stepsPerSecond = realOf(o, "steps_per_s");
            batch.etaSeconds = realOf(o, "eta_s");
        } else if (event == QLatin1String("start")) {
            info.modelDescription = QObject::tr("%1 · %2 processes")
                                        .arg(o.value(QLatin1String("model")).toString())
                                        .arg(integerOf(o, "ranks"));
            info.datasetName = o.value(QLatin1String("dataset")).toString();
            info.datasetSize = integerOf(o, "items");
            info.batchSize = static_cast<int>(integerOf(o, "batch"));
            info.startStep = lastStep = integerOf(o, "start_step");
            info.totalSteps = batch.totalSteps = integerOf(o, "total_steps");
            info.checkpointPath = o.value(QLatin1String("checkpoint")).toString();
            context->trainingActive = true;
            report.progress(QVariant::fromValue(info));
        } else if (event == QLatin1String("checkpoint")) {
            flush();
            wroteCheckpoint = true;
            Q_EMIT context->q->checkpointSaved(o.value(QLatin1String("path")).toString(), integerOf(o, "step"));
        } else if (event == QLatin1String("end")) {
            ended = true;
            wroteCheckpoint = true;
            lastStep = integerOf(o, "step");
        }
    };

    QByteArray pending;
    auto readOutput = [&] {
        pending += process.readAllStandardOutput();
        for (int newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
            handleLine(pending.left(newline));
            pending.remove(0, newline + 1);
        }
    };
    bool stopping = false;
    Clock::time_point stopAsked;
    while (process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(kPollMilliseconds);
        readOutput();
        if (Clock::now() - lastEmit >= kProgressInterval)
            flush();
        if (control.cancelRequested() && !stopping) {
            // As Ctrl-C: the launcher passes it on, every rank stops after the same step, rank 0 saves.
            process.terminate();
            stopping = true;
            stopAsked = Clock::now();
            Q_EMIT context->q->notice(QObject::tr("Stopping the training processes after their current step…"));
        }
        if (stopping && Clock::now() - stopAsked > kStopGrace)
            process.kill();
    }
    readOutput();
    flush();
    context->trainingActive = false;

    const QStringList errorLines = errorLog.isEmpty() ? QStringList() : fileLines(errorLog);
    const int exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    outcome.step = lastStep;
    if (exitCode == 0 && ended) {
        outcome.completed = true;
        outcome.message = QObject::tr("Training finished at step %1 (%2 processes).").arg(lastStep).arg(settings_.processes);
    } else if (stopping && (exitCode == kExitInterrupted || exitCode == 0)) {
        outcome.stopped = true;
        outcome.message = QObject::tr("Training stopped at step %1.").arg(lastStep);
    } else {
        outcome.failed = true;
        QString why = failureLine(errorLines);
        if (process.exitStatus() != QProcess::NormalExit)
            why = QObject::tr("the ebm tool ended abnormally (%1)").arg(why.isEmpty() ? process.errorString() : why);
        outcome.message = QObject::tr("Multi-process training failed: %1").arg(why.isEmpty() ? QObject::tr("exit status %1").arg(exitCode) : why);
        for (qsizetype i = std::max<qsizetype>(0, errorLines.size() - kLoggedErrorLines); i < errorLines.size(); ++i)
            if (!errorLines[i].isEmpty())
                spdlog::warn("ebm train: {}", errorLines[i].toStdString());
        spdlog::error("{}", outcome.message.toStdString());
    }

    // The weights rank 0 wrote in this run become the model the other pages use.
    if (wroteCheckpoint && QFileInfo::exists(checkpointPath)) {
        try {
            ebm::OpenedModel opened = ebm::openModel(checkpointPath.toStdString(), context->device);
            ModelInfo described = context->describe(opened.checkpoint, *opened.net);
            described.path = checkpointPath;
            described.averagedWeights = opened.usesAveragedWeights;
            described.weights = QString::fromStdString(opened.weightsDescription());
            described.description = QObject::tr("multi-process run weights (step %1) · %2")
                                        .arg(opened.checkpoint.step)
                                        .arg(described.description);
            context->adopt(std::move(opened.net), std::move(opened.checkpoint), std::move(described));
        } catch (const std::exception& e) {
            outcome.message += QObject::tr(" Its checkpoint %1 could not be opened: %2").arg(checkpointPath, firstLine(e.what()));
        }
    }
    context->drainInterjections(control);
    return QVariant::fromValue(outcome);
}

}  // namespace ebm::studio
