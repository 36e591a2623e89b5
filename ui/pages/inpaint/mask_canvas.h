#pragma once
// The image to complete with its mask (a MaskDocument) painted over it, on a zoomable, pannable
// canvas. Tools: brush and eraser (size and hardness; a soft edge paints grey, and a pixel is
// generated when its mask value is at least 128), rectangle, and fill (flips the connected
// region under the click). Wheel zooms about the cursor, the middle button (or Space with the
// left) pans. A stroke is painted on a draft of the mask; when it ends, the draft is one edit
// of the document (one undo step). A picture or .npy file dropped on it is offered to the page
// (imageFileDropped) to open as the image to complete.
#include <QColor>
#include <QImage>
#include <QPointF>
#include <QWidget>

class QMimeData;

namespace ebm::studio {

class MaskDocument;

class MaskCanvas : public QWidget {
    Q_OBJECT
public:
    enum class Tool { Brush, Eraser, Rectangle, Fill };

    /// Shows and edits `document`'s mask.
    explicit MaskCanvas(MaskDocument* document, QWidget* parent = nullptr);

    MaskDocument* document() const { return document_; }
    /// The image under the mask, as the model gets it (the document has its size).
    void setImage(const QImage& image);
    const QImage& image() const { return image_; }
    /// What is shown: the stroke being painted, else the document's mask.
    const QImage& shownMask() const;

    void setTool(Tool tool) { tool_ = tool; }
    Tool tool() const { return tool_; }
    /// Brush diameter in image pixels.
    void setBrushSize(double pixels) { brushSize_ = qBound(0.5, pixels, 256.0); }
    double brushSize() const { return brushSize_; }
    /// 1: hard edge; 0: soft all the way from the centre.
    void setHardness(double hardness) { hardness_ = qBound(0.0, hardness, 1.0); }
    void setOverlayColor(const QColor& color);
    QColor overlayColor() const { return overlay_; }
    void setOverlayOpacity(double opacity);

    /// Screen pixels per image pixel.
    double zoom() const { return zoom_; }
    /// Zooms keeping the image point under `anchor` (widget coordinates) where it is.
    void setZoom(double zoom, const QPointF& anchor);
    void fitToWindow();
    void actualPixels();
    QPointF widgetToImage(const QPointF& point) const;
    QPointF imageToWidget(const QPointF& point) const;

    /// The local picture or .npy file a drag carries (the first URL), or empty when it carries
    /// none: what the canvas accepts as a drop.
    static QString droppedImageFile(const QMimeData* mime);

Q_SIGNALS:
    void zoomChanged(double zoom);
    /// A picture or .npy file was dropped on the canvas.
    void imageFileDropped(const QString& path);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void dab(const QPointF& at);
    void strokeTo(const QPointF& at);
    void fillAt(const QPointF& at);
    void fillRectangle(const QPointF& a, const QPointF& b);
    void finishEdit(const QString& text);

    MaskDocument* document_;
    QImage image_;
    QImage draft_;              // the mask with the stroke so far; null between strokes
    Tool tool_ = Tool::Brush;
    double brushSize_ = 4.0;
    double hardness_ = 0.8;
    QColor overlay_ = QColor(255, 40, 120);
    double opacity_ = 0.5;
    double zoom_ = 8.0;
    QPointF offset_;            // widget position of the image's top-left corner
    bool fitted_ = true;        // follow the widget's size until the person zooms
    bool painting_ = false;
    bool panning_ = false;
    bool spaceHeld_ = false;
    QPointF lastImagePoint_;
    QPointF rectangleStart_;
    QPointF rectangleEnd_;
    QPointF panStart_;
    QPointF offsetAtPanStart_;
};

}  // namespace ebm::studio
