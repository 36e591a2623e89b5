#include "image_files.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>

#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "ebm/error.h"

namespace ebm::appkit {
namespace {

QImage squareCrop(const QImage& image)
{
    const int side = std::min(image.width(), image.height());
    return image.copy((image.width() - side) / 2, (image.height() - side) / 2, side, side);
}

bool isImageFile(const QString& name)
{
    static const QStringList suffixes{"png", "jpg", "jpeg", "bmp", "pgm", "ppm"};
    return suffixes.contains(QFileInfo(name).suffix().toLower());
}

}  // namespace

torch::Tensor loadImage(const std::string& path, int channels, int size)
{
    QImageReader reader(QString::fromStdString(path));
    QImage image = reader.read();
    if (image.isNull())
        throw Error(path + ": cannot read image (" + reader.errorString().toStdString() + ")");
    image = squareCrop(image).scaled(size, size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    image = image.convertToFormat(channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    torch::Tensor out = torch::empty({channels, size, size}, torch::kFloat32);
    auto acc = out.accessor<float, 3>();
    for (int y = 0; y < size; ++y) {
        const uchar* row = image.constScanLine(y);
        for (int x = 0; x < size; ++x)
            for (int c = 0; c < channels; ++c)
                acc[c][y][x] = row[x * channels + c] / 255.0f;
    }
    return out;
}

Dataset loadImageFolder(const std::string& folder, int channels, int size)
{
    QDir dir(QString::fromStdString(folder));
    if (!dir.exists())
        throw Error(folder + ": no such folder");
    QStringList names = dir.entryList(QDir::Files, QDir::Name);
    names.erase(std::remove_if(names.begin(), names.end(), [](const QString& n) { return !isImageFile(n); }),
                names.end());
    if (names.isEmpty())
        throw Error(folder + ": holds no PNG, JPEG or BMP images");
    std::vector<torch::Tensor> images;
    images.reserve(static_cast<size_t>(names.size()));
    for (const QString& name : names)
        images.push_back(loadImage(dir.filePath(name).toStdString(), channels, size));
    Dataset data;
    data.name = QFileInfo(QString::fromStdString(folder)).fileName().toStdString();
    data.data = torch::stack(images);
    return data;
}

Dataset openAnyDataset(const std::string& spec, int channels, int size, bool train)
{
    constexpr int kDefaultImageChannels = 3;  // photos are colour unless the caller says otherwise
    if (channels <= 0)
        channels = kDefaultImageChannels;
    QFileInfo info(QString::fromStdString(spec));
    if (info.isFile() && isImageFile(info.fileName())) {
        Dataset data;
        data.name = info.fileName().toStdString();
        data.data = loadImage(spec, channels, size).unsqueeze(0);
        return data;
    }
    if (info.isDir()) {
        const QStringList entries = QDir(info.filePath()).entryList(QDir::Files);
        const bool hasImages = std::any_of(entries.begin(), entries.end(), isImageFile);
        const bool hasData = std::any_of(entries.begin(), entries.end(), [](const QString& n) {
            return n.contains("ubyte") || n.endsWith(".bin");
        });
        if (hasImages && !hasData)
            return loadImageFolder(spec, channels, size);
    }
    return openDataset(spec, train, size);
}

void saveImage(const std::string& path, const torch::Tensor& image)
{
    torch::Tensor img = (image.detach().to(torch::kCPU, torch::kFloat32).clamp(0, 1) * 255.0f + 0.5f).to(torch::kUInt8);
    if (img.dim() != 3 || (img.size(0) != 1 && img.size(0) != 3))
        throw Error(path + ": an image to save must be [1 or 3, H, W]");
    const int channels = static_cast<int>(img.size(0));
    const int h = static_cast<int>(img.size(1)), w = static_cast<int>(img.size(2));
    torch::Tensor hwc = img.permute({1, 2, 0}).contiguous();
    QImage out(w, h, channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    for (int y = 0; y < h; ++y)
        std::memcpy(out.scanLine(y), hwc.data_ptr<uint8_t>() + int64_t(y) * w * channels, size_t(w) * channels);
    if (!out.save(QString::fromStdString(path)))
        throw Error(path + ": could not write the image (check the folder and the file extension)");
}

std::string bundledModelPath()
{
    namespace fs = std::filesystem;
    constexpr const char* kModelFile = "fashion-mnist-res12.ebm";
    if (const char* env = std::getenv("EBM_DEFAULT_MODEL"); env && *env)
        return env;
    for (const fs::path& dir : {fs::path(EBM_INSTALL_DATA_DIR), fs::path(EBM_RESOURCES_DIR)}) {
        std::error_code ec;
        if (fs::exists(dir / kModelFile, ec))
            return (dir / kModelFile).string();
    }
    return (fs::path(EBM_RESOURCES_DIR) / kModelFile).string();
}

}  // namespace ebm::appkit
