#include "pages/learn/comparison_tab.h"

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

constexpr int kGrid = 64;   // half the trained landscape's 128^2: two models to draw
constexpr int kMinParticles = 1000;

QString sideRow(const LearnCompareSide& s)
{
    QString modes = s.hasModes ? QStringLiteral("%1 of %2").arg(s.modesCovered).arg(s.modes) : QStringLiteral("–");
    QString tv = s.hasModes ? QString::number(s.weightTv, 'f', 3) : QStringLiteral("–");
    QString weights;
    for (double w : s.sampleWeights)
        weights += QString::number(w, 'f', 2) + QLatin1Char(' ');
    return QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>")
        .arg(s.label.toHtmlEscaped(), modes, tv, QString::number(s.mmd, 'f', 3), weights.trimmed());
}

}  // namespace

ComparisonTab::ComparisonTab(StudioEngine* engine, QWidget* parent) : QWidget(parent), engine_(engine)
{
    auto* column = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    forms_ = {learnFieldForm({QStringLiteral("compareSteps")}, this),
              learnFieldForm({QStringLiteral("singleSigma")}, this)};
    compare_ = new QPushButton(tr("Train and sample both"));
    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);
    for (SettingsFormWidget* form : forms_)
        bar->addWidget(form);
    bar->addWidget(compare_);
    bar->addWidget(progress_, 1);
    column->addLayout(bar);
    auto* plots = new QHBoxLayout;
    singlePlot_ = new LandscapePlot(tr("One small sigma"), QStringLiteral("learn-single-sigma"));
    multiscalePlot_ = new LandscapePlot(tr("MDSM, many sigmas"), QStringLiteral("learn-multiscale"));
    for (LandscapePlot* p : {singlePlot_, multiscalePlot_}) {
        p->setExtent(kLearnExtent);
        p->setMinimumSize(240, 200);
        p->setDataVisible(false);
        plots->addWidget(p, 1);
    }
    column->addLayout(plots, 1);
    numbers_ = new QLabel(tr("Both models train on the same points with the settings on the left; the single-sigma "
                             "one uses only the sigma above. Their samples are measured against the data."));
    numbers_->setWordWrap(true);
    numbers_->setTextFormat(Qt::RichText);
    column->addWidget(numbers_);
    connect(compare_, &QPushButton::clicked, this, &ComparisonTab::startRequested);
}

bool ComparisonTab::start(const QVector<QPointF>& points, LearnCompareSettings settings)
{
    settings.train.singleSigma = false;
    settings.sampling.useSchedule = true;
    // Mode weights from fewer samples are mostly sampling noise (TV ~ 0.05 at 600).
    settings.sampling.particles = std::max(kMinParticles, settings.sampling.particles);
    comparing_ = engine_->start(std::make_unique<LearnCompareJob>(points, settings, kGrid, kLearnExtent),
                                JobRunner::StartPolicy::Queue);
    if (!comparing_)
        return false;
    progress_->setRange(0, 0);
    connect(comparing_, &JobHandle::progress, this, &ComparisonTab::onProgress);
    connect(comparing_, &JobHandle::finished, this, &ComparisonTab::onFinished);
    return true;
}

bool ComparisonTab::isRunning() const { return comparing_ && comparing_->isActive(); }

void ComparisonTab::stop()
{
    if (isRunning())
        comparing_->cancel();
}

void ComparisonTab::updateControls() { compare_->setEnabled(!isRunning()); }

void ComparisonTab::setArrowsVisible(bool visible)
{
    singlePlot_->setArrowsVisible(visible);
    multiscalePlot_->setArrowsVisible(visible);
}

void ComparisonTab::onProgress(const QVariant& value)
{
    const LearnCompareProgress p = value.value<LearnCompareProgress>();
    progress_->setRange(0, std::max(1, p.total));
    progress_->setValue(p.done);
    progress_->setFormat(p.phase);
}

void ComparisonTab::onFinished(const QVariant& value)
{
    result_ = value.value<LearnCompareResult>();
    progress_->setRange(0, 1);
    progress_->setValue(result_.ok ? 1 : 0);
    if (!result_.error.isEmpty())
        Q_EMIT problem(result_.error);
    if (result_.ok) {
        singlePlot_->setLandscape(result_.single.landscape);
        singlePlot_->setParticles(result_.single.samples);
        multiscalePlot_->setLandscape(result_.multiscale.landscape);
        multiscalePlot_->setParticles(result_.multiscale.samples);
        showNumbers();
    }
    Q_EMIT runStateChanged();
}

void ComparisonTab::showNumbers()
{
    QString truth;
    for (double w : result_.trueWeights)
        truth += QString::number(w, 'f', 2) + QLatin1Char(' ');
    numbers_->setText(
        tr("<table cellspacing=6><tr><th align=left>model</th><th>modes covered</th><th>weight TV</th><th>MMD</th>"
           "<th align=left>sample mode weights</th></tr>%1%2"
           "<tr><td>data</td><td></td><td></td><td></td><td>%3</td></tr></table>"
           "<small>Weight TV: half the summed difference between the samples' mode weights (nearest mode within a "
           "quarter of the radius) and the true ones. MMD: Gaussian kernel of width %4 against the data. A mode is "
           "covered with at least a tenth of its expected share.</small>")
            .arg(sideRow(result_.single), sideRow(result_.multiscale), truth.trimmed())
            .arg(result_.mmdBandwidth));
}

}  // namespace ebm::studio
