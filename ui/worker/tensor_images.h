#pragma once
// Tensors to QImages, for the worker only (this header brings torch; moc never reads it).
#include <QImage>
#include <QString>
#include <QVector>

#include <torch/types.h>

namespace ebm::studio {

/// Images [N, C, H, W] (C = 1 or 3, values clipped to [0, 1]) as one QImage each
/// (Grayscale8 or RGB888), deep copies independent of the tensor.
QVector<QImage> tensorToImages(const torch::Tensor& images);

/// One image [C, H, W] in [0, 1] as a QImage.
QImage tensorToImage(const torch::Tensor& image);

/// An 8-bit image (gray or RGB, as `channels` says) as [C, H, W] float in [0, 1]: the inverse
/// of tensorToImage.
torch::Tensor imageToTensor(const QImage& image, int channels);

/// Values of a tensor, on the CPU, as plain vectors for the GUI.
QVector<double> tensorToDoubles(const torch::Tensor& values);
QVector<float> tensorToFloats(const torch::Tensor& values);

/// "32x32 gray" or "24x24 RGB": how the pages name an image's shape.
QString imageShapeText(int64_t channels, int64_t height, int64_t width);

/// A near-square grid of images [N, C, H, W] with a thin white frame, as one QImage.
QImage tensorGridImage(const torch::Tensor& images, int cols = 0);

}  // namespace ebm::studio
