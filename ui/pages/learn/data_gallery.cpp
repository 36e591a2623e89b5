#include "pages/learn/data_gallery.h"

#include <QButtonGroup>
#include <QEvent>
#include <QHBoxLayout>
#include <QIcon>
#include <QPainter>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <memory>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "pages/learn/learn_fields.h"
#include "pages/learn/learn_jobs.h"

namespace ebm::studio {
namespace {

constexpr int kPointsPerSet = 400;       // enough to show the shape, few enough to see each point
constexpr quint64 kSeed = 1;
constexpr int kMaxSide = 96;
constexpr int kMinSide = 64;             // below it the strip scrolls instead of shrinking further
constexpr int kSpacing = 4;
// What a button adds around its picture: border and padding (the style sheet below), and under
// it the gap to the name.
constexpr int kTileExtraWidth = 12;
constexpr int kTileExtraHeight = 14;
constexpr int kLabelInset = 8;           // the name's room: the tile less its border and padding
constexpr double kMargin = 1.1;          // the outermost point stays clear of the edge
constexpr double kDotRadius = 1.2;
constexpr int kDotAlpha = 160;
const QString kToyPrefix = QStringLiteral("toy:");

/// The name under a thumbnail: the core's toys without their "toy:" (the tooltip has it whole).
QString shownName(const QString& spec) { return spec.startsWith(kToyPrefix) ? spec.mid(kToyPrefix.size()) : spec; }

}  // namespace

DataGallery::DataGallery(StudioEngine* engine, const QStringList& names, QWidget* parent)
    : QWidget(parent), engine_(engine), names_(names)
{
    setObjectName(QStringLiteral("learnDataGallery"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    auto* row = new QWidget;
    row->setObjectName(QStringLiteral("learnDataGalleryRow"));
    // The chosen set stands out on every palette; the others show a frame only under the mouse.
    row->setStyleSheet(QStringLiteral("QToolButton { border: 2px solid transparent; border-radius: 6px; padding: 2px; }"
                                      "QToolButton:hover { border-color: palette(mid); }"
                                      "QToolButton:checked { border-color: palette(highlight);"
                                      " background-color: palette(alternate-base); }"));
    auto* tiles = new QHBoxLayout(row);
    tiles->setContentsMargins(0, 0, 0, 0);
    tiles->setSpacing(kSpacing);
    group_ = new QButtonGroup(this);
    group_->setExclusive(true);
    pictures_.resize(names_.size());
    QFont labelFont = font();
    if (labelFont.pointSizeF() > 0)
        labelFont.setPointSizeF(labelFont.pointSizeF() * 0.9);
    for (int i = 0; i < names_.size(); ++i) {
        auto* tile = new QToolButton;
        tile->setObjectName(QStringLiteral("learnGallery-%1").arg(names_[i]));
        tile->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
        tile->setCheckable(true);
        tile->setFont(labelFont);
        tile->setToolTip(tr("%1: click to load it (as choosing it under Data > Set does)").arg(names_[i]));
        group_->addButton(tile, i);
        tiles->addWidget(tile);
        buttons_.push_back(tile);
    }
    tiles->addStretch(1);
    connect(group_, &QButtonGroup::idClicked, this, [this](int id) { Q_EMIT chosen(names_.value(id)); });

    scroll_ = new QScrollArea;
    scroll_->setFrameShape(QFrame::NoFrame);
    scroll_->setWidget(row);
    scroll_->setWidgetResizable(true);
    scroll_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll_);
    side_ = 0;   // fitToWidth sizes everything the first time
    fitToWidth();
}

void DataGallery::setCurrent(const QString& name)
{
    const int index = int(names_.indexOf(name));
    if (index >= 0) {
        buttons_[index]->setChecked(true);
        return;
    }
    // An exclusive group keeps one button checked: let go of it for a moment.
    group_->setExclusive(false);
    for (QToolButton* tile : buttons_)
        tile->setChecked(false);
    group_->setExclusive(true);
}

QString DataGallery::current() const
{
    const int id = group_->checkedId();
    return id >= 0 ? names_.value(id) : QString();
}

QToolButton* DataGallery::button(const QString& name) const
{
    const int index = int(names_.indexOf(name));
    return index >= 0 ? buttons_[index] : nullptr;
}

QImage DataGallery::thumbnail(const QString& name) const
{
    const int index = int(names_.indexOf(name));
    return index >= 0 ? pictures_[index].toImage() : QImage();
}

bool DataGallery::isLoading() const { return loading_ && loading_->isActive(); }

void DataGallery::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    load();
    fitToWidth();
}

void DataGallery::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitToWidth();
}

void DataGallery::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        redraw();   // the pictures take the palette's colours
}

void DataGallery::load()
{
    if (asked_ || !engine_)
        return;
    // Model-free and quick: it also runs between two steps of a training run, so the thumbnails
    // do not wait for the run's end.
    loading_ = engine_->start(std::make_unique<LearnGalleryJob>(names_, kPointsPerSet, kSeed),
                              JobRunner::StartPolicy::GuestOrQueue);
    if (!loading_)
        return;
    asked_ = true;
    connect(loading_, &JobHandle::finished, this, [this](const QVariant& value) {
        if (!value.canConvert<LearnGalleryResult>()) {
            asked_ = false;   // dropped before it ran (the worker was stopped): the next showing asks again
            return;
        }
        const LearnGalleryResult result = value.value<LearnGalleryResult>();
        if (!result.error.isEmpty()) {
            Q_EMIT problem(tr("The data set gallery could not be drawn: %1").arg(result.error));
            return;
        }
        if (result.cancelled) {
            asked_ = false;
            return;
        }
        take(result.items);
    });
}

void DataGallery::take(const QVector<LearnGalleryItem>& items)
{
    // One scale for all (at least the plane's [-3, 3]^2): the sets' sizes compare as on the plane.
    double reach = kLearnExtent;
    for (const LearnGalleryItem& item : items) {
        points_.insert(item.spec, item.points);
        for (const QPointF& p : item.points)
            reach = std::max({reach, std::abs(p.x()), std::abs(p.y())});
    }
    halfWidth_ = kMargin * reach;
    loaded_ = true;
    redraw();
    Q_EMIT loaded();
}

QSize DataGallery::tileSize(int side) const
{
    const int label = buttons_.isEmpty() ? 0 : buttons_.front()->fontMetrics().height();
    return {side + kTileExtraWidth, side + kTileExtraHeight + label};
}

void DataGallery::fitToWidth()
{
    if (buttons_.isEmpty())
        return;
    const int count = int(buttons_.size());
    const int perTile = (width() - (count - 1) * kSpacing) / count;
    const int side = std::clamp(perTile - kTileExtraWidth, kMinSide, kMaxSide);
    if (side != side_) {
        side_ = side;
        const QSize tile = tileSize(side_);
        for (int i = 0; i < count; ++i) {
            QToolButton* button = buttons_[i];
            button->setIconSize(QSize(side_, side_));
            button->setFixedSize(tile);
            button->setText(button->fontMetrics().elidedText(shownName(names_[i]), Qt::ElideMiddle,
                                                              tile.width() - kLabelInset));
        }
        redraw();
    }
    // The strip is as tall as its tiles, and the scroll bar when they do not fit side by side.
    const int rowWidth = count * tileSize(side_).width() + (count - 1) * kSpacing;
    const int bar = rowWidth > width() ? scroll_->horizontalScrollBar()->sizeHint().height() : 0;
    // The scroll area too: a height changed inside resizeEvent does not reach it through the
    // layout until the next resize, and its viewport would clip the tiles' names.
    const int stripHeight = tileSize(side_).height() + bar;
    scroll_->setFixedHeight(stripHeight);
    setFixedHeight(stripHeight);
}

void DataGallery::redraw()
{
    for (int i = 0; i < buttons_.size(); ++i) {
        pictures_[i] = draw(points_.value(names_[i]));
        buttons_[i]->setIcon(QIcon(pictures_[i]));
    }
}

QPixmap DataGallery::draw(const QVector<QPointF>& points) const
{
    const qreal ratio = devicePixelRatioF();
    QPixmap picture(QSize(side_, side_) * ratio);
    picture.setDevicePixelRatio(ratio);
    picture.fill(palette().color(QPalette::Base));
    if (points.isEmpty())
        return picture;
    QPainter painter(&picture);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    QColor dot = palette().color(QPalette::Text);
    dot.setAlpha(kDotAlpha);
    painter.setBrush(dot);
    // y rises upwards, as on the plane.
    const double scale = side_ / (2.0 * halfWidth_);
    for (const QPointF& p : points)
        painter.drawEllipse(QPointF((p.x() + halfWidth_) * scale, (halfWidth_ - p.y()) * scale), kDotRadius,
                            kDotRadius);
    return picture;
}

}  // namespace ebm::studio
