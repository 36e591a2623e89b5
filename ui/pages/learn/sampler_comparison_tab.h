#pragma once
// The Learn page's "Langevin vs MALA" tab: the trained model sampled twice from the same start at
// one large step size, with plain Langevin and with MALA, side by side with their particles and
// the numbers (acceptance, mode weights and their total variation from the data's, MMD). At a
// large step Langevin's particles settle into the wrong mode weights; MALA's refused moves keep
// the right ones.
#include <QVector>

#include "pages/learn/learn_jobs.h"
#include "pages/learn/two_plot_comparison_tab.h"

namespace ebm::studio {

class SamplerComparisonTab : public TwoPlotComparisonTab {
    Q_OBJECT
public:
    SamplerComparisonTab(StudioEngine* engine, QWidget* parent = nullptr);

    /// Samples `model` with both samplers: `settings` as the page has them (the step size is the
    /// tab's); the comparison's own rules (schedule annealing, enough particles) are applied
    /// here. False when the worker refused.
    bool start(const LearnModel& model, const QVector<QPointF>& points, LearnSamplerCompareSettings settings);
    /// The button needs a model (`canStart`) and waits for a comparison to end.
    void updateControls(bool canStart);

    const LearnSamplerCompareResult& result() const { return result_; }
    LandscapePlot* langevinPlot() const { return leftPlot(); }
    LandscapePlot* malaPlot() const { return rightPlot(); }

private:
    Outcome takeResult(const QVariant& value) override;
    void showNumbers() override;

    LearnSamplerCompareResult result_;
};

}  // namespace ebm::studio
