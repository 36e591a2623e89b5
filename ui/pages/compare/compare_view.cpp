#include "pages/compare/compare_view.h"

#include <QAction>
#include <QCheckBox>
#include <QDir>
#include <QFontMetrics>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <memory>

#include "ebm/base/png_settings.h"
#include "worker/studio_engine.h"
#include "widgets/file_dialogs.h"
#include "widgets/image_grid.h"
#include "widgets/run_controls.h"
#include "widgets/safe_save.h"
#include "widgets/sample_grid_widget.h"
#include "pages/compare/compare_chart.h"

namespace ebm::studio {
namespace {

const QString kShowDifferenceKey = QStringLiteral("compare/showDifference");
const QString kSessionRunKeys[2] = {QStringLiteral("run_a"), QStringLiteral("run_b")};
const QString kSessionDifferenceKey = QStringLiteral("difference");
const QString kSessionStepKey = QStringLiteral("step");
const QString kSideLetters[2] = {QStringLiteral("A"), QStringLiteral("B")};
const char kCompareCommand[] = "studio compare";

constexpr int kTimelinePageMoments = 10;  // Page Up / Page Down on the timeline
// The side-by-side picture: each grid at least this wide, in whole image pixels, up to this scale.
constexpr int kExportGridPixels = 384;
constexpr int kMaxExportScale = 8;
constexpr int kExportGap = 16;            // pixels between and around the grids
constexpr int kExportCaptionPixels = 16;  // the captions' font height

QString gridCaption(const QString& letter, const QString& name) { return QStringLiteral("%1: %2").arg(letter, name); }

/// A value of a run's settings as text ("" when the key is missing).
QString settingText(const ebm::Json& settings, const char* key)
{
    const auto it = settings.find(key);
    if (it == settings.end() || it->is_null())
        return {};
    return it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString::fromStdString(it->dump());
}

}  // namespace

CompareView::CompareView(StudioEngine* engine, QWidget* parent)
    : StudioPage(tr("&Compare"), QStringLiteral("compare"), parent), engine_(engine)
{
    registerRunBundleTypes();

    runControls_ = new RunControls(tr("Reload Runs"), tr("Read both runs again from their folders"), false,
                                   RunControls::Layout::Row, this);
    runControls_->startButton()->setObjectName(QStringLiteral("reloadRunsButton"));
    connect(runControls_, &RunControls::startRequested, this, &CompareView::start);
    connect(runControls_, &RunControls::stopRequested, this, &CompareView::stop);
    auto* hint = new QLabel(tr("Open a saved run on each side (File > Save Run… on the Sample or Inpaint page): "
                               "both step together on one timeline."),
                            this);
    hint->setWordWrap(true);
    auto* controlsRow = new QHBoxLayout;
    controlsRow->addWidget(runControls_);
    controlsRow->addWidget(hint, 1);

    auto* sidesRow = new QHBoxLayout;
    sidesRow->addWidget(buildSide(A), 1);
    sidesRow->addWidget(buildSide(B), 1);
    scheduleNote_ = new QLabel(this);
    scheduleNote_->setObjectName(QStringLiteral("scheduleNote"));
    scheduleNote_->setWordWrap(true);
    scheduleNote_->hide();

    // ---- the grids: A, B and (on request) their difference, each under its caption
    auto* gridsRow = new QHBoxLayout;
    for (Side side : {A, B}) {
        auto* pane = new QWidget(this);
        auto* paneLayout = new QVBoxLayout(pane);
        paneLayout->setContentsMargins(0, 0, 0, 0);
        paneLayout->addWidget(sides_[side].caption);
        paneLayout->addWidget(sides_[side].grid, 1);
        gridsRow->addWidget(pane, 1);
    }
    differencePane_ = new QWidget(this);
    auto* differenceLayout = new QVBoxLayout(differencePane_);
    differenceLayout->setContentsMargins(0, 0, 0, 0);
    auto* differenceCaption = new QLabel(tr("|A − B| per sample (black: the same pixel)"), differencePane_);
    differenceGrid_ = new SampleGridWidget(differencePane_);
    differenceGrid_->setObjectName(QStringLiteral("differenceGrid"));
    differenceGrid_->setSampleToolTips(false);
    differenceGrid_->setPlaceholder(tr("No difference to show"));
    differenceLayout->addWidget(differenceCaption);
    differenceLayout->addWidget(differenceGrid_, 1);
    gridsRow->addWidget(differencePane_, 1);
    differencePane_->hide();

    // ---- the one timeline
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setObjectName(QStringLiteral("compareTimeline"));
    slider_->setPageStep(kTimelinePageMoments);
    slider_->setToolTip(tr("Every moment either run recorded, in order of their steps; each side shows its last "
                           "moment at or before the step"));
    stepLabel_ = new QLabel(this);
    stepLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(tr("step 00000, final")));
    differenceToggle_ = new QCheckBox(tr("Difference |A − B|"), this);
    differenceToggle_->setObjectName(QStringLiteral("differenceToggle"));
    differenceToggle_->setToolTip(tr("A third grid: each sample's absolute difference, pixel by pixel"));
    differenceNote_ = new QLabel(this);
    differenceNote_->setObjectName(QStringLiteral("differenceNote"));
    differenceNote_->setStyleSheet(QStringLiteral("color: gray"));
    differenceNote_->setWordWrap(true);  // a long reason wraps instead of widening the window
    auto* timelineRow = new QHBoxLayout;
    timelineRow->addWidget(new QLabel(tr("Timeline"), this));
    timelineRow->addWidget(slider_, 1);
    timelineRow->addWidget(stepLabel_);
    timelineRow->addSpacing(fontMetrics().averageCharWidth() * 2);
    timelineRow->addWidget(differenceToggle_);
    timelineRow->addWidget(differenceNote_);

    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(controlsRow);
    topLayout->addLayout(sidesRow);
    topLayout->addWidget(scheduleNote_);
    topLayout->addLayout(gridsRow, 1);
    topLayout->addLayout(timelineRow);

    chart_ = new CompareEnergyChart(this);
    chart_->setMinimumHeight(160);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);
    split->addWidget(top);
    split->addWidget(chart_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    connect(slider_, &QSlider::valueChanged, this, &CompareView::showMoment);
    connect(chart_, &CompareEnergyChart::stepClicked, this, &CompareView::setTimelineStep);
    connect(differenceToggle_, &QCheckBox::toggled, this, &CompareView::setDifferenceShown);
    // A sample picked in one grid is picked in all three: the same seed's sample side by side.
    for (SampleGridWidget* grid : {sides_[A].grid, sides_[B].grid, differenceGrid_})
        connect(grid, &SampleGridWidget::sampleClicked, this, [this](int index) {
            for (SampleGridWidget* each : {sides_[A].grid, sides_[B].grid, differenceGrid_})
                each->setSelected(index);
        });

    // ---- the window's menus
    openA_ = new QAction(tr("Open Run A to Compare…"), this);
    connect(openA_, &QAction::triggered, this, [this] { askOpenRun(A); });
    openB_ = new QAction(tr("Open Run B to Compare…"), this);
    connect(openB_, &QAction::triggered, this, [this] { askOpenRun(B); });
    exportPicture_ = new QAction(tr("Export Runs Side by Side as PNG…"), this);
    connect(exportPicture_, &QAction::triggered, this, [this] {
        const QString suggestion = QDir(lastFolder(store_, kExportFolderPurpose))
                                       .filePath(QStringLiteral("%1-vs-%2.png").arg(sides_[A].run.name, sides_[B].run.name));
        const QString path = askSavePath(this, store_, kExportFolderPurpose, tr("Export runs side by side"),
                                         tr("PNG images (*.png)"), QStringLiteral(".png"), suggestion);
        if (path.isEmpty())
            return;
        QString error;
        if (exportSideBySide(path, error))
            Q_EMIT statusMessage(tr("Wrote the runs side by side to %1").arg(path));
        else
            Q_EMIT problem(error);
    });
    showDifference_ = new QAction(tr("Compare: Show Difference |A − B|"), this);
    showDifference_->setCheckable(true);
    connect(showDifference_, &QAction::toggled, this, &CompareView::setDifferenceShown);

    // ---- what the page keeps: both runs and the moment in a session, the toggle between runs
    keepInSession(
        [this](QJsonObject& part) {
            for (Side side : {A, B})
                if (sides_[side].run.ok)
                    part.insert(kSessionRunKeys[side], sides_[side].run.path);
            part.insert(kSessionDifferenceKey, differenceToggle_->isChecked());
            if (!timeline_.isEmpty())
                part.insert(kSessionStepKey, shownMoment().step);
        },
        [this](const QJsonObject& part) {
            if (part.contains(kSessionDifferenceKey))
                differenceToggle_->setChecked(part.value(kSessionDifferenceKey).toBool());
            if (part.contains(kSessionStepKey))
                pendingStep_ = qMax(0, part.value(kSessionStepKey).toInt());
            for (Side side : {A, B}) {
                const QString path = part.value(kSessionRunKeys[side]).toString();
                if (!path.isEmpty() && path != sides_[side].run.path)
                    openRun(side, path);
            }
            if (!isLoading() && pendingStep_ >= 0) {
                setTimelineStep(pendingStep_);
                pendingStep_ = -1;
            }
        });
    keepInStore([this](QSettings& store) { store.setValue(kShowDifferenceKey, differenceToggle_->isChecked()); },
                [this](QSettings& store) {
                    store_ = &store;
                    differenceToggle_->setChecked(store.value(kShowDifferenceKey, false).toBool());
                });

    rebuildTimeline();
}

QWidget* CompareView::buildSide(Side side)
{
    SideView& view = sides_[side];
    view.box = new QGroupBox(tr("Run %1").arg(kSideLetters[side]), this);
    view.open = new QPushButton(tr("Open Run…"), view.box);
    view.open->setObjectName(QStringLiteral("openRun%1").arg(kSideLetters[side]));
    view.open->setToolTip(tr("Open a run saved from the Sample or Inpaint page (File > Save Run…): a folder "
                             "whose name ends in %1")
                              .arg(runBundleSuffix()));
    connect(view.open, &QPushButton::clicked, this, [this, side] { askOpenRun(side); });
    view.summary = new QLabel(tr("No run yet."), view.box);
    view.summary->setObjectName(QStringLiteral("runSummary%1").arg(kSideLetters[side]));
    view.summary->setWordWrap(true);
    view.summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* boxLayout = new QHBoxLayout(view.box);
    boxLayout->addWidget(view.open, 0, Qt::AlignTop);
    boxLayout->addWidget(view.summary, 1);

    view.caption = new QLabel(kSideLetters[side], this);
    view.caption->setWordWrap(true);  // long run names wrap instead of widening the window
    view.grid = new SampleGridWidget(this);
    view.grid->setObjectName(QStringLiteral("compareGrid%1").arg(kSideLetters[side]));
    view.grid->setPlaceholder(tr("Open a run (Open Run…)"));
    return view.box;
}

bool CompareView::canStart() const
{
    return !isLoading() && (sides_[A].run.ok || sides_[B].run.ok);
}

void CompareView::start()
{
    if (!canStart()) {
        Q_EMIT problem(isLoading() ? tr("The runs are being opened; wait for them, or stop.")
                                   : tr("There is no run to read again: open a saved run on each side (Open Run…)."));
        return;
    }
    for (Side side : {A, B})
        if (sides_[side].run.ok)
            openRun(side, sides_[side].run.path);
}

void CompareView::stop()
{
    for (Side side : {A, B})
        if (sides_[side].loading)
            sides_[side].loading->cancel();  // finished() follows, with the run shown before kept
}

QList<QAction*> CompareView::menuActions(Menu menu) const
{
    return menu == Menu::File ? QList<QAction*>{openA_, openB_, exportPicture_} : QList<QAction*>{showDifference_};
}

QList<StudioPage::ShortcutHelp> CompareView::pageShortcuts() const
{
    // The slider's own keys, on the focused timeline.
    return {{tr("Left / Right on the timeline"), tr("one recorded moment back / forward, both runs together (Compare)")},
            {tr("Page Up / Page Down on the timeline"),
             tr("%1 moments back / forward (Compare)").arg(kTimelinePageMoments)},
            {tr("Home / End on the timeline"), tr("the first / last moment of the runs (Compare)")},
            {tr("Click in the energy chart"), tr("moves the timeline to that step (Compare)")},
            {tr("Click a sample"), tr("marks the same sample in every grid (Compare)")}};
}

QJsonObject CompareView::chartSettings(const QString& chart) const
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(runsJson().dump())).object();
}

void CompareView::askOpenRun(Side side)
{
    const QString path = askFolder(this, store_, kRunFolderPurpose, tr("Open Run %1 (a %2 folder)").arg(kSideLetters[side], runBundleSuffix()));
    if (!path.isEmpty())
        openRun(side, path);
}

void CompareView::openRun(Side side, const QString& path)
{
    if (path.isEmpty())
        return;
    SideView& view = sides_[side];
    if (view.loading)
        view.loading->cancel();  // the newest request wins
    const bool waits = engine_->isBusy();
    JobHandle* handle = engine_->start(std::make_unique<LoadRunBundleJob>(path));
    if (!handle) {
        Q_EMIT problem(tr("Run %1 was not opened: the worker refused the job.").arg(kSideLetters[side]));
        return;
    }
    view.loading = handle;
    const QString name = QDir(path).dirName();
    view.summary->setText(waits ? tr("Opening %1 once the running job has ended…").arg(name)
                                : tr("Opening %1…").arg(name));
    connect(handle, &JobHandle::progress, this, [this, side, handle, name](const QVariant& value) {
        if (handle != sides_[side].loading || value.metaType() != QMetaType::fromType<RunBundleProgress>())
            return;
        const RunBundleProgress progress = value.value<RunBundleProgress>();
        sides_[side].summary->setText(tr("Opening %1: %2 of %3 moments…").arg(name).arg(progress.done).arg(progress.total));
    });
    connect(handle, &JobHandle::finished, this, [this, side, handle](const QVariant& result) {
        if (handle != sides_[side].loading)
            return;  // a newer request replaced it
        sides_[side].loading = nullptr;
        LoadedRunBundle loaded;
        if (result.isValid())
            loaded = result.value<LoadedRunBundle>();
        else
            loaded.cancelled = true;  // dropped before it ran
        onRunLoaded(side, loaded);
    });
    updateActions();
}

bool CompareView::isLoading() const { return sides_[A].loading || sides_[B].loading; }

void CompareView::onRunLoaded(Side side, const LoadedRunBundle& loaded)
{
    SideView& view = sides_[side];
    if (!loaded.ok) {
        view.summary->setText(summaryText(view));  // the run shown before stays
        if (!loaded.cancelled)
            Q_EMIT problem(tr("Run %1 was not opened: %2").arg(kSideLetters[side], loaded.error));
        if (pendingStep_ >= 0 && !isLoading())
            rebuildTimeline();  // a session's step, for the run that did open
        updateActions();
        Q_EMIT runsChanged();
        return;
    }
    view.run = loaded;
    view.settings = parsedRunSettings(loaded.settingsJson);
    view.box->setTitle(tr("Run %1: %2").arg(kSideLetters[side], loaded.name));
    view.box->setToolTip(loaded.path);
    view.summary->setText(summaryText(view));
    QVector<double> steps, means;
    for (const SampleSnapshot& moment : loaded.snapshots) {
        steps.push_back(moment.step);
        means.push_back(meanEnergy(moment.energies));
    }
    chart_->setRun(side, loaded.name, steps, means);
    rebuildTimeline();
    Q_EMIT statusMessage(tr("Run %1: %2, %3 recorded moments").arg(kSideLetters[side], loaded.name)
                             .arg(loaded.snapshots.size()));
}

QString CompareView::summaryText(const SideView& view) const
{
    if (!view.run.ok)
        return tr("No run yet.");
    const LoadedRunBundle& run = view.run;
    const ebm::Json& s = view.settings;
    QString model;
    if (const auto it = s.find("model"); it != s.end() && it->is_object())
        model = settingText(*it, "file").isEmpty() ? settingText(*it, "description") : settingText(*it, "file");
    QStringList parts;
    parts << (model.isEmpty() ? tr("model not recorded") : tr("model %1").arg(model));
    if (!settingText(s, "sampler").isEmpty())
        parts << settingText(s, "sampler");
    parts << tr("%1 steps").arg(scheduleSteps(s, run.snapshots));
    if (!settingText(s, "step_size").isEmpty())
        parts << tr("step size %1").arg(settingText(s, "step_size"));
    if (!settingText(s, "seed").isEmpty())
        parts << tr("seed %1").arg(settingText(s, "seed"));
    if (!settingText(s, "precision").isEmpty())
        parts << settingText(s, "precision");
    const QString shape = tr("%1x%2 %3").arg(run.imageSize.width()).arg(run.imageSize.height())
                              .arg(run.channels == 1 ? tr("gray") : tr("RGB"));
    parts << tr("%1 samples of %2").arg(run.samples).arg(shape);
    parts << tr("%1 recorded moments").arg(run.snapshots.size());
    QString text = parts.join(QStringLiteral(" · "));
    if (!settingText(s, "command").isEmpty())
        text += tr(" (from %1)").arg(settingText(s, "command"));
    return text;
}

void CompareView::rebuildTimeline()
{
    const bool hadMoments = !timeline_.isEmpty();
    const TimelineMoment previous = shownMoment();
    timeline_ = mergedTimeline(sides_[A].run.snapshots, sides_[B].run.snapshots);
    const int last = qMax(0, static_cast<int>(timeline_.size()) - 1);
    int target = last;  // a first run opens at its end: the samples it drew
    if (pendingStep_ >= 0 && !isLoading()) {
        target = 0;
        for (int i = 0; i < timeline_.size(); ++i)
            if (timeline_[i].step <= pendingStep_)
                target = i;
        pendingStep_ = -1;
    } else if (hadMoments) {
        target = 0;
        for (int i = 0; i < timeline_.size(); ++i)
            if (timeline_[i] <= previous)
                target = i;
    }
    {
        const QSignalBlocker block(slider_);
        slider_->setRange(0, last);
        slider_->setValue(target);
    }
    slider_->setEnabled(timeline_.size() > 1);

    QString difference;
    if (sides_[A].run.ok && sides_[B].run.ok)
        difference = scheduleDifference(sides_[A].settings, sides_[A].run.snapshots, sides_[B].settings,
                                        sides_[B].run.snapshots);
    scheduleNote_->setText(difference.isEmpty()
                               ? QString()
                               : tr("The runs' schedules differ (%1): the timeline aligns them by step, each side "
                                    "showing its last recorded moment at or before it.")
                                     .arg(difference));
    scheduleNote_->setVisible(!difference.isEmpty());
    updateDifferenceAvailability();
    showMoment();
}

void CompareView::setTimelineStep(int step)
{
    if (timeline_.isEmpty())
        return;
    int target = 0;
    for (int i = 0; i < timeline_.size(); ++i)
        if (timeline_[i].step <= step)
            target = i;
    slider_->setValue(target);  // showMoment follows
}

TimelineMoment CompareView::shownMoment() const
{
    if (timeline_.isEmpty())
        return {};
    return timeline_.value(qBound(0, slider_->value(), static_cast<int>(timeline_.size()) - 1));
}

QString CompareView::momentText(const TimelineMoment& moment) const
{
    if (timeline_.isEmpty())
        return tr("no run yet");
    return moment.final ? tr("step %1, final").arg(moment.step) : tr("step %1").arg(moment.step);
}

void CompareView::showMoment()
{
    const TimelineMoment moment = shownMoment();
    stepLabel_->setText(momentText(moment));
    for (Side side : {A, B}) {
        SideView& view = sides_[side];
        const QString letter = kSideLetters[side];
        view.shownIndex = view.run.ok ? momentIndexAt(view.run.snapshots, moment) : -1;
        if (!view.run.ok) {
            view.grid->setImages({});
            view.grid->setPlaceholder(tr("Open a run (Open Run…)"));
            view.caption->setText(tr("Run %1").arg(letter));
            continue;
        }
        if (view.shownIndex < 0) {
            const int first = view.run.snapshots.front().step;
            view.grid->setImages({});
            view.grid->setPlaceholder(tr("Run %1 recorded nothing by step %2 (its first moment is step %3)")
                                          .arg(letter).arg(moment.step).arg(first));
            view.caption->setText(gridCaption(letter, view.run.name));
            continue;
        }
        const SampleSnapshot& shown = view.run.snapshots[view.shownIndex];
        view.grid->setImages(shown.raw);
        view.grid->setEnergies(shown.energies);
        const QString when = shown.final ? tr("step %1, final").arg(shown.step)
                                         : tr("step %1, T = %2").arg(shown.step).arg(shown.temperature, 0, 'g', 4);
        view.caption->setText(tr("%1 · %2").arg(gridCaption(letter, view.run.name), when));
    }
    chart_->setCursorStep(moment.step);
    showDifference();
    updateActions();
    Q_EMIT runsChanged();
}

void CompareView::updateDifferenceAvailability()
{
    const LoadedRunBundle& a = sides_[A].run;
    const LoadedRunBundle& b = sides_[B].run;
    const auto shape = [](const LoadedRunBundle& run) {
        return tr("%1x%2 %3").arg(run.imageSize.width()).arg(run.imageSize.height())
            .arg(run.channels == 1 ? tr("gray") : tr("RGB"));
    };
    QString reason;
    if (!a.ok || !b.ok)
        reason = tr("open a run on each side to see their difference");
    else if (a.channels != b.channels || a.imageSize != b.imageSize)
        reason = tr("no difference: the images differ in shape (A %1, B %2)").arg(shape(a), shape(b));
    else if (a.samples != b.samples)
        reason = tr("no difference: A has %1 samples, B %2; it needs as many on each side").arg(a.samples).arg(b.samples);
    differenceNote_->setText(reason);
    differenceToggle_->setEnabled(reason.isEmpty());
    differenceToggle_->setToolTip(reason.isEmpty() ? tr("A third grid: each sample's absolute difference, pixel by pixel")
                                                   : reason);
    showDifference_->setEnabled(reason.isEmpty());
    differencePane_->setVisible(reason.isEmpty() && differenceToggle_->isChecked());
}

void CompareView::setDifferenceShown(bool shown)
{
    {
        const QSignalBlocker blockToggle(differenceToggle_);
        const QSignalBlocker blockAction(showDifference_);
        differenceToggle_->setChecked(shown);
        showDifference_->setChecked(shown);
    }
    differencePane_->setVisible(shown && differenceToggle_->isEnabled());
    showDifference();
    updateActions();
}

bool CompareView::differenceShown() const { return differencePane_->isVisibleTo(this); }

void CompareView::showDifference()
{
    if (!differenceShown()) {
        differenceGrid_->setImages({});
        return;
    }
    const int indexA = sides_[A].shownIndex, indexB = sides_[B].shownIndex;
    if (indexA < 0 || indexB < 0) {
        differenceGrid_->setImages({});
        differenceGrid_->setPlaceholder(tr("One run recorded nothing by this step"));
        return;
    }
    const QVector<QImage>& a = sides_[A].run.snapshots[indexA].raw;
    const QVector<QImage>& b = sides_[B].run.snapshots[indexB].raw;
    QVector<QImage> differences;
    differences.reserve(a.size());
    for (int i = 0; i < a.size() && i < b.size(); ++i)
        differences.push_back(absoluteDifference(a[i], b[i]));
    differenceGrid_->setImages(differences);
}

void CompareView::updateActions()
{
    runControls_->setState(canStart(), isRunning(), false);
    Q_EMIT runStateChanged();
    const bool bothShown = sides_[A].shownIndex >= 0 && sides_[B].shownIndex >= 0;
    exportPicture_->setEnabled(bothShown);
    exportPicture_->setToolTip(bothShown ? QString() : tr("Open a run on each side first"));
}

QImage CompareView::sideBySideImage() const
{
    QStringList captions;
    QVector<QVector<QImage>> grids;
    for (Side side : {A, B}) {
        const SideView& view = sides_[side];
        if (view.shownIndex < 0)
            return {};
        captions << view.caption->text();
        grids.push_back(view.run.snapshots[view.shownIndex].raw);
    }
    if (differenceShown() && !differenceGrid_->images().isEmpty()) {
        captions << tr("|A − B|");
        grids.push_back(differenceGrid_->images());
    }
    // One scale for all, so that a pixel is as large in each grid; gaps grow with the pixels.
    const QImage& first = grids.front().front();
    const int columns = gridColumns(static_cast<int>(grids.front().size()));
    const int unscaled = 1 + columns * (qMax(first.width(), first.height()) + 1);
    const int scale = qBound(1, (kExportGridPixels + unscaled - 1) / unscaled, kMaxExportScale);
    QVector<QImage> composed;
    int width = kExportGap, height = 0;
    for (const QVector<QImage>& images : grids) {
        composed << composeGrid(images, 0, scale, scale);
        width += composed.back().width() + kExportGap;
        height = qMax(height, composed.back().height());
    }
    QFont font;
    font.setPixelSize(kExportCaptionPixels);
    const int captionHeight = QFontMetrics(font).height() + kExportGap / 2;
    QImage picture(width, kExportGap + captionHeight + height + kExportGap, QImage::Format_RGB32);
    picture.fill(Qt::white);
    QPainter painter(&picture);
    painter.setFont(font);
    painter.setPen(Qt::black);
    int x = kExportGap;
    for (int i = 0; i < composed.size(); ++i) {
        painter.drawText(QRect(x, kExportGap, composed[i].width(), captionHeight), Qt::AlignLeft | Qt::AlignTop,
                         QFontMetrics(font).elidedText(captions[i], Qt::ElideRight, composed[i].width()));
        painter.drawImage(x, kExportGap + captionHeight, composed[i]);
        x += composed[i].width() + kExportGap;
    }
    return picture;
}

bool CompareView::exportSideBySide(const QString& path, QString& error) const
{
    const QImage picture = sideBySideImage();
    if (picture.isNull()) {
        error = tr("There is nothing to export yet: open a run on each side, and move the timeline to a step both "
                   "recorded.");
        return false;
    }
    return saveImage(picture, path, "PNG", tr("side-by-side picture"), error, exportSettings());
}

ebm::Json CompareView::runsJson() const
{
    ebm::Json runs = ebm::Json::array();
    for (Side side : {A, B}) {
        const SideView& view = sides_[side];
        if (!view.run.ok)
            continue;
        ebm::Json run{{"side", kSideLetters[side].toStdString()},
                      {"name", view.run.name.toStdString()},
                      {"folder", QDir(view.run.path).dirName().toStdString()}};
        if (view.shownIndex >= 0) {
            const SampleSnapshot& shown = view.run.snapshots[view.shownIndex];
            run["moment"] = {{"step", shown.step}, {"final", shown.final}};
        }
        run["settings"] = view.settings;
        runs.push_back(run);
    }
    const TimelineMoment moment = shownMoment();
    return ebm::Json{{"moment", {{"step", moment.step}, {"final", moment.final}}},
                     {"difference", differenceShown()},
                     {"runs", runs}};
}

std::string CompareView::exportSettings() const
{
    ebm::Json settings = studioPictureHeader(kCompareCommand);
    const ebm::Json runs = runsJson();  // items() of a temporary would dangle
    for (const auto& [key, value] : runs.items())
        settings[key] = value;
    return settings.dump();
}

}  // namespace ebm::studio
