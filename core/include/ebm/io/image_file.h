#pragma once
// Picture files (PNG through libpng, JPEG through libjpeg-turbo) as tensors, sample grids, and
// folders of pictures as data sets. No Qt: the ebm tool and the studio share this code.
#include <string>
#include <vector>

#include <torch/types.h>

#include "ebm/base/png_settings.h"
#include "ebm/io/dataset.h"

namespace ebm {

/// Largest picture side and pixel count a reader accepts: far beyond any data set image, and
/// checked against the header before anything is allocated.
constexpr int kMaxImageSide = 16384;
constexpr int64_t kMaxImagePixels = int64_t(64) << 20;

/// True for names ending in .png, .jpg or .jpeg (any case).
bool isImageFileName(const std::string& name);

/// One picture as [channels, H, W] float in [0, 1] (channels 1: gray, 3: RGB). With size > 0
/// it is centre-cropped to a square and resized to size x size (area averaging when shrinking,
/// bilinear when enlarging). Throws ebm::Error naming the file: unreadable, corrupt (a damaged
/// JPEG is refused, not decoded with libjpeg's warnings), too large, unknown format.
torch::Tensor readImage(const std::string& path, int channels, int size = 0);

/// Writes an image [C, H, W] (C = 1 gray, 3 RGB; values in [0, 1], clipped, NaN as 0) as an
/// 8-bit PNG or JPEG, chosen by the extension. The file is replaced atomically.
void writeImage(const std::string& path, const torch::Tensor& image);

/// writeImage, with `settingsJson` (when not empty) kept in a PNG as the kPngSettingsKeyword
/// chunk (ebm/base/png_settings.h), uncompressed, before the pixels. A JPEG keeps none. Settings
/// that are not such a JSON object are refused (ebm::Error naming the file) before anything is
/// written. readPngSettings (png_settings.h, included above) reads them back.
void writeImage(const std::string& path, const torch::Tensor& image, const std::string& settingsJson);

/// Tiles images [N, C, H, W] (C = 1 or 3, values in [0, 1], clipped) into one grid image
/// [C, rows*(H+pad)+pad, cols*(W+pad)+pad]; cols <= 0 picks a near-square grid.
torch::Tensor makeGrid(const torch::Tensor& images, int cols = 0, int pad = 2, float padValue = 1.0f);

/// Every PNG/JPEG in a folder (sorted by name) as a data set [N, C, size, size]. When `skipped`
/// is given, unreadable files are left out and listed there ("name: reason"); otherwise the
/// first one throws.
Dataset loadImageFolder(const std::string& folder, int channels, int size,
                        std::vector<std::string>* skipped = nullptr);

}  // namespace ebm
