#pragma once
#include <torch/types.h>
#include <string>

namespace ebm {

/// Sets LibTorch's intra-op thread count (Debian's build starts with one).
/// threads <= 0 means one per hardware core. Returns the count now in force.
int configureThreads(int threads = 0);

/// Makes the C allocator keep freed memory for reuse instead of handing it back to the kernel.
/// LibTorch's CPU tensors come straight from malloc, and glibc returns blocks of a few MB to the
/// system on free, so every training step faulted its activations in afresh: about 45,000 page
/// faults a second for Res12-16, close to half of a step on a virtual machine. The price is that
/// the process keeps its peak heap. Call once, early in main(); a no-op outside glibc.
void keepFreedMemoryForReuse();

/// CUDA when a device is present, else CPU; "cpu" or "cuda" force a choice.
torch::Device chooseDevice(const std::string& preference = "auto");

/// A short human description such as "CPU, 2 threads" or "CUDA: NVIDIA H200".
std::string describeDevice(const torch::Device& device);

/// Number of hardware cores, never less than 1.
int hardwareCores();

/// "mm:ss", or "h:mm:ss" from an hour on, for ETAs and elapsed times; "--:--" when unknown
/// (negative or not finite).
std::string formatDuration(double seconds);

}  // namespace ebm
