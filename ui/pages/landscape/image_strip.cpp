#include "pages/landscape/image_strip.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace ebm::studio {
namespace {

constexpr int kPreferredHeight = 110;
constexpr int kMinimumHeight = 48;
const QColor kCursorFrame(225, 120, 30);

}  // namespace

ImageStrip::ImageStrip(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setToolTip(tr("The images along the path: the straight line on top, the relaxed path below it. "
                  "Click or drag to move the chart's cursor."));
}

void ImageStrip::setStrip(const QImage& strip, int columns, int rows, int padding)
{
    strip_ = strip;
    columns_ = strip.isNull() ? 0 : columns;
    rows_ = strip.isNull() ? 0 : rows;
    padding_ = padding;
    cursor_ = std::min(cursor_, columns_ - 1);
    updateGeometry();
    update();
}

void ImageStrip::clear() { setStrip(QImage(), 0, 0, 0); }

void ImageStrip::setCursorColumn(int column)
{
    cursor_ = column;
    update();
}

QRectF ImageStrip::target() const
{
    if (strip_.isNull())
        return {};
    const double scale = std::min(double(width()) / strip_.width(), double(height()) / strip_.height());
    return QRectF(0.0, 0.0, strip_.width() * scale, strip_.height() * scale);
}

int ImageStrip::columnAt(const QPoint& at) const
{
    const QRectF drawn = target();
    if (columns_ <= 0 || !drawn.contains(at))
        return -1;
    const double cell = (strip_.width() - padding_) / double(columns_);   // an image and one padding
    const double x = (at.x() - drawn.left()) * strip_.width() / drawn.width() - padding_ / 2.0;
    return std::clamp(static_cast<int>(x / cell), 0, columns_ - 1);
}

QSize ImageStrip::sizeHint() const { return QSize(4 * kPreferredHeight, kPreferredHeight); }

QSize ImageStrip::minimumSizeHint() const { return QSize(kMinimumHeight, kMinimumHeight); }

void ImageStrip::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    if (strip_.isNull()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("The images along the path appear here."));
        return;
    }
    const QRectF drawn = target();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);   // pixels stay pixels
    painter.drawImage(drawn, strip_);
    if (cursor_ < 0 || cursor_ >= columns_)
        return;
    const double scale = drawn.width() / strip_.width();
    const double cell = (strip_.width() - padding_) / double(columns_);
    painter.setPen(QPen(kCursorFrame, 2.0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(QRectF(drawn.left() + cursor_ * cell * scale, drawn.top(), (cell + padding_) * scale, drawn.height()));
}

void ImageStrip::mousePressEvent(QMouseEvent* event)
{
    const int column = columnAt(event->position().toPoint());
    if (column >= 0)
        Q_EMIT columnChosen(column);
}

void ImageStrip::mouseMoveEvent(QMouseEvent* event)
{
    if (event->buttons() & Qt::LeftButton)
        mousePressEvent(event);
}

}  // namespace ebm::studio
