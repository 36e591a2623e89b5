#include "ebm/io/pytorch_export.h"

#include <torch/torch.h>

#include "ebm/base/error.h"
#include "base/file_util.h"

namespace ebm {

std::map<std::string, torch::Tensor> referenceStateDict(const Checkpoint& checkpoint, WeightChoice choice)
{
    std::map<std::string, torch::Tensor> stateDict;
    for (const auto& [name, tensor] : chosenWeights(checkpoint, choice))
        stateDict[name] = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    if (stateDict.empty())
        throw Error(internal::fileName(checkpoint.sourcePath) + ": holds no weights to export");
    for (const auto& [name, shape] : referenceUnusedNormShapes(checkpoint.model)) {
        if (auto it = stateDict.find(name); it != stateDict.end() && it->second.sizes() == c10::IntArrayRef(shape))
            continue;  // a file from PyTorch keeps its own values
        const bool isScale = name.size() >= 7 && name.compare(name.size() - 7, 7, ".weight") == 0;
        stateDict[name] = isScale ? torch::ones(shape) : torch::zeros(shape);
    }
    return stateDict;
}

void writePytorchStateDict(const std::map<std::string, torch::Tensor>& stateDict, const std::string& path)
{
    c10::Dict<std::string, torch::Tensor> dict;
    for (const auto& [name, tensor] : stateDict)
        dict.insert(name, tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous());
    std::vector<char> bytes;
    try {
        bytes = torch::pickle_save(c10::IValue(dict));
    } catch (const std::exception& e) {
        throw Error(internal::fileName(path) + ": the state_dict could not be encoded (" +
                    internal::firstLine(e.what()) + ")");
    }
    internal::writeBytesAtomically(path, std::string(bytes.begin(), bytes.end()), "PyTorch state_dict");
}

}  // namespace ebm
