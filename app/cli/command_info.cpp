// ebm info
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cstdio>
#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/model_file.h"
#include "command_support.h"
#include "commands.h"
#include "settings_from_image.h"

namespace ebm::cli {

int runInfo(int argc, char** argv)
{
    CliArgs args("info", "Describe a checkpoint: architecture, parameters and training metadata; or, with "
                         "--image, the settings that a PNG written by the ebm tool keeps.");
    args.options(R"(
--json    print JSON
--image=  print the settings that made this PNG (indented JSON; one line with --json) instead; exit
          status 1 when it holds none
)");
    addModelOptions(args);
    const torch::Device device = parseWithRuntime(args, argc, argv);
    if (!args.text("image").empty()) {
        if (!args.text("model").empty())
            throw Error("give --image or --model, not both: --image describes a picture, --model a checkpoint");
        printPictureSettings(args.text("image"), args.isSet("json"));
        return 0;
    }
    const OpenedModel model = openModelOption(args, device);
    const auto& cp = model.checkpoint;
    const auto& m = model.net->config();
    const auto& t = cp.train;
    if (args.isSet("json")) {
        Json out{{"file", cp.sourcePath},
                 {"format", cp.format},
                 {"architecture", toString(m.arch)},
                 {"description", m.describe()},
                 {"in_channels", m.inChannels},
                 {"base_width", m.baseWidth},
                 {"image_size", m.imageSize},
                 {"head", toString(m.head)},
                 {"parameters", model.net->parameterCount()},
                 {"weights", model.usesAveragedWeights ? "averaged" : "raw"},
                 {"has_averaged_weights", cp.hasAveragedWeights},
                 {"forward_gflop", forwardFlops(m) / 1e9}};
        if (cp.hasTraining)
            out["training"] = {{"dataset", t.dataset},
                               {"step", cp.step},
                               {"steps", t.steps},
                               {"batch", t.batchSize},
                               {"lr", t.learningRate},
                               {"sigma_min", t.noise.sigmaMin},
                               {"sigma_max", t.noise.sigmaMax},
                               {"spread", toString(t.noise.spread)},
                               {"sigma0", t.noise.sigma0},
                               {"seed", t.seed},
                               {"ema", t.emaDecay},
                               {"precision", toString(t.precision)},
                               {"history", t.history},
                               {"steps_in_all", cp.step + stepsBeforeThisRun(t.history)},
                               {"final_loss", cp.lossHistory.empty() ? 0.0 : cp.lossHistory.back()}};
        printJsonLine(out);
        return 0;
    }
    std::printf("file          %s (%s)\n", cp.sourcePath.c_str(), cp.format.c_str());
    std::printf("architecture  %s\n", m.describe().c_str());
    std::printf("parameters    %lld\n", static_cast<long long>(model.net->parameterCount()));
    std::printf("forward cost  %.4g GFLOP per sample\n", forwardFlops(m) / 1e9);
    std::printf("weights       %s\n", model.weightsDescription().c_str());
    if (cp.hasTraining) {
        std::printf("trained on    %s\n", t.dataset.c_str());
        std::printf("steps         %lld of %lld (batch %lld, lr %g, %s)\n", static_cast<long long>(cp.step),
                    static_cast<long long>(t.steps), static_cast<long long>(t.batchSize), t.learningRate,
                    t.cosineDecay ? "cosine decay" : "constant");
        if (const int64_t before = stepsBeforeThisRun(t.history); before > 0)
            std::printf("in all        %lld steps with the runs before this one\n",
                        static_cast<long long>(cp.step + before));
        std::printf("noise         sigma %g..%g %s, sigma0 %g\n", t.noise.sigmaMin, t.noise.sigmaMax,
                    toString(t.noise.spread).c_str(), t.noise.sigma0);
        std::printf("arithmetic    %s\n", toString(t.precision).c_str());
        if (!cp.lossHistory.empty())
            std::printf("last loss     %.5g (normalised)\n", cp.lossHistory.back());
        if (!t.history.empty())
            std::printf("history       %s\n", t.history.c_str());
    } else {
        std::printf("training      no metadata (weights only)\n");
    }
    return 0;
}

}  // namespace ebm::cli
