#include "ebm/io/model_file.h"
#include "ebm/io/pytorch_import.h"

#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <sstream>
#include <system_error>
#include <unistd.h>

namespace ebm {
namespace {

namespace fs = std::filesystem;

/// share/ebm-studio beside the running program's bin/ folder, so that an installed (or
/// relocated) tree finds its data without a compiled-in prefix.
fs::path dataDirBesideProgram()
{
    std::error_code ec;
    const fs::path program = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {};
    return program.parent_path().parent_path() / "share" / "ebm-studio";
}

/// `relative` under the first data folder that holds it: beside the program, the configured
/// install prefix, then the source tree (so builds run without installing).
std::string findResource(const char* environmentVariable, const fs::path& relative)
{
    if (const char* env = std::getenv(environmentVariable); env && *env)
        return env;
    for (const fs::path& dir : {dataDirBesideProgram(), fs::path(EBM_INSTALL_DATA_DIR), fs::path(EBM_RESOURCES_DIR)}) {
        std::error_code ec;
        if (!dir.empty() && fs::exists(dir / relative, ec))
            return (dir / relative).string();
    }
    return (fs::path(EBM_RESOURCES_DIR) / relative).string();
}

}  // namespace

std::string OpenedModel::weightsDescription() const
{
    if (usesAveragedWeights) {
        std::ostringstream text;
        text << "averaged weights (EMA " << checkpoint.train.emaDecay << ")";
        return text.str();
    }
    return checkpoint.hasAveragedWeights ? "raw weights (the file also holds averaged ones)" : "weights";
}

OpenedModel openModel(const std::string& requested, torch::Device device, WeightChoice choice)
{
    OpenedModel model;
    model.path = requested.empty() ? bundledModelPath() : requested;
    refuseLegacyTorchSave(model.path);  // else "not a checkpoint", without the way out
    model.checkpoint = loadCheckpoint(model.path);
    model.net = instantiate(model.checkpoint, choice);
    model.usesAveragedWeights = choosesAveragedWeights(model.checkpoint, choice);
    model.checkpoint.hasAveragedWeights = !model.checkpoint.averagedWeights.empty();
    // The network holds the weights in use; the raw ones stay only when the network holds their
    // average, so that saving the model again keeps both.
    if (!model.usesAveragedWeights)
        model.checkpoint.weights.clear();
    model.checkpoint.averagedWeights.clear();
    model.net->to(device);
    model.net->eval();
    if (model.checkpoint.hasTraining)
        model.sigma0 = model.checkpoint.train.noise.sigma0;
    return model;
}

std::string bundledModelPath()
{
    return findResource("EBM_DEFAULT_MODEL", "fashion-mnist-res12.ebm");
}

std::string bundledClassifierPath()
{
    return findResource("EBM_CLASSIFIER", fs::path("classifier") / "fashion-mnist-classifier.pt");
}

}  // namespace ebm
