#pragma once
// The Energy page's view of the image chosen in the table: the image large, and below it (from
// the worker) the noisy image its energy is measured on and that noisy image after one
// denoising step x − σ₀² ∂E/∂x (eq. 9), with a note naming the image and its energy.
#include <QImage>
#include <QPointer>
#include <QWidget>

#include "pages/energy/energy_sets.h"

class QLabel;

namespace ebm::studio {

class JobHandle;
class StudioEngine;

class EnergyImagePreview : public QWidget {
    Q_OBJECT
public:
    explicit EnergyImagePreview(StudioEngine* engine, QWidget* parent = nullptr);

    /// Shows image `index` of `set` and asks the worker for its views with the measurement's
    /// noise and seed (the newest request wins).
    void showImage(const EnergyImageSet& set, int index, const EnergyMeasureSettings& measure);

    QLabel* picture() const { return picture_; }
    const QImage& noisyView() const { return noisyView_; }
    const QImage& denoisedView() const { return denoisedView_; }

private:
    void paintViews();

    StudioEngine* engine_;
    QLabel* picture_;
    QLabel* note_;
    QImage shownImage_;
    QImage noisyView_;
    QImage denoisedView_;
    QPointer<JobHandle> viewing_;
};

}  // namespace ebm::studio
