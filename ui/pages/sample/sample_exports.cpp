#include "pages/sample/sample_exports.h"

#include <QAction>
#include <QActionGroup>
#include <QMenu>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#include "worker/studio_engine.h"
#include "widgets/file_dialogs.h"
#include "annealing/energy_chart.h"
#include "annealing/run_bundle_job.h"
#include "annealing/run_video_export.h"
#include "annealing/sampling_types.h"
#include "pages/sample/sample_view.h"

namespace ebm::studio {
namespace {

const QString kPngFilter = QObject::tr("PNG images (*.png)");

/// A file-name part made of letters, digits, '-' and '_' only.
QString fileNamePart(QString text)
{
    text.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]+")), QStringLiteral("-"));
    return text.left(40);
}

}  // namespace

SampleExports::SampleExports(SampleView* view, StudioEngine* engine) : QObject(view), view_(view), engine_(engine)
{
    grid_ = new QAction(tr("Export Grid as PNG…"), this);
    grid_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(grid_, &QAction::triggered, this, [this] {
        const QString path = askSavePath(view_, store_, kExportFolderPurpose, tr("Export grid"), kPngFilter,
                                         QStringLiteral(".png"), suggestedPath(QStringLiteral(".png")));
        if (!path.isEmpty())
            exportGridTo(path);
    });
    npy_ = new QAction(tr("Export Samples as .npy…"), this);
    connect(npy_, &QAction::triggered, this, [this] {
        const QString path =
            askSavePath(view_, store_, kExportFolderPurpose, tr("Export samples"), tr("NumPy arrays (*.npy)"),
                        QStringLiteral(".npy"), suggestedPath(QStringLiteral(".npy")));
        if (!path.isEmpty())
            engine_->exportSamplesNpy(path);
    });
    sheet_ = new QAction(tr("Export Trajectory Contact Sheet…"), this);
    connect(sheet_, &QAction::triggered, this, [this] {
        QString suggestion = suggestedPath(QStringLiteral(".png"));
        suggestion.insert(suggestion.size() - 4, QStringLiteral("-trajectory"));
        const QString path = askSavePath(view_, store_, kExportFolderPurpose, tr("Export trajectory"), kPngFilter,
                                         QStringLiteral(".png"), suggestion);
        if (!path.isEmpty())
            exportTrajectorySheetTo(path);
    });
    frames_ = new QAction(tr("Export Trajectory Frames…"), this);
    connect(frames_, &QAction::triggered, this, [this] {
        const QString folder = askFolder(view_, store_, kExportFolderPurpose, tr("Folder for the frames"));
        if (folder.isEmpty())
            return;
        QString error;
        if (!view_->exportTrajectoryFrames(folder, error))
            Q_EMIT view_->problem(error);
        else
            Q_EMIT view_->statusMessage(tr("Frames written to %1").arg(folder));
    });
    videoExporter_ = new RunVideoExporter(engine_, view_, [this] {
        return RunVideoSource{&view_->history(), view_->selectedSample(), view_->showsDenoised(), suggestedVideoPath()};
    });
    video_ = new QAction(tr("Export Run as Video…"), this);
    video_->setToolTip(tr("The recorded moments of the run as an MP4 or animated WebP video"));
    connect(video_, &QAction::triggered, videoExporter_, &RunVideoExporter::ask);
    connect(videoExporter_, &RunVideoExporter::exportingChanged, this, &SampleExports::updateActions);
    saveRun_ = new QAction(tr("Save Run…"), this);
    saveRun_->setToolTip(tr("Every recorded moment of the run as a NAME.ebmrun folder, for the Compare page or numpy"));
    connect(saveRun_, &QAction::triggered, this, [this] {
        // The whole run, not the moment shown: "fashion-seed1-run.ebmrun".
        const QString suggestion =
            QDir(lastFolder(store_, kRunFolderPurpose)).filePath(runFileName() + QStringLiteral("-run") + runBundleSuffix());
        const QString path = askSavePath(view_, store_, kRunFolderPurpose, tr("Save run"), runBundleFilter(),
                                         runBundleSuffix(), suggestion);
        if (path.isEmpty())
            return;
        saveRunBundle(engine_, path, view_->history(), view_->runSettings(), this,
                      [this](bool ok, const QString& message) {
                          if (ok)
                              Q_EMIT view_->statusMessage(message);
                          else
                              Q_EMIT view_->problem(message);
                      });
    });
    fileActions_ = {grid_, gridScaleMenu()->menuAction(), npy_, sheet_, frames_, video_, saveRun_};

    auto* denoised = new QAction(tr("&Denoised Preview"), this);
    denoised->setCheckable(true);
    denoised->setChecked(view_->showsDenoised());
    denoised->setShortcut(QKeySequence(Qt::Key_D));
    connect(denoised, &QAction::toggled, view_, &SampleView::setDenoisedView);
    connect(view_, &SampleView::denoisedViewChanged, denoised, &QAction::setChecked);
    auto* logScale = new QAction(tr("Energy Chart &Log Scale"), this);
    logScale->setCheckable(true);
    logScale->setChecked(view_->chart()->logScale());
    logScale->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    connect(logScale, &QAction::toggled, view_->chart(), &EnergyChart::setLogScale);
    connect(view_->chart(), &EnergyChart::logScaleToggled, logScale, &QAction::setChecked);
    auto* live = new QAction(tr("Follow Live Frame"), this);
    live->setShortcut(QKeySequence(Qt::Key_End));
    connect(live, &QAction::triggered, view_, &SampleView::followLive);
    viewActions_ = {denoised, logScale, live};

    connect(view_, &SampleView::exportAvailabilityChanged, this, &SampleExports::updateActions);
    connect(view_, &StudioPage::runStateChanged, this, &SampleExports::updateActions);
    connect(engine_, &StudioEngine::activityChanged, this, &SampleExports::updateActions);
    updateActions();
}

QMenu* SampleExports::gridScaleMenu()
{
    // Remembered by the page (its store): how large exported grids are, as pixels per image pixel.
    auto* menu = new QMenu(tr("Grid Export Scale"), view_);
    menu->setObjectName(QStringLiteral("gridExportScaleMenu"));
    auto* choices = new QActionGroup(menu);
    const QList<QPair<QString, int>> scales = {{tr("Automatic (at least 512 pixels)"), 0},
                                               {tr("×1"), 1}, {tr("×2"), 2}, {tr("×4"), 4}, {tr("×8"), 8}};
    for (const auto& [label, scale] : scales) {
        QAction* choice = menu->addAction(label);
        choice->setCheckable(true);
        choice->setData(scale);
        choice->setChecked(view_->gridExportScale() == scale);
        choices->addAction(choice);
        connect(choice, &QAction::triggered, view_, [this, scale] { view_->setGridExportScale(scale); });
    }
    connect(view_, &SampleView::gridExportScaleChanged, menu, [choices](int scale) {
        for (QAction* choice : choices->actions())
            choice->setChecked(choice->data().toInt() == scale);
    });
    return menu;
}

void SampleExports::updateActions()
{
    const bool haveFrames = view_->canExport() && !view_->isRunning();
    grid_->setEnabled(view_->canExport());
    npy_->setEnabled(haveFrames && !engine_->isBusy());
    sheet_->setEnabled(view_->canExport());
    frames_->setEnabled(haveFrames);
    video_->setEnabled(haveFrames && !videoExporter_->isExporting());
    saveRun_->setEnabled(haveFrames);
}

void SampleExports::setStore(QSettings* store)
{
    store_ = store;
    videoExporter_->setStore(store);
}

QString SampleExports::runFileName() const
{
    const ModelInfo m = view_->sampledModel();
    const QString model = !m.path.isEmpty() ? QFileInfo(m.path).completeBaseName()
                          : m.fromTraining  ? QStringLiteral("training-run")
                                            : QStringLiteral("model");
    QString name = fileNamePart(model);
    if (!view_->history().isEmpty())
        name += QStringLiteral("-seed%1").arg(view_->history().info().settings.seed);
    return name;
}

QString SampleExports::suggestedPath(const QString& suffix) const
{
    QString name = runFileName();
    const RunHistory& history = view_->history();
    if (!history.isEmpty()) {
        const int shown = view_->shownIndex() >= 0 ? view_->shownIndex() : history.size() - 1;
        const SampleSnapshot& moment = history.at(shown);
        name += moment.final ? QStringLiteral("-final") : QStringLiteral("-step%1").arg(moment.step);
    }
    const QStandardPaths::StandardLocation standard =
        suffix == QLatin1String(".png") ? QStandardPaths::PicturesLocation : QStandardPaths::DocumentsLocation;
    return QDir(exportFolder(store_, standard)).filePath(name + suffix);
}

QString SampleExports::suggestedVideoPath() const
{
    return QDir(exportFolder(store_, QStandardPaths::MoviesLocation)).filePath(runFileName() + QStringLiteral("-run.mp4"));
}

bool SampleExports::exportGridTo(const QString& path)
{
    QString error;
    if (!view_->exportGrid(path, error)) {
        Q_EMIT view_->problem(error);
        return false;
    }
    Q_EMIT view_->statusMessage(tr("Grid written to %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

JobHandle* SampleExports::exportVideoTo(const QString& path, const RunVideoOptions& options)
{
    return videoExporter_->start(path, options);
}

bool SampleExports::exportTrajectorySheetTo(const QString& path)
{
    QString error;
    if (!view_->exportTrajectorySheet(path, error)) {
        Q_EMIT view_->problem(error);
        return false;
    }
    Q_EMIT view_->statusMessage(tr("Trajectory written to %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

}  // namespace ebm::studio
