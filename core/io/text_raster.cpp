#include "io/text_raster.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include <ft2build.h>
#include FT_FREETYPE_H

namespace ebm::internal {

namespace {

constexpr char32_t kReplacementCharacter = 0xFFFD;
constexpr int kMinPixelSize = 1;
constexpr int kMaxPixelSize = 512;

/// The code points of UTF-8 text; a malformed byte becomes U+FFFD.
std::vector<char32_t> codePoints(const std::string& text)
{
    std::vector<char32_t> points;
    for (size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const int length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + static_cast<size_t>(length) > text.size()) {
            points.push_back(kReplacementCharacter);
            ++i;
            continue;
        }
        char32_t point = length == 1 ? lead : lead & (0x7F >> length);
        bool valid = true;
        for (int k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + static_cast<size_t>(k)]);
            valid = valid && (next & 0xC0) == 0x80;
            point = (point << 6) | (next & 0x3F);
        }
        points.push_back(valid ? point : kReplacementCharacter);
        i += valid ? static_cast<size_t>(length) : 1;
    }
    return points;
}

/// FreeType and the face, loaded once; a face is not thread-safe, hence the lock.
class Font {
public:
    static Font& instance()
    {
        static Font font;
        return font;
    }
    ~Font()
    {
        if (face_)
            FT_Done_Face(face_);
        if (library_)
            FT_Done_FreeType(library_);
    }
    bool available() const { return face_ != nullptr; }
    const std::string& problem() const { return problem_; }
    std::mutex& lock() { return lock_; }

    /// Each glyph of `text` at `pixelSize` with its pen position: `visit(glyphSlot, penX)`.
    template <typename Visit>
    int layOut(const std::string& text, int pixelSize, Visit visit)
    {
        if (!face_ || FT_Set_Pixel_Sizes(face_, 0, static_cast<FT_UInt>(std::clamp(pixelSize, kMinPixelSize, kMaxPixelSize))))
            return 0;
        int pen = 0;
        FT_UInt previous = 0;
        for (char32_t point : codePoints(text)) {
            const FT_UInt glyph = FT_Get_Char_Index(face_, point);
            if (previous && glyph && FT_HAS_KERNING(face_)) {
                FT_Vector kerning{};
                if (FT_Get_Kerning(face_, previous, glyph, FT_KERNING_DEFAULT, &kerning) == 0)
                    pen += static_cast<int>(kerning.x >> 6);
            }
            if (FT_Load_Glyph(face_, glyph, FT_LOAD_RENDER) != 0)
                continue;
            visit(face_->glyph, pen);
            pen += static_cast<int>(face_->glyph->advance.x >> 6);
            previous = glyph;
        }
        return pen;
    }

private:
    Font()
    {
        if (FT_Init_FreeType(&library_) != 0) {
            library_ = nullptr;
            problem_ = "FreeType could not start";
        } else if (FT_New_Face(library_, kTextFontPath, 0, &face_) != 0) {
            face_ = nullptr;
            problem_ = std::string("the font ") + kTextFontPath + " is missing or unreadable (Debian: fonts-dejavu-core)";
        }
    }
    FT_Library library_ = nullptr;
    FT_Face face_ = nullptr;
    std::string problem_;
    std::mutex lock_;
};

}  // namespace

bool textAvailable() { return Font::instance().available(); }

std::string textUnavailableReason() { return Font::instance().problem(); }

int textWidth(const std::string& text, int pixelSize)
{
    Font& font = Font::instance();
    const std::lock_guard<std::mutex> held(font.lock());
    return font.layOut(text, pixelSize, [](FT_GlyphSlot, int) {});
}

void drawText(uint8_t* rgb, int width, int height, int x, int baselineY, const std::string& text, int pixelSize,
              RGB color)
{
    Font& font = Font::instance();
    const std::lock_guard<std::mutex> held(font.lock());
    font.layOut(text, pixelSize, [&](FT_GlyphSlot glyph, int pen) {
        const FT_Bitmap& bitmap = glyph->bitmap;
        if (bitmap.pixel_mode != FT_PIXEL_MODE_GRAY)
            return;
        const int left = x + pen + glyph->bitmap_left;
        const int top = baselineY - glyph->bitmap_top;
        for (int row = 0; row < static_cast<int>(bitmap.rows); ++row) {
            const int y = top + row;
            if (y < 0 || y >= height)
                continue;
            const unsigned char* coverage = bitmap.buffer + row * bitmap.pitch;
            for (int column = 0; column < static_cast<int>(bitmap.width); ++column) {
                const int px = left + column;
                const int alpha = coverage[column];
                if (px < 0 || px >= width || alpha == 0)
                    continue;
                uint8_t* pixel = rgb + (static_cast<size_t>(y) * width + px) * 3;
                const uint8_t ink[3] = {color.r, color.g, color.b};
                for (int c = 0; c < 3; ++c)
                    pixel[c] = static_cast<uint8_t>((pixel[c] * (255 - alpha) + ink[c] * alpha + 127) / 255);
            }
        }
    });
}

}  // namespace ebm::internal
