// The Learn page as a person uses it: painting and erasing data points with the mouse (one undo
// step per stroke), training that redraws the landscape with pause, step and stop, particles
// annealed over it with a timeline to scrub and particles dropped with a click, MALA's particles
// with their acceptance, the single-sigma versus multiscale comparison with its numbers, Langevin
// against MALA with their mode-weight distances, measure concentration, the demo kept in a
// session (sessions of the hand-written page still open), the settings remembered between runs
// without starting anything, and a page that fits a 1024x700 window.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QComboBox>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>

#include <cmath>

#include "ebm/schedule/schedule_curve.h"
#include "ebm/toy/toy_data.h"
#include "ebm/toy/toy_metrics.h"
#include "widgets/notification_bar.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/run_controls.h"
#include "annealing/annealing_hub.h"
#include "pages/learn/landscape_plot.h"
#include "pages/learn/learn_jobs.h"
#include "pages/learn/learn_session.h"
#include "pages/learn/learn_view.h"
#include "pages/learn/training_lab.h"
#include "pages/schedule/schedule_document.h"
#include "pages/schedule/schedule_view.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

constexpr int kDefaultPoints = 4000;   // the page's weighted eight Gaussians
constexpr int kJobTimeoutMs = 120000;

double maxDifference(const QVector<float>& a, const QVector<float>& b)
{
    if (a.size() != b.size())
        return std::numeric_limits<double>::infinity();
    double worst = 0.0;
    for (int i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
    return worst;
}

torch::Tensor pointsTensorOf(const QVector<QPointF>& points)
{
    torch::Tensor t = torch::empty({points.size(), 2}, torch::kFloat32);
    float* out = t.data_ptr<float>();
    for (int i = 0; i < points.size(); ++i) {
        out[2 * i] = float(points[i].x());
        out[2 * i + 1] = float(points[i].y());
    }
    return t;
}

/// The heat map of a landscape plot.
QCPColorMap* colourMapOf(LandscapePlot* plot)
{
    for (int i = 0; i < plot->plot()->plottableCount(); ++i)
        if (auto* map = qobject_cast<QCPColorMap*>(plot->plot()->plottable(i)))
            return map;
    return nullptr;
}

}  // namespace

class TestUiLearn : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    ebm::testing::StudioUnderTest studio_;
    LearnView* view_ = nullptr;

    void useSmallModel(int steps)
    {
        LearnTrainSettings s = view_->trainSettings();
        s.width = 32;
        s.depth = 2;
        s.steps = steps;
        s.learningRate = 3e-3;
        view_->setTrainSettings(s);
    }

    /// The Training tab in front and the next run on a new model; the tab's lab (null if missing).
    TrainingLab* trainingTabOnANewModel()
    {
        view_->tabs()->setCurrentIndex(0);
        view_->setContinueTraining(false);
        return view_->findChild<TrainingLab*>();
    }

    void trainAndWait(int steps)
    {
        useSmallModel(steps);
        view_->startTraining();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isTraining(), kJobTimeoutMs);
    }

    /// Presses at `from`, drags to `to` and releases, in plane coordinates.
    void stroke(const QPointF& from, const QPointF& to)
    {
        LandscapePlot* plot = view_->landscapePlot();
        plot->replotNow();   // lays the axes out, so that pixels map to the plane
        QWidget* target = plot->plot();
        QTest::mousePress(target, Qt::LeftButton, {}, plot->toPixel(from));
        QTest::mouseMove(target, plot->toPixel((from + to) / 2));
        QTest::mouseMove(target, plot->toPixel(to));
        QTest::mouseRelease(target, Qt::LeftButton, {}, plot->toPixel(to));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const QString model = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), 16, 4, 1);
        studio_.open(dir_.path(), model);
        view_ = studio_.window->findChild<LearnView*>();
        QVERIFY(view_);
        studio_.window->showPage(view_);
        QTRY_COMPARE_WITH_TIMEOUT(view_->points().size(), kDefaultPoints, 20000);
        QCOMPARE(view_->dataName(), QStringLiteral("weighted8"));
    }

    void cleanupTestCase() { studio_.close(); }

    void drawingAddsPointsAndUndoRemovesThem()
    {
        view_->tabs()->setCurrentIndex(0);
        view_->toolBox()->setCurrentIndex(static_cast<int>(LandscapePlot::Tool::Draw));
        QUndoStack* undo = studio_.window->undoStack();
        const int before = view_->points().size();
        stroke(QPointF(-1.0, 0.0), QPointF(1.0, 0.0));
        const int after = view_->points().size();
        QVERIFY(after > before);
        // The new points lie under the brush (radius 0.2) along the stroke.
        for (int i = before; i < after; ++i) {
            const QPointF p = view_->points()[i];
            QVERIFY2(p.x() > -1.3 && p.x() < 1.3 && std::abs(p.y()) < 0.3, qPrintable(QString("%1,%2").arg(p.x()).arg(p.y())));
        }
        QCOMPARE(view_->landscapePlot()->dataPoints().size(), after);
        QCOMPARE(undo->undoText(), QStringLiteral("Draw points"));
        undo->undo();
        QCOMPARE(view_->points().size(), before);
        QCOMPARE(view_->landscapePlot()->dataPoints().size(), before);
        undo->redo();
        QCOMPARE(view_->points().size(), after);
        undo->undo();

        // The eraser takes the points under it away, and undo brings them back.
        view_->toolBox()->setCurrentIndex(static_cast<int>(LandscapePlot::Tool::Erase));
        auto nearHeaviest = [&] {
            int count = 0;
            for (const QPointF& p : view_->points())
                count += std::hypot(p.x() - 2.0 * std::cos(7 * M_PI / 4), p.y() - 2.0 * std::sin(7 * M_PI / 4)) < 0.1 ? 1 : 0;
            return count;
        };
        QVERIFY(nearHeaviest() > 0);
        const QPointF heaviest(2.0 * std::cos(7 * M_PI / 4), 2.0 * std::sin(7 * M_PI / 4));
        stroke(heaviest, heaviest);
        QCOMPARE(nearHeaviest(), 0);
        QVERIFY(view_->points().size() < before);
        undo->undo();
        QCOMPARE(view_->points().size(), before);
        QVERIFY(nearHeaviest() > 0);
        view_->toolBox()->setCurrentIndex(static_cast<int>(LandscapePlot::Tool::None));
    }

    void trainingRedrawsTheLandscape()
    {
        useSmallModel(150);
        QVector<LearnLandscape> shown;
        const QMetaObject::Connection watch =
            connect(view_, &LearnView::landscapeUpdated, this, [&] { shown.push_back(view_->landscape()); });
        view_->startTraining();
        QVERIFY(view_->isTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isTraining(), kJobTimeoutMs);
        disconnect(watch);
        // The first report is the untrained landscape, the last the trained one.
        QVERIFY(shown.size() >= 2);
        const LearnLandscape untrained = shown.front();
        QCOMPARE(untrained.resolution, 64);
        QVERIFY(!view_->model().isEmpty());
        QCOMPARE(view_->losses().size(), 150);
        const LearnLandscape trained = view_->landscape();
        QCOMPARE(trained.energies.size(), untrained.energies.size());
        QVERIFY(maxDifference(trained.scoreX, untrained.scoreX) > 1.0);
        QVERIFY(maxDifference(trained.energies, untrained.energies) > 1e-3);
        QCOMPARE(view_->landscapePlot()->landscape().energies, trained.energies);
        QVERIFY(view_->lossPlot()->replotCount() >= 0);
    }

    void trainingPausesStepsAndStops()
    {
        useSmallModel(1000000);
        view_->setContinueTraining(true);
        const int before = view_->losses().size();
        view_->startTraining();
        QTRY_VERIFY_WITH_TIMEOUT(view_->losses().size() > before, kJobTimeoutMs);
        view_->trainControls()->pauseButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(view_->isPaused(), kJobTimeoutMs);
        const int seen = view_->losses().size();
        QTest::qWait(200);
        QCOMPARE(view_->losses().size(), seen);   // paused means no steps
        view_->trainControls()->stepButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(view_->losses().size(), seen + 1, 10000);
        view_->trainControls()->stopButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isTraining(), kJobTimeoutMs);
        QVERIFY(!view_->model().isEmpty());
        view_->setContinueTraining(false);
    }

    void particlesAnnealWithATimeline()
    {
        QVERIFY(!view_->model().isEmpty());
        LearnSampleSettings s = view_->sampleSettings();
        s.particles = 200;
        s.temperatures = QVector<double>(60, 1.0);   // sets the step count to 60
        view_->setSampleSettings(s);
        view_->setAnnealing(LearnView::Annealing::ToyDefault);
        view_->startSampling();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isSampling(), kJobTimeoutMs);
        const QVector<LearnSampleFrame>& frames = view_->frames();
        QVERIFY(frames.size() > 2);
        QVERIFY(frames.back().final);
        QCOMPARE(frames.back().totalSteps, 60);
        QCOMPARE(frames.back().positions.size(), 200);
        QCOMPARE(view_->timeline()->maximum(), frames.size() - 1);
        QCOMPARE(view_->shownFrame(), frames.size() - 1);
        // Scrubbing back shows the spread start: inside the plane's square.
        view_->timeline()->setValue(0);
        QCOMPARE(view_->shownFrame(), 0);
        for (const QPointF& p : frames.front().positions)
            QVERIFY(std::abs(p.x()) <= 3.0 && std::abs(p.y()) <= 3.0);
        QCOMPARE(view_->landscapePlot()->particleCount(), 200);
    }

    void aScheduleEditReachesTheRunningParticles()
    {
        view_->setEditedSchedule(ebm::ScheduleCurve::preset("quick", 60), false);
        view_->setAnnealing(LearnView::Annealing::SchedulePage);
        LearnSampleSettings s = view_->sampleSettings();
        s.temperatures = QVector<double>(400, 1.0);   // 400 steps
        view_->setSampleSettings(s);
        view_->startSampling();
        QTRY_VERIFY_WITH_TIMEOUT(view_->frames().size() > 1, kJobTimeoutMs);
        QVERIFY(view_->frames().back().temperature > 1.0);   // still hot: the quick curve starts at T = 100
        // The Schedule page's edit: a constant T = 0.5 from the next step on, as a person makes it
        // there (it reaches the run through the link every sampling page shares).
        const ebm::ScheduleCurve flat(60, {{0.0, 0.5, ebm::SegmentMode::Constant}, {60.0, 0.5, ebm::SegmentMode::Constant}});
        studio_.window->scheduleView()->document()->edit(flat, QStringLiteral("flat"));
        QTRY_VERIFY_WITH_TIMEOUT(std::abs(view_->frames().back().temperature - 0.5) < 1e-9, kJobTimeoutMs);
        QCOMPARE(view_->frames().back().totalSteps, 400);
        view_->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isSampling(), kJobTimeoutMs);
        s.temperatures = QVector<double>(60, 1.0);
        view_->setSampleSettings(s);
        view_->setAnnealing(LearnView::Annealing::ToyDefault);
    }

    void clickedParticlesJoinTheNextRun()
    {
        view_->toolBox()->setCurrentIndex(static_cast<int>(LandscapePlot::Tool::DropParticles));
        LandscapePlot* plot = view_->landscapePlot();
        plot->replotNow();
        QTest::mouseClick(plot->plot(), Qt::LeftButton, {}, plot->toPixel(QPointF(0.5, 0.5)));
        QVERIFY(!view_->pendingDrops().isEmpty());
        const int dropped = view_->pendingDrops().size();
        for (const QPointF& p : view_->pendingDrops())
            QVERIFY(std::hypot(p.x() - 0.5, p.y() - 0.5) < 0.25);
        // Hand-driven annealing: the slider's temperature, until stopped.
        view_->setAnnealing(LearnView::Annealing::TemperatureSlider);
        QVERIFY(view_->temperatureSlider()->isEnabled());
        view_->temperatureSlider()->setValue(0);
        view_->startSampling();
        QVERIFY(view_->pendingDrops().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(view_->frames().size() > 3, kJobTimeoutMs);
        QCOMPARE(view_->frames().back().totalSteps, 0);
        QVERIFY(std::abs(view_->frames().back().temperature - 0.01) < 1e-6);
        view_->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isSampling(), kJobTimeoutMs);
        QCOMPARE(view_->frames().back().positions.size(), 200 + dropped);
        view_->setAnnealing(LearnView::Annealing::ToyDefault);
        view_->toolBox()->setCurrentIndex(static_cast<int>(LandscapePlot::Tool::None));
    }

    /// The sampler chosen in the side panel runs the particles: MALA reports the share of moves it
    /// took, beside the timeline; Langevin takes every one.
    void malaParticlesReportTheirAcceptance()
    {
        view_->tabs()->setCurrentIndex(0);
        QVERIFY(!view_->model().isEmpty());
        view_->setAnnealing(LearnView::Annealing::ToyDefault);
        const LearnSampleSettings before = view_->sampleSettings();
        LearnSampleSettings s = before;
        s.particles = 200;
        s.temperatures = QVector<double>(60, 1.0);   // sets the step count to 60
        s.stepSize = 1.0;   // far beyond the trained energy's stable steps: MALA refuses many moves
        s.sampler = ebm::Sampler::Mala;
        view_->setSampleSettings(s);
        QVERIFY(view_->settings().sampler == ebm::Sampler::Mala);
        QVERIFY(view_->sampleSettings().sampler == ebm::Sampler::Mala);
        view_->startSampling();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isSampling(), kJobTimeoutMs);
        const QVector<LearnSampleFrame>& frames = view_->frames();
        QVERIFY(frames.size() > 2);
        QVERIFY(frames.back().final);
        double lowest = 1.0;
        for (const LearnSampleFrame& frame : frames) {
            QVERIFY2(frame.acceptance >= 0.0 && frame.acceptance <= 1.0, qPrintable(QString::number(frame.acceptance)));
            lowest = std::min(lowest, frame.acceptance);
        }
        QVERIFY2(lowest < 1.0, "a MALA run at step size 1 refused no move: the choice did not reach the sampler");
        const QString shown = view_->particleFrameLabel()->text();
        QVERIFY2(shown.contains(QStringLiteral("acceptance %1%").arg(qRound(100.0 * frames.back().acceptance))),
                 qPrintable(shown));

        // Langevin at the page's step size: every move taken, no acceptance to show.
        s.stepSize = before.stepSize;
        s.sampler = ebm::Sampler::Langevin;
        view_->setSampleSettings(s);
        view_->startSampling();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isSampling(), kJobTimeoutMs);
        QVERIFY(view_->frames().size() > 2);
        for (const LearnSampleFrame& frame : view_->frames())
            QCOMPARE(frame.acceptance, 1.0);
        QVERIFY(!view_->particleFrameLabel()->text().contains(QStringLiteral("acceptance")));
        view_->setSampleSettings(before);
    }

    void singleSigmaAgainstMultiscaleShowsTheNumbers()
    {
        view_->tabs()->setCurrentIndex(1);
        useSmallModel(100);
        view_->startComparison();
        QTRY_VERIFY_WITH_TIMEOUT(view_->comparison().ok || !view_->comparison().error.isEmpty(), kJobTimeoutMs);
        const LearnCompareResult& result = view_->comparison();
        QVERIFY2(result.ok, qPrintable(result.error));
        QVERIFY(result.single.hasModes && result.multiscale.hasModes);
        QCOMPARE(result.multiscale.modes, 8);
        QCOMPARE(result.trueWeights.size(), 8);
        QVERIFY(result.single.weightTv >= 0.0 && result.single.weightTv <= 1.0);
        QVERIFY(result.multiscale.mmd >= 0.0);
        QCOMPARE(result.multiscale.samples.size(), 1000);   // at least 1000 particles for the numbers
        QVERIFY(!result.multiscale.landscape.isEmpty());
        QCOMPARE(view_->multiscalePlot()->landscape().energies, result.multiscale.landscape.energies);
        QVERIFY(view_->comparisonNumbers()->text().contains(QStringLiteral("weight TV")));
        QVERIFY(view_->comparisonNumbers()->text().contains(QString::number(result.multiscale.weightTv, 'f', 3)));
    }

    /// Langevin against MALA from one start at the tab's step size: both sample sets, their
    /// acceptance, and two mode-weight distances that are toy_metrics' on the positions returned.
    void langevinAgainstMalaShowsBothWeightDistances()
    {
        view_->tabs()->setCurrentIndex(3);
        QVERIFY(!view_->model().isEmpty());
        QCOMPARE(view_->dataName(), QStringLiteral("weighted8"));
        view_->setAnnealing(LearnView::Annealing::ToyDefault);
        LearnSampleSettings s = view_->sampleSettings();
        s.temperatures = QVector<double>(60, 1.0);   // a short anneal: 60 steps
        view_->setSampleSettings(s);
        view_->startSamplerComparison();
        QTRY_VERIFY_WITH_TIMEOUT(view_->samplerComparison().ok || !view_->samplerComparison().error.isEmpty(),
                                 kJobTimeoutMs);
        const LearnSamplerCompareResult& result = view_->samplerComparison();
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.stepSize, view_->settings().largeStepSize);
        QCOMPARE(result.langevin.samples.size(), 1000);   // at least 1000 particles for the numbers
        QCOMPARE(result.mala.samples.size(), 1000);
        QCOMPARE(result.langevin.meanAcceptance, 1.0);
        QVERIFY(result.mala.meanAcceptance >= 0.0 && result.mala.meanAcceptance <= 1.0);
        QCOMPARE(result.trueWeights.size(), 8);
        QCOMPARE(view_->langevinPlot()->particleCount(), 1000);
        QCOMPARE(view_->malaPlot()->particleCount(), 1000);
        QVERIFY(!result.mala.landscape.isEmpty());

        const std::optional<ebm::toy::GaussianMixture> mixture = ebm::toy::mixtureFor("weighted8");
        QVERIFY(mixture);
        const QString numbers = view_->samplerComparisonNumbers()->text();
        for (const LearnCompareSide* side : {&result.langevin, &result.mala}) {
            QVERIFY(side->hasModes);
            const ebm::toy::ModeMatch match = ebm::toy::matchModes(
                pointsTensorOf(side->samples), mixture->meansTensor(), mixture->normalisedWeights(), result.modeRadius);
            QCOMPARE(side->weightTv, match.weightTv);
            QCOMPARE(side->modesCovered, match.modesCovered);
            QVERIFY2(numbers.contains(QString::number(match.weightTv, 'f', 3)), qPrintable(side->label));
        }
        QVERIFY(numbers.contains(QStringLiteral("weight TV")));
    }

    void concentrationSitsAtSqrtDSigma()
    {
        view_->tabs()->setCurrentIndex(2);
        view_->startConcentration();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->concentrationResult().distance.counts.isEmpty(), kJobTimeoutMs);
        const LearnConcentrationResult& r = view_->concentrationResult();
        const double expected = std::sqrt(1024.0) * 0.3;
        QVERIFY(std::abs(r.expectedDistance - expected) < 1e-9);
        QVERIFY(std::abs(r.distance.mean - expected) < 0.02 * expected);
        QVERIFY(std::abs(r.angle.mean - 90.0) < 1.0);
        QCOMPARE(r.spreadBand.counts.size(), r.singleBand.counts.size());
        auto occupied = [](const LearnHistogram& h) {
            int n = 0;
            for (double c : h.counts)
                n += c > 0 ? 1 : 0;
            return n;
        };
        QVERIFY(occupied(r.spreadBand) > 2 * occupied(r.singleBand));
    }

    void aSessionOfTheHandWrittenPageOpens()
    {
        // The settings part of a session as the page wrote it before its settings were declared
        // once (learn_fields.cpp): the same keys come back with the same values.
        const QJsonObject old = QJsonDocument::fromJson(R"({
            "count": 1500, "seed": 7, "compareSteps": 300, "singleSigma": 0.2, "dimension": 64,
            "concentrationSigma": 0.5,
            "train": {"width": 48, "depth": 2, "sigmaMin": 0.1, "sigmaMax": 1.5, "spread": 1, "sigma0": 0.2,
                      "learningRate": 0.002, "batch": 128, "steps": 300},
            "sample": {"particles": 300, "stepSize": 0.03, "annealing": 2, "steps": 200, "temperature": 250,
                       "speed": 5}})").object();
        const LearnSettings before = view_->settings();
        view_->applySessionSettings(old);
        const LearnSettings s = view_->settings();
        QCOMPARE(s.count, 1500);
        QCOMPARE(s.width, 48);
        QVERIFY(s.spread == LearnSpread::Linear);
        QVERIFY(s.annealing == LearnAnnealing::TemperatureSlider);
        QCOMPARE(view_->temperatureSlider()->value(), 250);
        QVERIFY(view_->temperatureSlider()->isEnabled());
        QCOMPARE(view_->trainSettings().learningRate, 0.002);
        QVERIFY(s.sampler == before.sampler);   // not in the old session: kept
        // Saved again: the old keys with their values, and the fields that page did not have
        // (the sampler, the Langevin vs MALA step size) at the values in use.
        QJsonObject expected = old;
        QJsonObject sample = expected.value(QStringLiteral("sample")).toObject();
        sample.insert(QStringLiteral("sampler"), QStringLiteral("langevin"));
        expected.insert(QStringLiteral("sample"), sample);
        expected.insert(QStringLiteral("largeStepSize"), before.largeStepSize);
        QVERIFY(before.sampler == ebm::Sampler::Langevin);
        const QJsonObject saved = view_->sessionSettings();
        for (const QString& key : expected.keys())
            QVERIFY2(saved.value(key) == expected.value(key), qPrintable(key));
        const QStringList stateKeys{QStringLiteral("data"), QStringLiteral("points"), QStringLiteral("model")};
        for (const QString& key : saved.keys())
            QVERIFY2(expected.contains(key) || stateKeys.contains(key), qPrintable(key));

        // A session with MALA brings it back, by name.
        QJsonObject withMala = old;
        sample.insert(QStringLiteral("sampler"), QStringLiteral("mala"));
        withMala.insert(QStringLiteral("sample"), sample);
        view_->applySessionSettings(withMala);
        QVERIFY(view_->settings().sampler == ebm::Sampler::Mala);
        QCOMPARE(view_->sessionSettings().value(QStringLiteral("sample")).toObject().value(QStringLiteral("sampler")),
                 QJsonValue(QStringLiteral("mala")));
        view_->setSettings(before);
    }

    void theSettingsAreRememberedWithoutStartingAnything()
    {
        QTemporaryDir dir;
        QSettings store(dir.filePath(QStringLiteral("studio.ini")), QSettings::IniFormat);
        const LearnSettings before = view_->settings();
        LearnSettings changed = before;
        changed.count = 1234;
        changed.width = 48;
        changed.annealing = LearnAnnealing::TemperatureSlider;
        changed.temperature = 100;
        changed.arrows = false;
        changed.brushRadius = 0.5;
        view_->setSettings(changed);
        view_->saveSettings(store);  // as the window does: the store at its root
        view_->setSettings(before);
        QCOMPARE(view_->settings().width, before.width);

        const int losses = view_->losses().size();
        view_->restoreSettings(store);
        const LearnSettings restored = view_->settings();
        QCOMPARE(restored.count, 1234);
        QCOMPARE(restored.width, 48);
        QVERIFY(restored.annealing == LearnAnnealing::TemperatureSlider);
        QCOMPARE(view_->temperatureSlider()->value(), 100);
        QVERIFY(!restored.arrows);
        QCOMPARE(restored.brushRadius, 0.5);
        QVERIFY(!view_->isRunning());
        QTest::qWait(100);
        QVERIFY(!view_->isTraining() && !view_->isSampling());
        QCOMPARE(view_->losses().size(), losses);
        view_->setSettings(before);
    }

    void theSessionKeepsTheDemo()
    {
        const QJsonObject saved = view_->sessionSettings();
        const QVector<QPointF> points = view_->points();
        const LearnModel model = view_->model();
        const int updates = view_->landscapeUpdates();
        view_->setPoints({});
        view_->applySessionSettings(saved);
        QCOMPARE(view_->points().size(), points.size());
        QCOMPARE(view_->points().front(), QPointF(float(points.front().x()), float(points.front().y())));
        QCOMPARE(view_->model().weights, model.weights);
        QCOMPARE(view_->trainSettings().width, 32);
        // The restored model's landscape is drawn again on the worker.
        QTRY_VERIFY_WITH_TIMEOUT(view_->landscapeUpdates() > updates, kJobTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isTraining(), kJobTimeoutMs);
        QCOMPARE(view_->model().weights, model.weights);

        // A damaged model (weights cut short) is left out with a message; the rest still loads.
        QJsonObject damaged = saved;
        QJsonObject weights = damaged.value(QStringLiteral("model")).toObject();
        weights.insert(QStringLiteral("weights"), QStringLiteral("AAAAAAAAAAA="));
        damaged.insert(QStringLiteral("model"), weights);
        QSignalSpy problems(view_, &LearnView::problem);
        view_->applySessionSettings(damaged);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(view_->model().weights, model.weights);   // the model in use stays
        QCOMPARE(view_->points().size(), points.size());
    }

    void fitsASmallWindow()
    {
        MainWindow& w = *studio_.window;
        w.notifications()->dismiss();   // the damaged session's message above: as the window starts
        QTest::qWait(50);                // the layout takes the bar's height back first
        w.resize(1024, 700);
        w.showPage(view_);
        view_->tabs()->setCurrentIndex(0);
        QTest::qWait(100);
        QCOMPARE(w.size(), QSize(1024, 700));
        for (QWidget* button : {static_cast<QWidget*>(view_->trainControls()->startButton()),
                                static_cast<QWidget*>(view_->sampleControls()->stopButton())}) {
            QVERIFY(button->isVisible());
            const QRect rect(button->mapTo(&w, QPoint(0, 0)), button->size());
            QVERIFY2(w.rect().contains(rect), "a run button is cut off");
        }
        const QRect plot(view_->landscapePlot()->mapTo(&w, QPoint(0, 0)), view_->landscapePlot()->size());
        QVERIFY(w.rect().contains(plot));
    }

    /// Before anything is trained the plots show no heat map (a new QCPColorMap draws a dark
    /// square over [0, 5]^2 until it gets data); a landscape shows it, an empty one hides it.
    void noHeatMapBeforeALandscape()
    {
        AnnealingHub hub;
        QUndoStack undo;
        LearnView fresh(studio_.window->engine(), &hub, &undo);
        QTRY_COMPARE_WITH_TIMEOUT(fresh.points().size(), kDefaultPoints, 20000);   // data, but no model yet
        for (LandscapePlot* plot : {fresh.landscapePlot(), fresh.singlePlot(), fresh.multiscalePlot(),
                                    fresh.langevinPlot(), fresh.malaPlot()}) {
            QCPColorMap* map = colourMapOf(plot);
            QVERIFY(map);
            QVERIFY2(!map->visible() || map->data()->isEmpty(), qPrintable(plot->objectName()));
        }
        LandscapePlot* plot = fresh.landscapePlot();
        LearnLandscape landscape;
        landscape.resolution = 4;
        landscape.extent = 3.0;
        for (int i = 0; i < 16; ++i)
            landscape.energies << float(i);
        plot->setLandscape(landscape);
        QVERIFY(colourMapOf(plot)->visible() && !colourMapOf(plot)->data()->isEmpty());
        plot->setLandscape(LearnLandscape{});
        QVERIFY(!colourMapOf(plot)->visible());
    }

    /// A reopened session says how long its model trained, not "after 0 steps; final loss 0".
    void aReopenedSessionSaysHowLongTheModelTrained()
    {
        TrainingLab* lab = trainingTabOnANewModel();
        QVERIFY(lab);
        trainAndWait(40);
        QVERIFY2(lab->statusLabel()->text().contains(QLatin1String("after 40 steps")),
                 qPrintable(lab->statusLabel()->text()));
        const QString finalLoss = QString::number(view_->losses().back(), 'g', 4);
        QCOMPARE(view_->model().trainedSteps, qint64(40));

        // The model in the session carries its steps and final loss.
        const QJsonObject saved = view_->sessionSettings();
        const LearnModel stored = learnModelFromJson(saved.value(QStringLiteral("model")).toObject());
        QCOMPARE(stored.trainedSteps, qint64(40));
        QCOMPARE(QString::number(stored.finalLoss, 'g', 4), finalLoss);

        // Reopened: the landscape is drawn again (a run of no steps) and the caption is the model's.
        const int updates = view_->landscapeUpdates();
        lab->statusLabel()->clear();
        view_->applySessionSettings(saved);
        QTRY_VERIFY_WITH_TIMEOUT(view_->landscapeUpdates() > updates, kJobTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isTraining(), kJobTimeoutMs);
        const QString caption = lab->statusLabel()->text();
        QVERIFY2(caption.contains(QLatin1String("after 40 steps")), qPrintable(caption));
        QVERIFY2(caption.contains(finalLoss), qPrintable(caption));
        QCOMPARE(view_->model().trainedSteps, qint64(40));   // and a second save keeps them

        // An older session (no steps recorded) says so instead of "0 steps".
        QJsonObject older = saved;
        QJsonObject model = older.value(QStringLiteral("model")).toObject();
        model.remove(QStringLiteral("trainedSteps"));
        model.remove(QStringLiteral("finalLoss"));
        older.insert(QStringLiteral("model"), model);
        const int before = view_->landscapeUpdates();
        view_->applySessionSettings(older);
        QTRY_VERIFY_WITH_TIMEOUT(view_->landscapeUpdates() > before, kJobTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isTraining(), kJobTimeoutMs);
        QVERIFY2(!lab->statusLabel()->text().contains(QLatin1String("0 steps")),
                 qPrintable(lab->statusLabel()->text()));
    }

    /// Beside the plane a colour scale bound to the heat map; under the mouse the energy and the
    /// gradient's length from the computed grid (bilinear between nodes, the node's own values on
    /// a node).
    void theReadoutGivesTheGridsValuesUnderTheMouse()
    {
        LandscapePlot plot(QStringLiteral("Readout"), QStringLiteral("readout"));
        plot.resize(520, 420);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        LearnLandscape landscape;
        landscape.resolution = 4;
        landscape.extent = 3.0;   // nodes at -3, -1, 1, 3
        for (int iy = 0; iy < 4; ++iy)
            for (int ix = 0; ix < 4; ++ix) {
                landscape.energies << float(2 * ix + 3 * iy + 1);   // linear: bilinear is exact
                landscape.scoreX << 3.0f;
                landscape.scoreY << -4.0f;
            }
        plot.setLandscape(landscape);
        QCPColorMap* map = colourMapOf(&plot);
        QVERIFY(plot.colourScale());
        QCOMPARE(map->colorScale(), plot.colourScale());
        QCOMPARE(plot.colourScale()->dataRange(), map->dataRange());

        const LandscapePlot::Readout node = plot.readoutAt(QPointF(-1.0, 1.0));   // node (1, 2)
        QVERIFY(node.inside);
        QCOMPARE(node.energy, double(landscape.energies[2 * 4 + 1]));
        QCOMPARE(node.gradient, 5.0);
        const LandscapePlot::Readout middle = plot.readoutAt(QPointF(0.0, 0.0));   // grid (1.5, 1.5)
        QVERIFY(std::abs(middle.energy - (2 * 1.5 + 3 * 1.5 + 1)) < 1e-9);
        QVERIFY(!plot.readoutAt(QPointF(3.5, 0.0)).inside);

        plot.replotNow();   // lays the axes out, so that pixels map to the plane
        const QPoint pixel = plot.toPixel(QPointF(-1.0, 1.0));
        // A hover (no button held), as the widget gets it with mouse tracking on; QTest::mouseMove
        // reaches only a widget shown on a screen.
        QMouseEvent hover(QEvent::MouseMove, QPointF(pixel), plot.plot()->mapToGlobal(QPointF(pixel)), Qt::NoButton,
                          Qt::NoButton, Qt::NoModifier);
        QCoreApplication::sendEvent(plot.plot(), &hover);
        const QPointF at = plot.toPlane(pixel);
        const LandscapePlot::Readout under = plot.readoutAt(at);
        QVERIFY(under.inside);
        const double expected = 2 * (at.x() + 3.0) / 2.0 + 3 * (at.y() + 3.0) / 2.0 + 1;
        QVERIFY2(std::abs(under.energy - expected) < 1e-4, qPrintable(QString::number(under.energy)));
        const QString energyText = QStringLiteral("E = ") + QString::number(under.energy, 'g', 4);
        QTRY_VERIFY2(plot.readoutLabel()->text().contains(energyText), qPrintable(plot.readoutLabel()->text()));
        QVERIFY2(plot.readoutLabel()->text().contains(QStringLiteral("|∇E| = 5")),
                 qPrintable(plot.readoutLabel()->text()));
    }

    /// The concentration histograms have room above their tallest bar.
    void theConcentrationBarsAreNotCutOff()
    {
        view_->tabs()->setCurrentIndex(2);
        if (view_->concentrationResult().distance.counts.isEmpty()) {
            view_->startConcentration();
            QTRY_VERIFY_WITH_TIMEOUT(!view_->concentrationResult().distance.counts.isEmpty(), kJobTimeoutMs);
        }
        for (PlotPanel* panel : {view_->distancePlot(), view_->anglePlot(), view_->bandPlot()}) {
            QCustomPlot* plot = panel->plot();
            for (int i = 0; i < plot->plottableCount(); ++i) {
                auto* bars = qobject_cast<QCPBars*>(plot->plottable(i));
                if (!bars)
                    continue;
                double tallest = 0.0;
                for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
                    tallest = std::max(tallest, it->value);
                QVERIFY(tallest > 0.0);
                const QCPRange range = bars->valueAxis()->range();
                QVERIFY2(range.upper >= 1.05 * tallest,
                         qPrintable(QStringLiteral("%1: axis ends at %2, tallest bar %3")
                                        .arg(bars->name()).arg(range.upper).arg(tallest)));
                QVERIFY(range.lower <= 0.0);
            }
        }
    }

    /// The learning rate and the noise range changed while the model trains reach the run.
    void theLearningRateAndNoiseRangeChangeWhileTraining()
    {
        TrainingLab* lab = trainingTabOnANewModel();
        QVERIFY(lab);
        useSmallModel(1000000);
        view_->startTraining();
        QTRY_VERIFY_WITH_TIMEOUT(lab->reportedLive().learningRate > 0.0, kJobTimeoutMs);
        QCOMPARE(lab->reportedLive().learningRate, 3e-3);
        LearnTrainSettings changed = view_->trainSettings();
        changed.learningRate = 5e-4;
        changed.sigmaMin = 0.1;
        changed.sigmaMax = 1.5;
        view_->setTrainSettings(changed);
        QTRY_COMPARE_WITH_TIMEOUT(lab->reportedLive().learningRate, 5e-4, kJobTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(lab->reportedLive().sigmaMin, 0.1, kJobTimeoutMs);
        QCOMPARE(lab->reportedLive().sigmaMax, 1.5);
        QVERIFY(view_->isTraining());   // the same run
        view_->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isTraining(), kJobTimeoutMs);
    }
};

EBM_UI_TEST_MAIN(TestUiLearn)
#include "test_ui_learn.moc"
