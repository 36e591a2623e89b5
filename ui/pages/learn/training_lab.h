#pragma once
// The Learn page's first tab, "Landscape and sampling": an MLP energy trained live with MDSM on
// the page's points, its landscape E(x) as a heat map with the score arrows and the loss curve;
// the particles (ParticlesDemo) anneal over the same plane. The run buttons sit in the page's
// side panel; the page owns the points and the model and starts the runs.
#include <QPointer>
#include <QVector>
#include <QWidget>

#include <memory>

#include "pages/learn/learn_jobs.h"

class QLabel;

namespace ebm::studio {

class JobHandle;
class LandscapePlot;
class ParticlesDemo;
class PlotPanel;
class RunControls;
class StudioEngine;

class TrainingLab : public QWidget {
    Q_OBJECT
public:
    TrainingLab(StudioEngine* engine, QWidget* parent = nullptr);

    /// Trains on `points` from `from` (empty: fresh weights, a new loss curve); false when the
    /// worker refused.
    bool start(const QVector<QPointF>& points, const LearnTrainSettings& settings, const LearnModel& from);
    /// Draws the landscape of a restored model (a run of no steps).
    void drawLandscape(const QVector<QPointF>& points, LearnTrainSettings settings, const LearnModel& model);
    bool isTraining() const;
    bool isPaused() const;
    void togglePause();
    void step();
    void stop();
    /// Start needs `canStart` (data points) and no run.
    void updateControls(bool canStart);
    /// The learning rate and noise range of `settings` reach the run in progress before its next
    /// step (nothing happens without a run).
    void changeWhileTraining(const LearnTrainSettings& settings);
    /// The learning rate and noise range the run in progress reported last (zeros before).
    const LearnLiveTraining& reportedLive() const { return reportedLive_; }

    const LearnLandscape& landscape() const { return landscape_; }
    int landscapeUpdates() const { return landscapeUpdates_; }
    const QVector<float>& losses() const { return losses_; }

    /// The caption under the loss curve ("Trained after N steps; final loss L.").
    QLabel* statusLabel() const { return status_; }
    LandscapePlot* plane() const { return plane_; }
    PlotPanel* lossPlot() const { return lossPlot_; }
    ParticlesDemo* particles() const { return particles_; }
    RunControls* controls() const { return controls_; }

Q_SIGNALS:
    void startRequested();
    /// A run ended with weights (also after a stop); sent before landscapeUpdated.
    void modelTrained(const LearnModel& model);
    /// A new landscape is on screen.
    void landscapeUpdated();
    void problem(const QString& message);
    void statusMessage(const QString& text);
    void runStateChanged();

private:
    QWidget* buildLossColumn();
    void onReport(const QVariant& value);
    void onFinished(const QVariant& value);
    void showLandscape(const LearnLandscape& landscape);
    void showLoss();
    QString trainedCaption(const LearnModel& model, bool cancelled) const;

    StudioEngine* engine_;
    LandscapePlot* plane_;
    ParticlesDemo* particles_;
    PlotPanel* lossPlot_;
    QLabel* status_;
    RunControls* controls_;
    LearnLandscape landscape_;
    int landscapeUpdates_ = 0;
    QVector<float> losses_;
    QPointer<JobHandle> training_;
    std::shared_ptr<LearnTrainControls> live_;   // the run's live settings, shared with its job
    LearnLiveTraining reportedLive_{0.0, 0.0, 0.0};
    LearnModel from_;             // the weights the run started from (their steps and loss)
    bool drawingOnly_ = false;    // the run draws a restored model's landscape: no training
};

}  // namespace ebm::studio
