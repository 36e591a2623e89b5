#pragma once
// A sampling run's recorded moments written as a video (issue 27: MP4 or animated WebP, the format
// the file's extension names) on the worker thread, as the CLI's `ebm sample --video` writes one:
// the recorded moments spread over the video's frames (core's videoFrameOrder), the last held at
// the end, a caption with the step and the temperature. Each frame shows the grid as the Sample
// page exports it (one image pixel between the samples) or one sample, enlarged by whole pixels,
// optionally beside a temperature and energy chart whose cursor follows the frame's step.
// Progress: RunVideoProgress, about 10 a second; result: RunVideoOutcome. Cancelled, it writes no
// file. No torch: moc reads the headers that include this one.
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <limits>

#include "jobs/job.h"

namespace ebm::studio {

/// Its own kind: an export neither replaces nor stops a sampling run.
inline const QString kRunVideoJobKind = QStringLiteral("run-video");

/// Core's limits and defaults of a run's video (ebm/io/run_video.h and video_file.h, which only a
/// job's .cpp may include), for the dialog's fields.
struct RunVideoLimits {
    int defaultFps;
    int minFps;
    int maxFps;
    double defaultSeconds;
    double maxSeconds;
    int defaultHeight;
    int minHeight;
    int maxHeight;
};
extern const RunVideoLimits kRunVideoLimits;

/// What a frame shows.
enum class RunVideoLayout {
    Grid,            // the samples' grid
    SelectedSample,  // one sample, large
    GridAndChart,    // the grid beside the temperature and mean energy over the steps
};

/// What a person chooses in the export dialog.
struct RunVideoOptions {
    RunVideoLayout layout = RunVideoLayout::Grid;
    /// The recorded moments exported: those with firstStep <= step <= lastStep (the whole run by default).
    int firstStep = 0;
    int lastStep = std::numeric_limits<int>::max();
    /// The denoised preview at the moments it was recorded (the noisy state at the others).
    bool denoised = false;
    int fps = kRunVideoLimits.defaultFps;
    double seconds = kRunVideoLimits.defaultSeconds;
    int height = kRunVideoLimits.defaultHeight;  // the frame's, caption included
    bool captions = true;
    bool lossless = false;  // WebP only: every pixel kept
};

/// One recorded moment as the video shows it.
struct RunVideoMoment {
    int step = 0;
    double temperature = 0.0;
    double meanEnergy = std::numeric_limits<double>::quiet_NaN();  // over the finite energies
    bool final = false;            // after the denoising jump
    bool denoisedPreview = false;  // `images` are the eq. 9 preview of this moment
    QVector<QImage> images;        // every sample, or the selected one alone (RunVideoLayout::SelectedSample)
};

struct RunVideoRequest {
    QString path;  // .mp4 or .webp
    RunVideoOptions options;
    QVector<RunVideoMoment> moments;  // in the run's order, the images of one size
    int totalSteps = 0;               // the run's, for the captions
};

/// Frames written so far of `frames`.
struct RunVideoProgress {
    int framesWritten = 0;
    int frames = 0;
};

struct RunVideoOutcome {
    bool failed = false;
    bool stopped = false;  // cancelled: no file was written
    QString message;       // why it failed, in one line
    QString path;
    int frames = 0;        // frames written (an animated WebP stores a repeated one once, shown longer)
    int width = 0;
    int height = 0;
};

/// Why a video cannot be written to `path` (its extension, its folder, an H.264 encoder for .mp4),
/// in one line naming the file; empty when it can. No torch and quick: the dialog asks it before
/// anything starts.
QString runVideoOutputProblem(const QString& path);

/// Which moment each frame of the video shows (core's videoFrameOrder): fps x seconds frames.
QVector<int> runVideoFrameOrder(int moments, int fps, double seconds);

/// "step 120 / 500   T = 0.123" as the CLI's videos say it, "step 500 / 500   denoised" after the
/// jump, with "   denoised preview" after a moment shown denoised.
QString runVideoCaption(const RunVideoMoment& moment, int totalSteps);

class VideoExportJob : public Job {
public:
    explicit VideoExportJob(RunVideoRequest request) : request_(std::move(request)) {}
    QString kind() const override { return kRunVideoJobKind; }
    /// It needs no model: during training it goes between two steps instead of after the run.
    bool canRunAsGuest() const override { return true; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    RunVideoRequest request_;
};

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::RunVideoProgress)
Q_DECLARE_METATYPE(ebm::studio::RunVideoOutcome)
