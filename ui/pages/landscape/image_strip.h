#pragma once
// The images along a path as one strip (a row per path: the straight line, then the relaxed
// band), scaled to the width it has without smoothing; the point under the chart's cursor is
// framed, and a click or drag on the strip moves the cursor.
#include <QImage>
#include <QWidget>

namespace ebm::studio {

class ImageStrip : public QWidget {
    Q_OBJECT
public:
    explicit ImageStrip(QWidget* parent = nullptr);

    /// `strip`: `columns` x `rows` images in ebm::makeGrid's layout with `padding` pixels around each.
    void setStrip(const QImage& strip, int columns, int rows, int padding);
    void clear();
    const QImage& strip() const { return strip_; }
    int columns() const { return columns_; }
    int rows() const { return rows_; }
    void setCursorColumn(int column);
    int cursorColumn() const { return cursor_; }
    /// The column at a point of the widget; -1 off the strip.
    int columnAt(const QPoint& at) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void columnChosen(int column);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    /// Where the strip is drawn in the widget.
    QRectF target() const;

    QImage strip_;
    int columns_ = 0;
    int rows_ = 0;
    int padding_ = 0;
    int cursor_ = -1;
};

}  // namespace ebm::studio
