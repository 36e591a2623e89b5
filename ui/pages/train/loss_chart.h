#pragma once
#include <QByteArray>
#include <QColor>
#include <QString>
#include <QVector>

#include "worker/studio_types.h"
#include "widgets/plot_panel.h"
#include "pages/train/training_types.h"
#include "pages/train/training_runs.h"

class QCPGraph;
class QComboBox;
class QLabel;
class QSlider;

namespace ebm::studio {

/// Training loss per step with the learning rate on the right axis, as TensorBoard shows a
/// scalar: the raw loss faint behind its exponential moving average, a smoothing slider
/// (0..0.99), and steps or wall time along the x axis. The axes fit the points seen so far, not
/// the whole planned run: early in a long run the loss fills the chart instead of being a sliver
/// at its left edge. Earlier runs of the session are overlaid behind the current one, each in a
/// colour of its own (runColor), raw and smoothed alike; the learning rate is the current run's.
class LossChart : public PlotPanel {
    Q_OBJECT
public:
    enum class XAxis { Step, WallTime };

    explicit LossChart(QWidget* parent = nullptr);

    /// Forgets the current run's points (the earlier runs stay).
    void reset(qint64 totalSteps);
    /// Appends points to the current run.
    void addPoints(const QVector<TrainPoint>& points);
    int pointCount() const { return static_cast<int>(points_.size()); }
    const QVector<TrainPoint>& points() const { return points_; }

    /// Weight of the moving average, 0 (raw) to 0.99: s₀ = x₀, sᵢ = w·sᵢ₋₁ + (1 − w)·xᵢ (a
    /// non-finite loss leaves it as it was).
    void setSmoothing(double weight);
    double smoothing() const { return smoothing_; }
    /// The smoothed loss of every point, in order.
    const QVector<double>& smoothedLosses() const { return smoothedValues_; }
    /// Wall time is measured from the start of the run shown; the earlier runs of a resumed
    /// checkpoint have none, and are left out of that view.
    void setXAxis(XAxis axis);
    XAxis xAxis() const { return xAxis_; }
    QSlider* smoothingSlider() const { return smoothingSlider_; }
    QComboBox* xAxisChoice() const { return xAxisChoice_; }

    /// Names the run that reset / addPoints draw (its legend entry and its CSV rows), by its
    /// number in TrainingRuns (0: none), and shows or hides it.
    void setCurrentRun(int number, const QString& name, bool shown);
    int currentRunNumber() const { return currentNumber_; }
    /// The kept runs before the current one, oldest first, drawn behind it; those not shown stay
    /// out of the picture, the axes' ranges and the CSV.
    void setEarlierRuns(const QVector<TrainingRun>& runs);
    int earlierRunCount() const { return static_cast<int>(earlier_.size()); }
    /// The raw and smoothed graphs of run `number` (the current run's too); null when the chart
    /// has no such run.
    QCPGraph* rawGraphOf(int number) const;
    QCPGraph* smoothedGraphOf(int number) const;
    /// The colour of an earlier run (a fixed palette, by number), and the current run's.
    static QColor runColor(int number);
    static QColor currentRunColor();

    /// "run,step,wall_time_s,loss,smoothed_loss,learning_rate" and one row per recorded step of
    /// every run shown, oldest run first (wall time empty for a resumed run's earlier history;
    /// smoothed with the slider's weight).
    QByteArray toCsv() const;
    /// The rows toCsv writes.
    int exportedPointCount() const;

Q_SIGNALS:
    /// The person moved the slider or chose the other axis (the page keeps both).
    void viewChanged();

protected:
    void applyScales() override;

private:
    /// A run drawn behind the current one.
    struct EarlierRun {
        int number = 0;
        QString name;
        bool shown = true;
        QVector<TrainPoint> points;
        QVector<double> smoothedValues;
        QCPGraph* raw = nullptr;
        QCPGraph* smoothed = nullptr;
    };

    /// The moving average after `previous` (the average so far; `first` when there is none).
    double nextSmoothed(bool first, double previous, double loss) const;
    /// Widens the loss and x ranges the axes fit to include a point shown.
    void includeInRanges(double x, double loss);
    /// Draws an earlier run again from its points (another smoothing or axis).
    void plotEarlierRun(EarlierRun& run);
    /// The current run's graphs show or hide with it, its legend entries too.
    void applyCurrentVisibility();
    /// Where `p` goes along the x axis shown; false when it has no place there.
    bool xOf(const TrainPoint& p, double& x) const;
    /// Appends `points_[from..]` to the graphs, with their moving average.
    void plotFrom(int from);
    /// Draws every point again (another smoothing or axis).
    void replotAll();

    QCPGraph* raw_ = nullptr;
    QCPGraph* smoothed_ = nullptr;
    QCPGraph* learningRate_ = nullptr;
    QSlider* smoothingSlider_ = nullptr;
    QLabel* smoothingValue_ = nullptr;
    QComboBox* xAxisChoice_ = nullptr;
    QVector<TrainPoint> points_;
    QVector<double> smoothedValues_;
    QVector<EarlierRun> earlier_;
    int currentNumber_ = 0;
    QString currentName_;
    bool currentShown_ = true;
    double smoothing_ = 0.98;  // the trainer's own smoothed loss uses this weight
    XAxis xAxis_ = XAxis::Step;
    double minLoss_ = 0.0, maxLoss_ = 0.0, maxRate_ = 0.0, minRate_ = 0.0;
    double firstX_ = 0.0, lastX_ = 0.0;
    int plotted_ = 0;  // points shown with a place on the x axis shown, of every run
};

}  // namespace ebm::studio
