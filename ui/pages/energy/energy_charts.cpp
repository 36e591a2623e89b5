#include "pages/energy/energy_charts.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "widgets/qcustomplot_include.h"

namespace ebm::studio {
namespace {

constexpr int kHistogramBins = 40;
constexpr int kFillAlpha = 60;            // overlaid sets stay visible through each other
constexpr double kLogFloor = 0.5;         // a log axis starts below a count of one
constexpr double kHeadroom = 1.1;         // room above the tallest bar for the legend
constexpr int kMinimumChartHeight = 160;
constexpr double kClickSlopPixels = 3.0;  // a drag shorter than this is a click

QColor seriesColor(int index)
{
    static const QVector<QColor> colors{QColor(25, 90, 200), QColor(210, 80, 30), QColor(40, 150, 60),
                                        QColor(150, 60, 170), QColor(120, 120, 120), QColor(200, 160, 20)};
    return colors[index % colors.size()];
}

}  // namespace

EnergyHistogramChart::EnergyHistogramChart(QWidget* parent)
    : PlotPanel(tr("Energies of the sets"), QStringLiteral("energy-histogram"), parent)
{
    plot()->setObjectName(QStringLiteral("energyHistogram"));
    plot()->setMinimumHeight(kMinimumChartHeight);
    plot()->xAxis->setLabel(tr("energy (mean over the noise draws)"));
    plot()->yAxis->setLabel(tr("images"));
    setLogScaleAvailable(true, tr("Logarithmic counts: shows the tails of the sets"));
    setLegendPlacement(LegendPlacement::InsideTopRight);
    plot()->setToolTip(tr("Drag across energies to show only those images in the table; click to show all"));

    band_ = new QCPItemRect(plot());
    band_->setPen(QPen(QColor(30, 100, 220, 160), 1, Qt::DashLine));
    band_->setBrush(QColor(30, 100, 220, 35));
    band_->topLeft->setTypeX(QCPItemPosition::ptPlotCoords);
    band_->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    band_->bottomRight->setTypeX(QCPItemPosition::ptPlotCoords);
    band_->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    band_->setSelectable(false);
    band_->setVisible(false);
    connect(plot(), &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        if (event->button() != Qt::LeftButton)
            return;
        dragging_ = true;
        dragStart_ = plot()->xAxis->pixelToCoord(event->position().x());
    });
    connect(plot(), &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        if (!dragging_)
            return;
        const double here = plot()->xAxis->pixelToCoord(event->position().x());
        selectedLow_ = std::min(dragStart_, here);
        selectedHigh_ = std::max(dragStart_, here);
        showSelection();
    });
    connect(plot(), &QCustomPlot::mouseRelease, this, [this](QMouseEvent* event) {
        if (!dragging_)
            return;
        dragging_ = false;
        const double here = plot()->xAxis->pixelToCoord(event->position().x());
        const double pixels = std::abs(event->position().x() - plot()->xAxis->coordToPixel(dragStart_));
        if (pixels < kClickSlopPixels) {
            clearSelectedRange();
            return;
        }
        setSelectedRange(std::min(dragStart_, here), std::max(dragStart_, here));
    });
}

void EnergyHistogramChart::setSelectedRange(double low, double high)
{
    selectedLow_ = low;
    selectedHigh_ = high;
    showSelection();
    Q_EMIT selectedRangeChanged();
}

void EnergyHistogramChart::clearSelectedRange()
{
    selectedLow_ = selectedHigh_ = 0.0;
    showSelection();
    Q_EMIT selectedRangeChanged();
}

void EnergyHistogramChart::showSelection()
{
    band_->setVisible(hasSelectedRange());
    band_->topLeft->setCoords(selectedLow_, 0.0);
    band_->bottomRight->setCoords(selectedHigh_, 1.0);
    requestReplot();
}

void EnergyHistogramChart::setSeries(const QVector<Series>& series)
{
    plot()->clearPlottables();
    counts_.clear();
    centres_.clear();
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (const Series& s : series)
        for (double v : s.values)
            if (std::isfinite(v)) {
                low = std::min(low, v);
                high = std::max(high, v);
            }
    if (!std::isfinite(low)) {
        replotNow();
        return;
    }
    if (high <= low)
        high = low + 1.0;  // one value: one bin of width 1/bins around it
    const double width = (high - low) / kHistogramBins;
    for (int b = 0; b < kHistogramBins; ++b)
        centres_ << low + (b + 0.5) * width;
    for (int i = 0; i < series.size(); ++i) {
        QVector<double> counts(kHistogramBins, 0.0);
        for (double v : series[i].values)
            if (std::isfinite(v))
                counts[std::clamp(static_cast<int>((v - low) / width), 0, kHistogramBins - 1)] += 1.0;
        counts_ << counts;
        QCPGraph* graph = plot()->addGraph();
        graph->setName(tr("%1 (%2)").arg(series[i].name).arg(series[i].values.size()));
        graph->setLineStyle(QCPGraph::lsStepCenter);
        QColor fill = seriesColor(i);
        graph->setPen(QPen(fill, 1.5));
        fill.setAlpha(kFillAlpha);
        graph->setBrush(fill);
    }
    plot()->xAxis->setRange(low - width, high + width);
    applyScales();
    replotNow();
}

void EnergyHistogramChart::applyScales()
{
    const bool log = logScale();
    setAxisLogarithmic(plot()->yAxis, log);
    double tallest = 1.0;
    for (int i = 0; i < counts_.size() && i < plot()->graphCount(); ++i) {
        QVector<double> shown = counts_[i];
        for (double& c : shown) {
            tallest = std::max(tallest, c);
            if (log && c <= 0.0)
                c = std::numeric_limits<double>::quiet_NaN();  // no bar rather than log(0)
        }
        plot()->graph(i)->setData(centres_, shown, true);
    }
    if (log)
        plot()->yAxis->setRange(kLogFloor, tallest * kHeadroom * kHeadroom);
    else
        plot()->yAxis->setRange(0.0, tallest * kHeadroom);
}

RocChart::RocChart(QWidget* parent) : PlotPanel(tr("ROC curve (energy as outlier score)"), QStringLiteral("roc"), parent)
{
    plot()->setObjectName(QStringLiteral("rocChart"));
    plot()->setMinimumHeight(kMinimumChartHeight);
    plot()->xAxis->setLabel(tr("false positive rate (inliers flagged)"));
    plot()->yAxis->setLabel(tr("true positive rate"));
    plot()->xAxis->setRange(0.0, 1.0);
    plot()->yAxis->setRange(0.0, 1.0);
    setLegendPlacement(LegendPlacement::Hidden);
}

void RocChart::setCurve(const QVector<double>& falsePositiveRate, const QVector<double>& truePositiveRate)
{
    plot()->clearPlottables();
    auto* chance = new QCPCurve(plot()->xAxis, plot()->yAxis);
    chance->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    chance->setData({0.0, 1.0}, {0.0, 1.0});
    // A curve, not a graph: several points share a false positive rate and keep their order.
    auto* curve = new QCPCurve(plot()->xAxis, plot()->yAxis);
    curve->setPen(QPen(seriesColor(0), 2));
    curve->setData(falsePositiveRate, truePositiveRate);
    replotNow();
}

}  // namespace ebm::studio
