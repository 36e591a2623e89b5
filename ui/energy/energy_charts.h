#pragma once
// The Energy page's charts: the sets' energies as overlaid histograms on shared bins (counts,
// linear or logarithmic), and the ROC curve of the energy as an outlier score.
#include <QString>
#include <QVector>

#include "widgets/plot_panel.h"

namespace ebm::studio {

class EnergyHistogramChart : public PlotPanel {
    Q_OBJECT
public:
    struct Series {
        QString name;
        QVector<double> values;
    };
    explicit EnergyHistogramChart(QWidget* parent = nullptr);
    /// Redraws every set on the same bins (from the lowest to the highest energy of all).
    void setSeries(const QVector<Series>& series);
    /// Counts per bin of the series last shown, for tests.
    const QVector<QVector<double>>& counts() const { return counts_; }

protected:
    void applyScales() override;

private:
    QVector<QVector<double>> counts_;
    QVector<double> centres_;
};

class RocChart : public PlotPanel {
    Q_OBJECT
public:
    explicit RocChart(QWidget* parent = nullptr);
    void setCurve(const QVector<double>& falsePositiveRate, const QVector<double>& truePositiveRate);
    void clear() { setCurve({}, {}); }
};

}  // namespace ebm::studio
