#pragma once
// The Landscape page's Path view: two images (data set items or pictures), the energy along the
// straight line between them and along the path a nudged elastic band relaxes it to, on one
// chart that updates while the band relaxes; the saddle marked and the barrier in words; the
// images along the paths as a strip under the chart, and the point under the chart's cursor
// large beside it. Exports: the strip (PNG with its settings), the profile (CSV, PNG).
#include <QPointer>
#include <QWidget>

#include <string>

#include "pages/landscape/landscape_jobs.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QSettings;

namespace ebm::studio {

class ImageStrip;
class ItemThumbnails;
class JobHandle;
class PathChart;
class RunControls;
template <class S>
class SettingsForm;
class StudioEngine;
class UndoFieldBinder;

class PathPanel : public QWidget {
    Q_OBJECT
public:
    PathPanel(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent = nullptr);

    LandscapePathSettings settings() const;
    void setSettings(const LandscapePathSettings& settings);

    bool canStart() const;
    bool isRunning() const;
    void start();
    void stop();

    /// The last run's outcome (empty before the first has finished).
    const LandscapePathResult& result() const { return result_; }
    /// The point shown large (the chart's cursor); -1 when none.
    int shownPoint() const;
    bool exportStrip(const QString& path, QString& error) const;
    /// index, line arc length, line energy, relaxed arc length, relaxed energy: one row per point.
    bool exportCsv(const QString& path, QString& error) const;
    QString csvText() const;
    bool exportChart(const QString& path, QString& error) const;

    RunControls* runControls() const { return runControls_; }
    QProgressBar* progressBar() const { return progress_; }
    QLabel* status() const { return status_; }
    QLabel* barrierLabel() const { return barrier_; }
    PathChart* chart() const { return chart_; }
    ImageStrip* strip() const { return strip_; }
    QLabel* lineImage() const { return linePicture_; }
    QLabel* relaxedImage() const { return relaxedPicture_; }
    ItemThumbnails* thumbnails() const { return thumbnails_; }
    SettingsForm<LandscapePathSettings>* form() const { return form_; }

    /// Ask for a file and export (the buttons and the page's File menu), starting in the folder
    /// last used for exports as `store` remembers it (null: the home folder).
    void askExportStrip();
    void askExportCsv();
    void askExportChart();
    void setStore(QSettings* store) { store_ = store; }

Q_SIGNALS:
    void problem(const QString& message);
    void statusMessage(const QString& text);
    void runStateChanged();

private:
    QWidget* buildLeftColumn(UndoFieldBinder* undo);
    QWidget* buildResults();
    void onFrame(const QVariant& value);
    void onFinished(const QVariant& value);
    void showPoint(int index);
    void showBarriers();
    void setStatus(const QString& message);
    void updateControls();
    std::string pictureSettings() const;
    QString askExportPath(const QString& title, const QString& filter, const QString& fileName);

    StudioEngine* engine_;
    SettingsForm<LandscapePathSettings>* form_;
    ItemThumbnails* thumbnails_;
    RunControls* runControls_;
    QProgressBar* progress_;
    QLabel* status_;
    QLabel* barrier_;
    QPushButton* exportStrip_;
    QPushButton* exportCsv_;
    QPushButton* exportChart_;
    PathChart* chart_;
    ImageStrip* strip_;
    QLabel* linePicture_;
    QLabel* relaxedPicture_;
    QLabel* pointCaption_;
    QSettings* store_ = nullptr;
    QPointer<JobHandle> run_;
    LandscapePathSettings runSettings_;   // what the shown result was asked with
    LandscapePathResult result_;
    LandscapePathFrame lastFrame_;
};

}  // namespace ebm::studio
