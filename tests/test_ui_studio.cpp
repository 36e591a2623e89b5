// The studio window driven like a person would: the Sample button, pause / step / stop
// buttons, the grid, the timeline, exports, sessions, undo, settings, the train page and the
// log panel. Includes a responsiveness check: the event loop's longest stall while a real
// sampling job runs.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QApplication>

#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QComboBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>

#include <spdlog/spdlog.h>

#include "ebm/checkpoint.h"
#include "ebm/dataset.h"
#include "ebm/model.h"
#include "sample/energy_chart.h"
#include "log_panel.h"
#include "train/loss_chart.h"
#include "main_window.h"
#include "notification_bar.h"
#include "sample_grid_widget.h"
#include "sample_view.h"
#include "sampling_panel.h"
#include "session_file.h"
#include "studio_engine.h"
#include "studio_settings.h"
#include "train_view.h"
#include "ui_test_main.h"

using namespace ebm::studio;

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

class TestUiStudio : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString tinyModel_;
    QString mediumModel_;
    std::unique_ptr<StudioSettings> settings_;
    std::unique_ptr<MainWindow> window_;

    MainWindow& openWindow(const QString& model)
    {
        settings_ = std::make_unique<StudioSettings>(QDir(dir_.path()).filePath(QStringLiteral("settings.ini")));
        settings_->setThreads(1);
        settings_->setDevicePreference(QStringLiteral("cpu"));
        window_ = std::make_unique<MainWindow>(settings_.get());
        window_->resize(1200, 800);
        window_->show();
        QSignalSpy loaded(window_->engine(), &StudioEngine::modelLoaded);
        window_->startUp(model);
        loaded.wait(20000);
        return *window_;
    }

    void runToEnd(MainWindow& w, const SamplingSettings& s)
    {
        QSignalSpy finished(w.engine(), &StudioEngine::samplingFinished);
        w.sampleView()->panel()->setSettings(s);
        QVERIFY(w.sampleView()->panel()->sampleButton()->isEnabled());
        w.sampleView()->panel()->sampleButton()->click();
        QVERIFY(finished.wait(60000));
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
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        tinyModel_ = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), 16, 2, 11);
        mediumModel_ = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("medium.ebm"), 32, 4, 11);
    }

    void cleanup()
    {
        window_.reset();
        settings_.reset();
    }

    void sampleButtonRunsAndTheWindowStaysResponsive()
    {
        MainWindow& w = openWindow(mediumModel_);
        QVERIFY(w.engine()->hasModel());
        // Longer than we watch (stopped below); every step recorded, so frames keep coming even
        // on a slow, shared machine.
        SamplingSettings s = quick(2000, 32);
        w.sampleView()->panel()->setSettings(s);
        QSignalSpy frames(w.engine(), &StudioEngine::sampleFrames);
        QSignalSpy finished(w.engine(), &StudioEngine::samplingFinished);

        StallMeter meter;
        meter.start();
        w.sampleView()->panel()->sampleButton()->click();
        QTest::qWait(3000);  // a real job: 32 chains of a Res6 on 32x32 images
        w.sampleView()->panel()->stopButton()->click();
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
        SamplingPanel* panel = w.sampleView()->panel();
        panel->setSettings(quick(100000, 9));
        QSignalSpy frames(w.engine(), &StudioEngine::sampleFrames);
        QSignalSpy finished(w.engine(), &StudioEngine::samplingFinished);
        QVERIFY(!panel->pauseButton()->isEnabled());
        panel->sampleButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 2, 20000);
        QVERIFY(!panel->sampleButton()->isEnabled());
        QVERIFY(panel->pauseButton()->isEnabled());

        panel->pauseButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(panel->pauseButton()->text(), QStringLiteral("Resume"), 5000);
        const int size = w.sampleView()->history().size();
        const int step = w.sampleView()->history().last().step;
        QTest::qWait(300);
        QCOMPARE(w.sampleView()->history().size(), size);

        panel->stepButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(w.sampleView()->history().size(), size + 1, 5000);
        QCOMPARE(w.sampleView()->history().last().step, step + 1);
        QCOMPARE(w.sampleView()->shownIndex(), size);  // live view shows the new frame

        panel->pauseButton()->click();  // resume
        QTRY_VERIFY_WITH_TIMEOUT(w.sampleView()->history().size() > size + 3, 5000);
        panel->stopButton()->click();
        QVERIFY(finished.wait(5000));
        QTRY_VERIFY(panel->sampleButton()->isEnabled());
        QVERIFY(!panel->stopButton()->isEnabled());
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
        QVERIFY(w.sampleView()->panel()->sampleButton()->isEnabled());
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
        QCOMPARE(read.sampling, s);
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
        QCOMPARE(panel->settings().schedulePreset, QStringLiteral("quick"));
        QCOMPARE(panel->settings().steps, 175);

        Session bad;
        QVERIFY(!Session::fromJson("{\"format\": \"something else\"}", bad, error));
        QVERIFY(!error.isEmpty());
    }

    void settingsAreRemembered()
    {
        const QString ini = QDir(dir_.path()).filePath(QStringLiteral("remember.ini"));
        {
            StudioSettings s(ini);
            SamplingSettings sampling = quick(222, 12);
            sampling.schedulePreset = QStringLiteral("paper-linear");
            s.setSampling(sampling);
            TrainingSettings training;
            training.width = 24;
            training.learningRate = 3e-4;
            training.datasetKind = DatasetKind::ImageFolder;
            training.initialWeights = QStringLiteral("/models/start.pt");
            s.setTraining(training);
            EvaluationSettings evaluation;
            evaluation.numSamples = 96;
            evaluation.likelihood = true;
            evaluation.samplesPath = QStringLiteral("/data/samples.npy");
            s.setEvaluation(evaluation);
            s.addRecentModel(tinyModel_);
            s.addRecentModel(mediumModel_);
            s.addRecentModel(tinyModel_);
            s.sync();
        }
        StudioSettings s(ini);
        QCOMPARE(s.sampling().steps, 222);
        QCOMPARE(s.sampling().schedulePreset, QStringLiteral("paper-linear"));
        QCOMPARE(s.training().width, 24);
        QCOMPARE(s.training().learningRate, 3e-4);
        QCOMPARE(s.training().datasetKind, DatasetKind::ImageFolder);
        QCOMPARE(s.training().initialWeights, QStringLiteral("/models/start.pt"));
        QCOMPARE(s.evaluation().numSamples, 96);
        QVERIFY(s.evaluation().likelihood);
        QCOMPARE(s.evaluation().samplesPath, QStringLiteral("/data/samples.npy"));
        QCOMPARE(s.recentModels(), (QStringList{tinyModel_, mediumModel_}));
    }

    void trainPageTrainsPausesAndReportsNonFiniteLoss()
    {
        MainWindow& w = openWindow(tinyModel_);
        TrainView* train = w.trainView();
        torch::manual_seed(2);
        const QString data = QDir(dir_.path()).filePath(QStringLiteral("train.npy"));
        ebm::writeNpy(data.toStdString(), torch::rand({48, 1, 16, 16}));
        TrainingSettings t;
        t.datasetKind = DatasetKind::Npy;
        t.datasetPath = data;
        t.imageSize = 16;
        t.architecture = QStringLiteral("res6");
        t.width = 2;
        t.batchSize = 16;
        t.steps = 1000000;
        t.previewEvery = 4;
        t.previewSamples = 4;
        t.previewSteps = 6;
        t.checkpointEvery = 0;
        t.checkpointPath = QDir(dir_.path()).filePath(QStringLiteral("page.ebm"));
        train->setSettings(t);
        w.pages()->setCurrentWidget(train);
        QSignalSpy finished(w.engine(), &StudioEngine::trainingFinished);
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
        train->pauseButton()->click();  // resume
        QTRY_VERIFY_WITH_TIMEOUT(train->lastStep() > at + 2, 10000);
        train->stopButton()->click();
        QVERIFY(finished.wait(10000));
        QTRY_VERIFY(train->startButton()->isEnabled());
        QVERIFY(train->statusLabel()->text().contains(QLatin1String("stopped")));

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
        QVERIFY(w.sampleView()->panel()->sampleButton()->isVisible());
    }
};

EBM_UI_TEST_MAIN(TestUiStudio)

#include "test_ui_studio.moc"
