// The Sample page's Sweep dialog (issue 27): the estimate of a sweep's time before it starts, a
// 2x2 sweep of the loaded model through the dialog's Start button (each cell drawn in the grid as
// it ends, while the sweep still runs; the labelled picture of the expected size, the axes' values
// in its labels, every cell's energy), Stop (keeping the cells done, exported with the missing
// ones named), the refusal of values a setting cannot take, and the exported PNG keeping the
// sweep's settings.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>

#include <cmath>
#include <optional>
#include <string>

#include "ebm/base/png_settings.h"
#include "ebm/io/labelled_grid.h"
#include "worker/studio_engine.h"
#include "widgets/run_controls.h"
#include "annealing/sampling_types.h"
#include "pages/sample/sweep_dialog.h"
#include "pages/sample/sweep_job.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

constexpr int kWaitMs = 60000;
constexpr int kImageSize = 16;
constexpr int kSamplesPerCell = 4;

/// A short quick schedule: every cell a few milliseconds.
SamplingSettings shortRun(int steps)
{
    SamplingSettings s;
    s.schedulePreset = QStringLiteral("quick");
    s.steps = steps;
    s.seed = 3;
    s.precision = QStringLiteral("float32");
    return s;
}

void chooseAxis(SweepDialog& dialog, int axis, const QString& setting, const QString& values)
{
    QComboBox* combo = dialog.axisSetting(axis);
    combo->setCurrentIndex(combo->findData(setting));
    dialog.axisValues(axis)->setText(values);
}

/// Whether the dialog's picture shows `cell`'s samples where the grid as it fills puts them.
bool pictureShowsCell(const SweepDialog& dialog, const SweepCellInfo& cell)
{
    const QRect place = dialog.fillingCellRect(cell.index);
    if (place.isEmpty() || cell.picture.isNull() || dialog.shownPicture().isNull())
        return false;
    return dialog.shownPicture().copy(place).convertToFormat(QImage::Format_RGB888) ==
           cell.picture.convertToFormat(QImage::Format_RGB888);
}

}  // namespace

class TestUiSweep : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString tinyModel_;

    /// The engine with the tiny model loaded on one CPU thread.
    bool loadTiny(StudioEngine& engine)
    {
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        QSignalSpy loaded(&engine, &StudioEngine::modelLoaded);
        engine.loadModel(tinyModel_);
        return loaded.wait(20000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        tinyModel_ = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), kImageSize, 2, 11);
    }

    void aTwoByTwoSweepGivesTheLabelledGrid()
    {
        StudioEngine engine;
        QVERIFY(loadTiny(engine));
        SweepDialog dialog(&engine);
        dialog.setBaseSettings(shortRun(6));
        chooseAxis(dialog, 0, QStringLiteral("step-size"), QStringLiteral("0.01, 0.02"));
        chooseAxis(dialog, 1, QStringLiteral("seed"), QStringLiteral("1,2"));
        dialog.samplesPerCell()->setValue(kSamplesPerCell);
        QVERIFY2(dialog.requestProblem().isEmpty(), qPrintable(dialog.requestProblem()));

        // The estimate before it starts: four cells of six steps, timed on the worker.
        QSignalSpy estimated(&dialog, &SweepDialog::estimateReady);
        dialog.show();
        QVERIFY(estimated.wait(kWaitMs));
        const SweepEstimateOutcome estimate = estimated.last().at(0).value<SweepEstimateOutcome>();
        QVERIFY2(!estimate.failed, qPrintable(estimate.message));
        QCOMPARE(estimate.cells, 4);
        QCOMPARE(estimate.totalSteps, qint64(24));
        QVERIFY(estimate.seconds > 0.0);
        QVERIFY2(dialog.estimateLabel()->text().contains(QLatin1String("4 cells")),
                 qPrintable(dialog.estimateLabel()->text()));

        QSignalSpy finished(&dialog, &SweepDialog::sweepFinished);
        // Each cell as it ends: drawn in the grid while the sweep still runs, before its picture.
        QVector<int> shownWhileRunning;
        connect(&dialog, &SweepDialog::cellShown, this, [&](const SweepCellInfo& cell) {
            if (dialog.isRunning() && finished.isEmpty() && pictureShowsCell(dialog, cell))
                shownWhileRunning << cell.index;
        });
        QVERIFY(dialog.runControls()->startButton()->isEnabled());
        dialog.runControls()->startButton()->click();
        QVERIFY(dialog.isRunning());
        QVERIFY(finished.wait(kWaitMs));
        const SweepOutcome outcome = finished.first().at(0).value<SweepOutcome>();
        QVERIFY2(!outcome.failed, qPrintable(outcome.message));
        QVERIFY(!outcome.stopped);
        QCOMPARE(outcome.columns, 2);
        QCOMPARE(outcome.rows, 2);
        QCOMPARE(outcome.meanFinalEnergies.size(), 4);
        for (double energy : outcome.meanFinalEnergies)
            QVERIFY(std::isfinite(energy));
        QCOMPARE(shownWhileRunning, (QVector<int>{0, 1, 2, 3}));  // every cell once, in order
        QCOMPARE(outcome.cellNotes, QStringList(4, QString()));
        QCOMPARE(dialog.endedCells().size(), 4);
        for (const SweepCellInfo& cell : dialog.endedCells()) {
            QCOMPARE(cell.column, cell.index % 2);
            QCOMPARE(cell.row, cell.index / 2);
            QCOMPARE(cell.meanFinalEnergy, outcome.meanFinalEnergies[cell.index]);
        }
        QCOMPARE(dialog.shownPicture(), dialog.resultImage());  // once ended: the picture Export writes

        // The axes' values in the labels, as drawn.
        QCOMPARE(dialog.columnLabels(), (QStringList{QStringLiteral("step-size = 0.01"), QStringLiteral("step-size = 0.02")}));
        QCOMPARE(dialog.rowLabels(), (QStringList{QStringLiteral("seed = 1"), QStringLiteral("seed = 2")}));
        QCOMPARE(outcome.columnTitle, QStringLiteral("step-size"));
        QCOMPARE(outcome.rowTitle, QStringLiteral("seed"));

        // The picture: four cells of four 16x16 samples with those labels, as core composes them.
        std::vector<ebm::LabelledGridCell> cells(4, ebm::LabelledGridCell{torch::zeros({kSamplesPerCell, 1, kImageSize, kImageSize}), {}});
        const ebm::LabelledGrid expected =
            ebm::makeLabelledGrid(cells, 2, {"step-size", {"step-size = 0.01", "step-size = 0.02"}},
                                  {"seed", {"seed = 1", "seed = 2"}});
        const QImage picture = dialog.resultImage();
        QVERIFY(!picture.isNull());
        QCOMPARE(picture.size(), QSize(expected.width, expected.height));
        QVERIFY(picture.width() >= 2 * (2 * (kImageSize + 2) + 2));  // two cells of a 2x2 grid each, at least
        QCOMPARE(dialog.progressBar()->value(), dialog.progressBar()->maximum());
        QVERIFY(dialog.exportButton()->isEnabled());
        QVERIFY(dialog.runControls()->startButton()->isEnabled());

        // Exported, the picture keeps the settings every cell shared and the axes.
        const QString path = QDir(dir_.path()).filePath(QStringLiteral("sweep.png"));
        QString error;
        QVERIFY2(dialog.exportPng(path, error), qPrintable(error));
        const std::optional<std::string> settings = ebm::readPngSettings(path.toStdString());
        QVERIFY(settings.has_value());
        const QString text = QString::fromStdString(*settings);
        QVERIFY2(text.contains(QLatin1String("\"command\":\"studio sweep\"")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("\"sweep\":{\"x\":{\"setting\":\"step-size\",\"values\":[\"0.01\",\"0.02\"]},"
                                             "\"y\":{\"setting\":\"seed\",\"values\":[\"1\",\"2\"]}}")),
                 qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("\"samples\":4")), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String("missing_cells")), qPrintable(text));  // every cell is there
    }

    void valuesASettingCannotTakeAreRefused()
    {
        StudioEngine engine;
        QVERIFY(loadTiny(engine));
        SweepDialog dialog(&engine);
        dialog.setBaseSettings(shortRun(6));
        chooseAxis(dialog, 0, QStringLiteral("steps"), QStringLiteral("10, ten"));
        QVERIFY2(dialog.requestProblem().contains(QLatin1String("'ten' is not a whole number")),
                 qPrintable(dialog.requestProblem()));
        QVERIFY(!dialog.runControls()->startButton()->isEnabled());
        QSignalSpy estimated(&dialog, &SweepDialog::estimateReady);
        dialog.updateEstimate();
        QCOMPARE(estimated.count(), 1);  // at once, without the worker
        QVERIFY(estimated.first().at(0).value<SweepEstimateOutcome>().failed);
        QVERIFY(dialog.estimateLabel()->text().contains(QLatin1String("'ten'")));
        // One setting on both axes.
        chooseAxis(dialog, 0, QStringLiteral("seed"), QStringLiteral("1,2"));
        chooseAxis(dialog, 1, QStringLiteral("seed"), QStringLiteral("3"));
        QVERIFY(dialog.requestProblem().contains(QLatin1String("like the columns")));
        QVERIFY(!dialog.runControls()->startButton()->isEnabled());
        // Choosing a setting whose values the field does not hold starts from an example of its own.
        dialog.axisSetting(1)->setCurrentIndex(0);  // none: one axis
        dialog.axisSetting(0)->setCurrentIndex(dialog.axisSetting(0)->findData(QStringLiteral("sampler")));
        QCOMPARE(dialog.axisValues(0)->text(), QStringLiteral("langevin, mala"));
        QVERIFY(dialog.requestProblem().isEmpty());
    }

    void stopEndsTheSweep()
    {
        StudioEngine engine;
        QVERIFY(loadTiny(engine));
        SweepDialog dialog(&engine);
        dialog.setBaseSettings(shortRun(200000));  // minutes: only Stop ends it in time
        chooseAxis(dialog, 0, QStringLiteral("seed"), QStringLiteral("1, 2"));
        dialog.samplesPerCell()->setValue(2);
        QSignalSpy finished(&dialog, &SweepDialog::sweepFinished);
        dialog.startSweep();
        QVERIFY(dialog.isRunning());
        QVERIFY(dialog.runControls()->stopButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(dialog.progressBar()->value() > 0 || dialog.statusLabel()->text().contains(QLatin1String("step")),
                                 kWaitMs);
        dialog.runControls()->stopButton()->click();
        QVERIFY(finished.wait(kWaitMs));
        const SweepOutcome outcome = finished.first().at(0).value<SweepOutcome>();
        QVERIFY2(!outcome.failed, qPrintable(outcome.message));
        QVERIFY(outcome.stopped);
        QCOMPARE(outcome.meanFinalEnergies.size(), 1);  // the first cell, stopped; the second never ran
        QVERIFY(std::isnan(outcome.meanFinalEnergies[0]));
        QVERIFY(!dialog.isRunning());
        QVERIFY(dialog.statusLabel()->text().startsWith(QLatin1String("Stopped")));
    }

    void aStoppedSweepKeepsTheCellsItHasDone()
    {
        StudioEngine engine;
        QVERIFY(loadTiny(engine));
        SweepDialog dialog(&engine);
        dialog.setBaseSettings(shortRun(6));
        chooseAxis(dialog, 0, QStringLiteral("steps"), QStringLiteral("6, 200000"));  // the second cell: minutes
        dialog.samplesPerCell()->setValue(2);
        QSignalSpy shown(&dialog, &SweepDialog::cellShown);
        QSignalSpy finished(&dialog, &SweepDialog::sweepFinished);
        dialog.startSweep();
        QVERIFY(shown.wait(kWaitMs));
        QVERIFY(dialog.isRunning());
        const SweepCellInfo first = shown.first().at(0).value<SweepCellInfo>();
        QCOMPARE(first.index, 0);
        QVERIFY(first.note.isEmpty());
        QVERIFY(std::isfinite(first.meanFinalEnergy));
        QVERIFY(pictureShowsCell(dialog, first));
        QVERIFY(dialog.fillingCellRect(1).isEmpty());  // the running one: a grey box

        dialog.runControls()->stopButton()->click();
        QVERIFY(finished.wait(kWaitMs));
        const SweepOutcome outcome = finished.first().at(0).value<SweepOutcome>();
        QVERIFY2(!outcome.failed, qPrintable(outcome.message));
        QVERIFY(outcome.stopped);
        QCOMPARE(outcome.meanFinalEnergies.size(), 2);
        QCOMPARE(outcome.meanFinalEnergies[0], first.meanFinalEnergy);
        QVERIFY(std::isnan(outcome.meanFinalEnergies[1]));
        QCOMPARE(outcome.cellNotes, (QStringList{QString(), kSweepCellStopped}));
        QCOMPARE(dialog.endedCells().size(), 2);
        QCOMPARE(dialog.endedCells()[1].note, kSweepCellStopped);
        QVERIFY(!dialog.resultImage().isNull());
        QCOMPARE(dialog.shownPicture(), dialog.resultImage());
        QVERIFY2(dialog.statusLabel()->text().startsWith(QLatin1String("Stopped with 1 of 2 cells done")),
                 qPrintable(dialog.statusLabel()->text()));

        // Exported, the picture says which cell it lacks and why.
        QVERIFY(dialog.exportButton()->isEnabled());
        const QString path = QDir(dir_.path()).filePath(QStringLiteral("stopped-sweep.png"));
        QString error;
        QVERIFY2(dialog.exportPng(path, error), qPrintable(error));
        const std::optional<std::string> settings = ebm::readPngSettings(path.toStdString());
        QVERIFY(settings.has_value());
        const QString text = QString::fromStdString(*settings);
        QVERIFY2(text.contains(QLatin1String("\"missing_cells\":[{\"column\":1,\"row\":0,\"why\":\"stopped\"}]")),
                 qPrintable(text));
    }
};

EBM_UI_TEST_MAIN(TestUiSweep)

#include "test_ui_sweep.moc"
