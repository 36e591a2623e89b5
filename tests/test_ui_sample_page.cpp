// The Sample page on its own (an engine, the annealing hub, undo): after a training run it keeps
// sampling its model until the person takes the new weights; with the edited curve its steps
// are the curve's length; the chart shows the next run's schedule at once; grid exports scale.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QUndoStack>

#include "ebm/base/png_settings.h"
#include "ebm/base/json.h"
#include "ebm/io/dataset.h"
#include "ebm/schedule/schedule.h"
#include "ebm/schedule/schedule_curve.h"
#include "worker/studio_engine.h"
#include "widgets/run_controls.h"
#include "widgets/sample_grid_widget.h"
#include "widgets/undo_fields.h"
#include "annealing/annealing_hub.h"
#include "annealing/energy_chart.h"
#include "annealing/sampling_panel.h"
#include "pages/sample/sample_exports.h"
#include "pages/sample/sample_view.h"
#include "ui_job_probes.h"
#include "ui_test_main.h"
#include "ui_sampling_support.h"

using ebm::testing::quickSampling;

using namespace ebm::studio;
using ebm::testing::SamplingProbe;
using ebm::testing::TrainingProbe;

namespace {

constexpr int kWaitMs = 60000;


QVector<double> presetTemperatures(const QString& preset, int steps)
{
    const std::vector<double> t = ebm::Schedule::preset(preset.toStdString(), steps).temperatures();
    return QVector<double>(t.begin(), t.end());
}

ebm::ScheduleCurve coolingCurve(int steps)
{
    return ebm::ScheduleCurve(steps, {{0, 10, ebm::SegmentMode::Linear}, {double(steps), 1, ebm::SegmentMode::Linear}});
}

}  // namespace

class TestUiSamplePage : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString tinyModel_;
    QUndoStack stack_;
    UndoFieldBinder* undo_ = nullptr;
    std::unique_ptr<StudioEngine> engine_;
    std::unique_ptr<AnnealingHub> hub_;
    std::unique_ptr<SampleView> view_;

    /// Runs the page with `s` (its Sample button) to the end; `info`: the run's first report.
    void runToEnd(const SamplingSettings& s, SamplingRunInfo* info = nullptr)
    {
        SamplingProbe runs(engine_.get(), SamplingProbe::EveryJob);
        QSignalSpy started(&runs, &SamplingProbe::started);
        QSignalSpy finished(&runs, &SamplingProbe::finished);
        view_->panel()->setSettings(s);
        QTRY_VERIFY_WITH_TIMEOUT(view_->runControls()->startButton()->isEnabled(), kWaitMs);
        view_->runControls()->startButton()->click();
        QVERIFY(finished.wait(kWaitMs));
        QVERIFY2(!finished.first().at(0).value<SamplingOutcome>().failed,
                 qPrintable(finished.first().at(0).value<SamplingOutcome>().message));
        QCOMPARE(started.count(), 1);
        if (info)
            *info = started.first().at(0).value<SamplingRunInfo>();
    }

    /// The final samples on screen and their energies.
    QVector<QImage> finalImages() const { return view_->history().imagesAt(view_->history().size() - 1, false); }
    QVector<double> finalEnergies() const { return view_->history().last().energies; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        tinyModel_ = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), 16, 2, 11);
        undo_ = new UndoFieldBinder(&stack_, this);
    }

    void init()
    {
        engine_ = std::make_unique<StudioEngine>();
        engine_->configureRuntime(QStringLiteral("cpu"), 1);
        hub_ = std::make_unique<AnnealingHub>();
        view_ = std::make_unique<SampleView>(engine_.get(), hub_.get(), undo_);
        view_->resize(1100, 700);
        view_->show();
        QSignalSpy loaded(engine_.get(), &StudioEngine::modelLoaded);
        QVERIFY(engine_->loadModel(tinyModel_));
        QVERIFY(loaded.wait(kWaitMs));
        stack_.clear();
    }

    void cleanup()
    {
        view_.reset();
        hub_.reset();
        engine_.reset();
    }

    /// A training run that ends leaves its weights as the loaded model, but the page samples the
    /// model it had (same seed, same images) until "Sample with the training weights".
    void trainingWeightsAreOfferedNotSwitchedTo()
    {
        const SamplingSettings s = quickSampling(8, 4);
        SamplingRunInfo before;
        runToEnd(s, &before);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(!before.fromTrainingWeights);
        const QVector<QImage> beforeImages = finalImages();
        const QVector<double> beforeEnergies = finalEnergies();
        QCOMPARE(beforeImages.size(), 4);
        QVERIFY(!view_->trainingWeightsButton()->isVisibleTo(view_.get()));

        torch::manual_seed(3);
        const QString data = QDir(dir_.path()).filePath(QStringLiteral("train.npy"));
        ebm::writeNpy(data.toStdString(), torch::rand({48, 1, 16, 16}));
        TrainingSettings t = ebm::testing::tinyNpyTraining(data, 3);
        t.previewEvery = 0;
        t.checkpointEvery = 0;
        TrainingProbe training(engine_.get());
        QSignalSpy trained(&training, &TrainingProbe::finished);
        QVERIFY(training.start(t));
        QVERIFY(trained.wait(kWaitMs));
        QTRY_VERIFY_WITH_TIMEOUT(engine_->model().fromTraining, kWaitMs);

        // The loaded model is the run's; the page still samples the one it had, and says so.
        QVERIFY(engine_->modelKeptForSampling().has_value());
        QCOMPARE(view_->sampledModel().path, tinyModel_);
        QVERIFY(!view_->sampledModel().fromTraining);
        QVERIFY(view_->trainingWeightsButton()->isVisibleTo(view_.get()));
        QVERIFY(view_->trainingWeightsButton()->isEnabled());
        QVERIFY2(view_->trainingWeightsNote()->text().contains(QLatin1String("training run")),
                 qPrintable(view_->trainingWeightsNote()->text()));
        SamplingRunInfo kept;
        runToEnd(s, &kept);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(!kept.fromTrainingWeights);
        QCOMPARE(finalImages(), beforeImages);  // same weights, same seed: the same samples
        QCOMPARE(finalEnergies(), beforeEnergies);

        // Taking the weights: the next run samples them.
        view_->trainingWeightsButton()->click();
        QVERIFY(!engine_->modelKeptForSampling().has_value());
        QVERIFY(view_->sampledModel().fromTraining);
        QVERIFY(!view_->trainingWeightsButton()->isVisibleTo(view_.get()));
        SamplingRunInfo taken;
        runToEnd(s, &taken);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(taken.fromTrainingWeights);
        QVERIFY(finalEnergies() != beforeEnergies);  // other weights: other energies, however close
    }

    /// With the edited curve the steps field shows the curve's length, read-only, and follows
    /// the curve; another preset makes it editable again. No undo step of its own.
    void editedCurveFixesTheStepsField()
    {
        hub_->publishCurve(coolingCurve(300), false);
        auto* steps = qobject_cast<QSpinBox*>(view_->panel()->stepsField());
        QVERIFY(steps);
        view_->panel()->setSettings(quickSampling(99999, 4, kEditedSchedulePreset));
        QCOMPARE(view_->panel()->settings().steps, 300);
        QCOMPARE(steps->value(), 300);
        QVERIFY(steps->isReadOnly());
        QVERIFY2(steps->toolTip().contains(QLatin1String("Schedule page")), qPrintable(steps->toolTip()));

        hub_->publishCurve(coolingCurve(500), true);  // the person edits the curve
        QCOMPARE(view_->panel()->settings().steps, 500);
        QCOMPARE(view_->chart()->shownTemperatures().size(), 500);

        // A preset chosen by a person: its own length, editable.
        auto* preset = view_->panel()->findChild<QComboBox*>(QStringLiteral("presetField"));
        QVERIFY(preset);
        preset->setCurrentIndex(preset->findData(QStringLiteral("fast")));
        QVERIFY(!steps->isReadOnly());
        QCOMPARE(view_->panel()->settings().steps, defaultStepsForPreset(QStringLiteral("fast")));
        steps->setValue(777);
        QCOMPARE(view_->panel()->settings().steps, 777);

        // Back to the curve: its length again, in the one undo step of the preset change.
        const int beforeChoice = stack_.count();
        preset->setCurrentIndex(preset->findData(kEditedSchedulePreset));
        QCOMPARE(view_->panel()->settings().steps, 500);
        QVERIFY(steps->isReadOnly());
        QCOMPARE(stack_.count(), beforeChoice + 1);
    }

    /// After a run the chart keeps the run's curve and energies and draws the next run's
    /// schedule beside it as soon as the preset, the length or the edited curve changes.
    void changingThePresetRedrawsTheChartAtOnce()
    {
        // Before any run: the settings' schedule alone.
        view_->panel()->setSettings(quickSampling(40, 4, QStringLiteral("quick")));
        QCOMPARE(view_->chart()->shownTemperatures(), presetTemperatures(QStringLiteral("quick"), 40));

        const SamplingSettings s = quickSampling(12, 4);
        runToEnd(s);
        if (QTest::currentTestFailed())
            return;
        const QVector<double> runCurve = presetTemperatures(s.schedulePreset, 12);
        QCOMPARE(view_->chart()->shownTemperatures(), runCurve);
        QVERIFY(view_->chart()->plannedTemperatures().isEmpty());
        const int points = view_->chart()->pointCount();
        QVERIFY(points > 0);

        SamplingSettings next = s;
        next.schedulePreset = QStringLiteral("quick");
        next.steps = 60;
        view_->panel()->setSettings(next);
        QCOMPARE(view_->chart()->plannedTemperatures(), presetTemperatures(QStringLiteral("quick"), 60));
        QCOMPARE(view_->chart()->shownTemperatures(), runCurve);  // the run's own, with its energies
        QCOMPARE(view_->chart()->pointCount(), points);

        // An edit of the curve switches the page to it: drawn at once too.
        hub_->publishCurve(coolingCurve(80), true);
        const std::vector<double> curve = coolingCurve(80).expand().temperatures();
        QCOMPARE(view_->chart()->plannedTemperatures(), QVector<double>(curve.begin(), curve.end()));

        // The run's own settings again: nothing planned beside it.
        view_->panel()->setSettings(s);
        QVERIFY(view_->chart()->plannedTemperatures().isEmpty());
    }

    /// Scale k gives k times the pixels (gaps included); automatic makes a 16-sample grid at
    /// least 512 pixels wide; the choice is in the File menu and remembered.
    /// Every run records the denoised preview every few steps; the denoised view shows the
    /// latest one up to the moment on the timeline, and an export says which step's it is.
    void theDenoisedViewShowsTheLatestPreview()
    {
        runToEnd(quickSampling(kDenoisedPreviewEverySteps + 5, 4));
        if (QTest::currentTestFailed())
            return;
        const RunHistory& history = view_->history();
        const int previewed = history.indexForStep(kDenoisedPreviewEverySteps);
        const int later = history.indexForStep(kDenoisedPreviewEverySteps + 3);
        QCOMPARE(history.at(previewed).step, kDenoisedPreviewEverySteps);
        QVERIFY(history.hasDenoisedAt(previewed));
        QVERIFY(!history.hasDenoisedAt(later));  // every step is recorded, the preview is not

        view_->timeline()->setValue(later);
        QCOMPARE(view_->grid()->images(), history.at(later).raw);
        view_->setDenoisedView(true);
        QCOMPARE(view_->grid()->images(), history.at(previewed).denoised);

        QString error;
        const QString path = QDir(dir_.path()).filePath(QStringLiteral("denoised.png"));
        QVERIFY2(view_->exportGrid(path, error), qPrintable(error));
        const std::optional<std::string> text = ebm::readPngSettings(path.toStdString());
        QVERIFY(text);
        const ebm::Json moment = ebm::Json::parse(*text).at("moment");
        QCOMPARE(moment.at("step").get<int>(), kDenoisedPreviewEverySteps + 3);
        QVERIFY(moment.at("denoised_preview").get<bool>());
        QCOMPARE(moment.at("denoised_preview_step").get<int>(), kDenoisedPreviewEverySteps);
        view_->setDenoisedView(false);
    }

    void gridExportScales()
    {
        runToEnd(quickSampling(6, 16));
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(view_->gridExportScale(), 0);  // automatic by default
        QString error;
        const QString automatic = QDir(dir_.path()).filePath(QStringLiteral("grid-auto.png"));
        QVERIFY2(view_->exportGrid(automatic, error), qPrintable(error));
        QVERIFY(QImage(automatic).width() >= 512);

        const QString one = QDir(dir_.path()).filePath(QStringLiteral("grid-x1.png"));
        const QString four = QDir(dir_.path()).filePath(QStringLiteral("grid-x4.png"));
        view_->setGridExportScale(1);
        QVERIFY2(view_->exportGrid(one, error), qPrintable(error));
        view_->setGridExportScale(4);
        QVERIFY2(view_->exportGrid(four, error), qPrintable(error));
        const QImage small(one), large(four);
        QCOMPARE(small.width(), 1 + 4 * (16 + 1));  // 16 images of 16 pixels, 1-pixel gaps
        QCOMPARE(large.size(), small.size() * 4);
        for (int y = 0; y < small.height(); ++y)
            for (int x = 0; x < small.width(); ++x)
                QCOMPARE(large.pixel(4 * x + 3, 4 * y + 1), small.pixel(x, y));

        // File > Grid Export Scale: the choices, checked as set.
        QMenu* menu = nullptr;
        for (QAction* action : view_->exports()->fileActions())
            if (action->menu())
                menu = qobject_cast<QMenu*>(action->menu());
        QVERIFY(menu);
        QCOMPARE(menu->actions().size(), 5);
        QAction* checked = nullptr;
        for (QAction* choice : menu->actions())
            if (choice->isChecked())
                checked = choice;
        QVERIFY(checked);
        QCOMPARE(checked->data().toInt(), 4);
        menu->actions().last()->trigger();
        QCOMPARE(view_->gridExportScale(), 8);

        // Remembered between runs of the studio.
        QSettings store(QDir(dir_.path()).filePath(QStringLiteral("store.ini")), QSettings::IniFormat);
        view_->saveSettings(store);
        SampleView again(engine_.get(), hub_.get(), undo_);
        QCOMPARE(again.gridExportScale(), 0);
        again.restoreSettings(store);
        QCOMPARE(again.gridExportScale(), 8);
    }
};

EBM_UI_TEST_MAIN(TestUiSamplePage)

#include "annealing/sampling_types.h"
#include "pages/train/training_types.h"
#include "test_ui_sample_page.moc"
#include "moc_ui_job_probes.cpp"
