#pragma once
// The Learn page's "One sigma vs many" tab: a model trained at one small sigma against an MDSM
// model trained on many, on the same points, with their landscapes, their samples and the
// numbers (modes covered, mode weights, MMD against the data).
#include <QPointer>
#include <QVector>
#include <QWidget>

#include "pages/learn/learn_jobs.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace ebm::studio {

class JobHandle;
class LandscapePlot;
class SettingsFormWidget;
class StudioEngine;

class ComparisonTab : public QWidget {
    Q_OBJECT
public:
    ComparisonTab(StudioEngine* engine, QWidget* parent = nullptr);

    /// Trains and samples both models on `points`: `settings` as the side panel has them; the
    /// comparison's own rules (schedule annealing, enough particles) are applied here. False
    /// when the worker refused.
    bool start(const QVector<QPointF>& points, LearnCompareSettings settings);
    bool isRunning() const;
    void stop();
    /// The button waits for a comparison to end.
    void updateControls();
    void setArrowsVisible(bool visible);

    const LearnCompareResult& result() const { return result_; }
    /// The forms of its settings in the bar (steps, single sigma): the page reads and writes them.
    QVector<SettingsFormWidget*> settingsForms() const { return forms_; }
    LandscapePlot* singlePlot() const { return singlePlot_; }
    LandscapePlot* multiscalePlot() const { return multiscalePlot_; }
    QLabel* numbers() const { return numbers_; }

Q_SIGNALS:
    void startRequested();
    void problem(const QString& message);
    void runStateChanged();

private:
    void onProgress(const QVariant& value);
    void onFinished(const QVariant& value);
    void showNumbers();

    StudioEngine* engine_;
    QVector<SettingsFormWidget*> forms_;
    QPushButton* compare_;
    QProgressBar* progress_;
    LandscapePlot* singlePlot_;
    LandscapePlot* multiscalePlot_;
    QLabel* numbers_;
    LearnCompareResult result_;
    QPointer<JobHandle> comparing_;
};

}  // namespace ebm::studio
