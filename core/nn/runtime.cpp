#include "ebm/nn/runtime.h"

#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "ebm/base/error.h"

namespace ebm {

int hardwareCores()
{
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : static_cast<int>(cores);
}

int configureThreads(int threads)
{
    // Debian's LibTorch starts with one intra-op thread; use every core unless told otherwise.
    // More threads than cores only make OpenMP's threads wait on each other (a thousand never
    // finished a five-step sample), so the count is bounded by the cores.
    const int cores = hardwareCores();
    if (threads > cores)
        spdlog::warn("{} threads asked for, but this machine has {} cores: using {}", threads, cores, cores);
    torch::set_num_threads(threads > 0 ? std::min(threads, cores) : cores);
    return torch::get_num_threads();
}

std::string formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "--:--";
    const long total = std::lround(seconds);
    char buffer[32];
    if (total >= 3600)
        std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
    else
        std::snprintf(buffer, sizeof buffer, "%02ld:%02ld", total / 60, total % 60);
    return buffer;
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

namespace {
/// PyTorch lets cuDNN's convolutions round their inputs to TF32 by default. Here float32 means
/// float32 on every device (the reference energies hold on CUDA as on the CPU); TF32 is asked
/// for with the training precision option.
torch::Device cudaInFloat32()
{
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setAllowTF32CuBLAS(false);
    return torch::kCUDA;
}
}  // namespace

torch::Device chooseDevice(const std::string& preference)
{
    if (preference == "cpu")
        return torch::kCPU;
    if (preference == "cuda") {
        if (!torch::cuda::is_available())
            throw Error("CUDA was requested but no CUDA device is available; use --device cpu");
        return cudaInFloat32();
    }
    if (preference != "auto" && !preference.empty())
        throw Error("unknown device '" + preference + "': use auto, cpu or cuda");
    return torch::cuda::is_available() ? cudaInFloat32() : torch::Device(torch::kCPU);
}

std::string describeDevice(const torch::Device& device)
{
    if (device.is_cuda())
        return "CUDA device " + std::to_string(device.has_index() ? device.index() : 0);
    return "CPU, " + std::to_string(torch::get_num_threads()) + " threads";
}

}  // namespace ebm
