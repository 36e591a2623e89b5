#include "sample_view.h"

#include <QButtonGroup>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

#include "ebm/schedule.h"
#include "sample/energy_chart.h"
#include "image_grid.h"
#include "sample_grid_widget.h"
#include "sampling_panel.h"
#include "studio_engine.h"

namespace ebm::studio {
namespace {

constexpr int kTrajectoryCells = 24;   // frames shown for the selected sample
constexpr int kExportScale = 2;        // exported grids: 32-pixel images become 64 pixels
constexpr int kSheetColumns = 10;      // contact sheet of a trajectory

QString formatNumber(double v) { return QString::number(v, 'g', 4); }

}  // namespace

SampleView::SampleView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent)
    : QWidget(parent), engine_(engine)
{
    panel_ = new SamplingPanel(undo, this);
    auto* panelScroll = new QScrollArea(this);
    panelScroll->setWidget(panel_);
    panelScroll->setWidgetResizable(true);
    panelScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Wide enough for the form, so the scroll area never clips the buttons.
    panelScroll->setMinimumWidth(panel_->minimumSizeHint().width() + panelScroll->verticalScrollBar()->sizeHint().width());
    panelScroll->setFrameShape(QFrame::NoFrame);

    // --- centre: view toggle, grid, timeline ----------------------------------------------
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
    connect(timeline_, &QSlider::valueChanged, this, &SampleView::showMoment);
    liveButton_ = new QToolButton(this);
    liveButton_->setText(tr("Live"));
    liveButton_->setCheckable(true);
    liveButton_->setChecked(true);
    liveButton_->setToolTip(tr("Follow the newest frame"));
    connect(liveButton_, &QToolButton::clicked, this, &SampleView::followLive);
    momentLabel_ = new QLabel(this);
    // Room for the step and temperature at least, so the slider does not jump as the text changes;
    // the timeline keeps the rest on narrow windows.
    momentLabel_->setMinimumWidth(momentLabel_->fontMetrics().horizontalAdvance(QStringLiteral("step 2700 / 2700 · T = 0.0001")));
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

    // --- right: the selected sample and its trajectory --------------------------------------
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

    chart_ = new EnergyChart(this);
    connect(chart_, &EnergyChart::stepClicked, this, [this](int step) {
        if (!history_.isEmpty())
            showMoment(history_.indexForStep(step));
    });

    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(centre);
    top->addWidget(side);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 1);
    top->setChildrenCollapsible(false);
    auto* rightColumn = new QSplitter(Qt::Vertical, this);
    rightColumn->addWidget(top);
    rightColumn->addWidget(chart_);
    rightColumn->setStretchFactor(0, 3);
    rightColumn->setStretchFactor(1, 2);
    rightColumn->setChildrenCollapsible(false);
    rightColumn->setSizes({600, 320});
    auto* outer = new QSplitter(Qt::Horizontal, this);
    outer->addWidget(panelScroll);
    outer->addWidget(rightColumn);
    outer->setStretchFactor(0, 0);
    outer->setStretchFactor(1, 1);
    outer->setSizes({panelScroll->minimumWidth(), 1000});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(outer);

    // Until the first run, the chart shows the temperature schedule the settings describe.
    connect(panel_, &SamplingPanel::settingsChanged, this, [this] {
        if (history_.isEmpty() && !engine_->isSampling())
            previewSchedule();
    });
    previewSchedule();

    connect(panel_, &SamplingPanel::sampleRequested, this, &SampleView::startSampling);
    connect(panel_, &SamplingPanel::pauseToggled, this, &SampleView::togglePause);
    connect(panel_, &SamplingPanel::stepRequested, this, &SampleView::stepOnce);
    connect(panel_, &SamplingPanel::stopRequested, this, &SampleView::stop);

    connect(engine_, &StudioEngine::samplingStarted, this, &SampleView::onRunStarted);
    connect(engine_, &StudioEngine::sampleFrames, this, &SampleView::onFrames);
    connect(engine_, &StudioEngine::samplingFinished, this, &SampleView::onRunFinished);
    connect(engine_, &StudioEngine::activityChanged, this, &SampleView::updateControls);
    connect(engine_, &StudioEngine::modelLoaded, this, &SampleView::updateModelText);
    connect(engine_, &StudioEngine::jobStateChanged, this, [this](JobKind kind, JobState state) {
        if (kind != JobKind::Sampling || history_.isEmpty())
            return;
        runStatus_->setText(state == JobState::Paused ? tr("Paused at step %1").arg(history_.last().step)
                                                      : tr("Sampling…"));
    });
    updateControls();
}

void SampleView::startSampling()
{
    const int id = engine_->startSampling(panel_->settings());
    if (id == 0)
        return;
    expectedRunId_ = id;
    runStatus_->setText(engine_->isTraining() ? tr("Waiting for the training step to finish…")
                                              : tr("Starting…"));
}

void SampleView::previewSchedule()
{
    const SamplingSettings s = panel_->settings();
    try {
        // Pure data from the engine's schedule code: no tensors involved.
        const std::vector<double> t = ebm::Schedule::preset(s.schedulePreset.toStdString(), s.steps).temperatures();
        chart_->showSchedule(QVector<double>(t.begin(), t.end()));
    } catch (const std::exception&) {
        chart_->showSchedule({});  // an impossible schedule: the run will say why
    }
}

void SampleView::togglePause()
{
    if (!engine_->isSampling())
        return;
    if (engine_->isSamplingPaused())
        engine_->resumeSampling();
    else
        engine_->pauseSampling();
}

void SampleView::stepOnce()
{
    if (engine_->isSampling())
        engine_->stepSampling();
}

void SampleView::stop()
{
    if (engine_->isSampling())
        engine_->stopSampling();
}

void SampleView::setDenoisedView(bool on)
{
    if (denoised_ != on) {
        denoised_ = on;
        engine_->setDenoisedPreview(on);
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
    grid_->setImages(history_.imagesAt(index, denoised_));
    grid_->setEnergies(s.energies);
    denoisedNote_->setText(denoised_ && !history_.hasDenoisedAt(index) && !s.final
                               ? tr("(no denoised preview recorded for this moment)")
                               : QString());
    momentLabel_->setText(momentText(index));
    chart_->setCursorStep(s.step);
    updateSelectedPanel();
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
    const QVector<QImage>& images = history_.imagesAt(shownIndex_, denoised_);
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
        frames.push_back(history_.imagesAt(index, denoised_).value(selectedSample_));
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
}

void SampleView::onRunFinished(const SamplingOutcome& outcome)
{
    if (outcome.runId != expectedRunId_)
        return;
    if (outcome.failed)
        runStatus_->setText(tr("Failed: %1").arg(outcome.message));
    else if (outcome.stopped)
        runStatus_->setText(tr("Stopped at step %1 (%2 s)").arg(outcome.stepsDone).arg(outcome.seconds, 0, 'f', 1));
    else
        runStatus_->setText(tr("Finished in %1 s").arg(outcome.seconds, 0, 'f', 1));
    if (!outcome.failed)
        Q_EMIT statusMessage(runStatus_->text());
    Q_EMIT exportAvailabilityChanged(canExport());
    updateControls();
}

void SampleView::updateControls()
{
    const bool canStart = ((engine_->hasModel() && engine_->model().imageModel) || engine_->isTraining()) && !engine_->isEvaluating();
    panel_->setRunState(canStart, engine_->isSampling(), engine_->isSamplingPaused());
}

void SampleView::updateModelText()
{
    const ModelInfo& m = engine_->model();
    QString text = tr("<b>Model:</b> %1").arg(m.description.toHtmlEscaped());
    if (m.fallback)
        text += tr("<br><span style=\"color:#c62828\">The bundled model is missing: samples stay noise.</span>");
    QString tip = m.path.isEmpty() ? m.description : m.path;
    tip += tr("\n%1 parameters, format %2, σ₀ = %3").arg(m.parameters).arg(m.format).arg(m.sigma0);
    panel_->setModelText(text, tip);
    updateControls();
}

bool SampleView::exportGrid(const QString& path, QString& error) const
{
    if (shownIndex_ < 0) {
        error = tr("There is nothing to export yet: run the sampler first.");
        return false;
    }
    const QImage grid = composeGrid(history_.imagesAt(shownIndex_, denoised_), 0, 2, kExportScale);
    if (!grid.save(path)) {
        error = tr("%1: could not write the image (check the folder and the extension)").arg(path);
        return false;
    }
    return true;
}

bool SampleView::exportTrajectorySheet(const QString& path, QString& error) const
{
    if (shownIndex_ < 0) {
        error = tr("There is nothing to export yet: run the sampler first.");
        return false;
    }
    // The selected sample's trajectory; the first sample's when none is selected.
    const int sample = selectedSample_ >= 0 ? selectedSample_ : 0;
    const QImage sheet = composeGrid(history_.trajectory(sample, denoised_), kSheetColumns, 2, kExportScale);
    if (sheet.isNull() || !sheet.save(path)) {
        error = tr("%1: could not write the image (check the folder and the extension)").arg(path);
        return false;
    }
    return true;
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
    // With a sample selected: its frames; otherwise the whole grid at every recorded moment.
    for (int i = 0; i < history_.size(); ++i) {
        const QVector<QImage>& images = history_.imagesAt(i, denoised_);
        const QImage frame = selectedSample_ >= 0 && selectedSample_ < images.size()
                                 ? images[selectedSample_].scaled(images[selectedSample_].size() * 4)
                                 : composeGrid(images, 0, 2, kExportScale);
        const QString name = dir.filePath(QStringLiteral("frame-%1-step%2.png")
                                              .arg(i, 4, 10, QLatin1Char('0'))
                                              .arg(history_.at(i).step, 5, 10, QLatin1Char('0')));
        if (!frame.save(name)) {
            error = tr("%1: could not write the frame").arg(name);
            return false;
        }
    }
    return true;
}

}  // namespace ebm::studio
