// libFuzzer target: a picture file (PNG through libpng, JPEG through libjpeg-turbo, told apart
// by their signatures) through ebm::readImage as gray and as RGB, resized as data sets are.
#include "ebm/io/image_file.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    constexpr int kResizedSide = 16;
    const std::string path = ebm::fuzz::writeInput("input.png", data, size);
    ebm::fuzz::expectCleanError([&] { ebm::readImage(path, 3); });
    ebm::fuzz::expectCleanError([&] { ebm::readImage(path, 1, kResizedSide); });
    return 0;
}
