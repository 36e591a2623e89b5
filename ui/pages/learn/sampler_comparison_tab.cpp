#include "pages/learn/sampler_comparison_tab.h"

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

constexpr int kGrid = 64;            // as the other comparison: two plots to draw
constexpr int kMinParticles = 1000;  // mode weights from fewer samples are mostly sampling noise

QString sideRow(const LearnCompareSide& s)
{
    const QString modes =
        s.hasModes ? QStringLiteral("%1 of %2").arg(s.modesCovered).arg(s.modes) : QStringLiteral("–");
    const QString tv = s.hasModes ? QString::number(s.weightTv, 'f', 3) : QStringLiteral("–");
    QString weights;
    for (double w : s.sampleWeights)
        weights += QString::number(w, 'f', 2) + QLatin1Char(' ');
    return QStringLiteral("<tr><td>%1</td><td>%2%</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td></tr>")
        .arg(s.label.toHtmlEscaped())
        .arg(qRound(100.0 * s.meanAcceptance))
        .arg(modes, tv, QString::number(s.mmd, 'f', 3), weights.trimmed());
}

}  // namespace

SamplerComparisonTab::SamplerComparisonTab(StudioEngine* engine, QWidget* parent) : QWidget(parent), engine_(engine)
{
    auto* column = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    forms_ = {learnFieldForm({QStringLiteral("largeStepSize")}, this)};
    compare_ = new QPushButton(tr("Sample with both"));
    compare_->setToolTip(tr("Anneal the trained model's particles twice from the same start: Langevin, then MALA"));
    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);
    for (SettingsFormWidget* form : forms_)
        bar->addWidget(form);
    bar->addWidget(compare_);
    bar->addWidget(progress_, 1);
    column->addLayout(bar);
    auto* plots = new QHBoxLayout;
    langevinPlot_ = new LandscapePlot(tr("Langevin: every step taken"), QStringLiteral("learn-langevin"));
    malaPlot_ = new LandscapePlot(tr("MALA: steps accepted or refused"), QStringLiteral("learn-mala"));
    for (LandscapePlot* p : {langevinPlot_, malaPlot_}) {
        p->setExtent(kLearnExtent);
        p->setMinimumSize(240, 200);
        p->setDataVisible(false);
        plots->addWidget(p, 1);
    }
    column->addLayout(plots, 1);
    numbers_ = new QLabel(
        tr("Both samplers anneal the trained model's particles from the same start, with the page's schedule, at "
           "the step size above. Langevin takes every step, and a large one spreads the particles as a higher "
           "temperature would: their mode weights flatten. MALA accepts or refuses each particle's step "
           "(Metropolis-Hastings), which removes that bias at the cost of refused moves."));
    numbers_->setWordWrap(true);
    numbers_->setTextFormat(Qt::RichText);
    column->addWidget(numbers_);
    connect(compare_, &QPushButton::clicked, this, &SamplerComparisonTab::startRequested);
}

bool SamplerComparisonTab::start(const LearnModel& model, const QVector<QPointF>& points,
                                 LearnSamplerCompareSettings settings)
{
    settings.sampling.useSchedule = true;
    settings.sampling.start.clear();
    settings.sampling.particles = std::max(kMinParticles, settings.sampling.particles);
    comparing_ = engine_->start(std::make_unique<LearnSamplerCompareJob>(model, points, settings, kGrid, kLearnExtent),
                                JobRunner::StartPolicy::Queue);
    if (!comparing_)
        return false;
    progress_->setRange(0, 0);
    connect(comparing_, &JobHandle::progress, this, &SamplerComparisonTab::onProgress);
    connect(comparing_, &JobHandle::finished, this, &SamplerComparisonTab::onFinished);
    return true;
}

bool SamplerComparisonTab::isRunning() const { return comparing_ && comparing_->isActive(); }

void SamplerComparisonTab::stop()
{
    if (isRunning())
        comparing_->cancel();
}

void SamplerComparisonTab::updateControls(bool canStart) { compare_->setEnabled(canStart && !isRunning()); }

void SamplerComparisonTab::setArrowsVisible(bool visible)
{
    langevinPlot_->setArrowsVisible(visible);
    malaPlot_->setArrowsVisible(visible);
}

void SamplerComparisonTab::onProgress(const QVariant& value)
{
    const LearnCompareProgress p = value.value<LearnCompareProgress>();
    progress_->setRange(0, std::max(1, p.total));
    progress_->setValue(p.done);
    progress_->setFormat(p.phase);
}

void SamplerComparisonTab::onFinished(const QVariant& value)
{
    result_ = value.value<LearnSamplerCompareResult>();
    progress_->setRange(0, 1);
    progress_->setValue(result_.ok ? 1 : 0);
    if (!result_.error.isEmpty())
        Q_EMIT problem(result_.error);
    if (result_.ok) {
        langevinPlot_->setLandscape(result_.langevin.landscape);
        langevinPlot_->setParticles(result_.langevin.samples);
        malaPlot_->setLandscape(result_.mala.landscape);
        malaPlot_->setParticles(result_.mala.samples);
        showNumbers();
    }
    Q_EMIT runStateChanged();
}

void SamplerComparisonTab::showNumbers()
{
    QString truth;
    for (double w : result_.trueWeights)
        truth += QString::number(w, 'f', 2) + QLatin1Char(' ');
    const QString modesNote =
        result_.trueWeights.isEmpty()
            ? tr("The data are no known mixture: only the MMD compares the samples with them.")
            : tr("Weight TV: half the summed difference between the samples' mode weights (nearest mode within "
                 "%1) and the data's.")
                  .arg(result_.modeRadius);
    numbers_->setText(
        tr("<table cellspacing=6><tr><th align=left>sampler</th><th>steps taken</th><th>modes covered</th>"
           "<th>weight TV</th><th>MMD</th><th align=left>sample mode weights</th></tr>%1%2"
           "<tr><td>data</td><td></td><td></td><td></td><td></td><td>%3</td></tr></table>"
           "<small>Step size %4, the same start for both. Langevin takes every step; at a large one its particles "
           "spread as at a higher temperature and their mode weights flatten. MALA refuses the steps that would "
           "bias them. %5 MMD: Gaussian kernel of width %6 against the data.</small>")
            .arg(sideRow(result_.langevin), sideRow(result_.mala), truth.trimmed())
            .arg(result_.stepSize)
            .arg(modesNote)
            .arg(result_.mmdBandwidth));
}

}  // namespace ebm::studio
