#include "pages/inpaint/thumbnail_browser.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/sample_grid_widget.h"
#include "pages/inpaint/inpaint_job.h"

namespace ebm::studio {
namespace {

constexpr int kPageSize = 64;

}  // namespace

ThumbnailBrowser::ThumbnailBrowser(StudioEngine* engine, QString spec, int around, QWidget* parent)
    : QDialog(parent), engine_(engine), spec_(std::move(spec))
{
    setWindowTitle(tr("Choose an Image"));
    grid_ = new SampleGridWidget(this);
    grid_->setPlaceholder(tr("Reading…"));
    grid_->setSampleToolTips(false);
    grid_->setMinimumSize(420, 420);
    connect(grid_, &SampleGridWidget::sampleClicked, this, [this](int cell) {
        if (cell < 0)
            return;
        chosen_ = first_ + cell;
        accept();
    });
    range_ = new QLabel(this);
    previous_ = new QPushButton(tr("◀ Previous"), this);
    next_ = new QPushButton(tr("Next ▶"), this);
    connect(previous_, &QPushButton::clicked, this, [this] { showPage(first_ - kPageSize); });
    connect(next_, &QPushButton::clicked, this, [this] { showPage(first_ + kPageSize); });
    auto* close = new QPushButton(tr("Cancel"), this);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    auto* bar = new QHBoxLayout;
    bar->addWidget(previous_);
    bar->addWidget(range_, 1, Qt::AlignCenter);
    bar->addWidget(next_);
    bar->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Click an image to complete it."), this));
    layout->addWidget(grid_, 1);
    layout->addLayout(bar);
    showPage(around - around % kPageSize);
}

void ThumbnailBrowser::showPage(int first)
{
    first = std::max(0, first);
    if (total_ > 0)
        first = std::min(first, (total_ - 1) / kPageSize * kPageSize);
    JobHandle* handle = engine_->start(std::make_unique<DataSetThumbnailsJob>(spec_, first, kPageSize));
    if (!handle)
        return;
    reading_ = handle;
    previous_->setEnabled(false);
    next_->setEnabled(false);
    connect(handle, &JobHandle::finished, this, [this, handle](const QVariant& result) {
        if (handle != reading_ || !result.isValid())
            return;
        const InpaintThumbnails page = result.value<InpaintThumbnails>();
        if (!page.error.isEmpty()) {
            grid_->setImages({});
            grid_->setPlaceholder(page.error);
            return;
        }
        first_ = page.first;
        total_ = page.imagesInSource;
        grid_->setImages(page.images);
        range_->setText(tr("Images %1–%2 of %3").arg(first_).arg(first_ + page.images.size() - 1).arg(total_));
        previous_->setEnabled(first_ > 0);
        next_->setEnabled(first_ + page.images.size() < total_);
    });
}

}  // namespace ebm::studio
