#pragma once
#include <QVector>

#include <limits>

#include "worker/studio_types.h"
#include "widgets/plot_panel.h"
#include "annealing/sampling_types.h"

class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPMarginGroup;
class QLabel;

namespace ebm::studio {

/// Temperature vs energy (the paper's figure F.1B, live): the schedule's temperature per step
/// on the right axis; on the left each sample's energy trace, their mean and a min-max band.
/// Under it, for MALA runs only, the acceptance rate on the same step axis: each recorded step's
/// (dots), its running mean and the run's mean. A vertical cursor through both marks the moment
/// the timeline shows.
class EnergyChart : public PlotPanel {
    Q_OBJECT
public:
    explicit EnergyChart(QWidget* parent = nullptr);

    void startRun(const SamplingRunInfo& info);
    /// Before any run: the temperature curve of the chosen schedule alone.
    void showSchedule(const QVector<double>& temperatures);
    /// A running run's schedule was edited: the new temperatures and length, energies kept.
    void updateSchedule(const QVector<double>& temperatures);
    /// After a run: the schedule the next run will follow, drawn beside the run's own (empty: none).
    void showPlannedSchedule(const QVector<double>& temperatures);
    void addSnapshots(const QVector<SampleSnapshot>& snapshots);
    /// The temperature curve drawn (tests).
    QVector<double> shownTemperatures() const;
    /// The next run's temperature curve drawn beside the run's (tests).
    QVector<double> plannedTemperatures() const;
    void setCursorStep(int step);
    void setHighlightedSample(int index);
    /// Points recorded so far in the mean trace (tests).
    int pointCount() const { return static_cast<int>(steps_.size()); }

    /// Whether the acceptance plot is shown: during and after a MALA run (Langevin takes every step).
    bool showsAcceptance() const;
    /// The acceptance plot's points, one per recorded step (the final jump is not a step):
    /// their steps, each step's acceptance and the running mean over kAcceptanceWindowSteps.
    QVector<double> acceptanceSteps() const;
    QVector<double> acceptanceValues() const;
    QVector<double> recentAcceptanceValues() const;
    /// What the acceptance plot's label says: the run's mean and the value at the cursor.
    QString acceptanceText() const;
    QCPAxisRect* acceptanceRect() const { return acceptanceRect_; }

Q_SIGNALS:
    /// The person clicked in the chart at this step: the timeline follows.
    void stepClicked(int step);

protected:
    void applyScales() override;

private:
    void rescaleEnergy();
    /// Both temperature curves fit: the run's and the next run's.
    void fitTemperatureRanges();
    void buildAcceptancePlot();
    /// Puts the acceptance plot under the energies, or takes it out so they keep the height.
    void showAcceptance(bool shown);
    void updateAcceptanceText();

    QLabel* note_;
    QCPGraph* temperature_ = nullptr;
    QCPGraph* planned_ = nullptr;
    QCPGraph* mean_ = nullptr;
    QCPGraph* bandMin_ = nullptr;
    QCPGraph* bandMax_ = nullptr;
    QCPGraph* selected_ = nullptr;
    QVector<QCPGraph*> traces_;
    QCPItemStraightLine* cursor_ = nullptr;
    QCPMarginGroup* stepAxes_ = nullptr;  // keeps both plots' step axes aligned
    QCPAxisRect* acceptanceRect_ = nullptr;
    QCPGraph* acceptance_ = nullptr;
    QCPGraph* recentAcceptance_ = nullptr;
    QCPItemStraightLine* acceptanceCursor_ = nullptr;
    QCPItemText* acceptanceLabel_ = nullptr;
    double meanAcceptance_ = 1.0;
    int cursorStep_ = 0;

    QVector<double> steps_;
    QVector<QVector<double>> perSample_;
    double minEnergy_ = std::numeric_limits<double>::infinity();
    double maxEnergy_ = -std::numeric_limits<double>::infinity();
    double maxTemperature_ = 1.0;
    int totalSteps_ = 1;
    double plannedMaxTemperature_ = 0.0;
    int plannedSteps_ = 0;
    int highlighted_ = -1;
};

}  // namespace ebm::studio
