#include "ebm/eval/classifier.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "ebm/base/error.h"
#include "ebm/nn/model.h"
#include "ebm/io/pytorch_import.h"
#include "base/file_util.h"
#include "io/archive_file.h"

namespace ebm {
namespace {

using internal::fileName;
using internal::firstLine;

constexpr const char* kClassifierFormat = "ebm-classifier-1";
constexpr double kInputCentre = 0.5;   // inputs in [0, 1] are mapped to [-1, 1]
constexpr double kInputScale = 2.0;
constexpr double kSmoothing = 0.98;    // exponential smoothing of the reported loss
constexpr int kConvKernel = 3;         // conv3x3, padded to keep the size
constexpr int kConvPadding = 1;
constexpr int kPoolings = 3;           // three 2x2 max-poolings: the side shrinks by 8
constexpr int kPooledShrink = 1 << kPoolings;

std::string configToText(const ClassifierConfig& c)
{
    std::ostringstream out;
    out << "in_channels=" << c.inChannels << "\nimage_size=" << c.imageSize << "\nwidths=";
    for (size_t i = 0; i < c.widths.size(); ++i)
        out << (i ? "," : "") << c.widths[i];
    out << "\nfeature_dim=" << c.featureDim << "\nnum_classes=" << c.numClasses << '\n';
    return out.str();
}

ClassifierConfig configFromText(const std::string& text, const std::string& source)
{
    std::map<std::string, std::string> values;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const auto eq = line.find('=');
        if (eq != std::string::npos)
            values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    auto integer = [&](const std::string& key) {
        auto it = values.find(key);
        if (it == values.end())
            throw Error(source + ": classifier metadata lacks '" + key + "'; the file is damaged");
        try {
            return std::stoi(it->second);
        } catch (const std::logic_error&) {
            throw Error(source + ": classifier metadata '" + key + "' is not a number; the file is damaged");
        }
    };
    ClassifierConfig c;
    c.inChannels = integer("in_channels");
    c.imageSize = integer("image_size");
    c.featureDim = integer("feature_dim");
    c.numClasses = integer("num_classes");
    c.widths.clear();
    auto it = values.find("widths");
    if (it == values.end())
        throw Error(source + ": classifier metadata lacks 'widths'; the file is damaged");
    std::istringstream list(it->second);
    for (std::string item; std::getline(list, item, ',');) {
        try {
            c.widths.push_back(std::stoi(item));
        } catch (const std::logic_error&) {
            throw Error(source + ": classifier metadata 'widths' is damaged");
        }
    }
    if (c.widths.size() != 3 || *std::min_element(c.widths.begin(), c.widths.end()) < 1 || c.inChannels < 1 ||
        c.imageSize < kPooledShrink || c.imageSize % kPooledShrink != 0 || c.featureDim < 1 || c.numClasses < 2)
        throw Error(source + ": classifier metadata describes an impossible network; the file is damaged");
    // Before anything is sized from them (the weights' shapes are checked against these next).
    if (c.inChannels > ModelLimits::kMaxInChannels || c.imageSize > ModelLimits::kMaxImageSize ||
        *std::max_element(c.widths.begin(), c.widths.end()) > ClassifierLimits::kMaxWidth ||
        c.featureDim > ClassifierLimits::kMaxFeatureDim || c.numClasses > ClassifierLimits::kMaxClasses)
        throw Error(source + ": classifier metadata describes " + c.describe() + ", beyond what this program builds (" +
                    std::to_string(ModelLimits::kMaxInChannels) + " channels, " +
                    std::to_string(ModelLimits::kMaxImageSize) + " pixels, " +
                    std::to_string(ClassifierLimits::kMaxWidth) + " filters, " +
                    std::to_string(ClassifierLimits::kMaxFeatureDim) + " features, " +
                    std::to_string(ClassifierLimits::kMaxClasses) + " classes); the file is damaged");
    return c;
}

/// FNV-1a over weight names and raw bytes: a damaged payload is caught even where the zip
/// container does not check its own CRCs.
std::string weightChecksum(const std::vector<std::pair<std::string, torch::Tensor>>& weights)
{
    uint64_t hash = 1469598103934665603ULL;
    auto mix = [&hash](const void* data, size_t size) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (size_t i = 0; i < size; ++i) {
            hash ^= bytes[i];
            hash *= 1099511628211ULL;
        }
    };
    for (const auto& [name, tensor] : weights) {
        mix(name.data(), name.size());
        const torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        mix(t.data_ptr(), static_cast<size_t>(t.numel()) * sizeof(float));
    }
    char text[20];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

/// Random horizontal flips and translations (zero fill), per image, from a seeded generator.
torch::Tensor augment(const torch::Tensor& batch, const ClassifierTrainConfig& config, at::Generator& gen)
{
    torch::Tensor x = batch;
    const int64_t n = x.size(0);
    if (config.randomFlip) {
        torch::Tensor flip = (at::rand({n}, gen) < 0.5).view({n, 1, 1, 1});
        x = torch::where(flip, x.flip({3}), x);
    }
    if (config.randomShift > 0) {
        const int s = config.randomShift;
        const int64_t h = x.size(2), w = x.size(3);
        torch::Tensor padded = torch::constant_pad_nd(x, {s, s, s, s}, 0.0);
        torch::Tensor dx = at::randint(0, 2 * s + 1, {n}, gen);
        torch::Tensor dy = at::randint(0, 2 * s + 1, {n}, gen);
        std::vector<torch::Tensor> rows;
        rows.reserve(static_cast<size_t>(n));
        auto ax = dx.accessor<int64_t, 1>();
        auto ay = dy.accessor<int64_t, 1>();
        for (int64_t i = 0; i < n; ++i)
            rows.push_back(padded[i].narrow(1, ay[i], h).narrow(2, ax[i], w));
        x = torch::stack(rows);
    }
    return x;
}

}  // namespace

bool ClassifierConfig::operator==(const ClassifierConfig& o) const
{
    return inChannels == o.inChannels && imageSize == o.imageSize && widths == o.widths &&
           featureDim == o.featureDim && numClasses == o.numClasses;
}

std::string ClassifierConfig::describe() const
{
    std::ostringstream out;
    out << "cnn ";
    for (size_t i = 0; i < widths.size(); ++i)
        out << (i ? "-" : "") << widths[i];
    out << ", " << featureDim << " features, " << numClasses << " classes (" << inChannels << 'x' << imageSize << 'x'
        << imageSize << ')';
    return out.str();
}

ClassifierImpl::ClassifierImpl(ClassifierConfig config) : config_(std::move(config))
{
    if (config_.widths.size() != 3)
        throw Error("a classifier needs exactly three conv widths");
    if (config_.imageSize < kPooledShrink || config_.imageSize % kPooledShrink != 0)
        throw Error("the classifier's image size must be a multiple of 8, not " + std::to_string(config_.imageSize));
    int in = config_.inChannels;
    for (size_t i = 0; i < config_.widths.size(); ++i) {
        auto conv = torch::nn::Conv2d(
            torch::nn::Conv2dOptions(in, config_.widths[i], kConvKernel).padding(kConvPadding));
        convs_.push_back(register_module("conv" + std::to_string(i + 1), conv));
        in = config_.widths[i];
    }
    const int side = config_.imageSize / kPooledShrink;
    feature_ = register_module("feature", torch::nn::Linear(int64_t(in) * side * side, config_.featureDim));
    logits_ = register_module("logits", torch::nn::Linear(config_.featureDim, config_.numClasses));
}

std::vector<ParameterShape> ClassifierImpl::parameterShapes(const ClassifierConfig& config)
{
    // The constructor's layers, in its order (test_evaluation compares the two).
    std::vector<ParameterShape> shapes;
    int64_t in = config.inChannels;
    for (size_t i = 0; i < config.widths.size(); ++i) {
        const std::string conv = "conv" + std::to_string(i + 1);
        shapes.push_back({conv + ".weight", {config.widths[i], in, kConvKernel, kConvKernel}});
        shapes.push_back({conv + ".bias", {config.widths[i]}});
        in = config.widths[i];
    }
    const int64_t side = config.imageSize / kPooledShrink;
    shapes.push_back({"feature.weight", {config.featureDim, in * side * side}});
    shapes.push_back({"feature.bias", {config.featureDim}});
    shapes.push_back({"logits.weight", {config.numClasses, config.featureDim}});
    shapes.push_back({"logits.bias", {config.numClasses}});
    return shapes;
}

std::pair<torch::Tensor, torch::Tensor> ClassifierImpl::featuresAndLogits(const torch::Tensor& input)
{
    if (input.dim() != 4 || input.size(1) != config_.inChannels || input.size(2) != config_.imageSize ||
        input.size(3) != config_.imageSize) {
        std::ostringstream msg;
        msg << "the classifier takes images [N, " << config_.inChannels << ", " << config_.imageSize << ", "
            << config_.imageSize << "], not " << input.sizes();
        throw Error(msg.str());
    }
    torch::Tensor x = (input.to(torch::kFloat32) - kInputCentre) * kInputScale;
    for (auto& conv : convs_)
        x = torch::max_pool2d(torch::relu(conv->forward(x)), 2);
    torch::Tensor f = torch::relu(feature_->forward(x.flatten(1)));
    return {f, logits_->forward(f)};
}

torch::Tensor ClassifierImpl::forward(const torch::Tensor& x) { return featuresAndLogits(x).second; }

torch::Tensor ClassifierImpl::features(const torch::Tensor& x) { return featuresAndLogits(x).first; }

int64_t ClassifierImpl::parameterCount() const
{
    int64_t count = 0;
    for (const auto& p : parameters())
        count += p.numel();
    return count;
}

ClassifierTrainResult trainClassifier(ClassifierImpl& net, const Dataset& train, const ClassifierTrainConfig& config,
                                      const ClassifierCallback& onProgress, const std::atomic<bool>* cancel)
{
    const ClassifierConfig& c = net.config();
    if (!train.data.defined() || train.data.dim() != 4)
        throw Error(train.name + ": the classifier needs images [N, C, H, W]");
    if (!train.labels.defined() || train.labels.numel() != train.data.size(0))
        throw Error(train.name + ": the classifier needs one label per image; this data set has none");
    if (train.data.size(1) != c.inChannels || train.data.size(2) != c.imageSize || train.data.size(3) != c.imageSize)
        throw Error(train.name + ": images do not match the classifier's " + std::to_string(c.inChannels) + "x" +
                    std::to_string(c.imageSize) + "x" + std::to_string(c.imageSize) + " input");
    const torch::Tensor labels = train.labels.to(torch::kInt64);
    if (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= c.numClasses)
        throw Error(train.name + ": labels fall outside 0.." + std::to_string(c.numClasses - 1));
    if (config.epochs < 1 || config.batchSize < 1)
        throw Error("classifier training needs at least one epoch and a positive batch size");

    torch::manual_seed(config.seed);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(config.seed);
    const torch::Device device = deviceOf(net);
    const int64_t n = train.data.size(0);
    const int64_t perEpoch = (n + config.batchSize - 1) / config.batchSize;
    const int64_t total = perEpoch * config.epochs;
    torch::optim::Adam optimizer(net.parameters(), torch::optim::AdamOptions(config.learningRate));
    net.train();

    ClassifierTrainResult result;
    ClassifierProgress progress;
    progress.totalSteps = total;
    double smoothedLoss = 0.0, smoothedAccuracy = 0.0, weight = 0.0;
    const auto start = std::chrono::steady_clock::now();
    for (int epoch = 0; epoch < config.epochs && !result.stopped; ++epoch) {
        const torch::Tensor order = at::randperm(n, gen);
        for (int64_t b = 0; b < perEpoch; ++b) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                result.stopped = true;
                break;
            }
            const double t = static_cast<double>(result.steps) / std::max<int64_t>(1, total - 1);
            const double lr = config.finalLearningRate +
                              0.5 * (config.learningRate - config.finalLearningRate) * (1 + std::cos(M_PI * t));
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

            const torch::Tensor index = order.slice(0, b * config.batchSize, std::min(n, (b + 1) * config.batchSize));
            torch::Tensor x = augment(train.data.index_select(0, index), config, gen).to(device);
            torch::Tensor y = labels.index_select(0, index).to(device);
            torch::Tensor logits = net.forward(x);
            torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            ++result.steps;

            const double l = loss.item<double>();
            if (!std::isfinite(l))
                throw Error("classifier training diverged (non-finite loss); lower the learning rate");
            const double acc = (logits.argmax(1) == y).to(torch::kFloat64).mean().item<double>();
            weight = kSmoothing * weight + (1 - kSmoothing);
            smoothedLoss = kSmoothing * smoothedLoss + (1 - kSmoothing) * l;
            smoothedAccuracy = kSmoothing * smoothedAccuracy + (1 - kSmoothing) * acc;
            result.finalLoss = smoothedLoss / weight;
            if (onProgress) {
                const double elapsed =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                progress.step = result.steps;
                progress.epoch = epoch + 1;
                progress.loss = smoothedLoss / weight;
                progress.trainAccuracy = smoothedAccuracy / weight;
                progress.etaSeconds = elapsed / result.steps * (total - result.steps);
                if (!onProgress(progress)) {
                    result.stopped = true;
                    break;
                }
            }
        }
    }
    net.eval();
    return result;
}

torch::Tensor predictClasses(ClassifierImpl& net, const torch::Tensor& images, int64_t batchSize)
{
    torch::NoGradGuard noGrad;
    const torch::Device device = deviceOf(net);
    std::vector<torch::Tensor> parts;
    for (int64_t begin = 0; begin < images.size(0); begin += batchSize) {
        torch::Tensor batch = images.slice(0, begin, std::min(images.size(0), begin + batchSize)).to(device);
        parts.push_back(net.forward(batch).argmax(1).to(torch::kCPU));
    }
    return parts.empty() ? torch::zeros({0}, torch::kInt64) : torch::cat(parts);
}

double classifierAccuracy(ClassifierImpl& net, const Dataset& data, int64_t batchSize)
{
    if (!data.labels.defined() || data.labels.numel() != data.size() || data.size() == 0)
        throw Error(data.name + ": accuracy needs labelled images");
    const torch::Tensor predicted = predictClasses(net, data.data, batchSize);
    return (predicted == data.labels.to(torch::kInt64)).to(torch::kFloat64).mean().item<double>();
}

void saveClassifier(ClassifierImpl& net, const ClassifierInfo& info, const std::string& path)
{
    namespace fs = std::filesystem;
    torch::serialize::OutputArchive archive;
    archive.write("ebm_format", c10::IValue(std::string(kClassifierFormat)));
    archive.write("config", c10::IValue(configToText(net.config())));
    archive.write("dataset", c10::IValue(info.dataset));
    archive.write("test_accuracy", c10::IValue(info.testAccuracy));
    archive.write("trained_steps", c10::IValue(static_cast<int64_t>(info.trainedSteps)));
    std::string names;
    int index = 0;
    std::vector<std::pair<std::string, torch::Tensor>> written;
    for (const auto& item : net.named_parameters()) {
        names += item.key() + '\n';
        written.emplace_back(item.key(), item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous());
        archive.write("w" + std::to_string(index++), written.back().second);
    }
    archive.write("weight_names", c10::IValue(names));
    archive.write("weight_checksum", c10::IValue(weightChecksum(written)));

    internal::saveArchiveAtomically(archive, path, "classifier");
}

namespace {

using ArchiveAttributes = std::map<std::string, c10::IValue>;

/// A PyTorch torch.save file (an energy model's state_dict, say) is a zip too, but no classifier:
/// say what the file is and what a classifier file is instead.
void refuseStateDictAsClassifier(const std::string& path)
{
    try {
        (void)readPytorchStateDict(path);
    } catch (const std::exception&) {
        return;  // not a readable state_dict either: the caller words it
    }
    throw Error(fileName(path) + ": a PyTorch state_dict (saved by torch.save), not a classifier; a classifier "
                "file is the small image classifier that `ebm train-classifier --out FILE` writes, which the "
                "evaluation uses to label samples (leave --classifier out for the bundled one)");
}

[[noreturn]] void refuseUntagged(const std::string& source)
{
    throw Error(source + ": not an EBM Studio classifier (no format tag); energy models and PyTorch "
                         "files cannot be used here");
}

std::string shapeText(c10::IntArrayRef shape)
{
    std::ostringstream out;
    out << shape;
    return out.str();
}

/// Refuses weights that a network of `config` could not take, before it is allocated: every
/// parameter present with its shape and floating-point values, and nothing it lacks. The shapes
/// bound what the network allocates by what the file holds.
void requireWeightsFitArchitecture(const std::map<std::string, torch::Tensor>& weights,
                                   const ClassifierConfig& config, const std::string& source)
{
    const std::vector<ParameterShape> expected = ClassifierImpl::parameterShapes(config);
    std::set<std::string> expectedNames;
    for (const auto& [name, shape] : expected) {
        expectedNames.insert(name);
        auto it = weights.find(name);
        if (it == weights.end())
            throw Error(source + ": weight '" + name + "' is missing; the file is damaged");
        const torch::Tensor& weight = it->second;
        if (weight.sizes() != c10::IntArrayRef(shape))
            throw Error(source + ": weight '" + name + "' has shape " + shapeText(weight.sizes()) + " but " +
                        config.describe() + " needs " + shapeText(shape));
        if (!torch::isFloatingType(weight.scalar_type()))
            throw Error(source + ": weight '" + name + "' holds " + c10::toString(weight.scalar_type()) +
                        " values, not floating point; the file is damaged");
    }
    for (const auto& item : weights)
        if (!expectedNames.count(item.first))
            throw Error(source + ": weight '" + item.first + "' is not part of a " + config.describe() +
                        "; the file is damaged");
}

}  // namespace

LoadedClassifier loadClassifier(const std::string& path)
{
    namespace fs = std::filesystem;
    const std::string source = fileName(path);
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error(path + ": no such file (train one with: ebm train-classifier --out " + path + ")");
    if (fs::is_directory(path, ec))
        throw Error(path + ": is a folder, not a classifier file");
    if (fs::file_size(path, ec) == 0)
        throw Error(source + ": the file is empty, not a classifier");
    refuseLegacyTorchSave(path);
    if (!looksLikeZip(path))
        throw Error(source + ": not a classifier file (expected an archive written by ebm train-classifier)");

    // The engine's own reader, never LibTorch's module loader: see readArchiveAttributes. Files
    // are still written by LibTorch's archive (saveClassifier), so their format is unchanged.
    std::optional<ArchiveAttributes> archive;
    try {
        archive = readArchiveAttributes(path);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; the classifier file is damaged");
    }
    if (!archive) {  // a zip whose data.pkl is no torch::serialize module
        refuseStateDictAsClassifier(path);
        refuseUntagged(source);
    }
    const auto attribute = [&](const std::string& key) -> const c10::IValue* {
        auto it = archive->find(key);
        return it == archive->end() ? nullptr : &it->second;
    };
    const auto readString = [&](const std::string& key, bool required) -> std::string {
        const c10::IValue* value = attribute(key);
        if (value && value->isString())
            return value->toStringRef();
        if (required)
            throw Error(source + ": classifier file lacks its '" + key + "' record; the file is damaged");
        return {};
    };
    const c10::IValue* format = attribute("ebm_format");
    if (!format || !format->isString())
        refuseUntagged(source);
    if (format->toStringRef() != kClassifierFormat)
        throw Error(source + ": format '" + format->toStringRef() + "' is not a classifier this program understands (" +
                    kClassifierFormat + ")");

    LoadedClassifier loaded;
    loaded.info.format = kClassifierFormat;
    loaded.info.sourcePath = path;
    loaded.info.dataset = readString("dataset", false);
    if (const c10::IValue* accuracy = attribute("test_accuracy"); accuracy && accuracy->isDouble())
        loaded.info.testAccuracy = accuracy->toDouble();
    if (const c10::IValue* steps = attribute("trained_steps"); steps && steps->isInt())
        loaded.info.trainedSteps = steps->toInt();
    const ClassifierConfig config = configFromText(readString("config", true), source);

    // Records w0, w1... hold the weights in the order of the names list.
    std::map<std::string, torch::Tensor> weights;
    std::vector<std::pair<std::string, torch::Tensor>> inFileOrder;
    std::istringstream names(readString("weight_names", true));
    int index = 0;
    for (std::string name; std::getline(names, name); ++index) {
        const c10::IValue* record = attribute("w" + std::to_string(index));
        if (!record || !record->isTensor())
            throw Error(source + ": weight '" + name + "' is missing; the file is damaged");
        if (!weights.emplace(name, record->toTensor()).second)
            throw Error(source + ": weight '" + name + "' is listed twice; the file is damaged");
        inFileOrder.emplace_back(name, record->toTensor());
    }
    requireWeightsFitArchitecture(weights, config, source);
    if (weightChecksum(inFileOrder) != readString("weight_checksum", true))
        throw Error(source + ": the weights do not match their checksum; the file is damaged");
    for (const auto& [name, weight] : inFileOrder)
        if (!weight.isfinite().all().item<bool>())
            throw Error(source + ": weight '" + name + "' holds NaN or infinite values");

    try {
        loaded.net = Classifier(config);
    } catch (const std::exception& e) {  // out of memory: the shapes above bound it by the file's size
        throw Error(source + ": cannot build the " + config.describe() + " it describes (" + firstLine(e.what()) + ")");
    }
    torch::NoGradGuard noGrad;
    // Checked against parameterShapes already; checked again against the network itself, so that
    // the two cannot drift apart unnoticed (copy_ would broadcast a smaller tensor silently).
    for (auto& item : loaded.net->named_parameters()) {
        auto it = weights.find(item.key());
        if (it == weights.end())
            throw Error(source + ": weight '" + item.key() + "' is missing; the file is damaged");
        if (it->second.sizes() != item.value().sizes())
            throw Error(source + ": weight '" + item.key() + "' has shape " + shapeText(it->second.sizes()) +
                        " but " + config.describe() + " needs " + shapeText(item.value().sizes()));
        item.value().copy_(it->second.to(torch::kFloat32));
    }
    loaded.net->eval();
    return loaded;
}

}  // namespace ebm
