#pragma once
// The Learn page's "One sigma vs many" tab: a model trained at one small sigma against an MDSM
// model trained on many, on the same points, with their landscapes, their samples and the
// numbers (modes covered, mode weights, MMD against the data).
#include <QVector>

#include "pages/learn/learn_jobs.h"
#include "pages/learn/two_plot_comparison_tab.h"

namespace ebm::studio {

class ComparisonTab : public TwoPlotComparisonTab {
    Q_OBJECT
public:
    ComparisonTab(StudioEngine* engine, QWidget* parent = nullptr);

    /// Trains and samples both models on `points`: `settings` as the side panel has them; the
    /// comparison's own rules (schedule annealing, enough particles) are applied here. False
    /// when the worker refused.
    bool start(const QVector<QPointF>& points, LearnCompareSettings settings);
    /// The button waits for a comparison to end.
    void updateControls();

    const LearnCompareResult& result() const { return result_; }
    LandscapePlot* singlePlot() const { return leftPlot(); }
    LandscapePlot* multiscalePlot() const { return rightPlot(); }

private:
    Outcome takeResult(const QVariant& value) override;
    void showNumbers() override;

    LearnCompareResult result_;
};

}  // namespace ebm::studio
