#pragma once
#include <QPointer>

#include <memory>
#include <optional>
#include <string>

#include "ebm/schedule/schedule_curve.h"
#include "worker/studio_types.h"
#include "widgets/studio_page.h"
#include "annealing/run_history.h"
#include "annealing/sampling_types.h"

class QLabel;
class QPushButton;
class QSettings;
class QSlider;
class QToolButton;

namespace ebm::studio {

class AnnealingHub;
class ChainDiagnosticsPanel;
class EnergyChart;
class JobHandle;
class SampleExports;
class RunControls;
class SampleGridWidget;
class SamplingPanel;
class SweepDialog;
class StudioEngine;
class UndoFieldBinder;

/// The sample page: settings and run buttons, the live grid, the selected sample with its own
/// trajectory, a timeline over the recorded history, and the temperature/energy chart.
class SampleView : public StudioPage {
    Q_OBJECT
public:
    SampleView(StudioEngine* engine, AnnealingHub* annealing, UndoFieldBinder* undo, QWidget* parent = nullptr);

    // StudioPage
    void start() override { startSampling(); }
    bool canStart() const override;
    QList<QAction*> menuActions(Menu menu) const override;
    /// Settings of a picture the page or `ebm sample` wrote: the sampling fields, and the curve
    /// when it is no preset's (through the hub, to the Schedule page), as one undo step.
    bool applyPictureSettings(const std::string& json, const QString& source, QUndoStack* undo,
                              QString* error) override;

    /// The page's exports (File menu): grid, samples, trajectory.
    SampleExports* exports() const { return exports_; }

    SamplingPanel* panel() const { return panel_; }
    /// The model this page samples: the loaded one, or the one a training run's weights
    /// replaced, until the person takes those weights with trainingWeightsButton().
    ModelInfo sampledModel() const;
    /// "Sample with the training weights", shown while the page keeps its model after training.
    QPushButton* trainingWeightsButton() const { return trainingWeightsButton_; }
    QLabel* trainingWeightsNote() const { return trainingWeightsNote_; }
    RunControls* runControls() const { return runControls_; }
    QLabel* runStatus() const { return runStatus_; }
    QLabel* momentLabel() const { return momentLabel_; }
    SampleGridWidget* grid() const { return grid_; }
    SampleGridWidget* selectedView() const { return selectedView_; }
    SampleGridWidget* trajectoryView() const { return trajectory_; }
    EnergyChart* chart() const { return chart_; }
    /// The last run's chain diagnostics (issue 25), under the chart.
    ChainDiagnosticsPanel* chainDiagnostics() const { return chainDiagnostics_; }
    QSlider* timeline() const { return timeline_; }
    const RunHistory& history() const { return history_; }
    /// Index of the moment shown (-1 when none).
    int shownIndex() const { return shownIndex_; }
    bool showsDenoised() const { return denoised_; }
    int selectedSample() const { return selectedSample_; }
    /// The selected sample (else the first) at the moment shown; null when there is none.
    QImage selectedSampleImage() const;

    // Exports of what is on screen; false with `error` set on failure.
    bool exportGrid(const QString& path, QString& error) const;
    bool exportTrajectorySheet(const QString& path, QString& error) const;
    bool exportTrajectoryFrames(const QString& folder, QString& error) const;
    bool canExport() const { return !history_.isEmpty(); }
    /// Enlargement of exported grids (each image pixel becomes scale x scale pixels, and so do
    /// the gaps); 0: automatic, the smallest that makes the grid at least 512 pixels wide.
    int gridExportScale() const { return gridExportScale_; }
    void setGridExportScale(int scale);
    /// The enlargement an export of `images` uses now.
    int effectiveGridExportScale(const QVector<QImage>& images) const;
    QPushButton* sweepButton() const { return sweepButton_; }

public Q_SLOTS:
    void startSampling();
    /// The Sweep dialog, on this page's settings (issue 27: a labelled grid over one or two settings).
    void openSweepDialog();
    void setDenoisedView(bool on);
    void selectSample(int index);
    /// Shows a recorded moment; -1 or the last index returns to following the live run.
    void showMoment(int index);
    void followLive();
    /// The Schedule page's curve, for the "Edited curve" preset. `edited`: the person changed
    /// it (not a session or a start-up restore), so the page switches to it. A run that follows
    /// the edited curve takes the new one from its next step on, paused or not.
    void setEditedSchedule(const ebm::ScheduleCurve& curve, bool edited);
    /// Samples the loaded model (a training run's weights) from the next run on.
    void sampleTrainingWeights();

Q_SIGNALS:
    void denoisedViewChanged(bool on);
    void exportAvailabilityChanged(bool available);
    void gridExportScaleChanged(int scale);

private:
    void onRunStarted(const SamplingRunInfo& info);
    void onFrames(const SampleFrameBatch& batch);
    void onRunFinished(const SamplingOutcome& outcome);
    void onScheduleChanged(const SamplingRunInfo& info);
    /// What the run reports: its start, frame batches and schedule changes.
    void onRunProgress(const QVariant& value);
    // Builders of the constructor, left to right.
    QWidget* buildSettingsColumn(UndoFieldBinder* undo);
    QWidget* buildCentre();
    QWidget* buildSelectedSample();
    QWidget* buildTrainingWeightsOffer();
    /// The engine's and the hub's signals this page follows.
    void connectRuns();
    /// The temperatures the settings describe (empty when they describe no schedule).
    QVector<double> plannedTemperatures() const;
    /// Draws the schedule of the next run: alone before any run, beside the last run's after it.
    void previewSchedule();
    void updateControls();
    /// "Paused at step N" and the like, from the recorded history: the one step count shown.
    void showPausedState(bool paused);
    void updateModelText();
    void updateSelectedPanel();
    QString momentText(int index) const;
    /// Beside the view toggle: which step's preview the denoised view shows, when not its own.
    QString denoisedNote(int index) const;
    /// What an export keeps of the run (issue 27): `index` >= 0 for one recorded moment, `sample`
    /// >= 0 when it shows that sample alone.
    std::string exportSettings(int index, int sample) const;

public:
    /// The settings of the whole run as its pictures keep them (a saved run keeps them too).
    std::string runSettings() const { return exportSettings(-1, -1); }

    StudioEngine* engine_;
    AnnealingHub* annealing_;
    SampleExports* exports_;
    /// Read by the run at every recorded frame, so the view can switch mid-run.
    int lastRunId_ = 0;
    SamplingPanel* panel_;
    RunControls* runControls_;
    SampleGridWidget* grid_;
    SampleGridWidget* selectedView_;
    SampleGridWidget* trajectory_;
    QLabel* selectedInfo_;
    QLabel* runStatus_;
    QWidget* trainingWeightsOffer_;
    QLabel* trainingWeightsNote_;
    QPushButton* trainingWeightsButton_;
    QLabel* momentLabel_;
    QLabel* denoisedNote_;
    QToolButton* showRaw_;
    QToolButton* showDenoised_;
    QToolButton* liveButton_;
    QSlider* timeline_;
    EnergyChart* chart_;
    ChainDiagnosticsPanel* chainDiagnostics_;

    std::optional<ebm::ScheduleCurve> editedSchedule_;
    QPushButton* sweepButton_ = nullptr;
    QPointer<SweepDialog> sweepDialog_;
    QSettings* store_ = nullptr;
    RunHistory history_;
    int expectedRunId_ = 0;
    int shownIndex_ = -1;
    bool live_ = true;
    bool denoised_ = false;
    int selectedSample_ = -1;
    int gridExportScale_ = 0;
    QVector<int> trajectoryIndices_;  // history index of each trajectory cell
};

}  // namespace ebm::studio
