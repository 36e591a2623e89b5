// ebm denoise
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>
#include "ebm/base/error.h"
#include "ebm/io/image_file.h"
#include "ebm/io/model_file.h"
#include "command_support.h"
#include "commands.h"
#include "settings_from_image.h"

namespace ebm::cli {

int runDenoise(int argc, char** argv)
{
    CliArgs args("denoise", "Denoise images with the single-step jump x - sigma0^2 dE/dx (eq. 9).");
    args.options(R"(
--input=            images (.npy, PNG/JPEG file or folder, data set)
--add-noise=0       first add N(0, std^2) noise (to demonstrate); 0 = denoise as given
--num=16            at most this many images
--seed=1            random seed of the added noise
--out=denoised.png  PNG: rows of inputs (noisy) and denoised images
--npy=              also write the denoised images as .npy
)");
    ModelCommand command = startModelCommand(args, argc, argv);
    const torch::Device device = command.device;
    OpenedModel& model = command.model;
    std::vector<NamedFile> outputs = namedFiles(args, {"npy"});
    if (model.net->config().isImageModel())  // points make no picture
        outputs.insert(outputs.begin(), NamedFile{"out", args.text("out")});
    refuseSharedFiles({{"model", model.path}, {"input", args.text("input")}}, outputs);
    torch::Tensor x = limitRows(openInput(args.text("input"), model.net->config()).data, args.integerIn("num", 1, kMaxSamplesPerRun));
    if (const double std = args.real("add-noise"); std > 0) {
        auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(args.longInteger("seed")));
        x = x + std * at::randn(x.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32));
    }
    const torch::Tensor clean = denoise(*model.net, x.to(device), model.sigma0).to(torch::kCPU);
    if (x.dim() == 4) {
        const std::string input = args.text("input");
        const Json details{{"input", inputSettings(input)},
                           {"samples", x.size(0)},
                           {"add_noise", args.real("add-noise")},
                           {"seed", args.longInteger("seed")}};
        writeImage(args.text("out"),
                   makeGrid(torch::cat({x.clamp(0, 1), clean.clamp(0, 1)}), static_cast<int>(x.size(0))),
                   pictureSettings("denoise", &model, details));
    }
    if (!args.text("npy").empty())
        writeNpy(args.text("npy"), clean);
    spdlog::info("denoised {} images; wrote {}", x.size(0), args.text("out"));
    return 0;
}

}  // namespace ebm::cli
