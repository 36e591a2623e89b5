#pragma once
#include <QStringList>
#include <QVector>

#include "widgets/plot_panel.h"

namespace ebm::studio {

/// Which classes the classifier sees in the samples, beside the same for real training images:
/// shares per class as paired bars. The legend says how many images each set holds, and class
/// names stay readable on narrow charts (rotated, then shortened with "…").
class ClassHistogramChart : public PlotPanel {
    Q_OBJECT
public:
    explicit ClassHistogramChart(QWidget* parent = nullptr);

    /// `samples` and `real` count images per predicted class; `realImageCount` is how many
    /// real images the real bars come from. Empty `samples` clears the chart.
    void setCounts(const QVector<qint64>& samples, const QVector<qint64>& real, const QStringList& names,
                   qint64 realImageCount);
    void clear();

    /// The class labels as drawn under the bars (shortened when space is short).
    QStringList shownClassLabels() const { return shownLabels_; }
    /// Legend text of the real-image bars, e.g. "real training images (60,000)".
    QString realBarsName() const;
    QString sampleBarsName() const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    /// Picks rotation and shortening of the class labels for the current width; true if changed.
    bool layoutClassLabels();

    QStringList names_;
    QStringList shownLabels_;
    double rotation_ = 0.0;
};

}  // namespace ebm::studio
