// The Schedule page as a person uses it: dragging control points with the mouse (one, or several
// after a rubber band), clicking the curve to add one, Delete, segment modes, the table typed
// into, presets, the total length, files, sessions, undo; and what the curve does to the
// sampler: the Sample page samples with it, an edit reaches a paused run from its next step,
// and the live preview restarts on every edit.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPushButton>
#include <QSignalSpy>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSpinBox>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>

#include "ebm/base/defaults.h"
#include "ebm/schedule/schedule.h"
#include "ebm/schedule/schedule_curve.h"
#include "ebm/schedule/schedule_feed.h"
#include "worker/studio_engine.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/run_controls.h"
#include "widgets/sample_grid_widget.h"
#include "annealing/energy_chart.h"
#include "annealing/sampling_panel.h"
#include "pages/sample/sample_view.h"
#include "pages/schedule/control_point_table.h"
#include "pages/schedule/curve_evaluation_panel.h"
#include "pages/schedule/schedule_curve_editor.h"
#include "pages/schedule/schedule_document.h"
#include "pages/schedule/schedule_view.h"
#include "window/main_window.h"
#include "window/studio_settings.h"
#include "ui_file_traps.h"
#include "ui_job_probes.h"
#include "ui_studio_test_case.h"

using namespace ebm::studio;
using ebm::testing::SamplingProbe;

namespace {

void mouse(QWidget* widget, QEvent::Type type, const QPointF& at, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    const Qt::MouseButton button = type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton;
    const Qt::MouseButtons held = type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::LeftButton;
    QMouseEvent event(type, at, widget->mapToGlobal(at), button, held, modifiers);
    QApplication::sendEvent(widget, &event);
}

/// Press, move there in a few steps (as a hand does), release: one drag.
void drag(QWidget* widget, const QPointF& from, const QPointF& to, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    mouse(widget, QEvent::MouseButtonPress, from, modifiers);
    constexpr int kMoves = 6;
    for (int i = 1; i <= kMoves; ++i)
        mouse(widget, QEvent::MouseMove, from + (to - from) * (double(i) / kMoves), modifiers);
    mouse(widget, QEvent::MouseButtonRelease, to, modifiers);
}

void key(QWidget* widget, int code, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QKeyEvent press(QEvent::KeyPress, code, modifiers);
    QApplication::sendEvent(widget, &press);
}

QVector<double> expanded(const ebm::ScheduleCurve& curve, int steps = 0)
{
    const std::vector<double> t = (steps > 0 ? curve.rescaled(steps) : curve).expand().temperatures();
    return QVector<double>(t.begin(), t.end());
}

/// Four points, whole steps, room to drag: 100 (constant) -> 100 at 100 (exponential) -> 1 at
/// 300 (linear) -> 0 at 400.
ebm::ScheduleCurve testCurve()
{
    using ebm::SegmentMode;
    return ebm::ScheduleCurve(400, {{0, 100, SegmentMode::Constant},
                                    {100, 100, SegmentMode::Exponential},
                                    {300, 1, SegmentMode::Linear},
                                    {400, 0, SegmentMode::Linear}});
}

}  // namespace

class TestUiSchedule : public ebm::testing::StudioTestCase {
    Q_OBJECT
private:
    /// The window on the tiny model, the Schedule page in front with the test curve, no undo steps.
    MainWindow& openWindow()
    {
        MainWindow& w = StudioTestCase::openWindow(tinyModel_);
        w.showPage(w.scheduleView());
        ScheduleView* view = w.scheduleView();
        view->document()->reset(testCurve());
        w.undoStack()->clear();
        QApplication::processEvents();
        view->editor()->plot()->replot();  // lays out the axes: pixels mean something now
        return w;
    }

    ScheduleView* view() const { return studio_.window->scheduleView(); }
    QWidget* plot() const { return view()->editor()->plot(); }
    ScheduleCurveEditor* editor() const { return view()->editor(); }
    const ebm::ScheduleCurve& curve() const { return view()->document()->curve(); }

private Q_SLOTS:
    void draggingAPointChangesWhatTheSamplerRunsAndUndoRestoresIt()
    {
        MainWindow& w = openWindow();
        QUndoStack* undo = w.undoStack();
        const ebm::ScheduleCurve before = curve();
        // Point 3 (step 300, T = 1) up a decade and 40 steps right.
        const QPointF from = editor()->pointPixel(2);
        const QPointF to = editor()->pixelOf(340, 10);
        drag(plot(), from, to);
        const ebm::CurvePoint& moved = curve().points()[2];
        QCOMPARE(moved.step, 340.0);  // snapped to a whole step
        QVERIFY2(std::abs(std::log10(moved.temperature) - 1.0) < 0.05, qPrintable(QString::number(moved.temperature)));
        QCOMPARE(undo->count(), 1);  // six mouse moves, one undo step
        QCOMPARE(editor()->selection(), QVector<int>{2});

        // The Sample page switched to the edited curve, at its length, and shows its shape.
        SamplingSettings s = w.sampleView()->panel()->settings();
        QCOMPARE(s.schedulePreset, kEditedSchedulePreset);
        QCOMPARE(s.steps, 400);
        QCOMPARE(w.sampleView()->chart()->shownTemperatures(), expanded(curve()));

        // A run follows it step for step.
        SamplingProbe runs(w.engine(), SamplingProbe::EveryJob);
        QSignalSpy started(&runs, &SamplingProbe::started);
        QSignalSpy finished(&runs, &SamplingProbe::finished);
        s.numSamples = 2;
        w.sampleView()->panel()->setSettings(s);
        w.sampleView()->startSampling();
        QVERIFY(started.wait(20000));
        QCOMPARE(started.front().front().value<SamplingRunInfo>().temperatures, expanded(curve()));
        w.sampleView()->stop();
        QVERIFY(finished.count() == 1 || finished.wait(20000));

        undo->undo();
        QVERIFY(ScheduleDocument::same(curve(), before));
        QCOMPARE(w.sampleView()->chart()->shownTemperatures().size(), 400);
        undo->redo();
        QCOMPARE(curve().points()[2].step, 340.0);
    }

    void anEditReachesAPausedRunFromItsNextStep()
    {
        MainWindow& w = openWindow();
        ScheduleView* view = w.scheduleView();
        view->document()->reset(ebm::ScheduleCurve(20000, {{0, 5, ebm::SegmentMode::Linear}, {20000, 5, ebm::SegmentMode::Linear}}));
        SamplingSettings s = w.sampleView()->panel()->settings();
        s.schedulePreset = kEditedSchedulePreset;
        s.steps = 20000;
        s.numSamples = 2;
        s.recordEvery = 1;
        w.sampleView()->panel()->setSettings(s);
        SamplingProbe runs(w.engine(), SamplingProbe::EveryJob);
        QSignalSpy frames(&runs, &SamplingProbe::frames);
        QSignalSpy changed(&runs, &SamplingProbe::scheduleChanged);
        QSignalSpy finished(&runs, &SamplingProbe::finished);
        w.sampleView()->startSampling();
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 2, 20000);
        w.sampleView()->togglePause();
        QTRY_VERIFY_WITH_TIMEOUT(w.sampleView()->isPaused(), 5000);
        const int pausedAt = w.sampleView()->history().last().step;
        QVERIFY(pausedAt < 20000);

        // Drag the end point down to T = 0.5 while paused (the end point moves in T only: it
        // is at the last step already).
        w.showPage(view);
        QApplication::processEvents();
        editor()->plot()->replot();
        drag(plot(), editor()->pointPixel(1), editor()->pixelOf(20000, 0.5));
        const ebm::Schedule edited = curve().expand();
        QVERIFY(std::abs(edited.at(19999) - 0.5) < 0.05);
        // The Sample page's chart shows the schedule the run will follow, before it moves.
        const ebm::Schedule current(std::vector<double>(20000, 5.0));
        const std::vector<double> expected = ebm::continueWith(current, edited, pausedAt).temperatures();
        QCOMPARE(w.sampleView()->chart()->shownTemperatures(), QVector<double>(expected.begin(), expected.end()));
        QCOMPARE(changed.count(), 0);

        // One step: the run takes the edit there, and says so.
        w.sampleView()->stepOnce();
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 5000);
        const SamplingRunInfo info = changed.front().front().value<SamplingRunInfo>();
        QCOMPARE(info.scheduleChangedAtStep, pausedAt);
        QCOMPARE(info.temperatures, QVector<double>(expected.begin(), expected.end()));
        QTRY_COMPARE_WITH_TIMEOUT(w.sampleView()->history().last().step, pausedAt + 1, 5000);
        QCOMPARE(w.sampleView()->history().last().temperature, expected[pausedAt]);
        QCOMPARE(w.sampleView()->history().at(0).temperature, 5.0);  // steps taken keep theirs
        w.sampleView()->stop();
        QVERIFY(finished.wait(10000));
    }

    void rubberBandSelectsSeveralAndOneDragMovesThemAll()
    {
        MainWindow& w = openWindow();
        // A band around points 2 and 3 (steps 100 and 300), not 1 or 4.
        const QPointF a = editor()->pixelOf(50, 300), b = editor()->pixelOf(350, 0.3);
        drag(plot(), a, b);
        QCOMPARE(editor()->selection(), (QVector<int>{1, 2}));
        QCOMPARE(w.scheduleView()->table()->selectedPoints(), (QVector<int>{1, 2}));
        const QPointF from = editor()->pointPixel(1);
        drag(plot(), from, from + (editor()->pixelOf(150, 1) - editor()->pixelOf(100, 1)));
        QCOMPARE(curve().points()[1].step, 150.0);
        QCOMPARE(curve().points()[2].step, 350.0);
        QVERIFY(std::abs(curve().points()[1].temperature - 100) < 1.0);
        QCOMPARE(w.undoStack()->count(), 1);
        // Never past an unselected neighbour: far right stops at the last point's step.
        drag(plot(), editor()->pointPixel(1), editor()->pixelOf(1000, 100));
        QCOMPARE(curve().points()[2].step, 400.0);
        QVERIFY(curve().points()[1].step <= curve().points()[2].step);
        // A click on empty space clears the selection.
        const QPointF empty = editor()->pixelOf(200, 0.02);
        mouse(plot(), QEvent::MouseButtonPress, empty);
        mouse(plot(), QEvent::MouseButtonRelease, empty);
        QVERIFY(editor()->selection().isEmpty());
    }

    void clickOnTheCurveAddsAPointAndDeleteRemovesIt()
    {
        MainWindow& w = openWindow();
        const double t200 = curve().temperatureAt(200);
        const QPointF onCurve = editor()->pixelOf(200, t200);
        mouse(plot(), QEvent::MouseButtonPress, onCurve);
        mouse(plot(), QEvent::MouseButtonRelease, onCurve);
        QCOMPARE(int(curve().points().size()), 5);
        QCOMPARE(curve().points()[2].step, 200.0);
        QVERIFY(std::abs(curve().points()[2].temperature - t200) < 1e-9);
        // The split keeps the shape: an exponential segment becomes two.
        QVERIFY(curve().points()[2].toNext == ebm::SegmentMode::Exponential);
        QCOMPARE(editor()->selection(), QVector<int>{2});
        QVERIFY(editor()->readout().isEmpty() || editor()->readout().contains(QLatin1String("step")));
        mouse(plot(), QEvent::MouseMove, editor()->pixelOf(250, 2));
        QVERIFY2(editor()->readout().startsWith(QLatin1String("step 250")), qPrintable(editor()->readout()));

        key(plot(), Qt::Key_Delete);
        QCOMPARE(int(curve().points().size()), 4);
        QCOMPARE(w.undoStack()->count(), 2);  // add, delete

        // Arrow keys nudge the selected point; a burst of them is one undo step.
        editor()->setSelection({2});
        key(plot(), Qt::Key_Right);
        key(plot(), Qt::Key_Right, Qt::ShiftModifier);
        QCOMPARE(curve().points()[2].step, 311.0);
        key(plot(), Qt::Key_Up);
        QVERIFY(curve().points()[2].temperature > 1.0);
        QCOMPARE(w.undoStack()->count(), 3);

        // The last point cannot go: one clear message instead.
        QSignalSpy problems(w.scheduleView(), &StudioPage::problem);
        editor()->setSelection({0, 1, 2, 3});
        key(plot(), Qt::Key_Delete);
        QCOMPARE(problems.count(), 1);
        QCOMPARE(int(curve().points().size()), 4);
    }

    void segmentModesAndTheTableEditTheSameCurve()
    {
        MainWindow& w = openWindow();
        ScheduleView* view = w.scheduleView();
        QSignalSpy problems(view, &StudioPage::problem);
        editor()->setSegmentMode(1, ebm::SegmentMode::Linear);
        QVERIFY(curve().points()[1].toNext == ebm::SegmentMode::Linear);
        QCOMPARE(curve().temperatureAt(200), 50.5);
        // Exponential down to T = 0 is refused with a message; nothing changes.
        editor()->setSegmentMode(2, ebm::SegmentMode::Exponential);
        QCOMPARE(problems.count(), 1);
        QVERIFY(curve().points()[2].toNext == ebm::SegmentMode::Linear);

        ControlPointTable* table = view->table();
        QCOMPARE(table->rowCount(), 4);
        table->item(2, ControlPointTable::TemperatureColumn)->setText(QStringLiteral("2.5"));
        QCOMPARE(curve().points()[2].temperature, 2.5);
        table->item(2, ControlPointTable::StepColumn)->setText(QStringLiteral("50"));  // before point 2: refused
        QCOMPARE(problems.count(), 2);
        QCOMPARE(curve().points()[2].step, 300.0);
        QCOMPARE(table->item(2, ControlPointTable::StepColumn)->text(), QStringLiteral("300"));
        table->item(2, ControlPointTable::TemperatureColumn)->setText(QStringLiteral("warm"));
        QCOMPARE(problems.count(), 3);
        // Rows selected in the table are the points selected on the curve.
        table->selectPoints({0, 3});
        Q_EMIT table->pointsSelected(table->selectedPoints());
        QCOMPARE(editor()->selection(), (QVector<int>{0, 3}));
        // Undo walks back each edit: temperature, then mode.
        w.undoStack()->undo();
        QCOMPARE(curve().points()[2].temperature, 1.0);
        w.undoStack()->undo();
        QVERIFY(curve().points()[1].toNext == ebm::SegmentMode::Exponential);
    }

    void presetsLengthFilesAndSessions()
    {
        MainWindow& w = openWindow();
        ScheduleView* view = w.scheduleView();
        QVERIFY(view->loadPreset(QStringLiteral("paper")));
        QCOMPARE(curve().steps(), 2700);
        QCOMPARE(view->lengthField()->value(), 2700);
        QCOMPARE(w.sampleView()->panel()->settings().steps, 2700);
        view->lengthField()->setValue(1350);
        QCOMPARE(curve().steps(), 1350);
        QCOMPARE(curve().points()[1].step, 250.0);  // every point scales with the length
        QCOMPARE(w.sampleView()->panel()->settings().steps, 1350);
        w.undoStack()->undo();
        QCOMPARE(curve().steps(), 2700);

        QString error;
        const QString json = QDir(dir_.path()).filePath(QStringLiteral("mine.json"));
        const QString csv = QDir(dir_.path()).filePath(QStringLiteral("mine.csv"));
        QVERIFY2(view->exportCurve(json, error), qPrintable(error));
        QVERIFY2(view->exportCsv(csv, error), qPrintable(error));
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = csvFile.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), 2701);
        QCOMPARE(rows.front(), QByteArray("step,temperature"));
        QVERIFY(rows[1].startsWith("1,100"));
        view->document()->reset(testCurve());
        QVERIFY2(view->importCurve(json, error), qPrintable(error));
        QCOMPARE(curve().steps(), 2700);
        const QString bad = QDir(dir_.path()).filePath(QStringLiteral("bad.json"));
        QFile badFile(bad);
        QVERIFY(badFile.open(QIODevice::WriteOnly));
        badFile.write(R"({"format": "ebm-schedule", "version": 1, "steps": 10, "points": []})");
        badFile.close();
        QVERIFY(!view->importCurve(bad, error));
        QVERIFY2(error.contains(QLatin1String("bad.json")) && error.contains(QLatin1String("point")), qPrintable(error));
        QCOMPARE(curve().steps(), 2700);  // untouched

        // The person's own presets survive the window.
        view->document()->reset(testCurve());
        QVERIFY2(view->saveUserPreset(QStringLiteral("four points"), error), qPrintable(error));
        QVERIFY(!view->saveUserPreset(QStringLiteral("a/b"), error));
        QVERIFY(view->loadPreset(QStringLiteral("quick")));
        QCOMPARE(curve().steps(), 300);
        QVERIFY(view->loadPreset(QStringLiteral("user:four points")));
        QVERIFY(ScheduleDocument::same(curve(), testCurve()));

        // The schedule is part of the session file.
        QJsonObject part = view->sessionSettings();
        view->loadPreset(QStringLiteral("quick"));
        view->applySessionSettings(part);
        QVERIFY(ScheduleDocument::same(curve(), testCurve()));
        const QString session = QDir(dir_.path()).filePath(QStringLiteral("s.ebmsession"));
        QVERIFY(w.saveSession(session));
        view->loadPreset(QStringLiteral("paper"));
        QVERIFY(w.openSession(session));
        QVERIFY(ScheduleDocument::same(curve(), testCurve()));
        part.insert(QStringLiteral("curve"), QJsonObject{{QStringLiteral("format"), QStringLiteral("other")}});
        QSignalSpy problems(view, &StudioPage::problem);
        view->applySessionSettings(part);
        QCOMPARE(problems.count(), 1);
        QVERIFY(ScheduleDocument::same(curve(), testCurve()));

        studio_.close();  // as after each test
        MainWindow& again = openWindow();
        QVERIFY(again.scheduleView()->userPresetNames().contains(QStringLiteral("four points")));
    }

    void aDamagedSavedScheduleIsReportedAndReplaced()
    {
        StudioSettings settings(QDir(dir_.path()).filePath(QStringLiteral("damaged.ini")));
        // The Schedule page keeps its curve under this key.
        settings.store().setValue(QStringLiteral("schedule/curve"),
                                  QStringLiteral("{\"format\": \"ebm-schedule\", \"version\": 1"));
        MainWindow w(&settings);
        QSignalSpy problems(w.scheduleView(), &StudioPage::problem);
        QTRY_COMPARE_WITH_TIMEOUT(problems.count(), 1, 5000);
        QVERIFY(problems.front().front().toString().contains(presetLabel(defaultSchedulePreset())));
        QCOMPARE(w.scheduleView()->document()->curve().steps(), defaultStepsForPreset(defaultSchedulePreset()));
    }

    void evaluatingTheCurveAddsARowAndStopKeepsTheTable()
    {
        MainWindow& w = openWindow();
        ScheduleView* view = w.scheduleView();
        view->lengthField()->setValue(40);
        CurveEvaluationPanel* panel = view->curveEvaluation();
        panel->samplesField()->setValue(16);
        panel->setStepSize(0.03);
        QVERIFY(panel->runControls()->startButton()->isEnabled());
        panel->runControls()->startButton()->click();
        QVERIFY(panel->isRunning());
        QVERIFY(view->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 180000);
        QCOMPARE(panel->results()->rowCount(), 1);
        // The row says what ran: the edited curve, its 40 steps, the step size, the figures.
        QCOMPARE(panel->results()->item(0, 0)->text(), QStringLiteral("Edited curve (4 points, 40 steps)"));
        QCOMPARE(panel->results()->item(0, 1)->text(), QStringLiteral("40"));
        QCOMPARE(panel->results()->item(0, 2)->text(), QStringLiteral("0.03"));
        const double fid = panel->results()->item(0, 4)->data(Qt::UserRole).toDouble();
        QVERIFY2(std::isfinite(fid) && fid > 0, qPrintable(QString::number(fid)));
        QVERIFY(panel->results()->item(0, 6)->text().endsWith(QLatin1String("of 10")));
        QVERIFY(panel->status()->text().contains(QLatin1String("FID-like")));

        // A preset is named as such and brings its step size; Stop ends a run and keeps the table.
        QVERIFY(view->loadPreset(QStringLiteral("quick")));
        QCOMPARE(view->curveName(), presetLabel(QStringLiteral("quick")));
        QCOMPARE(panel->stepSizeField()->value(), ebm::kDefaultLangevinStepSize);
        QVERIFY(view->loadPreset(QStringLiteral("fast")));
        QCOMPARE(panel->stepSizeField()->value(), ebm::schedulePresetStepSize("fast"));
        QSignalSpy refusals(panel, &CurveEvaluationPanel::problem);
        panel->evaluate();
        QVERIFY2(panel->isRunning(), qPrintable(refusals.isEmpty() ? QString() : refusals.last().at(0).toString()));
        panel->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 30000);
        QCOMPARE(panel->results()->rowCount(), 1);
        QVERIFY(panel->status()->text().startsWith(QLatin1String("Stopped")));
    }

    void livePreviewRestartsWithTheNewestCurve()
    {
        MainWindow& w = openWindow();
        ScheduleView* view = w.scheduleView();
        view->previewStepsField()->setValue(400);
        view->previewSamplesField()->setValue(4);
        view->livePreviewBox()->setChecked(true);
        QVERIFY(view->canStart());
        const int before = view->previewsStarted();
        // Two edits in quick succession, then one later: the first two become one restart.
        editor()->setSegmentMode(1, ebm::SegmentMode::Linear);
        editor()->setSegmentMode(1, ebm::SegmentMode::Constant);
        QTRY_COMPARE_WITH_TIMEOUT(view->previewsStarted(), before + 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!editor()->energyTrace().isEmpty(), 20000);
        editor()->setSegmentMode(1, ebm::SegmentMode::Exponential);
        QTRY_COMPARE_WITH_TIMEOUT(view->previewsStarted(), before + 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!view->isRunning(), 60000);
        QCOMPARE(view->previewGrid()->images().size(), 4);
        // The trace is the newest preview's, drawn on the curve's own step axis.
        const EnergyTrace& trace = editor()->energyTrace();
        QVERIFY(trace.source.contains(QLatin1String("preview")));
        QVERIFY(trace.steps.size() > 10);
        QVERIFY(trace.steps.last() <= curve().steps() + 1e-9);
        QVERIFY(trace.steps.last() > 0.9 * curve().steps());
        for (int i = 0; i < trace.steps.size(); ++i)
            QVERIFY(trace.min[i] <= trace.mean[i] && trace.mean[i] <= trace.max[i]);
        QVERIFY(view->previewStatus()->text().contains(QLatin1String("400 steps")));
    }

    void curveExportsKeepLinksAndRefusePipes()
    {
        // Through the safe writer, not QSaveFile (which renames its temporary over a pipe).
        MainWindow& w = openWindow();
        ScheduleView* view = w.scheduleView();
        QVERIFY(view->loadPreset(QStringLiteral("paper")));
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QString error;
        const ebm::testing::LinkedFile json = ebm::testing::LinkedFile::make(
            folder.path(), QStringLiteral("curve.json"), QStringLiteral("curve-real.json"));
        QVERIFY(json.ok());
        QVERIFY2(view->exportCurve(json.link, error), qPrintable(error));
        QVERIFY(json.linkKept());
        QVERIFY(json.replacedWhole());
        view->document()->reset(testCurve());
        QVERIFY2(view->importCurve(json.real, error), qPrintable(error));
        QCOMPARE(curve().steps(), 2700);

        ebm::testing::HeldFifo csv(QDir(folder.path()).filePath(QStringLiteral("curve.csv")));
        QVERIFY(csv.ok());
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!view->exportCsv(csv.path(), error));
        QVERIFY(clock.elapsed() < 2000);
        QVERIFY2(error.startsWith(csv.path()) && error.contains(QLatin1String("not a regular file")),
                 qPrintable(error));
        QVERIFY(csv.stillAFifo());
        QCOMPARE(csv.bytesInPipe(), qint64(0));
    }
};

EBM_UI_TEST_MAIN(TestUiSchedule)
#include "annealing/sampling_types.h"
#include "test_ui_schedule.moc"
#include "moc_ui_job_probes.cpp"
#include "moc_ui_studio_test_case.cpp"
