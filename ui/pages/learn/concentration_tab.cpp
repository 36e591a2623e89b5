#include "pages/learn/concentration_tab.h"

#include "widgets/qcustomplot_include.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/plot_panel.h"
#include "widgets/settings_form.h"
#include "pages/learn/learn_fields.h"

namespace ebm::studio {
namespace {

constexpr int kSpreadLevels = 10;
constexpr double kBarHeadroom = 1.12;   // the value axes reach this far above the tallest bar
const QColor kSingleColor(200, 80, 40, 150);
const QColor kSpreadColor(40, 120, 200, 150);

void showHistogram(QCPBars* bars, const LearnHistogram& h)
{
    QVector<double> keys, values;
    const double width = h.counts.isEmpty() ? 1.0 : (h.hi - h.lo) / h.counts.size();
    for (int i = 0; i < h.counts.size(); ++i) {
        keys << h.lo + (i + 0.5) * width;
        values << h.counts[i];
    }
    bars->setWidth(width);
    bars->setData(keys, values, true);
}

/// Value axes from 0 to a little above their tallest bar, so no bar touches the frame (rescaleAxes
/// alone ends the range at the tallest bar).
void giveBarsHeadroom(QCustomPlot* plot)
{
    for (QCPAxis* axis : {plot->yAxis, plot->yAxis2}) {
        double tallest = 0.0;
        for (int i = 0; i < plot->plottableCount(); ++i) {
            auto* bars = qobject_cast<QCPBars*>(plot->plottable(i));
            if (!bars || bars->valueAxis() != axis)
                continue;
            for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
                tallest = std::max(tallest, it->value);
        }
        if (tallest > 0.0)
            axis->setRange(0.0, tallest * kBarHeadroom);
    }
}

QCPBars* addBars(QCustomPlot* plot, const QColor& color, const QString& name, bool secondAxis = false)
{
    auto* bars = new QCPBars(plot->xAxis, secondAxis ? plot->yAxis2 : plot->yAxis);
    bars->setPen(Qt::NoPen);
    bars->setBrush(color);
    bars->setName(name);
    return bars;
}

}  // namespace

ConcentrationTab::ConcentrationTab(StudioEngine* engine, QWidget* parent) : QWidget(parent), engine_(engine)
{
    auto* column = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    forms_ = {learnFieldForm({QStringLiteral("dimension")}, this),
              learnFieldForm({QStringLiteral("concentrationSigma")}, this)};
    concentrate_ = new QPushButton(tr("Draw the noise"));
    for (SettingsFormWidget* form : forms_)
        bar->addWidget(form);
    bar->addWidget(concentrate_);
    bar->addStretch(1);
    column->addLayout(bar);
    buildPlots();
    auto* plots = new QHBoxLayout;
    for (PlotPanel* p : {distancePlot_, anglePlot_})
        plots->addWidget(p, 1);
    column->addLayout(plots, 1);
    column->addWidget(bandPlot_, 1);
    summary_ = new QLabel(
        tr("In d dimensions, Gaussian noise of std sigma moves a point by almost exactly sqrt(d)·sigma, at almost "
           "exactly 90 degrees to any fixed direction: the noisy points lie on a thin shell around the data. A model "
           "trained at one sigma only ever sees that shell and learns nothing about the space nearer or farther away; "
           "a spread of sigmas (MDSM) puts shells from close to the data out to far away, the distances annealed "
           "sampling has to cross."));
    summary_->setWordWrap(true);
    column->addWidget(summary_);
    connect(concentrate_, &QPushButton::clicked, this, &ConcentrationTab::startRequested);
}

void ConcentrationTab::buildPlots()
{
    distancePlot_ = new PlotPanel(tr("Distance ‖x̃ − x‖"), QStringLiteral("learn-distance"));
    anglePlot_ = new PlotPanel(tr("Angle to a fixed direction (degrees)"), QStringLiteral("learn-angle"));
    bandPlot_ = new PlotPanel(tr("Distances reached: one sigma vs the training spread"),
                              QStringLiteral("learn-spread"));
    addBars(distancePlot_->plot(), kSingleColor, tr("one sigma"));
    addBars(anglePlot_->plot(), kSingleColor, tr("one sigma"));
    addBars(bandPlot_->plot(), kSingleColor, tr("one sigma"));
    // The spread's bars on their own axis: one sigma's single spike would flatten them.
    addBars(bandPlot_->plot(), kSpreadColor, tr("spread of sigmas (right axis)"), true);
    bandPlot_->plot()->yAxis2->setVisible(true);
    bandPlot_->plot()->yAxis2->setTickLabelColor(kSpreadColor.darker());
    bandPlot_->plot()->yAxis->setTickLabelColor(kSingleColor.darker());
    for (PlotPanel* p : {distancePlot_, anglePlot_}) {
        p->setMinimumSize(220, 150);
        p->setLegendPlacement(PlotPanel::LegendPlacement::Hidden);
    }
    bandPlot_->setMinimumSize(300, 130);
    bandPlot_->setLegendPlacement(PlotPanel::LegendPlacement::InsideTopRight);
}

void ConcentrationTab::start(const LearnSettings& s)
{
    LearnConcentrationSettings settings;
    settings.dimension = s.dimension;
    settings.sigma = s.concentrationSigma;
    const double lo = s.sigmaMin, hi = std::max(lo, s.sigmaMax);
    for (int i = 0; i < kSpreadLevels; ++i)
        settings.spread << lo * std::pow(hi / lo, double(i) / (kSpreadLevels - 1));
    // Keep the drawn values bounded: fewer draws in very high dimensions.
    settings.draws = std::clamp(int(20000000 / std::max(1, settings.dimension)), 50, 4000);
    concentrating_ = engine_->start(std::make_unique<LearnConcentrationJob>(settings), JobRunner::StartPolicy::Replace);
    if (!concentrating_)
        return;
    connect(concentrating_, &JobHandle::finished, this, &ConcentrationTab::onFinished);
}

void ConcentrationTab::onFinished(const QVariant& value)
{
    if (!value.canConvert<LearnConcentrationResult>())
        return;
    result_ = value.value<LearnConcentrationResult>();
    if (!result_.error.isEmpty()) {
        Q_EMIT problem(result_.error);
        return;
    }
    auto bars = [](PlotPanel* panel, int index) { return qobject_cast<QCPBars*>(panel->plot()->plottable(index)); };
    showHistogram(bars(distancePlot_, 0), result_.distance);
    showHistogram(bars(anglePlot_, 0), result_.angle);
    showHistogram(bars(bandPlot_, 0), result_.singleBand);
    showHistogram(bars(bandPlot_, 1), result_.spreadBand);
    for (PlotPanel* p : {distancePlot_, anglePlot_, bandPlot_}) {
        p->plot()->rescaleAxes();
        giveBarsHeadroom(p->plot());
        p->requestReplot();
    }
    distancePlot_->plot()->xAxis->setLabel(tr("mean %1, sqrt(d)·sigma = %2")
                                               .arg(result_.distance.mean, 0, 'f', 3)
                                               .arg(result_.expectedDistance, 0, 'f', 3));
    anglePlot_->plot()->xAxis->setLabel(tr("mean %1°, spread %2°")
                                            .arg(result_.angle.mean, 0, 'f', 2)
                                            .arg(result_.angle.stddev, 0, 'f', 2));
    bandPlot_->plot()->xAxis->setLabel(tr("‖x̃ − x‖"));
}

}  // namespace ebm::studio
