#pragma once
// The Energy page's charts: the sets' energies as overlaid histograms on shared bins (counts,
// linear or logarithmic), and the ROC curve of the energy as an outlier score.
#include <QString>
#include <QVector>

#include "widgets/plot_panel.h"

class QCPItemRect;

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

    /// The energies dragged over (lo < hi), shaded; a click without a drag clears it.
    void setSelectedRange(double low, double high);
    void clearSelectedRange();
    bool hasSelectedRange() const { return selectedLow_ < selectedHigh_; }
    double selectedLow() const { return selectedLow_; }
    double selectedHigh() const { return selectedHigh_; }

Q_SIGNALS:
    /// The person dragged over a range of energies (or cleared it: hasSelectedRange() false).
    void selectedRangeChanged();

protected:
    void applyScales() override;

private:
    void showSelection();

    QVector<QVector<double>> counts_;
    QVector<double> centres_;
    QCPItemRect* band_ = nullptr;
    double selectedLow_ = 0.0, selectedHigh_ = 0.0;
    double dragStart_ = 0.0;
    bool dragging_ = false;
};

class RocChart : public PlotPanel {
    Q_OBJECT
public:
    explicit RocChart(QWidget* parent = nullptr);
    void setCurve(const QVector<double>& falsePositiveRate, const QVector<double>& truePositiveRate);
    void clear() { setCurve({}, {}); }
};

}  // namespace ebm::studio
