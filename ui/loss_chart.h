#pragma once
#include <QVector>
#include <QWidget>

#include "studio_types.h"

class QCustomPlot;
class QCPGraph;
class QCheckBox;
class QTimer;

namespace ebm::studio {

/// Training loss per step (raw and smoothed) with the learning rate on the right axis.
class LossChart : public QWidget {
    Q_OBJECT
public:
    explicit LossChart(QWidget* parent = nullptr);

    void reset(qint64 totalSteps);
    void addPoints(const QVector<TrainPoint>& points);
    void setLogScale(bool on);
    bool logScale() const;
    int pointCount() const { return points_; }
    QCustomPlot* plot() const { return plot_; }

Q_SIGNALS:
    void logScaleToggled(bool on);

private:
    void applyScales();

    QCustomPlot* plot_;
    QCheckBox* logScale_;
    QCPGraph* raw_ = nullptr;
    QCPGraph* smoothed_ = nullptr;
    QCPGraph* learningRate_ = nullptr;
    QTimer* replotTimer_ = nullptr;
    double minLoss_ = 0.0, maxLoss_ = 0.0, maxRate_ = 0.0, minRate_ = 0.0;
    qint64 totalSteps_ = 1;
    qint64 lastStep_ = 0;
    int points_ = 0;
};

}  // namespace ebm::studio
