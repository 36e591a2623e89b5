// The studio's worker and engine without windows: sampling frames, pause / single step / stop,
// a corrupt model that leaves the loaded one in place, training with pause, step, sampling from
// the current weights, save now, resume from a checkpoint, and a non-finite loss. Jobs start
// through StudioEngine::start as the pages start them; probes (ui_job_probes.h) follow them.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QApplication>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>

#include "ebm/nn/model.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "ebm/io/pytorch_import.h"
#include "worker/job_kinds.h"
#include "worker/studio_engine.h"
#include "worker/studio_types.h"
#include "annealing/run_history.h"
#include "annealing/sampling_types.h"
#include "pages/train/training_types.h"
#include "ui_job_probes.h"
#include "ui_test_main.h"

using namespace ebm::studio;
using ebm::testing::SamplingProbe;
using ebm::testing::TrainingProbe;

namespace {

// A Res6 of width 2 on 16x16 images: milliseconds per step, so tests stay short.
QString writeTinyModel(const QString& folder, int imageSize = 16, int width = 2)
{
    return ebm::testing::writeUntrainedModel(folder, QStringLiteral("tiny.ebm"), imageSize, width, 3);
}

QString writeTinyData(const QString& folder, const QString& name, bool withNaN = false)
{
    torch::manual_seed(5);
    torch::Tensor data = torch::rand({64, 1, 16, 16});
    if (withNaN)
        data[3][0][4][4] = std::numeric_limits<float>::quiet_NaN();
    const QString path = QDir(folder).filePath(name);
    ebm::writeNpy(path.toStdString(), data);
    return path;
}

SamplingSettings quickSettings(int steps, int samples)
{
    SamplingSettings s;
    s.schedulePreset = QStringLiteral("quick");
    s.steps = steps;
    s.numSamples = samples;
    s.recordEvery = 1;
    return s;
}

TrainingSettings tinyTraining(const QString& dataPath, const QString& checkpoint)
{
    TrainingSettings t = ebm::testing::tinyNpyTraining(dataPath, 1000000);  // runs until stopped
    t.learningRate = 1e-3;
    t.previewEvery = 5;
    t.previewSamples = 4;
    t.previewSteps = 10;
    t.checkpointEvery = 0;
    t.checkpointPath = checkpoint;
    return t;
}

using SamplingBench = ebm::testing::ProbeBench<SamplingProbe, &SamplingProbe::frames>;

/// Loads the model file `path` into `engine` on one CPU thread and waits up to `timeoutMs`: true,
/// with `info` what the engine announced, once it is loaded; false when it was not in time.
bool loadAndWait(StudioEngine& engine, const QString& path, int timeoutMs, ModelInfo& info)
{
    engine.configureRuntime(QStringLiteral("cpu"), 1);
    QSignalSpy loaded(&engine, &StudioEngine::modelLoaded);
    engine.loadModel(path);
    if (!loaded.wait(timeoutMs))
        return false;
    info = loaded.first().at(0).value<ModelInfo>();
    return true;
}

int snapshotsIn(const QSignalSpy& frames)
{
    int n = 0;
    for (const auto& args : frames)
        n += static_cast<int>(args.at(0).value<SampleFrameBatch>().snapshots.size());
    return n;
}

int lastStepIn(const QSignalSpy& frames)
{
    return frames.isEmpty() ? 0 : frames.last().at(0).value<SampleFrameBatch>().snapshots.last().step;
}

qint64 lastTrainStep(const QSignalSpy& progress)
{
    return progress.isEmpty() ? 0 : progress.last().at(0).value<TrainProgressBatch>().points.last().step;
}

}  // namespace

class TestUiEngine : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString tinyModel_;

    void loadTiny(StudioEngine& engine)
    {
        ModelInfo info;
        QVERIFY(loadAndWait(engine, tinyModel_, 10000, info));
        QVERIFY(engine.hasModel());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        tinyModel_ = writeTinyModel(dir_.path());
    }

    void samplingRunReportsEveryRecordedStep()
    {
        SamplingBench bench;
        auto& [engine, sampling, frames, finished] = bench;
        loadTiny(engine);
        QCOMPARE(engine.model().imageSize, 16);
        QSignalSpy started(&sampling, &SamplingProbe::started);
        JobHandle* run = sampling.start(quickSettings(40, 5));
        QVERIFY(run);
        QCOMPARE(engine.activeJob(kSamplingJobKind), run);
        QVERIFY(finished.wait(20000));
        QCOMPARE(started.count(), 1);
        const auto info = started.first().at(0).value<SamplingRunInfo>();
        QCOMPARE(info.totalSteps, 40);
        QCOMPARE(info.temperatures.size(), 40);
        const auto outcome = finished.first().at(0).value<SamplingOutcome>();
        QVERIFY2(!outcome.failed, qPrintable(outcome.message));
        QVERIFY(!outcome.stopped);
        // Every step recorded (recordEvery 1) plus the frame after the denoising jump.
        QCOMPARE(snapshotsIn(frames), 41);
        // Throttled: fewer batches than snapshots would be likely, never more.
        QVERIFY(frames.count() <= 41);
        const SampleSnapshot last = frames.last().at(0).value<SampleFrameBatch>().snapshots.last();
        QVERIFY(last.final);
        QCOMPARE(last.raw.size(), 5);
        QCOMPARE(last.energies.size(), 5);
        QCOMPARE(last.raw.front().size(), QSize(16, 16));
        QVERIFY(!engine.activeJob(kSamplingJobKind));
    }

    void denoisedPreviewIsRecordedEveryFewSteps()
    {
        SamplingBench bench;
        auto& [engine, sampling, frames, finished] = bench;
        loadTiny(engine);
        sampling.setDenoisedPreview(true);
        SamplingSettings settings = quickSettings(3 * kDenoisedPreviewEverySteps + 5, 3);
        settings.recordEvery = 1;  // every step recorded: the preview is not
        sampling.start(settings);
        QVERIFY(finished.wait(30000));
        QList<SampleSnapshot> snapshots;
        for (const QList<QVariant>& batch : frames)
            for (const SampleSnapshot& s : batch.at(0).value<SampleFrameBatch>().snapshots)
                snapshots.push_back(s);
        QList<int> previewed;
        for (const SampleSnapshot& s : snapshots) {
            if (s.final)
                continue;
            if (!s.denoised.isEmpty()) {
                previewed.push_back(s.step);
                QCOMPARE(s.denoised.size(), 3);
                QCOMPARE(s.denoised.front().size(), s.raw.front().size());
            }
        }
        // The first step and every kDenoisedPreviewEverySteps-th: one gradient in 20 steps.
        QCOMPARE(previewed, (QList<int>{1, kDenoisedPreviewEverySteps, 2 * kDenoisedPreviewEverySteps,
                                        3 * kDenoisedPreviewEverySteps}));
        QVERIFY(snapshots.last().final);
        QCOMPARE(snapshots.last().denoised.size(), 3);  // after the jump, the state is its own preview
    }

    void theHistoryShowsTheLatestPreviewUpToAMoment()
    {
        RunHistory history;
        SamplingRunInfo info;
        info.runId = 1;
        history.start(info);
        const auto snapshot = [](int step, int gray, bool withPreview) {
            SampleSnapshot s;
            s.step = step;
            QImage raw(4, 4, QImage::Format_Grayscale8);
            raw.fill(gray);
            s.raw = {raw};
            if (withPreview) {
                QImage denoised(4, 4, QImage::Format_Grayscale8);
                denoised.fill(255 - gray);
                s.denoised = {denoised};
            }
            return s;
        };
        history.append(SampleFrameBatch{1, {snapshot(1, 10, false), snapshot(2, 20, true), snapshot(3, 30, false)}});
        QCOMPARE(history.denoisedIndexAtOrBefore(0), -1);
        QCOMPARE(history.shownImagesAt(0, true), history.at(0).raw);  // none yet: the state itself
        QCOMPARE(history.denoisedIndexAtOrBefore(2), 1);
        QCOMPARE(history.shownImagesAt(2, true), history.at(1).denoised);
        QCOMPARE(history.shownImagesAt(2, false), history.at(2).raw);
        QCOMPARE(history.imagesAt(2, true), history.at(2).raw);  // what was recorded at the moment itself
        QCOMPARE(history.trajectory(0, true).at(2), history.at(1).denoised.front());
    }

    void samplingStartsFromChosenImages()
    {
        StudioEngine engine;
        loadTiny(engine);
        const QString start = QDir(dir_.path()).filePath(QStringLiteral("start.npy"));
        ebm::writeNpy(start.toStdString(), torch::full({3, 1, 16, 16}, 0.25));
        SamplingSettings s = quickSettings(4, 5);
        s.startFromImages = true;
        s.startImages = start;
        SamplingProbe sampling(&engine);
        QSignalSpy frames(&sampling, &SamplingProbe::frames);
        QSignalSpy finished(&sampling, &SamplingProbe::finished);
        sampling.start(s);
        QVERIFY(finished.wait(20000));
        QVERIFY2(!finished.first().at(0).value<SamplingOutcome>().failed,
                 qPrintable(finished.first().at(0).value<SamplingOutcome>().message));
        // Three images seed five chains (repeated), all of the model's shape.
        QCOMPARE(frames.first().at(0).value<SampleFrameBatch>().snapshots.first().raw.size(), 5);

        s.startImages = QDir(dir_.path()).filePath(QStringLiteral("no-such-images"));
        finished.clear();
        sampling.start(s);
        QVERIFY(finished.wait(20000));
        const auto outcome = finished.first().at(0).value<SamplingOutcome>();
        QVERIFY(outcome.failed);
        QVERIFY2(outcome.message.contains(QLatin1String("no-such-images")), qPrintable(outcome.message));
        QVERIFY(!engine.activeJob(kSamplingJobKind));
    }

    void pauseStopsFramesStepGivesExactlyOneAndStopAnswersFast()
    {
        SamplingBench bench;
        auto& [engine, sampling, frames, finished] = bench;
        loadTiny(engine);
        QSignalSpy paused(&sampling, &SamplingProbe::pausedChanged);
        sampling.start(quickSettings(100000, 4));  // far longer than the test
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 3, 20000);

        QElapsedTimer answer;
        answer.start();
        sampling.pause();
        QTRY_VERIFY_WITH_TIMEOUT(sampling.isPaused(), 5000);
        QVERIFY2(answer.elapsed() < 1000, qPrintable(QStringLiteral("pause took %1 ms").arg(answer.elapsed())));
        QCOMPARE(paused.last().at(0).toBool(), true);
        QTest::qWait(50);  // the flush that accompanies the pause has arrived
        const int pausedAt = lastStepIn(frames);
        frames.clear();
        QTest::qWait(300);
        QCOMPARE(frames.count(), 0);  // paused: nothing moves

        sampling.step();
        QTRY_COMPARE_WITH_TIMEOUT(frames.count(), 1, 5000);
        QTest::qWait(200);
        QCOMPARE(frames.count(), 1);  // exactly one step, then paused again
        const auto batch = frames.first().at(0).value<SampleFrameBatch>();
        QCOMPARE(batch.snapshots.size(), 1);
        QCOMPARE(batch.snapshots.front().step, pausedAt + 1);
        QVERIFY(sampling.isPaused());

        sampling.resume();
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 3, 5000);
        QVERIFY(!sampling.isPaused());

        answer.restart();
        sampling.stop();
        QVERIFY(finished.wait(5000));
        QVERIFY2(answer.elapsed() < 1000, qPrintable(QStringLiteral("stop took %1 ms").arg(answer.elapsed())));
        QVERIFY(finished.first().at(0).value<SamplingOutcome>().stopped);
        QVERIFY(!engine.activeJob(kSamplingJobKind));
    }

    void stopWhilePausedEndsTheRun()
    {
        SamplingBench bench;
        auto& [engine, sampling, frames, finished] = bench;
        loadTiny(engine);
        sampling.start(quickSettings(100000, 2));
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 1, 20000);
        sampling.pause();
        QTRY_VERIFY_WITH_TIMEOUT(sampling.isPaused(), 5000);
        sampling.stop();
        QVERIFY(finished.wait(5000));
        QVERIFY(finished.first().at(0).value<SamplingOutcome>().stopped);
    }

    void corruptModelKeepsTheLoadedOne()
    {
        StudioEngine engine;
        loadTiny(engine);
        const ModelInfo before = engine.model();

        const QString corrupt = QDir(dir_.path()).filePath(QStringLiteral("corrupt.ebm"));
        QFile file(corrupt);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("PK\x03\x04 this is not a checkpoint at all");
        file.close();
        QSignalSpy failed(&engine, &StudioEngine::modelLoadFailed);
        QSignalSpy loaded(&engine, &StudioEngine::modelLoaded);
        engine.loadModel(corrupt);
        QVERIFY(failed.wait(10000));
        const QString message = failed.first().at(1).toString();
        QVERIFY(!message.isEmpty());
        QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));  // one clear line
        QCOMPARE(loaded.count(), 0);
        QCOMPARE(engine.model().path, before.path);
        QVERIFY(engine.hasModel());

        // A truncated reference file too.
        const QString fixture = QStringLiteral(EBM_FIXTURES_DIR "/reference-res12-c8.pt");
        QVERIFY2(QFileInfo::exists(fixture), qPrintable(fixture + " is missing: the fixture lives in tests/data"));
        {
            QFile source(fixture);
            QVERIFY(source.open(QIODevice::ReadOnly));
            const QByteArray half = source.readAll().left(static_cast<int>(source.size() / 2));
            const QString truncated = QDir(dir_.path()).filePath(QStringLiteral("truncated.pt"));
            QFile out(truncated);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(half);
            out.close();
            engine.loadModel(truncated);
            QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 10000);
            QCOMPARE(engine.model().path, before.path);
        }

        // The kept model still samples.
        SamplingProbe sampling(&engine);
        QSignalSpy finished(&sampling, &SamplingProbe::finished);
        sampling.start(quickSettings(5, 2));
        QVERIFY(finished.wait(20000));
        QVERIFY(!finished.first().at(0).value<SamplingOutcome>().failed);
    }

    void opensTheReferencePytorchFile()
    {
        const QString fixture = QStringLiteral(EBM_FIXTURES_DIR "/reference-res12-c8.pt");
        QVERIFY2(QFileInfo::exists(fixture), qPrintable(fixture + " is missing: the fixture lives in tests/data"));
        StudioEngine engine;
        ModelInfo info;
        QVERIFY(loadAndWait(engine, fixture, 20000, info));
        QVERIFY2(info.description.startsWith(QLatin1String("res12-8")), qPrintable(info.description));
        QCOMPARE(info.format, QStringLiteral("pytorch-state-dict"));
    }

    /// A file with a weight average: the studio samples with the average, says so, saves both
    /// sets of weights back and exports the average for PyTorch.
    void averagedWeightsAreUsedSavedAndExported()
    {
        ebm::Checkpoint cp = ebm::loadCheckpoint(tinyModel_.toStdString());
        for (const auto& [name, tensor] : cp.weights)
            cp.averagedWeights[name] = tensor * 0.5;
        cp.hasTraining = true;
        cp.train.emaDecay = 0.99;
        cp.train.batchSize = 16;
        const QString averagedPath = QDir(dir_.path()).filePath(QStringLiteral("averaged.ebm"));
        ebm::saveCheckpoint(cp, averagedPath.toStdString());

        StudioEngine engine;
        ModelInfo info;
        QVERIFY(loadAndWait(engine, averagedPath, 10000, info));
        QVERIFY(info.averagedWeights);
        QVERIFY2(info.weights.contains(QLatin1String("averaged weights (EMA 0.99)")), qPrintable(info.weights));

        QSignalSpy saved(&engine, &StudioEngine::modelSaved);
        const QString savedPath = QDir(dir_.path()).filePath(QStringLiteral("saved-again.ebm"));
        engine.saveModel(savedPath);
        QVERIFY(saved.wait(10000));
        const ebm::Checkpoint back = ebm::loadCheckpoint(savedPath.toStdString());
        QCOMPARE(back.averagedWeights.size(), cp.averagedWeights.size());
        for (const auto& [name, tensor] : cp.weights) {
            QVERIFY2(torch::equal(back.weights.at(name), tensor), name.c_str());
            QVERIFY2(torch::equal(back.averagedWeights.at(name), cp.averagedWeights.at(name)), name.c_str());
        }

        QSignalSpy notice(&engine, &StudioEngine::notice);
        const QString exported = QDir(dir_.path()).filePath(QStringLiteral("exported.pt"));
        engine.exportPytorch(exported);
        QVERIFY(notice.wait(10000));
        QVERIFY2(notice.last().at(0).toString().contains(QLatin1String("for PyTorch")), qPrintable(notice.last().at(0).toString()));
        const auto stateDict = ebm::readPytorchStateDict(exported.toStdString());
        for (const auto& [name, tensor] : cp.averagedWeights)
            QVERIFY2(torch::equal(stateDict.at(name), tensor), name.c_str());
        QVERIFY(stateDict.count("rb1.bn1.weight"));  // the reference layout's unused LayerNorms
    }

    void missingBundledModelGivesMessageAndStandIn()
    {
        qputenv("EBM_DEFAULT_MODEL", QDir(dir_.path()).filePath(QStringLiteral("does-not-exist.ebm")).toUtf8());
        StudioEngine engine;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        QSignalSpy problem(&engine, &StudioEngine::problem);
        QSignalSpy loaded(&engine, &StudioEngine::modelLoaded);
        engine.loadBundledModel();
        QVERIFY(loaded.wait(10000));
        qunsetenv("EBM_DEFAULT_MODEL");
        QVERIFY(loaded.first().at(0).value<ModelInfo>().fallback);
        QVERIFY(!problem.isEmpty());
        QVERIFY(problem.first().at(0).toString().contains(QLatin1String("not found")));
    }

    void trainingReportsPausesStepsSamplesSavesAndResumes()
    {
        StudioEngine engine;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        const QString data = writeTinyData(dir_.path(), QStringLiteral("tiny.npy"));
        const QString checkpoint = QDir(dir_.path()).filePath(QStringLiteral("run/train.ebm"));
        TrainingProbe training(&engine);
        QSignalSpy started(&training, &TrainingProbe::started);
        QSignalSpy progress(&training, &TrainingProbe::progress);
        QSignalSpy previews(&training, &TrainingProbe::preview);
        QSignalSpy finished(&training, &TrainingProbe::finished);
        QSignalSpy saved(&engine, &StudioEngine::checkpointSaved);
        QVERIFY(training.start(tinyTraining(data, checkpoint)));
        QVERIFY(started.wait(20000));
        QTRY_VERIFY_WITH_TIMEOUT(lastTrainStep(progress) >= 6, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(previews.count() >= 1, 20000);
        const auto preview = previews.first().at(0).value<TrainingPreview>();
        QVERIFY(!preview.grid.isNull());
        const auto point = progress.first().at(0).value<TrainProgressBatch>().points.first();
        QVERIFY(std::isfinite(point.loss));
        QVERIFY(point.learningRate > 0);

        training.pause();
        QTRY_VERIFY_WITH_TIMEOUT(training.isPaused(), 10000);
        QTest::qWait(50);
        const qint64 pausedAt = lastTrainStep(progress);
        progress.clear();
        QTest::qWait(300);
        QCOMPARE(progress.count(), 0);

        training.step();
        QTRY_COMPARE_WITH_TIMEOUT(progress.count(), 1, 5000);
        QTest::qWait(200);
        QCOMPARE(progress.count(), 1);
        const auto stepped = progress.first().at(0).value<TrainProgressBatch>();
        QCOMPARE(stepped.points.size(), 1);
        QCOMPARE(stepped.points.front().step, pausedAt + 1);

        // Sample from the current weights while training waits (a guest between two steps).
        SamplingProbe sampling(&engine);
        QSignalSpy samplingStarted(&sampling, &SamplingProbe::started);
        QSignalSpy samplingFinished(&sampling, &SamplingProbe::finished);
        QVERIFY(sampling.start(quickSettings(10, 3)));
        QVERIFY(samplingFinished.wait(20000));
        QVERIFY(samplingStarted.first().at(0).value<SamplingRunInfo>().fromTrainingWeights);
        QVERIFY(!samplingFinished.first().at(0).value<SamplingOutcome>().failed);
        QVERIFY(training.isPaused());
        QCOMPARE(progress.count(), 1);  // training did not move meanwhile

        // Save now, while paused: saving the model during training goes to the run.
        const QString now = QDir(dir_.path()).filePath(QStringLiteral("now.ebm"));
        QCOMPARE(engine.trainingRun(), training.handle());
        engine.saveModel(now);
        QVERIFY(saved.wait(10000));
        QVERIFY(QFileInfo::exists(now));

        training.resume();
        QTRY_VERIFY_WITH_TIMEOUT(lastTrainStep(progress) > pausedAt + 3, 10000);
        training.stop();
        QVERIFY(finished.wait(10000));
        const auto outcome = finished.first().at(0).value<TrainingOutcome>();
        QVERIFY(outcome.stopped);
        QVERIFY(!outcome.failed);
        QVERIFY(QFileInfo::exists(checkpoint));  // written at the end of the run
        QVERIFY(engine.model().fromTraining);     // the trained weights are ready to sample

        // Resume the checkpoint written at the end: it continues at the next step.
        TrainingSettings cadence = tinyTraining(data, QString());
        cadence.previewEvery = 0;
        started.clear();
        finished.clear();
        progress.clear();
        QVERIFY(training.start(cadence, checkpoint));
        QVERIFY(started.wait(20000));
        const auto resumed = started.first().at(0).value<TrainingRunInfo>();
        QCOMPARE(resumed.startStep, outcome.step);
        QCOMPARE(resumed.totalSteps, qint64(1000000));  // the plan of the checkpoint
        QVERIFY(!resumed.history.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 1, 10000);
        QCOMPARE(progress.first().at(0).value<TrainProgressBatch>().points.first().step, outcome.step + 1);
        training.stop();
        QVERIFY(finished.wait(10000));
        QVERIFY(finished.first().at(0).value<TrainingOutcome>().stopped);
    }

    void resumingAFinishedRunExtendsIt()
    {
        StudioEngine engine;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        const QString data = writeTinyData(dir_.path(), QStringLiteral("short.npy"));
        const QString checkpoint = QDir(dir_.path()).filePath(QStringLiteral("short.ebm"));
        TrainingSettings t = tinyTraining(data, checkpoint);
        t.steps = 4;
        t.previewEvery = 0;
        TrainingProbe training(&engine);
        QSignalSpy finished(&training, &TrainingProbe::finished);
        QVERIFY(training.start(t));
        QVERIFY(finished.wait(20000));
        QVERIFY(finished.first().at(0).value<TrainingOutcome>().completed);
        t.steps = 7;
        finished.clear();
        QVERIFY(training.start(t, checkpoint));
        QVERIFY(finished.wait(20000));
        const auto done = finished.first().at(0).value<TrainingOutcome>();
        QVERIFY2(done.completed, qPrintable(done.message));
        QCOMPARE(done.step, qint64(7));
    }

    /// Fine-tuning trains the starting file's architecture (not the form's) and says so; a
    /// missing starting file is one clear message.
    void fineTuningTrainsTheStartingWeights()
    {
        StudioEngine engine;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        const QString data = writeTinyData(dir_.path(), QStringLiteral("tune.npy"));
        const QString checkpoint = QDir(dir_.path()).filePath(QStringLiteral("tuned.ebm"));
        const QString start = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("start.ebm"), 16, 3, 9);
        TrainingSettings t = tinyTraining(data, checkpoint);   // the form says res6-2
        t.steps = 2;
        t.previewEvery = 0;
        t.initialWeights = start;
        TrainingProbe training(&engine);
        QSignalSpy started(&training, &TrainingProbe::started);
        QSignalSpy finished(&training, &TrainingProbe::finished);
        QVERIFY(training.start(t));
        QVERIFY(finished.wait(20000));
        const auto done = finished.first().at(0).value<TrainingOutcome>();
        QVERIFY2(done.completed, qPrintable(done.message));
        QCOMPARE(started.count(), 1);
        const QString description = started.first().at(0).value<TrainingRunInfo>().modelDescription;
        QVERIFY2(description.contains(QLatin1String("res6-3")) && description.contains(QLatin1String("start.ebm")),
                 qPrintable(description));
        const ebm::Checkpoint saved = ebm::loadCheckpoint(checkpoint.toStdString());
        QCOMPARE(saved.model.baseWidth, 3);
        QCOMPARE(saved.step, int64_t(2));

        t.initialWeights = QDir(dir_.path()).filePath(QStringLiteral("no-such-start.ebm"));
        finished.clear();
        QVERIFY(training.start(t));
        QVERIFY(finished.wait(20000));
        const auto failed = finished.first().at(0).value<TrainingOutcome>();
        QVERIFY(failed.failed);
        QVERIFY2(failed.message.contains(QLatin1String("no-such-start.ebm")), qPrintable(failed.message));
    }

    void nonFiniteLossGivesAMessageNotACrash()
    {
        StudioEngine engine;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        const QString data = writeTinyData(dir_.path(), QStringLiteral("nan.npy"), true);
        TrainingProbe training(&engine);
        QSignalSpy finished(&training, &TrainingProbe::finished);
        TrainingSettings t = tinyTraining(data, QDir(dir_.path()).filePath(QStringLiteral("nan.ebm")));
        t.batchSize = 64;  // the NaN is in every batch
        QVERIFY(training.start(t));
        QVERIFY(finished.wait(20000));
        const auto outcome = finished.first().at(0).value<TrainingOutcome>();
        QVERIFY(outcome.failed);
        QVERIFY2(outcome.message.contains(QLatin1String("NaN")), qPrintable(outcome.message));
        QVERIFY(!engine.trainingRun());
        QVERIFY(!QFileInfo::exists(QDir(dir_.path()).filePath(QStringLiteral("nan.ebm"))));
    }

    void badTrainingDataSayWhy()
    {
        StudioEngine engine;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        TrainingProbe training(&engine);
        QSignalSpy finished(&training, &TrainingProbe::finished);
        TrainingSettings t = tinyTraining(QDir(dir_.path()).filePath(QStringLiteral("missing.npy")), QString());
        QVERIFY(training.start(t));
        QVERIFY(finished.wait(20000));
        const auto outcome = finished.first().at(0).value<TrainingOutcome>();
        QVERIFY(outcome.failed);
        QVERIFY2(outcome.message.contains(QLatin1String("missing.npy")), qPrintable(outcome.message));
    }
};

EBM_UI_TEST_MAIN(TestUiEngine)

#include "test_ui_engine.moc"
#include "moc_ui_job_probes.cpp"
