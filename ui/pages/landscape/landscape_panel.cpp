#include "pages/landscape/landscape_panel.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QShowEvent>
#include <QVBoxLayout>

#include <algorithm>

#include "annealing/annealing_hub.h"
#include "jobs/job.h"
#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/file_dialogs.h"
#include "widgets/run_controls.h"
#include "pages/landscape/item_thumbnails.h"

namespace ebm::studio {
namespace {

constexpr int kLeftColumnWidth = 340;
constexpr int kProgressSteps = 1000;

/// A label that wraps a long message instead of widening the column of fixed width.
QLabel* newColumnLabel()
{
    auto* label = new QLabel;
    label->setWordWrap(true);
    QSizePolicy policy = label->sizePolicy();
    policy.setHorizontalPolicy(QSizePolicy::Ignored);
    label->setSizePolicy(policy);
    return label;
}

}  // namespace

LandscapePanel::LandscapePanel(StudioEngine* engine, AnnealingHub* picks, const QString& startText,
                               const QString& startToolTip, bool pausable, const QString& thumbnailJobKind,
                               const QStringList& itemNames, QWidget* parent)
    : QWidget(parent), engine_(engine), picks_(picks), itemNames_(itemNames), pausable_(pausable)
{
    runControls_ = new RunControls(startText, startToolTip, pausable, RunControls::Layout::Row, this);
    connect(runControls_, &RunControls::startRequested, this, &LandscapePanel::start);
    connect(runControls_, &RunControls::pauseToggled, this, &LandscapePanel::togglePause);
    connect(runControls_, &RunControls::stepRequested, this, &LandscapePanel::stepOnce);
    connect(runControls_, &RunControls::stopRequested, this, &LandscapePanel::stop);
    thumbnails_ = new ItemThumbnails(engine_, thumbnailJobKind, itemNames);
    progress_ = new QProgressBar;
    progress_->setRange(0, kProgressSteps);
    progress_->setValue(0);
    status_ = newColumnLabel();
}

QLabel* LandscapePanel::newDetailsLabel(const QString& objectName)
{
    QLabel* label = newColumnLabel();
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

void LandscapePanel::layOut(QWidget* form, const std::function<void(QVBoxLayout* column)>& addRows, QWidget* results)
{
    auto* forms = new QWidget;
    auto* formsLayout = new QVBoxLayout(forms);
    formsLayout->setContentsMargins(0, 0, 0, 0);
    formsLayout->addWidget(thumbnails_);
    formsLayout->addWidget(form);
    formsLayout->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(forms);
    scroll->setWidgetResizable(true);
    auto* column = new QWidget;
    column->setFixedWidth(kLeftColumnWidth);
    auto* columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->addWidget(runControls_);
    columnLayout->addWidget(scroll, 1);
    columnLayout->addWidget(progress_);
    columnLayout->addWidget(status_);
    addRows(columnLayout);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(column);
    layout->addWidget(results, 1);
    connect(engine_, &StudioEngine::activityChanged, this, &LandscapePanel::updateControls);
}

bool LandscapePanel::canStart() const
{
    return engine_->hasModel() && engine_->model().imageModel && !isRunning();
}

bool LandscapePanel::isRunning() const { return run_ && run_->isActive(); }

bool LandscapePanel::isPaused() const { return isRunning() && run_->isPaused(); }

void LandscapePanel::stop()
{
    if (isRunning())
        run_->cancel();
}

void LandscapePanel::togglePause()
{
    if (isRunning() && pausable_ && runTakesSteps())
        run_->togglePause();
}

void LandscapePanel::stepOnce()
{
    if (isRunning() && pausable_ && runTakesSteps())
        run_->step();
}

QImage LandscapePanel::pickedImage(LandscapeItem::Source source) const
{
    if (!picks_)
        return {};
    switch (source) {
    case LandscapeItem::Source::SelectedSample:
        return picks_->selectedSample();
    case LandscapeItem::Source::TableRow:
        return picks_->selectedTableImage();
    case LandscapeItem::Source::DataSet:
    case LandscapeItem::Source::File:
        break;
    }
    return {};
}

bool LandscapePanel::takePickedImages(const QVector<LandscapeItem*>& items, QString* refusal) const
{
    bool complete = true;
    for (int i = 0; i < items.size(); ++i) {
        LandscapeItem& item = *items[i];
        if (!item.isPicked())
            continue;
        item.picked = pickedImage(item.source);
        if (item.picked.isNull() && complete) {
            complete = false;
            if (refusal)
                *refusal = tr("%1: %2.").arg(itemNames_.value(i), missingPickText(item.source));
        }
    }
    return complete;
}

void LandscapePanel::refuseStart(const QString& refusal)
{
    setStatus(refusal);
    Q_EMIT problem(refusal);
}

void LandscapePanel::showThumbnails(const QString& dataSet, const QVector<LandscapeItem>& items)
{
    thumbnailDataSet_ = dataSet;
    thumbnailItems_ = items;
    QVector<LandscapeItem> picked = items;
    QVector<LandscapeItem*> pointers;
    for (LandscapeItem& item : picked)
        pointers << &item;
    takePickedImages(pointers, nullptr);   // a missing one: its thumbnail says where to pick it
    thumbnails_->request(dataSet, picked);
}

void LandscapePanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    // Another page may have selected another image while this one was hidden.
    const bool picksShown = std::any_of(thumbnailItems_.begin(), thumbnailItems_.end(),
                                        [](const LandscapeItem& item) { return item.isPicked(); });
    if (picksShown)
        showThumbnails(thumbnailDataSet_, thumbnailItems_);
}

bool LandscapePanel::startRun(std::unique_ptr<Job> job, const QString& refusal)
{
    JobHandle* run = engine_->start(std::move(job));
    if (!run) {
        Q_EMIT problem(refusal);
        return false;
    }
    run_ = run;
    progress_->setValue(0);
    connect(run, &JobHandle::progress, this, &LandscapePanel::onProgress);
    connect(run, &JobHandle::finished, this, &LandscapePanel::onFinished);
    connect(run, &JobHandle::pausedChanged, this, [this](bool paused) {
        onPausedChanged(paused);
        updateControls();
    });
    return true;
}

void LandscapePanel::setProgress(qint64 done, qint64 total)
{
    progress_->setValue(static_cast<int>(qint64(kProgressSteps) * done / total));
}

void LandscapePanel::setProgressComplete() { progress_->setValue(kProgressSteps); }

void LandscapePanel::setStatus(const QString& message)
{
    QString breakable = message;
    breakable.replace(QLatin1Char('/'), QStringLiteral("/\u200B"));   // a place to wrap a long path
    status_->setText(breakable);
    status_->setToolTip(message);
}

void LandscapePanel::announce(QString message, const QString& conversion)
{
    if (!conversion.isEmpty())
        message += QStringLiteral(" ") + conversion + QStringLiteral(".");
    setStatus(message);
    Q_EMIT statusMessage(message);
}

void LandscapePanel::updateControls()
{
    runControls_->setState(canStart(), isRunning(), isPaused());
    // A run without steps (the straight line alone) has nothing to pause between.
    const bool steps = isRunning() && runTakesSteps();
    runControls_->pauseButton()->setEnabled(steps);
    runControls_->stepButton()->setEnabled(steps);
    updateExports();
    Q_EMIT runStateChanged();
}

void LandscapePanel::askAndExport(const QString& title, const QString& filter, const QString& fileName,
                                  const std::function<bool(const QString& path, QString& error)>& write)
{
    const QString path = askSavePath(this, store_, kExportFolderPurpose, title, filter, QStringLiteral(".") + QFileInfo(fileName).suffix(),
                                     QDir(lastFolder(store_, kExportFolderPurpose)).filePath(fileName));
    QString error;
    if (!path.isEmpty() && !write(path, error))
        Q_EMIT problem(error);
}

}  // namespace ebm::studio
