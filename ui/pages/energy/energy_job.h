#pragma once
// The Energy page's job: opens one image set (a picture file or folder, a .npy, a data set split
// restricted to some classes and a count, each optionally transformed), converts it for the
// loaded model, and measures every image's energy over K noise draws (ebm::measureImageEnergies)
// with its spread and optionally its denoising residual. Values are plain: the page never sees
// a tensor.
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include "jobs/job.h"

namespace ebm::studio {

inline const QString kEnergyJobKind = QStringLiteral("energy");
/// The spec of a set made of the Sample page's last samples (the worker keeps them).
inline const QString kLastSamplesSpec = QStringLiteral("studio:last-samples");

/// Where a set's images come from: `spec` is a path or "fashion-mnist"; `transforms` is a chain
/// as ebm::parseTransforms reads it (a transformed copy of a set is its source plus a chain).
struct EnergySetSource {
    QString name;
    QString spec;
    bool train = false;
    QVector<int> classes;     // empty: every image
    int limit = 0;            // first N images after the classes; 0 = all
    QString transforms;       // "" = none
};

struct EnergyMeasureSettings {
    double noiseStd = 0.1;
    int draws = 8;
    quint64 seed = 1;
    bool residual = false;
};

/// Image evaluations done so far (images x draws) of the set being scored.
struct EnergyProgress {
    qint64 done = 0;
    qint64 total = 0;
};

struct EnergySetResult {
    bool ok = false;
    bool cancelled = false;
    QString error;              // why it could not be scored (one line)
    QString conversion;         // what was done to fit the model, e.g. "24x24 resized to 16x16"
    QStringList skipped;        // unreadable files of a folder ("name: reason")
    QVector<qint64> rows;       // each image's position in its file or split
    QVector<QString> files;     // each image's file, when the set is a folder of pictures
    QVector<double> energy;
    QVector<double> spread;
    QVector<double> residual;   // empty unless asked for
    QVector<QImage> images;     // as the model gets them (after the transforms)
    double seconds = 0.0;
};

/// Scores one set. Result: EnergySetResult. Cancels between two batches or draws.
class EnergyJob : public Job {
public:
    EnergyJob(EnergySetSource source, EnergyMeasureSettings settings)
        : source_(std::move(source)), settings_(settings) {}
    QString kind() const override { return kEnergyJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    EnergySetSource source_;
    EnergyMeasureSettings settings_;
};

/// AUROC of the energy telling `outlier` images from `inlier` ones, with its ROC curve (and the
/// residual's AUROC when both sets have residuals), as ebm::auroc and ebm::rocCurve compute them.
struct EnergyComparison {
    bool ok = false;
    QString error;
    double auroc = 0.0;
    double residualAuroc = -1.0;     // < 0: not measured for both sets
    QVector<double> falsePositiveRate;
    QVector<double> truePositiveRate;
};

/// Compares two sets' scores. Result: EnergyComparison.
class EnergyComparisonJob : public Job {
public:
    EnergyComparisonJob(QVector<double> inlier, QVector<double> outlier, QVector<double> inlierResidual,
                        QVector<double> outlierResidual)
        : inlier_(std::move(inlier)), outlier_(std::move(outlier)), inlierResidual_(std::move(inlierResidual)),
          outlierResidual_(std::move(outlierResidual)) {}
    QString kind() const override { return QStringLiteral("energy-comparison"); }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QVector<double> inlier_, outlier_, inlierResidual_, outlierResidual_;
};

/// One image as the energy sees it: with N(0, std^2) noise, and after the single denoising step
/// x - sigma0^2 dE/dx (eq. 9) from there.
struct EnergyImageViews {
    QString error;
    QImage noisy;
    QImage denoised;
};

/// Computes EnergyImageViews for an image (8-bit, the model's size). Result: EnergyImageViews.
class EnergyImageViewsJob : public Job {
public:
    EnergyImageViewsJob(QImage image, double noiseStd, quint64 seed) : image_(std::move(image)), noiseStd_(noiseStd), seed_(seed) {}
    QString kind() const override { return QStringLiteral("energy-views"); }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QImage image_;
    double noiseStd_;
    quint64 seed_;
};

/// Registers the values above for queued connections (the page calls it once).
void registerEnergyTypes();

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::EnergyProgress)
Q_DECLARE_METATYPE(ebm::studio::EnergySetResult)
Q_DECLARE_METATYPE(ebm::studio::EnergyComparison)
Q_DECLARE_METATYPE(ebm::studio::EnergyImageViews)
