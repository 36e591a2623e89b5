#include "pages/landscape/plane_panel.h"

#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/file_dialogs.h"
#include "widgets/run_controls.h"
#include "widgets/settings_form.h"
#include "pages/landscape/item_thumbnails.h"
#include "pages/landscape/landscape_fields.h"
#include "pages/landscape/plane_plot.h"

namespace ebm::studio {
namespace {

constexpr int kLeftColumnWidth = 340;
constexpr int kProgressSteps = 1000;
constexpr int kMapExportSide = 1000;
const QString kExportPurpose = QStringLiteral("export");
const QString kThumbnailJobKind = QStringLiteral("landscape-plane-images");

QString number(double value) { return QString::number(value, 'g', 4); }

}  // namespace

PlanePanel::PlanePanel(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent) : QWidget(parent), engine_(engine)
{
    QWidget* left = buildLeftColumn(undo);
    plot_ = new PlanePlot;
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(left);
    layout->addWidget(plot_, 1);
    connect(engine_, &StudioEngine::activityChanged, this, &PlanePanel::updateControls);
    connect(form_, &SettingsFormWidget::valuesChanged, this, &PlanePanel::requestThumbnails);
    requestThumbnails();
    updateControls();
}

QWidget* PlanePanel::buildLeftColumn(UndoFieldBinder* undo)
{
    runControls_ = new RunControls(tr("Compute"), tr("Measure the energy and the score on the plane"), false,
                                   RunControls::Layout::Row, this);
    connect(runControls_, &RunControls::startRequested, this, &PlanePanel::start);
    connect(runControls_, &RunControls::stopRequested, this, &PlanePanel::stop);
    form_ = new SettingsForm<LandscapePlaneSettings>(landscapePlaneFields(), undo);
    thumbnails_ = new ItemThumbnails(engine_, kThumbnailJobKind, {QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")});
    progress_ = new QProgressBar;
    progress_->setRange(0, kProgressSteps);
    progress_->setValue(0);
    status_ = new QLabel;
    details_ = new QLabel;
    details_->setObjectName(QStringLiteral("planeDetails"));
    for (QLabel* label : {status_, details_}) {
        label->setWordWrap(true);
        QSizePolicy policy = label->sizePolicy();
        policy.setHorizontalPolicy(QSizePolicy::Ignored);   // a long message wraps, the column keeps its width
        label->setSizePolicy(policy);
    }
    details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    exportMap_ = new QPushButton(tr("Map PNG…"));
    exportMap_->setToolTip(tr("The heat map with its arrows, points and chains as a PNG"));
    connect(exportMap_, &QPushButton::clicked, this, &PlanePanel::askExportMap);

    auto* forms = new QWidget;
    auto* formsLayout = new QVBoxLayout(forms);
    formsLayout->setContentsMargins(0, 0, 0, 0);
    formsLayout->addWidget(thumbnails_);
    formsLayout->addWidget(form_);
    formsLayout->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(forms);
    scroll->setWidgetResizable(true);
    auto* column = new QWidget;
    column->setFixedWidth(kLeftColumnWidth);
    auto* layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(runControls_);
    layout->addWidget(scroll, 1);
    layout->addWidget(progress_);
    layout->addWidget(status_);
    layout->addWidget(details_);
    layout->addWidget(exportMap_);
    return column;
}

void PlanePanel::requestThumbnails()
{
    const LandscapePlaneSettings s = settings();
    thumbnails_->request(s.dataSet, planeItems(s));
    thumbnails_->setItemsInUse(!s.principalComponents);
}

LandscapePlaneSettings PlanePanel::settings() const { return form_->settings(); }

void PlanePanel::setSettings(const LandscapePlaneSettings& settings) { form_->setSettings(settings); }

bool PlanePanel::canStart() const
{
    return engine_->hasModel() && engine_->model().imageModel && !isRunning();
}

bool PlanePanel::isRunning() const { return run_ && run_->isActive(); }

void PlanePanel::start()
{
    if (!canStart())
        return;
    const LandscapePlaneSettings s = settings();
    JobHandle* run = engine_->start(std::make_unique<LandscapePlaneJob>(s));
    if (!run) {
        Q_EMIT problem(tr("The worker refused the plane: wait for the running job to end."));
        return;
    }
    run_ = run;
    runSettings_ = s;
    progress_->setValue(0);
    setStatus(tr("Computing the map (%1 × %1 points)…").arg(s.resolution));
    connect(run, &JobHandle::progress, this, &PlanePanel::onProgress);
    connect(run, &JobHandle::finished, this, &PlanePanel::onFinished);
    updateControls();
}

void PlanePanel::stop()
{
    if (isRunning())
        run_->cancel();
}

void PlanePanel::onProgress(const QVariant& value)
{
    if (!value.canConvert<LandscapePlaneProgress>())
        return;
    const LandscapePlaneProgress p = value.value<LandscapePlaneProgress>();
    if (p.total <= 0)
        return;
    progress_->setValue(static_cast<int>(qint64(kProgressSteps) * p.done / p.total));
    setStatus(p.phase == LandscapePlaneProgress::Phase::Map
                  ? tr("Computing the map: row %1 of %2").arg(p.done).arg(p.total)
                  : tr("Running %1 Langevin chain(s): step %2 of %3").arg(runSettings_.chains).arg(p.done).arg(p.total));
}

void PlanePanel::onFinished(const QVariant& value)
{
    LandscapePlaneResult finished = value.canConvert<LandscapePlaneResult>() ? value.value<LandscapePlaneResult>()
                                                                             : LandscapePlaneResult{};
    if (!value.isValid())
        finished.stopped = true;   // dropped before it ran
    if (!finished.ok) {
        const QString message = finished.error.isEmpty() ? tr("Stopped before the plane was computed.")
                                                         : tr("No plane: %1").arg(finished.error);
        setStatus(message);
        if (!finished.error.isEmpty())
            Q_EMIT problem(tr("Landscape plane: %1").arg(finished.error));
        updateControls();
        return;
    }
    result_ = finished;
    plot_->setPlane(result_);
    QString message;
    if (result_.stopped && result_.rowsDone < result_.resolution)
        message = tr("Stopped after %1 of %2 rows: the rows measured are shown.").arg(result_.rowsDone).arg(result_.resolution);
    else if (result_.stopped)
        message = tr("Map of %1 × %1 points computed; the chains were stopped.").arg(result_.resolution);
    else
        message = tr("Map of %1 × %1 points computed.").arg(result_.resolution);
    if (!result_.conversion.isEmpty())
        message += QStringLiteral(" ") + result_.conversion + QStringLiteral(".");
    progress_->setValue(result_.stopped ? progress_->value() : kProgressSteps);
    setStatus(message);
    Q_EMIT statusMessage(message);
    showDetails();
    updateControls();
}

void PlanePanel::showDetails()
{
    QStringList lines;
    if (runSettings_.principalComponents) {
        const int images = std::max(0, int(result_.points.size()) - 1);   // the last point is the mean
        double mean = 0.0;
        for (int i = 0; i < images; ++i)
            mean += result_.pointDistances[i];
        lines << tr("The plane holds %1% of the spread of the first %2 images about their mean; they lie %3 from it "
                    "on average.")
                     .arg(100.0 * result_.capturedVariance, 0, 'f', 1)
                     .arg(images)
                     .arg(number(images > 0 ? mean / images : 0.0));
    } else {
        lines << tr("A: %1, B: %2, C: %3")
                     .arg(describeItem(runSettings_.first, runSettings_.dataSet),
                          describeItem(runSettings_.second, runSettings_.dataSet),
                          describeItem(runSettings_.third, runSettings_.dataSet));
    }
    lines << tr("Energies on the map: %1 to %2; longest arrow (score in the plane) %3.")
                 .arg(number(result_.energyMin), number(result_.energyMax), number(result_.gradNormMax));
    if (!result_.finalDistances.isEmpty()) {
        const auto [closest, farthest] = std::minmax_element(result_.finalDistances.begin(), result_.finalDistances.end());
        lines << tr("%1 chain(s) of %2 steps end %3 to %4 from the plane (%5 on average over their recorded states): "
                    "what the map shows of them is their shadow on it.")
                     .arg(result_.trajectories.size())
                     .arg(result_.chainSteps)
                     .arg(number(*closest), number(*farthest), number(result_.meanDistance));
    }
    details_->setText(lines.join(QLatin1Char('\n')));
}

void PlanePanel::setStatus(const QString& message)
{
    QString breakable = message;
    breakable.replace(QLatin1Char('/'), QStringLiteral("/\u200B"));   // a place to wrap a long path
    status_->setText(breakable);
    status_->setToolTip(message);
}

void PlanePanel::updateControls()
{
    runControls_->setState(canStart(), isRunning(), false);
    exportMap_->setEnabled(result_.ok && !isRunning());
    Q_EMIT runStateChanged();
}

bool PlanePanel::exportMap(const QString& path, QString& error) const
{
    if (!result_.ok) {
        error = tr("There is no map to export yet: press Compute first.");
        return false;
    }
    if (plot_->exportPng(path, kMapExportSide, kMapExportSide))
        return true;
    error = tr("%1: the map could not be written there; choose another folder").arg(path);
    return false;
}

void PlanePanel::askExportMap()
{
    const QString path = askSavePath(this, store_, kExportPurpose, tr("Export the energy map"), tr("PNG images (*.png)"),
                                     QStringLiteral(".png"), QDir(lastFolder(store_, kExportPurpose)).filePath(QStringLiteral("energy-plane.png")));
    QString error;
    if (!path.isEmpty() && !exportMap(path, error))
        Q_EMIT problem(error);
}

}  // namespace ebm::studio
