// Picture files through Debian's codec libraries: libpng for PNG (its simplified API reads
// pixels; base/png_settings.cpp writes them, with the settings chunk, through its full API) and
// the TurboJPEG API of libjpeg-turbo for JPEG. Both are given whole files from memory, after the
// header's size has been checked, so a hostile header cannot make them allocate gigabytes.
#include "ebm/io/image_file.h"

#include <png.h>
#include <spdlog/spdlog.h>
#include <turbojpeg.h>

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>

#include "ebm/base/error.h"
#include "base/file_util.h"

namespace ebm {
namespace {

namespace fs = std::filesystem;

constexpr int kJpegQuality = 95;
constexpr float kMaxByte = 255.0f;
/// Enlarging a picture more than this many times is said (28x28 Fashion-MNIST pictures to 32x32
/// are not; a 1x1 picture, one gray value stretched to a whole image, is).
constexpr double kQuietUpscale = 2.0;

[[noreturn]] void fail(const std::string& path, const std::string& problem)
{
    throw Error(path + ": " + problem);
}

std::string shapeText(const torch::Tensor& tensor)
{
    if (!tensor.defined())
        return "an undefined tensor";
    std::string text = "[";
    for (int64_t i = 0; i < tensor.dim(); ++i)
        text += (i ? ", " : "") + std::to_string(tensor.size(i));
    return text + "]";
}

std::string lowerExtension(const std::string& path)
{
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

std::string readWholeFile(const std::string& path)
{
    std::string bytes = internal::readFileBytes(path, kMaxPictureFileBytes);
    if (bytes.empty())
        fail(path, "is empty");
    return bytes;
}

void checkDimensions(const std::string& path, int64_t width, int64_t height)
{
    if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels)
        fail(path, "declares " + std::to_string(width) + "x" + std::to_string(height) + " pixels; at most " +
                       std::to_string(kMaxImageSide) + " a side and " + std::to_string(kMaxImagePixels >> 20) +
                       " M pixels are read");
}

/// Decoded 8-bit pixels, interleaved [H, W, channels].
struct Pixels {
    int width = 0, height = 0, channels = 0;
    std::vector<uint8_t> bytes;
};

Pixels decodePng(const std::string& path, const std::string& file, int channels)
{
    png_image image;
    std::memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, file.data(), file.size()))
        fail(path, std::string("not a readable PNG (") + image.message + ")");
    // Frees libpng's state on every exit path, errors included.
    std::unique_ptr<png_image, void (*)(png_imagep)> guard(&image, png_image_free);
    checkDimensions(path, image.width, image.height);
    image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    Pixels pixels{int(image.width), int(image.height), channels, std::vector<uint8_t>(PNG_IMAGE_SIZE(image))};
    png_color black{0, 0, 0};  // transparent parts become black, the data sets' background
    if (!png_image_finish_read(&image, &black, pixels.bytes.data(), 0, nullptr))
        fail(path, std::string("damaged PNG (") + image.message + ")");
    return pixels;
}

Pixels decodeJpeg(const std::string& path, const std::string& file, int channels)
{
    std::unique_ptr<void, int (*)(tjhandle)> handle(tjInitDecompress(), tjDestroy);
    if (!handle)
        fail(path, "libjpeg-turbo could not start a decoder");
    const auto* data = reinterpret_cast<const unsigned char*>(file.data());
    int width = 0, height = 0, subsampling = 0, colourSpace = 0;
    if (tjDecompressHeader3(handle.get(), data, file.size(), &width, &height, &subsampling, &colourSpace) != 0)
        fail(path, std::string("not a readable JPEG (") + tjGetErrorStr2(handle.get()) + ")");
    checkDimensions(path, width, height);
    Pixels pixels{width, height, channels, std::vector<uint8_t>(size_t(width) * size_t(height) * size_t(channels))};
    // Warnings (truncated or corrupt data) end decoding: a half-grey picture is not an input.
    if (tjDecompress2(handle.get(), data, file.size(), pixels.bytes.data(), width, 0, height,
                      channels == 1 ? TJPF_GRAY : TJPF_RGB, TJFLAG_STOPONWARNING) != 0)
        fail(path, std::string("damaged JPEG (") + tjGetErrorStr2(handle.get()) + ")");
    return pixels;
}

Pixels decode(const std::string& path, int channels)
{
    if (channels != 1 && channels != 3)
        fail(path, "pictures are read as 1 (gray) or 3 (RGB) channels, not " + std::to_string(channels));
    const std::string file = readWholeFile(path);
    static const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);
    if (file.compare(0, kPngSignature.size(), kPngSignature) == 0)
        return decodePng(path, file, channels);
    if (file.size() >= 3 && uint8_t(file[0]) == 0xFF && uint8_t(file[1]) == 0xD8 && uint8_t(file[2]) == 0xFF)
        return decodeJpeg(path, file, channels);
    fail(path, "is neither a PNG nor a JPEG picture");
}

/// [C, H, W] in [0, 1] as interleaved bytes [H, W, C]: clipped, NaN as 0, rounded half up.
torch::Tensor toBytes(const std::string& path, const torch::Tensor& image)
{
    const torch::Tensor picture = image.defined() && image.dim() == 2 ? image.unsqueeze(0) : image;
    if (!picture.defined() || picture.dim() != 3 || (picture.size(0) != 1 && picture.size(0) != 3))
        fail(path, "cannot write " + shapeText(image) + " as a picture; expected an image [C, H, W] with C = 1 or 3");
    checkDimensions(path, picture.size(2), picture.size(1));
    return torch::nan_to_num(picture.detach().to(torch::kCPU, torch::kFloat), 0.0, 1.0, 0.0)
        .clamp(0.0, 1.0).mul(kMaxByte).add(0.5f).floor().to(torch::kUInt8).permute({1, 2, 0}).contiguous();
}

std::string encodeJpeg(const std::string& path, const torch::Tensor& bytes)
{
    std::unique_ptr<void, int (*)(tjhandle)> handle(tjInitCompress(), tjDestroy);
    if (!handle)
        fail(path, "libjpeg-turbo could not start an encoder");
    const bool gray = bytes.size(2) == 1;
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    const int status = tjCompress2(handle.get(), bytes.data_ptr<uint8_t>(), int(bytes.size(1)), 0, int(bytes.size(0)),
                                   gray ? TJPF_GRAY : TJPF_RGB, &buffer, &size, gray ? TJSAMP_GRAY : TJSAMP_444,
                                   kJpegQuality, 0);
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(buffer, tjFree);
    if (status != 0)
        fail(path, std::string("libjpeg-turbo could not encode it (") + tjGetErrorStr2(handle.get()) + ")");
    return std::string(reinterpret_cast<const char*>(buffer), size);
}

torch::Tensor squareAndResize(torch::Tensor image, int size)
{
    const int64_t height = image.size(1), width = image.size(2), side = std::min(height, width);
    image = image.narrow(1, (height - side) / 2, side).narrow(2, (width - side) / 2, side);
    if (side == size)
        return image.contiguous();
    namespace F = torch::nn::functional;
    auto options = F::InterpolateFuncOptions().size(std::vector<int64_t>{size, size});
    options = side > size ? options.mode(torch::kArea) : options.mode(torch::kBilinear).align_corners(false);
    return F::interpolate(image.unsqueeze(0), options).squeeze(0).clamp(0, 1);
}

/// A warning when the picture is enlarged so much that it holds little of an image.
void noteLargeUpscale(const std::string& path, int width, int height, int size)
{
    const double factor = static_cast<double>(size) / std::min(width, height);
    if (factor > kQuietUpscale)
        spdlog::warn("{}: a {}x{} picture, scaled up {:.3g} times to {}x{}; so small a picture holds little of an "
                     "image: give one of at least {}x{} pixels",
                     path, width, height, factor, size, size, size / 2, size / 2);
}

}  // namespace

bool isImageFileName(const std::string& name)
{
    const std::string ext = lowerExtension(name);
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

torch::Tensor readImage(const std::string& path, int channels, int size)
{
    Pixels pixels = decode(path, channels);
    torch::Tensor image = torch::from_blob(pixels.bytes.data(), {pixels.height, pixels.width, pixels.channels},
                                           torch::kUInt8)
                              .permute({2, 0, 1})
                              .to(torch::kFloat32)
                              .div(kMaxByte);
    if (size <= 0)
        return image.contiguous();
    noteLargeUpscale(path, pixels.width, pixels.height, size);
    return squareAndResize(image, size);
}

void writeImage(const std::string& path, const torch::Tensor& image)
{
    writeImage(path, image, std::string());
}

void writeImage(const std::string& path, const torch::Tensor& image, const std::string& settingsJson)
{
    const std::string ext = lowerExtension(path);
    if (ext != ".png" && ext != ".jpg" && ext != ".jpeg")
        fail(path, "pictures are written as .png or .jpg; choose one of those extensions");
    const torch::Tensor bytes = toBytes(path, image);
    std::error_code ec;
    const fs::path folder = fs::path(path).parent_path();
    if (!folder.empty() && !fs::is_directory(folder, ec))
        fail(path, "no folder " + folder.string() + " to write it in");
    if (!settingsJson.empty())
        if (const std::string problem = pngSettingsProblem(settingsJson); !problem.empty())
            fail(path, "the settings to keep in it are not EBM Studio settings (" + problem + ")");
    std::string encoded;
    if (ext != ".png") {
        encoded = encodeJpeg(path, bytes);
    } else {
        try {
            encoded = encodePng(bytes.data_ptr<uint8_t>(), int(bytes.size(1)), int(bytes.size(0)), int(bytes.size(2)),
                                size_t(bytes.size(1)) * size_t(bytes.size(2)), settingsJson);
        } catch (const Error& e) {
            fail(path, e.what());
        }
    }
    internal::writeBytesAtomically(path, encoded, "picture");
}

torch::Tensor makeGrid(const torch::Tensor& images, int cols, int pad, float padValue)
{
    if (!images.defined() || images.dim() != 4 || images.size(0) == 0)
        throw Error("makeGrid: expected images [N, C, H, W] with N > 0, got " + shapeText(images));
    const int64_t count = images.size(0), channels = images.size(1);
    const int64_t height = images.size(2), width = images.size(3);
    if (channels != 1 && channels != 3)
        throw Error("makeGrid: images must have 1 or 3 channels, got " + std::to_string(channels));
    if (pad < 0)
        throw Error("makeGrid: padding must not be negative, got " + std::to_string(pad));

    const int64_t columns = cols > 0 ? std::min<int64_t>(cols, count) : int64_t(std::ceil(std::sqrt(double(count))));
    const int64_t rows = (count + columns - 1) / columns;
    const int64_t cellHeight = height + pad, cellWidth = width + pad;

    const torch::Tensor pictures =
        torch::nan_to_num(images.detach().to(torch::kCPU, torch::kFloat), 0.0, 1.0, 0.0).clamp(0.0, 1.0);
    torch::Tensor grid = torch::full({channels, rows * cellHeight + pad, columns * cellWidth + pad}, padValue, torch::kFloat);
    for (int64_t i = 0; i < count; ++i) {
        const int64_t top = pad + (i / columns) * cellHeight, left = pad + (i % columns) * cellWidth;
        grid.narrow(1, top, height).narrow(2, left, width).copy_(pictures[i]);
    }
    return grid;
}

}  // namespace ebm
