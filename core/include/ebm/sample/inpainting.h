#pragma once
// Inpainting: the annealed run that completes the masked pixels of images, the preset masks as
// tensors, mask pictures, and how close a completion is to the truth over the pixels it
// generated. A mask is [1, 1, S, S] float: 1 marks a pixel to generate, 0 a pixel to keep. In a
// mask picture white (>= 128 of 255) marks pixels to generate, black pixels to keep, as in other
// inpainting tools.
#include <atomic>
#include <cstdint>
#include <string>

#include <torch/types.h>

#include "ebm/base/mask_preset.h"
#include "ebm/sample/sampler.h"

namespace ebm {

/// Inpainting: `mask` (broadcastable to images, 1 = generate, 0 = known) marks the pixels to
/// sample; known pixels stay equal to `images` and get temperature-matched noise each time the
/// energy is evaluated. Unknown pixels start from 0.5 + N(0, I).
/// A mask may also hold soft weights w in [0, 1] around its generated pixels (featherMask): each
/// energy evaluation sees w*x + (1-w)*(known + noise), each step moves a pixel by w times its
/// update, and the result is w*x + (1-w)*known. A mask with weights between 0 and 1 but no pixel
/// of weight 1 is refused (most likely a mask on another scale). With only 0 and 1 the run is the
/// paper's hard clamp, exactly.
/// With config.sampler Mala each step first sets the known pixels (with this step's noise), then
/// proposes plain Langevin's move of the generated pixels and accepts it per chain with the
/// Metropolis-Hastings ratio for exp(-E/T) over the generated pixels (those of weight above 0;
/// the known ones are the same in both states; T = 0 as annealedLangevin). The next step draws
/// new noise on the known pixels, so the proposal's gradient cannot be reused: a MALA inpainting
/// step costs two energy and gradient evaluations, against unconditional MALA's (and Langevin's)
/// one. The result then holds the acceptance figures (acceptanceRates, chainAcceptance,
/// meanAcceptance; SampleFrame::acceptance).
SampleResult inpaint(EnergyNetImpl& net, const SamplerConfig& config, const torch::Tensor& images,
                     const torch::Tensor& mask, const FrameCallback& onFrame = {},
                     const std::atomic<bool>* cancel = nullptr);

/// Soft weights for inpainting: `mask` (0 and 1) with its edge feathered by `radius` pixels: 1
/// on the generated pixels, and outside them a Gaussian blur of the mask (sigma radius / 2, cut
/// off ceil(radius) pixels away), so known pixels near the edge are partly generated and those
/// more than ceil(radius) rows or columns away stay exactly known. Radius 0 returns `mask`
/// itself. Throws ebm::Error for a negative or non-finite radius.
torch::Tensor featherMask(const torch::Tensor& mask, double radius);

/// The preset `spec` names (see presetMaskPixels in ebm/base/mask_preset.h, which also declares
/// isPresetMask) as a mask tensor. Throws ebm::Error for anything else.
torch::Tensor presetMask(const std::string& spec, int size, uint64_t seed = 1);

/// A mask picture as a mask of size x size. A picture of another size is scaled with nearest
/// neighbours (so it stays a mask); `note`, when given, then says what was done. A mask with no
/// white pixels (at that size) is refused: nothing would be generated.
torch::Tensor readMask(const std::string& path, int size, std::string* note = nullptr);
/// Writes a mask as a black-and-white PNG (white = generate).
void writeMask(const std::string& path, const torch::Tensor& mask);

/// Mean squared error of each completion [N, C, H, W] against `truth` ([1 or N, C, H, W])
/// over the generated pixels of `mask`: [N] (zeros when the mask generates nothing).
torch::Tensor maskedMse(const torch::Tensor& completions, const torch::Tensor& truth, const torch::Tensor& mask);

}  // namespace ebm
