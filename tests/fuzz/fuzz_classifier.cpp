// libFuzzer target: an evaluation classifier file (a torch::serialize zip written by
// ebm::saveClassifier) through ebm::loadClassifier, which reads it with the engine's own zip and
// pickle reader and checks every weight against the architecture the file states, then one forward
// pass through the network it built, as the evaluation does. The seed is a tiny classifier
// (make_fuzz_seeds); the bundled one (627 KB) would make every input slow to mutate and to read.
#include <torch/torch.h>
#include "ebm/eval/classifier.h"
#include "fuzz_support.h"

namespace {

// A network the fuzzer grew large (the file format allows up to ClassifierLimits) is built but
// not run: one pass through its convolutions could take longer than an input's time limit.
constexpr int kLargestImageRun = 32;
constexpr int64_t kMostParametersRun = 1 << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ebm::fuzz::expectCleanError([&] {
        const std::string path = ebm::fuzz::writeInput("input.pt", data, size);
        ebm::LoadedClassifier loaded = ebm::loadClassifier(path);
        const ebm::ClassifierConfig& config = loaded.net->config();
        if (config.imageSize > kLargestImageRun || loaded.net->parameterCount() > kMostParametersRun) return;
        torch::NoGradGuard noGrad;
        const torch::Tensor logits =
            loaded.net->forward(torch::full({2, config.inChannels, config.imageSize, config.imageSize}, 0.5));
        if (logits.size(0) != 2 || logits.size(1) != config.numClasses) {
            std::fprintf(stderr, "ebm fuzz: a loaded classifier gave logits of the wrong shape\n");
            std::abort();
        }
    });
    return 0;
}
