#pragma once
#include <QWidget>

#include "studio_types.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace ebm::studio {

class LossChart;
class SampleGridWidget;
class ScientificSpinBox;
class StudioEngine;
class UndoFieldBinder;

/// The train page: data set, architecture and optimiser settings; live loss, learning rate,
/// speed and ETA; previews every N steps in a scrollable history; pause, step, save now,
/// resume from a checkpoint, and sampling from the current weights.
class TrainView : public QWidget {
    Q_OBJECT
public:
    TrainView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent = nullptr);

    TrainingSettings settings() const;
    void setSettings(const TrainingSettings& settings);

    LossChart* chart() const { return chart_; }
    QListWidget* previews() const { return previews_; }
    QProgressBar* progress() const { return progress_; }
    QLabel* statusLabel() const { return status_; }
    QPushButton* startButton() const { return start_; }
    QPushButton* pauseButton() const { return pause_; }
    QPushButton* stepButton() const { return step_; }
    QPushButton* stopButton() const { return stop_; }
    qint64 lastStep() const { return lastStep_; }

public Q_SLOTS:
    void startTraining();
    void resumeFrom(const QString& checkpointPath);
    void chooseCheckpointToResume();
    void togglePause();
    void stepOnce();
    void stop();
    /// Writes the current weights (with optimizer state) between two steps; asks for a file
    /// when no checkpoint path is set.
    void saveNow();

Q_SIGNALS:
    /// Switch to the sample page and sample from the current weights.
    void sampleFromWeightsRequested();
    void problem(const QString& message);
    void statusMessage(const QString& text);

private:
    void onStarted(const TrainingRunInfo& info);
    void onProgress(const TrainProgressBatch& batch);
    void onPreview(const TrainingPreview& preview);
    void onFinished(const TrainingOutcome& outcome);
    void applySettings(const TrainingSettings& settings);
    void updateControls();
    void updateDatasetFields();
    void updateModelFields();
    void browseInitialWeights();
    void browseDataset();
    void browseCheckpointPath();

    StudioEngine* engine_;
    UndoFieldBinder* undo_;
    QComboBox* datasetKind_;
    QLineEdit* datasetPath_;
    QToolButton* browseDataset_;
    QSpinBox* imageSize_;
    QComboBox* channels_;
    QComboBox* architecture_;
    QSpinBox* width_;
    QComboBox* head_;
    QLineEdit* initialWeights_;
    QToolButton* browseInitialWeights_;
    QDoubleSpinBox* sigmaMin_;
    QDoubleSpinBox* sigmaMax_;
    QComboBox* spread_;
    QDoubleSpinBox* sigma0_;
    ScientificSpinBox* learningRate_;
    QComboBox* lrSchedule_;
    ScientificSpinBox* finalLearningRate_;
    QSpinBox* batch_;
    QSpinBox* steps_;
    QSpinBox* seed_;
    QSpinBox* previewEvery_;
    QSpinBox* previewSamples_;
    QSpinBox* previewSteps_;
    QSpinBox* checkpointEvery_;
    QLineEdit* checkpointPath_;
    QToolButton* browseCheckpoint_;

    QPushButton* start_;
    QPushButton* resume_;
    QPushButton* pause_;
    QPushButton* step_;
    QPushButton* stop_;
    QPushButton* save_;
    QPushButton* sampleNow_;

    QLabel* runInfo_;
    QLabel* stats_;
    QLabel* status_;
    QProgressBar* progress_;
    LossChart* chart_;
    QListWidget* previews_;
    SampleGridWidget* previewLarge_;

    qint64 lastStep_ = 0;
    qint64 totalSteps_ = 0;
    double lastLoss_ = 0.0, lastSmoothed_ = 0.0, lastRate_ = 0.0, stepsPerSecond_ = 0.0, eta_ = 0.0;
};

}  // namespace ebm::studio
