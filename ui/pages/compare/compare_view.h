#pragma once
#include <QImage>
#include <QPointer>
#include <QString>
#include <QVector>

#include <array>
#include <string>

#include "ebm/base/json.h"
#include "widgets/studio_page.h"
#include "annealing/run_bundle_job.h"
#include "pages/compare/compare_timeline.h"

class QAction;
class QCheckBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QSettings;
class QSlider;

namespace ebm::studio {

class CompareEnergyChart;
class JobHandle;
class RunControls;
class SampleGridWidget;
class StudioEngine;

/// The Compare page (issue 27, part 4): two saved runs (NAME.ebmrun folders) side by side. Each
/// side opens its run on the worker and says what it was (model, sampler, schedule, seed); both
/// sample grids step together on one timeline of every moment either run recorded, each showing
/// its last moment at or before the timeline's step (runs of other lengths are aligned by step,
/// and the page says when their schedules differ); one chart holds both mean-energy traces with
/// a cursor at that step; "Difference" shows |A - B| per sample when the images have one shape.
/// The page's only work is reading runs: its run is opening them (Start, F5: read both shown runs
/// again from their folders, after one was saved anew; Stop: stop opening), with no pause.
class CompareView : public StudioPage {
    Q_OBJECT
public:
    enum Side { A = 0, B = 1 };

    explicit CompareView(StudioEngine* engine, QWidget* parent = nullptr);

    // StudioPage: the page's run is the opening of its runs.
    void start() override;
    bool canStart() const override;
    void stop() override;
    void togglePause() override {}
    void stepOnce() override {}
    bool isRunning() const override { return isLoading(); }
    bool isPaused() const override { return false; }
    QList<QAction*> menuActions(Menu menu) const override;
    QList<ShortcutHelp> pageShortcuts() const override;
    QJsonObject chartSettings(const QString& chart) const override;

    /// Opens the run folder `path` on `side` (a job; the side shows it when it has been read).
    void openRun(Side side, const QString& path);
    /// Asks for a run folder, then opens it on `side`.
    void askOpenRun(Side side);
    bool isLoading() const;
    RunControls* runControls() const { return runControls_; }
    /// The run shown on `side` (ok false before one is open).
    const LoadedRunBundle& run(Side side) const { return sides_[side].run; }

    /// The timeline: every moment either run recorded, in order; the slider picks one.
    const QVector<TimelineMoment>& timeline() const { return timeline_; }
    QSlider* timelineSlider() const { return slider_; }
    /// Moves the timeline to the last of its moments at or before `step` (the final one last).
    void setTimelineStep(int step);
    /// The moment the timeline shows; step 0 before any run.
    TimelineMoment shownMoment() const;
    /// The moment of `side`'s run the grids show now (-1: none so early, or no run).
    int shownIndex(Side side) const { return sides_[side].shownIndex; }

    SampleGridWidget* grid(Side side) const { return sides_[side].grid; }
    SampleGridWidget* differenceGrid() const { return differenceGrid_; }
    CompareEnergyChart* chart() const { return chart_; }
    QCheckBox* differenceToggle() const { return differenceToggle_; }
    /// Why there is no difference to show (empty when there is).
    QLabel* differenceNote() const { return differenceNote_; }
    /// Whether the schedules differ, and how the timeline aligns them (empty when they agree).
    QLabel* scheduleNote() const { return scheduleNote_; }
    QLabel* summary(Side side) const { return sides_[side].summary; }

    /// Shows or hides the third grid (when the runs' images have one shape).
    void setDifferenceShown(bool shown);
    bool differenceShown() const;

    /// The picture File > Export Side by Side writes: both grids at the timeline's moment (and
    /// the difference when shown), each headed by its run and step; null without two runs shown.
    QImage sideBySideImage() const;
    /// Writes sideBySideImage as PNG keeping exportSettings(); false with `error` (one line).
    bool exportSideBySide(const QString& path, QString& error) const;
    /// The settings the PNG keeps: "command" "studio compare", the moment, and both runs (their
    /// folder's name and their own settings).
    std::string exportSettings() const;

Q_SIGNALS:
    /// A run was opened or refused on a side, or the shown moment changed (tests, exports).
    void runsChanged();

private:
    struct SideView {
        LoadedRunBundle run;
        ebm::Json settings = ebm::Json::object();
        QPointer<JobHandle> loading;
        QGroupBox* box = nullptr;
        QPushButton* open = nullptr;
        QLabel* summary = nullptr;
        QLabel* caption = nullptr;
        SampleGridWidget* grid = nullptr;
        int shownIndex = -1;
    };

    QWidget* buildSide(Side side);
    void onRunLoaded(Side side, const LoadedRunBundle& loaded);
    QString summaryText(const SideView& view) const;
    /// After a run was opened: the timeline, the chart, the notes.
    void rebuildTimeline();
    void showMoment();
    void updateDifferenceAvailability();
    void showDifference();
    /// The run controls, the window's run actions and the export follow what is open and opening.
    void updateActions();
    /// Both runs' names, folders and settings, and the moment shown (chart and picture settings).
    ebm::Json runsJson() const;
    QString momentText(const TimelineMoment& moment) const;

    StudioEngine* engine_;
    QSettings* store_ = nullptr;  // where the page was restored from: the dialogs' folder
    std::array<SideView, 2> sides_;
    QVector<TimelineMoment> timeline_;
    int pendingStep_ = -1;        // a session's step, taken once both runs are open

    RunControls* runControls_ = nullptr;
    QSlider* slider_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    QLabel* scheduleNote_ = nullptr;
    QCheckBox* differenceToggle_ = nullptr;
    QLabel* differenceNote_ = nullptr;
    QWidget* differencePane_ = nullptr;
    SampleGridWidget* differenceGrid_ = nullptr;
    CompareEnergyChart* chart_ = nullptr;

    QAction* openA_ = nullptr;
    QAction* openB_ = nullptr;
    QAction* exportPicture_ = nullptr;
    QAction* showDifference_ = nullptr;
};

}  // namespace ebm::studio
