#pragma once
// Settings inside a picture (issue 27): a PNG keeps what made it as JSON text in an iTXt chunk
// "ebm-studio", uncompressed and before the pixels, where any PNG tool shows it; written and read
// through libpng's text API. No torch: the ebm tool's pictures (ebm::writeImage) and the studio's
// exports (QImages, encoded on the GUI thread) share it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ebm {

/// The chunk's keyword, and what its JSON object holds beside the run's settings (whose keys are
/// the writer's to choose): "format": kPngSettingsFormat and "version": kPngSettingsVersion.
inline constexpr char kPngSettingsKeyword[] = "ebm-studio";
inline constexpr char kPngSettingsFormat[] = "ebm-settings";
constexpr int kPngSettingsVersion = 1;

/// The largest picture file that is read whole (what the pixels may hold is checked against the
/// header separately).
constexpr uintmax_t kMaxPictureFileBytes = uintmax_t(256) << 20;

/// Why `text` is not settings a reader takes (empty when it is): not JSON, not an object, no
/// "format" kPngSettingsFormat, or not "version" kPngSettingsVersion.
std::string pngSettingsProblem(const std::string& text);

/// 8-bit pixels (channels 1: gray, 3: RGB, 4: RGBA; rows top first, `bytesPerLine` apart) as the
/// bytes of a PNG file, its colours declared sRGB, with `settingsJson` (when not empty) as the
/// kPngSettingsKeyword chunk. Throws ebm::Error in one line, before encoding anything, for
/// settings that pngSettingsProblem refuses or a shape that is no picture; and when libpng fails.
std::string encodePng(const uint8_t* pixels, int width, int height, int channels, size_t bytesPerLine,
                      const std::string& settingsJson);

/// The settings text a PNG keeps, or nothing when it has none (a picture from another program).
/// Throws ebm::Error in one line naming the file when it is not a readable PNG, or when the chunk
/// is damaged: not JSON, not an object with the format and version, or dropped by libpng for a
/// wrong checksum.
std::optional<std::string> readPngSettings(const std::string& path);
/// The same for the bytes of a PNG file in memory; `source` names it in the messages.
std::optional<std::string> readPngSettingsFromBytes(const std::string& bytes, const std::string& source);

}  // namespace ebm
