#include "pages/compare/compare_chart.h"

#include "widgets/qcustomplot_include.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebm::studio {
namespace {

const QColor kRunColors[2] = {QColor(25, 90, 200), QColor(210, 80, 30)};  // A blue, B orange
const QString kSideNames[2] = {QStringLiteral("A"), QStringLiteral("B")};
constexpr double kEnergyMargin = 0.05;  // of the energies' span, above and below

}  // namespace

CompareEnergyChart::CompareEnergyChart(QWidget* parent)
    : PlotPanel(tr("Mean energy of both runs"), QStringLiteral("compare-energy"), parent)
{
    QCustomPlot* plot = this->plot();
    plot->setObjectName(QStringLiteral("comparePlot"));
    plot->xAxis->setLabel(tr("Langevin step"));
    plot->yAxis->setLabel(tr("mean energy E(x)"));
    for (int side = 0; side < 2; ++side) {
        graphs_[side] = plot->addGraph();
        graphs_[side]->setPen(QPen(kRunColors[side], 2));
        graphs_[side]->setName(tr("%1: no run").arg(kSideNames[side]));
        graphs_[side]->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kRunColors[side], 4));
    }
    cursor_ = new QCPItemStraightLine(plot);
    cursor_->setPen(QPen(QColor(0, 0, 0, 140), 1, Qt::DotLine));
    cursor_->point1->setCoords(0, 0);
    cursor_->point2->setCoords(0, 1);
    setLegendPlacement(LegendPlacement::AboveAxes);
    // Energies fall by orders of magnitude while the temperature falls: as on the Sample page.
    setLogScaleAvailable(true, tr("Logarithmic energy axis (when every energy is positive)"));
    setLogScale(true);

    connect(plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        if (event->button() != Qt::LeftButton)
            return;  // the right button opens the chart's menu
        if (graphs_[0]->data()->isEmpty() && graphs_[1]->data()->isEmpty())
            return;
        const double step = this->plot()->xAxis->pixelToCoord(event->position().x());
        if (std::isfinite(step))
            Q_EMIT stepClicked(static_cast<int>(std::lround(std::max(0.0, step))));
    });
    rescale();
}

void CompareEnergyChart::setRun(int side, const QString& name, const QVector<double>& steps,
                                const QVector<double>& meanEnergies)
{
    QCPGraph* graph = graphs_[side];
    // Not sorted again: the final moment shares the last step and must stay after it.
    graph->setData(steps, meanEnergies, true);
    graph->setName(steps.isEmpty() ? tr("%1: no run").arg(kSideNames[side])
                                   : tr("%1: %2").arg(kSideNames[side], name));
    rescale();
}

void CompareEnergyChart::setCursorStep(int step)
{
    cursorStep_ = step;
    cursor_->point1->setCoords(step, 0);
    cursor_->point2->setCoords(step, 1);
    requestReplot();
}

int CompareEnergyChart::graphCount() const { return plot()->graphCount(); }

QVector<double> CompareEnergyChart::shownSteps(int side) const
{
    QVector<double> keys;
    for (auto it = graphs_[side]->data()->constBegin(); it != graphs_[side]->data()->constEnd(); ++it)
        keys.push_back(it->key);
    return keys;
}

QVector<double> CompareEnergyChart::shownEnergies(int side) const
{
    QVector<double> values;
    for (auto it = graphs_[side]->data()->constBegin(); it != graphs_[side]->data()->constEnd(); ++it)
        values.push_back(it->value);
    return values;
}

QString CompareEnergyChart::graphName(int side) const { return graphs_[side]->name(); }

void CompareEnergyChart::rescale()
{
    double lowStep = std::numeric_limits<double>::infinity(), highStep = -lowStep;
    double lowEnergy = lowStep, highEnergy = -lowStep;
    for (const QCPGraph* graph : graphs_)
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            lowStep = std::min(lowStep, it->key);
            highStep = std::max(highStep, it->key);
            if (std::isfinite(it->value)) {
                lowEnergy = std::min(lowEnergy, it->value);
                highEnergy = std::max(highEnergy, it->value);
            }
        }
    plot()->xAxis->setRange(std::isfinite(lowStep) ? std::min(0.0, lowStep) : 0.0,
                            std::isfinite(highStep) ? std::max(1.0, highStep) : 1.0);
    const bool logEnergy = logScale() && std::isfinite(lowEnergy) && lowEnergy > 0.0;
    setAxisLogarithmic(plot()->yAxis, logEnergy);
    if (logEnergy) {
        plot()->yAxis->setRange(lowEnergy / 1.5, highEnergy * 1.5);
    } else if (std::isfinite(lowEnergy)) {
        const double span = std::max(1e-9, highEnergy - lowEnergy);
        plot()->yAxis->setRange(lowEnergy - kEnergyMargin * span, highEnergy + kEnergyMargin * span);
    } else {
        plot()->yAxis->setRange(0, 1);
    }
    requestReplot();
}

}  // namespace ebm::studio
