#pragma once
// The Learn page's particles: annealed Langevin (or MALA) over the trained energy, drawn on the
// landscape tab's plane with short trails. The widget is the timeline under the plane (scrub back
// through the run; its end follows the run live, with MALA's acceptance); the run buttons sit in
// the page's side panel. The temperature slider, the speed and the Schedule page's edits reach a
// running run.
#include <QPointer>
#include <QVector>
#include <QWidget>

#include <memory>

#include "ebm/schedule/schedule_curve.h"
#include "pages/learn/learn_jobs.h"

class QLabel;
class QSlider;

namespace ebm::studio {

class JobHandle;
class LandscapePlot;
class RunControls;
class StudioEngine;

class ParticlesDemo : public QWidget {
    Q_OBJECT
public:
    ParticlesDemo(StudioEngine* engine, LandscapePlot* plane, QWidget* parent = nullptr);

    /// Anneals particles (and those dropped before) over `model`, starting with the slider's
    /// `temperature` and `stepsPerFrame`; false when the worker refused.
    bool start(const LearnModel& model, const LearnSampleSettings& settings, double temperature, int stepsPerFrame);
    bool isSampling() const;
    bool isPaused() const;
    void togglePause();
    void step();
    void stop();
    /// Start needs `canStart` (a model, no training) and no run.
    void updateControls(bool canStart);

    // Live controls of the run
    void setTemperature(double temperature);
    void setStepsPerFrame(int steps);
    /// The run in progress (null before the first) and the feed it takes edited schedules from.
    JobHandle* run() const { return sampling_; }
    std::shared_ptr<ebm::ScheduleFeed> scheduleFeed() const
    {
        return liveControls_ ? liveControls_->scheduleFeed : nullptr;
    }
    /// Adds particles: to the running run, or to the start of the next one.
    void dropParticles(const QVector<QPointF>& points);
    const QVector<QPointF>& pendingDrops() const { return pendingDrops_; }

    const QVector<LearnSampleFrame>& frames() const { return frames_; }
    /// The frame on screen (the newest unless the timeline was moved back).
    int shownFrame() const { return shownFrame_; }
    void showFrame(int index);

    QSlider* timeline() const { return timeline_; }
    /// Beside the timeline: the frame's step and temperature (and MALA's acceptance).
    QLabel* frameLabel() const { return timelineLabel_; }
    RunControls* controls() const { return controls_; }

Q_SIGNALS:
    void startRequested();
    void problem(const QString& message);
    void runStateChanged();

private:
    void onFrame(const QVariant& value);
    void onFinished(const QVariant& value);

    StudioEngine* engine_;
    LandscapePlot* plane_;
    QSlider* timeline_;
    QLabel* timelineLabel_;
    RunControls* controls_;
    QVector<LearnSampleFrame> frames_;
    int shownFrame_ = -1;
    bool followLive_ = true;
    bool showsAcceptance_ = false;   // the frames are MALA's
    QVector<QPointF> pendingDrops_;
    std::shared_ptr<LearnSampleControls> liveControls_;
    QPointer<JobHandle> sampling_;
};

}  // namespace ebm::studio
