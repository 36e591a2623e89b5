#pragma once
// Text drawn into 8-bit RGB pictures with FreeType and DejaVu Sans (Debian's fonts-dejavu-core):
// the captions of a run's video, and labels on picture grids. Private to core/io. No torch.
#include <cstdint>
#include <string>

namespace ebm::internal {

struct RGB {
    uint8_t r = 0, g = 0, b = 0;
};

/// The font's file: DejaVu Sans, as Debian installs it.
inline constexpr char kTextFontPath[] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Whether the font is there and FreeType reads it (tried once, on first use, by any of these).
bool textAvailable();
/// Why not, in a few words naming the font file ("" when it is available).
std::string textUnavailableReason();

/// The advance in pixels of `text` (UTF-8) at `pixelSize` pixels a line; 0 when no font.
int textWidth(const std::string& text, int pixelSize);

/// Draws `text` (UTF-8), antialiased in `color`, over a picture of width * height * 3 bytes (RGB,
/// rows from the top), its left edge at x and its baseline at baselineY; clipped to the picture.
/// Draws nothing when no font is available. Safe to call from several threads.
void drawText(uint8_t* rgb, int width, int height, int x, int baselineY, const std::string& text, int pixelSize,
              RGB color);

}  // namespace ebm::internal
