// The Sample page's chain diagnostics (issue 25): the panel shows a report's rows, figures and
// verdict colours, the hint for a schedule without a hold, and a run's reason for having no
// figures; on the page, a run on a curve with a hold fills it in, a run without one shows the
// hint, and a new run clears it.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUndoStack>

#include <cmath>
#include <limits>
#include <memory>

#include "ebm/base/chain_diagnostics.h"
#include "ebm/schedule/schedule_curve.h"
#include "worker/studio_engine.h"
#include "widgets/run_controls.h"
#include "widgets/undo_fields.h"
#include "annealing/annealing_hub.h"
#include "annealing/sampling_panel.h"
#include "annealing/sampling_types.h"
#include "pages/sample/chain_diagnostics_panel.h"
#include "pages/sample/sample_view.h"
#include "ui_job_probes.h"
#include "ui_test_main.h"
#include "ui_sampling_support.h"

using ebm::testing::quickSampling;

using namespace ebm::studio;
using Status = ChainDiagnosticsReport::Status;

namespace {

constexpr int kWaitMs = 60000;

ChainDiagnosticsRow measuredRow(const QString& name, double splitRhat, double rankRhat, double bulkEss,
                                const QString& verdict)
{
    ChainDiagnosticsRow row;
    row.name = name;
    row.measured = true;
    row.splitRhat = splitRhat;
    row.rankRhat = rankRhat;
    row.bulkEss = bulkEss;
    row.verdict = verdict;
    return row;
}

/// Steps 1-16 at T = 1 with 4 chains: one row of each kind of verdict, and one without figures.
ChainDiagnosticsReport measuredReport()
{
    ChainDiagnosticsReport report;
    report.status = Status::Measured;
    report.minHoldSteps = 8;
    report.firstStep = 1;
    report.lastStep = 16;
    report.temperature = 1.0;
    report.chains = 4;
    report.energyLag1Autocorrelation = 0.43216;
    report.rows.push_back(measuredRow(QStringLiteral("energy"), 1.0021, 1.00456, 57.26, QStringLiteral("good")));
    report.rows.push_back(measuredRow(QStringLiteral("projection 1"), 1.02, 1.03, 20.0, QStringLiteral("doubtful")));
    report.rows.push_back(measuredRow(QStringLiteral("projection 2"), 1.5, 1.75, 4.5, QStringLiteral("not mixed")));
    ChainDiagnosticsRow still;
    still.name = QStringLiteral("projection 3");
    still.problem = QStringLiteral("the draws all equal one value");
    report.rows.push_back(still);
    report.rows.push_back(measuredRow(QStringLiteral("projection 4"), std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::infinity(), 8.0, QStringLiteral("not mixed")));
    return report;
}

QString cellText(QTableWidget* table, int row, int column)
{
    QTableWidgetItem* item = table->item(row, column);
    return item ? item->text() : QString();
}

QColor background(QTableWidget* table, int row, int column)
{
    QTableWidgetItem* item = table->item(row, column);
    return item ? item->background().color() : QColor();
}

/// The hold of the `ebm sample --diagnostics` test: T = 1 for the first 16 of 24 steps.
ebm::ScheduleCurve holdCurve()
{
    return ebm::ScheduleCurve(24, {{0, 1, ebm::SegmentMode::Constant},
                                   {16, 1, ebm::SegmentMode::Linear},
                                   {24, 0, ebm::SegmentMode::Linear}});
}


}  // namespace

class TestUiChainDiagnosticsPanel : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString tinyModel_;
    QUndoStack stack_;
    UndoFieldBinder* undo_ = nullptr;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        tinyModel_ = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), 16, 2, 11);
        undo_ = new UndoFieldBinder(&stack_, this);
    }

    void showsTheRowsFiguresAndVerdictColours()
    {
        ChainDiagnosticsPanel panel;
        panel.resize(600, 400);
        panel.show();
        QVERIFY(panel.findChild<QTableWidget*>(QStringLiteral("chainDiagnosticsTable")) == panel.table());
        QVERIFY(panel.findChild<QLabel*>(QStringLiteral("chainDiagnosticsTitle")) == panel.title());
        QVERIFY(panel.findChild<QLabel*>(QStringLiteral("chainDiagnosticsFooter")) == panel.footer());
        QVERIFY(panel.findChild<QLabel*>(QStringLiteral("chainDiagnosticsHint")) == panel.hint());

        panel.showReport(measuredReport());
        QCOMPARE(panel.title()->text(), QStringLiteral("Chain diagnostics over steps 1-16 at T = 1 (4 chains)"));
        QTableWidget* table = panel.table();
        QVERIFY(table->isVisible());
        QCOMPARE(table->rowCount(), 5);
        QCOMPARE(table->columnCount(), int(ChainDiagnosticsPanel::ColumnCount));
        QCOMPARE(table->horizontalHeaderItem(ChainDiagnosticsPanel::SplitRhatColumn)->text(),
                 QStringLiteral("split R-hat"));
        QCOMPARE(table->horizontalHeaderItem(ChainDiagnosticsPanel::RankRhatColumn)->text(),
                 QStringLiteral("rank R-hat"));
        QCOMPARE(table->horizontalHeaderItem(ChainDiagnosticsPanel::BulkEssColumn)->text(), QStringLiteral("bulk ESS"));
        QCOMPARE(table->horizontalHeaderItem(ChainDiagnosticsPanel::VerdictColumn)->text(), QStringLiteral("verdict"));

        // The figures as `ebm sample --diagnostics` prints them: R-hats to 4 places, the ESS to 1.
        QCOMPARE(cellText(table, 0, ChainDiagnosticsPanel::QuantityColumn), QStringLiteral("energy"));
        QCOMPARE(cellText(table, 0, ChainDiagnosticsPanel::SplitRhatColumn), QStringLiteral("1.0021"));
        QCOMPARE(cellText(table, 0, ChainDiagnosticsPanel::RankRhatColumn), QStringLiteral("1.0046"));
        QCOMPARE(cellText(table, 0, ChainDiagnosticsPanel::BulkEssColumn), QStringLiteral("57.3"));
        QCOMPARE(cellText(table, 0, ChainDiagnosticsPanel::VerdictColumn), QStringLiteral("good"));
        QCOMPARE(cellText(table, 1, ChainDiagnosticsPanel::VerdictColumn), QStringLiteral("doubtful"));
        QCOMPARE(cellText(table, 2, ChainDiagnosticsPanel::VerdictColumn), QStringLiteral("not mixed"));
        QCOMPARE(cellText(table, 4, ChainDiagnosticsPanel::RankRhatColumn), QStringLiteral("inf"));

        // Green, amber and red by Stan's thresholds on the rank R-hat; the three differ.
        const QColor good = ChainDiagnosticsPanel::verdictColour(ebm::Mixing::Good);
        const QColor doubtful = ChainDiagnosticsPanel::verdictColour(ebm::Mixing::Doubtful);
        const QColor notMixed = ChainDiagnosticsPanel::verdictColour(ebm::Mixing::NotMixed);
        QVERIFY(good != doubtful && doubtful != notMixed && good != notMixed);
        QVERIFY(good.green() > good.red());
        QVERIFY(notMixed.red() > notMixed.green());
        QCOMPARE(background(table, 0, ChainDiagnosticsPanel::VerdictColumn), good);
        QCOMPARE(background(table, 1, ChainDiagnosticsPanel::VerdictColumn), doubtful);
        QCOMPARE(background(table, 2, ChainDiagnosticsPanel::VerdictColumn), notMixed);
        QCOMPARE(background(table, 4, ChainDiagnosticsPanel::VerdictColumn), notMixed);  // R-hat +infinity

        // A quantity without figures: its reason across the row, no verdict.
        QCOMPARE(cellText(table, 3, ChainDiagnosticsPanel::QuantityColumn), QStringLiteral("projection 3"));
        QCOMPARE(cellText(table, 3, ChainDiagnosticsPanel::SplitRhatColumn),
                 QStringLiteral("the draws all equal one value"));
        QCOMPARE(table->columnSpan(3, ChainDiagnosticsPanel::SplitRhatColumn),
                 int(ChainDiagnosticsPanel::ColumnCount) - int(ChainDiagnosticsPanel::SplitRhatColumn));
        QVERIFY(cellText(table, 3, ChainDiagnosticsPanel::VerdictColumn).isEmpty());

        // The energy's autocorrelation and the thresholds under the table.
        QVERIFY(panel.footer()->isVisible());
        const QString footer = panel.footer()->text();
        QVERIFY2(footer.contains(QLatin1String("lag-1 autocorrelation")) && footer.contains(QLatin1String("0.4322")),
                 qPrintable(footer));
        QVERIFY2(footer.contains(QString::number(ebm::kRhatGood)) && footer.contains(QString::number(ebm::kRhatNotMixed)),
                 qPrintable(footer));
        QVERIFY(panel.hint()->isHidden());

        // An undefined verdict (NaN R-hat) is not coloured.
        ChainDiagnosticsReport undefined = measuredReport();
        undefined.rows[0] = measuredRow(QStringLiteral("energy"), std::nan(""), std::nan(""), 0.0,
                                        QStringLiteral("undefined"));
        panel.showReport(undefined);
        QCOMPARE(cellText(table, 0, ChainDiagnosticsPanel::VerdictColumn), QStringLiteral("undefined"));
        QVERIFY(table->item(0, ChainDiagnosticsPanel::VerdictColumn)->background().style() == Qt::NoBrush);

        // Cleared, as when a new run starts.
        panel.clear();
        QCOMPARE(panel.report().status, Status::NotRecorded);
        QCOMPARE(table->rowCount(), 0);
        QVERIFY(table->isHidden());
        QVERIFY(panel.footer()->isHidden());
        QVERIFY(panel.hint()->isVisible());
        QCOMPARE(panel.title()->text(), QStringLiteral("Chain diagnostics"));
    }

    void hintsAtAHoldWhenTheScheduleHasNone()
    {
        ChainDiagnosticsPanel panel;
        panel.show();
        panel.showReport(measuredReport());
        ChainDiagnosticsReport none;
        none.status = Status::NoHold;
        none.minHoldSteps = 8;
        none.longestHold = 1;
        panel.showReport(none);
        QVERIFY(panel.table()->isHidden());
        QCOMPARE(panel.table()->rowCount(), 0);
        QVERIFY(panel.footer()->isHidden());
        QVERIFY(panel.hint()->isVisible());
        const QString hint = panel.hint()->text();
        QVERIFY2(hint.contains(QLatin1String("holds no temperature for 8 steps or more")), qPrintable(hint));
        QVERIFY2(hint.contains(QLatin1String("its longest hold is 1 step)")), qPrintable(hint));
        QVERIFY2(hint.contains(QLatin1String("two points of equal temperature")) &&
                     hint.contains(QLatin1String("Schedule page")),
                 qPrintable(hint));
        QCOMPARE(panel.title()->text(), QStringLiteral("Chain diagnostics"));
    }

    void saysWhyAHoldHasNoFigures()
    {
        ChainDiagnosticsPanel panel;
        panel.show();
        ChainDiagnosticsReport stopped;
        stopped.status = Status::Skipped;
        stopped.firstStep = 3;
        stopped.lastStep = 40;
        stopped.temperature = 0.5;
        stopped.note = QStringLiteral("The run ended at step 12, before the end of the hold (step 40): no figures.");
        panel.showReport(stopped);
        QCOMPARE(panel.title()->text(), QStringLiteral("Chain diagnostics over steps 3-40 at T = 0.5"));
        QCOMPARE(panel.hint()->text(), stopped.note);
        QVERIFY(panel.hint()->isVisible());
        QVERIFY(panel.table()->isHidden());
        // A run that recorded nothing (failed, or not the Sample page's): the waiting text.
        panel.showReport(ChainDiagnosticsReport());
        QCOMPARE(panel.report().status, Status::NotRecorded);
        QCOMPARE(panel.title()->text(), QStringLiteral("Chain diagnostics"));
    }

    /// On the page: a run on a curve that holds T = 1 fills the panel in with the run's figures,
    /// a run of a preset that holds nothing shows the hint, and a new run clears the panel.
    void theSamplePageShowsItsRunsDiagnostics()
    {
        StudioEngine engine;
        engine.configureRuntime(QStringLiteral("cpu"), 1);
        AnnealingHub hub;
        SampleView view(&engine, &hub, undo_);
        view.resize(1100, 700);
        view.show();
        QSignalSpy loaded(&engine, &StudioEngine::modelLoaded);
        QVERIFY(engine.loadModel(tinyModel_));
        QVERIFY(loaded.wait(kWaitMs));
        ChainDiagnosticsPanel* panel = view.chainDiagnostics();
        QVERIFY(panel);
        QVERIFY(view.findChild<ChainDiagnosticsPanel*>(QStringLiteral("chainDiagnosticsPanel")) == panel);
        QVERIFY(panel->isVisible());

        const auto failure = [](const char* why) {
            SamplingOutcome outcome;
            outcome.failed = true;
            outcome.message = QString::fromLatin1(why);
            return outcome;
        };
        auto runToEnd = [&](const SamplingSettings& s) -> SamplingOutcome {
            ebm::testing::SamplingProbe runs(&engine, ebm::testing::SamplingProbe::EveryJob);
            QSignalSpy finished(&runs, &ebm::testing::SamplingProbe::finished);
            view.panel()->setSettings(s);
            if (!QTest::qWaitFor([&] { return view.runControls()->startButton()->isEnabled(); }, kWaitMs))
                return failure("the Sample button stayed disabled");
            view.runControls()->startButton()->click();
            // A new run clears the last one's figures at once.
            if (panel->report().status != Status::NotRecorded || !panel->table()->isHidden())
                return failure("starting a run did not clear the chain diagnostics");
            if (!finished.wait(kWaitMs))
                return failure("the run did not finish");
            // The page takes the outcome after the probe may have: the checks below say what is missing.
            (void)QTest::qWaitFor([&] { return panel->report().status != Status::NotRecorded; }, kWaitMs);
            return finished.first().at(0).value<SamplingOutcome>();
        };

        hub.publishCurve(holdCurve(), true);
        const SamplingOutcome held = runToEnd(quickSampling(24, 4, kEditedSchedulePreset));
        QVERIFY2(!held.failed, qPrintable(held.message));
        const ChainDiagnosticsReport& report = held.chainDiagnostics;
        QCOMPARE(report.status, Status::Measured);
        QCOMPARE(panel->report().status, Status::Measured);
        QCOMPARE(report.temperature, 1.0);
        QCOMPARE(report.chains, 4);
        QCOMPARE(report.firstStep, 1);
        QVERIFY2(report.lastStep - report.firstStep + 1 >= report.minHoldSteps, qPrintable(QString::number(report.lastStep)));
        QCOMPARE(report.rows.size(), 5);
        QCOMPARE(report.rows.front().name, QStringLiteral("energy"));
        QVERIFY(report.rows.front().measured);
        QCOMPARE(panel->title()->text(), QStringLiteral("Chain diagnostics over steps %1-%2 at T = 1 (4 chains)")
                                             .arg(report.firstStep)
                                             .arg(report.lastStep));
        QVERIFY(panel->table()->isVisible());
        QCOMPARE(panel->table()->rowCount(), 5);
        const QStringList verdicts{QStringLiteral("good"), QStringLiteral("doubtful"), QStringLiteral("not mixed"),
                                   QStringLiteral("undefined")};
        for (int row = 0; row < report.rows.size(); ++row)
            if (report.rows[row].measured)
                QVERIFY2(verdicts.contains(cellText(panel->table(), row, ChainDiagnosticsPanel::VerdictColumn)),
                         qPrintable(report.rows[row].name));

        // The quick preset cools at every step: no hold, and the hint says how to add one.
        const SamplingOutcome cooling = runToEnd(quickSampling(8, 4));
        QVERIFY2(!cooling.failed, qPrintable(cooling.message));
        QCOMPARE(cooling.chainDiagnostics.status, Status::NoHold);
        QCOMPARE(panel->report().status, Status::NoHold);
        QVERIFY(panel->table()->isHidden());
        QVERIFY2(panel->hint()->text().contains(QLatin1String("holds no temperature")),
                 qPrintable(panel->hint()->text()));
    }
};

EBM_UI_TEST_MAIN(TestUiChainDiagnosticsPanel)
#include "test_ui_chain_diagnostics_panel.moc"
#include "moc_ui_job_probes.cpp"
