#include "image_grid.h"

#include <QPainter>

#include <cmath>

namespace ebm::studio {

int gridColumns(int n)
{
    return n <= 0 ? 1 : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
}

QImage composeGrid(const QVector<QImage>& images, int cols, int pad, int scale, const QColor& padColor)
{
    if (images.isEmpty())
        return {};
    scale = qMax(1, scale);
    cols = cols > 0 ? qMin(cols, static_cast<int>(images.size())) : gridColumns(static_cast<int>(images.size()));
    const int rows = (static_cast<int>(images.size()) + cols - 1) / cols;
    const int cellW = images.front().width() * scale, cellH = images.front().height() * scale;
    QImage grid(pad + cols * (cellW + pad), pad + rows * (cellH + pad), QImage::Format_RGB32);
    grid.fill(padColor);
    QPainter painter(&grid);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);  // keep pixels crisp
    for (int i = 0; i < images.size(); ++i) {
        const QRect cell(pad + (i % cols) * (cellW + pad), pad + (i / cols) * (cellH + pad), cellW, cellH);
        painter.drawImage(cell, images[i]);
    }
    return grid;
}

}  // namespace ebm::studio
