// libFuzzer target: an inpainting mask picture through ebm::readMask, scaled to the model's
// side as `ebm inpaint --mask FILE` does.
#include "ebm/sample/inpainting.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    constexpr int kModelSide = 32;
    const std::string path = ebm::fuzz::writeInput("mask.png", data, size);
    ebm::fuzz::expectCleanError([&] {
        std::string note;
        ebm::readMask(path, kModelSide, &note);
    });
    return 0;
}
