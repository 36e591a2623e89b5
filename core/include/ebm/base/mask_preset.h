#pragma once
// The inpainting mask presets, written once for every caller: `ebm inpaint --mask` (through
// presetMask, ebm/sample/inpainting.h) and the studio's Inpaint page get the same pixels for the
// same words and seed. No torch: a mask here is plain bytes.
#include <cstdint>
#include <string>
#include <vector>

namespace ebm {

/// The mask `spec` names, size x size, row-major: 1 marks a pixel to generate, 0 a pixel to keep.
/// "left", "right", "top", "bottom" (that half generated), "centre" (or "center": the middle
/// square of half the side), "random:FRACTION" (each pixel generated with that probability,
/// drawn in row-major order from a std::mt19937_64 seeded with `seed`, so every platform gets
/// the same mask). Throws ebm::Error for anything else or a size below 1.
std::vector<uint8_t> presetMaskPixels(const std::string& spec, int size, uint64_t seed = 1);

/// Whether `spec` is a preset's word (a random fraction may still be refused by presetMaskPixels),
/// as opposed to the path of a mask picture.
bool isPresetMask(const std::string& spec);

}  // namespace ebm
