#pragma once
// The Learn page's "Langevin vs MALA" tab: the trained model sampled twice from the same start at
// one large step size, with plain Langevin and with MALA, side by side with their particles and
// the numbers (acceptance, mode weights and their total variation from the data's, MMD). At a
// large step Langevin's particles settle into the wrong mode weights; MALA's refused moves keep
// the right ones.
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

class SamplerComparisonTab : public QWidget {
    Q_OBJECT
public:
    SamplerComparisonTab(StudioEngine* engine, QWidget* parent = nullptr);

    /// Samples `model` with both samplers: `settings` as the page has them (the step size is the
    /// tab's); the comparison's own rules (schedule annealing, enough particles) are applied
    /// here. False when the worker refused.
    bool start(const LearnModel& model, const QVector<QPointF>& points, LearnSamplerCompareSettings settings);
    bool isRunning() const;
    void stop();
    /// The button needs a model (`canStart`) and waits for a comparison to end.
    void updateControls(bool canStart);
    void setArrowsVisible(bool visible);

    const LearnSamplerCompareResult& result() const { return result_; }
    /// The forms of its settings in the bar (the step size): the page reads and writes them.
    QVector<SettingsFormWidget*> settingsForms() const { return forms_; }
    LandscapePlot* langevinPlot() const { return langevinPlot_; }
    LandscapePlot* malaPlot() const { return malaPlot_; }
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
    LandscapePlot* langevinPlot_;
    LandscapePlot* malaPlot_;
    QLabel* numbers_;
    LearnSamplerCompareResult result_;
    QPointer<JobHandle> comparing_;
};

}  // namespace ebm::studio
