#pragma once
// The Inpaint page's jobs: prepare an image for the model (converted to its channels and size,
// shown to the person as the model gets it), complete the masked pixels N times with annealed
// Langevin dynamics (progress as the sampling job's: SamplingRunInfo, SampleFrameBatch), and
// write arrays. Values are plain: the page never sees a tensor.
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <atomic>
#include <memory>

#include "ebm/schedule/schedule_feed.h"
#include "jobs/job.h"
#include "worker/studio_types.h"
#include "annealing/sampling_types.h"

namespace ebm::studio {

inline const QString kInpaintJobKind = QStringLiteral("inpainting");
inline const QString kInpaintImageJobKind = QStringLiteral("inpaint-image");

/// An image as the model gets it.
struct InpaintImage {
    bool ok = false;
    QString error;                   // why it could not be opened (one line)
    QString source;                  // what the person chose, e.g. "Fashion-MNIST test image 3"
    QString conversion;              // what was done to it, e.g. "28x28 padded to 32x32"
    int channels = 1;
    int size = 32;
    int imagesInSource = 1;          // a data set's length, for the index field
    QVector<float> pixels;           // [C, size, size] in [0, 1]
    QImage image;                    // the same, 8-bit
};

struct InpaintRequest {
    SamplingSettings sampling;       // schedule, step size, seed; numSamples = completions
    QVector<float> pixels;           // the image, [C, size, size]
    QVector<float> mask;             // [size, size], 1 = generate
    int channels = 1;
    int size = 32;
    bool referenceNoise = false;     // the reference code's noise on known pixels
    int featherRadius = 0;           // pixels of soft weights around the generated ones (ebm::featherMask)
};

struct InpaintOutcome {
    SamplingOutcome run;
    QVector<double> maskedMse;       // per completion, over the generated pixels, [0, 1] scale
    QVector<float> completions;      // [N, C, size, size]
    QVector<QImage> images;          // the completions, 8-bit
    int count = 0;
    int channels = 1;
    int size = 32;
};

/// Opens `spec` (a picture file, a .npy, or a data set such as "fashion-mnist", test split)
/// and takes image `index` of it, converted for the loaded model. Result: InpaintImage.
class LoadInpaintImageJob : public Job {
public:
    LoadInpaintImageJob(QString spec, int index, QString label) : spec_(std::move(spec)), index_(index), label_(std::move(label)) {}
    QString kind() const override { return kInpaintImageJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString spec_;
    int index_;
    QString label_;
};

/// A page of a data set's images, for browsing: `count` images from `first`, as the model gets
/// them. Result: InpaintThumbnails.
struct InpaintThumbnails {
    QString error;                   // empty when read
    int first = 0;
    int imagesInSource = 0;
    QVector<QImage> images;
};

class DataSetThumbnailsJob : public Job {
public:
    DataSetThumbnailsJob(QString spec, int first, int count) : spec_(std::move(spec)), first_(first), count_(count) {}
    QString kind() const override { return QStringLiteral("inpaint-thumbnails"); }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString spec_;
    int first_;
    int count_;
};

/// Completes the masked pixels of one image `sampling.numSamples` times. Result: InpaintOutcome.
class InpaintJob : public Job {
public:
    InpaintJob(InpaintRequest request, int runId, std::shared_ptr<ebm::ScheduleFeed> feed)
        : request_(std::move(request)), runId_(runId), feed_(std::move(feed)) {}
    QString kind() const override { return kInpaintJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    InpaintRequest request_;
    int runId_;
    std::shared_ptr<ebm::ScheduleFeed> feed_;
};

/// Writes float32 values of the given shape as a .npy file. Result: QString, empty on success,
/// else the one-line reason.
class WriteNpyJob : public Job {
public:
    WriteNpyJob(QString path, QVector<float> values, QVector<qint64> shape)
        : path_(std::move(path)), values_(std::move(values)), shape_(std::move(shape)) {}
    QString kind() const override { return QStringLiteral("export"); }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString path_;
    QVector<float> values_;
    QVector<qint64> shape_;
};

/// Registers the values above for queued connections (the page calls it once).
void registerInpaintTypes();

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::InpaintImage)
Q_DECLARE_METATYPE(ebm::studio::InpaintOutcome)
Q_DECLARE_METATYPE(ebm::studio::InpaintThumbnails)
