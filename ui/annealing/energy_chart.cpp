#include "annealing/energy_chart.h"

#include <QLabel>

#include "widgets/qcustomplot_include.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebm::studio {
namespace {

// Drawing hundreds of traces says no more than 64 do, and costs repaint time on the GUI thread.
constexpr int kMaxTraces = 64;
// Log axes cannot show T = 0 (the last steps): clip the temperature axis here.
constexpr double kLogTemperatureFloor = 1e-2;
constexpr int kReplotsPerSecond = 8;

const QColor kTemperatureColor(230, 120, 20);
const QColor kPlannedColor(230, 120, 20, 110);
const QColor kMeanColor(25, 90, 200);
const QColor kBandColor(25, 90, 200, 45);
const QColor kTraceColor(120, 120, 120, 60);
const QColor kSelectedColor(210, 30, 60);

}  // namespace

EnergyChart::EnergyChart(QWidget* parent) : PlotPanel(tr("Temperature and energy"), QStringLiteral("energy"), parent)
{
    QCustomPlot* plot = this->plot();
    plot->setObjectName(QStringLiteral("energyPlot"));
    // A replot of 64 traces costs milliseconds of the GUI thread, and on a small machine those
    // come out of the worker's share of the cores: fewer repaints than other charts.
    setMaxReplotsPerSecond(kReplotsPerSecond);
    plot->xAxis->setLabel(tr("Langevin step"));
    plot->yAxis->setLabel(tr("energy E(x)"));
    plot->yAxis2->setVisible(true);
    plot->yAxis2->setLabel(tr("temperature T"));
    plot->yAxis2->setLabelColor(kTemperatureColor);
    plot->yAxis2->setTickLabelColor(kTemperatureColor);

    bandMin_ = plot->addGraph();
    bandMin_->setPen(Qt::NoPen);
    bandMin_->removeFromLegend();
    bandMax_ = plot->addGraph();
    bandMax_->setPen(Qt::NoPen);
    bandMax_->setBrush(kBandColor);
    bandMax_->setChannelFillGraph(bandMin_);
    bandMax_->setName(tr("min–max"));
    for (int i = 0; i < kMaxTraces; ++i) {
        QCPGraph* g = plot->addGraph();
        g->setPen(QPen(kTraceColor, 1));
        g->removeFromLegend();
        g->setAdaptiveSampling(true);
        traces_.push_back(g);
    }
    mean_ = plot->addGraph();
    mean_->setPen(QPen(kMeanColor, 2));
    mean_->setName(tr("mean energy"));
    selected_ = plot->addGraph();
    selected_->setPen(QPen(kSelectedColor, 2));
    selected_->setName(tr("selected sample"));
    selected_->removeFromLegend();
    temperature_ = plot->addGraph(plot->xAxis, plot->yAxis2);
    temperature_->setPen(QPen(kTemperatureColor, 2, Qt::DashLine));
    temperature_->setName(tr("temperature"));
    planned_ = plot->addGraph(plot->xAxis, plot->yAxis2);
    planned_->setPen(QPen(kPlannedColor, 2, Qt::DotLine));
    planned_->setName(tr("next run's temperature"));
    planned_->removeFromLegend();

    cursor_ = new QCPItemStraightLine(plot);
    cursor_->setPen(QPen(QColor(0, 0, 0, 140), 1, Qt::DotLine));
    cursor_->point1->setCoords(0, 0);
    cursor_->point2->setCoords(0, 1);

    setLegendPlacement(LegendPlacement::AboveAxes);

    connect(plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        if (event->button() != Qt::LeftButton)
            return;  // the right button opens the chart's menu
        const double step = this->plot()->xAxis->pixelToCoord(event->position().x());
        if (!steps_.isEmpty())
            Q_EMIT stepClicked(static_cast<int>(std::lround(std::clamp(step, 0.0, double(totalSteps_)))));
    });

    setLogScaleAvailable(true, tr("Logarithmic temperature axis (and energy axis when every energy is positive)"));
    note_ = new QLabel(this);
    note_->setStyleSheet(QStringLiteral("color: gray"));
    addTitleBarWidget(note_);
    applyScales();
}

void EnergyChart::showSchedule(const QVector<double>& temperatures)
{
    SamplingRunInfo preview;
    preview.totalSteps = static_cast<int>(temperatures.size());
    preview.temperatures = temperatures;
    startRun(preview);
}

void EnergyChart::startRun(const SamplingRunInfo& info)
{
    totalSteps_ = qMax(1, info.totalSteps);
    steps_.clear();
    perSample_ = QVector<QVector<double>>(info.numSamples);
    minEnergy_ = std::numeric_limits<double>::infinity();
    maxEnergy_ = -std::numeric_limits<double>::infinity();
    for (QCPGraph* g : traces_)
        g->data()->clear();
    mean_->data()->clear();
    bandMin_->data()->clear();
    bandMax_->data()->clear();
    selected_->data()->clear();
    highlighted_ = -1;

    showPlannedSchedule({});
    updateSchedule(info.temperatures);
    setCursorStep(0);
}

void EnergyChart::updateSchedule(const QVector<double>& temperatures)
{
    totalSteps_ = qMax(1, static_cast<int>(temperatures.size()));
    QVector<double> x(temperatures.size());
    for (int i = 0; i < x.size(); ++i)
        x[i] = i + 1;
    temperature_->setData(x, temperatures, true);
    maxTemperature_ = temperatures.isEmpty() ? 1.0 : qMax(1e-6, *std::max_element(temperatures.begin(), temperatures.end()));
    fitTemperatureRanges();
}

void EnergyChart::showPlannedSchedule(const QVector<double>& temperatures)
{
    QVector<double> x(temperatures.size());
    for (int i = 0; i < x.size(); ++i)
        x[i] = i + 1;
    planned_->setData(x, temperatures, true);
    if (temperatures.isEmpty())
        planned_->removeFromLegend();
    else
        planned_->addToLegend();
    plannedSteps_ = static_cast<int>(temperatures.size());
    plannedMaxTemperature_ =
        temperatures.isEmpty() ? 0.0 : *std::max_element(temperatures.begin(), temperatures.end());
    fitTemperatureRanges();
}

QVector<double> EnergyChart::plannedTemperatures() const
{
    QVector<double> t;
    for (auto it = planned_->data()->constBegin(); it != planned_->data()->constEnd(); ++it)
        t.push_back(it->value);
    return t;
}

void EnergyChart::fitTemperatureRanges()
{
    plot()->xAxis->setRange(0, qMax(totalSteps_, plannedSteps_));
    applyScales();
    requestReplot();
}

QVector<double> EnergyChart::shownTemperatures() const
{
    QVector<double> t;
    for (auto it = temperature_->data()->constBegin(); it != temperature_->data()->constEnd(); ++it)
        t.push_back(it->value);
    return t;
}

void EnergyChart::addSnapshots(const QVector<SampleSnapshot>& snapshots)
{
    for (const SampleSnapshot& s : snapshots) {
        if (s.energies.isEmpty())
            continue;
        // The final frame sits at the last step after the jump; keep it as its own point.
        const double x = s.step;
        double sum = 0.0, lo = s.energies.front(), hi = s.energies.front();
        for (int i = 0; i < s.energies.size(); ++i) {
            const double e = s.energies[i];
            sum += e;
            lo = std::min(lo, e);
            hi = std::max(hi, e);
            if (i < perSample_.size())
                perSample_[i].push_back(e);
            if (i < traces_.size())
                traces_[i]->addData(x, e);
            if (i == highlighted_)
                selected_->addData(x, e);
        }
        steps_.push_back(x);
        mean_->addData(x, sum / s.energies.size());
        bandMin_->addData(x, lo);
        bandMax_->addData(x, hi);
        if (std::isfinite(lo))
            minEnergy_ = std::min(minEnergy_, lo);
        if (std::isfinite(hi))
            maxEnergy_ = std::max(maxEnergy_, hi);
    }
    rescaleEnergy();
    requestReplot();
}

void EnergyChart::setCursorStep(int step)
{
    cursor_->point1->setCoords(step, 0);
    cursor_->point2->setCoords(step, 1);
    requestReplot();
}

void EnergyChart::setHighlightedSample(int index)
{
    highlighted_ = index;
    selected_->data()->clear();
    if (index >= 0 && index < perSample_.size()) {
        const QVector<double>& e = perSample_[index];
        selected_->setData(steps_.mid(0, e.size()), e, true);
        selected_->setName(tr("sample %1").arg(index + 1));
        selected_->addToLegend();
    } else {
        selected_->removeFromLegend();
    }
    requestReplot();
}

void EnergyChart::applyScales()
{
    const bool log = logScale();
    setAxisLogarithmic(plot()->yAxis2, log);
    const double ceiling = qMax(maxTemperature_, plannedMaxTemperature_);
    plot()->yAxis2->setRange(log ? kLogTemperatureFloor : 0.0, log ? ceiling * 2.0 : ceiling * 1.05);
    rescaleEnergy();
}

void EnergyChart::rescaleEnergy()
{
    const bool haveData = std::isfinite(minEnergy_) && std::isfinite(maxEnergy_);
    // Energies are often negative; a log axis can only show them when all are positive.
    const bool logEnergy = logScale() && haveData && minEnergy_ > 0.0;
    setAxisLogarithmic(plot()->yAxis, logEnergy);
    note_->setText(logScale() && haveData && !logEnergy ? tr("energy axis linear (energies ≤ 0)") : QString());
    if (!haveData) {
        plot()->yAxis->setRange(0, 1);
        return;
    }
    if (logEnergy) {
        plot()->yAxis->setRange(minEnergy_ / 1.5, maxEnergy_ * 1.5);
    } else {
        const double span = std::max(1e-9, maxEnergy_ - minEnergy_);
        plot()->yAxis->setRange(minEnergy_ - 0.05 * span, maxEnergy_ + 0.05 * span);
    }
}

}  // namespace ebm::studio
