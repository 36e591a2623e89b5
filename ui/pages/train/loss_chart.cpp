#include "pages/train/loss_chart.h"

#include "widgets/qcustomplot_include.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebm::studio {
namespace {

const QColor kRawColor(25, 90, 200, 70);
const QColor kSmoothColor(25, 90, 200);
const QColor kRateColor(40, 150, 70);
// A few repaints a second are plenty for a loss curve; each costs GUI-thread time.
constexpr int kReplotsPerSecond = 4;
// Before the first point: a short step axis rather than the whole planned run.
constexpr double kEmptyStepRange = 10.0;

/// [lower, upper] padded by `fraction` of the span (or a multiplicative margin on log axes).
QCPRange padded(double lower, double upper, bool log, double fraction)
{
    if (log)
        return QCPRange(lower / (1.0 + 3 * fraction), upper * (1.0 + 3 * fraction));
    const double span = upper > lower ? upper - lower : std::max(1e-12, std::abs(upper) * 0.1 + 1e-12);
    return QCPRange(lower - fraction * span, upper + fraction * span);
}

}  // namespace

LossChart::LossChart(QWidget* parent) : PlotPanel(tr("Loss"), QStringLiteral("loss"), parent)
{
    QCustomPlot* plot = this->plot();
    plot->setObjectName(QStringLiteral("lossPlot"));
    setMaxReplotsPerSecond(kReplotsPerSecond);
    plot->xAxis->setLabel(tr("training step"));
    plot->yAxis->setLabel(tr("loss (normalised)"));
    plot->yAxis2->setVisible(true);
    plot->yAxis2->setLabel(tr("learning rate"));
    plot->yAxis2->setLabelColor(kRateColor);
    plot->yAxis2->setTickLabelColor(kRateColor);

    raw_ = plot->addGraph();
    raw_->setPen(QPen(kRawColor, 1));
    raw_->setName(tr("loss"));
    raw_->setAdaptiveSampling(true);
    smoothed_ = plot->addGraph();
    smoothed_->setPen(QPen(kSmoothColor, 2));
    smoothed_->setName(tr("smoothed"));
    smoothed_->setAdaptiveSampling(true);
    learningRate_ = plot->addGraph(plot->xAxis, plot->yAxis2);
    learningRate_->setPen(QPen(kRateColor, 1.5, Qt::DashLine));
    learningRate_->setName(tr("learning rate"));
    learningRate_->setAdaptiveSampling(true);
    setLegendPlacement(LegendPlacement::AboveAxes);
    setLogScaleAvailable(true, tr("Logarithmic loss and learning-rate axes"));
    reset(1);
}

void LossChart::reset(qint64 totalSteps)
{
    Q_UNUSED(totalSteps);  // the step axis follows the data, not the plan
    raw_->data()->clear();
    smoothed_->data()->clear();
    learningRate_->data()->clear();
    minLoss_ = std::numeric_limits<double>::infinity();
    maxLoss_ = -std::numeric_limits<double>::infinity();
    minRate_ = std::numeric_limits<double>::infinity();
    maxRate_ = 0.0;
    firstStep_ = lastStep_ = 0;
    points_ = 0;
    applyScales();
    requestReplot();
}

void LossChart::addPoints(const QVector<TrainPoint>& points)
{
    for (const TrainPoint& p : points) {
        raw_->addData(p.step, p.loss);
        smoothed_->addData(p.step, p.smoothedLoss);
        learningRate_->addData(p.step, p.learningRate);
        if (std::isfinite(p.loss)) {
            minLoss_ = std::min(minLoss_, p.loss);
            maxLoss_ = std::max(maxLoss_, p.loss);
        }
        minRate_ = std::min(minRate_, p.learningRate);
        maxRate_ = std::max(maxRate_, p.learningRate);
        firstStep_ = points_ == 0 ? p.step : std::min(firstStep_, p.step);
        lastStep_ = points_ == 0 ? p.step : std::max(lastStep_, p.step);
        ++points_;
    }
    applyScales();
    requestReplot();
}

void LossChart::applyScales()
{
    const bool log = logScale();
    QCustomPlot* plot = this->plot();
    if (points_ == 0)
        plot->xAxis->setRange(0, kEmptyStepRange);
    else
        plot->xAxis->setRange(firstStep_, std::max<double>(lastStep_, firstStep_ + 1));

    const bool haveLoss = std::isfinite(minLoss_);
    const bool logLoss = log && (!haveLoss || minLoss_ > 0);  // a log axis cannot show a loss ≤ 0
    setAxisLogarithmic(plot->yAxis, logLoss);
    if (haveLoss)
        plot->yAxis->setRange(padded(minLoss_, maxLoss_, logLoss, 0.05));
    else
        plot->yAxis->setRange(logLoss ? 1e-3 : 0.0, 1.0);

    const bool logRate = log && (maxRate_ <= 0 || minRate_ > 0);
    setAxisLogarithmic(plot->yAxis2, logRate);
    if (maxRate_ > 0)
        // On a log axis at least a decade below the top rate: a constant rate gets labelled
        // decades instead of a zoomed-in stack of 9.5·10⁻⁵, 0.0001, 0.000105.
        plot->yAxis2->setRange(logRate ? padded(std::clamp(minRate_, maxRate_ * 1e-4, maxRate_ / 10), maxRate_, true, 0.05)
                                       : QCPRange(0.0, maxRate_ * 1.1));
    else
        plot->yAxis2->setRange(logRate ? 1e-7 : 0.0, 1e-3);
}

}  // namespace ebm::studio
