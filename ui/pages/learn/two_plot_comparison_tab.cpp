#include "pages/learn/two_plot_comparison_tab.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/settings_form.h"
#include "pages/learn/landscape_plot.h"
#include "pages/learn/learn_fields.h"

namespace ebm::studio {
namespace {

constexpr int kMinParticles = 1000;

}  // namespace

TwoPlotComparisonTab::TwoPlotComparisonTab(StudioEngine* engine, const TwoPlotComparisonLayout& layout,
                                           QWidget* parent)
    : QWidget(parent), engine_(engine)
{
    auto* column = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    for (const QString& key : layout.settingKeys)
        forms_.append(learnFieldForm({key}, this));
    start_ = new QPushButton(layout.startText);
    if (!layout.startToolTip.isEmpty())
        start_->setToolTip(layout.startToolTip);
    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);
    for (SettingsFormWidget* form : forms_)
        bar->addWidget(form);
    bar->addWidget(start_);
    bar->addWidget(progress_, 1);
    column->addLayout(bar);
    auto* plots = new QHBoxLayout;
    leftPlot_ = new LandscapePlot(layout.leftTitle, layout.leftName);
    rightPlot_ = new LandscapePlot(layout.rightTitle, layout.rightName);
    for (LandscapePlot* p : {leftPlot_, rightPlot_}) {
        p->setExtent(kLearnExtent);
        p->setMinimumSize(240, 200);
        p->setDataVisible(false);
        plots->addWidget(p, 1);
    }
    column->addLayout(plots, 1);
    numbers_ = new QLabel(layout.introduction);
    numbers_->setWordWrap(true);
    numbers_->setTextFormat(Qt::RichText);
    column->addWidget(numbers_);
    connect(start_, &QPushButton::clicked, this, &TwoPlotComparisonTab::startRequested);
}

void TwoPlotComparisonTab::applySamplingRules(LearnSampleSettings& sampling)
{
    sampling.useSchedule = true;
    sampling.particles = std::max(kMinParticles, sampling.particles);
}

bool TwoPlotComparisonTab::startJob(std::unique_ptr<Job> job)
{
    comparing_ = engine_->start(std::move(job), JobRunner::StartPolicy::Queue);
    if (!comparing_)
        return false;
    progress_->setRange(0, 0);
    connect(comparing_, &JobHandle::progress, this, &TwoPlotComparisonTab::onProgress);
    connect(comparing_, &JobHandle::finished, this, &TwoPlotComparisonTab::onFinished);
    return true;
}

bool TwoPlotComparisonTab::isRunning() const { return comparing_ && comparing_->isActive(); }

void TwoPlotComparisonTab::stop()
{
    if (isRunning())
        comparing_->cancel();
}

void TwoPlotComparisonTab::setStartEnabled(bool canStart) { start_->setEnabled(canStart && !isRunning()); }

void TwoPlotComparisonTab::setArrowsVisible(bool visible)
{
    leftPlot_->setArrowsVisible(visible);
    rightPlot_->setArrowsVisible(visible);
}

void TwoPlotComparisonTab::onProgress(const QVariant& value)
{
    const LearnCompareProgress p = value.value<LearnCompareProgress>();
    progress_->setRange(0, std::max(1, p.total));
    progress_->setValue(p.done);
    progress_->setFormat(p.phase);
}

void TwoPlotComparisonTab::onFinished(const QVariant& value)
{
    const Outcome outcome = takeResult(value);
    progress_->setRange(0, 1);
    progress_->setValue(outcome.ok ? 1 : 0);
    if (!outcome.error.isEmpty())
        Q_EMIT problem(outcome.error);
    if (outcome.ok) {
        leftPlot_->setLandscape(outcome.left->landscape);
        leftPlot_->setParticles(outcome.left->samples);
        rightPlot_->setLandscape(outcome.right->landscape);
        rightPlot_->setParticles(outcome.right->samples);
        showNumbers();
    }
    Q_EMIT runStateChanged();
}

QString comparisonWeightList(const QVector<double>& weights)
{
    QString list;
    for (double w : weights)
        list += QString::number(w, 'f', 2) + QLatin1Char(' ');
    return list.trimmed();
}

ComparisonSideCells comparisonSideCells(const LearnCompareSide& side)
{
    ComparisonSideCells cells;
    cells.modes = side.hasModes ? QStringLiteral("%1 of %2").arg(side.modesCovered).arg(side.modes)
                                : QStringLiteral("–");
    cells.weightTv = side.hasModes ? QString::number(side.weightTv, 'f', 3) : QStringLiteral("–");
    cells.mmd = QString::number(side.mmd, 'f', 3);
    cells.weights = comparisonWeightList(side.sampleWeights);
    return cells;
}

}  // namespace ebm::studio
