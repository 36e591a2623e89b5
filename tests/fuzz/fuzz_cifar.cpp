// libFuzzer target: the bytes as a CIFAR-10 binary batch, in the folder layout of the official
// archive (cifar-10-batches-bin/data_batch_1.bin) through ebm::openDataset, and as a single file
// through ebm::loadCifar10.
#include "ebm/io/dataset.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string folder = ebm::fuzz::freshFolder("cifar");
    const std::string path = ebm::fuzz::writeInput("cifar/cifar-10-batches-bin/data_batch_1.bin", data, size);
    ebm::fuzz::expectCleanError([&] { ebm::openDataset(folder); });
    ebm::fuzz::expectCleanError([&] { ebm::loadCifar10(path, true); });
    return 0;
}
