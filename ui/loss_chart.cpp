#include "loss_chart.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QVBoxLayout>

#include "qcustomplot_include.h"

#include <cmath>
#include <limits>

namespace ebm::studio {
namespace {

const QColor kRawColor(25, 90, 200, 70);
const QColor kSmoothColor(25, 90, 200);
const QColor kRateColor(40, 150, 70);

}  // namespace

LossChart::LossChart(QWidget* parent) : QWidget(parent)
{
    plot_ = new QCustomPlot(this);
    plot_->setObjectName(QStringLiteral("lossPlot"));
    plot_->setMinimumHeight(140);
    plot_->xAxis->setLabel(tr("training step"));
    plot_->yAxis->setLabel(tr("loss (normalised)"));
    plot_->yAxis2->setVisible(true);
    plot_->yAxis2->setLabel(tr("learning rate"));
    plot_->yAxis2->setLabelColor(kRateColor);
    plot_->yAxis2->setTickLabelColor(kRateColor);
    replotTimer_ = new QTimer(this);
    replotTimer_->setSingleShot(true);
    replotTimer_->setInterval(250);
    connect(replotTimer_, &QTimer::timeout, this, [this] { plot_->replot(QCustomPlot::rpQueuedReplot); });

    raw_ = plot_->addGraph();
    raw_->setPen(QPen(kRawColor, 1));
    raw_->setName(tr("loss"));
    raw_->setAdaptiveSampling(true);
    smoothed_ = plot_->addGraph();
    smoothed_->setPen(QPen(kSmoothColor, 2));
    smoothed_->setName(tr("smoothed"));
    smoothed_->setAdaptiveSampling(true);
    learningRate_ = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    learningRate_->setPen(QPen(kRateColor, 1.5, Qt::DashLine));
    learningRate_->setName(tr("learning rate"));
    learningRate_->setAdaptiveSampling(true);
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), qMax(7, font().pointSize() - 1)));
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);

    logScale_ = new QCheckBox(tr("Log scale"), this);
    connect(logScale_, &QCheckBox::toggled, this, [this](bool on) {
        applyScales();
        plot_->replot(QCustomPlot::rpQueuedReplot);
        Q_EMIT logScaleToggled(on);
    });
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("<b>Loss</b>"), this));
    bar->addStretch(1);
    bar->addWidget(logScale_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);
    reset(1);
}

void LossChart::reset(qint64 totalSteps)
{
    totalSteps_ = qMax<qint64>(1, totalSteps);
    raw_->data()->clear();
    smoothed_->data()->clear();
    learningRate_->data()->clear();
    minLoss_ = std::numeric_limits<double>::infinity();
    maxLoss_ = -std::numeric_limits<double>::infinity();
    minRate_ = std::numeric_limits<double>::infinity();
    maxRate_ = 0.0;
    lastStep_ = 0;
    points_ = 0;
    applyScales();
    plot_->replot(QCustomPlot::rpQueuedReplot);
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
        lastStep_ = p.step;
        ++points_;
    }
    applyScales();
    // A few repaints a second are plenty for a loss curve; each costs GUI-thread time.
    if (!replotTimer_->isActive())
        replotTimer_->start();
}

void LossChart::setLogScale(bool on) { logScale_->setChecked(on); }
bool LossChart::logScale() const { return logScale_->isChecked(); }

void LossChart::applyScales()
{
    const bool log = logScale_->isChecked();
    for (QCPAxis* axis : {plot_->yAxis, plot_->yAxis2}) {
        const bool wasLog = axis->scaleType() == QCPAxis::stLogarithmic;
        if (wasLog == log)
            continue;
        axis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        if (log)
            axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        else
            axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    plot_->xAxis->setRange(0, std::max<double>(totalSteps_, lastStep_));
    if (std::isfinite(minLoss_) && maxLoss_ > 0) {
        if (log && minLoss_ > 0)
            plot_->yAxis->setRange(minLoss_ / 1.3, maxLoss_ * 1.3);
        else
            plot_->yAxis->setRange(std::min(0.0, minLoss_), maxLoss_ * 1.05);
    } else {
        plot_->yAxis->setRange(log ? 1e-3 : 0.0, 1.0);
    }
    if (maxRate_ > 0) {
        if (log)
            plot_->yAxis2->setRange(std::max(minRate_, maxRate_ * 1e-4) / 2, maxRate_ * 2);
        else
            plot_->yAxis2->setRange(0, maxRate_ * 1.1);
    } else {
        plot_->yAxis2->setRange(log ? 1e-7 : 0.0, log ? 1e-3 : 1e-3);
    }
}

}  // namespace ebm::studio
