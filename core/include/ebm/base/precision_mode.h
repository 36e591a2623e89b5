#pragma once
// The arithmetic a run asks for, as a plain value with no torch: the tool's options, the
// studio's settings and the sampling options carry it; ebm/precision.h applies it.
#include <string>

namespace ebm {

/// How convolutions and matrix products round their inputs. Weights, optimizer state, losses
/// and the sampler's state stay float32 in every mode.
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

/// Whether this CPU does bfloat16 arithmetic natively (AVX-512 BF16 or AMX); elsewhere bfloat16
/// is emulated and slower than float32.
bool cpuHasNativeBfloat16();
/// The arithmetic sampling, inpainting and evaluation use unless asked otherwise: bf16 where the
/// CPU has it natively (on the evaluation protocol its figures equal float32's within the noise of
/// a second seed, at 1.3-1.5x the speed; docs/evaluation.md), float32 elsewhere.
Precision defaultSamplingPrecision();

}  // namespace ebm
