#include "pages/learn/training_lab.h"

#include "widgets/qcustomplot_include.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/plot_panel.h"
#include "widgets/run_controls.h"
#include "pages/learn/landscape_plot.h"
#include "pages/learn/learn_fields.h"
#include "pages/learn/particles_demo.h"

namespace ebm::studio {
namespace {

constexpr int kLiveGrid = 64;   // landscape refreshes while training: a quarter of the bench's 128^2
constexpr int kFinalGrid = 128;
const QColor kLossColor(25, 90, 200);

}  // namespace

TrainingLab::TrainingLab(StudioEngine* engine, QWidget* parent) : QWidget(parent), engine_(engine)
{
    auto* row = new QHBoxLayout(this);
    auto* left = new QVBoxLayout;
    plane_ = new LandscapePlot(tr("Energy E(x), score −∇E and particles"), QStringLiteral("learn-landscape"));
    plane_->setMinimumSize(320, 240);
    plane_->setExtent(kLearnExtent);
    left->addWidget(plane_, 1);
    particles_ = new ParticlesDemo(engine, plane_);
    left->addWidget(particles_);
    row->addLayout(left, 3);
    row->addWidget(buildLossColumn(), 2);
    controls_ =
        new RunControls(tr("Train"), tr("Train the MLP energy with MDSM (F5)"), true, RunControls::Layout::Grid);
    connect(controls_, &RunControls::startRequested, this, &TrainingLab::startRequested);
    connect(controls_, &RunControls::pauseToggled, this, &TrainingLab::togglePause);
    connect(controls_, &RunControls::stepRequested, this, &TrainingLab::step);
    connect(controls_, &RunControls::stopRequested, this, &TrainingLab::stop);
}

QWidget* TrainingLab::buildLossColumn()
{
    auto* column = new QWidget;
    auto* right = new QVBoxLayout(column);
    right->setContentsMargins(0, 0, 0, 0);
    lossPlot_ = new PlotPanel(tr("MDSM loss"), QStringLiteral("learn-loss"));
    lossPlot_->setMinimumSize(200, 140);
    lossPlot_->setLegendPlacement(PlotPanel::LegendPlacement::Hidden);
    QCustomPlot* plot = lossPlot_->plot();
    plot->addGraph()->setPen(QPen(kLossColor, 1));
    plot->xAxis->setLabel(tr("step"));
    plot->yAxis->setLabel(tr("loss × sigma0⁴"));
    right->addWidget(lossPlot_, 1);
    status_ = new QLabel(tr("Train to see the landscape form."));
    status_->setWordWrap(true);
    right->addWidget(status_);
    auto* note = new QLabel(tr("<small>Low energy is dark. Arrows: the score −∇E(x), square-root lengths. "
                               "MDSM trains one energy on many noise levels, so the field points home from far away "
                               "and the annealed particles find the modes in their weights.</small>"));
    note->setWordWrap(true);
    right->addWidget(note);
    return column;
}

bool TrainingLab::start(const QVector<QPointF>& points, const LearnTrainSettings& settings, const LearnModel& from)
{
    live_ = std::make_shared<LearnTrainControls>();
    training_ = engine_->start(
        std::make_unique<LearnTrainJob>(points, settings, from, kLiveGrid, kLearnExtent, live_),
        JobRunner::StartPolicy::Queue);
    if (!training_) {
        Q_EMIT problem(tr("The worker refused the training run."));
        return false;
    }
    from_ = from;
    drawingOnly_ = false;
    if (from.isEmpty())
        losses_.clear();
    showLoss();
    connect(training_, &JobHandle::progress, this, &TrainingLab::onReport);
    connect(training_, &JobHandle::finished, this, &TrainingLab::onFinished);
    connect(training_, &JobHandle::pausedChanged, this, &TrainingLab::runStateChanged);
    connect(training_, &JobHandle::started, this, &TrainingLab::runStateChanged);
    return true;
}

void TrainingLab::drawLandscape(const QVector<QPointF>& points, LearnTrainSettings settings, const LearnModel& model)
{
    // No training steps: the job only draws the model's landscape.
    settings.width = model.width;
    settings.depth = model.depth;
    settings.steps = 0;
    training_ = engine_->start(std::make_unique<LearnTrainJob>(points, settings, model, kFinalGrid, kLearnExtent),
                               JobRunner::StartPolicy::Queue);
    if (!training_)
        return;
    // The caption then tells the steps and loss the model carries, not this run's none.
    from_ = model;
    drawingOnly_ = true;
    connect(training_, &JobHandle::finished, this, &TrainingLab::onFinished);
}

bool TrainingLab::isTraining() const { return training_ && training_->isActive(); }

bool TrainingLab::isPaused() const { return isTraining() && training_->isPaused(); }

void TrainingLab::togglePause()
{
    if (training_)
        training_->togglePause();
}

void TrainingLab::step()
{
    if (training_)
        training_->step();
}

void TrainingLab::stop()
{
    if (training_)
        training_->cancel();
}

void TrainingLab::updateControls(bool canStart) { controls_->setState(canStart, isTraining(), isPaused()); }

void TrainingLab::changeWhileTraining(const LearnTrainSettings& settings)
{
    if (!isTraining() || drawingOnly_ || !live_)
        return;
    live_->post(LearnLiveTraining{settings.learningRate, settings.sigmaMin, settings.sigmaMax});
}

void TrainingLab::onReport(const QVariant& value)
{
    const LearnTrainReport report = value.value<LearnTrainReport>();
    losses_ += report.losses;
    reportedLive_ = LearnLiveTraining{report.learningRate, report.sigmaMin, report.sigmaMax};
    if (!report.landscape.isEmpty())
        showLandscape(report.landscape);
    status_->setText(tr("Step %1 of %2, loss %3 (learning rate %4, sigma %5 to %6)")
                         .arg(report.step)
                         .arg(report.totalSteps)
                         .arg(losses_.isEmpty() ? 0.0 : losses_.back(), 0, 'g', 4)
                         .arg(report.learningRate, 0, 'g', 3)
                         .arg(report.sigmaMin, 0, 'g', 3)
                         .arg(report.sigmaMax, 0, 'g', 3));
    showLoss();
}

void TrainingLab::onFinished(const QVariant& value)
{
    const LearnTrainResult result = value.value<LearnTrainResult>();
    if (!result.error.isEmpty())
        Q_EMIT problem(result.error);
    if (result.ok) {
        // The model keeps how it was trained, so that a session brings the caption back.
        LearnModel model = result.model;
        model.trainedSteps = from_.trainedSteps + result.steps;
        model.finalLoss = result.steps > 0 && !losses_.isEmpty() ? double(losses_.back()) : from_.finalLoss;
        Q_EMIT modelTrained(model);
        showLandscape(result.landscape);
        status_->setText(trainedCaption(model, result.cancelled));
        if (!drawingOnly_)
            Q_EMIT statusMessage(tr("Learn: the MLP energy trained for %1 steps").arg(result.steps));
    }
    Q_EMIT runStateChanged();
}

QString TrainingLab::trainedCaption(const LearnModel& model, bool cancelled) const
{
    if (drawingOnly_ && model.trainedSteps <= 0)
        return tr("A model from the session; how long it trained was not recorded.");
    const QString loss = std::isfinite(model.finalLoss) ? QString::number(model.finalLoss, 'g', 4) : tr("not recorded");
    return tr("%1 after %2 steps; final loss %3.")
        .arg(cancelled && !drawingOnly_ ? tr("Stopped") : tr("Trained"))
        .arg(model.trainedSteps)
        .arg(loss);
}

void TrainingLab::showLandscape(const LearnLandscape& landscape)
{
    landscape_ = landscape;
    ++landscapeUpdates_;
    plane_->setLandscape(landscape_);
    Q_EMIT landscapeUpdated();
}

void TrainingLab::showLoss()
{
    QCustomPlot* plot = lossPlot_->plot();
    QVector<double> keys, values;
    keys.reserve(losses_.size());
    values.reserve(losses_.size());
    for (int i = 0; i < losses_.size(); ++i) {
        keys << i + 1;
        values << losses_[i];
    }
    plot->graph(0)->setData(keys, values, true);
    plot->rescaleAxes();
    lossPlot_->requestReplot();
}

}  // namespace ebm::studio
