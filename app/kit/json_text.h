#pragma once
// The few JSON pieces the ebm tool prints (no JSON library in Debian's base set is worth a
// dependency for this). Non-finite numbers become null, as JSON has no NaN.
#include <string>
#include <vector>

#include <torch/types.h>

namespace ebm::appkit {

/// A quoted JSON string; control characters are dropped.
std::string jsonString(const std::string& text);
/// A number with 9 significant digits, or null when not finite.
std::string jsonNumber(double value);
/// The values of a tensor of any shape, flattened, as a JSON array of numbers.
std::string jsonArray(const torch::Tensor& values);
std::string jsonArray(const std::vector<int64_t>& values);
/// A 2-D tensor as an array of row arrays.
std::string jsonMatrix(const torch::Tensor& rows);

}  // namespace ebm::appkit
