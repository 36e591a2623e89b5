#pragma once
// The Sample page's entries in the window's menus: exports of what is on screen (the grid as
// PNG, the final samples as .npy, the selected sample's trajectory as a contact sheet or as
// frames, the run as a video) under File, and its view toggles (denoised preview, log scale,
// follow live) under View.
// They enable themselves from the page's state; the window only places them.
#include <QList>
#include <QObject>
#include <QString>

class QAction;
class QMenu;
class QSettings;

namespace ebm::studio {

class JobHandle;
class RunVideoExporter;
class SampleView;
class StudioEngine;
struct RunVideoOptions;

class SampleExports : public QObject {
    Q_OBJECT
public:
    SampleExports(SampleView* view, StudioEngine* engine);

    QList<QAction*> fileActions() const { return fileActions_; }
    QList<QAction*> viewActions() const { return viewActions_; }
    /// Where the export dialogs remember their folder, and the video dialog its values (null
    /// until the page is restored).
    void setStore(QSettings* store);

    /// A file name that says what is exported: model, seed and the moment shown
    /// ("fashion-seed1-step300.png"), in the last export folder (else Pictures or Documents).
    QString suggestedPath(const QString& suffix) const;
    /// The same for the run's video: "fashion-seed1-run.mp4", in the last export folder (else Videos).
    QString suggestedVideoPath() const;
    /// Writes what is on screen; false (with the page's problem()) when it cannot.
    bool exportGridTo(const QString& path);
    bool exportTrajectorySheetTo(const QString& path);
    /// Writes the recorded run as a video (File > Export Run as Video… without its dialog), on the
    /// worker: the handle to follow, or null with the page's problem() when it cannot start. The
    /// page says "Video written to PATH" or why not when it ends.
    JobHandle* exportVideoTo(const QString& path, const RunVideoOptions& options);
    RunVideoExporter* videoExporter() const { return videoExporter_; }

private:
    void updateActions();
    /// File > Grid Export Scale: automatic, x1, x2, x4, x8.
    QMenu* gridScaleMenu();
    /// The model's file name and the run's seed: "fashion-seed1".
    QString runFileName() const;

    SampleView* view_;
    StudioEngine* engine_;
    QSettings* store_ = nullptr;
    QAction* grid_;
    QAction* npy_;
    QAction* sheet_;
    QAction* frames_;
    QAction* video_;
    QAction* saveRun_;
    RunVideoExporter* videoExporter_;
    QList<QAction*> fileActions_;
    QList<QAction*> viewActions_;
};

}  // namespace ebm::studio
