#include "pages/inpaint/mask_canvas.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QKeyEvent>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "pages/inpaint/mask_document.h"

namespace ebm::studio {
namespace {

constexpr double kMinZoom = 1.0, kMaxZoom = 64.0;
constexpr double kWheelZoomStep = 1.25;    // per wheel notch
constexpr double kDabSpacing = 0.25;       // of the brush diameter, between dabs of a stroke
constexpr double kFitMargin = 0.95;

bool generated(const QImage& mask, int x, int y)
{
    return mask.constScanLine(y)[x] >= MaskDocument::kGenerateThreshold;
}

}  // namespace

MaskCanvas::MaskCanvas(MaskDocument* document, QWidget* parent) : QWidget(parent), document_(document)
{
    setObjectName(QStringLiteral("maskCanvas"));
    setMinimumSize(160, 160);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAcceptDrops(true);
    setToolTip(tr("Paint the pixels to generate. Wheel: zoom; middle button or Space + drag: pan; "
                  "drop a picture or .npy file to complete it"));
    connect(document_, &MaskDocument::maskChanged, this, qOverload<>(&QWidget::update));
    QImage blank(document_->size(), QImage::Format_Grayscale8);  // until an image is opened
    blank.fill(0);
    setImage(blank);
}

void MaskCanvas::setImage(const QImage& image)
{
    image_ = image;
    if (fitted_)
        fitToWindow();
    update();
}

const QImage& MaskCanvas::shownMask() const { return draft_.isNull() ? document_->mask() : draft_; }

void MaskCanvas::setOverlayColor(const QColor& color)
{
    overlay_ = color;
    update();
}

void MaskCanvas::setOverlayOpacity(double opacity)
{
    opacity_ = qBound(0.0, opacity, 1.0);
    update();
}

QPointF MaskCanvas::widgetToImage(const QPointF& point) const { return (point - offset_) / zoom_; }
QPointF MaskCanvas::imageToWidget(const QPointF& point) const { return point * zoom_ + offset_; }

void MaskCanvas::setZoom(double zoom, const QPointF& anchor)
{
    const QPointF under = widgetToImage(anchor);
    zoom_ = std::clamp(zoom, kMinZoom, kMaxZoom);
    offset_ = anchor - under * zoom_;
    fitted_ = false;
    update();
    Q_EMIT zoomChanged(zoom_);
}

void MaskCanvas::fitToWindow()
{
    if (image_.isNull())
        return;
    zoom_ = std::clamp(kFitMargin * std::min(double(width()) / image_.width(), double(height()) / image_.height()),
                       kMinZoom, kMaxZoom);
    offset_ = QPointF((width() - zoom_ * image_.width()) / 2, (height() - zoom_ * image_.height()) / 2);
    fitted_ = true;
    update();
    Q_EMIT zoomChanged(zoom_);
}

void MaskCanvas::actualPixels() { setZoom(1.0, rect().center()); }

void MaskCanvas::resizeEvent(QResizeEvent*)
{
    if (fitted_)
        fitToWindow();
}

void MaskCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(40, 40, 44));
    const QRectF target(offset_, QSizeF(image_.width() * zoom_, image_.height() * zoom_));
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);  // pixels stay pixels
    p.drawImage(target, image_);
    // The mask as a coloured overlay: its value is the overlay's alpha.
    const QImage& mask = shownMask();
    QImage overlay(mask.size(), QImage::Format_ARGB32_Premultiplied);
    for (int y = 0; y < mask.height(); ++y) {
        const uchar* m = mask.constScanLine(y);
        auto* out = reinterpret_cast<QRgb*>(overlay.scanLine(y));
        for (int x = 0; x < mask.width(); ++x) {
            const int alpha = qRound(m[x] * opacity_);
            out[x] = qPremultiply(qRgba(overlay_.red(), overlay_.green(), overlay_.blue(), alpha));
        }
    }
    p.drawImage(target, overlay);
    if (zoom_ >= 8.0) {  // a pixel grid where pixels are big enough to aim at
        p.setPen(QColor(255, 255, 255, 25));
        for (int x = 1; x < image_.width(); ++x) {
            const double at = target.left() + x * zoom_;
            p.drawLine(QPointF(at, target.top()), QPointF(at, target.bottom()));
        }
        for (int y = 1; y < image_.height(); ++y) {
            const double at = target.top() + y * zoom_;
            p.drawLine(QPointF(target.left(), at), QPointF(target.right(), at));
        }
    }
    p.setPen(QPen(QColor(255, 255, 255, 120), 1));
    p.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5));
    if (painting_ && tool_ == Tool::Rectangle) {
        p.setPen(QPen(overlay_, 1, Qt::DashLine));
        p.drawRect(QRectF(imageToWidget(rectangleStart_), imageToWidget(rectangleEnd_)).normalized());
    }
}

void MaskCanvas::dab(const QPointF& at)
{
    const double radius = brushSize_ / 2.0;
    const double inner = hardness_ * radius;
    const bool erase = tool_ == Tool::Eraser;
    const int x0 = std::max(0, int(std::floor(at.x() - radius)));
    const int x1 = std::min(draft_.width() - 1, int(std::ceil(at.x() + radius)));
    const int y0 = std::max(0, int(std::floor(at.y() - radius)));
    const int y1 = std::min(draft_.height() - 1, int(std::ceil(at.y() + radius)));
    for (int y = y0; y <= y1; ++y) {
        uchar* row = draft_.scanLine(y);
        for (int x = x0; x <= x1; ++x) {
            // Distance from the brush centre to the pixel's centre.
            const double d = std::hypot(x + 0.5 - at.x(), y + 0.5 - at.y());
            double strength = d <= inner ? 1.0 : (d >= radius ? 0.0 : (radius - d) / std::max(1e-9, radius - inner));
            if (radius < 0.75 && d < 0.75)
                strength = 1.0;  // a one-pixel brush always hits the pixel it is over
            const int value = qRound(255 * strength);
            row[x] = erase ? uchar(std::min<int>(row[x], 255 - value)) : uchar(std::max<int>(row[x], value));
        }
    }
}

void MaskCanvas::strokeTo(const QPointF& at)
{
    const QPointF from = lastImagePoint_;
    const double length = std::hypot(at.x() - from.x(), at.y() - from.y());
    const int dabs = std::max(1, int(std::ceil(length / std::max(0.25, kDabSpacing * brushSize_))));
    for (int i = 1; i <= dabs; ++i)
        dab(from + (at - from) * (double(i) / dabs));
    lastImagePoint_ = at;
    update();
}

void MaskCanvas::fillAt(const QPointF& at)
{
    const int sx = int(std::floor(at.x())), sy = int(std::floor(at.y()));
    if (sx < 0 || sy < 0 || sx >= draft_.width() || sy >= draft_.height())
        return;
    // Flips the 4-connected region of pixels in the same state as the one clicked.
    const bool state = generated(draft_, sx, sy);
    const uchar value = state ? 0 : 255;
    std::vector<QPoint> todo{{sx, sy}};
    std::vector<char> seen(size_t(draft_.width()) * draft_.height(), 0);
    while (!todo.empty()) {
        const QPoint q = todo.back();
        todo.pop_back();
        if (q.x() < 0 || q.y() < 0 || q.x() >= draft_.width() || q.y() >= draft_.height())
            continue;
        char& mark = seen[size_t(q.y()) * draft_.width() + q.x()];
        if (mark || generated(draft_, q.x(), q.y()) != state)
            continue;
        mark = 1;
        draft_.scanLine(q.y())[q.x()] = value;
        todo.insert(todo.end(), {{q.x() + 1, q.y()}, {q.x() - 1, q.y()}, {q.x(), q.y() + 1}, {q.x(), q.y() - 1}});
    }
    update();
}

void MaskCanvas::fillRectangle(const QPointF& a, const QPointF& b)
{
    const QRectF area = QRectF(a, b).normalized();
    for (int y = 0; y < draft_.height(); ++y)
        for (int x = 0; x < draft_.width(); ++x)
            if (area.contains(QPointF(x + 0.5, y + 0.5)))
                draft_.scanLine(y)[x] = 255;
    update();
}

void MaskCanvas::finishEdit(const QString& text)
{
    const QImage edited = std::exchange(draft_, QImage());
    document_->edit(edited, text);  // nothing is recorded when the stroke changed nothing
    update();
}

void MaskCanvas::mousePressEvent(QMouseEvent* event)
{
    const QPointF at = event->position();
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && spaceHeld_)) {
        panning_ = true;
        panStart_ = at;
        offsetAtPanStart_ = offset_;
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;
    draft_ = document_->mask();
    const QPointF point = widgetToImage(at);
    switch (tool_) {
    case Tool::Brush:
    case Tool::Eraser:
        painting_ = true;
        lastImagePoint_ = point;
        dab(point);
        update();
        break;
    case Tool::Rectangle:
        painting_ = true;
        rectangleStart_ = rectangleEnd_ = point;
        update();
        break;
    case Tool::Fill:
        fillAt(point);
        finishEdit(tr("Fill"));
        break;
    }
}

void MaskCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const QPointF at = event->position();
    if (panning_) {
        offset_ = offsetAtPanStart_ + (at - panStart_);
        fitted_ = false;
        update();
        return;
    }
    if (!painting_)
        return;
    if (tool_ == Tool::Rectangle) {
        rectangleEnd_ = widgetToImage(at);
        update();
    } else {
        strokeTo(widgetToImage(at));
    }
}

void MaskCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (panning_) {
        panning_ = false;
        return;
    }
    if (!painting_ || event->button() != Qt::LeftButton)
        return;
    painting_ = false;
    if (tool_ == Tool::Rectangle) {
        fillRectangle(rectangleStart_, widgetToImage(event->position()));
        finishEdit(tr("Rectangle"));
    } else {
        strokeTo(widgetToImage(event->position()));
        finishEdit(tool_ == Tool::Eraser ? tr("Erase stroke") : tr("Brush stroke"));
    }
}

void MaskCanvas::wheelEvent(QWheelEvent* event)
{
    const double notches = event->angleDelta().y() / 120.0;
    if (notches != 0.0)
        setZoom(zoom_ * std::pow(kWheelZoomStep, notches), event->position());
    event->accept();
}

QString MaskCanvas::droppedImageFile(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().isEmpty() || !mime->urls().front().isLocalFile())
        return {};
    const QString path = mime->urls().front().toLocalFile();
    // What the page opens: the file dialog's "Images and arrays".
    static const QStringList kSuffixes{QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"),
                                       QStringLiteral("npy")};
    return kSuffixes.contains(QFileInfo(path).suffix().toLower()) ? path : QString();
}

void MaskCanvas::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedImageFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MaskCanvas::dropEvent(QDropEvent* event)
{
    const QString path = droppedImageFile(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    Q_EMIT imageFileDropped(path);
}

void MaskCanvas::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        spaceHeld_ = true;
        setCursor(Qt::OpenHandCursor);
        return;
    }
    QWidget::keyPressEvent(event);
}

void MaskCanvas::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        spaceHeld_ = false;
        unsetCursor();
        return;
    }
    QWidget::keyReleaseEvent(event);
}

}  // namespace ebm::studio
