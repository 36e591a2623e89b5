#pragma once
#include <string>
#include <torch/types.h>

namespace ebm {

/// Tiles images [N, C, H, W] (C = 1 or 3, values in [0, 1], clipped) into one grid image
/// [C, rows*(H+pad)+pad, cols*(W+pad)+pad]; cols <= 0 picks a near-square grid.
torch::Tensor makeGrid(const torch::Tensor& images, int cols = 0, int pad = 2, float padValue = 1.0f);

/// Writes an image [C, H, W] (C = 1 gray, 3 RGB; values in [0, 1]) as an 8-bit PNG.
void writePng(const std::string& path, const torch::Tensor& image);

}  // namespace ebm
