#pragma once
// Masks for inpainting (the sampler's ebm::inpaint does the annealing): the preset masks,
// mask pictures, and how close a completion is to the truth over the pixels it generated.
// A mask is [1, 1, S, S] float: 1 marks a pixel to generate, 0 a pixel to keep. In a mask
// picture white (>= 128 of 255) marks pixels to generate, black pixels to keep, as in other
// inpainting tools.
#include <cstdint>
#include <string>

#include <torch/types.h>

namespace ebm {

/// "left", "right", "top", "bottom" (that half generated), "centre" (or "center": the middle
/// square of half the side), "random:FRACTION" (each pixel generated with that probability,
/// seeded). Throws ebm::Error for anything else.
torch::Tensor presetMask(const std::string& spec, int size, uint64_t seed = 1);
bool isPresetMask(const std::string& spec);

/// A mask picture as a mask of size x size. A picture of another size is scaled with nearest
/// neighbours (so it stays a mask); `note`, when given, then says what was done.
torch::Tensor readMask(const std::string& path, int size, std::string* note = nullptr);
/// Writes a mask as a black-and-white PNG (white = generate).
void writeMask(const std::string& path, const torch::Tensor& mask);

/// Mean squared error of each completion [N, C, H, W] against `truth` ([1 or N, C, H, W])
/// over the generated pixels of `mask`: [N] (zeros when the mask generates nothing).
torch::Tensor maskedMse(const torch::Tensor& completions, const torch::Tensor& truth, const torch::Tensor& mask);

}  // namespace ebm
