#pragma once
// The Landscape page's work on the worker thread: the energy along a path between two images
// (the straight line, and the line relaxed by a nudged elastic band: ebm/sample/energy_path.h),
// the energy and projected score on a plane through three images or a set's principal
// components (ebm/sample/energy_plane.h) with Langevin chains projected onto it, and the
// thumbnails of the chosen images. An image is a data set item, a picture file, or a picture
// another page has selected (the Sample page's sample, the Energy table's row), copied into the
// request when it is made. Requests and results are plain values: the page never sees a tensor,
// and moc reads this header (no torch here).
#include <QImage>
#include <QMetaType>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

#include "jobs/job.h"

namespace ebm::studio {

inline const QString kLandscapePathJobKind = QStringLiteral("landscape-path");
inline const QString kLandscapePlaneJobKind = QStringLiteral("landscape-plane");

/// The engine's ranges and defaults for paths and planes (core's constants, read in the jobs'
/// .cpp so that each lives once and the GUI thread needs no torch header).
struct LandscapeLimits {
    int minPathPoints = 0;
    int maxPathPoints = 0;
    int defaultPathPoints = 0;
    int defaultNebIterations = 0;
    int maxNebIterations = 0;
    int minResolution = 0;
    int maxResolution = 0;
    int defaultResolution = 0;
    int chainRecordEvery = 0;   // a chain's states drawn every this many steps
};
const LandscapeLimits& landscapeLimits();

/// One chosen image: item `index` of the page's data set, a picture file, or the image another
/// page shows selected.
struct LandscapeItem {
    enum class Source { DataSet, File, SelectedSample, TableRow };
    Source source = Source::DataSet;
    int index = 0;
    QString file;
    /// SelectedSample, TableRow: the image taken from the page that selected it when the
    /// request was made (null: none selected then). The run keeps this copy, whatever is
    /// selected later; it is never stored (sessions keep the source only).
    QImage picked;
    /// Whether the image comes from another page's selection.
    bool isPicked() const { return source == Source::SelectedSample || source == Source::TableRow; }
};
/// "fashion-mnist #12", the file's name or the page it was picked on: how the page names an item.
QString describeItem(const LandscapeItem& item, const QString& dataSet);
/// Where to pick the image of a picked source that has none ("select a sample on the Sample
/// page first"): the refusal of Start and the thumbnail's error.
QString missingPickText(LandscapeItem::Source source);

/// What the Path view asks for.
struct LandscapePathSettings {
    QString dataSet = QStringLiteral("fashion-mnist");
    LandscapeItem from{LandscapeItem::Source::DataSet, 0, {}, {}};
    LandscapeItem to{LandscapeItem::Source::DataSet, 1, {}, {}};
    bool relax = true;  // false: the straight line only; true: the line and the band it relaxes to
    int points = landscapeLimits().defaultPathPoints;
    int iterations = landscapeLimits().defaultNebIterations;
};

/// Energies along a path of K points from `from` (0) to `to` (K-1), as ebm::EnergyPath holds them.
struct LandscapeProfile {
    QVector<double> energies;
    QVector<double> arcLength;   // raw, cumulative from the first point
    int saddleIndex = 0;
    double barrier = 0.0;
    QVector<QImage> images;      // the K points as pictures (empty in progress reports)
    bool isEmpty() const { return energies.isEmpty(); }
    /// Arc length as a fraction of the path's length (0 .. 1): where the chart puts each point.
    QVector<double> fractions() const;
};

/// While the band relaxes (progress value): the band as it is.
struct LandscapePathFrame {
    bool isLine = false;        // the straight line, measured before the band starts
    int iteration = 0;
    int iterations = 0;         // the most the band may take
    double force = 0.0;         // the largest force on an interior point
    LandscapeProfile profile;
};

struct LandscapePathResult {
    bool ok = false;
    bool stopped = false;
    QString error;
    QString conversion;          // how the images were made to fit the model
    LandscapeProfile line;
    LandscapeProfile relaxed;    // empty unless asked for
    int iterationsRun = 0;
    bool converged = false;
    double finalForce = 0.0;
    /// The points as one strip (rows: the line, then the relaxed band when there is one),
    /// ebm::makeGrid's layout with kStripPadding pixels around each image.
    QImage strip;
    int stripColumns = 0;
    int stripRows = 0;
};
constexpr int kStripPadding = 2;

/// The line (and the relaxed band) between two images. Result: LandscapePathResult; progress:
/// LandscapePathFrame, at most ten a second (every step while paused). Pauses, takes single
/// steps and stops between two steps of the band (JobControl::awaitNextStep).
class LandscapePathJob : public Job {
public:
    explicit LandscapePathJob(LandscapePathSettings settings) : settings_(std::move(settings)) {}
    QString kind() const override { return kLandscapePathJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    LandscapePathSettings settings_;
};

/// What the Plane view asks for.
struct LandscapePlaneSettings {
    QString dataSet = QStringLiteral("fashion-mnist");
    bool principalComponents = false;  // false: the plane through first, second, third
    LandscapeItem first{LandscapeItem::Source::DataSet, 0, {}, {}};
    LandscapeItem second{LandscapeItem::Source::DataSet, 1, {}, {}};
    LandscapeItem third{LandscapeItem::Source::DataSet, 2, {}, {}};
    int componentImages = 100;         // principal components of the data set's first N images
    int resolution = landscapeLimits().defaultResolution;
    int chains = 0;                    // Langevin chains from noise projected onto the plane
};

/// While the plane is computed (progress value).
struct LandscapePlaneProgress {
    enum class Phase { Chains, Map };
    Phase phase = Phase::Map;
    int done = 0;     // chain steps, or map rows
    int total = 0;
};

struct LandscapePlaneResult {
    bool ok = false;
    bool stopped = false;
    QString error;
    QString conversion;
    // The map (ebm::PlaneMap): row-major, index row * resolution + column holds the point
    // (uMin + (uMax - uMin) column / (resolution - 1), vMin + (vMax - vMin) row / (resolution - 1)).
    int resolution = 0;
    double uMin = 0.0, uMax = 0.0, vMin = 0.0, vMax = 0.0;
    QVector<double> energies;
    QVector<double> gradU;      // the score -dE/dx projected on u and v
    QVector<double> gradV;
    QVector<double> scoreNorm;  // ||dE/dx|| over all values
    double gradNormMax = 0.0;
    double energyMin = 0.0, energyMax = 0.0;
    int rowsDone = 0;
    // The images that made the plane, where they fall on it and how far off it they are.
    QVector<QPointF> points;
    QStringList pointLabels;    // "A", "B", "C"; empty labels for a set's points
    QVector<double> pointDistances;
    double capturedVariance = 1.0;
    // Langevin chains, one polyline each (recorded every few steps), with their distances from the plane.
    QVector<QVector<QPointF>> trajectories;
    QVector<double> finalDistances;   // each chain's last state
    double meanDistance = 0.0;        // over every recorded state
    int chainSteps = 0;
};

/// The plane map with its points and chains. Result: LandscapePlaneResult; progress:
/// LandscapePlaneProgress. Stops between two batches of the map or two steps of the chains;
/// a stopped map keeps the rows measured.
class LandscapePlaneJob : public Job {
public:
    explicit LandscapePlaneJob(LandscapePlaneSettings settings) : settings_(std::move(settings)) {}
    QString kind() const override { return kLandscapePlaneJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    LandscapePlaneSettings settings_;
};

/// The chosen images as the model reads them, for thumbnails: one entry per item, a null image
/// with its error where it cannot be read.
struct LandscapeImages {
    QVector<QImage> images;
    QStringList errors;
};

/// Loads the items. Result: LandscapeImages. `kind` lets each view replace its own requests.
class LandscapeImagesJob : public Job {
public:
    LandscapeImagesJob(QString kind, QString dataSet, QVector<LandscapeItem> items)
        : kind_(std::move(kind)), dataSet_(std::move(dataSet)), items_(std::move(items)) {}
    QString kind() const override { return kind_; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString kind_;
    QString dataSet_;
    QVector<LandscapeItem> items_;
};

/// Registers the values above for queued connections (the page calls it once).
void registerLandscapeTypes();

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::LandscapePathFrame)
Q_DECLARE_METATYPE(ebm::studio::LandscapePathResult)
Q_DECLARE_METATYPE(ebm::studio::LandscapePlaneProgress)
Q_DECLARE_METATYPE(ebm::studio::LandscapePlaneResult)
Q_DECLARE_METATYPE(ebm::studio::LandscapeImages)
