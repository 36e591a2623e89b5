#include "ebm/runtime.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "ebm/error.h"

namespace ebm {

int hardwareCores()
{
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : static_cast<int>(cores);
}

int configureThreads(int threads)
{
    // Debian's LibTorch starts with one intra-op thread; use every core unless told otherwise.
    torch::set_num_threads(threads > 0 ? threads : hardwareCores());
    return torch::get_num_threads();
}

void keepFreedMemoryForReuse()
{
#if defined(__GLIBC__)
    constexpr int kLargestHeapBlock = 32 << 20;   // glibc's ceiling for M_MMAP_THRESHOLD on 64-bit
    constexpr int kKeptFreeHeap = 1 << 30;        // free heap above this is still returned
    mallopt(M_MMAP_THRESHOLD, kLargestHeapBlock);
    mallopt(M_TRIM_THRESHOLD, kKeptFreeHeap);
#endif
}

torch::Device chooseDevice(const std::string& preference)
{
    if (preference == "cpu")
        return torch::kCPU;
    if (preference == "cuda") {
        if (!torch::cuda::is_available())
            throw Error("CUDA was requested but no CUDA device is available; use --device cpu");
        return torch::kCUDA;
    }
    if (preference != "auto" && !preference.empty())
        throw Error("unknown device '" + preference + "': use auto, cpu or cuda");
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

std::string describeDevice(const torch::Device& device)
{
    if (device.is_cuda())
        return "CUDA device " + std::to_string(device.has_index() ? device.index() : 0);
    return "CPU, " + std::to_string(torch::get_num_threads()) + " threads";
}

}  // namespace ebm
