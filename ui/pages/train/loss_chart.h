#pragma once
#include <QVector>

#include "worker/studio_types.h"
#include "widgets/plot_panel.h"
#include "pages/train/training_types.h"

class QCPGraph;

namespace ebm::studio {

/// Training loss per step (raw and smoothed) with the learning rate on the right axis. Like
/// TensorBoard, the axes fit the steps and values seen so far, not the whole planned run: early
/// in a long run the loss fills the chart instead of being a sliver at its left edge.
class LossChart : public PlotPanel {
    Q_OBJECT
public:
    explicit LossChart(QWidget* parent = nullptr);

    void reset(qint64 totalSteps);
    void addPoints(const QVector<TrainPoint>& points);
    int pointCount() const { return points_; }

protected:
    void applyScales() override;

private:
    QCPGraph* raw_ = nullptr;
    QCPGraph* smoothed_ = nullptr;
    QCPGraph* learningRate_ = nullptr;
    double minLoss_ = 0.0, maxLoss_ = 0.0, maxRate_ = 0.0, minRate_ = 0.0;
    qint64 firstStep_ = 0;
    qint64 lastStep_ = 0;
    int points_ = 0;
};

}  // namespace ebm::studio
