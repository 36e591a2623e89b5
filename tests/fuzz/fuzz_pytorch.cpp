// libFuzzer target: a PyTorch state_dict (.pt: zip archive + pickle) through the engine's own
// zip reader and unpickler (ebm::readPytorchStateDict), then through ebm::loadCheckpoint, which
// infers the architecture from the tensors' names and shapes, and the network built from it.
#include "ebm/io/checkpoint.h"
#include "ebm/io/pytorch_import.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = ebm::fuzz::writeInput("input.pt", data, size);
    ebm::fuzz::expectCleanError([&] { ebm::readPytorchStateDict(path); });
    ebm::fuzz::expectCleanError([&] {
        const ebm::Checkpoint checkpoint = ebm::loadCheckpoint(path);
        ebm::instantiate(checkpoint);
    });
    return 0;
}
