#include "pages/energy/energy_comparison_panel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "pages/energy/energy_charts.h"
#include "pages/energy/energy_sets.h"

namespace ebm::studio {

EnergyComparisonPanel::EnergyComparisonPanel(StudioEngine* engine, const EnergySetList& sets, QWidget* parent)
    : QWidget(parent), engine_(engine), sets_(sets)
{
    inlier_ = new QComboBox;
    outlier_ = new QComboBox;
    auroc_ = new QLabel(tr("AUROC: add two sets"));
    auroc_->setObjectName(QStringLiteral("energyAuroc"));
    summary_ = new QLabel;
    summary_->setWordWrap(true);
    roc_ = new RocChart;
    auto* compareForm = new QFormLayout;
    compareForm->addRow(tr("Inliers"), inlier_);
    compareForm->addRow(tr("Outliers"), outlier_);
    compareForm->addRow(auroc_);
    compareForm->addRow(summary_);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(compareForm, 1);
    layout->addWidget(roc_, 2);
    connect(inlier_, &QComboBox::currentIndexChanged, this, &EnergyComparisonPanel::requestComparison);
    connect(outlier_, &QComboBox::currentIndexChanged, this, &EnergyComparisonPanel::requestComparison);
}

void EnergyComparisonPanel::refreshChoices()
{
    const QString inlier = inlier_->currentText(), outlier = outlier_->currentText();
    const QStringList scored = sets_.scoredNames();
    {
        const QSignalBlocker blockInlier(inlier_), blockOutlier(outlier_);
        inlier_->clear();
        outlier_->clear();
        inlier_->addItems(scored);
        outlier_->addItems(scored);
        // Keep the person's choice; otherwise the first set against the newest.
        inlier_->setCurrentIndex(scored.contains(inlier) ? scored.indexOf(inlier) : 0);
        const bool keepOutlier = scored.contains(outlier) && outlier != inlier_->currentText();
        outlier_->setCurrentIndex(keepOutlier ? scored.indexOf(outlier) : scored.size() - 1);
    }
    requestComparison();
}

void EnergyComparisonPanel::compare(const QString& inlier, const QString& outlier)
{
    inlier_->setCurrentText(inlier);
    outlier_->setCurrentText(outlier);
    requestComparison();
}

void EnergyComparisonPanel::requestComparison()
{
    const int a = sets_.indexOf(inlier_->currentText()), b = sets_.indexOf(outlier_->currentText());
    comparison_ = EnergyComparison{};
    roc_->clear();
    const auto scored = [this](int i) { return i >= 0 && sets_[i].state == EnergySetState::Scored; };
    if (a == b || !scored(a) || !scored(b)) {
        auroc_->setText(tr("AUROC: choose two scored sets"));
        summary_->clear();
        return;
    }
    const EnergySetResult& in = sets_[a].result;
    const EnergySetResult& out = sets_[b].result;
    const EnergySummary si = summarizeEnergies(in.energy), so = summarizeEnergies(out.energy);
    summary_->setText(tr("%1: energy %2 ± %3 (%4 images)\n%5: energy %6 ± %7 (%8 images)")
                          .arg(sets_[a].source.name).arg(si.mean, 0, 'g', 6).arg(si.std, 0, 'g', 4).arg(si.count)
                          .arg(sets_[b].source.name).arg(so.mean, 0, 'g', 6).arg(so.std, 0, 'g', 4).arg(so.count));
    auroc_->setText(tr("AUROC: computing…"));
    JobHandle* handle =
        engine_->start(std::make_unique<EnergyComparisonJob>(in.energy, out.energy, in.residual, out.residual));
    if (!handle)
        return;
    comparing_ = handle;
    connect(handle, &JobHandle::finished, this, [this, handle](const QVariant& value) {
        if (handle == comparing_)  // otherwise a newer choice of sets is on its way
            showComparison(value);
    });
}

void EnergyComparisonPanel::showComparison(const QVariant& value)
{
    comparison_ = value.value<EnergyComparison>();
    if (!comparison_.ok) {
        auroc_->setText(tr("AUROC: %1").arg(comparison_.error.isEmpty() ? tr("not computed") : comparison_.error));
        return;
    }
    QString text = tr("AUROC %1 (the chance that an outlier has the higher energy)").arg(comparison_.auroc, 0, 'f', 4);
    if (comparison_.residualAuroc >= 0)
        text += tr("; residual AUROC %1").arg(comparison_.residualAuroc, 0, 'f', 4);
    auroc_->setText(text);
    roc_->setCurve(comparison_.falsePositiveRate, comparison_.truePositiveRate);
}

}  // namespace ebm::studio
