#pragma once
// Composing small images into grids and contact sheets (export and previews), Qt only.
#include <QColor>
#include <QImage>
#include <QStringList>
#include <QVector>

namespace ebm::studio {

/// Columns of a near-square grid of n cells.
int gridColumns(int n);

/// Tiles images (all the same size) into one RGB image with `pad` pixels of `padColor` between
/// and around them; each image is enlarged `scale` times with nearest-neighbour pixels.
/// cols <= 0 picks a near-square grid.
QImage composeGrid(const QVector<QImage>& images, int cols = 0, int pad = 2, int scale = 1,
                   const QColor& padColor = Qt::white);

/// composeGrid with a caption under each image (e.g. "step 120"), for contact sheets.
QImage composeCaptionedGrid(const QVector<QImage>& images, const QStringList& captions, int cols = 0, int pad = 2,
                            int scale = 1);

}  // namespace ebm::studio
