#pragma once
#include <QPointer>
#include "worker/evaluation_types.h"
#include "worker/studio_types.h"
#include "widgets/studio_page.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;

namespace ebm::studio {

class ClassHistogramChart;
template <class S>
class SettingsForm;

class RunControls;
class JobHandle;
class StudioEngine;
class UndoFieldBinder;

/// The evaluate page: sample quality (FID-like and inception-like figures in the bundled
/// classifier's feature space, next to the floor that real images reach), the class
/// histogram, nearest training neighbours (paper, appendix C) and AIS log-likelihood, run on
/// the worker with stage progress, ETA and Stop. Reports can be saved as JSON.
class EvaluateView : public StudioPage {
    Q_OBJECT
public:
    EvaluateView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent = nullptr);

    // StudioPage
    void start() override { startEvaluation(); }
    bool canStart() const override;

    EvaluationSettings settings() const;
    /// Shows `settings` in the fields without making an undo step (startup, reset).
    void setSettings(const EvaluationSettings& settings);
    /// The most recent finished evaluation (completed == false before the first).
    const EvaluationOutcome& lastOutcome() const { return outcome_; }

    QPushButton* evaluateButton() const;
    QPushButton* stopButton() const;
    RunControls* runControls() const { return runControls_; }
    /// Says how many samples and real images the class bars count.
    QLabel* classCountNote() const { return classCountNote_; }
    QProgressBar* progress() const { return progress_; }
    QLabel* statusLabel() const { return status_; }
    QTableWidget* figures() const { return figures_; }
    ClassHistogramChart* classChart() const { return classChart_; }
    QLabel* neighbourImage() const { return neighbourImage_; }

public Q_SLOTS:
    void startEvaluation();
    void stop() override;
    /// Writes the last report as JSON (the `ebm eval --json` format).
    void saveReport(const QString& path);

private:
    /// "Images from a file or folder" is chosen as the source of the samples.
    bool samplesFromFile() const;
    void onProgress(const EvaluationProgressInfo& progress);
    void onFinished(const EvaluationOutcome& outcome);
    void showFigures(const EvaluationOutcome& outcome);
    void showClasses(const EvaluationOutcome& outcome);
    void updateControls();

    StudioEngine* engine_;
    EvaluationOutcome outcome_;

    SettingsForm<EvaluationSettings>* form_;

    RunControls* runControls_;
    QLabel* classCountNote_;
    QPushButton* saveReport_;
    QProgressBar* progress_;
    QLabel* status_;

    QTableWidget* figures_;
    ClassHistogramChart* classChart_;
    QTabWidget* pictures_;
    QLabel* samplesImage_;
    QLabel* neighbourImage_;
    QPlainTextEdit* reportText_;
};

}  // namespace ebm::studio
