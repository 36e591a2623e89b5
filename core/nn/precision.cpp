#include "ebm/nn/precision.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <fstream>
#include <sstream>
#include <string>

#include "ebm/base/error.h"

// PyTorch 2.4 replaced the per-device autocast switches (set_cpu_enabled, set_autocast_gpu_dtype)
// with ones that take the device type; Debian's LibTorch 1.13 has only the old ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define EBM_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace ebm {
namespace {

bool autocastEnabled(torch::DeviceType type)
{
#ifdef EBM_AUTOCAST_BY_DEVICE_TYPE
    return at::autocast::is_autocast_enabled(type);
#else
    return type == torch::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void setAutocastEnabled(torch::DeviceType type, bool enabled)
{
#ifdef EBM_AUTOCAST_BY_DEVICE_TYPE
    at::autocast::set_autocast_enabled(type, enabled);
#else
    if (type == torch::kCUDA)
        at::autocast::set_enabled(enabled);
    else
        at::autocast::set_cpu_enabled(enabled);
#endif
}

torch::ScalarType autocastType(torch::DeviceType type)
{
#ifdef EBM_AUTOCAST_BY_DEVICE_TYPE
    return at::autocast::get_autocast_dtype(type);
#else
    return type == torch::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void setAutocastType(torch::DeviceType type, torch::ScalarType scalarType)
{
#ifdef EBM_AUTOCAST_BY_DEVICE_TYPE
    at::autocast::set_autocast_dtype(type, scalarType);
#else
    if (type == torch::kCUDA)
        at::autocast::set_autocast_gpu_dtype(scalarType);
    else
        at::autocast::set_autocast_cpu_dtype(scalarType);
#endif
}

}  // namespace

void checkPrecision(Precision precision, const torch::Device& device)
{
    if (precision == Precision::TF32 && !device.is_cuda())
        throw Error("tf32 is a mode of CUDA's matrix units and does nothing on the " + device.str() +
                    "; use float32, or bf16 for reduced precision on the CPU");
    if (!device.is_cpu() && !device.is_cuda())
        throw Error("precision " + toString(precision) + " is not available on " + device.str());
}

PrecisionScope::PrecisionScope(Precision precision, const torch::Device& device)
    : precision_(precision), deviceType_(device.type())
{
    switch (precision_) {
    case Precision::Float32:
        break;
    case Precision::TF32:
        previousTf32Matmul_ = at::globalContext().allowTF32CuBLAS();
        previousTf32Conv_ = at::globalContext().allowTF32CuDNN();
        at::globalContext().setAllowTF32CuBLAS(true);
        at::globalContext().setAllowTF32CuDNN(true);
        break;
    case Precision::BFloat16:
        previousAutocast_ = autocastEnabled(deviceType_);
        previousAutocastType_ = autocastType(deviceType_);
        setAutocastType(deviceType_, torch::kBFloat16);
        setAutocastEnabled(deviceType_, true);
        at::autocast::increment_nesting();
        break;
    }
}

PrecisionScope::~PrecisionScope()
{
    switch (precision_) {
    case Precision::Float32:
        break;
    case Precision::TF32:
        at::globalContext().setAllowTF32CuBLAS(previousTf32Matmul_);
        at::globalContext().setAllowTF32CuDNN(previousTf32Conv_);
        break;
    case Precision::BFloat16:
        // Autocast keeps a bfloat16 copy of each weight while it is on; the optimizer is about
        // to change the weights, so the copies go when the outermost scope ends.
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache();
        setAutocastEnabled(deviceType_, previousAutocast_);
        setAutocastType(deviceType_, previousAutocastType_);
        break;
    }
}

}  // namespace ebm
