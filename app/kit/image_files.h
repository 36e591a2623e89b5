#pragma once
// Image files through QImage (PNG, JPEG, ...), shared by the ebm tool and the studio.
#include <string>
#include <torch/types.h>
#include "ebm/dataset.h"

namespace ebm::appkit {

/// One image file as [C, size, size] float in [0, 1]: centre-cropped to a square and resized.
/// channels 1 converts to gray, 3 to RGB. Throws ebm::Error naming the file.
torch::Tensor loadImage(const std::string& path, int channels, int size);

/// Every PNG/JPEG/BMP in a folder (sorted by name), as a data set [N, C, size, size].
Dataset loadImageFolder(const std::string& folder, int channels, int size);

/// Like ebm::openDataset, but also opens image files and folders of images (as `channels`
/// channels, 3 when <= 0; other formats keep their own channel count).
Dataset openAnyDataset(const std::string& spec, int channels, int size, bool train = true);

/// Writes [C, H, W] in [0, 1] as PNG/JPEG (by extension) through QImage.
void saveImage(const std::string& path, const torch::Tensor& image);

/// The bundled default model: $EBM_DEFAULT_MODEL, the installed copy, or the source tree's.
std::string bundledModelPath();

}  // namespace ebm::appkit
