// The toy lab's energy landscape on a grid, evaluated in cache-sized chunks.
#include "ebm/toy/landscape.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "ebm/base/error.h"
#include "toy/toy_common.h"

namespace ebm::toy {
using common::kFloat;

namespace {

constexpr int64_t kLandscapeChunk = 4096;        // grid points per pass: buffers stay in cache
constexpr int kMaxLandscapeResolution = 1024;

}  // namespace

torch::Tensor Landscape::points(const LandscapeGrid& grid)
{
    const int r = grid.resolution;
    torch::Tensor xs = torch::linspace(grid.xMin, grid.xMax, r, kFloat);
    torch::Tensor ys = torch::linspace(grid.yMin, grid.yMax, r, kFloat);
    std::vector<torch::Tensor> mesh = torch::meshgrid({ys, xs}, "ij");
    return torch::stack({mesh[1].reshape({-1}), mesh[0].reshape({-1})}, 1).contiguous();
}

Landscape computeLandscape(FastMlp& model, const LandscapeGrid& grid)
{
    if (grid.resolution < 2 || grid.resolution > kMaxLandscapeResolution)
        throw Error("the landscape resolution must be between 2 and " + std::to_string(kMaxLandscapeResolution) +
                    ", not " + std::to_string(grid.resolution));
    if (!(grid.xMax > grid.xMin) || !(grid.yMax > grid.yMin) || !std::isfinite(grid.xMax - grid.xMin) ||
        !std::isfinite(grid.yMax - grid.yMin))
        throw Error("the landscape range must be finite with min below max");
    const torch::Tensor points = Landscape::points(grid);
    const int64_t total = points.size(0);
    Landscape result;
    result.grid = grid;
    result.energies = torch::empty({total}, kFloat);
    result.scores = torch::empty({total, 2}, kFloat);
    for (int64_t begin = 0; begin < total; begin += kLandscapeChunk) {
        const int64_t end = std::min(total, begin + kLandscapeChunk);
        torch::Tensor energy;
        const torch::Tensor& grad = model.energyAndGrad(points.slice(0, begin, end), &energy);
        result.energies.slice(0, begin, end).copy_(energy);
        result.scores.slice(0, begin, end).copy_(grad).neg_();
    }
    const int64_t r = grid.resolution;
    result.energies = result.energies.view({r, r});
    result.scores = result.scores.view({r, r, 2});
    return result;
}

}  // namespace ebm::toy
