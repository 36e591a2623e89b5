#include "pages/landscape/plane_panel.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

#include "widgets/settings_form.h"
#include "pages/landscape/item_thumbnails.h"
#include "pages/landscape/landscape_fields.h"
#include "pages/landscape/plane_plot.h"

namespace ebm::studio {
namespace {

constexpr int kMapExportSide = 1000;
const QString kThumbnailJobKind = QStringLiteral("landscape-plane-images");

QString number(double value) { return QString::number(value, 'g', 4); }

}  // namespace

PlanePanel::PlanePanel(StudioEngine* engine, AnnealingHub* picks, UndoFieldBinder* undo, QWidget* parent)
    : LandscapePanel(engine, picks, tr("Compute"), tr("Measure the energy and the score on the plane"), false,
                     kThumbnailJobKind, {QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")}, parent)
{
    form_ = new SettingsForm<LandscapePlaneSettings>(landscapePlaneFields(), undo);
    details_ = newDetailsLabel(QStringLiteral("planeDetails"));
    exportMap_ = new QPushButton(tr("Map PNG…"));
    exportMap_->setToolTip(tr("The heat map with its arrows, points and chains as a PNG"));
    connect(exportMap_, &QPushButton::clicked, this, &PlanePanel::askExportMap);
    plot_ = new PlanePlot;
    layOut(
        form_,
        [this](QVBoxLayout* column) {
            column->addWidget(details_);
            column->addWidget(exportMap_);
        },
        plot_);
    connect(form_, &SettingsFormWidget::valuesChanged, this, &PlanePanel::requestThumbnails);
    requestThumbnails();
    updateControls();
}

void PlanePanel::requestThumbnails()
{
    const LandscapePlaneSettings s = settings();
    showThumbnails(s.dataSet, planeItems(s));
    thumbnails()->setItemsInUse(!s.principalComponents);
}

LandscapePlaneSettings PlanePanel::settings() const { return form_->settings(); }

void PlanePanel::setSettings(const LandscapePlaneSettings& settings) { form_->setSettings(settings); }

void PlanePanel::start()
{
    if (!canStart())
        return;
    LandscapePlaneSettings s = settings();
    // The run keeps the images picked now, whatever is selected on the other pages later.
    QString refusal;
    if (!s.principalComponents && !takePickedImages({&s.first, &s.second, &s.third}, &refusal)) {
        refuseStart(refusal);
        return;
    }
    if (!startRun(std::make_unique<LandscapePlaneJob>(s), tr("The worker refused the plane: wait for the running job to end.")))
        return;
    runSettings_ = s;
    setStatus(tr("Computing the map (%1 × %1 points)…").arg(s.resolution));
    updateControls();
}

void PlanePanel::onProgress(const QVariant& value)
{
    if (!value.canConvert<LandscapePlaneProgress>())
        return;
    const LandscapePlaneProgress p = value.value<LandscapePlaneProgress>();
    if (p.total <= 0)
        return;
    setProgress(p.done, p.total);
    setStatus(p.phase == LandscapePlaneProgress::Phase::Map
                  ? tr("Computing the map: row %1 of %2").arg(p.done).arg(p.total)
                  : tr("Running %1 Langevin chain(s): step %2 of %3").arg(runSettings_.chains).arg(p.done).arg(p.total));
}

void PlanePanel::onFinished(const QVariant& value)
{
    const LandscapePlaneResult finished = resultOf<LandscapePlaneResult>(value);
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
    if (!result_.stopped)
        setProgressComplete();
    announce(message, result_.conversion);
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

void PlanePanel::updateExports() { exportMap_->setEnabled(result_.ok && !isRunning()); }

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
    askAndExport(tr("Export the energy map"), tr("PNG images (*.png)"), QStringLiteral("energy-plane.png"),
                 [this](const QString& path, QString& error) { return exportMap(path, error); });
}

}  // namespace ebm::studio
