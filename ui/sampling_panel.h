#pragma once
#include <QWidget>

#include "studio_types.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace ebm::studio {

class UndoFieldBinder;

/// The sampling settings form and the run buttons (Sample, Pause/Resume, Step, Stop).
class SamplingPanel : public QWidget {
    Q_OBJECT
public:
    SamplingPanel(UndoFieldBinder* undo, QWidget* parent = nullptr);

    SamplingSettings settings() const;
    /// Shows the given settings without creating undo steps.
    void setSettings(const SamplingSettings& settings);
    void setModelText(const QString& text, const QString& tooltip);
    /// Enables the buttons for the current job state.
    void setRunState(bool canStart, bool running, bool paused);

    QPushButton* sampleButton() const { return sample_; }
    QPushButton* pauseButton() const { return pause_; }
    QPushButton* stepButton() const { return step_; }
    QPushButton* stopButton() const { return stop_; }

Q_SIGNALS:
    void sampleRequested();
    void pauseToggled();
    void stepRequested();
    void stopRequested();
    void settingsChanged();

private:
    void chooseStartImages();
    void updateEnabled();

    UndoFieldBinder* undo_;
    QLabel* model_;
    QComboBox* preset_;
    QSpinBox* steps_;
    QDoubleSpinBox* stepSize_;
    QSpinBox* numSamples_;
    QSpinBox* seed_;
    QToolButton* newSeed_;
    QComboBox* start_;
    QLineEdit* startImages_;
    QToolButton* browseStart_;
    QCheckBox* denoiseJump_;
    QSpinBox* recordEvery_;
    QPushButton* sample_;
    QPushButton* pause_;
    QPushButton* step_;
    QPushButton* stop_;
};

}  // namespace ebm::studio
