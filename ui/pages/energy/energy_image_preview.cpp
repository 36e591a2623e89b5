#include "pages/energy/energy_image_preview.h"

#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"

namespace ebm::studio {
namespace {

constexpr int kPreviewSide = 128;  // pixels of the large image; the noisy and denoised views are half

}  // namespace

EnergyImagePreview::EnergyImagePreview(StudioEngine* engine, QWidget* parent) : QWidget(parent), engine_(engine)
{
    picture_ = new QLabel;
    picture_->setFixedSize(kPreviewSide, kPreviewSide + kPreviewSide / 2);
    picture_->setToolTip(tr("The image; below it with the measurement's noise, and that noisy image after one "
                            "denoising step x − σ₀² ∂E/∂x (eq. 9)"));
    picture_->setAlignment(Qt::AlignCenter);
    picture_->setFrameShape(QFrame::StyledPanel);
    note_ = new QLabel(tr("Click a row to see its image."));
    note_->setWordWrap(true);
    note_->setMaximumWidth(kPreviewSide * 3 / 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(picture_);
    layout->addWidget(note_);
    layout->addStretch(1);
}

void EnergyImagePreview::showImage(const EnergyImageSet& set, int i, const EnergyMeasureSettings& measure)
{
    shownImage_ = set.result.images[i];
    noisyView_ = denoisedView_ = QImage();
    paintViews();
    // Newest request wins: walking the table with the arrow keys computes the row it stops on.
    auto job = std::make_unique<EnergyImageViewsJob>(shownImage_, measure.noiseStd, measure.seed);
    if (JobHandle* handle = engine_->start(std::move(job), JobRunner::StartPolicy::Replace)) {
        viewing_ = handle;
        connect(handle, &JobHandle::finished, this, [this, handle](const QVariant& result) {
            if (handle != viewing_ || !result.isValid())
                return;  // another row was clicked since
            const EnergyImageViews views = result.value<EnergyImageViews>();
            if (!views.error.isEmpty())
                return;
            noisyView_ = views.noisy;
            denoisedView_ = views.denoised;
            paintViews();
        });
    }
    QString note = tr("%1, image %2\nenergy %3 ± %4").arg(set.source.name).arg(set.result.rows.value(i, i))
                       .arg(set.result.energy[i], 0, 'g', 6).arg(set.result.spread.value(i), 0, 'g', 3);
    if (i < set.result.files.size())
        note += QLatin1Char('\n') + set.result.files[i];
    note_->setText(note);
}

void EnergyImagePreview::paintViews()
{
    // The image large, and below it the noisy image the energy is measured on and its one-step
    // denoised version (eq. 9), each half as large.
    const int half = kPreviewSide / 2;
    QPixmap picture(kPreviewSide, kPreviewSide + half);
    picture.fill(palette().color(QPalette::Window));
    QPainter p(&picture);
    p.drawImage(QRect(0, 0, kPreviewSide, kPreviewSide), shownImage_);
    if (!noisyView_.isNull())
        p.drawImage(QRect(0, kPreviewSide, half, half), noisyView_);
    if (!denoisedView_.isNull())
        p.drawImage(QRect(half, kPreviewSide, half, half), denoisedView_);
    p.end();
    picture_->setPixmap(picture);
}

}  // namespace ebm::studio
