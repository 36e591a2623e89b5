#pragma once
// The Sweep dialog's work on the worker (issue 27): a grid of sampling runs over one or two
// settings of the Sample page's model, every cell from the same seed, composed into one labelled
// picture (ebm/sample/sweep.h, ebm/io/labelled_grid.h). SweepEstimateJob times a few steps and
// says how long the sweep will take (result: SweepEstimateOutcome); SweepJob runs it (progress:
// one SweepGridInfo before the first cell, then SweepProgressInfo at most every 100 ms, carrying
// every cell that ended since the last; result: SweepOutcome). No torch: moc reads this header.
#include <QImage>
#include <QMetaType>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>

#include "ebm/base/defaults.h"
#include "jobs/job.h"
#include "worker/studio_types.h"
#include "annealing/sampling_types.h"

namespace ebm::studio {

/// The sweep's own kinds: neither replaces nor stops the Sample page's runs.
inline const QString kSweepJobKind = QStringLiteral("sweep");
inline const QString kSweepEstimateJobKind = QStringLiteral("sweep-estimate");

/// The settings an axis may vary, by core's names ("step-size", "steps", ...), in core's order.
QStringList sweepSettingNames();
/// Why `values` (comma-separated) are no values of `setting`, in one line; empty when they are.
QString sweepAxisProblem(const QString& setting, const QString& values);

/// One axis as the person typed it.
struct SweepAxisRequest {
    QString setting;  // a sweepSettingNames() entry
    QString values;   // "0.01, 0.02, 0.04"; model files separated by commas
};

/// What the dialog asks for: the Sample page's settings (its schedule, step size, seed...), the
/// axes (columns, then rows when there are two) and the samples a cell.
struct SweepRequest {
    SamplingSettings base;
    QVector<SweepAxisRequest> axes;
    int samplesPerCell = 8;
    int cellColumns = 0;  // each cell's grid; 0 near square
};

struct SweepEstimateOutcome {
    bool failed = false;
    QString message;     // why there is no estimate (a value that cannot run, no model)
    double seconds = 0.0;
    qint64 totalSteps = 0;
    int cells = 0;
};

/// Why a cell of the grid shows no samples: the words core's sweep picture writes in its box.
inline const QString kSweepCellDiverged = QString::fromLatin1(ebm::kSweepDivergedNote);
inline const QString kSweepCellStopped = QString::fromLatin1(ebm::kSweepStoppedNote);
inline const QString kSweepCellNotRun = QString::fromLatin1(ebm::kSweepNotRunNote);

/// The grid a sweep fills, reported once before its first cell: what the dialog draws the cells
/// into while they run.
struct SweepGridInfo {
    int columns = 0;
    int rows = 0;
    QString columnTitle, rowTitle;  // the axes' names (rowTitle empty with one axis)
    QStringList columnLabels;       // "step-size = 0.02", as core labels its picture
    QStringList rowLabels;
    QSize cellSize;                 // the largest cell picture the sweep will make
};

/// One cell that ended, as a plain value: its samples as one picture, or why it has none.
struct SweepCellInfo {
    int index = 0;  // row-major: row * columns + column
    int column = 0;
    int row = 0;
    QImage picture;  // the cell's samples in a grid, as the labelled picture has them; null with a note
    QString note;    // empty with a picture, else kSweepCellDiverged or kSweepCellStopped
    double meanFinalEnergy = std::numeric_limits<double>::quiet_NaN();  // NaN when it diverged or stopped
    double seconds = 0.0;
};

/// Where a running sweep is.
struct SweepProgressInfo {
    int cell = 0;          // 0-based
    int cells = 0;
    int step = 0;          // of this cell
    int steps = 0;
    qint64 stepsDone = 0;  // of every cell
    qint64 totalSteps = 0;
    double elapsedSeconds = 0.0;
    double secondsLeft = -1.0;  // negative: not known yet
    /// The cells that ended since the previous report, in order: none is left out, however
    /// quickly they end.
    QVector<SweepCellInfo> cellsEnded;
};

struct SweepOutcome {
    bool failed = false;
    bool stopped = false;
    QString message;
    QImage grid;                     // the labelled picture (RGB888); null when nothing ran
    int columns = 0;
    int rows = 0;
    QString columnTitle, rowTitle;   // the axes' names (rowTitle empty with one axis)
    QStringList columnLabels;        // "step-size = 0.02", as drawn
    QStringList rowLabels;
    bool labelsDrawn = true;         // false: no font, the picture has no text
    QVector<double> meanFinalEnergies;  // per cell run, row-major; NaN when it diverged or stopped
    /// Per cell of the grid, row-major: empty for a cell drawn with its samples, else why it has
    /// none (kSweepCellDiverged, kSweepCellStopped, kSweepCellNotRun). Empty when nothing ran.
    QStringList cellNotes;
    QVector<double> cellSeconds;
    double seconds = 0.0;
    /// The settings every cell shares as a run reports them, and the axes as JSON: what an
    /// exported picture keeps (annealing/picture_settings.h).
    SamplingRunInfo run;
    QString axesJson;
};

class SweepEstimateJob : public Job {
public:
    explicit SweepEstimateJob(SweepRequest request) : request_(std::move(request)) {}
    QString kind() const override { return kSweepEstimateJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    SweepRequest request_;
};

class SweepJob : public Job {
public:
    explicit SweepJob(SweepRequest request) : request_(std::move(request)) {}
    QString kind() const override { return kSweepJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    SweepRequest request_;
};

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::SweepEstimateOutcome)
Q_DECLARE_METATYPE(ebm::studio::SweepGridInfo)
Q_DECLARE_METATYPE(ebm::studio::SweepCellInfo)
Q_DECLARE_METATYPE(ebm::studio::SweepProgressInfo)
Q_DECLARE_METATYPE(ebm::studio::SweepOutcome)
