#include "ebm/io/checkpoint.h"

#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <optional>
#include <sstream>

#include "ebm/base/error.h"
#include "ebm/io/pytorch_import.h"
#include "base/file_util.h"
#include "io/archive_file.h"

#include <zlib.h>

namespace ebm {
namespace {

using internal::fileName;
using internal::firstLine;

constexpr const char* kNativeFormat = kNativeCheckpointFormat;
constexpr const char* kPytorchFormat = kPytorchCheckpointFormat;
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
            {"random_flip", t.randomFlip ? "1" : "0"},
            {"ema", formatDouble(t.emaDecay)},
            {"precision", toString(t.precision)},
            {"history", t.history}};
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
    /// For keys that later versions added: files written before them read as `fallback`.
    double realOr(const std::string& key, double fallback) const
    {
        return values.count(key) ? real(key) : fallback;
    }
};

ModelConfig modelFromKeys(const KeyValues& values, const std::string& source)
{
    KeyReader r{values, source};
    auto small = [&](const char* key) {  // no silent wrap-around: 4294967304 is not 8
        const long long value = r.integer(key);
        if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
            throw Error(source + ": checkpoint metadata '" + key + "' is " + std::to_string(value) + ", far out of range; the file is damaged");
        return static_cast<int>(value);
    };
    ModelConfig m;
    try {
        m.arch = parseArchitecture(r.get("arch"));
        m.head = parseHead(r.get("head"));
    } catch (const Error& e) {
        throw Error(source + ": checkpoint metadata: " + e.what());
    }
    m.inChannels = small("in_channels");
    m.baseWidth = small("base_width");
    m.imageSize = small("image_size");
    m.inputDim = small("input_dim");
    m.hiddenWidth = small("hidden_width");
    m.hiddenLayers = small("hidden_layers");
    checkModelLimits(m, source);
    return m;
}

TrainConfig trainFromKeys(const KeyValues& values, const std::string& source)
{
    KeyReader r{values, source};
    TrainConfig t;
    t.dataset = r.get("dataset");
    t.noise.sigmaMin = r.real("sigma_min");
    t.noise.sigmaMax = r.real("sigma_max");
    try {
        t.noise.spread = parseNoiseSpread(r.get("spread"));
    } catch (const Error& e) {
        throw Error(source + ": checkpoint metadata: " + e.what() + "; the file is damaged or from a newer version");
    }
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
    t.emaDecay = r.realOr("ema", 0.0);
    if (values.count("history"))
        t.history = values.at("history");
    if (values.count("precision")) {   // files before the option trained in float32
        try {
            t.precision = parsePrecision(values.at("precision"));
        } catch (const Error& e) {
            throw Error(source + ": checkpoint metadata: " + e.what() + "; the file is damaged or from a newer version");
        }
    }
    if (!(t.emaDecay >= 0.0 && t.emaDecay < 1.0))
        throw Error(source + ": checkpoint metadata 'ema' is " + formatDouble(t.emaDecay) + ", outside [0, 1); the file is damaged");
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

/// CRC-32 of a record's dtype, shape and bytes. LibTorch checks no CRC of the archive's
/// records, so without these a flipped bit in a weight would load without a word.
uLong crcOf(uLong crc, const void* data, size_t size)
{
    const auto* bytes = static_cast<const Bytef*>(data);
    constexpr size_t kChunk = size_t{1} << 30;  // crc32 takes 32-bit lengths
    for (size_t done = 0; done < size; done += kChunk)
        crc = crc32(crc, bytes + done, static_cast<uInt>(std::min(kChunk, size - done)));
    return crc;
}

std::string crcText(uLong crc)
{
    char text[12];
    std::snprintf(text, sizeof text, "%08lx", static_cast<unsigned long>(crc));
    return text;
}

std::string recordChecksum(const torch::Tensor& tensor)
{
    const torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    std::ostringstream header;
    header << t.scalar_type() << t.sizes();
    const std::string head = header.str();
    const uLong crc = crcOf(crc32(0L, Z_NULL, 0), head.data(), head.size());
    return crcText(crcOf(crc, t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size()));
}

std::string textChecksum(const std::string& text)
{
    return crcText(crcOf(crc32(0L, Z_NULL, 0), text.data(), text.size()));
}

/// Writes tensor records and remembers their checksums for the "checksums" record.
struct ChecksummedWriter {
    torch::serialize::OutputArchive& archive;
    KeyValues checksums;
    void write(const std::string& key, const torch::Tensor& tensor)
    {
        const torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
        archive.write(key, t);
        checksums[key] = recordChecksum(t);
    }
    void write(const std::string& key, const std::string& text)
    {
        archive.write(key, c10::IValue(text));
        checksums[key] = textChecksum(text);
    }
};

/// Reads tensor records and checks them against the file's "checksums" record (files written
/// before checksums existed have none and are read unchecked).
struct ChecksummedReader {
    const std::map<std::string, c10::IValue>& attributes;
    const std::string& source;
    std::optional<KeyValues> checksums;
    std::set<std::string> verified;

    void fail(const std::string& what) const
    {
        throw Error(source + ": " + what + " does not match its checksum; the file is damaged "
                    "(a changed or truncated copy): open an earlier copy or train again");
    }
    bool read(const std::string& key, torch::Tensor& tensor, const std::string& what)
    {
        auto found = attributes.find(key);
        if (found == attributes.end() || !found->second.isTensor())
            return false;
        tensor = found->second.toTensor();
        if (checksums) {
            auto it = checksums->find(key);
            if (it == checksums->end() || it->second != recordChecksum(tensor))
                fail(what);
            verified.insert(key);
        }
        return true;
    }
    void check(const std::string& key, const std::string& text)
    {
        if (!checksums)
            return;
        auto it = checksums->find(key);
        if (it == checksums->end() || it->second != textChecksum(text))
            fail("the '" + key + "' record");
        verified.insert(key);
    }
    /// A record that was checksummed but not read means a flag that selects records was changed.
    void checkAllRead() const
    {
        if (!checksums)
            return;
        for (const auto& [key, sum] : *checksums)
            if (!verified.count(key))
                fail("the record list ('" + key + "' was written but is not read)");
    }
};

/// The architecture the metadata names must be the one the weights have: the network is built
/// from the metadata before the weights are checked, so a damaged width or depth would otherwise
/// allocate a network of gigabytes.
void requireWeightsFitMetadata(const Checkpoint& cp, const std::string& source)
{
    const ModelConfig inferred = inferModelConfig(cp.weights, source);
    const ModelConfig& m = cp.model;
    bool same = inferred.arch == m.arch && inferred.head == m.head;
    if (m.isImageModel())
        // Native files lack the reference LayerNorms that tell 28 from 24 pixels: the head
        // fixes the image size only up to the flooring of three poolings.
        same = same && inferred.baseWidth == m.baseWidth && inferred.inChannels == m.inChannels &&
               inferred.imageSize / 8 == m.imageSize / 8;
    else
        same = same && inferred.inputDim == m.inputDim && inferred.hiddenWidth == m.hiddenWidth &&
               inferred.hiddenLayers == m.hiddenLayers;
    if (!same)
        throw Error(source + ": the metadata describes a " + m.describe() + " but the weights are those of a " +
                    inferred.describe() + "; the file is damaged");
}

/// nullopt when the zip archive at `path` is not an EBM Studio checkpoint (a PyTorch file, say);
/// a checkpoint that is damaged throws ebm::Error instead.
std::optional<Checkpoint> loadNative(const std::string& path)
{
    // The engine's own reader, not LibTorch's: see readArchiveAttributes.
    std::optional<std::map<std::string, c10::IValue>> archive;
    try {
        archive = readArchiveAttributes(path);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; the file is damaged: open an earlier copy or train again");
    }
    if (!archive)
        return std::nullopt;  // not a torch::serialize archive: the PyTorch reader explains
    const auto record = [&](const std::string& key) -> const c10::IValue* {
        auto it = archive->find(key);
        return it == archive->end() ? nullptr : &it->second;
    };
    const c10::IValue* format = record("ebm_format");
    if (!format || !format->isString())
        return std::nullopt;
    const std::string source = fileName(path);
    if (format->toStringRef() != kNativeFormat)
        throw Error(source + ": checkpoint format '" + format->toStringRef() +
                    "' is newer than this program understands; update EBM Studio");

    ChecksummedReader reader{*archive, source, std::nullopt, {}};
    if (const c10::IValue* checksums = record("checksums"); checksums && checksums->isString())
        reader.checksums = splitKeyValues(checksums->toStringRef());
    auto readString = [&](const char* key) {
        const c10::IValue* value = record(key);
        if (!value || !value->isString())
            throw Error(source + ": checkpoint lacks its '" + key + "' record; the file is damaged");
        reader.check(key, value->toStringRef());
        return value->toStringRef();
    };
    Checkpoint cp;
    cp.format = kNativeFormat;
    cp.sourcePath = path;
    cp.model = modelFromKeys(splitKeyValues(readString("model")), source);

    std::istringstream names(readString("weight_names"));
    std::vector<std::string> weightNames;
    for (std::string name; std::getline(names, name);)
        weightNames.push_back(name);
    for (size_t index = 0; index < weightNames.size(); ++index) {
        const std::string& name = weightNames[index];
        torch::Tensor t;
        if (!reader.read("w" + std::to_string(index), t, "weight '" + name + "'"))
            throw Error(source + ": weight '" + name + "' is missing; the file is damaged");
        cp.weights[name] = t;
    }
    requireWeightsFitMetadata(cp, source);
    const auto flag = [&](const char* key) {
        const c10::IValue* value = record(key);
        return value && value->isBool() && value->toBool();
    };
    if (flag("has_averaged")) {
        for (size_t index = 0; index < weightNames.size(); ++index) {
            const std::string& name = weightNames[index];
            torch::Tensor t;
            if (!reader.read("a" + std::to_string(index), t, "averaged weight '" + name + "'"))
                throw Error(source + ": averaged weight '" + name + "' is missing; the file is damaged");
            if (t.sizes() != cp.weights[name].sizes())
                throw Error(source + ": averaged weight '" + name + "' has another shape than the weight; the file is damaged");
            cp.averagedWeights[name] = t;
        }
        cp.hasAveragedWeights = true;
    }
    if (flag("has_training")) {
        cp.hasTraining = true;
        cp.train = trainFromKeys(splitKeyValues(readString("train")), source);
        if (const c10::IValue* step = record("step"); step && step->isInt())
            cp.step = step->toInt();
        reader.check("step", std::to_string(cp.step));
        torch::Tensor losses, optimizer;
        if (reader.read("loss_history", losses, "the loss history")) {
            losses = losses.contiguous().to(torch::kFloat32);
            cp.lossHistory.assign(losses.data_ptr<float>(), losses.data_ptr<float>() + losses.numel());
        }
        if (reader.read("optimizer", optimizer, "the optimizer state"))
            cp.optimizerState = tensorToBytes(optimizer);
        cp.rngState = readString("rng");
    }
    reader.checkAllRead();
    return cp;
}

}  // namespace

void saveCheckpoint(const Checkpoint& cp, const std::string& path)
{
    if (cp.train.history.find('\n') != std::string::npos || cp.train.dataset.find('\n') != std::string::npos ||
        cp.train.checkpointPath.find('\n') != std::string::npos)
        throw Error(internal::fileName(path) + ": a training setting holds a line break, which the checkpoint cannot store");
    namespace fs = std::filesystem;
    torch::serialize::OutputArchive archive;
    archive.write("ebm_format", c10::IValue(std::string(kNativeFormat)));
    ChecksummedWriter writer{archive, {}};
    writer.write("model", joinKeyValues(modelToKeys(cp.model)));
    std::string names;
    int index = 0;
    for (const auto& [name, tensor] : cp.weights) {
        names += name + '\n';
        writer.write("w" + std::to_string(index++), tensor);
    }
    writer.write("weight_names", names);
    const bool hasAveraged = !cp.averagedWeights.empty();
    archive.write("has_averaged", c10::IValue(hasAveraged));
    if (hasAveraged) {
        index = 0;
        for (const auto& [name, tensor] : cp.weights) {
            auto it = cp.averagedWeights.find(name);
            if (it == cp.averagedWeights.end() || it->second.sizes() != tensor.sizes())
                throw Error("cannot save a checkpoint whose averaged weights do not match its weights ('" + name + "')");
            writer.write("a" + std::to_string(index++), it->second);
        }
    }
    archive.write("has_training", c10::IValue(cp.hasTraining));
    if (cp.hasTraining) {
        writer.write("train", joinKeyValues(trainToKeys(cp.train)));
        archive.write("step", c10::IValue(static_cast<int64_t>(cp.step)));
        writer.checksums["step"] = textChecksum(std::to_string(cp.step));
        writer.write("loss_history",
                     torch::from_blob(const_cast<float*>(cp.lossHistory.data()),
                                      {static_cast<int64_t>(cp.lossHistory.size())}, torch::kFloat32)
                         .clone());
        writer.write("optimizer", bytesToTensor(cp.optimizerState));
        writer.write("rng", cp.rngState);
    }
    archive.write("checksums", c10::IValue(joinKeyValues(writer.checksums)));

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
    internal::refuseNonRegularFile(path);  // a pipe would block the reading below forever
    if (fs::file_size(path, ec) == 0)
        throw Error(source + ": the file is empty, not a checkpoint");
    if (!looksLikeZip(path)) {
        refuseLegacyTorchSave(path);  // says how to re-save a pre-1.6 torch.save file
        throw Error(source + ": not a checkpoint (neither an EBM Studio file nor a PyTorch zip "
                             "archive saved by torch.save)");
    }
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
            if (first.dim() != 2 || first.size(0) > ModelLimits::kMaxHiddenWidth || first.size(1) > ModelLimits::kMaxInputDim)
                throw Error(source + ": fc0.weight is not the first layer of an MLP energy of at most " +
                            std::to_string(ModelLimits::kMaxHiddenWidth) + " units");
            config.inputDim = static_cast<int>(first.size(1));
            config.hiddenWidth = static_cast<int>(first.size(0));
            int layers = 0;
            while (layers <= ModelLimits::kMaxHiddenLayers && find("fc" + std::to_string(layers) + ".weight"))
                ++layers;
            config.hiddenLayers = layers;
            config.head = find("lq.weight") ? HeadKind::Quadratic : HeadKind::Linear;
            checkModelLimits(config, source);
            return config;
        }
        throw Error(source + ": not an energy network of the reference layout (no conv1.conv.weight); "
                             "only Res6/Res12/Res18 state_dicts can be opened");
    }
    if (stem->dim() != 4)
        throw Error(source + ": conv1.conv.weight has " + std::to_string(stem->dim()) + " dimensions, expected 4");
    if (stem->size(0) < 1 || stem->size(0) > ModelLimits::kMaxBaseWidth || stem->size(1) < 1 ||
        stem->size(1) > ModelLimits::kMaxInChannels) {
        std::ostringstream msg;
        msg << source << ": conv1.conv.weight has shape " << stem->sizes() << "; a first layer needs 1.."
            << ModelLimits::kMaxBaseWidth << " filters over 1.." << ModelLimits::kMaxInChannels << " channels";
        throw Error(msg.str());
    }
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
    if (const torch::Tensor* norm = find("rb1.bn1.weight"); norm && norm->dim() == 3 && norm->size(2) / 8 == side)
        config.imageSize = static_cast<int>(norm->size(2));
    checkModelLimits(config, source);
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
        // Copied as they are, integers would become weights quietly (a file saved from a
        // quantized or a wrong tensor); the network computes in floating point.
        if (const c10::ScalarType type = it->second.scalar_type(); !c10::isFloatingType(type)) {
            const char* kind = type == torch::kBool ? "booleans" : c10::isComplexType(type) ? "complex numbers"
                                                                                               : "integers";
            throw Error(source + ": weight " + item.key() + " holds " + kind + " (" + c10::toString(type) +
                        "); a network's weights are floating point");
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

bool choosesAveragedWeights(const Checkpoint& checkpoint, WeightChoice choice)
{
    return choice == WeightChoice::PreferAveraged && !checkpoint.averagedWeights.empty();
}

const std::map<std::string, torch::Tensor>& chosenWeights(const Checkpoint& checkpoint, WeightChoice choice)
{
    return choosesAveragedWeights(checkpoint, choice) ? checkpoint.averagedWeights : checkpoint.weights;
}

EnergyNet instantiate(const Checkpoint& checkpoint, WeightChoice choice)
{
    EnergyNet net = makeEnergyNet(checkpoint.model);
    loadWeights(*net, chosenWeights(checkpoint, choice), fileName(checkpoint.sourcePath));
    return net;
}

}  // namespace ebm
