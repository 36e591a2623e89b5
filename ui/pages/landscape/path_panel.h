#pragma once
// The Landscape page's Path view: two images (data set items, pictures, or the images selected
// on the Sample page or in the Energy page's table), the energy along the straight line between
// them and along the path a nudged elastic band relaxes it to, on one chart that updates while
// the band relaxes (Pause and Step hold it between two of its steps); the saddle marked and the
// barrier in words; the images along the paths as a strip under the chart, and the point under
// the chart's cursor large beside it. Exports: the strip (PNG with its settings, the image
// sources named), the profile (CSV, PNG).
#include <string>

#include "pages/landscape/landscape_jobs.h"
#include "pages/landscape/landscape_panel.h"

class QHBoxLayout;
class QLabel;
class QPushButton;

namespace ebm::studio {

class ImageStrip;
class PathChart;
template <class S>
class SettingsForm;
class UndoFieldBinder;

class PathPanel : public LandscapePanel {
    Q_OBJECT
public:
    /// `picks` (may be null) offers the images selected on other pages.
    PathPanel(StudioEngine* engine, AnnealingHub* picks, UndoFieldBinder* undo, QWidget* parent = nullptr);

    LandscapePathSettings settings() const;
    void setSettings(const LandscapePathSettings& settings);

    void start() override;

    /// The last run's outcome (empty before the first has finished).
    const LandscapePathResult& result() const { return result_; }
    /// The band's iteration shown last while it relaxes (0: the line it starts from).
    int shownIteration() const { return lastFrame_.iteration; }
    /// The point shown large (the chart's cursor); -1 when none.
    int shownPoint() const;
    bool exportStrip(const QString& path, QString& error) const;
    /// index, line arc length, line energy, relaxed arc length, relaxed energy: one row per point.
    bool exportCsv(const QString& path, QString& error) const;
    QString csvText() const;
    bool exportChart(const QString& path, QString& error) const;

    QLabel* barrierLabel() const { return barrier_; }
    PathChart* chart() const { return chart_; }
    ImageStrip* strip() const { return strip_; }
    QLabel* lineImage() const { return linePicture_; }
    QLabel* relaxedImage() const { return relaxedPicture_; }
    SettingsForm<LandscapePathSettings>* form() const { return form_; }

    /// Ask for a file and export (the buttons and the page's File menu), starting in the folder
    /// last used for exports as the store given to setStore() remembers it.
    void askExportStrip();
    void askExportCsv();
    void askExportChart();

private:
    QHBoxLayout* buildExports();
    QWidget* buildResults();
    void requestThumbnails();
    void onProgress(const QVariant& value) override;
    void onFinished(const QVariant& value) override;
    void onPausedChanged(bool paused) override;
    /// The status line while the band relaxes: its iteration and force, or where it holds.
    void showRelaxing();
    bool runTakesSteps() const override { return runSettings_.relax; }
    void updateExports() override;
    void showPoint(int index);
    void showBarriers();
    std::string pictureSettings() const;

    SettingsForm<LandscapePathSettings>* form_;
    QLabel* barrier_;
    QPushButton* exportStrip_;
    QPushButton* exportCsv_;
    QPushButton* exportChart_;
    PathChart* chart_;
    ImageStrip* strip_;
    QLabel* linePicture_;
    QLabel* relaxedPicture_;
    QLabel* pointCaption_;
    LandscapePathSettings runSettings_;   // what the shown result was asked with
    LandscapePathResult result_;
    LandscapePathFrame lastFrame_;
};

}  // namespace ebm::studio
