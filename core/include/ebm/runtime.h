#pragma once
#include <torch/types.h>
#include <string>

namespace ebm {

/// Sets LibTorch's intra-op thread count (Debian's build starts with one).
/// threads <= 0 means one per hardware core. Returns the count now in force.
int configureThreads(int threads = 0);

/// CUDA when a device is present, else CPU; "cpu" or "cuda" force a choice.
torch::Device chooseDevice(const std::string& preference = "auto");

/// A short human description such as "CPU, 2 threads" or "CUDA: NVIDIA H200".
std::string describeDevice(const torch::Device& device);

/// Number of hardware cores, never less than 1.
int hardwareCores();

}  // namespace ebm
