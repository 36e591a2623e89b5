#pragma once
// The toy lab's energy landscape: E(x) and the score on a grid of the plane.
#include <torch/types.h>

#include "ebm/toy/fast_mlp.h"

namespace ebm::toy {

struct LandscapeGrid {
    double xMin = -3.0, xMax = 3.0, yMin = -3.0, yMax = 3.0;
    int resolution = 128;          // points per side
};

/// E(x) and the score -dE/dx at the grid's points, row-major with y rising by row.
struct Landscape {
    LandscapeGrid grid;
    torch::Tensor energies;        // [R, R]
    torch::Tensor scores;          // [R, R, 2]
    /// The grid's points [R*R, 2] in the order of energies.flatten().
    static torch::Tensor points(const LandscapeGrid& grid);
};

/// Throws ebm::Error for an empty or inverted range or a resolution outside 2..1024.
Landscape computeLandscape(FastMlp& model, const LandscapeGrid& grid);

}  // namespace ebm::toy
