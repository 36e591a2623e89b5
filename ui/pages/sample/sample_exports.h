#pragma once
// The Sample page's entries in the window's menus: exports of what is on screen (the grid as
// PNG, the final samples as .npy, the selected sample's trajectory as a contact sheet or as
// frames) under File, and its view toggles (denoised preview, log scale, follow live) under View.
// They enable themselves from the page's state; the window only places them.
#include <QList>
#include <QObject>
#include <QString>

class QAction;
class QMenu;
class QSettings;

namespace ebm::studio {

class SampleView;
class StudioEngine;

class SampleExports : public QObject {
    Q_OBJECT
public:
    SampleExports(SampleView* view, StudioEngine* engine);

    QList<QAction*> fileActions() const { return fileActions_; }
    QList<QAction*> viewActions() const { return viewActions_; }
    /// Where the export dialogs remember their folder (null until the page is restored).
    void setStore(QSettings* store) { store_ = store; }

    /// A file name that says what is exported: model, seed and the moment shown
    /// ("fashion-seed1-step300.png"), in the last export folder (else Pictures or Documents).
    QString suggestedPath(const QString& suffix) const;
    /// Writes what is on screen; false (with the page's problem()) when it cannot.
    bool exportGridTo(const QString& path);
    bool exportTrajectorySheetTo(const QString& path);

private:
    void updateActions();
    /// File > Grid Export Scale: automatic, x1, x2, x4, x8.
    QMenu* gridScaleMenu();

    SampleView* view_;
    StudioEngine* engine_;
    QSettings* store_ = nullptr;
    QAction* grid_;
    QAction* npy_;
    QAction* sheet_;
    QAction* frames_;
    QList<QAction*> fileActions_;
    QList<QAction*> viewActions_;
};

}  // namespace ebm::studio
