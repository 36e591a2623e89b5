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
const QColor kAcceptanceColor(40, 130, 60);
const QColor kAcceptanceDotColor(40, 130, 60, 110);

// The acceptance plot's share of the chart's height, the energies' being 1.
constexpr double kAcceptanceRowStretch = 0.35;
// Some room above 100 % and below 0 %, so that a rate at either end stays visible.
constexpr double kAcceptanceMargin = 0.05;

QString percent(double fraction) { return QStringLiteral("%1%").arg(std::lround(100.0 * fraction)); }

QVector<double> keysOf(const QCPGraph* graph)
{
    QVector<double> keys;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        keys.push_back(it->key);
    return keys;
}

QVector<double> valuesOf(const QCPGraph* graph)
{
    QVector<double> values;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        values.push_back(it->value);
    return values;
}

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
    buildAcceptancePlot();

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

void EnergyChart::buildAcceptancePlot()
{
    QCustomPlot* plot = this->plot();
    stepAxes_ = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msLeft | QCP::msRight, stepAxes_);
    // In the layout only during and after MALA runs (showAcceptance): until then the energies
    // have the whole height.
    acceptanceRect_ = new QCPAxisRect(plot);
    for (QCPAxis* axis : acceptanceRect_->axes()) {  // the look PlotPanel gave the energies' axes
        axis->setLabelFont(plot->xAxis->labelFont());
        axis->setTickLabelFont(plot->xAxis->tickLabelFont());
        axis->setLabelPadding(plot->xAxis->labelPadding());
        axis->setTickLabelPadding(plot->xAxis->tickLabelPadding());
        axis->grid()->setPen(plot->xAxis->grid()->pen());
        axis->grid()->setSubGridPen(plot->xAxis->grid()->subGridPen());
        axis->grid()->setZeroLinePen(plot->xAxis->grid()->zeroLinePen());
    }
    QCPAxis* steps = acceptanceRect_->axis(QCPAxis::atBottom);
    QCPAxis* rate = acceptanceRect_->axis(QCPAxis::atLeft);
    steps->setRange(plot->xAxis->range());
    connect(plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), steps,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    rate->setLabel(tr("Acceptance"));
    rate->setRange(-kAcceptanceMargin, 1.0 + kAcceptanceMargin);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (double tick : {0.0, 0.5, 1.0})
        ticker->addTick(tick, percent(tick));
    ticker->setSubTickCount(4);
    rate->setTicker(ticker);

    acceptance_ = plot->addGraph(steps, rate);
    acceptance_->setLineStyle(QCPGraph::lsNone);
    acceptance_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kAcceptanceDotColor, 3));
    acceptance_->setName(tr("acceptance per step"));
    acceptance_->removeFromLegend();
    recentAcceptance_ = plot->addGraph(steps, rate);
    recentAcceptance_->setPen(QPen(kAcceptanceColor, 2));
    recentAcceptance_->setName(tr("acceptance, last %1 steps").arg(kAcceptanceWindowSteps));
    recentAcceptance_->removeFromLegend();

    acceptanceCursor_ = new QCPItemStraightLine(plot);
    acceptanceCursor_->setPen(cursor_->pen());
    acceptanceCursor_->setClipAxisRect(acceptanceRect_);
    for (QCPItemPosition* end : {acceptanceCursor_->point1, acceptanceCursor_->point2})
        end->setAxes(steps, rate);
    acceptanceCursor_->point1->setCoords(0, 0);
    acceptanceCursor_->point2->setCoords(0, 1);

    acceptanceLabel_ = new QCPItemText(plot);
    acceptanceLabel_->setClipAxisRect(acceptanceRect_);
    acceptanceLabel_->position->setType(QCPItemPosition::ptAxisRectRatio);
    acceptanceLabel_->position->setAxisRect(acceptanceRect_);
    acceptanceLabel_->position->setCoords(0.01, 0.95);
    acceptanceLabel_->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    acceptanceLabel_->setFont(plot->xAxis->tickLabelFont());
    acceptanceLabel_->setColor(kAcceptanceColor);
    acceptanceLabel_->setBrush(QColor(255, 255, 255, 200));
    acceptanceLabel_->setPadding(QMargins(3, 1, 3, 1));
    showAcceptance(false);
}

void EnergyChart::showAcceptance(bool shown)
{
    QCustomPlot* plot = this->plot();
    QCPLayoutGrid* layout = plot->plotLayout();
    if (shown && !acceptanceRect_->layout()) {
        const int row = layout->rowCount();
        layout->addElement(row, 0, acceptanceRect_);
        layout->setRowStretchFactor(row, kAcceptanceRowStretch);
    } else if (!shown && acceptanceRect_->layout()) {
        layout->take(acceptanceRect_);
        layout->simplify();  // the empty row would keep its share of the height
    }
    // Hidden, it leaves the margin group: its axis labels would widen the energies' margins.
    acceptanceRect_->setMarginGroup(QCP::msLeft | QCP::msRight, shown ? stepAxes_ : nullptr);
    acceptanceRect_->setVisible(shown);
    for (QCPLayerable* part : std::initializer_list<QCPLayerable*>{acceptance_, recentAcceptance_, acceptanceCursor_,
                                                                    acceptanceLabel_})
        part->setVisible(shown);
    if (shown)
        recentAcceptance_->addToLegend();
    else
        recentAcceptance_->removeFromLegend();
    // One step axis: labelled under the lowest plot only.
    plot->xAxis->setTickLabels(!shown);
    plot->xAxis->setLabel(shown ? QString() : tr("Langevin step"));
    acceptanceRect_->axis(QCPAxis::atBottom)->setLabel(tr("Langevin step"));
    requestReplot();
}

bool EnergyChart::showsAcceptance() const { return acceptanceRect_->layout() != nullptr && acceptanceRect_->visible(); }

QVector<double> EnergyChart::acceptanceSteps() const { return keysOf(acceptance_); }
QVector<double> EnergyChart::acceptanceValues() const { return valuesOf(acceptance_); }
QVector<double> EnergyChart::recentAcceptanceValues() const { return valuesOf(recentAcceptance_); }
QString EnergyChart::acceptanceText() const { return acceptanceLabel_->text(); }

void EnergyChart::updateAcceptanceText()
{
    const QCPGraphDataContainer& data = *acceptance_->data();
    if (data.isEmpty()) {
        acceptanceLabel_->setText(tr("no step yet"));
        return;
    }
    QString text = tr("mean %1 over the run").arg(percent(meanAcceptance_));
    // The last recorded step at or before the cursor: the moment the timeline shows.
    auto at = data.findEnd(cursorStep_, false);
    if (at != data.constBegin()) {
        --at;
        text += tr(" · %1 at step %2").arg(percent(at->value)).arg(std::lround(at->key));
    }
    acceptanceLabel_->setText(text);
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
    acceptance_->data()->clear();
    recentAcceptance_->data()->clear();
    meanAcceptance_ = 1.0;
    showAcceptance(measuresAcceptance(info.settings));

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

QVector<double> EnergyChart::plannedTemperatures() const { return valuesOf(planned_); }

void EnergyChart::fitTemperatureRanges()
{
    plot()->xAxis->setRange(0, qMax(totalSteps_, plannedSteps_));
    applyScales();
    requestReplot();
}

QVector<double> EnergyChart::shownTemperatures() const { return valuesOf(temperature_); }

void EnergyChart::addSnapshots(const QVector<SampleSnapshot>& snapshots)
{
    const bool acceptance = showsAcceptance();
    for (const SampleSnapshot& s : snapshots) {
        if (acceptance && !s.final) {  // the final frame is the jump, not a step
            acceptance_->addData(s.step, s.acceptance);
            recentAcceptance_->addData(s.step, s.recentAcceptance);
            meanAcceptance_ = s.meanAcceptance;
        }
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
    if (acceptance)
        updateAcceptanceText();
    requestReplot();
}

void EnergyChart::setCursorStep(int step)
{
    cursorStep_ = step;
    for (QCPItemStraightLine* line : {cursor_, acceptanceCursor_}) {
        line->point1->setCoords(step, 0);
        line->point2->setCoords(step, 1);
    }
    updateAcceptanceText();
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
