// The sampler choice (issue 25): the Sample and Inpaint pages' "Sampler" field (Langevin or MALA)
// is one declaration (widget, undo, session, settings) and reaches the engine's SamplingOptions;
// a MALA run's per-step acceptance goes from the job into the run history and the energy chart's
// acceptance plot (one point per recorded step, the job's values, the running mean over the last
// steps, the run's mean and the value at the timeline's moment in its label); a Langevin run
// hides that plot, and the energies get their height back.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QApplication>
#include <QComboBox>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
#include <QUndoStack>

#include <algorithm>
#include <cmath>

#include "ebm/schedule/sampling_options.h"
#include "worker/studio_engine.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/run_controls.h"
#include "annealing/energy_chart.h"
#include "annealing/sampling_fields.h"
#include "annealing/sampling_panel.h"
#include "annealing/sampling_types.h"
#include "pages/inpaint/inpaint_fields.h"
#include "pages/inpaint/inpaint_view.h"
#include "pages/sample/sample_view.h"
#include "window/main_window.h"
#include "ui_inpaint_support.h"
#include "ui_job_probes.h"

using namespace ebm::studio;
using ebm::testing::SamplingProbe;

namespace {

constexpr int kWaitMs = 60000;
constexpr int kSteps = 20;

const QString kLangevin = QStringLiteral("langevin");
const QString kMala = QStringLiteral("mala");

SamplingSettings quickRun(const QString& sampler)
{
    SamplingSettings s;
    s.schedulePreset = QStringLiteral("quick");
    s.steps = kSteps;
    s.numSamples = 4;
    s.recordEvery = 1;  // every step recorded: the plot has one point per step
    s.seed = 7;
    s.sampler = sampler;
    return s;
}

/// What a run of the Sample page reported, as its job sent it.
struct ReportedRun {
    SamplingRunInfo info;
    QVector<SampleSnapshot> steps;  // the recorded steps, the final jump left out
    SamplingOutcome outcome;
};

}  // namespace

class TestUiSamplerChoice : public ebm::testing::InpaintPageTestCase {
    Q_OBJECT

    SampleView* samplePage()
    {
        MainWindow& w = openWindow(tinyModel_);
        w.showPage(w.sampleView());
        QApplication::processEvents();
        return w.sampleView();
    }

    /// Runs the Sample page with `s` (its Sample button) to the end.
    ReportedRun runSamplePage(SampleView* page, const SamplingSettings& s)
    {
        ReportedRun run;
        SamplingProbe probe(studio_.window->engine(), SamplingProbe::EveryJob);
        QSignalSpy started(&probe, &SamplingProbe::started);
        QSignalSpy frames(&probe, &SamplingProbe::frames);
        QSignalSpy finished(&probe, &SamplingProbe::finished);
        page->panel()->setSettings(s);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(page->runControls()->startButton()->isEnabled(), kWaitMs); }();
        page->runControls()->startButton()->click();
        if (!finished.wait(kWaitMs) || started.count() != 1) {
            qWarning("the sampling run did not start and finish within %d ms", kWaitMs);
            return run;  // the checks that follow fail
        }
        run.info = started.first().at(0).value<SamplingRunInfo>();
        run.outcome = finished.first().at(0).value<SamplingOutcome>();
        for (const QList<QVariant>& emitted : frames) {
            const SampleFrameBatch batch = emitted.at(0).value<SampleFrameBatch>();
            for (const SampleSnapshot& snapshot : batch.snapshots)
                if (!snapshot.final)
                    run.steps.push_back(snapshot);
        }
        QApplication::processEvents();  // the page's own connections have seen every batch
        return run;
    }

    static QVector<double> stepsOf(const QVector<SampleSnapshot>& snapshots)
    {
        QVector<double> steps;
        for (const SampleSnapshot& s : snapshots)
            steps.push_back(s.step);
        return steps;
    }

    /// The recorded steps of a run history, the final jump left out.
    static QVector<SampleSnapshot> historySteps(const RunHistory& history)
    {
        QVector<SampleSnapshot> steps;
        for (int i = 0; i < history.size(); ++i)
            if (!history.at(i).final)
                steps.push_back(history.at(i));
        return steps;
    }

    static int energyPlotHeight(EnergyChart* chart)
    {
        chart->replotNow();  // lays the plot out
        return chart->plot()->axisRect()->outerRect().height();
    }

private Q_SLOTS:
    /// One declaration: the field on both pages (a combo box of core's names with its tooltip),
    /// undo, the session's "sampler" word, QSettings; and the engine's options take it.
    void theFieldIsDeclaredOnceForBothPages()
    {
        SampleView* page = samplePage();
        auto* sampler = page->panel()->findChild<QComboBox*>(QStringLiteral("samplerField"));
        QVERIFY(sampler);
        QCOMPARE(sampler->count(), 2);
        QVERIFY(sampler->findData(kLangevin) >= 0);
        QVERIFY(sampler->findData(kMala) >= 0);
        for (const char* words : {"Metropolis-Hastings", "two gradient evaluations", "rejected"})
            QVERIFY2(sampler->toolTip().contains(QLatin1String(words)), qPrintable(sampler->toolTip()));
        QCOMPARE(SamplingSettings().sampler, kLangevin);  // the paper's sampler unless chosen

        // A person's choice: one undo step, undone and redone.
        page->panel()->setSettings(quickRun(kLangevin));
        QUndoStack* undo = studio_.window->undoStack();
        undo->clear();
        sampler->setCurrentIndex(sampler->findData(kMala));
        QCOMPARE(page->panel()->settings().sampler, kMala);
        QCOMPARE(undo->count(), 1);
        undo->undo();
        QCOMPARE(page->panel()->settings().sampler, kLangevin);
        undo->redo();
        QCOMPARE(page->panel()->settings().sampler, kMala);

        // The engine's options: what the sampling job gives the sampler.
        QVERIFY(toSamplingOptions(page->panel()->settings()).sampler == ebm::Sampler::Mala);
        QVERIFY(toSamplingOptions(quickRun(kLangevin)).sampler == ebm::Sampler::Langevin);

        // Sessions and settings files keep core's word; an unknown one is refused.
        const QJsonObject json = samplingFields().toJson(quickRun(kMala));
        QCOMPARE(json.value(QStringLiteral("sampler")).toString(), kMala);
        SamplingSettings read;
        QString error;
        QVERIFY2(samplingFields().fromJson(json, read, error), qPrintable(error));
        QCOMPARE(read.sampler, kMala);
        QJsonObject unknown = json;
        unknown.insert(QStringLiteral("sampler"), QStringLiteral("gibbs"));
        QVERIFY(!samplingFields().fromJson(unknown, read, error));
        QVERIFY2(error.contains(QLatin1String("gibbs")), qPrintable(error));
        QSettings store(QDir(dir_.path()).filePath(QStringLiteral("sampler.ini")), QSettings::IniFormat);
        samplingFields().save(store, quickRun(kMala));
        QCOMPARE(samplingFields().load(store).sampler, kMala);

        // The Inpaint page's form has the same field, into its own settings.
        InpaintView* inpaint = studio_.window->inpaintView();
        auto* inpaintSampler = inpaint->findChild<QComboBox*>(QStringLiteral("samplerField"));
        QVERIFY(inpaintSampler);
        QCOMPARE(inpaintSampler->toolTip(), sampler->toolTip());
        inpaintSampler->setCurrentIndex(inpaintSampler->findData(kMala));
        QCOMPARE(inpaint->settings().sampler, kMala);
        QCOMPARE(inpaintFields().toJson(inpaint->settings()).value(QStringLiteral("sampler")).toString(), kMala);
    }

    /// A MALA run: the job measured the acceptance of every step (so the sampler ran MALA), and
    /// the chart plots one point per recorded step, each the job's value, in [0, 1], with the
    /// running mean of the last steps; the history keeps them, and the timeline's moment shows.
    void malaFillsTheAcceptancePlot()
    {
        SampleView* page = samplePage();
        const ReportedRun run = runSamplePage(page, quickRun(kMala));
        QVERIFY2(!run.outcome.failed, qPrintable(run.outcome.message));
        QCOMPARE(run.info.settings.sampler, kMala);
        QVERIFY(toSamplingOptions(run.info.settings).sampler == ebm::Sampler::Mala);
        QCOMPARE(run.outcome.acceptanceSteps, kSteps);  // Langevin measures none
        QVERIFY(run.outcome.meanAcceptance >= 0.0 && run.outcome.meanAcceptance <= 1.0);
        QCOMPARE(run.steps.size(), kSteps);

        EnergyChart* chart = page->chart();
        QVERIFY(chart->showsAcceptance());
        QVERIFY(chart->acceptanceRect()->visible());
        QCOMPARE(chart->acceptanceRect()->axis(QCPAxis::atLeft)->label(), QStringLiteral("Acceptance"));
        QVERIFY(chart->acceptanceRect()->axis(QCPAxis::atBottom)->range() == chart->plot()->xAxis->range());
        QCOMPARE(chart->acceptanceSteps(), stepsOf(run.steps));
        QVector<double> reported, reportedRecent;
        for (const SampleSnapshot& s : run.steps) {
            QVERIFY2(s.acceptance >= 0.0 && s.acceptance <= 1.0, qPrintable(QString::number(s.acceptance)));
            reported.push_back(s.acceptance);
            reportedRecent.push_back(s.recentAcceptance);
        }
        QCOMPARE(chart->acceptanceValues(), reported);
        QCOMPARE(chart->recentAcceptanceValues(), reportedRecent);
        // Every step recorded: each running mean is the mean of the steps in its window, and
        // the last snapshot's run mean is the sampler's own.
        for (int i = 0; i < reported.size(); ++i) {
            const int first = std::max(0, i - kAcceptanceWindowSteps + 1);
            double sum = 0.0;
            for (int j = first; j <= i; ++j)
                sum += reported[j];
            QVERIFY(std::abs(reportedRecent[i] - sum / (i - first + 1)) < 1e-12);
        }
        QVERIFY(std::abs(run.steps.last().meanAcceptance - run.outcome.meanAcceptance) < 1e-9);

        // The run history keeps each step's acceptance: scrubbing the timeline shows it.
        const QVector<SampleSnapshot> recorded = historySteps(page->history());
        QCOMPARE(stepsOf(recorded), stepsOf(run.steps));
        for (int i = 0; i < recorded.size(); ++i)
            QCOMPARE(recorded[i].acceptance, run.steps[i].acceptance);
        const int moment = 5;
        page->timeline()->setValue(moment);
        QCOMPARE(page->shownIndex(), moment);
        const SampleSnapshot& shown = page->history().at(moment);
        const QString text = chart->acceptanceText();
        QVERIFY2(text.contains(QStringLiteral("at step %1").arg(shown.step)), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("%1%").arg(std::lround(100 * shown.acceptance))), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("mean %1%").arg(std::lround(100 * run.steps.last().meanAcceptance))),
                 qPrintable(text));
    }

    /// Langevin takes every step: no acceptance measured, the plot hidden and out of the layout,
    /// so the energies have the height they had before a MALA run showed it.
    void langevinHidesTheAcceptancePlot()
    {
        SampleView* page = samplePage();
        EnergyChart* chart = page->chart();
        const ReportedRun first = runSamplePage(page, quickRun(kLangevin));
        QVERIFY2(!first.outcome.failed, qPrintable(first.outcome.message));
        QCOMPARE(first.outcome.acceptanceSteps, 0);
        QVERIFY(!first.steps.isEmpty());
        for (const SampleSnapshot& s : first.steps)
            QCOMPARE(s.acceptance, 1.0);
        QVERIFY(!chart->showsAcceptance());
        QVERIFY(chart->acceptanceValues().isEmpty());
        const int fullHeight = energyPlotHeight(chart);
        QVERIFY(fullHeight > 0);

        const ReportedRun mala = runSamplePage(page, quickRun(kMala));
        QVERIFY2(!mala.outcome.failed, qPrintable(mala.outcome.message));
        QVERIFY(chart->showsAcceptance());
        QVERIFY(energyPlotHeight(chart) < fullHeight);

        const ReportedRun again = runSamplePage(page, quickRun(kLangevin));
        QVERIFY2(!again.outcome.failed, qPrintable(again.outcome.message));
        QVERIFY(!chart->showsAcceptance());
        QVERIFY(!chart->acceptanceRect()->layout());
        QVERIFY(chart->acceptanceValues().isEmpty());
        QCOMPARE(energyPlotHeight(chart), fullHeight);
    }

    /// The Inpaint page's choice reaches its job too. The engine completes with MALA (then the
    /// chart plots its acceptance as on the Sample page) or refuses it in one line that names
    /// MALA, which the page shows; it never runs Langevin instead.
    void inpaintPageTakesTheSamplerToItsJob()
    {
        InpaintView* page = openPage();
        QVERIFY(document()->applyPreset(QStringLiteral("right")));  // pixels to generate
        InpaintSettings s = page->settings();
        s.schedulePreset = QStringLiteral("quick");
        s.steps = kSteps;
        s.completions = 2;
        s.sampler = kMala;
        page->setSettings(s);
        QSignalSpy problems(page, &StudioPage::problem);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(page->runControls()->startButton()->isEnabled(), kWaitMs); }();
        page->runControls()->startButton()->click();
        // Its outcome, or the problem it ended with.
        QTRY_VERIFY_WITH_TIMEOUT(page->lastOutcome().has_value() || problems.count() > 0, kWaitMs);
        QVERIFY2(page->history().info().runId > 0,  // the run started, with these settings
                 qPrintable(problems.isEmpty() ? QString() : problems.last().at(0).toString()));
        QCOMPARE(page->history().info().settings.sampler, kMala);
        QVERIFY(toSamplingOptions(page->history().info().settings).sampler == ebm::Sampler::Mala);

        if (!page->lastOutcome()) {  // refused: the person is told why
            const QString message = problems.last().at(0).toString();
            QVERIFY2(message.contains(QLatin1String("MALA"), Qt::CaseInsensitive), qPrintable(message));
            return;
        }
        QCOMPARE(page->lastOutcome()->run.acceptanceSteps, kSteps);
        EnergyChart* chart = page->chart();
        QVERIFY(chart->showsAcceptance());
        const QVector<SampleSnapshot> recorded = historySteps(page->history());
        QVERIFY(!recorded.isEmpty());
        QCOMPARE(chart->acceptanceSteps(), stepsOf(recorded));
        for (int i = 0; i < recorded.size(); ++i) {
            QVERIFY(recorded[i].acceptance >= 0.0 && recorded[i].acceptance <= 1.0);
            QCOMPARE(chart->acceptanceValues().at(i), recorded[i].acceptance);
        }
    }
};

EBM_UI_TEST_MAIN(TestUiSamplerChoice)

#include "test_ui_sampler_choice.moc"
#include "moc_ui_job_probes.cpp"
#include "moc_ui_studio_test_case.cpp"
