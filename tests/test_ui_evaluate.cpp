// The Evaluate page driven as a person would: choose measures, press Evaluate, watch stage
// progress, read the figures, stop a long run, and get a clear message for bad input. The
// figures come from the same code as `ebm eval` (ebm/eval/evaluation_pipeline.h), so they are checked
// for consistency here (counts, shapes, finite values, valid JSON), not for quality.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUndoStack>


#include <cmath>

#include "ebm/nn/model.h"
#include "ebm/io/checkpoint.h"
#include "worker/job_kinds.h"
#include "worker/studio_engine.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/undo_fields.h"
#include "annealing/annealing_hub.h"
#include "pages/evaluate/class_histogram_chart.h"
#include "pages/evaluate/evaluate_view.h"
#include "pages/sample/sample_view.h"
#include "ui_job_probes.h"
#include "ui_test_main.h"

using namespace ebm::studio;
using ebm::testing::EvaluationProbe;

namespace {

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
constexpr int kFinishTimeoutMs = 240000;

/// Small enough to finish in seconds on two cores, large enough to exercise every stage.
EvaluationSettings quickSettings()
{
    EvaluationSettings s;
    s.fid = s.inceptionLike = s.neighbours = s.likelihood = true;
    s.numSamples = 16;
    s.schedulePreset = QStringLiteral("quick");
    s.steps = 30;
    s.referenceLimit = 300;
    s.neighbourQueries = 4;
    s.neighboursPerQuery = 3;
    s.aisSteps = 20;
    s.aisImages = 4;
    s.aisChains = 4;
    s.aisLeapfrog = 2;
    return s;
}

}  // namespace

class TestUiEvaluate : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QUndoStack stack_;
    UndoFieldBinder* undo_ = nullptr;
    StudioEngine* engine_ = nullptr;
    EvaluateView* view_ = nullptr;

    void loadTinyModel()
    {
        QSignalSpy loaded(engine_, &StudioEngine::modelLoaded);
        QVERIFY(engine_->loadModel(ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), 32, 4, 5)));
        QVERIFY(loaded.wait(30000));
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(QString::fromLatin1(kFashionMnistDir)))
            QSKIP("dataset-fashion-mnist is not installed: the evaluation compares with its images");
        QVERIFY(dir_.isValid());
        undo_ = new UndoFieldBinder(&stack_, this);
        engine_ = new StudioEngine(this);
        view_ = new EvaluateView(engine_, undo_);
        view_->resize(1200, 800);
        view_->show();
        loadTinyModel();
    }

    void cleanupTestCase()
    {
        delete view_;
        delete engine_;
    }

    void everyStageReportsAndShowsFigures()
    {
        view_->setSettings(quickSettings());
        EvaluationProbe evaluation(engine_, EvaluationProbe::EveryJob);
        QSignalSpy progress(&evaluation, &EvaluationProbe::progress);
        QSignalSpy finished(&evaluation, &EvaluationProbe::finished);
        QVERIFY(view_->evaluateButton()->isEnabled());
        view_->evaluateButton()->click();
        QVERIFY(engine_->activeJob(kEvaluationJobKind));
        QVERIFY(!view_->evaluateButton()->isEnabled());
        QVERIFY(view_->stopButton()->isEnabled());
        // Other jobs wait for the cores: the Sample page refuses to sample while evaluating.
        {
            AnnealingHub annealing;
            SampleView sample(engine_, &annealing, undo_);
            QSignalSpy refused(&sample, &StudioPage::problem);
            QVERIFY(!sample.canStart());
            sample.startSampling();
            QCOMPARE(refused.count(), 1);
            QVERIFY2(refused.first().at(0).toString().contains(QLatin1String("Wait for the running job")),
                     qPrintable(refused.first().at(0).toString()));
            QVERIFY(!sample.isRunning());
            QVERIFY(!engine_->activeJob(kSamplingJobKind));
        }
        QVERIFY(finished.wait(kFinishTimeoutMs));

        const auto outcome = finished.takeFirst().at(0).value<EvaluationOutcome>();
        QVERIFY2(outcome.completed, qPrintable(outcome.message));
        QVERIFY(!engine_->activeJob(kEvaluationJobKind));
        QVERIFY(view_->evaluateButton()->isEnabled());

        // Progress went through the four stages in order, each named.
        QVERIFY(progress.count() >= 4);
        int lastStage = -1;
        for (const auto& args : progress) {
            const auto p = args.at(0).value<EvaluationProgressInfo>();
            QCOMPARE(p.stageCount, 4);
            QVERIFY(p.stageIndex >= lastStage);
            QVERIFY(!p.stage.isEmpty());
            QVERIFY(p.fraction >= 0.0 && p.fraction <= 1.0 + 1e-9);
            lastStage = p.stageIndex;
        }
        QCOMPARE(lastStage, 3);
        QCOMPARE(view_->progress()->value(), view_->progress()->maximum());

        // Figures: finite, counted over the right sets.
        QVERIFY(outcome.haveFid && std::isfinite(outcome.fid) && outcome.fid > 0.0);
        QVERIFY(std::isfinite(outcome.fidFloor) && outcome.fidFloor >= 0.0);
        QVERIFY2(outcome.fidFloor < outcome.fid, "real images must be closer to the test set than an untrained model's samples");
        QCOMPARE(outcome.referenceCount, qint64(300));
        QCOMPARE(outcome.floorCount, qint64(16));
        QVERIFY(outcome.haveInceptionLike);
        QVERIFY(outcome.inceptionLike >= 1.0 - 1e-9 && outcome.inceptionLike <= 10.0 + 1e-9);
        QCOMPARE(outcome.classCounts.size(), 10);
        QCOMPARE(outcome.classNames.size(), 10);
        QCOMPARE(outcome.classNames.first(), QStringLiteral("T-shirt/top"));
        qint64 samples = 0, real = 0;
        for (int k = 0; k < 10; ++k) {
            samples += outcome.classCounts[k];
            real += outcome.realClassCounts[k];
        }
        QCOMPARE(samples, qint64(16));
        QCOMPARE(real, qint64(16));
        QVERIFY(outcome.haveNeighbours);
        QCOMPARE(outcome.nearestDistances.size(), 4);
        for (double d : outcome.nearestDistances)
            QVERIFY(std::isfinite(d) && d > 0.0);
        // A row per sample holding the sample and its three neighbours.
        QVERIFY(!outcome.neighbourGrid.isNull());
        QVERIFY(outcome.neighbourGrid.width() >= 4 * 32 && outcome.neighbourGrid.width() < 5 * 32);
        QVERIFY(outcome.neighbourGrid.height() >= 4 * 32 && outcome.neighbourGrid.height() < 5 * 32);
        QVERIFY(outcome.haveLikelihood && outcome.aisForward && outcome.aisReverse);
        QVERIFY(std::isfinite(outcome.forwardBitsPerDim) && std::isfinite(outcome.reverseBitsPerDim));

        // The report is the `ebm eval --json` document.
        const QJsonDocument json = QJsonDocument::fromJson(outcome.reportJson.toUtf8());
        QVERIFY(json.isObject());
        // JSON carries 9 significant digits.
        const double jsonFid = json.object().value(QStringLiteral("fid")).toObject().value(QStringLiteral("value")).toDouble();
        QVERIFY(std::abs(jsonFid - outcome.fid) <= 1e-8 * outcome.fid);
        QVERIFY(json.object().contains(QStringLiteral("ais")));
        QVERIFY(outcome.reportText.contains(QStringLiteral("FID-like")));

        // The page shows them: table rows, two bar series, the neighbour picture.
        QVERIFY(view_->figures()->rowCount() >= 7);
        QCOMPARE(view_->classChart()->plot()->plottableCount(), 2);
        // ...and says how many images each series counts.
        const QString note = view_->classCountNote()->text();
        QVERIFY2(note.contains(QStringLiteral("%1 samples").arg(samples)) &&
                     note.contains(QStringLiteral("%1 real training images").arg(real)),
                 qPrintable(note));
        QVERIFY(!view_->neighbourImage()->pixmap().isNull());

        const QString path = QDir(dir_.path()).filePath(QStringLiteral("report.json"));
        view_->saveReport(path);
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(saved.readAll()), outcome.reportJson);
    }

    void stopEndsALongRunAndKeepsTheLastFigures()
    {
        const double previousFid = view_->lastOutcome().fid;
        EvaluationSettings s = quickSettings();
        s.likelihood = false;
        s.numSamples = 512;
        s.schedulePreset = QStringLiteral("paper");
        s.steps = 2700;
        view_->setSettings(s);
        EvaluationProbe evaluation(engine_, EvaluationProbe::EveryJob);
        QSignalSpy progress(&evaluation, &EvaluationProbe::progress);
        QSignalSpy finished(&evaluation, &EvaluationProbe::finished);
        view_->evaluateButton()->click();
        QVERIFY(progress.wait(30000));
        QElapsedTimer stopping;
        stopping.start();
        view_->stopButton()->click();
        QVERIFY(finished.wait(30000));
        const auto outcome = finished.takeFirst().at(0).value<EvaluationOutcome>();
        QVERIFY(outcome.stopped);
        QVERIFY(!outcome.completed);
        QVERIFY2(stopping.elapsed() < 20000, "stop must take effect within a few sampler steps");
        QVERIFY(!engine_->activeJob(kEvaluationJobKind));
        QCOMPARE(view_->lastOutcome().fid, previousFid);
        QVERIFY(view_->evaluateButton()->isEnabled());
    }

    void missingSamplesFileIsAClearError()
    {
        EvaluationSettings s = quickSettings();
        s.likelihood = false;
        s.samplesPath = QDir(dir_.path()).filePath(QStringLiteral("no-such-samples.npy"));
        view_->setSettings(s);
        EvaluationProbe evaluation(engine_, EvaluationProbe::EveryJob);
        QSignalSpy finished(&evaluation, &EvaluationProbe::finished);
        QSignalSpy problems(view_, &EvaluateView::problem);
        view_->evaluateButton()->click();
        QVERIFY(finished.wait(60000));
        const auto outcome = finished.takeFirst().at(0).value<EvaluationOutcome>();
        QVERIFY(outcome.failed);
        QVERIFY2(outcome.message.contains(QStringLiteral("no-such-samples.npy")), qPrintable(outcome.message));
        QCOMPARE(problems.count(), 1);
        QVERIFY(view_->evaluateButton()->isEnabled());
        QVERIFY(engine_->hasModel());  // the model is untouched
    }

    /// Restoring remembered settings shows them in the fields and is not an undoable edit.
    void settingsShowWithoutUndoSteps()
    {
        const int undoSteps = stack_.count();
        EvaluationSettings s = quickSettings();
        s.schedulePreset = QStringLiteral("paper-linear");
        s.steps = 777;
        s.seed = 42;
        s.aisTransition = QStringLiteral("mala");
        view_->setSettings(s);
        const EvaluationSettings shown = view_->settings();
        QCOMPARE(shown.schedulePreset, s.schedulePreset);
        QCOMPARE(shown.steps, 777);
        QCOMPARE(shown.seed, quint64(42));
        QCOMPARE(shown.numSamples, s.numSamples);
        QCOMPARE(shown.aisTransition, s.aisTransition);
        QCOMPARE(stack_.count(), undoSteps);
    }
};

EBM_UI_TEST_MAIN(TestUiEvaluate)

#include "worker/evaluation_types.h"
#include "test_ui_evaluate.moc"
#include "moc_ui_job_probes.cpp"
