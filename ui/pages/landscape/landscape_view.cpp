#include "pages/landscape/landscape_view.h"

#include <QAction>
#include <QSettings>
#include <QTabWidget>
#include <QVBoxLayout>

#include "pages/landscape/landscape_fields.h"
#include "pages/landscape/landscape_jobs.h"
#include "pages/landscape/path_panel.h"
#include "pages/landscape/plane_panel.h"

namespace ebm::studio {

LandscapeView::LandscapeView(StudioEngine* engine, AnnealingHub* picks, UndoFieldBinder* undo, QWidget* parent)
    : StudioPage(tr("L&andscape"), QStringLiteral("landscape"), parent), engine_(engine)
{
    registerLandscapeTypes();
    path_ = new PathPanel(engine, picks, undo);
    plane_ = new PlanePanel(engine, picks, undo);
    views_ = new QTabWidget;
    views_->setDocumentMode(true);
    views_->addTab(path_, tr("Path"));
    views_->addTab(plane_, tr("Plane"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(views_);

    keepFields<LandscapePathSettings>(
        landscapePathFields(), [this] { return path_->settings(); },
        [this](const LandscapePathSettings& s) { path_->setSettings(s); });
    keepFields<LandscapePlaneSettings>(
        landscapePlaneFields(), [this] { return plane_->settings(); },
        [this](const LandscapePlaneSettings& s) { plane_->setSettings(s); });
    // The export folder the file dialogs start in lives in the studio's store.
    keepInStore([](QSettings&) {},
                [this](QSettings& store) {
                    path_->setStore(&store);
                    plane_->setStore(&store);
                });

    connect(path_, &PathPanel::problem, this, &StudioPage::problem);
    connect(path_, &PathPanel::statusMessage, this, &StudioPage::statusMessage);
    connect(path_, &PathPanel::runStateChanged, this, &StudioPage::runStateChanged);
    connect(plane_, &PlanePanel::problem, this, &StudioPage::problem);
    connect(plane_, &PlanePanel::statusMessage, this, &StudioPage::statusMessage);
    connect(plane_, &PlanePanel::runStateChanged, this, &StudioPage::runStateChanged);
    connect(views_, &QTabWidget::currentChanged, this, &StudioPage::runStateChanged);

    auto* strip = new QAction(tr("Export Landscape Strip as PNG…"), this);
    connect(strip, &QAction::triggered, path_, &PathPanel::askExportStrip);
    auto* profile = new QAction(tr("Export Landscape Profile as CSV…"), this);
    connect(profile, &QAction::triggered, path_, &PathPanel::askExportCsv);
    auto* map = new QAction(tr("Export Landscape Map as PNG…"), this);
    connect(map, &QAction::triggered, plane_, &PlanePanel::askExportMap);
    fileActions_ = {strip, profile, map};
    const auto enableExports = [this, strip, profile, map] {
        const bool path = path_->result().ok && !path_->isRunning();
        strip->setEnabled(path);
        profile->setEnabled(path);
        map->setEnabled(plane_->result().ok && !plane_->isRunning());
    };
    connect(this, &StudioPage::runStateChanged, this, enableExports);
    enableExports();
}

void LandscapeView::start()
{
    if (views_->currentWidget() == plane_)
        plane_->start();
    else
        path_->start();
}

bool LandscapeView::canStart() const
{
    return views_->currentWidget() == plane_ ? plane_->canStart() && !path_->isRunning()
                                             : path_->canStart() && !plane_->isRunning();
}

void LandscapeView::togglePause() { path_->togglePause(); }

void LandscapeView::stepOnce() { path_->stepOnce(); }

void LandscapeView::stop()
{
    path_->stop();
    plane_->stop();
}

bool LandscapeView::isRunning() const { return path_->isRunning() || plane_->isRunning(); }

bool LandscapeView::isPaused() const { return path_->isPaused(); }

QList<QAction*> LandscapeView::menuActions(Menu menu) const
{
    return menu == Menu::File ? fileActions_ : QList<QAction*>{};
}

QList<StudioPage::ShortcutHelp> LandscapeView::pageShortcuts() const
{
    return {{tr("Mouse over the path chart (or drag)"), tr("shows the images of the point under it large (Landscape)")},
            {tr("Click or drag on the image strip"), tr("moves the path chart's cursor to that point (Landscape)")},
            {tr("Mouse over the plane"), tr("reads the energy and the score's length there (Landscape)")}};
}

void LandscapeView::showPathView() { views_->setCurrentWidget(path_); }

void LandscapeView::showPlaneView() { views_->setCurrentWidget(plane_); }

}  // namespace ebm::studio
