#pragma once
// JSON through nlohmann/json (Debian's nlohmann-json3-dev). Objects keep the order their keys
// were written in, so printed reports read like their text form. Non-finite numbers are
// written as null: JSON has no NaN.
#include <nlohmann/json.hpp>

#include <torch/types.h>

namespace ebm {

using Json = nlohmann::ordered_json;

/// The values of a tensor as nested JSON arrays of its shape (a 0-d tensor as one number);
/// integer tensors stay integers.
Json tensorToJson(const torch::Tensor& values);

}  // namespace ebm
