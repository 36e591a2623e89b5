#pragma once
// The Landscape page's Plane view: the plane through three chosen images (data set items,
// pictures, or the images selected on the Sample page or in the Energy page's table) or through
// the mean of a set along its first two principal directions, its energy as a heat map with the
// projected score as arrows, the images marked on it, and optionally a few Langevin chains from
// noise projected onto it with their distance from it. Computed on the worker with progress and
// Stop; resolution adjustable.
#include "pages/landscape/landscape_jobs.h"
#include "pages/landscape/landscape_panel.h"

class QLabel;
class QPushButton;

namespace ebm::studio {

class PlanePlot;
template <class S>
class SettingsForm;
class UndoFieldBinder;

class PlanePanel : public LandscapePanel {
    Q_OBJECT
public:
    /// `picks` (may be null) offers the images selected on other pages.
    PlanePanel(StudioEngine* engine, AnnealingHub* picks, UndoFieldBinder* undo, QWidget* parent = nullptr);

    LandscapePlaneSettings settings() const;
    void setSettings(const LandscapePlaneSettings& settings);

    void start() override;

    /// The last run's outcome (a stopped run's rows measured included).
    const LandscapePlaneResult& result() const { return result_; }
    bool exportMap(const QString& path, QString& error) const;
    void askExportMap();

    QLabel* details() const { return details_; }
    PlanePlot* plot() const { return plot_; }
    SettingsForm<LandscapePlaneSettings>* form() const { return form_; }

private:
    void onProgress(const QVariant& value) override;
    void onFinished(const QVariant& value) override;
    void updateExports() override;
    void requestThumbnails();
    void showDetails();

    SettingsForm<LandscapePlaneSettings>* form_;
    QLabel* details_;
    QPushButton* exportMap_;
    PlanePlot* plot_;
    LandscapePlaneSettings runSettings_;
    LandscapePlaneResult result_;
};

}  // namespace ebm::studio
