#include "pages/landscape/landscape_panel.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QScrollArea>
#include <QVBoxLayout>

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
const QString kExportPurpose = QStringLiteral("export");

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

LandscapePanel::LandscapePanel(StudioEngine* engine, const QString& startText, const QString& startToolTip,
                               const QString& thumbnailJobKind, const QStringList& itemNames, QWidget* parent)
    : QWidget(parent), engine_(engine)
{
    runControls_ = new RunControls(startText, startToolTip, false, RunControls::Layout::Row, this);
    connect(runControls_, &RunControls::startRequested, this, &LandscapePanel::start);
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

void LandscapePanel::stop()
{
    if (isRunning())
        run_->cancel();
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
    runControls_->setState(canStart(), isRunning(), false);
    updateExports();
    Q_EMIT runStateChanged();
}

void LandscapePanel::askAndExport(const QString& title, const QString& filter, const QString& fileName,
                                  const std::function<bool(const QString& path, QString& error)>& write)
{
    const QString path = askSavePath(this, store_, kExportPurpose, title, filter, QStringLiteral(".") + QFileInfo(fileName).suffix(),
                                     QDir(lastFolder(store_, kExportPurpose)).filePath(fileName));
    QString error;
    if (!path.isEmpty() && !write(path, error))
        Q_EMIT problem(error);
}

}  // namespace ebm::studio
