#pragma once
// The Landscape page: the energy landscape between images. Path: the energy along the straight
// line between two images and along the minimum-energy path a nudged elastic band relaxes it
// to, the saddle marked, the images along both, exports as PNG and CSV. Plane: the energy and
// the projected score on the plane through three images (or a set's principal components), with
// Langevin chains projected onto it. Both run on the worker; the run keys act on the view in front.
#include <QList>

#include "widgets/studio_page.h"

class QAction;
class QTabWidget;

namespace ebm::studio {

class PathPanel;
class PlanePanel;
class StudioEngine;
class UndoFieldBinder;

class LandscapeView : public StudioPage {
    Q_OBJECT
public:
    /// `undo` (may be null) records the fields' edits.
    LandscapeView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent = nullptr);

    // StudioPage: Start runs the view in front; Stop stops whichever runs.
    void start() override;
    bool canStart() const override;
    void stop() override;
    bool isRunning() const override;
    bool isPaused() const override { return false; }
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
