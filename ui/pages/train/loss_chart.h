#pragma once
#include <QByteArray>
#include <QVector>

#include "worker/studio_types.h"
#include "widgets/plot_panel.h"
#include "pages/train/training_types.h"

class QCPGraph;
class QComboBox;
class QLabel;
class QSlider;

namespace ebm::studio {

/// Training loss per step with the learning rate on the right axis, as TensorBoard shows a
/// scalar: the raw loss faint behind its exponential moving average, a smoothing slider
/// (0..0.99), and steps or wall time along the x axis. The axes fit the points seen so far, not
/// the whole planned run: early in a long run the loss fills the chart instead of being a sliver
/// at its left edge.
class LossChart : public PlotPanel {
    Q_OBJECT
public:
    enum class XAxis { Step, WallTime };

    explicit LossChart(QWidget* parent = nullptr);

    void reset(qint64 totalSteps);
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

    /// "step,wall_time_s,loss,smoothed_loss,learning_rate" and one row per recorded step (wall
    /// time empty for the earlier runs' history).
    QByteArray toCsv() const;

Q_SIGNALS:
    /// The person moved the slider or chose the other axis (the page keeps both).
    void viewChanged();

protected:
    void applyScales() override;

private:
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
    double smoothing_ = 0.98;  // the trainer's own smoothed loss uses this weight
    XAxis xAxis_ = XAxis::Step;
    double minLoss_ = 0.0, maxLoss_ = 0.0, maxRate_ = 0.0, minRate_ = 0.0;
    double firstX_ = 0.0, lastX_ = 0.0;
    int plotted_ = 0;  // points with a place on the x axis shown
};

}  // namespace ebm::studio
