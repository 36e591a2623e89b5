#pragma once
// What the Landscape page's two views (Path, Plane) share: one job at a time on the worker with
// Start and Stop (and Pause / Step for a view whose job takes steps); a left column of fixed
// width with the run buttons, the thumbnails of the chosen images over the view's settings, a
// progress bar and a status line; the images picked on other pages (through the AnnealingHub);
// the page's three signals; and the folder exports start in. Each view adds its settings, job,
// results and exports.
#include <QPointer>
#include <QStringList>
#include <QVariant>
#include <QVector>
#include <QWidget>

#include <functional>
#include <memory>

#include "pages/landscape/landscape_jobs.h"

class QLabel;
class QProgressBar;
class QSettings;
class QShowEvent;
class QVBoxLayout;

namespace ebm::studio {

class AnnealingHub;
class ItemThumbnails;
class Job;
class JobHandle;
class RunControls;
class StudioEngine;

class LandscapePanel : public QWidget {
    Q_OBJECT
public:
    /// Starts the view's job with its settings (Start, F5); nothing when it cannot start.
    virtual void start() = 0;
    /// An image model is loaded and this view runs nothing.
    bool canStart() const;
    bool isRunning() const;
    /// The run holds between two steps (it reported its pause).
    bool isPaused() const;
    void stop();
    /// Pause / Resume (F6) and a single step (F10) of a run that takes steps (runTakesSteps()).
    void togglePause();
    void stepOnce();

    /// Where the folder last used for exports is kept (null: exports start in the home folder).
    void setStore(QSettings* store) { store_ = store; }

    RunControls* runControls() const { return runControls_; }
    QProgressBar* progressBar() const { return progress_; }
    QLabel* status() const { return status_; }
    ItemThumbnails* thumbnails() const { return thumbnails_; }

Q_SIGNALS:
    void problem(const QString& message);
    void statusMessage(const QString& text);
    void runStateChanged();

protected:
    /// `startText` and `startToolTip` name the view's run on its Start button; `pausable` shows
    /// Pause and Step; `thumbnailJobKind` and `itemNames` are its thumbnails' (see
    /// ItemThumbnails); `picks` (may be null) offers the images selected on other pages.
    LandscapePanel(StudioEngine* engine, AnnealingHub* picks, const QString& startText, const QString& startToolTip,
                   bool pausable, const QString& thumbnailJobKind, const QStringList& itemNames, QWidget* parent);

    void showEvent(QShowEvent* event) override;

    /// Lays the view out: on the left the column (the run buttons; the thumbnails over `form` in a
    /// scroll area that takes the room left; the progress bar; the status line; then the rows
    /// `addRows` adds), and `results` beside it taking the rest. Then the buttons follow the
    /// worker's activity.
    void layOut(QWidget* form, const std::function<void(QVBoxLayout* column)>& addRows, QWidget* results);
    /// A label for the column whose text (a result's details) can be selected; a long text
    /// wraps instead of widening the column.
    static QLabel* newDetailsLabel(const QString& objectName);

    /// Starts `job` on the worker, its progress going to onProgress() and its outcome to
    /// onFinished(), with the progress bar at zero. False, and problem(`refusal`), when the
    /// worker refuses it.
    bool startRun(std::unique_ptr<Job> job, const QString& refusal);
    virtual void onProgress(const QVariant& value) = 0;
    virtual void onFinished(const QVariant& value) = 0;
    /// The run reported that it holds (true) or goes on (false); the controls follow already.
    virtual void onPausedChanged(bool paused) { Q_UNUSED(paused); }
    /// Whether the run started last takes steps that Pause and Step act on.
    virtual bool runTakesSteps() const { return false; }

    /// Copies into each item whose source is another page's selection the image selected there
    /// now (named by `itemNames` in order). False, with `refusal` in one line saying where to
    /// pick one ("From: select a sample on the Sample page first."), when one has none.
    bool takePickedImages(const QVector<LandscapeItem*>& items, QString* refusal) const;
    /// Refuses a start in the status line and the window's notification.
    void refuseStart(const QString& refusal);
    /// The thumbnails of `items` of `dataSet`, with the images picked on other pages taken now
    /// (and again whenever the view is shown, since they may have changed meanwhile).
    void showThumbnails(const QString& dataSet, const QVector<LandscapeItem>& items);
    /// A finished run's outcome; one dropped before it ran (stopped while queued) is a stopped
    /// run with no result.
    template <class Result>
    static Result resultOf(const QVariant& value)
    {
        Result result = value.canConvert<Result>() ? value.value<Result>() : Result{};
        if (!value.isValid())
            result.stopped = true;
        return result;
    }

    void setProgress(qint64 done, qint64 total);
    void setProgressComplete();
    void setStatus(const QString& message);
    /// Says `message` in the status line and the window's status bar, followed by `conversion`
    /// (how the images were fitted to the model's input) when there is one.
    void announce(QString message, const QString& conversion);
    /// Start and Stop follow canStart() and the run, the exports the view's result
    /// (updateExports()); then runStateChanged().
    void updateControls();
    virtual void updateExports() = 0;

    /// Asks for a file to export to (`title`, `filter`), suggesting `fileName` in the folder last
    /// used for exports, and has `write` write it; what goes wrong is a problem().
    void askAndExport(const QString& title, const QString& filter, const QString& fileName,
                      const std::function<bool(const QString& path, QString& error)>& write);

    StudioEngine* engine() const { return engine_; }

private:
    /// The image selected on the page `source` names; null when none is (or no hub).
    QImage pickedImage(LandscapeItem::Source source) const;

    StudioEngine* engine_;
    AnnealingHub* picks_;
    QStringList itemNames_;
    bool pausable_;
    QString thumbnailDataSet_;                 // what the thumbnails were last asked for
    QVector<LandscapeItem> thumbnailItems_;
    RunControls* runControls_;
    ItemThumbnails* thumbnails_;
    QProgressBar* progress_;
    QLabel* status_;
    QSettings* store_ = nullptr;
    QPointer<JobHandle> run_;
};

}  // namespace ebm::studio
