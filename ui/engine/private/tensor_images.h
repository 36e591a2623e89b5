#pragma once
// Tensors to QImages, for the worker only (this header brings torch; moc never reads it).
#include <QImage>
#include <QVector>

#include <torch/types.h>

namespace ebm::studio {

/// Images [N, C, H, W] (C = 1 or 3, values clipped to [0, 1]) as one QImage each
/// (Grayscale8 or RGB888), deep copies independent of the tensor.
QVector<QImage> tensorToImages(const torch::Tensor& images);

/// One image [C, H, W] in [0, 1] as a QImage.
QImage tensorToImage(const torch::Tensor& image);

/// A near-square grid of images [N, C, H, W] with a thin white frame, as one QImage.
QImage tensorGridImage(const torch::Tensor& images, int cols = 0);

}  // namespace ebm::studio
