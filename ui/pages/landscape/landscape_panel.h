#pragma once
// What the Landscape page's two views (Path, Plane) share: one job at a time on the worker with
// Start and Stop; a left column of fixed width with the run buttons, the thumbnails of the
// chosen images over the view's settings, a progress bar and a status line; the page's three
// signals; and the folder exports start in. Each view adds its settings, job, results and
// exports.
#include <QPointer>
#include <QStringList>
#include <QVariant>
#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QProgressBar;
class QSettings;
class QVBoxLayout;

namespace ebm::studio {

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
    void stop();

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
    /// `startText` and `startToolTip` name the view's run on its Start button; `thumbnailJobKind`
    /// and `itemNames` are its thumbnails' (see ItemThumbnails).
    LandscapePanel(StudioEngine* engine, const QString& startText, const QString& startToolTip,
                   const QString& thumbnailJobKind, const QStringList& itemNames, QWidget* parent);

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
    StudioEngine* engine_;
    RunControls* runControls_;
    ItemThumbnails* thumbnails_;
    QProgressBar* progress_;
    QLabel* status_;
    QSettings* store_ = nullptr;
    QPointer<JobHandle> run_;
};

}  // namespace ebm::studio
