#pragma once
// Small pieces the toy lab's parts share (not part of the public API).
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "ebm/base/error.h"

namespace ebm::toy::common {

constexpr double kPi = 3.14159265358979323846;

inline at::Generator seededGenerator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

inline const torch::TensorOptions kFloat = torch::TensorOptions().dtype(torch::kFloat32);

/// A [rows, cols] float buffer, reallocated only when it must grow.
inline void ensure(torch::Tensor& buffer, int64_t rows, int64_t cols)
{
    if (!buffer.defined())
        buffer = torch::empty({rows, cols}, kFloat);
    else if (buffer.size(0) != rows || buffer.size(1) != cols)
        buffer.resize_({rows, cols});
}

inline torch::Tensor contiguousPoints(const torch::Tensor& x, int64_t dim, const char* what)
{
    if (!x.defined() || x.dim() != 2 || x.size(1) != dim)
        throw Error(std::string(what) + " must be points of shape [N, " + std::to_string(dim) + "]");
    return x.detach().to(torch::kCPU, torch::kFloat32).contiguous();
}

}  // namespace ebm::toy::common
