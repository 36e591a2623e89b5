#include "pages/learn/sampler_comparison_tab.h"

#include <QLabel>

#include "pages/learn/learn_fields.h"

namespace ebm::studio {
namespace {

QString sideRow(const LearnCompareSide& s)
{
    const ComparisonSideCells c = comparisonSideCells(s);
    return QStringLiteral("<tr><td>%1</td><td>%2%</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td></tr>")
        .arg(s.label.toHtmlEscaped())
        .arg(qRound(100.0 * s.meanAcceptance))
        .arg(c.modes, c.weightTv, c.mmd, c.weights);
}

}  // namespace

SamplerComparisonTab::SamplerComparisonTab(StudioEngine* engine, QWidget* parent)
    : TwoPlotComparisonTab(
          engine,
          {{QStringLiteral("largeStepSize")},
           tr("Sample with both"),
           tr("Anneal the trained model's particles twice from the same start: Langevin, then MALA"),
           tr("Langevin: every step taken"),
           QStringLiteral("learn-langevin"),
           tr("MALA: steps accepted or refused"),
           QStringLiteral("learn-mala"),
           tr("Both samplers anneal the trained model's particles from the same start, with the page's schedule, "
              "at the step size above. Langevin takes every step, and a large one spreads the particles as a "
              "higher temperature would: their mode weights flatten. MALA accepts or refuses each particle's step "
              "(Metropolis-Hastings), which removes that bias at the cost of refused moves.")},
          parent)
{
}

bool SamplerComparisonTab::start(const LearnModel& model, const QVector<QPointF>& points,
                                 LearnSamplerCompareSettings settings)
{
    applySamplingRules(settings.sampling);
    settings.sampling.start.clear();
    return startJob(std::make_unique<LearnSamplerCompareJob>(model, points, settings, kGrid, kLearnExtent));
}

void SamplerComparisonTab::updateControls(bool canStart) { setStartEnabled(canStart); }

SamplerComparisonTab::Outcome SamplerComparisonTab::takeResult(const QVariant& value)
{
    result_ = value.value<LearnSamplerCompareResult>();
    return {result_.ok, result_.error, &result_.langevin, &result_.mala};
}

void SamplerComparisonTab::showNumbers()
{
    const QString modesNote =
        result_.trueWeights.isEmpty()
            ? tr("The data are no known mixture: only the MMD compares the samples with them.")
            : tr("Weight TV: half the summed difference between the samples' mode weights (nearest mode within "
                 "%1) and the data's.")
                  .arg(result_.modeRadius);
    numbers()->setText(
        tr("<table cellspacing=6><tr><th align=left>sampler</th><th>steps taken</th><th>modes covered</th>"
           "<th>weight TV</th><th>MMD</th><th align=left>sample mode weights</th></tr>%1%2"
           "<tr><td>data</td><td></td><td></td><td></td><td></td><td>%3</td></tr></table>"
           "<small>Step size %4, the same start for both. Langevin takes every step; at a large one its particles "
           "spread as at a higher temperature and their mode weights flatten. MALA refuses the steps that would "
           "bias them. %5 MMD: Gaussian kernel of width %6 against the data.</small>")
            .arg(sideRow(result_.langevin), sideRow(result_.mala), comparisonWeightList(result_.trueWeights))
            .arg(result_.stepSize)
            .arg(modesNote)
            .arg(result_.mmdBandwidth));
}

}  // namespace ebm::studio
