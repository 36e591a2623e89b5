#include "energy_chart.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QVBoxLayout>

#include "qcustomplot_include.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebm::studio {
namespace {

// Drawing hundreds of traces says no more than 64 do, and costs repaint time on the GUI thread.
constexpr int kMaxTraces = 64;
// Log axes cannot show T = 0 (the last steps): clip the temperature axis here.
constexpr double kLogTemperatureFloor = 1e-2;
constexpr int kReplotIntervalMs = 120;

const QColor kTemperatureColor(230, 120, 20);
const QColor kMeanColor(25, 90, 200);
const QColor kBandColor(25, 90, 200, 45);
const QColor kTraceColor(120, 120, 120, 60);
const QColor kSelectedColor(210, 30, 60);

}  // namespace

EnergyChart::EnergyChart(QWidget* parent) : QWidget(parent)
{
    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("energyPlot"));
    plot_->setMinimumHeight(140);
    plot_->setNoAntialiasingOnDrag(true);
    replotTimer_ = new QTimer(this);
    replotTimer_->setSingleShot(true);
    replotTimer_->setInterval(kReplotIntervalMs);
    connect(replotTimer_, &QTimer::timeout, this, [this] { plot_->replot(QCustomPlot::rpQueuedReplot); });
    plot_->xAxis->setLabel(tr("Langevin step"));
    plot_->yAxis->setLabel(tr("energy E(x)"));
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setLabel(tr("temperature T"));
    plot_->yAxis2->setLabelColor(kTemperatureColor);
    plot_->yAxis2->setTickLabelColor(kTemperatureColor);

    bandMin_ = plot_->addGraph();
    bandMin_->setPen(Qt::NoPen);
    bandMin_->removeFromLegend();
    bandMax_ = plot_->addGraph();
    bandMax_->setPen(Qt::NoPen);
    bandMax_->setBrush(kBandColor);
    bandMax_->setChannelFillGraph(bandMin_);
    bandMax_->setName(tr("min–max"));
    for (int i = 0; i < kMaxTraces; ++i) {
        QCPGraph* g = plot_->addGraph();
        g->setPen(QPen(kTraceColor, 1));
        g->removeFromLegend();
        g->setAdaptiveSampling(true);
        traces_.push_back(g);
    }
    mean_ = plot_->addGraph();
    mean_->setPen(QPen(kMeanColor, 2));
    mean_->setName(tr("mean energy"));
    selected_ = plot_->addGraph();
    selected_->setPen(QPen(kSelectedColor, 2));
    selected_->setName(tr("selected sample"));
    selected_->removeFromLegend();
    temperature_ = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    temperature_->setPen(QPen(kTemperatureColor, 2, Qt::DashLine));
    temperature_->setName(tr("temperature"));

    cursor_ = new QCPItemStraightLine(plot_);
    cursor_->setPen(QPen(QColor(0, 0, 0, 140), 1, Qt::DotLine));
    cursor_->point1->setCoords(0, 0);
    cursor_->point2->setCoords(0, 1);

    // The legend sits in a row of its own above the axes: inside, it would hide the curves.
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), qMax(7, font().pointSize() - 1)));
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setWrap(6);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);
    plot_->legend->setMargins(QMargins(4, 2, 4, 0));

    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) {
        const double step = plot_->xAxis->pixelToCoord(event->position().x());
        if (!steps_.isEmpty())
            Q_EMIT stepClicked(static_cast<int>(std::lround(std::clamp(step, 0.0, double(totalSteps_)))));
    });

    logScale_ = new QCheckBox(tr("Log scale"), this);
    logScale_->setToolTip(tr("Logarithmic temperature axis (and energy axis when every energy is positive)"));
    connect(logScale_, &QCheckBox::toggled, this, [this](bool on) {
        applyScales();
        queueReplot();
        Q_EMIT logScaleToggled(on);
    });
    note_ = new QLabel(this);
    note_->setStyleSheet(QStringLiteral("color: gray"));

    auto* bar = new QHBoxLayout;
    auto* title = new QLabel(tr("<b>Temperature and energy</b>"), this);
    bar->addWidget(title);
    bar->addStretch(1);
    bar->addWidget(note_);
    bar->addWidget(logScale_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);
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

    QVector<double> x(info.temperatures.size()), t = info.temperatures;
    for (int i = 0; i < x.size(); ++i)
        x[i] = i + 1;
    temperature_->setData(x, t, true);
    maxTemperature_ = t.isEmpty() ? 1.0 : qMax(1e-6, *std::max_element(t.begin(), t.end()));
    plot_->xAxis->setRange(0, totalSteps_);
    setCursorStep(0);
    applyScales();
    queueReplot();
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
    queueReplot();
}

void EnergyChart::setCursorStep(int step)
{
    cursor_->point1->setCoords(step, 0);
    cursor_->point2->setCoords(step, 1);
    queueReplot();
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
    queueReplot();
}

void EnergyChart::setLogScale(bool on) { logScale_->setChecked(on); }
bool EnergyChart::logScale() const { return logScale_->isChecked(); }

void EnergyChart::applyScales()
{
    const bool log = logScale_->isChecked();
    auto setLog = [](QCPAxis* axis, bool on) {
        axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        if (on)
            axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        else
            axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    };
    setLog(plot_->yAxis2, log);
    plot_->yAxis2->setRange(log ? kLogTemperatureFloor : 0.0, log ? maxTemperature_ * 2.0 : maxTemperature_ * 1.05);
    rescaleEnergy();
}

void EnergyChart::rescaleEnergy()
{
    const bool haveData = std::isfinite(minEnergy_) && std::isfinite(maxEnergy_);
    // Energies are often negative; a log axis can only show them when all are positive.
    const bool logEnergy = logScale_->isChecked() && haveData && minEnergy_ > 0.0;
    const bool wasLog = plot_->yAxis->scaleType() == QCPAxis::stLogarithmic;
    if (logEnergy != wasLog) {
        plot_->yAxis->setScaleType(logEnergy ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        if (logEnergy)
            plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        else
            plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    note_->setText(logScale_->isChecked() && haveData && !logEnergy ? tr("energy axis linear (energies ≤ 0)")
                                                                     : QString());
    if (!haveData) {
        plot_->yAxis->setRange(0, 1);
        return;
    }
    if (logEnergy) {
        plot_->yAxis->setRange(minEnergy_ / 1.5, maxEnergy_ * 1.5);
    } else {
        const double span = std::max(1e-9, maxEnergy_ - minEnergy_);
        plot_->yAxis->setRange(minEnergy_ - 0.05 * span, maxEnergy_ + 0.05 * span);
    }
}

void EnergyChart::queueReplot()
{
    // At most ~8 repaints a second: a replot of 64 traces costs milliseconds of the GUI
    // thread, and on a small machine those come out of the worker's share of the cores.
    if (!replotTimer_->isActive())
        replotTimer_->start();
}

}  // namespace ebm::studio
