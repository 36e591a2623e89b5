#pragma once
#include <torch/types.h>
#include <string>

namespace ebm {

/// The arithmetic of a training step. The weights, Adam's moments and the loss stay float32 in
/// every mode; what changes is how convolutions and matrix products round their inputs.
enum class Precision {
    /// Full float32: the reference, and the default.
    Float32,
    /// CUDA's TensorFloat-32: float32 tensors, but the GPU's matrix units round the inputs of
    /// convolutions and matrix products to 10 mantissa bits (Ampere GPUs and later). CUDA only.
    TF32,
    /// bfloat16 autocast: convolutions and matrix products run in bfloat16 (8 mantissa bits),
    /// everything else in float32. CUDA, and CPUs with AVX-512 BF16 or AMX (elsewhere the CPU
    /// emulates it, slowly).
    BFloat16,
};

std::string toString(Precision precision);        // "float32", "tf32", "bf16"
Precision parsePrecision(const std::string& name);  // also "fp32", "bfloat16"; throws ebm::Error

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
