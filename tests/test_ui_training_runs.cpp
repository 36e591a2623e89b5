// Issue 23: TensorBoard's runs on the Train page. The last runs of the session are kept and
// overlaid on the loss chart, each in its colour and toggled in the Runs list; the smoothing
// slider and the x axis apply to all of them; the CSV export writes the runs shown; a session
// keeps them; the seventh run drops the oldest.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>

#include <cmath>
#include <limits>

#include "ebm/io/dataset.h"
#include "worker/studio_engine.h"
#include "widgets/qcustomplot_include.h"
#include "pages/train/loss_chart.h"
#include "pages/train/train_view.h"
#include "pages/train/training_runs.h"
#include "window/main_window.h"
#include "ui_job_probes.h"
#include "ui_studio_test_case.h"

using namespace ebm::studio;
using ebm::testing::TrainingProbe;

namespace {

/// `count` points from step 1 with losses 10, 9, 8, … and half a second between steps.
QVector<TrainPoint> descendingLoss(int count)
{
    QVector<TrainPoint> points;
    for (int i = 0; i < count; ++i)
        points.push_back(TrainPoint{i + 1, 10.0 - i, 10.0 - i, 1e-4, 0.5 * (i + 1)});
    return points;
}

QVector<double> keysOf(const QCPGraph* graph)
{
    QVector<double> keys;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        keys.push_back(it->key);
    return keys;
}

}  // namespace

class TestUiTrainingRuns : public ebm::testing::StudioTestCase {
    Q_OBJECT
private:
    QString data_;

    void writeTestFiles() override
    {
        torch::manual_seed(5);
        data_ = QDir(dir_.path()).filePath(QStringLiteral("runs.npy"));
        ebm::writeNpy(data_.toStdString(), torch::rand({48, 1, 16, 16}));
    }

    /// Trains `steps` steps on the page (its Start button) until the run finishes; `reported`
    /// gets the loss points the run reported, its history included. False when it did not end.
    bool trainOnPage(MainWindow& w, qint64 steps, QVector<TrainPoint>& reported)
    {
        TrainView* train = w.trainView();
        if (!QTest::qWaitFor([train] { return train->canStart(); }, 10000))
            return false;
        TrainingSettings t = ebm::testing::tinyNpyTraining(data_, steps);
        t.previewEvery = 0;
        t.checkpointEvery = 0;
        train->setSettings(t);
        TrainingProbe runs(w.engine(), TrainingProbe::EveryJob);
        reported.clear();
        connect(&runs, &TrainingProbe::started, this, [&](const TrainingRunInfo& info) { reported += info.history; });
        connect(&runs, &TrainingProbe::progress, this, [&](const TrainProgressBatch& b) { reported += b.points; });
        QSignalSpy finished(&runs, &TrainingProbe::finished);
        train->startButton()->click();
        return finished.wait(30000) && QTest::qWaitFor([train] { return !train->runs().hasRunning(); }, 5000);
    }

    static QStringList csvLines(TrainView* train, const QString& path)
    {
        QString error;
        if (!train->exportLossCsv(path, error))
            return {error};
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    /// Two runs on the page: both kept, the first behind the current one in its own colour with
    /// the points it reported; unticking a run hides its graph and its CSV rows; the slider and
    /// the wall-time axis apply to both; a session brings them back after "Clear old runs".
    void twoRunsAreKeptAndOverlaid()
    {
        MainWindow& w = openWindow(tinyModel_);
        TrainView* train = w.trainView();
        LossChart* chart = train->chart();
        QVector<TrainPoint> first, second;
        QVERIFY(trainOnPage(w, 6, first));
        QVERIFY(trainOnPage(w, 9, second));
        QCOMPARE(first.size(), 6);
        QCOMPARE(second.size(), 9);

        // The document: two ended runs with what each reported.
        const QVector<TrainingRun>& runs = train->runs().runs();
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].number, 1);
        QCOMPARE(runs[1].number, 2);
        QCOMPARE(runs[0].end, TrainingRunEnd::Finished);
        QCOMPARE(runs[1].end, TrainingRunEnd::Finished);
        QCOMPARE(runs[0].points.size(), first.size());
        QCOMPARE(runs[1].points.size(), second.size());
        QCOMPARE(runs[0].settings.batchSize, 16);
        QCOMPARE(runs[0].settings.totalSteps, qint64(6));
        QVERIFY2(runs[0].settings.text().contains(QLatin1String("lr 0.0001")), qPrintable(runs[0].settings.text()));

        // The chart: run 1 behind, in its palette colour; run 2 on top in the usual one.
        QCOMPARE(chart->earlierRunCount(), 1);
        QCOMPARE(chart->currentRunNumber(), 2);
        QCPGraph* raw1 = chart->rawGraphOf(1);
        QCPGraph* smooth1 = chart->smoothedGraphOf(1);
        QVERIFY(raw1 && smooth1);
        QCOMPARE(raw1->dataCount(), first.size());
        QCOMPARE(chart->rawGraphOf(2)->dataCount(), second.size());
        QVector<double> firstSteps;
        for (const TrainPoint& p : first)
            firstSteps.push_back(static_cast<double>(p.step));
        QCOMPARE(keysOf(raw1), firstSteps);
        QCOMPARE((raw1->data()->constBegin() + 2)->value, first[2].loss);
        QCOMPARE(smooth1->pen().color(), LossChart::runColor(1));
        QCOMPARE(chart->smoothedGraphOf(2)->pen().color(), LossChart::currentRunColor());
        QVERIFY(LossChart::runColor(1) != LossChart::currentRunColor());
        QVERIFY(raw1->pen().color().alpha() < smooth1->pen().color().alpha());
        QVERIFY(smooth1->layer()->index() < chart->smoothedGraphOf(2)->layer()->index());  // current on top
        // The legend names the runs.
        QVERIFY(chart->plot()->legend->hasItemWithPlottable(smooth1));
        QCOMPARE(smooth1->name(), runs[0].name());
        QCOMPARE(chart->smoothedGraphOf(2)->name(), runs[1].name());
        QVERIFY(runs[0].name().startsWith(QStringLiteral("run 1 · ")));

        // The Runs list: one ticked item per run, its name and final loss.
        QListWidget* list = train->runsList();
        QCOMPARE(list->count(), 2);
        QVERIFY2(list->item(0)->text().startsWith(runs[0].name() + QStringLiteral("   loss ")),
                 qPrintable(list->item(0)->text()));
        QCOMPARE(list->item(0)->checkState(), Qt::Checked);
        QCOMPARE(list->item(1)->data(Qt::UserRole).toInt(), 2);

        // The slider applies to every run: 0 draws the raw loss.
        chart->setSmoothing(0.0);
        QCOMPARE((smooth1->data()->constBegin() + 3)->value, first[3].loss);
        // Wall time along x: each run from its own start.
        chart->setXAxis(LossChart::XAxis::WallTime);
        QCOMPARE(chart->rawGraphOf(1)->dataCount(), first.size());
        QCOMPARE(chart->rawGraphOf(1)->data()->constBegin()->key, first[0].wallSeconds);
        chart->setXAxis(LossChart::XAxis::Step);

        // The CSV holds the rows of both runs, oldest first, with their names.
        const QString path = QDir(dir_.path()).filePath(QStringLiteral("runs.csv"));
        QStringList lines = csvLines(train, path);
        QCOMPARE(lines.size(), 1 + 6 + 9);
        QCOMPARE(lines[0], QStringLiteral("run,step,wall_time_s,loss,smoothed_loss,learning_rate"));
        QVERIFY2(lines[1].startsWith(runs[0].name() + QStringLiteral(",1,")), qPrintable(lines[1]));
        QVERIFY2(lines[7].startsWith(runs[1].name() + QStringLiteral(",1,")), qPrintable(lines[7]));

        // Unticking run 1 hides its graphs, its legend entry and its rows.
        list->item(0)->setCheckState(Qt::Unchecked);
        QVERIFY(!train->runs().runs()[0].shown);
        QVERIFY(!chart->rawGraphOf(1)->visible());
        QVERIFY(!chart->smoothedGraphOf(1)->visible());
        QVERIFY(!chart->plot()->legend->hasItemWithPlottable(chart->smoothedGraphOf(1)));
        QVERIFY(chart->smoothedGraphOf(2)->visible());
        lines = csvLines(train, path);
        QCOMPARE(lines.size(), 1 + 9);
        QVERIFY(lines[1].startsWith(runs[1].name()));
        // Unticking the current one too leaves nothing to export, and says so.
        list->item(1)->setCheckState(Qt::Unchecked);
        QVERIFY(!chart->smoothedGraphOf(2)->visible());
        QVERIFY(!train->exportLossCsvAction()->isEnabled());
        QString error;
        QVERIFY(!train->exportLossCsv(path, error));
        QVERIFY2(error.contains(QLatin1String("Runs list")), qPrintable(error));
        // A hidden run leaves the axes to the runs shown: run 1 alone spans steps 1 to 6.
        list->item(0)->setCheckState(Qt::Checked);
        QCOMPARE(chart->plot()->xAxis->range().upper, 6.0);
        list->item(1)->setCheckState(Qt::Checked);
        QCOMPARE(chart->plot()->xAxis->range().upper, 9.0);
        QVERIFY(chart->smoothedGraphOf(1)->visible());
        QCOMPARE(csvLines(train, path).size(), 1 + 6 + 9);

        // The session keeps both; "Clear old runs" keeps the current one; the session brings
        // run 1 back.
        const QJsonObject part = train->sessionSettings();
        QCOMPARE(part.value(QStringLiteral("loss_runs")).toArray().size(), 2);
        QVERIFY(train->clearOldRunsButton()->isEnabled());
        train->clearOldRunsButton()->click();
        QCOMPARE(train->runs().size(), 1);
        QCOMPARE(list->count(), 1);
        QCOMPARE(chart->earlierRunCount(), 0);
        QVERIFY(!chart->rawGraphOf(1));
        QVERIFY(!train->clearOldRunsButton()->isEnabled());
        train->applySessionSettings(part);
        QCOMPARE(train->runs().size(), 2);
        QCOMPARE(list->count(), 2);
        QCOMPARE(chart->rawGraphOf(1)->dataCount(), first.size());
        QCOMPARE(chart->currentRunNumber(), 2);
        QCOMPARE(chart->pointCount(), second.size());
    }

    /// A session with six runs, then one more on the page: the oldest goes, the list and the
    /// chart follow, and the new run is numbered after the session's.
    void seventhRunDropsTheOldest()
    {
        TrainingRuns six;
        for (int i = 0; i < TrainingRuns::kMaxRuns; ++i) {
            six.begin(TrainingRunSummary{QStringLiteral("res6"), 16, 1e-4, 4, 0});
            six.append(descendingLoss(4));
            six.end(TrainingRunEnd::Finished);
        }
        QCOMPARE(six.size(), 6);
        QCOMPARE(six.runs().front().number, 1);

        MainWindow& w = openWindow(tinyModel_);
        TrainView* train = w.trainView();
        train->applySessionSettings(QJsonObject{{QStringLiteral("loss_runs"), six.toJson()}});
        QCOMPARE(train->runs().size(), 6);
        QCOMPARE(train->runsList()->count(), 6);
        QCOMPARE(train->chart()->earlierRunCount(), 5);
        QCOMPARE(train->chart()->pointCount(), 4);  // the session's last run is the current one
        QVERIFY(train->chart()->rawGraphOf(1));

        QVector<TrainPoint> reported;
        QVERIFY(trainOnPage(w, 3, reported));
        const QVector<TrainingRun>& runs = train->runs().runs();
        QCOMPARE(runs.size(), 6);
        QCOMPARE(runs.front().number, 2);
        QCOMPARE(runs.back().number, 7);
        QCOMPARE(runs.back().points.size(), reported.size());
        QVERIFY(!train->runs().find(1));
        QCOMPARE(train->runsList()->count(), 6);
        QCOMPARE(train->runsList()->item(0)->data(Qt::UserRole).toInt(), 2);
        QCOMPARE(train->chart()->earlierRunCount(), 5);
        QVERIFY(!train->chart()->rawGraphOf(1));
        QCOMPARE(train->chart()->rawGraphOf(6)->dataCount(), 4);
        QCOMPARE(train->chart()->currentRunNumber(), 7);
    }

    /// The document alone: at most kMaxRuns; a session holds each run thinned to
    /// kMaxSavedPoints with its last point, a non-finite loss as null read back as NaN, and a
    /// run saved while running comes back stopped; something else is refused, nothing changed.
    void runsDocumentKeepsThinsAndRestores()
    {
        TrainingRuns runs;
        for (int i = 0; i < TrainingRuns::kMaxRuns + 1; ++i)
            runs.begin(TrainingRunSummary{});
        QCOMPARE(runs.size(), TrainingRuns::kMaxRuns);
        QCOMPARE(runs.runs().front().number, 2);
        // A new run ends the one still running.
        QCOMPARE(runs.runs()[runs.size() - 2].end, TrainingRunEnd::Stopped);
        QVERIFY(runs.hasRunning());

        QVector<TrainPoint> many = descendingLoss(5001);
        many[3].loss = std::numeric_limits<double>::quiet_NaN();  // kept: every third point of 5001
        runs.append(many);
        QVERIFY(runs.setShown(7, false));
        QVERIFY(!runs.setShown(7, false));
        QVERIFY(!runs.setShown(99, true));

        const QJsonArray json = runs.toJson();
        const QJsonArray points = json.last().toObject().value(QStringLiteral("points")).toArray();
        QVERIFY(points.size() <= TrainingRuns::kMaxSavedPoints);
        QVERIFY(points.size() > TrainingRuns::kMaxSavedPoints / 2);
        QCOMPARE(points.last().toArray()[0].toDouble(), 5001.0);  // the last point stays

        TrainingRuns restored;
        QString error;
        QVERIFY2(restored.restore(json, error), qPrintable(error));
        QCOMPARE(restored.size(), TrainingRuns::kMaxRuns);
        QVERIFY(!restored.hasRunning());
        QCOMPARE(restored.latest()->end, TrainingRunEnd::Stopped);
        QVERIFY(!restored.latest()->shown);
        QCOMPARE(restored.latest()->name(), runs.latest()->name());
        QCOMPARE(restored.latest()->points[1].step, qint64(4));
        QVERIFY(std::isnan(restored.latest()->points[1].loss));
        QCOMPARE(restored.latest()->points.back().step, qint64(5001));
        // Numbers go on after the session's.
        QCOMPARE(restored.begin(TrainingRunSummary{}).number, 8);

        // Not runs: refused with a reason, the kept runs as they were.
        QVERIFY(!restored.restore(QJsonArray{QStringLiteral("run")}, error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(restored.size(), TrainingRuns::kMaxRuns);
        QCOMPARE(restored.latest()->number, 8);

        // Thinning keeps the first and the last point and never more than asked.
        const QVector<TrainPoint> thin = TrainingRuns::thinned(descendingLoss(4001), 2000);
        QVERIFY(thin.size() <= 2000);
        QCOMPARE(thin.front().step, qint64(1));
        QCOMPARE(thin.back().step, qint64(4001));
        QCOMPARE(TrainingRuns::thinned(descendingLoss(10), 2000).size(), 10);
    }
};

EBM_UI_TEST_MAIN(TestUiTrainingRuns)
#include "test_ui_training_runs.moc"
#include "moc_ui_job_probes.cpp"
#include "moc_ui_studio_test_case.cpp"
