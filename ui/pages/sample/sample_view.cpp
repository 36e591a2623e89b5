#include "pages/sample/sample_view.h"
#include "pages/sample/sweep_dialog.h"

#include <QButtonGroup>
#include <QDir>
#include <QFrame>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "ebm/schedule/schedule.h"
#include "ebm/schedule/schedule_feed.h"
#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/image_grid.h"
#include "widgets/run_controls.h"
#include "widgets/safe_save.h"
#include "widgets/sample_grid_widget.h"
#include "annealing/annealing_hub.h"
#include "annealing/energy_chart.h"
#include "annealing/picture_settings.h"
#include "annealing/sampling_fields.h"
#include "annealing/sampling_job.h"
#include "annealing/sampling_panel.h"
#include "pages/sample/chain_diagnostics_panel.h"
#include "pages/sample/sample_exports.h"

namespace ebm::studio {
namespace {

constexpr int kTrajectoryCells = 24;   // frames shown for the selected sample
constexpr int kExportScale = 2;        // exported trajectories: 32-pixel images become 64 pixels
constexpr int kMaxGridExportScale = 8;
constexpr int kAutomaticGridPixels = 512;  // automatic grid scale: at least this wide
constexpr int kSheetColumns = 10;      // contact sheet of a trajectory

QString formatNumber(double v) { return QString::number(v, 'g', 4); }

/// One schedule, give or take the rounding of a curve that went through JSON.
bool sameSchedule(const QVector<double>& a, const QVector<double>& b)
{
    if (a.size() != b.size())
        return false;
    for (int i = 0; i < a.size(); ++i)
        if (std::abs(a[i] - b[i]) > 1e-9 * std::max(1.0, std::abs(a[i])))
            return false;
    return true;
}

const QString kEnergyLogScaleKey = QStringLiteral("view/energyLogScale");
const QString kDenoisedPreviewKey = QStringLiteral("view/denoisedPreview");
const QString kGridExportScaleKey = QStringLiteral("export/gridScale");

}  // namespace

SampleView::SampleView(StudioEngine* engine, AnnealingHub* annealing, UndoFieldBinder* undo, QWidget* parent)
    : StudioPage(tr("&Sample"), QStringLiteral("sampling"), parent), engine_(engine), annealing_(annealing)
{
    QWidget* leftColumn = buildSettingsColumn(undo);
    keepFields<SamplingSettings>(
        samplingFields(), [this] { return panel_->settings(); },
        [this](const SamplingSettings& s) { panel_->setSettings(s); });
    keepInStore(
        [this](QSettings& store) {
            store.setValue(kEnergyLogScaleKey, chart_->logScale());
            store.setValue(kDenoisedPreviewKey, denoised_);
            store.setValue(kGridExportScaleKey, gridExportScale_);
        },
        [this](QSettings& store) {
            chart_->setLogScale(store.value(kEnergyLogScaleKey, true).toBool());
            setDenoisedView(store.value(kDenoisedPreviewKey, false).toBool());
            setGridExportScale(store.value(kGridExportScaleKey, 0).toInt());
            exports_->setStore(&store);
            store_ = &store;
        });
    chart_ = new EnergyChart(this);
    connect(chart_, &EnergyChart::stepClicked, this, [this](int step) {
        if (!history_.isEmpty())
            showMoment(history_.indexForStep(step));
    });

    chainDiagnostics_ = new ChainDiagnosticsPanel(this);

    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(buildCentre());
    top->addWidget(buildSelectedSample());
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 1);
    top->setChildrenCollapsible(false);
    auto* rightColumn = new QSplitter(Qt::Vertical, this);
    rightColumn->addWidget(top);
    rightColumn->addWidget(chart_);
    rightColumn->addWidget(chainDiagnostics_);
    rightColumn->setStretchFactor(0, 3);
    rightColumn->setStretchFactor(1, 2);
    rightColumn->setStretchFactor(2, 0);
    rightColumn->setChildrenCollapsible(false);
    rightColumn->setSizes({560, 300, 180});
    auto* outer = new QSplitter(Qt::Horizontal, this);
    outer->addWidget(leftColumn);
    outer->addWidget(rightColumn);
    outer->setStretchFactor(0, 0);
    outer->setStretchFactor(1, 1);
    outer->setSizes({leftColumn->minimumSizeHint().width(), 1000});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(outer);

    connectRuns();
}

QWidget* SampleView::buildSettingsColumn(UndoFieldBinder* undo)
{
    panel_ = new SamplingPanel(undo, this);
    // The page's run buttons are the shared RunControls, outside the scrolling form so they
    // never scroll away.
    runControls_ = new RunControls(tr("Sample"), tr("Run the sampler with these settings"), true,
                                   RunControls::Layout::Grid, this);
    runControls_->startButton()->setObjectName(QStringLiteral("sampleButton"));
    connect(runControls_, &RunControls::startRequested, this, &SampleView::startSampling);
    connect(runControls_, &RunControls::pauseToggled, this, &SampleView::togglePause);
    connect(runControls_, &RunControls::stepRequested, this, &SampleView::stepOnce);
    connect(runControls_, &RunControls::stopRequested, this, &SampleView::stop);
    auto* panelScroll = new QScrollArea(this);
    panelScroll->setWidget(panel_);
    panelScroll->setWidgetResizable(true);
    panelScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Wide enough for the form, so the scroll area never clips the buttons.
    panelScroll->setMinimumWidth(panel_->minimumSizeHint().width() + panelScroll->verticalScrollBar()->sizeHint().width());
    panelScroll->setFrameShape(QFrame::NoFrame);
    auto* column = new QWidget(this);
    auto* layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(runControls_);
    sweepButton_ = new QPushButton(tr("Sweep…"), this);
    sweepButton_->setObjectName(QStringLiteral("sweepButton"));
    sweepButton_->setToolTip(tr("Sample a labelled grid over one or two settings (step size, steps, seed, ...)"));
    connect(sweepButton_, &QPushButton::clicked, this, &SampleView::openSweepDialog);
    layout->addWidget(sweepButton_);
    layout->addWidget(buildTrainingWeightsOffer());
    layout->addWidget(panelScroll, 1);
    return column;
}

QWidget* SampleView::buildTrainingWeightsOffer()
{
    // After a training run the page keeps the model it samples: a barely trained network must
    // not replace it unasked. The new weights are offered here instead.
    trainingWeightsNote_ = new QLabel(this);
    trainingWeightsNote_->setObjectName(QStringLiteral("trainingWeightsNote"));
    trainingWeightsNote_->setWordWrap(true);
    trainingWeightsNote_->setTextFormat(Qt::PlainText);
    trainingWeightsButton_ = new QPushButton(tr("Sample with the training weights"), this);
    trainingWeightsButton_->setObjectName(QStringLiteral("trainingWeightsButton"));
    trainingWeightsButton_->setToolTip(tr("From the next run on, sample the weights the training run left"));
    connect(trainingWeightsButton_, &QPushButton::clicked, this, &SampleView::sampleTrainingWeights);
    auto* offer = new QFrame(this);
    offer->setFrameShape(QFrame::StyledPanel);
    auto* layout = new QVBoxLayout(offer);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(trainingWeightsNote_);
    layout->addWidget(trainingWeightsButton_);
    offer->setVisible(false);
    trainingWeightsOffer_ = offer;
    return offer;
}

QWidget* SampleView::buildCentre()
{
    showRaw_ = new QToolButton(this);
    showRaw_->setText(tr("Noisy state"));
    showRaw_->setToolTip(tr("Show the chains' current state x (D toggles)"));
    showDenoised_ = new QToolButton(this);
    showDenoised_->setText(tr("Denoised preview"));
    showDenoised_->setToolTip(tr("Show the single-step denoised x − σ₀² ∂E/∂x (eq. 9) of each moment.\n"
                                 "Recorded from the moment it is switched on; costs one gradient per frame."));
    for (QToolButton* b : {showRaw_, showDenoised_}) {
        b->setCheckable(true);
        b->setAutoRaise(false);
    }
    auto* group = new QButtonGroup(this);
    group->addButton(showRaw_);
    group->addButton(showDenoised_);
    group->setExclusive(true);
    showRaw_->setChecked(true);
    connect(showDenoised_, &QToolButton::toggled, this, &SampleView::setDenoisedView);
    runStatus_ = new QLabel(this);
    runStatus_->setObjectName(QStringLiteral("runStatus"));
    denoisedNote_ = new QLabel(this);
    denoisedNote_->setStyleSheet(QStringLiteral("color: #b36b00"));

    auto* viewBar = new QHBoxLayout;
    viewBar->addWidget(new QLabel(tr("Show:"), this));
    viewBar->addWidget(showRaw_);
    viewBar->addWidget(showDenoised_);
    viewBar->addWidget(denoisedNote_);
    viewBar->addStretch(1);
    viewBar->addWidget(runStatus_);

    grid_ = new SampleGridWidget(this);
    grid_->setObjectName(QStringLiteral("sampleGrid"));
    connect(grid_, &SampleGridWidget::sampleClicked, this, &SampleView::selectSample);

    timeline_ = new QSlider(Qt::Horizontal, this);
    timeline_->setObjectName(QStringLiteral("timeline"));
    timeline_->setRange(0, 0);
    timeline_->setEnabled(false);
    timeline_->setToolTip(tr("Replay any recorded moment of the run"));
    // Beside the fixed-width moment label it would shrink to a stub in a narrow window (the page
    // scrolls sideways instead).
    timeline_->setMinimumWidth(20 * fontMetrics().averageCharWidth());
    connect(timeline_, &QSlider::valueChanged, this, &SampleView::showMoment);
    liveButton_ = new QToolButton(this);
    liveButton_->setText(tr("Live"));
    liveButton_->setCheckable(true);
    liveButton_->setChecked(true);
    liveButton_->setToolTip(tr("Follow the newest frame"));
    connect(liveButton_, &QToolButton::clicked, this, &SampleView::followLive);
    momentLabel_ = new QLabel(this);
    momentLabel_->setObjectName(QStringLiteral("momentLabel"));
    // A fixed width, so the slider keeps its length whatever the text says (the full text is
    // also the tooltip when it does not fit).
    momentLabel_->setFixedWidth(momentLabel_->fontMetrics().horizontalAdvance(
        QStringLiteral("step 22700 / 22700 · T = 0.0001 · mean E = -0.0001")));
    auto* timelineRow = new QHBoxLayout;
    timelineRow->addWidget(liveButton_);
    timelineRow->addWidget(timeline_, 1);
    timelineRow->addWidget(momentLabel_);

    auto* centre = new QWidget(this);
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->addLayout(viewBar);
    centreLayout->addWidget(grid_, 1);
    centreLayout->addLayout(timelineRow);
    return centre;
}

QWidget* SampleView::buildSelectedSample()
{
    selectedView_ = new SampleGridWidget(this);
    selectedView_->setPlaceholder(tr("Click a sample to follow it"));
    selectedView_->setMinimumSize(120, 120);
    selectedView_->setSampleToolTips(false);
    selectedInfo_ = new QLabel(this);
    selectedInfo_->setWordWrap(true);
    trajectory_ = new SampleGridWidget(this);
    trajectory_->setPlaceholder(tr("Its trajectory appears here"));
    trajectory_->setSampleToolTips(false);
    trajectory_->setToolTip(tr("The selected sample from the start to the moment shown; click a frame to go there"));
    connect(trajectory_, &SampleGridWidget::sampleClicked, this, [this](int cell) {
        if (cell >= 0 && cell < trajectoryIndices_.size())
            showMoment(trajectoryIndices_[cell]);
    });
    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(new QLabel(tr("<b>Selected sample</b>"), this));
    sideLayout->addWidget(selectedView_, 3);
    sideLayout->addWidget(selectedInfo_);
    sideLayout->addWidget(new QLabel(tr("<b>Trajectory</b>"), this));
    sideLayout->addWidget(trajectory_, 2);
    side->setMinimumWidth(160);
    return side;
}

void SampleView::connectRuns()
{
    // Until the first run, the chart shows the temperature schedule the settings describe.
    // After a run, beside it: the chart always shows what the next run will do.
    connect(panel_, &SamplingPanel::settingsChanged, this, &SampleView::previewSchedule);
    // The Sample page samples with the Schedule page's curve ("Edited curve").
    if (annealing_->editedCurve())
        setEditedSchedule(*annealing_->editedCurve(), false);
    connect(annealing_, &AnnealingHub::editedCurveChanged, this, &SampleView::setEditedSchedule);
    annealing_->setSelectedSampleSource([this] { return selectedSampleImage(); });
    previewSchedule();

    exports_ = new SampleExports(this, engine_);
    connect(engine_, &StudioEngine::activityChanged, this, &SampleView::updateControls);
    connect(engine_, &StudioEngine::modelLoaded, this, &SampleView::updateModelText);
    connect(engine_, &StudioEngine::keptModelChanged, this, &SampleView::updateModelText);
    // Samples on screen always say which model drew them.
    connect(engine_, &StudioEngine::modelLoaded, this, [this](const ModelInfo& info) {
        if (engine_->modelKeptForSampling())
            return;  // a training run's weights, only offered: this page samples the same model
        if (!history_.isEmpty() && !isRunning())
            runStatus_->setText(tr("These samples are from the previous model (%1); press Sample (F5) for %2.")
                                    .arg(history_.info().modelDescription, info.description));
    });
    connect(engine_, &StudioEngine::modelLoadFailed, this, [this](const QString& path, const QString&) {
        if (!history_.isEmpty() && engine_->hasModel())
            runStatus_->setText(tr("%1 could not be opened: these samples are still from %2.")
                                    .arg(QFileInfo(path).fileName(), history_.info().modelDescription));
    });
    if (engine_->hasModel())
        updateModelText();  // a page made after the model was loaded (or after a training run)
    updateControls();
}

bool SampleView::canStart() const
{
    // While training, a run goes between two training steps (on the weights being trained).
    return (engine_->hasModel() && engine_->model().imageModel && !engine_->isBusy()) ||
           (engine_->trainingRun() && !isRunning());
}


QList<QAction*> SampleView::menuActions(Menu menu) const
{
    return menu == Menu::File ? exports_->fileActions() : exports_->viewActions();
}

void SampleView::showPausedState(bool paused)
{
    if (history_.isEmpty() || !isRunning())
        return;
    runStatus_->setText(paused ? tr("Paused at step %1").arg(history_.last().step) : tr("Sampling…"));
}

void SampleView::startSampling()
{
    SamplingSettings settings = panel_->settings();
    if (settings.schedulePreset == kEditedSchedulePreset) {
        if (!editedSchedule_) {
            Q_EMIT problem(tr("There is no edited schedule yet: shape one on the Schedule page, or choose a preset."));
            return;
        }
        settings.scheduleCurve = QString::fromStdString(editedSchedule_->toJson());
    }
    if (isRunning()) {
        Q_EMIT problem(tr("A sampling run is already going; stop it first."));
        return;
    }
    if (!canStart()) {
        Q_EMIT problem(engine_->hasModel() ? tr("Wait for the running job to end (or stop it) before sampling.")
                                           : tr("No model is loaded yet."));
        return;
    }
    const int id = ++lastRunId_;
    // Only a run on the edited curve follows later edits of it.
    const bool followsCurve = settings.schedulePreset == kEditedSchedulePreset;
    auto feed = followsCurve ? std::make_shared<ebm::ScheduleFeed>() : nullptr;
    // While training, the run goes between two training steps, on the weights being trained.
    JobHandle* run = engine_->start(std::make_unique<SamplingJob>(settings, id, DenoisedPreview::Recorded, feed),
                                    JobRunner::StartPolicy::GuestOrQueue);
    followRun(run);
    expectedRunId_ = id;
    connect(run, &JobHandle::progress, this, &SampleView::onRunProgress);
    connect(run, &JobHandle::pausedChanged, this, &SampleView::showPausedState);
    connect(run, &JobHandle::finished, this, [this, id](const QVariant& result) {
        SamplingOutcome dropped;  // a run dropped before it started
        dropped.runId = id;
        dropped.stopped = true;
        onRunFinished(result.isValid() ? result.value<SamplingOutcome>() : dropped);
    });
    annealing_->announceRun(tr("Sample page run"), run, feed, settings.steps);
    chainDiagnostics_->clear();  // the last run's figures would read as this one's
    runStatus_->setText(engine_->trainingRun() ? tr("Waiting for the training step to finish…") : tr("Starting…"));
    updateControls();
}

void SampleView::onRunProgress(const QVariant& value)
{
    if (value.metaType() == QMetaType::fromType<SampleFrameBatch>()) {
        onFrames(value.value<SampleFrameBatch>());
    } else if (value.metaType() == QMetaType::fromType<SamplingRunInfo>()) {
        const SamplingRunInfo info = value.value<SamplingRunInfo>();
        if (info.scheduleUpdate)
            onScheduleChanged(info);
        else
            onRunStarted(info);
    }
}

QVector<double> SampleView::plannedTemperatures() const
{
    const SamplingSettings s = panel_->settings();
    try {
        // Pure data from the engine's schedule code: no tensors involved.
        const std::vector<double> t =
            s.schedulePreset == kEditedSchedulePreset
                ? (editedSchedule_ ? editedSchedule_->rescaled(s.steps).expand().temperatures() : std::vector<double>{})
                : ebm::Schedule::preset(s.schedulePreset.toStdString(), s.steps).temperatures();
        return QVector<double>(t.begin(), t.end());
    } catch (const std::exception&) {
        return {};  // an impossible schedule: the run will say why
    }
}

void SampleView::previewSchedule()
{
    if (isRunning())
        return;  // the chart is the run's until it ends
    const QVector<double> planned = plannedTemperatures();
    if (history_.isEmpty())
        chart_->showSchedule(planned);
    else  // the last run's curve stays with its energies; the next one beside it when it differs
        chart_->showPlannedSchedule(sameSchedule(planned, history_.info().temperatures) ? QVector<double>()
                                                                                         : planned);
}

void SampleView::setEditedSchedule(const ebm::ScheduleCurve& curve, bool edited)
{
    editedSchedule_ = curve;
    // With the edited curve chosen, the steps field shows the curve's length, read-only.
    panel_->setEditedCurveSteps(curve.steps());
    SamplingSettings s = panel_->settings();
    if (edited && s.schedulePreset != kEditedSchedulePreset) {
        // Shaping the curve means sampling with it, at its own length.
        s.schedulePreset = kEditedSchedulePreset;
        s.steps = curve.steps();
        panel_->setSettings(s);  // not an undo step of its own: the curve edit is
    }
    if (isRunning() && !history_.isEmpty() && history_.info().settings.schedulePreset == kEditedSchedulePreset) {
        // The hub has posted the curve to the run; shown at once, the run confirms when it takes
        // the schedule at its next step.
        const ebm::Schedule next = curve.rescaled(history_.info().settings.steps).expand();
        const int done = history_.last().step;
        const ebm::Schedule current(std::vector<double>(history_.info().temperatures.begin(),
                                                        history_.info().temperatures.end()));
        const std::vector<double> t = ebm::continueWith(current, next, done).temperatures();
        chart_->updateSchedule(QVector<double>(t.begin(), t.end()));
        runStatus_->setText(tr("Schedule edited: steps after %1 follow the new curve").arg(done));
    } else {
        previewSchedule();
    }
}

void SampleView::onScheduleChanged(const SamplingRunInfo& info)
{
    if (info.runId != history_.runId() || info.runId != expectedRunId_)
        return;
    history_.updateSchedule(info.temperatures);
    chart_->updateSchedule(info.temperatures);
    if (!history_.isEmpty() && shownIndex_ >= 0)
        momentLabel_->setText(momentText(shownIndex_));
    Q_EMIT statusMessage(tr("The run follows the edited schedule from step %1 (%2 steps in all)")
                             .arg(info.scheduleChangedAtStep + 1)
                             .arg(info.totalSteps));
}

QImage SampleView::selectedSampleImage() const
{
    if (history_.isEmpty())
        return {};
    const int index = shownIndex_ >= 0 ? shownIndex_ : history_.size() - 1;
    const QVector<QImage>& images = history_.imagesAt(index, false);
    return images.value(selectedSample_ >= 0 ? selectedSample_ : 0);
}

void SampleView::setDenoisedView(bool on)
{
    if (denoised_ != on) {
        denoised_ = on;
        Q_EMIT denoisedViewChanged(on);
    }
    // Keep the buttons in step when called from a shortcut or settings.
    showDenoised_->setChecked(on);
    showRaw_->setChecked(!on);
    if (shownIndex_ >= 0)
        showMoment(shownIndex_);
}

void SampleView::selectSample(int index)
{
    selectedSample_ = index;
    grid_->setSelected(index);
    chart_->setHighlightedSample(index);
    updateSelectedPanel();
}

void SampleView::followLive()
{
    live_ = true;
    liveButton_->setChecked(true);
    if (!history_.isEmpty())
        showMoment(history_.size() - 1);
}

void SampleView::showMoment(int index)
{
    if (history_.isEmpty()) {
        shownIndex_ = -1;
        grid_->setImages({});
        momentLabel_->clear();
        return;
    }
    index = qBound(0, index < 0 ? history_.size() - 1 : index, history_.size() - 1);
    shownIndex_ = index;
    live_ = index == history_.size() - 1;
    liveButton_->setChecked(live_);
    if (timeline_->value() != index) {
        const QSignalBlocker block(timeline_);
        timeline_->setValue(index);
    }
    const SampleSnapshot& s = history_.at(index);
    grid_->setImages(history_.shownImagesAt(index, denoised_));
    grid_->setEnergies(s.energies);
    denoisedNote_->setText(denoisedNote(index));
    momentLabel_->setText(momentText(index));
    momentLabel_->setToolTip(momentLabel_->text());
    chart_->setCursorStep(s.step);
    updateSelectedPanel();
}

QString SampleView::denoisedNote(int index) const
{
    if (!denoised_ || history_.at(index).final)
        return {};
    const int preview = history_.denoisedIndexAtOrBefore(index);
    if (preview < 0)
        return tr("(no denoised preview recorded yet)");
    if (preview == index)
        return {};
    return tr("(the preview of step %1: previews are recorded every few steps)").arg(history_.at(preview).step);
}

QString SampleView::momentText(int index) const
{
    const SampleSnapshot& s = history_.at(index);
    double mean = 0.0;
    for (double e : s.energies)
        mean += e;
    mean /= qMax(1, static_cast<int>(s.energies.size()));
    return s.final ? tr("final (after the jump) · mean E = %1").arg(formatNumber(mean))
                   : tr("step %1 / %2 · T = %3 · mean E = %4")
                         .arg(s.step)
                         .arg(history_.info().totalSteps)
                         .arg(formatNumber(s.temperature), formatNumber(mean));
}

void SampleView::updateSelectedPanel()
{
    trajectoryIndices_.clear();
    if (selectedSample_ < 0 || shownIndex_ < 0 || history_.isEmpty()) {
        selectedView_->setImages({});
        trajectory_->setImages({});
        selectedInfo_->clear();
        return;
    }
    const QVector<QImage>& images = history_.shownImagesAt(shownIndex_, denoised_);
    if (selectedSample_ >= images.size()) {
        selectSample(-1);
        return;
    }
    selectedView_->setImages({images[selectedSample_]});
    const SampleSnapshot& s = history_.at(shownIndex_);
    selectedInfo_->setText(tr("Sample %1 · energy %2")
                               .arg(selectedSample_ + 1)
                               .arg(selectedSample_ < s.energies.size() ? formatNumber(s.energies[selectedSample_])
                                                                        : QStringLiteral("?")));
    // Evenly spaced moments from the start to the one shown: the sample's own trajectory.
    const int count = shownIndex_ + 1;
    const int cells = qMin(kTrajectoryCells, count);
    QVector<QImage> frames;
    for (int c = 0; c < cells; ++c) {
        const int index = cells == 1 ? shownIndex_ : static_cast<int>(std::lround(double(c) * shownIndex_ / (cells - 1)));
        trajectoryIndices_.push_back(index);
        frames.push_back(history_.shownImagesAt(index, denoised_).value(selectedSample_));
    }
    trajectory_->setImages(frames);
}

void SampleView::onRunStarted(const SamplingRunInfo& info)
{
    if (info.runId != expectedRunId_)
        return;
    history_.start(info);
    chart_->startRun(info);
    timeline_->setRange(0, 0);
    timeline_->setEnabled(false);
    live_ = true;
    liveButton_->setChecked(true);
    shownIndex_ = -1;
    // Something is always followed on the right, so the panel explains itself; a click changes it.
    if (selectedSample_ < 0 || selectedSample_ >= info.numSamples)
        selectSample(0);
    else
        chart_->setHighlightedSample(selectedSample_);
    runStatus_->setText(info.fromTrainingWeights ? tr("Sampling from the current training weights…")
                                                 : tr("Sampling…"));
    Q_EMIT statusMessage(tr("Sampling %1 images, %2 steps").arg(info.numSamples).arg(info.totalSteps));
    Q_EMIT exportAvailabilityChanged(false);
}

void SampleView::onFrames(const SampleFrameBatch& batch)
{
    if (batch.runId != history_.runId() || batch.runId != expectedRunId_)
        return;
    if (history_.append(batch) == 0)
        return;
    chart_->addSnapshots(batch.snapshots);
    {
        const QSignalBlocker block(timeline_);
        timeline_->setRange(0, history_.size() - 1);
    }
    timeline_->setEnabled(history_.size() > 1);
    if (live_)
        showMoment(history_.size() - 1);
    if (isPaused())
        showPausedState(true);  // a single step moved the run: say where it is now
}

void SampleView::onRunFinished(const SamplingOutcome& outcome)
{
    if (outcome.runId != expectedRunId_)
        return;
    if (outcome.failed)
        runStatus_->setText(tr("Failed: %1").arg(outcome.message));
    else if (outcome.stopped)
        runStatus_->setText(tr("Stopped at step %1 (%2 s)")
                                .arg(history_.isEmpty() ? outcome.stepsDone : history_.last().step)
                                .arg(outcome.seconds, 0, 'f', 1));
    else
        runStatus_->setText(tr("Finished in %1 s").arg(outcome.seconds, 0, 'f', 1));
    chainDiagnostics_->showReport(outcome.chainDiagnostics);
    if (!outcome.failed)
        Q_EMIT statusMessage(runStatus_->text());
    Q_EMIT exportAvailabilityChanged(canExport());
    updateControls();
    previewSchedule();  // settings changed during the run: the next run's schedule beside this one
}

void SampleView::updateControls()
{
    runControls_->setState(canStart(), isRunning(), isPaused());
    // While a run trains, its weights are what guests sample anyway; take them when it has ended.
    trainingWeightsButton_->setEnabled(engine_->modelKeptForSampling() && !engine_->trainingRun());
    Q_EMIT runStateChanged();
}

ModelInfo SampleView::sampledModel() const
{
    const std::optional<ModelInfo>& kept = engine_->modelKeptForSampling();
    return kept ? *kept : engine_->model();
}

void SampleView::sampleTrainingWeights()
{
    const std::optional<ModelInfo> kept = engine_->modelKeptForSampling();
    if (!kept || !engine_->releaseKeptModel())
        return;  // the engine said why it refused
    if (!history_.isEmpty() && !isRunning())
        runStatus_->setText(tr("These samples are from %1; press Sample (F5) for the training run's weights.")
                                .arg(kept->description));
    Q_EMIT statusMessage(tr("The Sample page samples %1 from the next run on").arg(engine_->model().description));
}

void SampleView::updateModelText()
{
    const ModelInfo m = sampledModel();
    const std::optional<ModelInfo>& kept = engine_->modelKeptForSampling();
    trainingWeightsOffer_->setVisible(kept.has_value());
    if (kept)
        trainingWeightsNote_->setText(
            tr("A training run left new weights (%1). This page goes on sampling the model above until you "
               "take them.")
                .arg(engine_->model().description));
    QString text = tr("<b>Model:</b> %1").arg(m.description.toHtmlEscaped());
    if (m.fallback)
        text += tr("<br><span style=\"color:#c62828\">The bundled model is missing: samples stay noise.</span>");
    QString tip = m.path.isEmpty() ? m.description : m.path;
    tip += tr("\n%1 parameters, format %2, σ₀ = %3").arg(m.parameters).arg(m.format).arg(m.sigma0);
    panel_->setModelText(text, tip);
    updateControls();
}

void SampleView::setGridExportScale(int scale)
{
    scale = qBound(0, scale, kMaxGridExportScale);
    if (scale == gridExportScale_)
        return;
    gridExportScale_ = scale;
    Q_EMIT gridExportScaleChanged(scale);
}

int SampleView::effectiveGridExportScale(const QVector<QImage>& images) const
{
    if (gridExportScale_ > 0 || images.isEmpty())
        return qMax(1, gridExportScale_);
    // At scale 1 the gaps are one pixel: the grid is 1 + columns x (width + 1) pixels wide.
    const int columns = gridColumns(static_cast<int>(images.size()));
    const int unscaled = 1 + columns * (qMax(images.front().width(), images.front().height()) + 1);
    return qBound(1, (kAutomaticGridPixels + unscaled - 1) / unscaled, kMaxGridExportScale);
}

bool SampleView::exportGrid(const QString& path, QString& error) const
{
    if (shownIndex_ < 0) {
        error = tr("There is nothing to export yet: run the sampler first.");
        return false;
    }
    const QVector<QImage>& images = history_.shownImagesAt(shownIndex_, denoised_);
    // The gaps grow with the images (one image pixel), so scale k gives exactly k times the pixels.
    const int scale = effectiveGridExportScale(images);
    const QImage grid = composeGrid(images, 0, scale, scale);
    return saveImage(grid, path, nullptr, tr("sample grid"), error, exportSettings(shownIndex_, -1));
}

bool SampleView::exportTrajectorySheet(const QString& path, QString& error) const
{
    if (shownIndex_ < 0) {
        error = tr("There is nothing to export yet: run the sampler first.");
        return false;
    }
    // The selected sample's trajectory; the first sample's when none is selected.
    const int sample = selectedSample_ >= 0 ? selectedSample_ : 0;
    const QVector<QImage> frames = history_.trajectory(sample, denoised_);
    QStringList captions;
    for (int i = 0; i < frames.size(); ++i)
        captions << (history_.at(i).final ? tr("final") : tr("step %1").arg(history_.at(i).step));
    const QImage sheet = composeCaptionedGrid(frames, captions, kSheetColumns, 2, kExportScale);
    return saveImage(sheet, path, nullptr, tr("trajectory sheet"), error, exportSettings(-1, sample));
}

bool SampleView::exportTrajectoryFrames(const QString& folder, QString& error) const
{
    if (history_.isEmpty()) {
        error = tr("There is nothing to export yet: run the sampler first.");
        return false;
    }
    QDir dir(folder);
    if (!dir.exists() && !QDir().mkpath(folder)) {
        error = tr("%1: cannot create the folder").arg(folder);
        return false;
    }
    // With a sample selected: its frames; otherwise the whole grid at every recorded moment. The
    // run's settings are written once for all (an edited run's curve may be long); each name says the step.
    const std::string gridSettings = exportSettings(-1, -1);
    const std::string sampleSettings = selectedSample_ >= 0 ? exportSettings(-1, selectedSample_) : gridSettings;
    for (int i = 0; i < history_.size(); ++i) {
        const QVector<QImage>& images = history_.shownImagesAt(i, denoised_);
        const bool oneSample = selectedSample_ >= 0 && selectedSample_ < images.size();
        const QImage frame = oneSample ? images[selectedSample_].scaled(images[selectedSample_].size() * 4)
                                       : composeGrid(images, 0, 2, kExportScale);
        const QString name = dir.filePath(QStringLiteral("frame-%1-step%2.png")
                                              .arg(i, 4, 10, QLatin1Char('0'))
                                              .arg(history_.at(i).step, 5, 10, QLatin1Char('0')));
        if (!saveImage(frame, name, "PNG", tr("trajectory frame"), error, oneSample ? sampleSettings : gridSettings))
            return false;
    }
    return true;
}

std::string SampleView::exportSettings(int index, int sample) const
{
    // What is shown besides the run: the moment (a grid at step 300 of 600 is no final sample),
    // which sample alone, and the start images, which the settings do not repeat.
    ebm::Json details = ebm::Json::object();
    if (index >= 0) {
        const SampleSnapshot& moment = history_.at(index);
        details["moment"] = {{"step", moment.step},
                             {"final", moment.final},
                             {"denoised_preview", false}};
        const int preview = denoised_ && !moment.final ? history_.denoisedIndexAtOrBefore(index) : -1;
        if (preview >= 0) {
            details["moment"]["denoised_preview"] = true;
            details["moment"]["denoised_preview_step"] = history_.at(preview).step;
        }
    }
    if (sample >= 0)
        details["sample_indices"] = ebm::Json::array({sample});  // counted from 0, as in the .npy samples
    const SamplingSettings& run = history_.info().settings;
    if (run.startFromImages)
        details["start"] = {{"name", run.startImages.toStdString()}};
    return studioPictureSettings(kStudioSampleCommand, sampledModel(), history_.info(), details);
}

bool SampleView::applyPictureSettings(const std::string& json, const QString& source, QUndoStack* undo,
                                      QString* error)
{
    PictureSampling picture;
    QString problem;
    if (!readPictureSampling(json, source, {kStudioSampleCommand, QStringLiteral("sample")}, picture, problem)) {
        *error = problem;  // empty: not a picture of sampling
        return false;
    }
    QJsonObject values = picture.fields;
    values.insert(QStringLiteral("numSamples"), picture.samples);
    const SamplingSettings before = panel_->settings();
    SamplingSettings after;
    if (!withFieldValues(samplingFields(), values, before, after, problem) ||
        !applyAsOneStep(undo, tr("settings from %1").arg(source), panel_, &SamplingPanel::setSettings, before, after,
                        annealing_, picture.editedCurve, problem)) {
        *error = tr("%1: %2").arg(source, problem);
        return false;
    }
    return true;
}

void SampleView::openSweepDialog()
{
    SamplingSettings settings = panel_->settings();
    if (settings.schedulePreset == kEditedSchedulePreset) {
        if (!editedSchedule_) {
            Q_EMIT problem(tr("There is no edited schedule yet: shape one on the Schedule page, or choose a preset."));
            return;
        }
        settings.scheduleCurve = QString::fromStdString(editedSchedule_->toJson());
    }
    if (!sweepDialog_)
        sweepDialog_ = new SweepDialog(engine_, this);
    sweepDialog_->setStore(store_);
    sweepDialog_->setBaseSettings(settings);
    sweepDialog_->show();
    sweepDialog_->raise();
    sweepDialog_->activateWindow();
}

}  // namespace ebm::studio
