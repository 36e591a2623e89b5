#pragma once
// A sampling run's recorded history as a video (issue 27), for the Sample and Inpaint pages: the
// moments a range of steps chooses, the dialog that asks for the file (.mp4 or .webp: the format
// is the extension's), the range, what a frame shows, frame rate, duration, height and captions,
// and RunVideoExporter, which starts the VideoExportJob on the worker and follows it with a
// progress dialog whose Cancel stops it (no file is then written). The GUI thread never waits:
// the page hears of the end through its statusMessage() or problem().
#include <QDialog>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QVector>

#include <functional>

#include "jobs/job_handle.h"
#include "annealing/run_history.h"
#include "annealing/video_export_job.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressDialog;
class QSettings;
class QSpinBox;

namespace ebm::studio {

class StudioEngine;
class StudioPage;

/// The indices of the first and the last recorded moment whose step lies in [firstStep, lastStep]
/// (the final moment after the jump has the last step's number); first > last when none does.
QPair<int, int> momentRange(const RunHistory& history, int firstStep, int lastStep);

/// What a video of `history` shows with `options`: the moments of its range, each with the
/// denoised preview where asked and recorded, and every sample or, for
/// RunVideoLayout::SelectedSample, sample `sample` alone (the first when there is no such sample).
/// The images are shared with the history, not copied.
QVector<RunVideoMoment> runVideoMoments(const RunHistory& history, const RunVideoOptions& options, int sample);

/// What a page offers for a video, asked when an export starts.
struct RunVideoSource {
    const RunHistory* history = nullptr;
    int selectedSample = -1;     // -1: none selected (the first sample is the one shown large)
    bool denoisedShown = false;  // the page shows the denoised preview now
    QString suggestedPath;       // a whole path; the dialog gives it the format chosen last
};

/// The options last chosen in `store` (the defaults where it has none, or when it is null); the
/// range is the whole run and the denoised preview off: they belong to a run, not to a habit.
RunVideoOptions rememberedRunVideoOptions(QSettings* store);
/// The extension last chosen (".mp4" at first).
QString rememberedRunVideoExtension(QSettings* store);
void rememberRunVideoChoice(QSettings* store, const RunVideoOptions& options, const QString& path);

class RunVideoDialog : public QDialog {
    Q_OBJECT
public:
    /// `source.history` must not be empty; `store` (may be null) gives the file dialog its folder.
    RunVideoDialog(const RunVideoSource& source, QSettings* store, QWidget* parent = nullptr);

    void setOptions(const RunVideoOptions& options);
    RunVideoOptions options() const;
    void setPath(const QString& path);
    QString path() const;
    /// The video's frames with these settings, and a note on the format or why the file cannot be written.
    QLabel* summaryLabel() const { return summary_; }
    QLabel* fileNote() const { return fileNote_; }

    /// Refuses a file the writer would refuse (extension, folder, no H.264 encoder), saying why.
    void accept() override;

private:
    void browse();
    void updateNotes();
    void keepRangeOrdered(bool firstChanged);

    const RunHistory& history_;
    QSettings* store_;
    QLineEdit* path_;
    QLabel* fileNote_;
    QSpinBox* firstStep_;
    QSpinBox* lastStep_;
    QComboBox* layout_;
    QCheckBox* denoised_;
    QSpinBox* fps_;
    QDoubleSpinBox* seconds_;
    QSpinBox* height_;
    QCheckBox* captions_;
    QCheckBox* lossless_;
    QLabel* summary_;
};

/// One page's video exports: the dialog, the job, its progress and its end.
class RunVideoExporter : public QObject {
    Q_OBJECT
public:
    /// `page` parents the dialogs and says what happened (statusMessage, problem); `source` is
    /// asked when an export starts.
    RunVideoExporter(StudioEngine* engine, StudioPage* page, std::function<RunVideoSource()> source);

    /// Where the dialog remembers its values and the file dialog its folder (may be null).
    void setStore(QSettings* store) { store_ = store; }

    /// The dialog, then the export of what it chose.
    void ask();
    /// Starts writing the page's run to `path` with `options`, without a dialog: the progress
    /// dialog follows it, and the page says "Video written to PATH" or why not when it ends. Null,
    /// with the page's problem(), when it cannot start (a bad extension, no moments, an export
    /// already going).
    JobHandle* start(const QString& path, const RunVideoOptions& options);
    bool isExporting() const { return handle_ && handle_->isActive(); }
    /// The progress dialog of the export going on; null when none.
    QProgressDialog* progressDialog() const;

Q_SIGNALS:
    void exportingChanged(bool exporting);

private:
    void follow(JobHandle* handle, const QString& path);
    void onFinished(const QVariant& result, const QString& path);

    StudioEngine* engine_;
    StudioPage* page_;
    std::function<RunVideoSource()> source_;
    QSettings* store_ = nullptr;
    QPointer<JobHandle> handle_;
    QPointer<QProgressDialog> progress_;
};

}  // namespace ebm::studio
