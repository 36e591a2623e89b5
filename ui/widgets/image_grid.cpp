#include "widgets/image_grid.h"

#include <QFontMetrics>
#include <QPainter>

#include <cmath>

namespace ebm::studio {
namespace {

/// The grid behind composeGrid and composeCaptionedGrid: no captions, no caption row.
QImage tile(const QVector<QImage>& images, const QStringList& captions, int cols, int pad, int scale,
            const QColor& padColor)
{
    if (images.isEmpty())
        return {};
    scale = qMax(1, scale);
    cols = cols > 0 ? qMin(cols, static_cast<int>(images.size())) : gridColumns(static_cast<int>(images.size()));
    const int rows = (static_cast<int>(images.size()) + cols - 1) / cols;
    const int cellW = images.front().width() * scale, cellH = images.front().height() * scale;
    QFont font;
    font.setPixelSize(qMax(9, cellH / 6));
    const int captionH = captions.isEmpty() ? 0 : QFontMetrics(font).height() + 2;
    QImage grid(pad + cols * (cellW + pad), pad + rows * (cellH + captionH + pad), QImage::Format_RGB32);
    grid.fill(padColor);
    QPainter painter(&grid);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);  // keep pixels crisp
    painter.setFont(font);
    painter.setPen(Qt::black);
    for (int i = 0; i < images.size(); ++i) {
        const int x = pad + (i % cols) * (cellW + pad);
        const int y = pad + (i / cols) * (cellH + captionH + pad);
        painter.drawImage(QRect(x, y, cellW, cellH), images[i]);
        if (captionH > 0)
            painter.drawText(QRect(x, y + cellH, cellW, captionH), Qt::AlignCenter, captions.value(i));
    }
    return grid;
}

}  // namespace

int gridColumns(int n)
{
    return n <= 0 ? 1 : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
}

QImage composeGrid(const QVector<QImage>& images, int cols, int pad, int scale, const QColor& padColor)
{
    return tile(images, {}, cols, pad, scale, padColor);
}

QImage composeCaptionedGrid(const QVector<QImage>& images, const QStringList& captions, int cols, int pad, int scale)
{
    return tile(images, captions, cols, pad, scale, Qt::white);
}

}  // namespace ebm::studio
