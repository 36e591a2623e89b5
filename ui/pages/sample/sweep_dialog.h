#pragma once
// The Sample page's Sweep dialog (issue 27): one or two settings (step size, steps, temperature
// scale, seed, sampler, precision, model files), each a list of values, sampled as a grid of runs
// of the page's model and settings, every cell from the same seed. Before it starts the dialog
// shows how long the sweep should take (a few steps timed on the worker); while it runs, its
// progress and the time left, with Stop, and the labelled grid as it fills: each cell drawn as
// soon as it ends, the others as grey boxes. Then the labelled picture as core composes it, which
// Export PNG writes with the settings, the axes and the cells it lacks (after a Stop) inside.
#include <QDialog>
#include <QHash>
#include <QImage>
#include <QPointer>
#include <QRect>
#include <QStringList>
#include <QVector>

#include <string>

#include "worker/studio_types.h"
#include "annealing/sampling_types.h"
#include "pages/sample/sweep_job.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QSettings;
class QSpinBox;
class QTimer;

namespace ebm::studio {

class JobHandle;
class RunControls;
class StudioEngine;

/// The "command" of the pictures the dialog exports.
inline const QString kStudioSweepCommand = QStringLiteral("studio sweep");
/// Samples a cell may have in the dialog: as many as a run of the Sample page draws.
inline constexpr int kMaxSweepSamplesPerCell = 256;

class SweepDialog : public QDialog {
    Q_OBJECT
public:
    explicit SweepDialog(StudioEngine* engine, QWidget* parent = nullptr);

    /// The settings every cell shares: the Sample page's, its edited curve filled in.
    void setBaseSettings(const SamplingSettings& settings);
    const SamplingSettings& baseSettings() const { return base_; }
    /// Where the export dialog remembers its folder (may be null).
    void setStore(QSettings* store) { store_ = store; }

    /// Axis 0 the columns, 1 the rows; the rows' setting starts with "none" (one axis).
    QComboBox* axisSetting(int axis) const;
    QLineEdit* axisValues(int axis) const;
    QSpinBox* samplesPerCell() const { return samples_; }
    RunControls* runControls() const { return runControls_; }
    QPushButton* exportButton() const { return export_; }
    QProgressBar* progressBar() const { return progress_; }
    QLabel* estimateLabel() const { return estimate_; }
    QLabel* statusLabel() const { return status_; }

    /// The sweep the fields describe, and why it cannot run as typed (empty when it can).
    SweepRequest request() const;
    QString requestProblem() const;
    bool isRunning() const;

    /// The last sweep: its picture (null before one ran), and the texts of its labels as drawn.
    const SweepOutcome& lastOutcome() const { return outcome_; }
    QImage resultImage() const { return outcome_.grid; }
    QStringList columnLabels() const { return outcome_.columnLabels; }
    QStringList rowLabels() const { return outcome_.rowLabels; }
    /// The cells of the running (or last) sweep that have ended so far, in the order they ended.
    const QVector<SweepCellInfo>& endedCells() const { return endedCells_; }
    /// What the dialog shows: the grid as it fills while a sweep runs (and after one that failed),
    /// the labelled picture once it has ended; null before the first sweep.
    QImage shownPicture() const { return shown_; }
    /// Where the samples of cell `index` (row-major) are in the grid as it fills; empty while
    /// the cell has none there.
    QRect fillingCellRect(int index) const { return cellRects_.value(index); }
    /// The last estimate (failed with a message when there is none).
    const SweepEstimateOutcome& lastEstimate() const { return estimateOutcome_; }

    /// Writes the last picture as a PNG that keeps the sweep's settings; false with `error`.
    bool exportPng(const QString& path, QString& error) const;

public Q_SLOTS:
    void startSweep();
    void stopSweep();
    /// Times the sweep the fields describe on the worker, now (the fields ask for it a moment
    /// after each edit).
    void updateEstimate();

Q_SIGNALS:
    void estimateReady(const ebm::studio::SweepEstimateOutcome& estimate);
    void sweepFinished(const ebm::studio::SweepOutcome& outcome);
    /// A cell that ended is drawn in the grid as it fills (each cell once, before sweepFinished).
    void cellShown(const ebm::studio::SweepCellInfo& cell);

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildAxisRow(int axis);
    void fieldsChanged();
    void onEstimate(const QVariant& result);
    void onProgress(const QVariant& value);
    void onFinished(const QVariant& result);
    void showResult();
    /// Composes the grid as it fills from grid_ and endedCells_ and shows it.
    void drawFillingGrid();
    void showPicture(const QImage& picture);
    void updateControls();
    void updateBaseSummary();
    /// What an exported picture keeps: the shared settings, the samples a cell and the axes.
    std::string exportSettings() const;

    StudioEngine* engine_;
    QSettings* store_ = nullptr;
    SamplingSettings base_;
    QComboBox* settings_[2];
    QLineEdit* values_[2];
    QSpinBox* samples_;
    QLabel* baseSummary_;
    QLabel* estimate_;
    RunControls* runControls_;
    QPushButton* export_;
    QProgressBar* progress_;
    QLabel* status_;
    QScrollArea* pictureArea_;
    QLabel* picture_;
    QTimer* estimateDelay_;

    QPointer<JobHandle> run_;
    QPointer<JobHandle> estimateRun_;
    SweepOutcome outcome_;
    SweepEstimateOutcome estimateOutcome_;
    ModelInfo runModel_;  // the model the last sweep sampled, for its picture's settings
    SweepGridInfo grid_;  // the running (or last) sweep's grid, as its job reported it
    QVector<SweepCellInfo> endedCells_;
    int runningCell_ = -1;      // the cell being sampled, -1 when none
    QString lastCellText_;      // the mean final energy of the cell that ended last, for the status
    QHash<int, QRect> cellRects_;  // by cell index: where drawFillingGrid put its samples
    QImage shown_;
};

}  // namespace ebm::studio
