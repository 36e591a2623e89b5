// Issue 23: the Train page's duration estimate calibrated from a run's first steps and kept
// between runs of the studio; its loss chart's smoothing, x axis and CSV export; the window's
// model label with the steps of every run; Save Session's suggested name; and the F1 list
// with the keys each page handles itself and a fixed Undo row.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QAction>
#include <QApplication>
#include <QDate>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QUndoCommand>
#include <QUndoStack>

#include <cmath>
#include <limits>

#include "ebm/nn/model.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "worker/studio_engine.h"
#include "widgets/qcustomplot_include.h"
#include "pages/train/loss_chart.h"
#include "pages/train/train_view.h"
#include "window/main_window.h"
#include "window/studio_settings.h"
#include "ui_job_probes.h"
#include "ui_studio_test_case.h"

using namespace ebm::studio;
using ebm::testing::TrainingProbe;

class TestUiTrainWindow : public ebm::testing::StudioTestCase {
    Q_OBJECT
private:
    /// A tiny run on random 16x16 images that goes on until the test stops it.
    TrainingSettings endlessTinyTraining(const QString& name)
    {
        torch::manual_seed(5);
        const QString data = QDir(dir_.path()).filePath(name);
        ebm::writeNpy(data.toStdString(), torch::rand({48, 1, 16, 16}));
        TrainingSettings t = ebm::testing::tinyNpyTraining(data, 1000000);
        t.previewEvery = 0;
        t.checkpointEvery = 0;
        return t;
    }

    /// The tiny model saved as if trained for `step` steps with `history` (no optimizer state).
    QString writeTrainedModel(const QString& name, qint64 step, const QString& history)
    {
        ebm::Checkpoint cp = ebm::loadCheckpoint(tinyModel_.toStdString());
        cp.hasTraining = true;
        cp.train.dataset = "fashion-mnist";
        cp.train.batchSize = 16;
        cp.train.steps = step;
        cp.train.history = history.toStdString();
        cp.step = step;
        cp.lossHistory = {1.0f};
        const QString path = QDir(dir_.path()).filePath(name);
        ebm::saveCheckpoint(cp, path.toStdString());
        return path;
    }

    static QVector<TrainPoint> lossPoints(const QVector<double>& losses)
    {
        QVector<TrainPoint> points;
        for (int i = 0; i < losses.size(); ++i)
            points.push_back(TrainPoint{i + 1, losses[i], 0.0, 1e-4, 0.5 * (i + 1)});
        return points;
    }

private Q_SLOTS:
    /// The first steps of a run give the estimate its speed at once, and a studio started
    /// afresh on the same settings file estimates from that measurement, not from the model.
    void measuredSpeedCalibratesAndIsKeptBetweenRuns()
    {
        {
            MainWindow& w = openWindow(tinyModel_);
            TrainView* train = w.trainView();
            const TrainingSettings t = endlessTinyTraining(QStringLiteral("speed.npy"));
            train->setSettings(t);
            QVERIFY(!train->hasMeasuredSpeed(t));
            QVERIFY2(train->estimateLabel()->text().contains(QLatin1String("rough estimate")),
                     qPrintable(train->estimateLabel()->text()));
            TrainingProbe runs(w.engine(), TrainingProbe::EveryJob);
            QSignalSpy finished(&runs, &TrainingProbe::finished);
            train->startButton()->click();
            // Calibrated during the run, from its first steps.
            QTRY_VERIFY_WITH_TIMEOUT(train->hasMeasuredSpeed(t), 30000);
            QVERIFY2(train->estimateLabel()->text().contains(QLatin1String("measured")),
                     qPrintable(train->estimateLabel()->text()));
            train->stopButton()->click();
            QVERIFY(finished.wait(20000));
            QVERIFY(train->measuredSecondsPerStep() > 0.0);
            QCOMPARE(train->estimatedSeconds(t), train->measuredSecondsPerStep() * t.steps);
            QVERIFY(w.close());  // writes what the pages keep, as quitting does
        }
        const double measured =
            studio_.settings->store().value(QStringLiteral("trainingSpeed/secondsPerStep")).toDouble();
        QVERIFY(measured > 0.0);
        studio_.close();

        MainWindow& again = openWindow(tinyModel_);
        TrainView* fresh = again.trainView();
        const TrainingSettings restored = fresh->settings();
        QVERIFY(fresh->hasMeasuredSpeed(restored));
        QVERIFY(std::abs(fresh->estimatedSeconds(restored) - measured * restored.steps) <=
                1e-9 * measured * restored.steps);
        QVERIFY2(fresh->estimateLabel()->text().contains(QLatin1String("measured")),
                 qPrintable(fresh->estimateLabel()->text()));
        // Another shape has no measurement: the cost model again.
        TrainingSettings wider = restored;
        wider.width *= 2;
        QVERIFY(!fresh->hasMeasuredSpeed(wider));
    }

    /// Smoothing 0.9: s0 = x0, s_i = 0.9 s_(i-1) + 0.1 x_i, a non-finite loss skipped; the raw
    /// curve stays drawn, fainter, behind the smoothed one; wall time leaves out history.
    void smoothingIsAnExponentialMovingAverage()
    {
        LossChart chart;
        chart.setSmoothing(0.9);
        QCOMPARE(chart.smoothingSlider()->value(), 90);
        chart.addPoints(lossPoints({10.0, 0.0, 5.0, std::numeric_limits<double>::quiet_NaN(), 20.0}));
        const QVector<double> expected{10.0, 9.0, 8.6, 8.6, 9.74};
        QCOMPARE(chart.smoothedLosses().size(), expected.size());
        for (int i = 0; i < expected.size(); ++i)
            QVERIFY2(std::abs(chart.smoothedLosses()[i] - expected[i]) < 1e-12,
                     qPrintable(QStringLiteral("point %1: %2").arg(i).arg(chart.smoothedLosses()[i])));
        QCPGraph* raw = chart.plot()->graph(0);
        QCPGraph* smoothed = chart.plot()->graph(1);
        QCOMPARE(raw->dataCount(), 5);
        QCOMPARE(smoothed->dataCount(), 5);
        QVERIFY(std::abs((smoothed->data()->begin() + 4)->value - 9.74) < 1e-12);
        QVERIFY(raw->pen().color().alpha() < smoothed->pen().color().alpha());

        // Moving the slider redraws the average from the raw losses: 0 is the raw loss.
        chart.smoothingSlider()->setValue(0);
        QCOMPARE(chart.smoothing(), 0.0);
        QCOMPARE(chart.smoothedLosses()[2], 5.0);

        // Wall time along x: a resumed run's history (no wall time) has no place there.
        TrainPoint earlier{0, 3.0, 3.0, 1e-4};
        chart.reset(10);
        chart.addPoints({earlier});
        chart.addPoints(lossPoints({1.0, 2.0}));
        chart.setXAxis(LossChart::XAxis::WallTime);
        QCOMPARE(raw->dataCount(), 2);
        QCOMPARE(raw->data()->begin()->key, 0.5);
        chart.setXAxis(LossChart::XAxis::Step);
        QCOMPARE(raw->dataCount(), 3);
    }

    /// File > Export Loss as CSV: a header and one row per recorded step with its run's name,
    /// written through the safe writer; nothing to export is said, not written.
    void lossExportsAsCsv()
    {
        MainWindow& w = openWindow(tinyModel_);
        TrainView* train = w.trainView();
        QVERIFY(train->menuActions(StudioPage::Menu::File).contains(train->exportLossCsvAction()));
        bool inFileMenu = false;
        for (QAction* top : w.menuBar()->actions())
            if (top->menu() && top->menu()->actions().contains(train->exportLossCsvAction()))
                inFileMenu = QString(top->text()).remove(QLatin1Char('&')) == QLatin1String("File");
        QVERIFY(inFileMenu);

        const QString path = QDir(dir_.path()).filePath(QStringLiteral("loss.csv"));
        QString error;
        QVERIFY(!train->exportLossCsv(path, error));
        QVERIFY2(error.contains(QLatin1String("no loss")), qPrintable(error));
        QVERIFY(!QFile::exists(path));

        train->chart()->setSmoothing(0.5);
        train->chart()->setCurrentRun(1, QStringLiteral("run 1"), true);
        train->chart()->addPoints(lossPoints({4.0, 2.0, 1.0}));
        QVERIFY2(train->exportLossCsv(path, error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        // The run's name first: the export writes every run shown on the chart (test_ui_training_runs).
        QCOMPARE(lines[0], QStringLiteral("run,step,wall_time_s,loss,smoothed_loss,learning_rate"));
        QCOMPARE(lines[1], QStringLiteral("run 1,1,0.500,4,4,0.0001"));
        QCOMPARE(lines[3], QStringLiteral("run 1,3,1.500,1,2,0.0001"));  // 0.5 * (0.5 * 4 + 0.5 * 2) + 0.5 * 1
    }

    /// The label counts the steps of every run its history records, and the tooltip shows the
    /// history; a fine-tune in the studio records the steps behind its starting weights.
    void modelLabelShowsTotalStepsAndHistory()
    {
        const QString history =
            QStringLiteral("step 100: --lr 0.0001 -> 5e-05; fine-tuned from base.ebm, which had 26000 steps");
        MainWindow& w = openWindow(writeTrainedModel(QStringLiteral("tuned.ebm"), 4000, history));
        auto* label = w.findChild<QLabel*>(QStringLiteral("modelStatus"));
        QVERIFY(label);
        QCOMPARE(w.engine()->model().totalSteps, qint64(30000));
        QCOMPARE(w.engine()->model().trainingHistory, history);
        QVERIFY2(label->text().contains(QLatin1String("30000 steps in all (4000 in its last run)")),
                 qPrintable(label->text()));
        QVERIFY2(label->toolTip().contains(QStringLiteral("History: %1").arg(history)), qPrintable(label->toolTip()));

        // Fine-tuning that file in the studio: the run's weights count its 30000 steps too.
        TrainingSettings t = endlessTinyTraining(QStringLiteral("tune.npy"));
        t.initialWeights = w.engine()->model().path;
        w.trainView()->setSettings(t);
        TrainingProbe runs(w.engine(), TrainingProbe::EveryJob);
        QSignalSpy finished(&runs, &TrainingProbe::finished);
        w.trainView()->startButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(w.trainView()->lastStep() >= 3, 30000);
        w.trainView()->stopButton()->click();
        QVERIFY(finished.wait(20000));
        QTRY_VERIFY_WITH_TIMEOUT(w.engine()->model().fromTraining, 10000);
        const ModelInfo& tuned = w.engine()->model();
        QCOMPARE(tuned.totalSteps, 30000 + tuned.trainedSteps);
        QVERIFY2(tuned.trainingHistory.endsWith(QLatin1String("fine-tuned from tuned.ebm, which had 30000 steps")),
                 qPrintable(tuned.trainingHistory));
    }

    /// Save Session offers the model's name and today's date in the last session folder.
    void saveSessionSuggestsAName()
    {
        MainWindow& w = openWindow(tinyModel_);
        const QString folder = QDir(dir_.path()).filePath(QStringLiteral("sessions"));
        studio_.settings->store().setValue(QStringLiteral("folders/session"), folder);
        QCOMPARE(w.suggestedSessionPath(),
                 QDir(folder).filePath(
                     QStringLiteral("tiny-%1.ebmsession").arg(QDate::currentDate().toString(Qt::ISODate))));
    }

    /// F1: the Schedule page's own keys under its title, and Undo listed by what it does, not
    /// by the edit on top of the stack.
    void shortcutListHasPageKeysAndAFixedUndoRow()
    {
        MainWindow& w = openWindow(tinyModel_);
        w.undoStack()->push(new QUndoCommand(QStringLiteral("change test image count")));
        const QString undoKeys = QKeySequence(QKeySequence::Undo).toString(QKeySequence::NativeText);
        bool scheduleDelete = false, undoRow = false;
        for (const auto& [keys, action] : w.shortcutList()) {
            QVERIFY2(!action.contains(QLatin1String("change test image count")), qPrintable(action));
            if (action.startsWith(QStringLiteral("Schedule › ")) && keys.contains(QLatin1String("Delete")))
                scheduleDelete = action.contains(QLatin1String("removes the selected points"));
            if (keys.split(QStringLiteral(" or ")).contains(undoKeys))
                undoRow = action.startsWith(QStringLiteral("Edit › Undo"));
        }
        QVERIFY(scheduleDelete);
        QVERIFY(undoRow);
    }
};

EBM_UI_TEST_MAIN(TestUiTrainWindow)
#include "test_ui_train_window.moc"
#include "moc_ui_job_probes.cpp"
#include "moc_ui_studio_test_case.cpp"
