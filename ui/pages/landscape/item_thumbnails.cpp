#include "pages/landscape/item_thumbnails.h"

#include <QGridLayout>
#include <QLabel>
#include <QPixmap>
#include <QShowEvent>
#include <QTimer>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"

namespace ebm::studio {
namespace {

constexpr int kThumbnailSide = 64;
constexpr int kLoadDelayMs = 400;   // typing an index or a path: load when the person pauses

}  // namespace

ItemThumbnails::ItemThumbnails(StudioEngine* engine, const QString& jobKind, const QStringList& names, QWidget* parent)
    : QWidget(parent), engine_(engine), jobKind_(jobKind), names_(names)
{
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    for (int i = 0; i < names.size(); ++i) {
        auto* picture = new QLabel;
        picture->setFixedSize(kThumbnailSide, kThumbnailSide);
        picture->setAlignment(Qt::AlignCenter);
        picture->setFrameShape(QFrame::StyledPanel);
        picture->setObjectName(QStringLiteral("thumbnail%1").arg(i));
        auto* caption = new QLabel(names[i]);
        caption->setAlignment(Qt::AlignCenter);
        layout->addWidget(picture, 0, i, Qt::AlignHCenter);
        layout->addWidget(caption, 1, i, Qt::AlignHCenter);
        pictures_ << picture;
        captions_ << caption;
    }
    layout->setColumnStretch(names.size(), 1);
    delay_ = new QTimer(this);
    delay_->setSingleShot(true);
    delay_->setInterval(kLoadDelayMs);
    connect(delay_, &QTimer::timeout, this, &ItemThumbnails::load);
    connect(engine_, &StudioEngine::modelLoaded, this, &ItemThumbnails::reload);
}

void ItemThumbnails::request(const QString& dataSet, const QVector<LandscapeItem>& items)
{
    dataSet_ = dataSet;
    items_ = items;
    delay_->start();
}

void ItemThumbnails::reload()
{
    if (!items_.isEmpty())
        delay_->start();
}

bool ItemThumbnails::isLoading() const { return delay_->isActive() || (loading_ && loading_->isActive()); }

void ItemThumbnails::setItemsInUse(bool inUse)
{
    for (QLabel* picture : pictures_)
        picture->setEnabled(inUse);
    for (QLabel* caption : captions_)
        caption->setEnabled(inUse);
}

void ItemThumbnails::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (loadWhenShown_) {
        loadWhenShown_ = false;
        delay_->start();
    }
}

void ItemThumbnails::load()
{
    // A page in the background (the studio starting, a model opened elsewhere) waits until it is
    // shown: the worker stays free for the page in front.
    if (!isVisible()) {
        loadWhenShown_ = true;
        return;
    }
    if (!engine_->hasModel()) {
        LandscapeImages none;
        for (int i = 0; i < items_.size(); ++i) {
            none.images << QImage();
            none.errors << tr("open a model first");
        }
        show(none);
        return;
    }
    loading_ = engine_->start(std::make_unique<LandscapeImagesJob>(jobKind_, dataSet_, items_),
                              JobRunner::StartPolicy::Replace);
    if (!loading_)
        return;
    connect(loading_, &JobHandle::finished, this, [this](const QVariant& value) {
        if (value.canConvert<LandscapeImages>())
            show(value.value<LandscapeImages>());
    });
}

void ItemThumbnails::show(const LandscapeImages& loaded)
{
    images_ = loaded.images;
    errors_ = loaded.errors;
    for (int i = 0; i < pictures_.size(); ++i) {
        const QImage image = images_.value(i);
        const QString error = errors_.value(i);
        if (image.isNull()) {
            pictures_[i]->setPixmap(QPixmap());
            pictures_[i]->setText(tr("?"));
        } else {
            // Nearest neighbour: a 16x16 image stays sharp at thumbnail size.
            pictures_[i]->setPixmap(QPixmap::fromImage(
                image.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio, Qt::FastTransformation)));
        }
        const QString name = names_.value(i);
        pictures_[i]->setToolTip(error.isEmpty() ? describeItem(items_.value(i), dataSet_) : error);
        captions_[i]->setText(error.isEmpty() ? name : tr("%1 ⚠").arg(name));
        captions_[i]->setToolTip(error);
    }
}

}  // namespace ebm::studio
