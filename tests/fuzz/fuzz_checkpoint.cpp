// libFuzzer target: a native checkpoint (.ebm, torch::serialize zip with checksummed records)
// through ebm::loadCheckpoint, then built into a network as every command that opens one does.
// The seeds are native files; mutations that break the native layout also reach the PyTorch
// reader, which fuzz_pytorch covers on its own seeds.
#include "ebm/io/checkpoint.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ebm::fuzz::expectCleanError([&] {
        const std::string path = ebm::fuzz::writeInput("input.ebm", data, size);
        const ebm::Checkpoint checkpoint = ebm::loadCheckpoint(path);
        ebm::instantiate(checkpoint, ebm::WeightChoice::PreferAveraged);
    });
    return 0;
}
