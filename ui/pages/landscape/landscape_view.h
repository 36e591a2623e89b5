#pragma once
// The Landscape page: the energy landscape between images. Path: the energy along the straight
// line between two images and along the minimum-energy path a nudged elastic band relaxes it
// to, the saddle marked, the images along both, exports as PNG and CSV. Plane: the energy and
// the projected score on the plane through three images (or a set's principal components), with
// Langevin chains projected onto it. The images are data set items, pictures, or the images
// selected on the Sample page or in the Energy page's table (through the AnnealingHub). Both run
// on the worker; Start acts on the view in front, Pause / Step on the relaxing band, Stop on
// whichever runs.
#include <QList>

#include "widgets/studio_page.h"

class QAction;
class QTabWidget;

namespace ebm::studio {

class AnnealingHub;
class PathPanel;
class PlanePanel;
class StudioEngine;
class UndoFieldBinder;

class LandscapeView : public StudioPage {
    Q_OBJECT
public:
    /// `picks` (may be null) offers the images selected on other pages (the Sample page's
    /// sample, the Energy table's row); `undo` (may be null) records the fields' edits.
    LandscapeView(StudioEngine* engine, AnnealingHub* picks, UndoFieldBinder* undo, QWidget* parent = nullptr);

    // StudioPage: Start runs the view in front; Pause and Step act on the Path view's band (the
    // plane has no pause); Stop stops whichever runs.
    void start() override;
    bool canStart() const override;
    void togglePause() override;
    void stepOnce() override;
    void stop() override;
    bool isRunning() const override;
    bool isPaused() const override;
    QList<QAction*> menuActions(Menu menu) const override;
    QList<ShortcutHelp> pageShortcuts() const override;

    PathPanel* pathView() const { return path_; }
    PlanePanel* planeView() const { return plane_; }
    QTabWidget* views() const { return views_; }
    void showPathView();
    void showPlaneView();

private:
    StudioEngine* engine_;
    QTabWidget* views_;
    PathPanel* path_;
    PlanePanel* plane_;
    QList<QAction*> fileActions_;
};

}  // namespace ebm::studio
