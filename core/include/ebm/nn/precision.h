#pragma once
#include <torch/types.h>
#include <string>

#include "ebm/base/precision_mode.h"

namespace ebm {

/// Throws ebm::Error, saying what to use instead, when `precision` cannot run on `device`.
void checkPrecision(Precision precision, const torch::Device& device);

/// While alive, the calling thread's work on `device` runs in `precision` (autocast for
/// bfloat16, the global TF32 switches for TF32); the previous state comes back afterwards.
/// Build the loss inside it and call backward() after it ends, as PyTorch's autocast asks.
class PrecisionScope {
public:
    PrecisionScope(Precision precision, const torch::Device& device);
    ~PrecisionScope();
    PrecisionScope(const PrecisionScope&) = delete;
    PrecisionScope& operator=(const PrecisionScope&) = delete;

private:
    Precision precision_;
    torch::DeviceType deviceType_;
    bool previousAutocast_ = false;
    torch::ScalarType previousAutocastType_ = torch::kFloat32;
    bool previousTf32Matmul_ = false;
    bool previousTf32Conv_ = false;
};

}  // namespace ebm
