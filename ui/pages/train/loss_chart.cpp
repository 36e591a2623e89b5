#include "pages/train/loss_chart.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>

#include "widgets/qcustomplot_include.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace ebm::studio {
namespace {

constexpr int kRawAlpha = 70;  // the raw curves are faint: the smoothed ones are those to read
const QColor kRawColor(25, 90, 200, kRawAlpha);
const QColor kSmoothColor(25, 90, 200);
const QColor kRateColor(40, 150, 70);
// Earlier runs, by number: apart from the current run's blue and the learning rate's green, and
// as many as runs are kept, so that the runs on the chart never share a colour.
const QColor kRunPalette[] = {QColor(230, 120, 20), QColor(150, 60, 180), QColor(200, 40, 40),
                              QColor(140, 90, 40),  QColor(220, 80, 160), QColor(0, 150, 150)};
static_assert(std::size(kRunPalette) >= TrainingRuns::kMaxRuns, "each kept run needs a colour of its own");
const QString kEarlierRunsLayer = QStringLiteral("earlierRuns");
// A few repaints a second are plenty for a loss curve; each costs GUI-thread time.
constexpr int kReplotsPerSecond = 4;
// Before the first point: a short step axis rather than the whole planned run.
constexpr double kEmptyStepRange = 10.0;
// The slider in hundredths: 0 (raw) to 0.99, as TensorBoard's.
constexpr int kSmoothingSteps = 100;
constexpr int kMaxSmoothingTicks = 99;

QColor faint(QColor colour)
{
    colour.setAlpha(kRawAlpha);
    return colour;
}

/// A CSV field: quoted when it holds a separator, a quote or a line break.
QByteArray csvField(const QString& text)
{
    QByteArray field = text.toUtf8();
    if (!field.contains(',') && !field.contains('"') && !field.contains('\n') && !field.contains('\r'))
        return field;
    field.replace('"', "\"\"");
    return QByteArray("\"") + field + '"';
}

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

    // Earlier runs are drawn below the current run's layer: the current run stays on top.
    plot->addLayer(kEarlierRunsLayer, plot->layer(QStringLiteral("main")), QCustomPlot::limBelow);
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

QColor LossChart::runColor(int number)
{
    const int size = static_cast<int>(std::size(kRunPalette));
    return kRunPalette[((number - 1) % size + size) % size];
}

QColor LossChart::currentRunColor() { return kSmoothColor; }

void LossChart::setCurrentRun(int number, const QString& name, bool shown)
{
    currentNumber_ = number;
    currentName_ = name;
    smoothed_->setName(name.isEmpty() ? tr("smoothed") : name);
    if (shown == currentShown_) {
        requestReplot();  // the legend's names
        return;
    }
    currentShown_ = shown;
    applyCurrentVisibility();
    replotAll();
}

void LossChart::applyCurrentVisibility()
{
    for (QCPGraph* graph : {raw_, smoothed_, learningRate_}) {
        graph->setVisible(currentShown_);
        if (currentShown_)
            graph->addToLegend();
        else
            graph->removeFromLegend();
    }
}

void LossChart::setEarlierRuns(const QVector<TrainingRun>& runs)
{
    QCustomPlot* plot = this->plot();
    for (const EarlierRun& run : earlier_) {
        plot->removeGraph(run.raw);
        plot->removeGraph(run.smoothed);
    }
    earlier_.clear();
    for (const TrainingRun& source : runs) {
        EarlierRun run;
        run.number = source.number;
        run.name = source.name();
        run.shown = source.shown;
        run.points = source.points;
        const QColor colour = runColor(source.number);
        run.raw = plot->addGraph();
        run.raw->setLayer(kEarlierRunsLayer);
        run.raw->setPen(QPen(faint(colour), 1));
        run.raw->setAdaptiveSampling(true);
        run.raw->removeFromLegend();  // one entry per run: its smoothed curve, by its name
        run.smoothed = plot->addGraph();
        run.smoothed->setLayer(kEarlierRunsLayer);
        run.smoothed->setPen(QPen(colour, 1.5));
        run.smoothed->setName(run.name);
        run.smoothed->setAdaptiveSampling(true);
        if (!run.shown)
            run.smoothed->removeFromLegend();
        run.raw->setVisible(run.shown);
        run.smoothed->setVisible(run.shown);
        earlier_.push_back(std::move(run));
    }
    replotAll();
}

QCPGraph* LossChart::rawGraphOf(int number) const
{
    if (number == currentNumber_)
        return raw_;
    for (const EarlierRun& run : earlier_)
        if (run.number == number)
            return run.raw;
    return nullptr;
}

QCPGraph* LossChart::smoothedGraphOf(int number) const
{
    if (number == currentNumber_)
        return smoothed_;
    for (const EarlierRun& run : earlier_)
        if (run.number == number)
            return run.smoothed;
    return nullptr;
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

double LossChart::nextSmoothed(bool first, double previous, double loss) const
{
    if (first || !std::isfinite(previous))
        return loss;
    return std::isfinite(loss) ? smoothing_ * previous + (1.0 - smoothing_) * loss : previous;
}

void LossChart::includeInRanges(double x, double loss)
{
    if (std::isfinite(loss)) {
        minLoss_ = std::min(minLoss_, loss);
        maxLoss_ = std::max(maxLoss_, loss);
    }
    firstX_ = plotted_ == 0 ? x : std::min(firstX_, x);
    lastX_ = plotted_ == 0 ? x : std::max(lastX_, x);
    ++plotted_;
}

void LossChart::plotFrom(int from)
{
    for (int i = from; i < points_.size(); ++i) {
        const TrainPoint& p = points_[i];
        // The moving average runs over every recorded step, whichever axis is shown.
        const double smoothed = nextSmoothed(i == 0, i > 0 ? smoothedValues_.back() : 0.0, p.loss);
        smoothedValues_.push_back(smoothed);
        double x = 0.0;
        if (!xOf(p, x))
            continue;
        raw_->addData(x, p.loss);
        smoothed_->addData(x, smoothed);
        learningRate_->addData(x, p.learningRate);
        if (!currentShown_)
            continue;  // a hidden run leaves the axes to the runs shown
        minRate_ = std::min(minRate_, p.learningRate);
        maxRate_ = std::max(maxRate_, p.learningRate);
        includeInRanges(x, p.loss);
    }
}

void LossChart::plotEarlierRun(EarlierRun& run)
{
    run.raw->data()->clear();
    run.smoothed->data()->clear();
    run.smoothedValues.clear();
    run.smoothedValues.reserve(run.points.size());
    QVector<double> keys, raw, smoothed;
    for (int i = 0; i < run.points.size(); ++i) {
        const TrainPoint& p = run.points[i];
        const double average = nextSmoothed(i == 0, i > 0 ? run.smoothedValues.back() : 0.0, p.loss);
        run.smoothedValues.push_back(average);
        double x = 0.0;
        if (!xOf(p, x))
            continue;
        keys.push_back(x);
        raw.push_back(p.loss);
        smoothed.push_back(average);
        if (run.shown)
            includeInRanges(x, p.loss);
    }
    run.raw->setData(keys, raw);
    run.smoothed->setData(keys, smoothed);
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
    for (EarlierRun& run : earlier_)
        plotEarlierRun(run);
    plotFrom(0);
    applyScales();
    requestReplot();
}

QByteArray LossChart::toCsv() const
{
    QByteArray csv("run,step,wall_time_s,loss,smoothed_loss,learning_rate\n");
    auto addRows = [&csv](const QString& name, const QVector<TrainPoint>& points, const QVector<double>& smoothed) {
        const QByteArray run = csvField(name);
        for (int i = 0; i < points.size(); ++i) {
            const TrainPoint& p = points[i];
            csv += run + ',' + QByteArray::number(p.step) + ',' +
                   (p.wallSeconds >= 0.0 ? QByteArray::number(p.wallSeconds, 'f', 3) : QByteArray()) + ',' +
                   QByteArray::number(p.loss, 'g', 9) + ',' + QByteArray::number(smoothed[i], 'g', 9) + ',' +
                   QByteArray::number(p.learningRate, 'g', 9) + '\n';
        }
    };
    for (const EarlierRun& run : earlier_)
        if (run.shown)
            addRows(run.name, run.points, run.smoothedValues);
    if (currentShown_)
        addRows(currentName_, points_, smoothedValues_);
    return csv;
}

int LossChart::exportedPointCount() const
{
    int rows = currentShown_ ? static_cast<int>(points_.size()) : 0;
    for (const EarlierRun& run : earlier_)
        if (run.shown)
            rows += static_cast<int>(run.points.size());
    return rows;
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
