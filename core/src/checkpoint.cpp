#include "ebm/checkpoint.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <optional>
#include <sstream>

#include "ebm/error.h"
#include "file_util.h"
#include "ebm/pytorch_import.h"

namespace ebm {
namespace {

using internal::fileName;
using internal::firstLine;

constexpr const char* kNativeFormat = "ebm-native-1";
constexpr const char* kPytorchFormat = "pytorch-state-dict";
constexpr const char* kDataParallelPrefix = "module.";

using KeyValues = std::map<std::string, std::string>;

std::string joinKeyValues(const KeyValues& values)
{
    std::ostringstream out;
    for (const auto& [k, v] : values)
        out << k << '=' << v << '\n';
    return out.str();
}

KeyValues splitKeyValues(const std::string& text)
{
    KeyValues values;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq != std::string::npos)
            values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return values;
}

std::string formatDouble(double v)
{
    std::ostringstream out;
    out.precision(17);
    out << v;
    return out.str();
}

KeyValues modelToKeys(const ModelConfig& m)
{
    return {{"arch", toString(m.arch)},          {"in_channels", std::to_string(m.inChannels)},
            {"base_width", std::to_string(m.baseWidth)}, {"image_size", std::to_string(m.imageSize)},
            {"head", toString(m.head)},          {"input_dim", std::to_string(m.inputDim)},
            {"hidden_width", std::to_string(m.hiddenWidth)},
            {"hidden_layers", std::to_string(m.hiddenLayers)}};
}

KeyValues trainToKeys(const TrainConfig& t)
{
    return {{"dataset", t.dataset},
            {"sigma_min", formatDouble(t.noise.sigmaMin)},
            {"sigma_max", formatDouble(t.noise.sigmaMax)},
            {"spread", toString(t.noise.spread)},
            {"sigma0", formatDouble(t.noise.sigma0)},
            {"batch", std::to_string(t.batchSize)},
            {"steps", std::to_string(t.steps)},
            {"lr", formatDouble(t.learningRate)},
            {"beta1", formatDouble(t.beta1)},
            {"beta2", formatDouble(t.beta2)},
            {"cosine", t.cosineDecay ? "1" : "0"},
            {"final_lr", formatDouble(t.finalLearningRate)},
            {"seed", std::to_string(t.seed)},
            {"checkpoint_every", std::to_string(t.checkpointEvery)},
            {"checkpoint_path", t.checkpointPath},
            {"random_flip", t.randomFlip ? "1" : "0"}};
}

struct KeyReader {
    const KeyValues& values;
    const std::string& source;
    const std::string& get(const std::string& key) const
    {
        auto it = values.find(key);
        if (it == values.end())
            throw Error(source + ": checkpoint metadata lacks '" + key + "'; the file is damaged");
        return it->second;
    }
    long long integer(const std::string& key) const
    {
        try {
            return std::stoll(get(key));
        } catch (const std::logic_error&) {
            throw Error(source + ": checkpoint metadata '" + key + "' is not a number");
        }
    }
    double real(const std::string& key) const
    {
        try {
            return std::stod(get(key));
        } catch (const std::logic_error&) {
            throw Error(source + ": checkpoint metadata '" + key + "' is not a number");
        }
    }
};

ModelConfig modelFromKeys(const KeyValues& values, const std::string& source)
{
    KeyReader r{values, source};
    ModelConfig m;
    m.arch = parseArchitecture(r.get("arch"));
    m.inChannels = static_cast<int>(r.integer("in_channels"));
    m.baseWidth = static_cast<int>(r.integer("base_width"));
    m.imageSize = static_cast<int>(r.integer("image_size"));
    m.head = parseHead(r.get("head"));
    m.inputDim = static_cast<int>(r.integer("input_dim"));
    m.hiddenWidth = static_cast<int>(r.integer("hidden_width"));
    m.hiddenLayers = static_cast<int>(r.integer("hidden_layers"));
    return m;
}

TrainConfig trainFromKeys(const KeyValues& values, const std::string& source)
{
    KeyReader r{values, source};
    TrainConfig t;
    t.dataset = r.get("dataset");
    t.noise.sigmaMin = r.real("sigma_min");
    t.noise.sigmaMax = r.real("sigma_max");
    t.noise.spread = parseNoiseSpread(r.get("spread"));
    t.noise.sigma0 = r.real("sigma0");
    t.batchSize = r.integer("batch");
    t.steps = r.integer("steps");
    t.learningRate = r.real("lr");
    t.beta1 = r.real("beta1");
    t.beta2 = r.real("beta2");
    t.cosineDecay = r.get("cosine") == "1";
    t.finalLearningRate = r.real("final_lr");
    t.seed = static_cast<uint64_t>(r.integer("seed"));
    t.checkpointEvery = r.integer("checkpoint_every");
    t.checkpointPath = r.get("checkpoint_path");
    t.randomFlip = r.get("random_flip") == "1";
    return t;
}

torch::Tensor bytesToTensor(const std::string& bytes)
{
    torch::Tensor t = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
    if (!bytes.empty())
        std::memcpy(t.data_ptr<uint8_t>(), bytes.data(), bytes.size());
    return t;
}

std::string tensorToBytes(const torch::Tensor& t)
{
    torch::Tensor c = t.contiguous().to(torch::kUInt8);
    return std::string(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()), static_cast<size_t>(c.numel()));
}

/// nullopt when the zip archive at `path` is not an EBM Studio checkpoint (a PyTorch file, say);
/// a checkpoint that is damaged throws ebm::Error instead.
std::optional<Checkpoint> loadNative(const std::string& path)
{
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path);
    } catch (const std::exception&) {
        return std::nullopt;  // not a torch::serialize archive: the PyTorch reader explains
    }
    c10::IValue format;
    if (!archive.try_read("ebm_format", format) || !format.isString())
        return std::nullopt;
    const std::string source = fileName(path);
    if (format.toStringRef() != kNativeFormat)
        throw Error(source + ": checkpoint format '" + format.toStringRef() +
                    "' is newer than this program understands; update EBM Studio");

    auto readString = [&](const char* key) {
        c10::IValue value;
        if (!archive.try_read(key, value) || !value.isString())
            throw Error(source + ": checkpoint lacks its '" + key + "' record; the file is damaged");
        return value.toStringRef();
    };
    Checkpoint cp;
    cp.format = kNativeFormat;
    cp.sourcePath = path;
    cp.model = modelFromKeys(splitKeyValues(readString("model")), source);

    std::istringstream names(readString("weight_names"));
    std::string name;
    int index = 0;
    while (std::getline(names, name)) {
        torch::Tensor t;
        if (!archive.try_read("w" + std::to_string(index), t))
            throw Error(source + ": weight '" + name + "' is missing; the file is damaged");
        cp.weights[name] = t;
        ++index;
    }
    c10::IValue hasTraining;
    if (archive.try_read("has_training", hasTraining) && hasTraining.isBool() && hasTraining.toBool()) {
        cp.hasTraining = true;
        cp.train = trainFromKeys(splitKeyValues(readString("train")), source);
        c10::IValue step;
        if (archive.try_read("step", step) && step.isInt())
            cp.step = step.toInt();
        torch::Tensor losses, optimizer;
        if (archive.try_read("loss_history", losses)) {
            losses = losses.contiguous().to(torch::kFloat32);
            cp.lossHistory.assign(losses.data_ptr<float>(), losses.data_ptr<float>() + losses.numel());
        }
        if (archive.try_read("optimizer", optimizer))
            cp.optimizerState = tensorToBytes(optimizer);
        cp.rngState = readString("rng");
    }
    return cp;
}

}  // namespace

void saveCheckpoint(const Checkpoint& cp, const std::string& path)
{
    namespace fs = std::filesystem;
    torch::serialize::OutputArchive archive;
    archive.write("ebm_format", c10::IValue(std::string(kNativeFormat)));
    archive.write("model", c10::IValue(joinKeyValues(modelToKeys(cp.model))));
    std::string names;
    int index = 0;
    for (const auto& [name, tensor] : cp.weights) {
        names += name + '\n';
        archive.write("w" + std::to_string(index++), tensor.detach().to(torch::kCPU).contiguous());
    }
    archive.write("weight_names", c10::IValue(names));
    archive.write("has_training", c10::IValue(cp.hasTraining));
    if (cp.hasTraining) {
        archive.write("train", c10::IValue(joinKeyValues(trainToKeys(cp.train))));
        archive.write("step", c10::IValue(static_cast<int64_t>(cp.step)));
        archive.write("loss_history",
                      torch::from_blob(const_cast<float*>(cp.lossHistory.data()),
                                       {static_cast<int64_t>(cp.lossHistory.size())}, torch::kFloat32)
                          .clone());
        archive.write("optimizer", bytesToTensor(cp.optimizerState));
        archive.write("rng", c10::IValue(cp.rngState));
    }

    internal::saveArchiveAtomically(archive, path, "checkpoint");
}

Checkpoint loadCheckpoint(const std::string& path)
{
    namespace fs = std::filesystem;
    const std::string source = fileName(path);
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error(path + ": no such file");
    if (fs::is_directory(path, ec))
        throw Error(path + ": is a folder, not a checkpoint file");
    if (fs::file_size(path, ec) == 0)
        throw Error(source + ": the file is empty, not a checkpoint");
    if (!looksLikeZip(path))
        throw Error(source + ": not a checkpoint (neither an EBM Studio file nor a PyTorch zip "
                             "archive saved by torch.save)");
    std::optional<Checkpoint> native;
    try {
        native = loadNative(path);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(source + ": the checkpoint is damaged (" + firstLine(e.what()) +
                    "); open an earlier copy or train again");
    }
    if (native)
        return std::move(*native);

    Checkpoint cp;
    cp.format = kPytorchFormat;
    cp.sourcePath = path;
    for (auto& [name, tensor] : readPytorchStateDict(path)) {
        const bool prefixed = name.rfind(kDataParallelPrefix, 0) == 0;
        cp.weights[prefixed ? name.substr(std::strlen(kDataParallelPrefix)) : name] = tensor;
    }
    cp.model = inferModelConfig(cp.weights, source);
    return cp;
}

ModelConfig inferModelConfig(const std::map<std::string, torch::Tensor>& weights, const std::string& source)
{
    ModelConfig config;
    auto find = [&](const std::string& key) -> const torch::Tensor* {
        auto it = weights.find(key);
        return it == weights.end() ? nullptr : &it->second;
    };
    const torch::Tensor* stem = find("conv1.conv.weight");
    if (!stem) {
        if (find("fc0.weight")) {
            config.arch = Architecture::Mlp;
            const torch::Tensor& first = *find("fc0.weight");
            config.inputDim = static_cast<int>(first.size(1));
            config.hiddenWidth = static_cast<int>(first.size(0));
            int layers = 0;
            while (find("fc" + std::to_string(layers) + ".weight"))
                ++layers;
            config.hiddenLayers = layers;
            config.head = find("lq.weight") ? HeadKind::Quadratic : HeadKind::Linear;
            return config;
        }
        throw Error(source + ": not an energy network of the reference layout (no conv1.conv.weight); "
                             "only Res6/Res12/Res18 state_dicts can be opened");
    }
    if (stem->dim() != 4)
        throw Error(source + ": conv1.conv.weight has " + std::to_string(stem->dim()) + " dimensions, expected 4");
    config.baseWidth = static_cast<int>(stem->size(0));
    config.inChannels = static_cast<int>(stem->size(1));

    std::set<std::string> blocks;
    static const std::regex blockKey(R"(^(rbc?\d+)\.)");
    for (const auto& [name, tensor] : weights) {
        std::smatch m;
        if (std::regex_search(name, m, blockKey))
            blocks.insert(m[1]);
    }
    const std::set<std::string> res6{"rb1", "rb2", "rb3"};
    const std::set<std::string> res12{"rb1", "rbc1", "rb2", "rbc2", "rb3", "rbc3"};
    const std::set<std::string> res18{"rb1", "rbc1", "rbc11", "rb2", "rbc2", "rbc22", "rb3", "rbc3", "rbc33"};
    if (blocks == res12)
        config.arch = Architecture::Res12;
    else if (blocks == res18)
        config.arch = Architecture::Res18;
    else if (blocks == res6)
        config.arch = Architecture::Res6;
    else {
        std::string list;
        for (const auto& b : blocks)
            list += (list.empty() ? "" : ", ") + b;
        throw Error(source + ": residual blocks {" + list + "} match none of Res6, Res12, Res18");
    }

    const torch::Tensor* head = find("ln1.weight");
    config.head = HeadKind::Quadratic;
    if (!head) {
        head = find("ln.weight");
        config.head = HeadKind::Linear;
    }
    if (!head || head->dim() != 2)
        throw Error(source + ": no energy head (ln1/ln2/lq or ln) found");
    // Features = 8 * width * side^2 after three poolings; recover the image size from side.
    const int64_t channels = int64_t(config.baseWidth) * 8;
    const int64_t features = head->size(1);
    const int64_t sideSquared = features / channels;
    const auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(sideSquared))));
    if (features % channels != 0 || side * side != sideSquared || side < 1)
        throw Error(source + ": the head's " + std::to_string(features) +
                    " inputs do not fit a square image for width " + std::to_string(config.baseWidth));
    config.imageSize = static_cast<int>(side * 8);
    // 28x28 inputs end at 3x3 after flooring poolings; the LayerNorm keys tell the true size.
    if (const torch::Tensor* norm = find("rb1.bn1.weight"); norm && norm->dim() == 3)
        config.imageSize = static_cast<int>(norm->size(2));
    return config;
}

std::map<std::string, torch::Tensor> collectWeights(EnergyNetImpl& net)
{
    std::map<std::string, torch::Tensor> weights;
    for (const auto& item : net.named_parameters())
        weights[item.key()] = item.value().detach().to(torch::kCPU).clone();
    return weights;
}

void loadWeights(EnergyNetImpl& net, const std::map<std::string, torch::Tensor>& weights,
                 const std::string& source)
{
    torch::NoGradGuard noGrad;
    auto params = net.named_parameters();
    for (const auto& item : params) {
        auto it = weights.find(item.key());
        if (it == weights.end())
            throw Error(source + ": weight '" + item.key() + "' is missing for " + net.config().describe() +
                        "; the file holds another architecture");
        if (it->second.sizes() != item.value().sizes()) {
            std::ostringstream msg;
            msg << source << ": weight '" << item.key() << "' has shape " << it->second.sizes()
                << " but " << net.config().describe() << " needs " << item.value().sizes();
            throw Error(msg.str());
        }
        if (!it->second.isfinite().all().item<bool>())
            throw Error(source + ": weight '" + item.key() + "' holds NaN or infinite values");
    }
    static const std::regex unusedNorm(R"(\.bn[12]\.(weight|bias)$)");
    for (const auto& [name, tensor] : weights)
        if (!params.contains(name) && !std::regex_search(name, unusedNorm))
            throw Error(source + ": unexpected weight '" + name + "' for " + net.config().describe() +
                        "; the file holds another architecture");
    for (auto& item : params) {
        item.value().copy_(weights.at(item.key()).to(item.value().device(), item.value().dtype()));
    }
}

EnergyNet instantiate(const Checkpoint& checkpoint)
{
    EnergyNet net = makeEnergyNet(checkpoint.model);
    loadWeights(*net, checkpoint.weights, fileName(checkpoint.sourcePath));
    return net;
}

}  // namespace ebm
