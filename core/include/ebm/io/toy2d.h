#pragma once
// 2D toy distributions for teaching demos, also opened as data sets by "toy:NAME[:COUNT]"
// (ebm::openDataset). They live in the io layer because opening a data set by description,
// which every later layer uses, must reach them.
#include <cstdint>
#include <string>
#include <vector>

#include "ebm/io/dataset.h"

namespace ebm {

/// 2D toy distributions for teaching demos: "8gaussians", "rings", "swissroll", "moons",
/// "checkerboard", "spirals". Points scaled to roughly [-4, 4].
Dataset makeToy2d(const std::string& name, int64_t count, uint64_t seed = 1);
std::vector<std::string> toy2dNames();

}  // namespace ebm
