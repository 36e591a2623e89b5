// libFuzzer target: a NumPy .npy array through ebm::readNpy, and as a data set
// (ebm::openDataset, which checks the shape and value range for training).
#include "ebm/io/dataset.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = ebm::fuzz::writeInput("input.npy", data, size);
    ebm::fuzz::expectCleanError([&] { ebm::readNpy(path); });
    ebm::fuzz::expectCleanError([&] { ebm::openDataset(path); });
    return 0;
}
