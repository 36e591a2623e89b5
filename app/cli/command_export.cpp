// ebm export
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/model_file.h"
#include "ebm/io/pytorch_export.h"
#include "command_support.h"
#include "commands.h"

namespace ebm::cli {

int runExport(int argc, char** argv)
{
    CliArgs args("export", "Write a model for PyTorch (a state_dict with the reference code's keys and shapes) "
                           "or as a native checkpoint with checksums.");
    args.options(R"(
--model=         checkpoint: native .ebm or a reference PyTorch .pt (default: bundled model)
--format=pytorch pytorch (state_dict .pt that torch.load reads) or native (.ebm, training state kept)
--out=           file to write (required)
--raw-weights    export the trained weights even when the file holds their moving average (EMA)
)");
    parseWithRuntime(args, argc, argv);
    const std::string out = args.text("out");
    if (out.empty())
        throw Error("--out is required: the file to write, e.g. --out model.pt");
    const std::string format = args.text("format");
    if (format != "pytorch" && format != "native")
        throw Error("--format must be pytorch or native, not '" + format + "'");
    const std::string path = modelFileOption(args);
    refuseSharedFiles({{"model", path}}, {{"out", out}});
    Checkpoint checkpoint = loadCheckpoint(path);
    const WeightChoice choice = weightChoiceFrom(args);
    const bool averaged = choosesAveragedWeights(checkpoint, choice);
    if (format == "pytorch") {
        const auto stateDict = referenceStateDict(checkpoint, choice);
        writePytorchStateDict(stateDict, out);
        spdlog::info("wrote {} ({}, {} {} tensors) for PyTorch's load_state_dict", out, checkpoint.model.describe(),
                     stateDict.size(), averaged ? "averaged" : "raw");
    } else {
        saveCheckpoint(checkpoint, out);
        spdlog::info("wrote {} ({}, native format with checksums{})", out, checkpoint.model.describe(),
                     checkpoint.hasTraining ? ", training state kept" : "");
    }
    return 0;
}

}  // namespace ebm::cli
