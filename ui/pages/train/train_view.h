#pragma once
#include <QPointer>
#include "worker/studio_types.h"
#include "widgets/studio_page.h"
#include "pages/train/training_types.h"
#include "pages/train/training_runs.h"

class QAction;
class QCheckBox;
class QSettings;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace ebm::studio {

template <class S>
class SettingsForm;

class LossChart;
class RunControls;
class SampleGridWidget;
class ScientificSpinBox;
class JobHandle;
class StudioEngine;
class UndoFieldBinder;

/// The train page: data set, architecture and optimiser settings; live loss, learning rate,
/// speed and ETA; previews every N steps in a scrollable history; pause, step, save now,
/// resume from a checkpoint, and sampling from the current weights. The last few runs of the
/// session are kept and overlaid on the loss chart, each toggled in the Runs list, and kept in
/// a saved session.
class TrainView : public StudioPage {
    Q_OBJECT
public:
    TrainView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent = nullptr);

    // StudioPage
    void start() override { startTraining(); }
    bool canStart() const override;
    /// File: "Export Loss as CSV…".
    QList<QAction*> menuActions(Menu menu) const override;

    /// Rough duration of a run with these settings on this machine, in seconds: the speed
    /// measured on the first steps of the last run of the same shape (kept between runs of the
    /// studio) when there is one, otherwise a model of the cost per step.
    double estimatedSeconds(const TrainingSettings& settings) const;
    /// Whether estimatedSeconds(settings) comes from a measured speed.
    bool hasMeasuredSpeed(const TrainingSettings& settings) const;
    double measuredSecondsPerStep() const { return measuredSecondsPerStep_; }
    /// Writes the loss of the runs shown on the chart as CSV (LossChart::toCsv: a "run" column
    /// first) through the safe writer; false with `error` set when there is nothing to write or
    /// the file cannot be written.
    bool exportLossCsv(const QString& path, QString& error) const;
    QAction* exportLossCsvAction() const { return exportLossCsv_; }
    QLabel* estimateLabel() const { return estimate_; }
    RunControls* runControls() const { return runControls_; }

    TrainingSettings settings() const;
    void setSettings(const TrainingSettings& settings);

    LossChart* chart() const { return chart_; }
    /// The kept runs, the current one last.
    const TrainingRuns& runs() const { return runs_; }
    /// One checkable item per kept run (its colour, name and final loss), oldest first; the
    /// item's Qt::UserRole is the run's number.
    QListWidget* runsList() const { return runsList_; }
    QPushButton* clearOldRunsButton() const { return clearOldRuns_; }
    QListWidget* previews() const { return previews_; }
    QProgressBar* progress() const { return progress_; }
    QLabel* statusLabel() const { return status_; }
    QLabel* statsLabel() const { return stats_; }
    QLabel* runInfoLabel() const { return runInfo_; }
    QPushButton* startButton() const;
    QPushButton* pauseButton() const;
    QPushButton* stepButton() const;
    QPushButton* stopButton() const;
    qint64 lastStep() const { return lastStep_; }

public Q_SLOTS:
    void startTraining();
    void resumeFrom(const QString& checkpointPath);
    void chooseCheckpointToResume();
    void togglePause() override;
    void stepOnce() override;
    void stop() override;
    /// Writes the current weights (with optimizer state) between two steps; asks for a file
    /// when no checkpoint path is set.
    void saveNow();

private:
    /// Progress, loss chart and previews: the constructor's right column.
    QWidget* buildProgressColumn();
    /// Starts a run (a new one when `checkpointPath` is empty) and follows its handle.
    bool startRun(const QString& checkpointPath, const TrainingSettings& settings);
    void onRunProgress(const QVariant& value);
    void onStarted(const TrainingRunInfo& info);
    void onProgress(const TrainProgressBatch& batch);
    void onPreview(const TrainingPreview& preview);
    void onFinished(const TrainingOutcome& outcome);
    void updateControls();
    void updateEstimate();
    /// Takes the run's speed once its first steps are done (and keeps following it).
    void calibrate();
    void askExportLossCsv();
    // What is kept between runs of the studio beside the form: the chart's view and the speed.
    void saveView(QSettings& store) const;
    void restoreView(QSettings& store);
    /// Status line, progress bar and figures from lastStep_: the one step count shown.
    void showStep();
    /// The Runs box beside the chart: the list and "Clear old runs".
    QWidget* buildRunsBox();
    /// The chart draws the kept runs as they are now (after a start, an end, a toggle, a clear).
    void showRunsOnChart();
    /// The Runs list from runs_; `refreshLatestOnly` updates the current run's item alone.
    void refreshRunsList(bool refreshLatestOnly = false);
    void onRunToggled(QListWidgetItem* item);
    void clearOldRuns();
    /// A session's runs replace the ended ones (a session without runs leaves them).
    void restoreRuns(const QJsonObject& part);
    void updateExportAction();

    StudioEngine* engine_;
    SettingsForm<TrainingSettings>* form_;

    RunControls* runControls_;
    QPushButton* resume_;
    QPushButton* save_;
    QPushButton* sampleNow_;

    QLabel* runInfo_;
    QLabel* stats_;
    QLabel* status_;
    QLabel* estimate_;
    QProgressBar* progress_;
    LossChart* chart_;
    TrainingRuns runs_;
    QListWidget* runsList_;
    QPushButton* clearOldRuns_;
    QListWidget* previews_;
    SampleGridWidget* previewLarge_;

    /// The running run is data-parallel in processes of its own (no pause, step, save now or
    /// sampling from its weights: they live in those processes).
    bool runsInOtherProcesses() const;

    qint64 lastStep_ = 0;
    int runProcesses_ = 1;                 // of the run started last
    int runBatch_ = 0;                     // its batch, for the images/s figure
    bool paused_ = false;
    double measuredSecondsPerStep_ = 0.0;  // of the last run, for the estimate
    QString measuredFor_;                  // the shape it was measured on
    QString runShape_;                     // of the run going on; empty: not measured (a resume)
    qint64 runStartStep_ = 0;
    double runLearningRate_ = 0.0;         // asked of the run started last; 0 for a resume
    bool calibratedThisRun_ = false;
    QAction* exportLossCsv_ = nullptr;
    QSettings* store_ = nullptr;           // where the view was restored from: the dialog's folder
    qint64 totalSteps_ = 0;
    double lastLoss_ = 0.0, lastSmoothed_ = 0.0, lastRate_ = 0.0, stepsPerSecond_ = 0.0, eta_ = 0.0;
};

}  // namespace ebm::studio
