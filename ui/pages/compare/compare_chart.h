#pragma once
#include <QString>
#include <QVector>

#include "widgets/plot_panel.h"

class QCPGraph;
class QCPItemStraightLine;

namespace ebm::studio {

/// Both runs' mean energy against the step, on one chart, with a vertical cursor at the step the
/// Compare page's timeline shows; a click moves the timeline there.
class CompareEnergyChart : public PlotPanel {
    Q_OBJECT
public:
    explicit CompareEnergyChart(QWidget* parent = nullptr);

    /// Run `side` (0: A, 1: B): its mean energy at each recorded moment; no points clears it.
    void setRun(int side, const QString& name, const QVector<double>& steps, const QVector<double>& meanEnergies);
    void setCursorStep(int step);
    int cursorStep() const { return cursorStep_; }

    /// What the chart draws (tests): the graphs, and each side's points.
    int graphCount() const;
    QVector<double> shownSteps(int side) const;
    QVector<double> shownEnergies(int side) const;
    QString graphName(int side) const;

Q_SIGNALS:
    /// The person clicked in the chart at this step: the timeline follows.
    void stepClicked(int step);

protected:
    void applyScales() override { rescale(); }

private:
    void rescale();

    QCPGraph* graphs_[2] = {nullptr, nullptr};
    QCPItemStraightLine* cursor_ = nullptr;
    int cursorStep_ = 0;
};

}  // namespace ebm::studio
