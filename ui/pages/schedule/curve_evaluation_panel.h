#pragma once
// "Evaluate Curve": the evaluation protocol of docs/evaluation.md (FID-like distance,
// inception-like score, classes covered; seed 1) run on the curve being edited, with progress,
// ETA and Stop, and a table of every curve tried in this session, so that a person sees what an
// edit of the schedule is worth.
#include <QPointer>
#include <QWidget>

#include <functional>

#include "ebm/schedule/schedule_curve.h"
#include "worker/evaluation_types.h"

class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QSpinBox;
class QTableWidget;

namespace ebm::studio {

class JobHandle;
class RunControls;
class StudioEngine;
struct EvaluationOutcome;

class CurveEvaluationPanel : public QWidget {
    Q_OBJECT
public:
    /// `curve` is asked for the curve when a run starts; `curveName` for its name in the table.
    CurveEvaluationPanel(StudioEngine* engine, std::function<ebm::ScheduleCurve()> curve,
                         std::function<QString()> curveName, QWidget* parent = nullptr);

    bool isRunning() const;
    void stop();

    RunControls* runControls() const { return runControls_; }
    QSpinBox* samplesField() const { return samples_; }
    QDoubleSpinBox* stepSizeField() const { return stepSize_; }
    /// The step size the next evaluation uses (a loaded preset brings its own).
    void setStepSize(double stepSize);
    QTableWidget* results() const { return results_; }
    QLabel* status() const { return status_; }

public Q_SLOTS:
    void evaluate();
    /// Enables Evaluate when a model that draws images is loaded and nothing else runs.
    void updateControls();

Q_SIGNALS:
    void problem(const QString& message);
    void statusMessage(const QString& message);

private:
    void onProgress(const QVariant& value);
    void onFinished(const QVariant& result);
    void addResult(const QString& name, const EvaluationOutcome& outcome);

    StudioEngine* engine_;
    std::function<ebm::ScheduleCurve()> curve_;
    std::function<QString()> curveName_;
    RunControls* runControls_;
    QSpinBox* samples_;
    QDoubleSpinBox* stepSize_;
    QProgressBar* progress_;
    QLabel* status_;
    QTableWidget* results_;
    QPointer<JobHandle> run_;
    QString runName_;
    double runStepSize_ = 0.0;
};

}  // namespace ebm::studio
