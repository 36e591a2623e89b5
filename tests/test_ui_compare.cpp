// The Compare page (issue 27, part 4) on run files written through the engine's writer: two runs
// of other lengths open side by side, one timeline moves both grids to the moments of its step
// (a run that recorded nothing so early shows none), the chart holds both mean-energy traces, the
// difference grid holds |A - B| pixel for pixel, a run of another image shape turns the difference
// off with its reason, Start reads the runs again, a damaged run is refused in one line, and the
// side-by-side PNG keeps both runs' names. And File > Save Run…'s job: a RunHistory saved comes
// back as the same bytes.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>

#include <cmath>
#include <optional>

#include "ebm/base/json.h"
#include "ebm/base/png_settings.h"
#include "ebm/io/run_bundle.h"
#include "worker/studio_engine.h"
#include "widgets/sample_grid_widget.h"
#include "annealing/run_bundle_job.h"
#include "annealing/run_history.h"
#include "pages/compare/compare_chart.h"
#include "pages/compare/compare_view.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

constexpr int64_t kSamples = 4;
constexpr int64_t kSize = 8;
constexpr int kLoadTimeoutMs = 30000;

/// A run recorded at `steps` (the last one twice: the final moment after the jump), with random
/// pixels and energies from `seed`, and settings whose schedule has `scheduleSteps` steps.
ebm::RunBundle syntheticRun(const std::vector<int>& steps, int64_t size, int scheduleSteps, uint64_t seed)
{
    torch::manual_seed(seed);
    const int64_t moments = int64_t(steps.size()) + 1;
    ebm::RunBundle run;
    run.frames = torch::randint(0, 256, {moments, kSamples, 1, size, size}, torch::kUInt8);
    std::vector<int> recorded = steps;
    recorded.push_back(steps.back());
    run.steps = torch::tensor(recorded, torch::kInt);
    run.temperatures = torch::linspace(1.0, 0.01, moments, torch::kDouble);
    run.energies = torch::randn({moments, kSamples}, torch::kDouble);
    run.finalFlags = torch::zeros({moments}, torch::kUInt8);
    run.finalFlags[moments - 1] = 1;
    const ebm::Json settings{{"format", ebm::kPngSettingsFormat},
                             {"version", ebm::kPngSettingsVersion},
                             {"command", "studio sample"},
                             {"model", {{"file", "tiny.ebm"}}},
                             {"seed", seed},
                             {"schedule", {{"format", "ebm-schedule"}, {"version", 1}, {"steps", scheduleSteps}}},
                             {"step_size", 0.02},
                             {"sampler", "langevin"}};
    run.settingsJson = settings.dump();
    return run;
}

/// Whether `images` are the gray frames [N, 1, H, W] (uint8) byte for byte.
bool showsFrames(const QVector<QImage>& images, const torch::Tensor& frames)
{
    if (images.size() != frames.size(0))
        return false;
    for (int i = 0; i < images.size(); ++i) {
        const QImage gray = images[i].convertToFormat(QImage::Format_Grayscale8);
        if (gray.width() != frames.size(3) || gray.height() != frames.size(2))
            return false;
        for (int y = 0; y < gray.height(); ++y)
            for (int x = 0; x < gray.width(); ++x)
                if (gray.constScanLine(y)[x] != frames[i][0][y][x].item<uint8_t>())
                    return false;
    }
    return true;
}

QImage grayImage(const torch::Tensor& pixels)  // [H, W] uint8
{
    QImage image(int(pixels.size(1)), int(pixels.size(0)), QImage::Format_Grayscale8);
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            image.scanLine(y)[x] = pixels[y][x].item<uint8_t>();
    return image;
}

}  // namespace

class TestUiCompare : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString runA_, runB_, otherShape_, notARun_;
    ebm::RunBundle a_, b_;
    StudioEngine* engine_ = nullptr;
    CompareView* view_ = nullptr;

    QString at(const QString& name) const { return QDir(dir_.path()).filePath(name); }

    /// Opens `path` on `side` and waits for the page to have read it.
    void open(CompareView::Side side, const QString& path)
    {
        view_->openRun(side, path);
        QVERIFY(view_->isLoading());
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isLoading(), kLoadTimeoutMs);
    }

    int timelineIndexOf(int step, bool final) const
    {
        const QVector<TimelineMoment>& moments = view_->timeline();
        for (int i = 0; i < moments.size(); ++i)
            if (moments[i].step == step && moments[i].final == final)
                return i;
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        // A: steps 1, 5, 10 and its final moment; B starts later and runs longer.
        a_ = syntheticRun({1, 5, 10}, kSize, 10, 21);
        b_ = syntheticRun({3, 6, 9, 12}, kSize, 12, 22);
        runA_ = at(QStringLiteral("first.ebmrun"));
        runB_ = at(QStringLiteral("second.ebmrun"));
        otherShape_ = at(QStringLiteral("small.ebmrun"));
        notARun_ = at(QStringLiteral("empty.ebmrun"));
        ebm::writeRunBundle(runA_.toStdString(), a_);
        ebm::writeRunBundle(runB_.toStdString(), b_);
        ebm::writeRunBundle(otherShape_.toStdString(), syntheticRun({1, 5, 10}, kSize - 2, 10, 23));
        QVERIFY(QDir().mkpath(notARun_));

        engine_ = new StudioEngine(this);
        engine_->configureRuntime(QStringLiteral("cpu"), 1);
        view_ = new CompareView(engine_, nullptr);
        view_->resize(1200, 800);
        view_->show();
        QVERIFY(!view_->canStart());
        QVERIFY(!view_->differenceToggle()->isEnabled());  // no runs: nothing to subtract
    }

    void cleanupTestCase()
    {
        delete view_;
        delete engine_;
    }

    void bothGridsFollowOneTimelineByStep()
    {
        open(CompareView::A, runA_);
        open(CompareView::B, runB_);
        QVERIFY(view_->run(CompareView::A).ok);
        QVERIFY(view_->run(CompareView::B).ok);
        QCOMPARE(view_->run(CompareView::A).name, QStringLiteral("first"));
        QVERIFY2(view_->summary(CompareView::A)->text().contains(QStringLiteral("tiny.ebm")),
                 qPrintable(view_->summary(CompareView::A)->text()));

        // Every moment of either run once: 1, 3, 5, 6, 9, 10, 10 final, 12, 12 final.
        QCOMPARE(view_->timeline().size(), 9);
        QCOMPARE(view_->timelineSlider()->maximum(), 8);

        // At step 6: A's last moment at or before it is step 5, B's is step 6.
        view_->timelineSlider()->setValue(timelineIndexOf(6, false));
        QCOMPARE(view_->shownMoment().step, 6);
        QCOMPARE(view_->shownIndex(CompareView::A), 1);
        QCOMPARE(view_->shownIndex(CompareView::B), 1);
        QVERIFY(showsFrames(view_->grid(CompareView::A)->images(), a_.frames[1]));
        QVERIFY(showsFrames(view_->grid(CompareView::B)->images(), b_.frames[1]));
        QCOMPARE(view_->chart()->cursorStep(), 6);

        // Step 10, final: A's denoised samples; B is still at step 9.
        view_->setTimelineStep(10);
        QVERIFY(view_->shownMoment().final);
        QCOMPARE(view_->shownIndex(CompareView::A), 3);
        QCOMPARE(view_->shownIndex(CompareView::B), 2);
        QVERIFY(showsFrames(view_->grid(CompareView::A)->images(), a_.frames[3]));
        QVERIFY(showsFrames(view_->grid(CompareView::B)->images(), b_.frames[2]));

        // Step 1: B recorded nothing yet, and shows nothing.
        view_->timelineSlider()->setValue(0);
        QCOMPARE(view_->shownIndex(CompareView::A), 0);
        QCOMPARE(view_->shownIndex(CompareView::B), -1);
        QVERIFY(view_->grid(CompareView::B)->images().isEmpty());

        // The schedules differ in length: the page says so, and how it aligns them.
        QVERIFY(view_->scheduleNote()->isVisibleTo(view_));
        QVERIFY2(view_->scheduleNote()->text().contains(QStringLiteral("A: 10 steps, B: 12 steps")),
                 qPrintable(view_->scheduleNote()->text()));
    }

    void theChartHoldsBothMeanEnergies()
    {
        CompareEnergyChart* chart = view_->chart();
        QCOMPARE(chart->graphCount(), 2);
        for (const auto& [side, run] : {std::pair{0, &a_}, std::pair{1, &b_}}) {
            const QVector<double> steps = chart->shownSteps(side);
            const QVector<double> energies = chart->shownEnergies(side);
            QCOMPARE(steps.size(), int(run->moments()));
            for (int k = 0; k < steps.size(); ++k) {
                QCOMPARE(steps[k], double(run->steps[k].item<int>()));
                const double mean = run->energies[k].mean().item<double>();
                QVERIFY2(std::abs(energies[k] - mean) <= 1e-12 * (1.0 + std::abs(mean)),
                         qPrintable(QString("side %1, moment %2: %3 shown, %4 expected").arg(side).arg(k)
                                        .arg(energies[k]).arg(mean)));
            }
        }
        QVERIFY(chart->graphName(0).contains(QStringLiteral("first")));
        QVERIFY(chart->graphName(1).contains(QStringLiteral("second")));
        // A click in the chart moves the timeline: the chart's step is the page's.
        view_->setTimelineStep(9);
        QCOMPARE(chart->cursorStep(), 9);
    }

    void theDifferenceIsTheAbsoluteDifference()
    {
        QVERIFY(view_->differenceToggle()->isEnabled());
        QVERIFY(view_->differenceNote()->text().isEmpty());
        view_->differenceToggle()->setChecked(true);
        QVERIFY(view_->differenceShown());
        view_->setTimelineStep(6);  // A at step 5 (moment 1), B at step 6 (moment 1)
        const QVector<QImage>& differences = view_->differenceGrid()->images();
        QCOMPARE(differences.size(), int(kSamples));
        const int sample = 2, x = 3, y = 5;
        const int expected = std::abs(int(a_.frames[1][sample][0][y][x].item<uint8_t>()) -
                                      int(b_.frames[1][sample][0][y][x].item<uint8_t>()));
        QCOMPARE(differences[sample].pixelColor(x, y).red(), expected);
        QCOMPARE(differences[sample].pixelColor(x, y).green(), expected);
        // And every pixel of every sample, through the images the two grids show.
        for (int i = 0; i < differences.size(); ++i)
            QCOMPARE(differences[i], absoluteDifference(view_->grid(CompareView::A)->images()[i],
                                                        view_->grid(CompareView::B)->images()[i]));
    }

    void theSideBySidePictureNamesBothRuns()
    {
        const QString path = at(QStringLiteral("side-by-side.png"));
        QString error;
        QVERIFY2(view_->exportSideBySide(path, error), qPrintable(error));
        const QImage picture(path);
        QVERIFY(!picture.isNull());
        QVERIFY(picture.width() > picture.height());  // three grids in a row
        const std::optional<std::string> kept = ebm::readPngSettings(path.toStdString());
        QVERIFY(kept.has_value());
        const ebm::Json settings = ebm::Json::parse(*kept);
        QCOMPARE(QString::fromStdString(settings["command"].get<std::string>()), QStringLiteral("studio compare"));
        QCOMPARE(settings["runs"].size(), size_t(2));
        QCOMPARE(QString::fromStdString(settings["runs"][0]["folder"].get<std::string>()), QStringLiteral("first.ebmrun"));
        QCOMPARE(QString::fromStdString(settings["runs"][1]["name"].get<std::string>()), QStringLiteral("second"));
        QCOMPARE(settings["runs"][1]["settings"]["seed"].get<int>(), 22);
        QCOMPARE(settings["moment"]["step"].get<int>(), 6);
        QVERIFY(settings["difference"].get<bool>());

        // A session keeps both runs.
        const QJsonObject part = view_->sessionSettings();
        QCOMPARE(part.value(QStringLiteral("run_a")).toString(), runA_);
        QCOMPARE(part.value(QStringLiteral("run_b")).toString(), runB_);
    }

    void anotherImageShapeTurnsTheDifferenceOff()
    {
        open(CompareView::B, otherShape_);
        QCOMPARE(view_->run(CompareView::B).name, QStringLiteral("small"));
        QVERIFY(!view_->differenceToggle()->isEnabled());
        QVERIFY(!view_->differenceShown());
        const QString reason = view_->differenceNote()->text();
        QVERIFY2(reason.contains(QStringLiteral("shape")) && reason.contains(QStringLiteral("6x6")), qPrintable(reason));
        QVERIFY(!reason.contains(QLatin1Char('\n')));
        // The same schedule now: no note.
        QVERIFY(!view_->scheduleNote()->isVisibleTo(view_));
    }

    /// Start (F5) reads the runs shown again from their folders: a run saved anew is shown anew.
    void startReadsTheRunsAgain()
    {
        const ebm::RunBundle resaved = syntheticRun({1, 5, 10}, kSize - 2, 10, 24);
        ebm::writeRunBundle(otherShape_.toStdString(), resaved);
        QVERIFY(view_->canStart());
        view_->start();
        QVERIFY(view_->isRunning());
        QVERIFY(!view_->canStart());
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isRunning(), kLoadTimeoutMs);
        const int shown = view_->shownIndex(CompareView::B);
        QVERIFY(shown >= 0);
        QVERIFY(showsFrames(view_->grid(CompareView::B)->images(), resaved.frames[shown]));
        QVERIFY(showsFrames(view_->grid(CompareView::A)->images(), a_.frames[view_->shownIndex(CompareView::A)]));
    }

    void aFolderThatIsNoRunIsRefusedInOneLine()
    {
        QSignalSpy problems(view_, &StudioPage::problem);
        open(CompareView::A, notARun_);
        QCOMPARE(problems.count(), 1);
        const QString message = problems.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("empty.ebmrun")) && message.contains(QStringLiteral("steps.npy")),
                 qPrintable(message));
        QVERIFY(!message.contains(QLatin1Char('\n')));
        QCOMPARE(view_->run(CompareView::A).name, QStringLiteral("first"));  // the run shown stays
    }

    void aRecordedRunIsSavedByteForByte()
    {
        // A history as a sampling page records it: gray 8-bit samples, energies, one final moment.
        RunHistory history;
        SamplingRunInfo info;
        info.runId = 7;
        history.start(info);
        SampleFrameBatch batch;
        batch.runId = 7;
        for (int f = 0; f < a_.moments(); ++f) {
            SampleSnapshot moment;
            moment.step = a_.steps[f].item<int>();
            moment.temperature = a_.temperatures[f].item<double>();
            moment.final = a_.finalFlags[f].item<uint8_t>() != 0;
            for (int i = 0; i < kSamples; ++i) {
                moment.raw.push_back(grayImage(a_.frames[f][i][0]));
                moment.energies.push_back(a_.energies[f][i].item<double>());
            }
            batch.snapshots.push_back(moment);
        }
        QCOMPARE(history.append(batch), int(a_.moments()));

        const QString path = at(QStringLiteral("saved.ebmrun"));
        std::optional<std::pair<bool, QString>> outcome;
        JobHandle* saving = saveRunBundle(engine_, path, history, a_.settingsJson, this,
                                          [&outcome](bool ok, const QString& message) { outcome.emplace(ok, message); });
        QVERIFY(saving);
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), kLoadTimeoutMs);
        QVERIFY2(outcome->first, qPrintable(outcome->second));
        const ebm::RunBundle saved = ebm::readRunBundle(path.toStdString());
        QVERIFY(torch::equal(saved.frames, a_.frames));
        QVERIFY(torch::equal(saved.steps, a_.steps));
        QVERIFY(torch::equal(saved.temperatures, a_.temperatures));
        QVERIFY(torch::equal(saved.energies, a_.energies));
        QVERIFY(torch::equal(saved.finalFlags, a_.finalFlags));
        QCOMPARE(saved.settingsJson, a_.settingsJson);

        // Nothing recorded: said at once, no job.
        RunHistory empty;
        outcome.reset();
        QVERIFY(!saveRunBundle(engine_, at(QStringLiteral("none.ebmrun")), empty, {}, this,
                               [&outcome](bool ok, const QString& message) { outcome.emplace(ok, message); }));
        QVERIFY(outcome.has_value() && !outcome->first);
        QVERIFY(!QFileInfo::exists(at(QStringLiteral("none.ebmrun"))));
    }
};

EBM_UI_TEST_MAIN(TestUiCompare)

#include "test_ui_compare.moc"
