// libFuzzer target: the bytes as an IDX image file and as an IDX label file (MNIST layout),
// plain or gzipped as the bytes come (the readers sniff the gzip magic; seeds hold both).
#include "ebm/io/dataset.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = ebm::fuzz::writeInput("input-idx-ubyte", data, size);
    ebm::fuzz::expectCleanError([&] { ebm::readIdxImages(path); });
    ebm::fuzz::expectCleanError([&] { ebm::readIdxLabels(path); });
    return 0;
}
