// ebm inpaint
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cstdlib>
#include "command_support.h"
#include "commands.h"
#include "ebm/error.h"
#include "ebm/image_file.h"
#include "ebm/model_file.h"

namespace ebm::cli {

namespace {
torch::Tensor makeMask(const std::string& spec, const ModelConfig& model, uint64_t seed)
{
    const int s = model.imageSize;
    torch::Tensor mask = torch::zeros({1, 1, s, s});
    using torch::indexing::Slice;
    if (spec == "right")
        mask.index_put_({Slice(), Slice(), Slice(), Slice(s / 2, s)}, 1);
    else if (spec == "left")
        mask.index_put_({Slice(), Slice(), Slice(), Slice(0, s / 2)}, 1);
    else if (spec == "bottom")
        mask.index_put_({Slice(), Slice(), Slice(s / 2, s), Slice()}, 1);
    else if (spec == "top")
        mask.index_put_({Slice(), Slice(), Slice(0, s / 2), Slice()}, 1);
    else if (spec == "center")
        mask.index_put_({Slice(), Slice(), Slice(s / 4, 3 * s / 4), Slice(s / 4, 3 * s / 4)}, 1);
    else if (spec.rfind("random:", 0) == 0) {
        const std::string text = spec.substr(7);
        char* end = nullptr;
        const double fraction = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(fraction >= 0.0 && fraction <= 1.0))
            throw Error("--mask random:FRACTION needs a fraction between 0 and 1, not '" + text + "'");
        auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
        mask = (torch::rand({1, 1, s, s}, generator) < fraction).to(torch::kFloat32);
    } else {
        // A mask image: white (> 0.5) marks pixels to generate.
        mask = (readImage(spec, 1, s).unsqueeze(0) > 0.5).to(torch::kFloat32);
    }
    return mask;
}


}  // namespace

int runInpaint(int argc, char** argv)
{
    CliArgs args("inpaint", "Fill the masked pixels of images with annealed Langevin sampling; known pixels stay clamped.");
    args.options(R"(
--input=fashion-mnist  images to complete (default: Fashion-MNIST test images)
--num=16               how many images of the input to complete
--mask=right           right, left, top, bottom, center, random:FRACTION, or a mask PNG (white = generate)
--out=inpaint.png      PNG: rows of originals, masked inputs and completions
--npy=                 also write the completions as .npy
)");
    addSamplingOptions(args);
    ModelCommand command = startModelCommand(args, argc, argv);
    OpenedModel& model = command.model;
    const SamplerConfig config = makeSamplerConfig(samplingOptionsFrom(args), model.sigma0);
    const torch::Tensor images = limitRows(openInput(args.text("input"), model.net->config()).data,
                                           args.integerIn("num", 1, kMaxSamplesPerRun));
    const torch::Tensor mask = makeMask(args.text("mask"), model.net->config(), config.seed);
    stopOnInterrupt();
    ProgressBar bar("inpaint");
    SampleResult result = inpaint(*model.net, config, images, mask, progressCallback(bar, nullptr));
    bar.finish();
    const torch::Tensor done = result.samples.to(torch::kCPU);
    const torch::Tensor shown = images * (1 - mask) + 0.5 * mask;
    const int cols = static_cast<int>(images.size(0));
    writeImage(args.text("out"), makeGrid(torch::cat({images, shown, done.clamp(0, 1)}), cols));
    if (!args.text("npy").empty())
        writeNpy(args.text("npy"), done);
    spdlog::info("completed {} images; wrote {}", images.size(0), args.text("out"));
    return result.stopped ? 130 : 0;
}

}  // namespace ebm::cli
