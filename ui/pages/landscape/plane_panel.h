#pragma once
// The Landscape page's Plane view: the plane through three chosen images (or through the mean
// of a set along its first two principal directions), its energy as a heat map with the
// projected score as arrows, the images marked on it, and optionally a few Langevin chains from
// noise projected onto it with their distance from it. Computed on the worker with progress and
// Stop; resolution adjustable.
#include <QPointer>
#include <QWidget>

#include "pages/landscape/landscape_jobs.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QSettings;

namespace ebm::studio {

class ItemThumbnails;
class JobHandle;
class PlanePlot;
class RunControls;
template <class S>
class SettingsForm;
class StudioEngine;
class UndoFieldBinder;

class PlanePanel : public QWidget {
    Q_OBJECT
public:
    PlanePanel(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent = nullptr);

    LandscapePlaneSettings settings() const;
    void setSettings(const LandscapePlaneSettings& settings);

    bool canStart() const;
    bool isRunning() const;
    void start();
    void stop();

    /// The last run's outcome (a stopped run's rows measured included).
    const LandscapePlaneResult& result() const { return result_; }
    bool exportMap(const QString& path, QString& error) const;
    void askExportMap();
    void setStore(QSettings* store) { store_ = store; }

    RunControls* runControls() const { return runControls_; }
    QProgressBar* progressBar() const { return progress_; }
    QLabel* status() const { return status_; }
    QLabel* details() const { return details_; }
    PlanePlot* plot() const { return plot_; }
    ItemThumbnails* thumbnails() const { return thumbnails_; }
    SettingsForm<LandscapePlaneSettings>* form() const { return form_; }

Q_SIGNALS:
    void problem(const QString& message);
    void statusMessage(const QString& text);
    void runStateChanged();

private:
    QWidget* buildLeftColumn(UndoFieldBinder* undo);
    void onProgress(const QVariant& value);
    void onFinished(const QVariant& value);
    void requestThumbnails();
    void showDetails();
    void setStatus(const QString& message);
    void updateControls();

    StudioEngine* engine_;
    SettingsForm<LandscapePlaneSettings>* form_;
    ItemThumbnails* thumbnails_;
    RunControls* runControls_;
    QProgressBar* progress_;
    QLabel* status_;
    QLabel* details_;
    QPushButton* exportMap_;
    PlanePlot* plot_;
    QSettings* store_ = nullptr;
    QPointer<JobHandle> run_;
    LandscapePlaneSettings runSettings_;
    LandscapePlaneResult result_;
};

}  // namespace ebm::studio
