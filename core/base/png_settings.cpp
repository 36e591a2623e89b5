// The settings chunk of a PNG through libpng's full API (its simplified API neither writes nor
// reads text). The file is given whole from memory; only the chunks before the pixels are read.
#include "ebm/base/png_settings.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "base/file_util.h"

namespace ebm {
namespace {

const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);

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

int colourType(int channels)
{
    return channels == 1 ? PNG_COLOR_TYPE_GRAY : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
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

[[noreturn]] void fail(const std::string& source, const std::string& problem)
{
    throw Error(source + ": " + problem);
}

/// The text of the kPngSettingsKeyword chunk among those before the pixels (where encodePng puts
/// it), or nothing. Refused when there is none but a text chunk was dropped for a wrong checksum:
/// it may have been the settings, and the picture would otherwise seem to hold none.
std::optional<std::string> pngSettingsText(const std::string& source, const std::string& file)
{
    std::optional<std::string> found;
    PngSource input{&file, 0};
    PngErrorState errors;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &errors, onPngError, onPngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_read_struct(&png, nullptr, nullptr);
        fail(source, "libpng could not start a decoder (out of memory?)");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        fail(source, std::string("not a readable PNG (") + errors.message + ")");
    }
    png_set_read_fn(png, &input, readPngBytes);
    png_read_info(png, info);
    png_textp texts = nullptr;
    const int count = png_get_text(png, info, &texts, nullptr);
    for (int i = 0; i < count && !found; ++i)
        if (std::strcmp(texts[i].key, kPngSettingsKeyword) == 0)
            found = std::string(texts[i].text, texts[i].compression >= PNG_ITXT_COMPRESSION_NONE
                                                   ? texts[i].itxt_length : texts[i].text_length);
    png_destroy_read_struct(&png, &info, nullptr);
    if (!found && errors.textChecksumWrong)
        fail(source, "a text chunk is damaged (its checksum is wrong); if it held EBM Studio settings, they cannot "
                     "be used");
    return found;
}

}  // namespace

std::string pngSettingsProblem(const std::string& text)
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

std::string encodePng(const uint8_t* pixels, int width, int height, int channels, size_t bytesPerLine,
                      const std::string& settingsJson)
{
    if (channels != 1 && channels != 3 && channels != 4)
        throw Error("a PNG is written from 1 (gray), 3 (RGB) or 4 (RGBA) channels, not " + std::to_string(channels));
    if (!pixels || width < 1 || height < 1 || bytesPerLine < size_t(width) * size_t(channels))
        throw Error("cannot write " + std::to_string(width) + "x" + std::to_string(height) +
                    " pixels as a PNG: the picture is empty or its rows are shorter than its width");
    if (!settingsJson.empty())
        if (const std::string problem = pngSettingsProblem(settingsJson); !problem.empty())
            throw Error("the settings to keep in it are not EBM Studio settings (" + problem + ")");
    std::vector<png_bytep> rows(static_cast<size_t>(height));
    for (int y = 0; y < height; ++y)  // libpng reads the rows only
        rows[size_t(y)] = const_cast<png_bytep>(pixels + size_t(y) * bytesPerLine);
    std::string out;
    out.reserve(size_t(height) * size_t(width) * size_t(channels) / 2 + settingsJson.size() + 1024);
    std::string keyword = kPngSettingsKeyword, text = settingsJson, empty;
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
        throw Error("libpng could not start an encoder (out of memory?)");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        throw Error(std::string("libpng could not encode it (") + errors.message + ")");
    }
    png_set_write_fn(png, &out, appendPngBytes, flushNothing);
    png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8, colourType(channels), PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_sRGB(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
    if (!settingsJson.empty())
        png_set_text(png, info, &chunk, 1);
    png_write_info(png, info);
    png_write_image(png, rows.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

std::optional<std::string> readPngSettingsFromBytes(const std::string& bytes, const std::string& source)
{
    if (bytes.compare(0, kPngSignature.size(), kPngSignature) != 0)
        fail(source, "is not a PNG picture; EBM Studio keeps its settings only in the PNGs it writes");
    std::optional<std::string> settings = pngSettingsText(source, bytes);
    if (!settings)
        return settings;
    // The picture itself reads as before: the message says that only the chunk is spoilt.
    if (const std::string problem = pngSettingsProblem(*settings); !problem.empty())
        fail(source, "its EBM Studio settings (the " + std::string(kPngSettingsKeyword) + " chunk) are damaged: " +
                         problem + "; the pixels may be fine, but the settings cannot be used");
    return settings;
}

std::optional<std::string> readPngSettings(const std::string& path)
{
    return readPngSettingsFromBytes(internal::readFileBytes(path, kMaxPictureFileBytes), path);
}

}  // namespace ebm
