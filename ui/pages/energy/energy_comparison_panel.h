#pragma once
// The Energy page's comparison of two scored sets, the second as outliers: their energies in
// words, the AUROC of the energy (and of the residual) telling them apart and the ROC curve,
// computed on the worker whenever the choice or the sets change.
#include <QPointer>
#include <QWidget>

#include "pages/energy/energy_job.h"

class QComboBox;
class QLabel;

namespace ebm::studio {

class EnergySetList;
class JobHandle;
class RocChart;
class StudioEngine;

class EnergyComparisonPanel : public QWidget {
    Q_OBJECT
public:
    /// `sets` is the page's list; it outlives the panel.
    EnergyComparisonPanel(StudioEngine* engine, const EnergySetList& sets, QWidget* parent = nullptr);

    /// Offers the scored sets (keeping the person's choice; otherwise the first set against the
    /// newest) and compares again.
    void refreshChoices();
    /// Chooses the two sets and compares them.
    void compare(const QString& inlier, const QString& outlier);
    const EnergyComparison& comparison() const { return comparison_; }

    QLabel* aurocLabel() const { return auroc_; }
    RocChart* rocChart() const { return roc_; }

private:
    void requestComparison();
    void showComparison(const QVariant& result);

    StudioEngine* engine_;
    const EnergySetList& sets_;
    QComboBox* inlier_;
    QComboBox* outlier_;
    QLabel* auroc_;
    QLabel* summary_;
    RocChart* roc_;
    QPointer<JobHandle> comparing_;
    EnergyComparison comparison_;
};

}  // namespace ebm::studio
