#pragma once
// Tensors in JSON reports (the tool's --json output, evaluation reports).
#include <torch/types.h>

#include "ebm/base/json.h"

namespace ebm {

/// The values of a tensor as nested JSON arrays of its shape (a 0-d tensor as one number);
/// integer tensors stay integers.
Json tensorToJson(const torch::Tensor& values);

}  // namespace ebm
