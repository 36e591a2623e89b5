#include "pages/learn/particles_demo.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>

#include <algorithm>
#include <exception>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/run_controls.h"
#include "pages/learn/landscape_plot.h"

namespace ebm::studio {
namespace {

constexpr int kMaxFrames = 1500;   // timeline history (a few MB of positions)
constexpr int kTrailFrames = 4;

}  // namespace

ParticlesDemo::ParticlesDemo(StudioEngine* engine, LandscapePlot* plane, QWidget* parent)
    : QWidget(parent), engine_(engine), plane_(plane), liveControls_(std::make_shared<LearnSampleControls>())
{
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    timelineLabel_ = new QLabel(tr("no particles yet"));
    timeline_ = new QSlider(Qt::Horizontal);
    timeline_->setRange(0, 0);
    timeline_->setToolTip(tr("Scrub back through the run; the end follows it live"));
    row->addWidget(new QLabel(tr("Timeline")));
    row->addWidget(timeline_, 1);
    row->addWidget(timelineLabel_);
    controls_ =
        new RunControls(tr("Sample"), tr("Anneal particles over the landscape"), true, RunControls::Layout::Grid);

    connect(timeline_, &QSlider::sliderMoved, this, [this](int value) {
        followLive_ = value >= frames_.size() - 1;
        showFrame(value);
    });
    connect(timeline_, &QSlider::valueChanged, this, [this](int value) {
        if (!timeline_->isSliderDown() && value != shownFrame_) {
            followLive_ = value >= frames_.size() - 1;
            showFrame(value);
        }
    });
    connect(controls_, &RunControls::startRequested, this, &ParticlesDemo::startRequested);
    connect(controls_, &RunControls::pauseToggled, this, &ParticlesDemo::togglePause);
    connect(controls_, &RunControls::stepRequested, this, &ParticlesDemo::step);
    connect(controls_, &RunControls::stopRequested, this, &ParticlesDemo::stop);
}

bool ParticlesDemo::start(const LearnModel& model, const LearnSampleSettings& settings, double temperature,
                          int stepsPerFrame)
{
    liveControls_ = std::make_shared<LearnSampleControls>();
    liveControls_->temperature.store(temperature);
    liveControls_->stepsPerFrame.store(stepsPerFrame);
    // Particles dropped before the run join the spread ones at its first step.
    liveControls_->dropParticles(pendingDrops_);
    pendingDrops_.clear();
    frames_.clear();
    shownFrame_ = -1;
    followLive_ = true;
    showsAcceptance_ = settings.sampler == ebm::Sampler::Mala;
    sampling_ = engine_->start(std::make_unique<LearnSampleJob>(model, settings, liveControls_),
                               JobRunner::StartPolicy::Queue);
    if (!sampling_) {
        Q_EMIT problem(tr("The worker refused the sampling run."));
        return false;
    }
    connect(sampling_, &JobHandle::progress, this, &ParticlesDemo::onFrame);
    connect(sampling_, &JobHandle::finished, this, &ParticlesDemo::onFinished);
    connect(sampling_, &JobHandle::pausedChanged, this, &ParticlesDemo::runStateChanged);
    connect(sampling_, &JobHandle::started, this, &ParticlesDemo::runStateChanged);
    return true;
}

bool ParticlesDemo::isSampling() const { return sampling_ && sampling_->isActive(); }

bool ParticlesDemo::isPaused() const { return isSampling() && sampling_->isPaused(); }

void ParticlesDemo::togglePause()
{
    if (sampling_)
        sampling_->togglePause();
}

void ParticlesDemo::step()
{
    if (sampling_)
        sampling_->step();
}

void ParticlesDemo::stop()
{
    if (sampling_ && sampling_->isActive())
        sampling_->cancel();
}

void ParticlesDemo::updateControls(bool canStart) { controls_->setState(canStart, isSampling(), isPaused()); }

void ParticlesDemo::setTemperature(double temperature) { liveControls_->temperature.store(temperature); }

void ParticlesDemo::setStepsPerFrame(int steps) { liveControls_->stepsPerFrame.store(steps); }

void ParticlesDemo::dropParticles(const QVector<QPointF>& points)
{
    if (isSampling())
        liveControls_->dropParticles(points);
    else {
        pendingDrops_ += points;
        plane_->setParticles(pendingDrops_);
    }
}

void ParticlesDemo::onFrame(const QVariant& value)
{
    frames_.push_back(value.value<LearnSampleFrame>());
    if (frames_.size() > kMaxFrames) {
        frames_.removeFirst();
        if (!followLive_)
            shownFrame_ = std::max(0, shownFrame_ - 1);
    }
    const QSignalBlocker block(timeline_);
    timeline_->setRange(0, frames_.size() - 1);
    if (followLive_)
        showFrame(frames_.size() - 1);
    else
        timeline_->setValue(shownFrame_);
}

void ParticlesDemo::onFinished(const QVariant& value)
{
    const LearnSampleResult result = value.value<LearnSampleResult>();
    if (!result.error.isEmpty())
        Q_EMIT problem(result.error);
    Q_EMIT runStateChanged();
}

void ParticlesDemo::showFrame(int index)
{
    if (index < 0 || index >= frames_.size())
        return;
    shownFrame_ = index;
    QVector<QVector<QPointF>> trail;
    for (int i = std::max(0, index - kTrailFrames); i < index; ++i)
        trail.push_back(frames_[i].positions);
    const LearnSampleFrame& frame = frames_[index];
    plane_->setParticles(frame.positions, trail);
    {
        const QSignalBlocker block(timeline_);
        timeline_->setValue(index);
    }
    const QString where = frame.totalSteps > 0
                              ? tr("step %1/%2, T %3%4")
                                    .arg(frame.step)
                                    .arg(frame.totalSteps)
                                    .arg(frame.temperature, 0, 'g', 3)
                                    .arg(frame.final ? tr(", denoised") : QString())
                              : tr("step %1, T %2").arg(frame.step).arg(frame.temperature, 0, 'g', 3);
    // MALA's share of moves taken over the frame's steps (none before the first step).
    timelineLabel_->setText(showsAcceptance_ && frame.step > 0
                                ? tr("%1, acceptance %2%").arg(where).arg(qRound(100.0 * frame.acceptance))
                                : where);
}

}  // namespace ebm::studio
