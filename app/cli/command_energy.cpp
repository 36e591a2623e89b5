// ebm energy
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cstdio>
#include <limits>
#include <iostream>
#include "command_support.h"
#include "commands.h"
#include "ebm/error.h"
#include "ebm/json.h"
#include "ebm/model_file.h"

namespace ebm::cli {
namespace {

constexpr long long kMaxDraws = 100000;  // each draw is one pass over the images

}  // namespace

int runEnergy(int argc, char** argv)
{
    CliArgs args("energy", "Energies of images, averaged over noise draws (energies at clean data are not trained).");
    args.options(R"(
--input=         images: .npy, PNG/JPEG file or folder, MNIST/CIFAR folder, fashion-mnist, toy:NAME
--noise-std=0.1  add N(0, std^2) noise before measuring (sigma0 = 0.1 in the paper); 0 = none
--draws=8        noise draws to average per image
--seed=1         random seed of the noise
--limit=0        only the first N images (0 = all)
--test           use the test split of a data set
--json           print JSON (energies, gradient norms when --noise-std 0, summary)
)");
    ModelCommand command = startModelCommand(args, argc, argv);
    const torch::Device device = command.device;
    OpenedModel& model = command.model;
    const torch::Tensor x = limitRows(openInput(args.text("input"), model.net->config(), !args.isSet("test")).data,
                                      args.integerIn("limit", 0, std::numeric_limits<long long>::max()));
    const double noiseStd = args.real("noise-std");
    const torch::Tensor energies = measureEnergies(*model.net, x, noiseStd, static_cast<int>(args.integerIn("draws", 1, kMaxDraws)),
                                                        static_cast<uint64_t>(args.longInteger("seed")));
    torch::Tensor gradNorms;
    if (noiseStd == 0.0 && x.size(0) <= 4096) {
        auto eg = energyAndGrad(*model.net, x.to(device));
        gradNorms = eg.grad.flatten(1).norm(2, 1).to(torch::kCPU);
    }
    const double mean = energies.mean().item<double>();
    const double std = energies.numel() > 1 ? energies.std().item<double>() : 0.0;
    if (args.isSet("json")) {
        Json out{{"model", model.checkpoint.sourcePath},
                 {"architecture", model.net->config().describe()},
                 {"count", energies.numel()},
                 {"noise_std", noiseStd},
                 {"draws", noiseStd > 0 ? args.integer("draws") : 1},
                 {"mean", mean},
                 {"std", std},
                 {"energies", tensorToJson(energies)}};
        if (gradNorms.defined())
            out["grad_norms"] = tensorToJson(gradNorms);
        std::cout << out.dump() << '\n';
    } else {
        const int64_t shown = std::min<int64_t>(energies.numel(), 20);
        for (int64_t i = 0; i < shown; ++i)
            std::printf("%6lld  %.6g\n", static_cast<long long>(i), energies[i].item<double>());
        if (shown < energies.numel())
            std::printf("   ... (%lld more; --json prints all)\n", static_cast<long long>(energies.numel() - shown));
        std::printf("mean %.6g  std %.6g  over %lld images\n", mean, std, static_cast<long long>(energies.numel()));
    }
    return 0;
}

}  // namespace ebm::cli
