#include "worker/tensor_images.h"

#include <torch/torch.h>

#include <QObject>

#include <cstring>

#include "ebm/base/error.h"
#include "ebm/io/image_file.h"

namespace ebm::studio {
namespace {

/// [N, C, H, W] float -> [N, H, W, C] uint8, contiguous on the CPU.
torch::Tensor toBytesHwc(const torch::Tensor& images)
{
    return (images.detach().to(torch::kCPU, torch::kFloat32).clamp(0, 1) * 255.0f + 0.5f)
        .to(torch::kUInt8)
        .permute({0, 2, 3, 1})
        .contiguous();
}

QImage imageFromBytes(const uint8_t* data, int width, int height, int channels)
{
    QImage image(width, height, channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    const size_t rowBytes = static_cast<size_t>(width) * channels;
    // QImage rows are 4-byte aligned, the tensor's are packed: copy row by row.
    for (int y = 0; y < height; ++y)
        std::memcpy(image.scanLine(y), data + static_cast<size_t>(y) * rowBytes, rowBytes);
    return image;
}

}  // namespace

QVector<QImage> tensorToImages(const torch::Tensor& images)
{
    if (!images.defined() || images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3))
        throw Error("only images [N, 1 or 3, H, W] can be shown");
    const torch::Tensor bytes = toBytesHwc(images);
    const int n = static_cast<int>(bytes.size(0));
    const int h = static_cast<int>(bytes.size(1)), w = static_cast<int>(bytes.size(2));
    const int c = static_cast<int>(bytes.size(3));
    const size_t perImage = static_cast<size_t>(h) * w * c;
    QVector<QImage> out;
    out.reserve(n);
    const uint8_t* base = bytes.data_ptr<uint8_t>();
    for (int i = 0; i < n; ++i)
        out.push_back(imageFromBytes(base + perImage * i, w, h, c));
    return out;
}

QImage tensorToImage(const torch::Tensor& image)
{
    const QVector<QImage> one = tensorToImages(image.unsqueeze(0));
    return one.front();
}

QImage tensorGridImage(const torch::Tensor& images, int cols)
{
    return tensorToImage(ebm::makeGrid(images.detach().to(torch::kCPU).clamp(0, 1), cols));
}

torch::Tensor imageToTensor(const QImage& image, int channels)
{
    const QImage packed = image.convertToFormat(channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    torch::Tensor bytes = torch::empty({packed.height(), packed.width(), channels}, torch::kUInt8);
    const size_t rowBytes = static_cast<size_t>(packed.width()) * channels;
    for (int y = 0; y < packed.height(); ++y)
        std::memcpy(bytes.data_ptr<uint8_t>() + y * rowBytes, packed.constScanLine(y), rowBytes);
    return bytes.permute({2, 0, 1}).to(torch::kFloat32).div(255.0f).contiguous();
}

QVector<double> tensorToDoubles(const torch::Tensor& values)
{
    const torch::Tensor v = values.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    return QVector<double>(v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
}

QVector<float> tensorToFloats(const torch::Tensor& values)
{
    const torch::Tensor v = values.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return QVector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
}

QString imageShapeText(int64_t channels, int64_t height, int64_t width)
{
    return QStringLiteral("%1x%2 %3").arg(width).arg(height).arg(channels == 1 ? QObject::tr("gray") : QObject::tr("RGB"));
}

}  // namespace ebm::studio
