// The studio's multi-process training runs (MultiProcessTrainingJob): `ebm train --nproc 2`
// started from the engine trains the same run as the studio's own single-process training, its
// checkpoints and end become the studio's model, Stop ends every process with a checkpoint that
// resumes, and failures say what went wrong.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QSignalSpy>
#include <QTemporaryDir>

#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "worker/studio_engine.h"
#include "worker/studio_types.h"
#include "pages/train/multiprocess_training_job.h"
#include "pages/train/training_types.h"
#include "ui_job_probes.h"
#include "ui_test_main.h"

using namespace ebm::studio;
using ebm::testing::TrainingProbe;

namespace {

constexpr int kRunSteps = 12;
constexpr int kCheckpointEvery = 5;
// Two processes start LibTorch and meet through a TCP store first: seconds, not milliseconds.
constexpr int kRunTimeoutMs = 120000;

QString writeTinyData(const QString& folder)
{
    torch::manual_seed(5);
    const QString path = QDir(folder).filePath(QStringLiteral("tiny.npy"));
    ebm::writeNpy(path.toStdString(), torch::rand({64, 1, 16, 16}));
    return path;
}

/// A Res6 of width 2 on 16x16 images: milliseconds per step.
TrainingSettings tinyRun(const QString& data, const QString& checkpoint, int processes)
{
    TrainingSettings t = ebm::testing::tinyNpyTraining(data, kRunSteps);
    t.learningRate = 1e-3;
    t.previewEvery = 0;
    t.checkpointEvery = kCheckpointEvery;
    t.checkpointPath = checkpoint;
    t.processes = processes;
    return t;
}

QVector<TrainPoint> pointsIn(const QSignalSpy& progress)
{
    QVector<TrainPoint> points;
    for (const auto& args : progress)
        points += args.at(0).value<TrainProgressBatch>().points;
    return points;
}

using TrainingBench = ebm::testing::ProbeBench<TrainingProbe, &TrainingProbe::progress>;

TrainingOutcome outcomeIn(const QSignalSpy& finished) { return finished.last().at(0).value<TrainingOutcome>(); }

double largestRelativeDifference(const ebm::Checkpoint& a, const ebm::Checkpoint& b)
{
    double largest = 0.0;
    for (const auto& [name, weight] : a.weights) {
        const torch::Tensor other = b.weights.at(name);
        const double scale = std::max(weight.abs().max().item<double>(), 1e-12);
        largest = std::max(largest, (weight - other).abs().max().item<double>() / scale);
    }
    return largest;
}

}  // namespace

class TestUiMultiprocessTraining : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString data_;

    QString path(const QString& name) const { return QDir(dir_.path()).filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        data_ = writeTinyData(dir_.path());
        // The ebm tool of this build, whatever folder the test runs in.
        qputenv("EBM_TOOL", EBM_TOOL);
        QVERIFY2(!MultiProcessTrainingJob::ebmToolPath().isEmpty(), EBM_TOOL);
    }

    void argumentsSayTheRun()
    {
        TrainingSettings t = tinyRun(data_, path(QStringLiteral("a.ebm")), 3);
        const QStringList fresh = MultiProcessTrainingJob::trainArguments(t, QString(), t.checkpointPath);
        QCOMPARE(fresh.mid(0, 4), (QStringList{QStringLiteral("train"), QStringLiteral("--nproc"), QStringLiteral("3"),
                                               QStringLiteral("--progress-json")}));
        auto valueOf = [](const QStringList& a, const QString& option) {
            const qsizetype i = a.indexOf(option);
            return i >= 0 && i + 1 < a.size() ? a[i + 1] : QString();
        };
        QCOMPARE(valueOf(fresh, QStringLiteral("--data")), data_);
        QCOMPARE(valueOf(fresh, QStringLiteral("--arch")), QStringLiteral("res6"));
        QCOMPARE(valueOf(fresh, QStringLiteral("--lr")).toDouble(), 1e-3);
        QCOMPARE(valueOf(fresh, QStringLiteral("--out")), t.checkpointPath);
        QCOMPARE(valueOf(fresh, QStringLiteral("--precision")), QStringLiteral("float32"));
        t.precision = QStringLiteral("bf16");
        QCOMPARE(valueOf(MultiProcessTrainingJob::trainArguments(t, QString(), t.checkpointPath), QStringLiteral("--precision")),
                 QStringLiteral("bf16"));
        // Fine-tuning takes the architecture from the file; the tool refuses both.
        t.initialWeights = path(QStringLiteral("start.ebm"));
        const QStringList tuned = MultiProcessTrainingJob::trainArguments(t, QString(), t.checkpointPath);
        QCOMPARE(valueOf(tuned, QStringLiteral("--init")), t.initialWeights);
        QVERIFY(!tuned.contains(QStringLiteral("--arch")) && !tuned.contains(QStringLiteral("--width")));
        const QStringList resumed = MultiProcessTrainingJob::trainArguments(t, path(QStringLiteral("r.ebm")), t.checkpointPath, 40);
        QCOMPARE(valueOf(resumed, QStringLiteral("--resume")), path(QStringLiteral("r.ebm")));
        QCOMPARE(valueOf(resumed, QStringLiteral("--steps")), QStringLiteral("40"));
        QVERIFY(!resumed.contains(QStringLiteral("--data")));  // the checkpoint knows its data
        // The page's checkpoint file is replaced as a studio run replaces it (the tool asks for
        // --force); a run that continues its own file needs none.
        QVERIFY(fresh.contains(QStringLiteral("--force")));
        QVERIFY(resumed.contains(QStringLiteral("--force")));
        QVERIFY(!MultiProcessTrainingJob::trainArguments(t, t.checkpointPath, t.checkpointPath)
                     .contains(QStringLiteral("--force")));
    }

    void twoProcessesTrainTheSameRunAsOne()
    {
        TrainingBench bench;
        auto& [engine, training, progress, finished] = bench;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        // The studio's own training, in its worker thread...
        QVERIFY(training.start(tinyRun(data_, path(QStringLiteral("one.ebm")), 1)));
        QVERIFY(finished.wait(kRunTimeoutMs));
        QVERIFY(outcomeIn(finished).completed);
        const QVector<TrainPoint> one = pointsIn(progress);
        QCOMPARE(one.size(), kRunSteps);

        // ...and the same settings in two processes.
        progress.clear();
        finished.clear();
        QSignalSpy started(&training, &TrainingProbe::started);
        QSignalSpy saved(&engine, &StudioEngine::checkpointSaved);
        QSignalSpy loaded(&engine, &StudioEngine::modelLoaded);
        const QString two = path(QStringLiteral("two.ebm"));
        QVERIFY(training.start(tinyRun(data_, two, 2)));
        QVERIFY(engine.trainingRun());
        QVERIFY(finished.wait(kRunTimeoutMs));
        const TrainingOutcome outcome = outcomeIn(finished);
        QVERIFY2(outcome.completed, qPrintable(outcome.message));
        QCOMPARE(outcome.step, qint64(kRunSteps));
        QCOMPARE(started.count(), 1);
        const auto info = started.first().at(0).value<TrainingRunInfo>();
        QCOMPARE(info.processes, 2);
        QCOMPARE(info.totalSteps, qint64(kRunSteps));
        QCOMPARE(info.datasetSize, qint64(64));
        QCOMPARE(info.batchSize, 16);
        QVERIFY2(info.modelDescription.contains(QLatin1String("2 processes")), qPrintable(info.modelDescription));

        const QVector<TrainPoint> twoPoints = pointsIn(progress);
        QCOMPARE(twoPoints.size(), kRunSteps);
        for (int i = 0; i < kRunSteps; ++i) {
            QCOMPARE(twoPoints[i].step, one[i].step);
            QVERIFY2(std::abs(twoPoints[i].loss - one[i].loss) <= 1e-4 * std::abs(one[i].loss),
                     qPrintable(QStringLiteral("step %1: %2 vs %3").arg(i + 1).arg(twoPoints[i].loss).arg(one[i].loss)));
            QCOMPARE(twoPoints[i].learningRate, one[i].learningRate);
        }
        // Periodic checkpoints are announced as they are written.
        QVERIFY(saved.count() >= 2);
        QCOMPARE(saved.first().at(1).toLongLong(), qint64(kCheckpointEvery));
        QCOMPARE(saved.first().at(0).toString(), two);

        // The weights the processes wrote became the studio's model, and equal the one-process run's.
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 10000);
        QCOMPARE(engine.model().path, two);
        QVERIFY2(engine.model().description.startsWith(QStringLiteral("multi-process run weights (step %1)").arg(kRunSteps)),
                 qPrintable(engine.model().description));
        QCOMPARE(engine.model().trainedSteps, qint64(kRunSteps));
        const double difference = largestRelativeDifference(ebm::loadCheckpoint(path(QStringLiteral("one.ebm")).toStdString()),
                                                            ebm::loadCheckpoint(two.toStdString()));
        QVERIFY2(difference < 1e-4, qPrintable(QString::number(difference)));
    }

    void stopEndsEveryProcessWithACheckpointThatResumes()
    {
        TrainingBench bench;
        auto& [engine, training, progress, finished] = bench;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        QSignalSpy started(&training, &TrainingProbe::started);
        const QString checkpoint = path(QStringLiteral("stopped/run.ebm"));  // its folder is made
        TrainingSettings t = tinyRun(data_, checkpoint, 2);
        t.steps = 1000000;  // runs until stopped
        t.checkpointEvery = 0;
        QVERIFY(training.start(t));
        QTRY_VERIFY_WITH_TIMEOUT(pointsIn(progress).size() >= 3, kRunTimeoutMs);
        QElapsedTimer clock;
        clock.start();
        training.stop();
        QVERIFY(finished.wait(kRunTimeoutMs));
        const TrainingOutcome outcome = outcomeIn(finished);
        QVERIFY2(outcome.stopped && !outcome.failed, qPrintable(outcome.message));
        QVERIFY2(clock.elapsed() < 30000, qPrintable(QString::number(clock.elapsed())));
        const ebm::Checkpoint written = ebm::loadCheckpoint(checkpoint.toStdString());
        QCOMPARE(written.step, outcome.step);
        QVERIFY(written.hasTraining);

        // Resume it in two processes: the chart gets the history, and the run goes on at the next step.
        started.clear();
        progress.clear();
        finished.clear();
        TrainingSettings cadence = t;
        cadence.checkpointPath.clear();  // goes on writing the resumed file
        QVERIFY(training.start(cadence, checkpoint));
        QVERIFY(started.wait(kRunTimeoutMs));
        const auto info = started.first().at(0).value<TrainingRunInfo>();
        QCOMPARE(info.startStep, outcome.step);
        QVERIFY(!info.history.isEmpty());
        QCOMPARE(info.checkpointPath, checkpoint);
        QTRY_VERIFY_WITH_TIMEOUT(!pointsIn(progress).isEmpty(), kRunTimeoutMs);
        QCOMPARE(pointsIn(progress).first().step, outcome.step + 1);
        training.stop();
        QVERIFY(finished.wait(kRunTimeoutMs));
        QVERIFY(outcomeIn(finished).stopped);
        QVERIFY(ebm::loadCheckpoint(checkpoint.toStdString()).step > outcome.step);
    }

    void failuresSayWhatWentWrong()
    {
        TrainingBench bench;
        auto& [engine, training, progress, finished] = bench;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        QSignalSpy loaded(&engine, &StudioEngine::modelLoaded);
        // The ranks cannot open the data: the tool's own line reaches the page.
        const QString missing = path(QStringLiteral("missing.npy"));
        QVERIFY(training.start(tinyRun(missing, path(QStringLiteral("never.ebm")), 2)));
        QVERIFY(finished.wait(kRunTimeoutMs));
        TrainingOutcome outcome = outcomeIn(finished);
        QVERIFY(outcome.failed);
        QVERIFY2(outcome.message.contains(QLatin1String("missing.npy")), qPrintable(outcome.message));
        QVERIFY(!QFileInfo::exists(path(QStringLiteral("never.ebm"))));
        QCOMPARE(loaded.count(), 0);  // the model in use stays

        // No ebm tool: one line that says what to do.
        const QByteArray tool = qgetenv("EBM_TOOL");
        qputenv("EBM_TOOL", QFile::encodeName(path(QStringLiteral("no-such-ebm"))));
        finished.clear();
        QVERIFY(training.start(tinyRun(data_, path(QStringLiteral("never.ebm")), 2)));
        QVERIFY(finished.wait(kRunTimeoutMs));
        qputenv("EBM_TOOL", tool);
        outcome = outcomeIn(finished);
        QVERIFY(outcome.failed);
        QVERIFY2(outcome.message.contains(QLatin1String("EBM_TOOL")), qPrintable(outcome.message));
    }
};

EBM_UI_TEST_MAIN(TestUiMultiprocessTraining)
#include "test_ui_multiprocess_training.moc"
#include "moc_ui_job_probes.cpp"
