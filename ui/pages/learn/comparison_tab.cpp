#include "pages/learn/comparison_tab.h"

#include <QLabel>

#include "pages/learn/learn_fields.h"

namespace ebm::studio {
namespace {

QString sideRow(const LearnCompareSide& s)
{
    const ComparisonSideCells c = comparisonSideCells(s);
    return QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>")
        .arg(s.label.toHtmlEscaped(), c.modes, c.weightTv, c.mmd, c.weights);
}

}  // namespace

ComparisonTab::ComparisonTab(StudioEngine* engine, QWidget* parent)
    : TwoPlotComparisonTab(
          engine,
          {{QStringLiteral("compareSteps"), QStringLiteral("singleSigma")},
           tr("Train and sample both"),
           QString(),
           tr("One small sigma"),
           QStringLiteral("learn-single-sigma"),
           tr("MDSM, many sigmas"),
           QStringLiteral("learn-multiscale"),
           tr("Both models train on the same points with the settings on the left; the single-sigma "
              "one uses only the sigma above. Their samples are measured against the data.")},
          parent)
{
}

bool ComparisonTab::start(const QVector<QPointF>& points, LearnCompareSettings settings)
{
    settings.train.singleSigma = false;
    applySamplingRules(settings.sampling);
    return startJob(std::make_unique<LearnCompareJob>(points, settings, kGrid, kLearnExtent));
}

void ComparisonTab::updateControls() { setStartEnabled(true); }

ComparisonTab::Outcome ComparisonTab::takeResult(const QVariant& value)
{
    result_ = value.value<LearnCompareResult>();
    return {result_.ok, result_.error, &result_.single, &result_.multiscale};
}

void ComparisonTab::showNumbers()
{
    numbers()->setText(
        tr("<table cellspacing=6><tr><th align=left>model</th><th>modes covered</th><th>weight TV</th><th>MMD</th>"
           "<th align=left>sample mode weights</th></tr>%1%2"
           "<tr><td>data</td><td></td><td></td><td></td><td>%3</td></tr></table>"
           "<small>Weight TV: half the summed difference between the samples' mode weights (nearest mode within a "
           "quarter of the radius) and the true ones. MMD: Gaussian kernel of width %4 against the data. A mode is "
           "covered with at least a tenth of its expected share.</small>")
            .arg(sideRow(result_.single), sideRow(result_.multiscale), comparisonWeightList(result_.trueWeights))
            .arg(result_.mmdBandwidth));
}

}  // namespace ebm::studio
