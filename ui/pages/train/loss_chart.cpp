#include "pages/train/loss_chart.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>

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
// The slider in hundredths: 0 (raw) to 0.99, as TensorBoard's.
constexpr int kSmoothingSteps = 100;
constexpr int kMaxSmoothingTicks = 99;

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
    plot->yAxis->setLabel(tr("loss (normalised)"));
    plot->yAxis2->setVisible(true);
    plot->yAxis2->setLabel(tr("learning rate"));
    plot->yAxis2->setLabelColor(kRateColor);
    plot->yAxis2->setTickLabelColor(kRateColor);

    raw_ = plot->addGraph();
    raw_->setPen(QPen(kRawColor, 1));  // faint: the smoothed curve is the one to read
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

    // Title bar: smoothing and x axis, as in TensorBoard.
    auto* controls = new QWidget(this);
    auto* layout = new QHBoxLayout(controls);
    layout->setContentsMargins(0, 0, 0, 0);
    smoothingSlider_ = new QSlider(Qt::Horizontal, controls);
    smoothingSlider_->setObjectName(QStringLiteral("lossSmoothing"));
    smoothingSlider_->setRange(0, kMaxSmoothingTicks);
    smoothingSlider_->setFixedWidth(100);
    smoothingSlider_->setToolTip(tr("Smoothing: the weight of the exponential moving average drawn over the "
                                    "faint raw loss (0 shows the raw loss alone)"));
    smoothingValue_ = new QLabel(controls);
    smoothingValue_->setMinimumWidth(smoothingValue_->fontMetrics().horizontalAdvance(QStringLiteral("0.00")));
    xAxisChoice_ = new QComboBox(controls);
    xAxisChoice_->setObjectName(QStringLiteral("lossXAxis"));
    xAxisChoice_->addItem(tr("Step"), static_cast<int>(XAxis::Step));
    xAxisChoice_->addItem(tr("Wall time"), static_cast<int>(XAxis::WallTime));
    xAxisChoice_->setToolTip(tr("Along the x axis: training steps, or seconds since the run started"));
    layout->addWidget(new QLabel(tr("Smoothing"), controls));
    layout->addWidget(smoothingSlider_);
    layout->addWidget(smoothingValue_);
    layout->addWidget(xAxisChoice_);
    addTitleBarWidget(controls);
    smoothingSlider_->setValue(static_cast<int>(std::lround(smoothing_ * kSmoothingSteps)));
    smoothingValue_->setText(QString::number(smoothing_, 'f', 2));
    connect(smoothingSlider_, &QSlider::valueChanged, this, [this](int ticks) {
        setSmoothing(static_cast<double>(ticks) / kSmoothingSteps);
        Q_EMIT viewChanged();
    });
    connect(xAxisChoice_, &QComboBox::currentIndexChanged, this, [this] {
        setXAxis(static_cast<XAxis>(xAxisChoice_->currentData().toInt()));
        Q_EMIT viewChanged();
    });

    setLegendPlacement(LegendPlacement::AboveAxes);
    setLogScaleAvailable(true, tr("Logarithmic loss and learning-rate axes"));
    reset(1);
}

void LossChart::reset(qint64 totalSteps)
{
    Q_UNUSED(totalSteps);  // the x axis follows the data, not the plan
    points_.clear();
    replotAll();
}

void LossChart::addPoints(const QVector<TrainPoint>& points)
{
    const int from = static_cast<int>(points_.size());
    points_ += points;
    plotFrom(from);
    applyScales();
    requestReplot();
}

void LossChart::setSmoothing(double weight)
{
    weight = std::clamp(weight, 0.0, static_cast<double>(kMaxSmoothingTicks) / kSmoothingSteps);
    const int ticks = static_cast<int>(std::lround(weight * kSmoothingSteps));
    if (smoothingSlider_->value() != ticks) {
        const QSignalBlocker quiet(smoothingSlider_);
        smoothingSlider_->setValue(ticks);
    }
    smoothingValue_->setText(QString::number(weight, 'f', 2));
    if (weight == smoothing_)
        return;
    smoothing_ = weight;
    replotAll();
}

void LossChart::setXAxis(XAxis axis)
{
    const int index = xAxisChoice_->findData(static_cast<int>(axis));
    if (xAxisChoice_->currentIndex() != index) {
        const QSignalBlocker quiet(xAxisChoice_);
        xAxisChoice_->setCurrentIndex(index);
    }
    if (axis == xAxis_)
        return;
    xAxis_ = axis;
    replotAll();
}

bool LossChart::xOf(const TrainPoint& p, double& x) const
{
    if (xAxis_ == XAxis::Step) {
        x = static_cast<double>(p.step);
        return true;
    }
    x = p.wallSeconds;
    return p.wallSeconds >= 0.0;
}

void LossChart::plotFrom(int from)
{
    for (int i = from; i < points_.size(); ++i) {
        const TrainPoint& p = points_[i];
        // The moving average runs over every recorded step, whichever axis is shown.
        double smoothed = p.loss;
        if (i > 0 && std::isfinite(smoothedValues_.back()))
            smoothed = std::isfinite(p.loss) ? smoothing_ * smoothedValues_.back() + (1.0 - smoothing_) * p.loss
                                             : smoothedValues_.back();
        smoothedValues_.push_back(smoothed);
        double x = 0.0;
        if (!xOf(p, x))
            continue;
        raw_->addData(x, p.loss);
        smoothed_->addData(x, smoothed);
        learningRate_->addData(x, p.learningRate);
        if (std::isfinite(p.loss)) {
            minLoss_ = std::min(minLoss_, p.loss);
            maxLoss_ = std::max(maxLoss_, p.loss);
        }
        minRate_ = std::min(minRate_, p.learningRate);
        maxRate_ = std::max(maxRate_, p.learningRate);
        firstX_ = plotted_ == 0 ? x : std::min(firstX_, x);
        lastX_ = plotted_ == 0 ? x : std::max(lastX_, x);
        ++plotted_;
    }
}

void LossChart::replotAll()
{
    raw_->data()->clear();
    smoothed_->data()->clear();
    learningRate_->data()->clear();
    smoothedValues_.clear();
    minLoss_ = std::numeric_limits<double>::infinity();
    maxLoss_ = -std::numeric_limits<double>::infinity();
    minRate_ = std::numeric_limits<double>::infinity();
    maxRate_ = 0.0;
    firstX_ = lastX_ = 0.0;
    plotted_ = 0;
    plot()->xAxis->setLabel(xAxis_ == XAxis::Step ? tr("training step") : tr("wall time since the run started (s)"));
    plotFrom(0);
    applyScales();
    requestReplot();
}

QByteArray LossChart::toCsv() const
{
    QByteArray csv("step,wall_time_s,loss,smoothed_loss,learning_rate\n");
    for (int i = 0; i < points_.size(); ++i) {
        const TrainPoint& p = points_[i];
        csv += QByteArray::number(p.step) + ',' +
               (p.wallSeconds >= 0.0 ? QByteArray::number(p.wallSeconds, 'f', 3) : QByteArray()) + ',' +
               QByteArray::number(p.loss, 'g', 9) + ',' + QByteArray::number(smoothedValues_[i], 'g', 9) + ',' +
               QByteArray::number(p.learningRate, 'g', 9) + '\n';
    }
    return csv;
}

void LossChart::applyScales()
{
    const bool log = logScale();
    QCustomPlot* plot = this->plot();
    if (plotted_ == 0)
        plot->xAxis->setRange(0, kEmptyStepRange);
    else  // at least one step, or one second, wide
        plot->xAxis->setRange(firstX_, std::max(lastX_, firstX_ + 1));

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
