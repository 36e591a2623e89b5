// The studio window driven like a person would: the Sample button, pause / step / stop
// buttons, the grid, the timeline, exports, sessions, undo, settings, the train page and the
// log panel. Includes a responsiveness check: the event loop's longest stall while a real
// sampling job runs.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QApplication>

#include <QComboBox>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMouseEvent>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QWheelEvent>

#include <spdlog/spdlog.h>

#include "ebm/nn/model.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "worker/studio_engine.h"
#include "widgets/log_panel.h"
#include "widgets/notification_bar.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/run_controls.h"
#include "widgets/sample_grid_widget.h"
#include "widgets/studio_page.h"
#include "annealing/energy_chart.h"
#include "annealing/sampling_fields.h"
#include "annealing/sampling_panel.h"
#include "pages/evaluate/class_histogram_chart.h"
#include "pages/evaluate/evaluate_view.h"
#include "pages/evaluate/evaluation_fields.h"
#include "pages/sample/sample_exports.h"
#include "pages/sample/sample_view.h"
#include "pages/train/loss_chart.h"
#include "pages/train/train_view.h"
#include "pages/train/training_fields.h"
#include "window/main_window.h"
#include "window/session_file.h"
#include "window/studio_settings.h"
#include "ui_file_traps.h"
#include "ui_job_probes.h"
#include "ui_studio_test_case.h"

using namespace ebm::studio;
using ebm::testing::SamplingProbe;
using ebm::testing::TrainingProbe;

namespace {

void click(QWidget* widget, const QPoint& at)
{
    // QTest's widget helpers depend on how the shared test header was built; send the events.
    const QPointF local(at), global(widget->mapToGlobal(at));
    QMouseEvent press(QEvent::MouseButtonPress, local, global, Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QMouseEvent release(QEvent::MouseButtonRelease, local, global, Qt::LeftButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(widget, &press);
    QApplication::sendEvent(widget, &release);
}

/// Records the longest gap between ticks of a 5 ms timer: how long the event loop stalled.
class StallMeter : public QObject {
public:
    StallMeter()
    {
        timer_.setInterval(5);
        timer_.setTimerType(Qt::PreciseTimer);
        connect(&timer_, &QTimer::timeout, this, [this] {
            const qint64 now = clock_.elapsed();
            longest_ = qMax(longest_, now - last_);
            last_ = now;
            ++ticks_;
        });
    }
    void start()
    {
        clock_.start();
        last_ = 0;
        timer_.start();
    }
    void stop() { timer_.stop(); }
    qint64 longest() const { return longest_; }
    int ticks() const { return ticks_; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = 0, longest_ = 0;
    int ticks_ = 0;
};

}  // namespace

class TestUiStudio : public ebm::testing::StudioTestCase {
    Q_OBJECT
private:
    QString mediumModel_;

    void writeTestFiles() override
    {
        mediumModel_ = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("medium.ebm"), 32, 4, 11);
    }

    QString writeCorruptModel(const QString& name)
    {
        const QString path = QDir(dir_.path()).filePath(name);
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(QByteArray(300, '\x7f'));
        return path;
    }

    void runToEnd(MainWindow& w, const SamplingSettings& s)
    {
        SamplingProbe runs(w.engine(), SamplingProbe::EveryJob);
        QSignalSpy finished(&runs, &SamplingProbe::finished);
        w.sampleView()->panel()->setSettings(s);
        QVERIFY(w.sampleView()->runControls()->startButton()->isEnabled());
        w.sampleView()->runControls()->startButton()->click();
        QVERIFY(finished.wait(60000));
    }

    /// A run on 48 random 16x16 images (written as `name`) of a tiny network that would go on
    /// far longer than any test: the test stops it.
    TrainingSettings endlessTinyTraining(const QString& name, int seed)
    {
        torch::manual_seed(seed);
        const QString data = QDir(dir_.path()).filePath(name);
        ebm::writeNpy(data.toStdString(), torch::rand({48, 1, 16, 16}));
        return ebm::testing::tinyNpyTraining(data, 1000000);
    }

    static SamplingSettings quick(int steps, int samples)
    {
        SamplingSettings s;
        s.steps = steps;
        s.numSamples = samples;
        s.recordEvery = 1;
        return s;
    }

private Q_SLOTS:
    void sampleButtonRunsAndTheWindowStaysResponsive()
    {
        MainWindow& w = openWindow(mediumModel_);
        QVERIFY(w.engine()->hasModel());
        // Longer than we watch (stopped below); every step recorded, so frames keep coming even
        // on a slow, shared machine.
        SamplingSettings s = quick(2000, 32);
        w.sampleView()->panel()->setSettings(s);
        SamplingProbe runs(w.engine(), SamplingProbe::EveryJob);
        QSignalSpy frames(&runs, &SamplingProbe::frames);
        QSignalSpy finished(&runs, &SamplingProbe::finished);

        StallMeter meter;
        meter.start();
        w.sampleView()->runControls()->startButton()->click();
        QTest::qWait(3000);  // a real job: 32 chains of a Res6 on 32x32 images
        w.sampleView()->runControls()->stopButton()->click();
        QVERIFY(finished.wait(10000));
        meter.stop();

        // The job really ran and the grid followed it...
        QVERIFY2(frames.count() >= 5, qPrintable(QStringLiteral("only %1 frame batches").arg(frames.count())));
        QVERIFY(w.sampleView()->history().size() >= 5);
        QCOMPARE(w.sampleView()->grid()->images().size(), 32);
        QVERIFY(w.sampleView()->chart()->pointCount() >= 5);
        // ...while the GUI thread never stalled long.
        qInfo("longest event-loop stall %lld ms over %d timer ticks", meter.longest(), meter.ticks());
        QVERIFY(meter.ticks() > 100);
        QVERIFY2(meter.longest() < 250, qPrintable(QStringLiteral("event loop stalled %1 ms").arg(meter.longest())));
    }

    void pauseStepAndStopButtons()
    {
        MainWindow& w = openWindow(tinyModel_);
        w.sampleView()->panel()->setSettings(quick(100000, 9));
        RunControls* controls = w.sampleView()->runControls();
        SamplingProbe runs(w.engine(), SamplingProbe::EveryJob);
        QSignalSpy frames(&runs, &SamplingProbe::frames);
        QSignalSpy finished(&runs, &SamplingProbe::finished);
        QVERIFY(!controls->pauseButton()->isEnabled());
        controls->startButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 2, 20000);
        QVERIFY(!controls->startButton()->isEnabled());
        QVERIFY(controls->pauseButton()->isEnabled());

        controls->pauseButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(controls->pauseButton()->text(), QStringLiteral("Resume"), 5000);
        const int size = w.sampleView()->history().size();
        const int step = w.sampleView()->history().last().step;
        QTest::qWait(300);
        QCOMPARE(w.sampleView()->history().size(), size);

        controls->stepButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(w.sampleView()->history().size(), size + 1, 5000);
        QCOMPARE(w.sampleView()->history().last().step, step + 1);
        QCOMPARE(w.sampleView()->shownIndex(), size);  // live view shows the new frame

        controls->pauseButton()->click();  // resume
        QTRY_VERIFY_WITH_TIMEOUT(w.sampleView()->history().size() > size + 3, 5000);
        controls->stopButton()->click();
        QVERIFY(finished.wait(5000));
        QTRY_VERIFY(controls->startButton()->isEnabled());
        QVERIFY(!controls->stopButton()->isEnabled());
    }

    void gridClickTimelineAndExports()
    {
        MainWindow& w = openWindow(tinyModel_);
        runToEnd(w, quick(30, 16));
        SampleView* view = w.sampleView();
        QCOMPARE(view->history().size(), 31);
        QVERIFY(view->history().last().final);

        // Click the fourth sample: it is enlarged and its trajectory shown.
        click(view->grid(), view->grid()->cellRect(3).center());
        QCOMPARE(view->selectedSample(), 3);
        QCOMPARE(view->selectedView()->images().size(), 1);
        QVERIFY(view->trajectoryView()->images().size() > 10);
        QCOMPARE(view->selectedView()->images().front(), view->history().last().raw.at(3));

        // The timeline replays an early moment.
        view->timeline()->setValue(2);
        QCOMPARE(view->shownIndex(), 2);
        QCOMPARE(view->grid()->images().front(), view->history().at(2).raw.front());
        QCOMPARE(view->selectedView()->images().front(), view->history().at(2).raw.at(3));
        view->followLive();
        QCOMPARE(view->shownIndex(), 30);

        QString error;
        const QString grid = QDir(dir_.path()).filePath(QStringLiteral("grid.png"));
        QVERIFY2(view->exportGrid(grid, error), qPrintable(error));
        QVERIFY(!QImage(grid).isNull());
        const QString sheet = QDir(dir_.path()).filePath(QStringLiteral("sheet.png"));
        QVERIFY2(view->exportTrajectorySheet(sheet, error), qPrintable(error));
        QVERIFY(QImage(sheet).width() > QImage(sheet).height());
        const QString frames = QDir(dir_.path()).filePath(QStringLiteral("frames"));
        QVERIFY2(view->exportTrajectoryFrames(frames, error), qPrintable(error));
        QCOMPARE(QDir(frames).entryList(QDir::Files).size(), 31);

        const QString npy = QDir(dir_.path()).filePath(QStringLiteral("samples.npy"));
        QSignalSpy notice(w.engine(), &StudioEngine::notice);
        w.engine()->exportSamplesNpy(npy);
        QVERIFY(notice.wait(10000));
        const torch::Tensor samples = ebm::readNpy(npy.toStdString());
        QCOMPARE(samples.size(0), 16);
        QCOMPARE(samples.size(2), 16);
    }

    void corruptModelShowsAnErrorAndKeepsTheModel()
    {
        MainWindow& w = openWindow(tinyModel_);
        const QString title = w.windowTitle();
        const QString corrupt = QDir(dir_.path()).filePath(QStringLiteral("broken.ebm"));
        QFile file(corrupt);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(300, '\x7f'));
        file.close();
        QSignalSpy failed(w.engine(), &StudioEngine::modelLoadFailed);
        w.openModel(corrupt);
        QVERIFY(failed.wait(10000));
        QVERIFY2(w.notifications()->text().contains(QLatin1String("Could not open the model")),
                 qPrintable(w.notifications()->text()));
        QVERIFY(w.notifications()->text().contains(QLatin1String("stays loaded")));
        QCOMPARE(w.notifications()->kind(), NotificationBar::Kind::Error);
        QCOMPARE(w.engine()->model().path, tinyModel_);
        QCOMPARE(w.windowTitle(), title);
        QVERIFY(w.sampleView()->runControls()->startButton()->isEnabled());
    }

    void sessionRoundTripAndUndo()
    {
        MainWindow& w = openWindow(tinyModel_);
        SamplingPanel* panel = w.sampleView()->panel();
        SamplingSettings s = quick(123, 7);
        s.seed = 4242;
        s.stepSize = 0.03;
        s.denoiseJump = false;
        panel->setSettings(s);
        const QString path = QDir(dir_.path()).filePath(QStringLiteral("run.ebmsession"));
        QVERIFY(w.saveSession(path));
        Session read;
        QString error;
        QVERIFY2(Session::load(path, read, error), qPrintable(error));
        const QJsonObject samplingPart = read.pages.value(QStringLiteral("sampling")).toObject();
        SamplingSettings readSampling;
        QVERIFY2(samplingFields().fromJson(samplingPart, readSampling, error), qPrintable(error));
        QCOMPARE(readSampling, s);
        QCOMPARE(read.modelPath, tinyModel_);

        panel->setSettings(quick(300, 64));
        QVERIFY(w.openSession(path));
        QCOMPARE(panel->settings(), s);

        // Undo: an edit of the steps field is one undo step; a preset change carries its length.
        QUndoStack* stack = w.undoStack();
        QCOMPARE(stack->count(), 0);
        auto* steps = panel->findChild<QSpinBox*>(QStringLiteral("stepsField"));
        QVERIFY(steps);
        QCOMPARE(steps->value(), 123);
        steps->setValue(150);
        steps->setValue(175);  // merges with the previous edit
        QCOMPARE(stack->count(), 1);
        stack->undo();
        QCOMPARE(panel->settings().steps, 123);
        stack->redo();
        QCOMPARE(panel->settings().steps, 175);
        auto* preset = panel->findChild<QComboBox*>(QStringLiteral("presetField"));
        QVERIFY(preset);
        preset->setCurrentIndex(preset->findData(QStringLiteral("paper")));
        QCOMPARE(panel->settings().steps, 2700);
        stack->undo();
        QCOMPARE(panel->settings().schedulePreset, defaultSchedulePreset());
        QCOMPARE(panel->settings().steps, 175);

        Session bad;
        QVERIFY(!Session::fromJson("{\"format\": \"something else\"}", bad, error));
        QVERIFY(!error.isEmpty());

        // A session whose sampling part is wrong opens, and the Sample page says what it left as it was.
        const SamplingSettings before = panel->settings();
        const QString wrong = QDir(dir_.path()).filePath(QStringLiteral("wrong.ebmsession"));
        Session wrongSession;
        wrongSession.modelPath = tinyModel_;  // the model and device in use: nothing else changes
        wrongSession.device = read.device;
        wrongSession.pages.insert(QStringLiteral("sampling"),
                                  QJsonObject{{QStringLiteral("schedule"), QStringLiteral("tepid")}});
        QVERIFY2(wrongSession.save(wrong, error), qPrintable(error));
        QSignalSpy problems(w.sampleView(), &StudioPage::problem);
        QVERIFY(w.openSession(wrong));
        QCOMPARE(problems.count(), 1);
        QVERIFY2(problems.first().at(0).toString().contains(QLatin1String("unknown schedule \"tepid\"")),
                 qPrintable(problems.first().at(0).toString()));
        QCOMPARE(panel->settings(), before);
    }

    /// Ctrl+Z with the focus in any field of a page (here the Sample page's) does what Edit > Undo
    /// names, as on the Inpaint page: the window routes every page's keys to its one stack.
    /// Before, a spin box took the keys for its own typing history, empty after arrow clicks.
    void ctrlZInAnyPageFieldUndoesWhatTheEditMenuNames()
    {
        MainWindow& w = openWindow(tinyModel_);
        w.showPage(w.sampleView());
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QAction* undo = nullptr;
        for (QAction* action : w.findChildren<QAction*>())
            if (action->shortcut() == QKeySequence(QKeySequence::Undo))
                undo = action;
        QVERIFY(undo);
        SamplingPanel* panel = w.sampleView()->panel();
        auto* steps = panel->findChild<QSpinBox*>(QStringLiteral("stepsField"));
        auto* samples = panel->findChild<QSpinBox*>(QStringLiteral("samplesField"));
        QVERIFY(steps && samples);
        const int stepsBefore = steps->value();
        const int samplesBefore = samples->value();
        steps->setValue(stepsBefore + 5);  // as its arrows do: no typing of its own
        samples->setFocus();
        QTRY_VERIFY(samples->hasFocus());
        QTest::keySequence(samples, undo->shortcut());
        QCOMPARE(steps->value(), stepsBefore);
        QCOMPARE(samples->value(), samplesBefore);
    }

    /// The pages keep their settings in the settings file as the window closes; the next window shows them.
    void settingsAreRemembered()
    {
        const QString ini = QDir(dir_.path()).filePath(QStringLiteral("remember.ini"));
        {
            StudioSettings s(ini);
            MainWindow w(&s);
            SamplingSettings sampling = quick(222, 12);
            sampling.schedulePreset = QStringLiteral("paper-linear");
            w.sampleView()->panel()->setSettings(sampling);
            TrainingSettings training;
            training.width = 24;
            training.learningRate = 3e-4;
            training.datasetKind = DatasetKind::ImageFolder;
            training.initialWeights = QStringLiteral("/models/start.pt");
            w.trainView()->setSettings(training);
            EvaluationSettings evaluation;
            evaluation.numSamples = 96;
            evaluation.likelihood = true;
            evaluation.samplesPath = QStringLiteral("/data/samples.npy");
            w.evaluateView()->setSettings(evaluation);
            s.addRecentModel(tinyModel_);
            s.addRecentModel(mediumModel_);
            s.addRecentModel(tinyModel_);
            QVERIFY(w.close());
        }
        StudioSettings s(ini);
        const SamplingSettings sampling = samplingFields().load(s.store());
        QCOMPARE(sampling.steps, 222);
        QCOMPARE(sampling.schedulePreset, QStringLiteral("paper-linear"));
        const TrainingSettings training = trainingFields().load(s.store());
        QCOMPARE(training.width, 24);
        QCOMPARE(training.learningRate, 3e-4);
        QCOMPARE(training.datasetKind, DatasetKind::ImageFolder);
        QCOMPARE(training.initialWeights, QStringLiteral("/models/start.pt"));
        const EvaluationSettings evaluation = evaluationFields().load(s.store());
        QCOMPARE(evaluation.numSamples, 96);
        QVERIFY(evaluation.likelihood);
        QCOMPARE(evaluation.samplesPath, QStringLiteral("/data/samples.npy"));
        QCOMPARE(s.recentModels(), (QStringList{tinyModel_, mediumModel_}));

        MainWindow again(&s);
        QCOMPARE(again.sampleView()->panel()->settings(), sampling);
        QVERIFY(again.trainView()->settings() == training);
        QCOMPARE(again.evaluateView()->settings().numSamples, 96);
        QCOMPARE(again.evaluateView()->settings().samplesPath, QStringLiteral("/data/samples.npy"));
    }

    void trainPageTrainsPausesAndReportsNonFiniteLoss()
    {
        MainWindow& w = openWindow(tinyModel_);
        TrainView* train = w.trainView();
        TrainingSettings t = endlessTinyTraining(QStringLiteral("train.npy"), 2);
        t.previewEvery = 4;
        t.previewSamples = 4;
        t.previewSteps = 6;
        t.checkpointEvery = 0;
        t.checkpointPath = QDir(dir_.path()).filePath(QStringLiteral("page.ebm"));
        train->setSettings(t);
        w.showPage(train);
        TrainingProbe runs(w.engine(), TrainingProbe::EveryJob);
        QSignalSpy finished(&runs, &TrainingProbe::finished);
        train->startButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(train->chart()->pointCount() >= 5, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(train->previews()->count() >= 1, 30000);
        QVERIFY(train->progress()->value() >= 0);
        QVERIFY(!train->startButton()->isEnabled());

        train->pauseButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(train->pauseButton()->text(), QStringLiteral("Resume"), 10000);
        const qint64 at = train->lastStep();
        QTest::qWait(300);
        QCOMPARE(train->lastStep(), at);
        train->stepButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(train->lastStep(), at + 1, 5000);
        // One step count everywhere: the status line follows single steps like the progress bar.
        QTRY_COMPARE_WITH_TIMEOUT(train->statusLabel()->text(), QStringLiteral("Paused at step %1.").arg(at + 1), 5000);
        QVERIFY2(train->progress()->text().startsWith(QStringLiteral("step %1 /").arg(at + 1)),
                 qPrintable(train->progress()->text()));
        train->pauseButton()->click();  // resume
        QTRY_VERIFY_WITH_TIMEOUT(train->lastStep() > at + 2, 10000);
        train->stopButton()->click();
        QVERIFY(finished.wait(10000));
        QTRY_VERIFY(train->startButton()->isEnabled());
        QVERIFY(train->statusLabel()->text().contains(QLatin1String("stopped")));
        const QString stoppedAt = QString::number(train->lastStep());
        QVERIFY2(train->statusLabel()->text().contains(stoppedAt), qPrintable(train->statusLabel()->text()));
        QVERIFY2(train->progress()->text().startsWith(QStringLiteral("step %1 /").arg(stoppedAt)),
                 qPrintable(train->progress()->text()));
        // The model in use became the run's weights, and the studio says so.
        QVERIFY(w.engine()->model().fromTraining);
        QVERIFY2(w.engine()->model().description.startsWith(
                     QStringLiteral("training run weights (step %1)").arg(stoppedAt)),
                 qPrintable(w.engine()->model().description));
        QVERIFY2(w.notifications()->text().contains(QLatin1String("training run's weights")),
                 qPrintable(w.notifications()->text()));

        // A data set holding NaN: a clear message on the page and in the notification bar.
        torch::Tensor bad = torch::rand({16, 1, 16, 16});
        bad[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
        const QString nanData = QDir(dir_.path()).filePath(QStringLiteral("nan-page.npy"));
        ebm::writeNpy(nanData.toStdString(), bad);
        t.datasetPath = nanData;
        train->setSettings(t);
        finished.clear();
        train->startButton()->click();
        QVERIFY(finished.wait(20000));
        QVERIFY(w.notifications()->text().contains(QLatin1String("NaN")));
        QCOMPARE(w.notifications()->kind(), NotificationBar::Kind::Error);
        QVERIFY(train->startButton()->isEnabled());
    }

    /// Processes = 2: the page starts `ebm train --nproc 2` and shows its progress; what needs
    /// the weights in this process (pause, step, save now, sampling from them) is switched off
    /// until it ends, and the checkpoint it wrote becomes the model.
    void trainPageRunsSeveralProcesses()
    {
        MainWindow& w = openWindow(tinyModel_);
        TrainView* train = w.trainView();
        TrainingSettings t = endlessTinyTraining(QStringLiteral("ranks.npy"), 3);
        t.previewEvery = 4;  // ignored: the weights are in the other processes
        t.checkpointEvery = 0;
        t.checkpointPath = QDir(dir_.path()).filePath(QStringLiteral("ranks.ebm"));
        t.processes = 2;
        train->setSettings(t);
        QCOMPARE(train->settings().processes, 2);
        w.showPage(train);
        TrainingProbe runs(w.engine(), TrainingProbe::EveryJob);
        QSignalSpy finished(&runs, &TrainingProbe::finished);
        train->startButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(train->chart()->pointCount() >= 3, 120000);
        QVERIFY(train->stopButton()->isEnabled());
        QVERIFY(!train->pauseButton()->isEnabled());
        QVERIFY(!train->stepButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(train->statsLabel()->text().contains(QLatin1String("images/s")), 10000);
        QVERIFY2(train->runInfoLabel()->text().contains(QLatin1String("2 processes")),
                 qPrintable(train->runInfoLabel()->text()));
        train->togglePause();  // F6: refused with the reason, the run goes on
        QVERIFY(train->statusLabel()->text().contains(QLatin1String("cannot pause")));
        const qint64 at = train->lastStep();
        QTRY_VERIFY_WITH_TIMEOUT(train->lastStep() > at, 30000);
        QCOMPARE(train->previews()->count(), 0);

        train->stopButton()->click();
        QVERIFY(finished.wait(120000));
        QTRY_VERIFY(train->startButton()->isEnabled());
        QVERIFY2(train->statusLabel()->text().contains(QLatin1String("stopped")), qPrintable(train->statusLabel()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(w.engine()->model().description.startsWith(QLatin1String("multi-process run weights")),
                                 10000);
        QCOMPARE(w.engine()->model().path, t.checkpointPath);
        QCOMPARE(w.engine()->model().trainedSteps, train->lastStep());
    }

    /// A damaged file on the command line: the bundled model instead, said in the window, and
    /// the page usable (not stuck on "Loading the model...").
    void badModelOnTheCommandLineFallsBackToTheBundledModel()
    {
        const QString corrupt = writeCorruptModel(QStringLiteral("bad.ebm"));
        qputenv("EBM_DEFAULT_MODEL", tinyModel_.toUtf8());
        MainWindow& w = openWindow(corrupt);
        QTRY_VERIFY_WITH_TIMEOUT(w.engine()->hasModel(), 20000);
        qunsetenv("EBM_DEFAULT_MODEL");
        QCOMPARE(w.engine()->model().path, tinyModel_);
        QVERIFY2(w.notifications()->text().contains(QLatin1String("bad.ebm")) &&
                     w.notifications()->text().contains(QLatin1String("bundled model is loaded instead")),
                 qPrintable(w.notifications()->text()));
        QTRY_VERIFY(w.sampleView()->runControls()->startButton()->isEnabled());
    }

    /// A bad file opened from the menu: the samples on screen say which model they are from.
    void badModelFromTheMenuLabelsTheSamplesShown()
    {
        MainWindow& w = openWindow(tinyModel_);
        runToEnd(w, quick(10, 4));
        QSignalSpy failed(w.engine(), &StudioEngine::modelLoadFailed);
        w.openModel(writeCorruptModel(QStringLiteral("menu-bad.ebm")));
        QVERIFY(failed.wait(10000));
        const QString status = w.sampleView()->runStatus()->text();
        QVERIFY2(status.contains(QLatin1String("menu-bad.ebm could not be opened")) &&
                     status.contains(QLatin1String("still from")),
                 qPrintable(status));
    }

    /// Single steps and Stop: the header, the timeline and the history agree on the step.
    void singleStepsAndStopShowOneStepCount()
    {
        MainWindow& w = openWindow(tinyModel_);
        SampleView* view = w.sampleView();
        view->panel()->setSettings(quick(100000, 4));
        SamplingProbe runs(w.engine(), SamplingProbe::EveryJob);
        QSignalSpy frames(&runs, &SamplingProbe::frames);
        QSignalSpy finished(&runs, &SamplingProbe::finished);
        view->runControls()->startButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 2, 20000);
        view->togglePause();
        QTRY_VERIFY_WITH_TIMEOUT(view->isPaused(), 5000);
        for (int i = 0; i < 3; ++i) {
            const int size = view->history().size();
            view->stepOnce();
            QTRY_COMPARE_WITH_TIMEOUT(view->history().size(), size + 1, 5000);
        }
        const int step = view->history().last().step;
        QTRY_COMPARE(view->runStatus()->text(), QStringLiteral("Paused at step %1").arg(step));
        QVERIFY2(view->momentLabel()->text().startsWith(QStringLiteral("step %1 /").arg(step)),
                 qPrintable(view->momentLabel()->text()));

        view->togglePause();  // resume, then stop while running
        QTRY_VERIFY_WITH_TIMEOUT(view->history().last().step > step + 2, 5000);
        view->stop();
        QVERIFY(finished.wait(5000));
        const int last = view->history().last().step;
        QCOMPARE(finished.first().at(0).value<SamplingOutcome>().stepsDone, last);
        QVERIFY2(view->runStatus()->text().startsWith(QStringLiteral("Stopped at step %1 ").arg(last)),
                 qPrintable(view->runStatus()->text()));
    }

    /// Exports suggest model + seed + step in a sensible folder, and say where they wrote.
    void exportsSuggestANameAndSayWhereTheyWrote()
    {
        MainWindow& w = openWindow(tinyModel_);
        SamplingSettings s = quick(12, 4);
        s.seed = 77;
        runToEnd(w, s);
        SampleExports* exports = w.sampleView()->exports();
        const QString suggestion = exports->suggestedPath(QStringLiteral(".png"));
        QCOMPARE(QFileInfo(suggestion).fileName(), QStringLiteral("tiny-seed77-final.png"));
        const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
        QCOMPARE(QFileInfo(suggestion).absolutePath(), QFileInfo(pictures).isDir() ? pictures : QDir::homePath());
        w.sampleView()->showMoment(3);
        QVERIFY2(exports->suggestedPath(QStringLiteral(".npy"))
                     .endsWith(QStringLiteral("tiny-seed77-step%1.npy").arg(w.sampleView()->history().at(3).step)),
                 qPrintable(exports->suggestedPath(QStringLiteral(".npy"))));

        const QString grid = QDir(dir_.path()).filePath(QStringLiteral("suggested-grid.png"));
        QVERIFY(exports->exportGridTo(grid));
        QVERIFY(QFileInfo::exists(grid));
        QVERIFY2(w.statusBar()->currentMessage().contains(QDir::toNativeSeparators(grid)),
                 qPrintable(w.statusBar()->currentMessage()));
        const QString sheet = QDir(dir_.path()).filePath(QStringLiteral("suggested-sheet.png"));
        QVERIFY(exports->exportTrajectorySheetTo(sheet));
        QVERIFY(w.statusBar()->currentMessage().contains(QDir::toNativeSeparators(sheet)));
        // The last folder used for exports (kept by the file dialogs under folders/export) is suggested next time.
        studio_.settings->store().setValue(QStringLiteral("folders/export"), dir_.path());
        QCOMPARE(QFileInfo(exports->suggestedPath(QStringLiteral(".png"))).absolutePath(), dir_.path());
    }

    void timelineKeepsItsLengthAsTheTextChanges()
    {
        MainWindow& w = openWindow(tinyModel_);
        runToEnd(w, quick(40, 4));
        SampleView* view = w.sampleView();
        QCOMPARE(view->momentLabel()->minimumWidth(), view->momentLabel()->maximumWidth());
        view->showMoment(0);
        QTest::qWait(20);
        const int width = view->timeline()->width();
        view->followLive();  // "final (after the jump) · mean E = ..."
        QTest::qWait(20);
        QCOMPARE(view->timeline()->width(), width);
    }

    /// Train page: a first run of minutes with its duration shown, a warning for long runs,
    /// the wheel scrolls the form instead of changing fields, and the run buttons stay in view.
    void trainPageDefaultsEstimatesAndIgnoresTheWheel()
    {
        MainWindow& w = openWindow(tinyModel_);
        TrainView* train = w.trainView();
        train->setSettings(TrainingSettings{});
        QVERIFY(TrainingSettings{}.steps <= 5000);
        QVERIFY2(!train->estimateLabel()->text().contains(QLatin1String("long run")),
                 qPrintable(train->estimateLabel()->text()));
        TrainingSettings paper;
        paper.steps = 100000;
        paper.batchSize = 128;
        paper.width = 64;
        train->setSettings(paper);
        QVERIFY2(train->estimateLabel()->text().contains(QLatin1String("long run")),
                 qPrintable(train->estimateLabel()->text()));
        QVERIFY(train->estimatedSeconds(paper) > 10 * train->estimatedSeconds(TrainingSettings{}));

        auto* field = train->findChild<QSpinBox*>();
        QVERIFY(field && !field->hasFocus());
        const int before = field->value();
        QWheelEvent wheel(QPointF(5, 5), field->mapToGlobal(QPointF(5, 5)), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(field, &wheel);
        QCOMPARE(field->value(), before);
        QSpinBox unguarded;  // the same event does change a field without the guard
        unguarded.setRange(0, 100);
        unguarded.setValue(50);
        QWheelEvent again(QPointF(5, 5), QPointF(5, 5), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(&unguarded, &again);
        QVERIFY(unguarded.value() != 50);

        for (StudioPage* page : w.studioPages()) {
            auto* controls = page->findChild<RunControls*>();
            QVERIFY(controls);
            // Within the page: the page itself scrolls only in a window smaller than its minimum.
            for (QWidget* p = controls; p && p != page; p = p->parentWidget())
                QVERIFY2(!qobject_cast<QScrollArea*>(p), qPrintable(page->pageTitle()));
        }
    }

    /// The Evaluate page at 1024x700: Evaluate button, reference column and class chart fit.
    void evaluatePageFitsASmallWindow()
    {
        MainWindow& w = openWindow(tinyModel_);
        // Made smaller after it was shown larger, as a person drags a window's corner: the
        // splitters shrink from the large layout.
        w.resize(1440, 900);
        w.showPage(w.evaluateView());
        QTest::qWait(100);
        w.resize(1024, 700);
        QTest::qWait(100);
        // Nothing's minimum size holds the window larger than asked.
        QCOMPARE(w.size(), QSize(1024, 700));
        EvaluateView* view = w.evaluateView();
        QWidget* button = view->evaluateButton();
        QVERIFY(button->isVisible());
        const QRect buttonRect(button->mapTo(&w, QPoint(0, 0)), button->size());
        QVERIFY2(w.rect().contains(buttonRect), "the Evaluate button is cut off");
        QTableWidget* figures = view->figures();
        QVERIFY(figures->isVisible());
        QVERIFY2(figures->horizontalHeader()->sectionViewportPosition(2) + 20 < figures->viewport()->width(),
                 "the reference column is out of sight");
        const QRect chart(view->classChart()->mapTo(&w, QPoint(0, 0)), view->classChart()->size());
        QVERIFY2(w.rect().contains(chart), "the class chart is cut off");
        // ... and nothing above the plot clips it (the panel was once held lower than its plot's
        // minimum, and the plot's axis was cut off).
        for (QWidget* inner = view->classChart()->plot(); inner != view; inner = inner->parentWidget()) {
            QWidget* outer = inner->parentWidget();
            QVERIFY2(outer->rect().contains(inner->geometry()),
                     qPrintable(QStringLiteral("%1 is cut off by %2").arg(inner->metaObject()->className(),
                                                                          outer->metaObject()->className())));
        }
    }

    /// A window smaller than a page's minimum (a small screen, or QT_SCALE_FACTOR=2 on a laptop)
    /// keeps the size asked for: the page scrolls inside its tab, and its controls scroll into view.
    void aSmallWindowScrollsThePageInstead()
    {
        MainWindow& w = openWindow(tinyModel_);
        w.showPage(w.sampleView());
        w.resize(640, 420);
        QTest::qWait(100);
        QCOMPARE(w.size(), QSize(640, 420));
        auto* scroll = qobject_cast<QScrollArea*>(w.pages()->currentWidget());
        QVERIFY(scroll);
        QCOMPARE(scroll->widget(), static_cast<QWidget*>(w.sampleView()));
        QVERIFY2(scroll->horizontalScrollBar()->isVisible() || scroll->verticalScrollBar()->isVisible(),
                 "the page is larger than the window, so it should scroll");
        QWidget* sampleButton = w.sampleView()->runControls()->startButton();
        scroll->ensureWidgetVisible(sampleButton);
        const QRect button(sampleButton->mapTo(scroll->viewport(), QPoint(0, 0)), sampleButton->size());
        QVERIFY2(scroll->viewport()->rect().contains(button), "the Sample button cannot be scrolled into view");
        QCOMPARE(w.currentPage(), static_cast<StudioPage*>(w.sampleView()));
        // The timeline keeps a usable length beside its label (it was once a stub).
        QSlider* timeline = w.sampleView()->timeline();
        QVERIFY(timeline->width() >= 20 * timeline->fontMetrics().averageCharWidth());
    }

    /// Help lists every shortcut, read from the actions; the run keys are among them.
    void shortcutListComesFromTheActions()
    {
        MainWindow& w = openWindow(tinyModel_);
        const auto list = w.shortcutList();
        auto has = [&list](const QString& keys, const QString& action) {
            return ebm::testing::listsShortcut(list, keys, action);
        };
        QVERIFY(has(QStringLiteral("F5"), QStringLiteral("Start")));
        QVERIFY(has(QStringLiteral("F6"), QStringLiteral("Pause")));
        QVERIFY(has(QStringLiteral("F10"), QStringLiteral("Step")));
        QVERIFY(has(QStringLiteral("Esc"), QStringLiteral("Stop")));
        QVERIFY(has(QStringLiteral("Ctrl+3"), QStringLiteral("Evaluate Page")));
        QVERIFY(has(QStringLiteral("F1"), QStringLiteral("Keyboard Shortcuts")));
        // An action added later is listed too: the list cannot drift from the menus.
        QMenu* view = w.menuBar()->findChild<QMenu*>(QStringLiteral("viewMenu"));
        QVERIFY(view);
        view->addAction(QStringLiteral("Test Only Action"))->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F12));
        QCOMPARE(w.shortcutList().size(), list.size() + 1);
    }

    /// F5 and Esc go to the page in front.
    void runShortcutsGoToThePageInFront()
    {
        MainWindow& w = openWindow(tinyModel_);
        w.sampleView()->panel()->setSettings(quick(100000, 2));
        w.showPage(w.sampleView());
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTRY_VERIFY(w.sampleView()->canStart());
        QTest::keyClick(&w, Qt::Key_F5);
        QTRY_VERIFY_WITH_TIMEOUT(w.sampleView()->isRunning(), 5000);
        QVERIFY(!w.trainView()->isRunning());
        SamplingProbe runs(w.engine(), SamplingProbe::EveryJob);  // follows the run going now
        QSignalSpy finished(&runs, &SamplingProbe::finished);
        QTest::keyClick(&w, Qt::Key_Escape);
        QVERIFY(finished.wait(5000));
    }

    /// --help and --version print and exit without a display.
    void helpAndVersionNeedNoDisplay()
    {
        for (const QString& option : {QStringLiteral("--help"), QStringLiteral("--version")}) {
            QProcess studio;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("DISPLAY"));
            env.remove(QStringLiteral("WAYLAND_DISPLAY"));
            env.remove(QStringLiteral("QT_QPA_PLATFORM"));
            studio.setProcessEnvironment(env);
            studio.start(QStringLiteral(EBM_BINARY_DIR "/ui/ebm-studio"), {option});
            QVERIFY(studio.waitForFinished(30000));
            QCOMPARE(studio.exitStatus(), QProcess::NormalExit);
            const QString out = QString::fromUtf8(studio.readAllStandardOutput());
            QVERIFY2(studio.exitCode() == 0, qPrintable(out + QString::fromUtf8(studio.readAllStandardError())));
            QVERIFY2(out.contains(option == QLatin1String("--help") ? QStringLiteral("Usage")
                                                                     : QStringLiteral(EBM_STUDIO_VERSION)),
                     qPrintable(out));
        }
    }

    void logPanelShowsSpdlogLines()
    {
        MainWindow& w = openWindow(tinyModel_);
        spdlog::info("a line for the log panel");
        QTRY_VERIFY(w.logPanel()->text().contains(QLatin1String("a line for the log panel")));
        // The worker's own lines arrive too (queued from its thread).
        QVERIFY(w.logPanel()->text().contains(QLatin1String("loaded")));
    }

    void smallWindowStillLaysOut()
    {
        MainWindow& w = openWindow(tinyModel_);
        w.resize(640, 480);
        QTest::qWait(50);
        QVERIFY(w.sampleView()->grid()->width() > 50);
        QVERIFY(w.sampleView()->runControls()->startButton()->isVisible());
    }

    /// A page's status message ("wrote ...") is shown: the permanent labels leave it room.
    void statusMessagesHaveRoomBesideThePermanentLabels()
    {
        MainWindow& w = openWindow(tinyModel_);
        w.resize(1024, 700);
        QTest::qWait(100);
        QCOMPARE(w.size(), QSize(1024, 700));
        const QString message = QStringLiteral("wrote /home/someone/Pictures/tiny-seed77-final.png");
        Q_EMIT w.sampleView()->statusMessage(message);
        QStatusBar* bar = w.statusBar();
        QCOMPARE(bar->currentMessage(), message);
        // QStatusBar paints the message itself (no child label) between its left margin (6 px)
        // and 2 px before the leftmost permanent widget: that is the room the text gets.
        int firstPermanent = bar->width();
        for (QWidget* child : bar->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly))
            if (child->isVisible() && !child->inherits("QSizeGrip"))
                firstPermanent = qMin(firstPermanent, child->x());
        const int room = firstPermanent - 2 - 6;
        QVERIFY2(room >= bar->fontMetrics().horizontalAdvance(message),
                 qPrintable(QStringLiteral("%1 px for the message").arg(room)));
        // The permanent labels stay whole beside it.
        for (const char* name : {"modelStatus", "runtimeStatus"}) {
            auto* label = bar->findChild<QLabel*>(QLatin1String(name));
            QVERIFY2(label && label->isVisible(), name);
            QVERIFY2(label->width() >= label->sizeHint().width(), name);
        }
        QVERIFY(!bar->findChild<QLabel*>(QStringLiteral("modelStatus"))->text().isEmpty());
    }

    /// A geometry saved on a larger screen (or at another QT_SCALE_FACTOR) opens inside the screen.
    void restoredGeometryFitsTheScreen()
    {
        QScreen* screen = QGuiApplication::primaryScreen();
        QVERIFY(screen);
        const QRect available = screen->availableGeometry();
        QWidget larger;
        larger.setGeometry(available.x() + 40, available.y() + 40, available.width() * 2, available.height() * 2);
        QCOMPARE(larger.width(), available.width() * 2);
        QTemporaryDir folder;
        StudioSettings settings(QDir(folder.path()).filePath(QStringLiteral("settings.ini")));
        settings.setThreads(1);
        settings.setDevicePreference(QStringLiteral("cpu"));
        settings.setWindowGeometry(larger.saveGeometry());
        MainWindow w(&settings);
        // Only a minimum size the pages need may hold it larger than the screen.
        const QSize allowed = available.size().expandedTo(w.minimumSize());
        QVERIFY2(w.width() <= allowed.width() && w.height() <= allowed.height(),
                 qPrintable(QStringLiteral("%1x%2 on a screen of %3x%4")
                                .arg(w.width()).arg(w.height()).arg(available.width()).arg(available.height())));
        QVERIFY(available.contains(w.geometry().topLeft()));
    }

    void sampleExportsKeepLinksAndRefusePipes()
    {
        // The Sample page's image exports go through the safe writer, not QImage::save (which
        // writes into a pipe and into a linked file in place).
        MainWindow& w = openWindow(tinyModel_);
        runToEnd(w, quick(6, 4));
        SampleView* view = w.sampleView();
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QString error;
        const QString plain = QDir(folder.path()).filePath(QStringLiteral("plain-grid.png"));
        QVERIFY2(view->exportGrid(plain, error), qPrintable(error));
        const ebm::testing::LinkedFile grid = ebm::testing::LinkedFile::make(
            folder.path(), QStringLiteral("grid.png"), QStringLiteral("grid-real.png"));
        QVERIFY(grid.ok());
        QVERIFY2(view->exportGrid(grid.link, error), qPrintable(error));
        QVERIFY(grid.linkKept());
        QVERIFY(grid.replacedWhole());
        QCOMPARE(QImage(grid.real), QImage(plain));

        ebm::testing::HeldFifo sheet(QDir(folder.path()).filePath(QStringLiteral("sheet.png")));
        QVERIFY(sheet.ok());
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!view->exportTrajectorySheet(sheet.path(), error));
        QVERIFY(clock.elapsed() < 2000);
        QVERIFY2(error.startsWith(sheet.path()) && error.contains(QLatin1String("not a regular file")),
                 qPrintable(error));
        QVERIFY(sheet.stillAFifo());
        QCOMPARE(sheet.bytesInPipe(), qint64(0));

        // A pipe where the first frame goes: the export stops there, naming it.
        const QString frames = QDir(folder.path()).filePath(QStringLiteral("frames"));
        QVERIFY(QDir().mkpath(frames));
        const QString firstFrame = QDir(frames).filePath(
            QStringLiteral("frame-0000-step%1.png").arg(view->history().at(0).step, 5, 10, QLatin1Char('0')));
        ebm::testing::HeldFifo frame(firstFrame);
        QVERIFY(frame.ok());
        QVERIFY(!view->exportTrajectoryFrames(frames, error));
        QVERIFY2(error.startsWith(firstFrame), qPrintable(error));
        QVERIFY(frame.stillAFifo());
        QCOMPARE(frame.bytesInPipe(), qint64(0));
    }
};

EBM_UI_TEST_MAIN(TestUiStudio)

#include "worker/evaluation_types.h"
#include "annealing/sampling_types.h"
#include "pages/train/training_types.h"
#include "test_ui_studio.moc"
#include "moc_ui_job_probes.cpp"
#include "moc_ui_studio_test_case.cpp"
