// Picture files through Debian's codec libraries: libpng for PNG (its simplified API reads
// pixels; its full API writes, for the settings chunk, and reads that chunk) and the TurboJPEG API
// of libjpeg-turbo for JPEG. Both are given whole files from memory, after the header's size has
// been checked, so a hostile header cannot make them allocate gigabytes.
#include "ebm/io/image_file.h"

#include <png.h>
#include <spdlog/spdlog.h>
#include <turbojpeg.h>

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string_view>

#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "base/file_util.h"

namespace ebm {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t kMaxImageFileBytes = uintmax_t(256) << 20;
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
    std::string bytes = internal::readFileBytes(path, kMaxImageFileBytes);
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

/// What libpng's handlers leave for the code that called it: the error's message, and whether a
/// text chunk was dropped for a wrong checksum. libpng reports errors by longjmp to the caller's
/// setjmp; nothing between them owns a C++ object.
struct PngErrorState {
    char message[200] = "";
    bool textChecksumWrong = false;
};

void onPngError(png_structp png, png_const_charp message)
{
    auto* state = static_cast<PngErrorState*>(png_get_error_ptr(png));
    std::snprintf(state->message, sizeof state->message, "%s", message);
    png_longjmp(png, 1);
}

/// libpng drops an ancillary chunk whose checksum is wrong with the warning "iTXt: CRC error";
/// other warnings change nothing we write or read.
void onPngWarning(png_structp png, png_const_charp message)
{
    const std::string_view text(message);
    const bool textChunk = text.rfind("iTXt", 0) == 0 || text.rfind("tEXt", 0) == 0 || text.rfind("zTXt", 0) == 0;
    if (textChunk && text.find("CRC error") != std::string_view::npos)
        static_cast<PngErrorState*>(png_get_error_ptr(png))->textChecksumWrong = true;
}

void appendPngBytes(png_structp png, png_bytep data, png_size_t size)
{
    static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), size);
}

void flushNothing(png_structp) {}

/// 8-bit gray or RGB pixels [H, W, C] as a PNG (the colours declared sRGB, as libpng's simplified
/// writer does), with `settings`, when not empty, as an uncompressed iTXt chunk before the pixels.
std::string encodePng(const std::string& path, const torch::Tensor& bytes, const std::string& settings)
{
    const auto height = uint32_t(bytes.size(0)), width = uint32_t(bytes.size(1));
    const bool gray = bytes.size(2) == 1;
    std::vector<png_bytep> rows(height);
    for (uint32_t y = 0; y < height; ++y)
        rows[y] = bytes.data_ptr<uint8_t>() + size_t(y) * width * size_t(bytes.size(2));
    std::string out;
    out.reserve(size_t(height) * width * size_t(bytes.size(2)) / 2 + settings.size() + 1024);
    std::string keyword = kPngSettingsKeyword, text = settings, empty;
    png_text chunk;
    std::memset(&chunk, 0, sizeof chunk);
    chunk.compression = PNG_ITXT_COMPRESSION_NONE;
    chunk.key = keyword.data();
    chunk.text = text.data();
    chunk.itxt_length = text.size();
    chunk.lang = empty.data();
    chunk.lang_key = empty.data();

    PngErrorState errors;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &errors, onPngError, onPngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        fail(path, "libpng could not start an encoder (out of memory?)");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fail(path, std::string("libpng could not encode it (") + errors.message + ")");
    }
    png_set_write_fn(png, &out, appendPngBytes, flushNothing);
    png_set_IHDR(png, info, width, height, 8, gray ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_sRGB(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
    if (!settings.empty())
        png_set_text(png, info, &chunk, 1);
    png_write_info(png, info);
    png_write_image(png, rows.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

/// Why `text` is not settings the ebm tool wrote (empty when it is): a JSON object with "format"
/// kPngSettingsFormat and "version" kPngSettingsVersion.
std::string settingsProblem(const std::string& text)
{
    const Json settings = Json::parse(text, nullptr, false);
    if (settings.is_discarded())
        return "not JSON";
    if (!settings.is_object())
        return "JSON, but not an object";
    const auto format = settings.find("format");
    if (format == settings.end() || *format != kPngSettingsFormat)
        return std::string("no \"format\": \"") + kPngSettingsFormat + "\"";
    const auto version = settings.find("version");
    if (version == settings.end() || !version->is_number_integer())
        return "no whole-number \"version\"";
    if (*version != kPngSettingsVersion)
        return "version " + version->dump() + ", while this program reads version " +
               std::to_string(kPngSettingsVersion) + " (written by a newer EBM Studio?)";
    return {};
}

/// Copies what the reader asks for out of the file in memory; running past its end is an error.
struct PngSource {
    const std::string* file = nullptr;
    size_t offset = 0;
};

void readPngBytes(png_structp png, png_bytep data, png_size_t size)
{
    auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
    if (size > source->file->size() - source->offset)
        png_error(png, "the file ends early");
    std::memcpy(data, source->file->data() + source->offset, size);
    source->offset += size;
}

/// The text of the kPngSettingsKeyword chunk among those before the pixels (where encodePng puts
/// it), or nothing. Refused when there is none but a text chunk was dropped for a wrong checksum:
/// it may have been the settings, and the picture would otherwise seem to hold none.
std::optional<std::string> pngSettingsText(const std::string& path, const std::string& file)
{
    std::optional<std::string> found;
    PngSource source{&file, 0};
    PngErrorState errors;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &errors, onPngError, onPngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_read_struct(&png, nullptr, nullptr);
        fail(path, "libpng could not start a decoder (out of memory?)");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        fail(path, std::string("not a readable PNG (") + errors.message + ")");
    }
    png_set_read_fn(png, &source, readPngBytes);
    png_read_info(png, info);
    png_textp texts = nullptr;
    const int count = png_get_text(png, info, &texts, nullptr);
    for (int i = 0; i < count && !found; ++i)
        if (std::strcmp(texts[i].key, kPngSettingsKeyword) == 0)
            found = std::string(texts[i].text, texts[i].compression >= PNG_ITXT_COMPRESSION_NONE
                                                   ? texts[i].itxt_length : texts[i].text_length);
    png_destroy_read_struct(&png, &info, nullptr);
    if (!found && errors.textChecksumWrong)
        fail(path, "a text chunk is damaged (its checksum is wrong); if it held EBM Studio settings, they cannot be "
                   "used");
    return found;
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
        if (const std::string problem = settingsProblem(settingsJson); !problem.empty())
            fail(path, "the settings to keep in it are not EBM Studio settings (" + problem + ")");
    internal::writeBytesAtomically(
        path, ext == ".png" ? encodePng(path, bytes, settingsJson) : encodeJpeg(path, bytes), "picture");
}

std::optional<std::string> readPngSettings(const std::string& path)
{
    const std::string file = readWholeFile(path);
    static const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);
    if (file.compare(0, kPngSignature.size(), kPngSignature) != 0)
        fail(path, "is not a PNG picture; EBM Studio keeps its settings only in the PNGs it writes");
    std::optional<std::string> settings = pngSettingsText(path, file);
    if (!settings)
        return settings;
    // The picture itself reads as before: the message says that only the chunk is spoilt.
    if (const std::string problem = settingsProblem(*settings); !problem.empty())
        fail(path, "its EBM Studio settings (the " + std::string(kPngSettingsKeyword) + " chunk) are damaged: " +
                       problem + "; the pixels may be fine, but the settings cannot be used");
    return settings;
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
