#include "ebm/sample/energy_inspection.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "ebm/base/error.h"
#include "ebm/nn/precision.h"
#include "ebm/io/image_file.h"

namespace ebm {
namespace {

/// Mixed into the seed of a transform's noise (the golden ratio's 64-bit fraction, which also
/// changes the low 32 bits the Mersenne twister keeps), so that a transformed copy and the energy
/// measurement that follows it with the same seed do not draw the same noise.
constexpr uint64_t kTransformSeedMix = 0x9E3779B97F4A7C15ULL;

/// Standard normal noise [shape] from a seeded CPU generator, on `device`, so that a seed gives
/// the same numbers on every device (the sampler draws its noise the same way).
torch::Tensor normalNoise(at::Generator& generator, torch::IntArrayRef shape, const torch::Device& device)
{
    torch::Tensor n = at::randn(shape, generator, torch::TensorOptions().dtype(torch::kFloat32));
    return device.is_cpu() ? n : n.to(device);
}

void throwIfCancelled(const std::atomic<bool>* cancel)
{
    if (cancel && cancel->load(std::memory_order_relaxed))
        throw Cancelled();
}

/// The scores of one set as doubles; a NaN cannot be ordered, so it is refused.
std::vector<double> scoreValues(const torch::Tensor& scores, const char* which)
{
    if (!scores.defined() || scores.numel() == 0)
        throw Error(std::string("the ") + which + " set has no scores");
    const torch::Tensor flat = scores.detach().to(torch::kCPU, torch::kFloat64).flatten().contiguous();
    std::vector<double> values(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
    if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); }))
        throw Error(std::string("the ") + which + " scores hold NaN (did the model diverge?)");
    return values;
}

/// Scores of both sets merged: each distinct score once, ascending, with how many inliers and
/// outliers have it.
struct TieGroup {
    double score;
    int64_t inliers = 0;
    int64_t outliers = 0;
};
struct MergedScores {
    std::vector<TieGroup> groups;
    int64_t inliers = 0;
    int64_t outliers = 0;
};

MergedScores mergeScores(const torch::Tensor& inlierScores, const torch::Tensor& outlierScores)
{
    const std::vector<double> in = scoreValues(inlierScores, "inlier");
    const std::vector<double> out = scoreValues(outlierScores, "outlier");
    std::vector<std::pair<double, bool>> all;  // (score, is an outlier)
    all.reserve(in.size() + out.size());
    for (double v : in)
        all.emplace_back(v, false);
    for (double v : out)
        all.emplace_back(v, true);
    std::sort(all.begin(), all.end());
    MergedScores merged;
    merged.inliers = static_cast<int64_t>(in.size());
    merged.outliers = static_cast<int64_t>(out.size());
    for (const auto& [score, isOutlier] : all) {
        if (merged.groups.empty() || merged.groups.back().score != score)
            merged.groups.push_back(TieGroup{score});
        (isOutlier ? merged.groups.back().outliers : merged.groups.back().inliers) += 1;
    }
    return merged;
}

/// "noise:0.3" -> 0.3; the text after the colon must be the whole number.
double parseRealItem(const std::string& text, const std::string& item)
{
    try {
        size_t used = 0;
        const double v = std::stod(text, &used);
        if (used == text.size() && std::isfinite(v))
            return v;
    } catch (const std::logic_error&) {
    }
    throw Error("transform '" + item + "': '" + text + "' is not a number");
}

int parseShiftItem(const std::string& text, const std::string& item)
{
    try {
        size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used == text.size() && v >= -kMaxImageSide && v <= kMaxImageSide)
            return static_cast<int>(v);
    } catch (const std::logic_error&) {
    }
    throw Error("transform '" + item + "': the shift must be a whole number of pixels between " +
                std::to_string(-kMaxImageSide) + " and " + std::to_string(kMaxImageSide) + ", not '" + text + "'");
}

std::string trimmed(const std::string& text)
{
    const size_t first = text.find_first_not_of(" \t");
    return first == std::string::npos ? std::string() : text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

/// images [N, C, H, W] moved `right` columns and `down` rows, zeros where nothing moved in.
torch::Tensor shifted(const torch::Tensor& images, int right, int down)
{
    const int64_t height = images.size(2), width = images.size(3);
    if (std::abs(right) >= width || std::abs(down) >= height)
        throw Error("a shift of " + std::to_string(right) + "," + std::to_string(down) + " pixels leaves nothing of a " +
                    std::to_string(width) + "x" + std::to_string(height) + " image");
    using torch::indexing::Slice;
    torch::Tensor out = torch::zeros_like(images);
    const Slice toRows = down >= 0 ? Slice(down, height) : Slice(0, height + down);
    const Slice fromRows = down >= 0 ? Slice(0, height - down) : Slice(-down, height);
    const Slice toColumns = right >= 0 ? Slice(right, width) : Slice(0, width + right);
    const Slice fromColumns = right >= 0 ? Slice(0, width - right) : Slice(-right, width);
    out.index_put_({Slice(), Slice(), toRows, toColumns}, images.index({Slice(), Slice(), fromRows, fromColumns}));
    return out;
}

}  // namespace

ImageEnergies measureImageEnergies(EnergyNetImpl& net, const torch::Tensor& x, const EnergyInspectionOptions& options,
                                   const InspectionProgress& progress, const std::atomic<bool>* cancel)
{
    if (!(options.noiseStd >= 0.0))
        throw Error("the noise level must be non-negative");
    if (options.draws < 1)
        throw Error("the number of noise draws must be at least 1");
    if (options.batchSize < 1)
        throw Error("the batch size must be at least 1");
    torch::NoGradGuard noGrad;
    const torch::Device device = deviceOf(net);
    checkPrecision(options.precision, device);
    // One evaluation of clean data needs no repeats: every draw would be the same.
    const int repeats = options.noiseStd > 0.0 ? options.draws : 1;
    const int64_t count = x.size(0);
    const int64_t total = count * repeats;
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
    std::vector<torch::Tensor> energies, spreads, residuals;
    int64_t done = 0;
    for (int64_t begin = 0; begin < count; begin += options.batchSize) {
        // The same expressions, in the same order, as ebm::measureEnergies: its means and these
        // agree to the last bit.
        torch::Tensor batch = x.slice(0, begin, std::min(count, begin + options.batchSize)).to(device, torch::kFloat32);
        torch::Tensor sum = torch::zeros({batch.size(0)}, batch.options());
        torch::Tensor residualSum = torch::zeros({batch.size(0)}, batch.options());
        std::vector<torch::Tensor> draws;
        for (int r = 0; r < repeats; ++r) {
            throwIfCancelled(cancel);
            torch::Tensor input =
                options.noiseStd > 0.0 ? batch + options.noiseStd * normalNoise(generator, batch.sizes(), device) : batch;
            torch::Tensor energy;
            {
                PrecisionScope scope(options.precision, device);
                energy = net.forward(input).to(torch::kFloat32);
            }
            sum += energy;
            draws.push_back(energy);
            if (options.residual) {
                // The autograd path (networks without a hand-written backward pass) needs a graph.
                torch::AutoGradMode withGraph(true);
                const torch::Tensor grad = energyAndGrad(net, input, options.precision).grad;
                residualSum += options.sigma0 * options.sigma0 * grad.flatten(1).norm(2, 1);
            }
            done += batch.size(0);
            if (progress)
                progress(done, total);
        }
        energies.push_back((sum / repeats).to(torch::kCPU));
        spreads.push_back(repeats > 1 ? torch::stack(draws).std(0).to(torch::kCPU) : torch::zeros({batch.size(0)}));
        if (options.residual)
            residuals.push_back((residualSum / repeats).to(torch::kCPU));
    }
    ImageEnergies result;
    result.energy = energies.empty() ? torch::zeros({0}) : torch::cat(energies);
    result.spread = spreads.empty() ? torch::zeros({0}) : torch::cat(spreads);
    if (options.residual)
        result.residual = residuals.empty() ? torch::zeros({0}) : torch::cat(residuals);
    return result;
}

ScoreSummary summarize(const torch::Tensor& scores)
{
    ScoreSummary summary;
    summary.count = scores.defined() ? scores.numel() : 0;
    if (summary.count == 0) {
        summary.mean = summary.std = std::numeric_limits<double>::quiet_NaN();
        return summary;
    }
    const torch::Tensor values = scores.detach().to(torch::kCPU, torch::kFloat64).flatten();
    summary.mean = values.mean().item<double>();
    summary.std = summary.count > 1 ? values.std().item<double>() : 0.0;
    return summary;
}

double auroc(const torch::Tensor& inlierScores, const torch::Tensor& outlierScores)
{
    const MergedScores merged = mergeScores(inlierScores, outlierScores);
    // Pairs (outlier, inlier) won by the outlier, a tie counting one half. Counts stay below
    // 2^53, so the sum of products is exact in double for any set a machine can hold.
    double wins = 0.0;
    int64_t inliersBelow = 0;
    for (const TieGroup& group : merged.groups) {
        wins += static_cast<double>(group.outliers) * (static_cast<double>(inliersBelow) + 0.5 * group.inliers);
        inliersBelow += group.inliers;
    }
    return wins / (static_cast<double>(merged.inliers) * static_cast<double>(merged.outliers));
}

std::vector<RocPoint> rocCurve(const torch::Tensor& inlierScores, const torch::Tensor& outlierScores)
{
    const MergedScores merged = mergeScores(inlierScores, outlierScores);
    std::vector<RocPoint> curve{{std::numeric_limits<double>::infinity(), 0.0, 0.0}};
    curve.reserve(merged.groups.size() + 1);
    int64_t falsePositives = 0, truePositives = 0;
    for (auto group = merged.groups.rbegin(); group != merged.groups.rend(); ++group) {
        falsePositives += group->inliers;
        truePositives += group->outliers;
        curve.push_back({group->score, static_cast<double>(falsePositives) / merged.inliers,
                         static_cast<double>(truePositives) / merged.outliers});
    }
    return curve;
}

std::vector<ImageTransform> parseTransforms(const std::string& text)
{
    std::vector<ImageTransform> chain;
    std::stringstream items(text);
    for (std::string item; std::getline(items, item, ',');) {
        item = trimmed(item);
        if (item.empty() || item == "none")
            continue;
        const size_t colon = item.find(':');
        const std::string name = item.substr(0, colon);
        const std::string argument = colon == std::string::npos ? std::string() : item.substr(colon + 1);
        ImageTransform transform;
        if (name == "invert" && colon == std::string::npos) {
            transform.kind = ImageTransform::Kind::Invert;
        } else if (name == "flip" && colon == std::string::npos) {
            transform.kind = ImageTransform::Kind::FlipHorizontal;
        } else if (name == "noise" && colon != std::string::npos) {
            transform.kind = ImageTransform::Kind::Noise;
            transform.noiseStd = parseRealItem(argument, item);
            if (transform.noiseStd < 0.0)
                throw Error("transform '" + item + "': the noise level must be non-negative");
        } else if (name == "shift" && colon != std::string::npos) {
            transform.kind = ImageTransform::Kind::Shift;
            const size_t second = argument.find(':');
            transform.shiftRight = parseShiftItem(argument.substr(0, second), item);
            if (second != std::string::npos)
                transform.shiftDown = parseShiftItem(argument.substr(second + 1), item);
        } else {
            throw Error("transform '" + item + "' is not one of invert, flip, noise:STD, shift:DX, shift:DX:DY, none");
        }
        chain.push_back(transform);
    }
    return chain;
}

std::string describeTransforms(const std::vector<ImageTransform>& transforms)
{
    std::ostringstream text;
    for (size_t i = 0; i < transforms.size(); ++i) {
        const ImageTransform& t = transforms[i];
        text << (i > 0 ? "," : "");
        switch (t.kind) {
        case ImageTransform::Kind::Noise:
            text << "noise:" << t.noiseStd;
            break;
        case ImageTransform::Kind::Invert:
            text << "invert";
            break;
        case ImageTransform::Kind::FlipHorizontal:
            text << "flip";
            break;
        case ImageTransform::Kind::Shift:
            text << "shift:" << t.shiftRight;
            if (t.shiftDown != 0)
                text << ':' << t.shiftDown;
            break;
        }
    }
    return transforms.empty() ? "none" : text.str();
}

torch::Tensor applyTransforms(const torch::Tensor& images, const std::vector<ImageTransform>& transforms,
                              uint64_t seed)
{
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed ^ kTransformSeedMix);
    torch::Tensor x = images.detach().to(torch::kCPU, torch::kFloat32).clone();
    for (const ImageTransform& t : transforms) {
        const bool geometric = t.kind == ImageTransform::Kind::FlipHorizontal || t.kind == ImageTransform::Kind::Shift;
        if (geometric && x.dim() != 4)
            throw Error("transform " + describeTransforms({t}) + " needs images [N, C, H, W], not points");
        switch (t.kind) {
        case ImageTransform::Kind::Noise:
            x = x + t.noiseStd * normalNoise(generator, x.sizes(), torch::kCPU);
            break;
        case ImageTransform::Kind::Invert:
            x = 1.0 - x;
            break;
        case ImageTransform::Kind::FlipHorizontal:
            x = x.flip({-1});
            break;
        case ImageTransform::Kind::Shift:
            x = shifted(x, t.shiftRight, t.shiftDown);
            break;
        }
    }
    return x;
}

torch::Tensor classIndices(const Dataset& data, const std::vector<int64_t>& classes)
{
    const std::string name = data.name.empty() ? std::string("the data set") : data.name;
    if (!data.labels.defined() || data.labels.numel() == 0 || data.labels.numel() != data.size())
        throw Error(name + " has no labels to choose classes by");
    if (classes.empty())
        throw Error("no classes given to choose from " + name);
    const torch::Tensor labels = data.labels.to(torch::kCPU, torch::kInt64).flatten();
    const int64_t lowest = labels.min().item<int64_t>(), highest = labels.max().item<int64_t>();
    for (int64_t c : std::set<int64_t>(classes.begin(), classes.end())) {
        if (c < lowest || c > highest)
            throw Error(name + ": class " + std::to_string(c) + " is out of range; its labels are " +
                        std::to_string(lowest) + " to " + std::to_string(highest));
        if (!labels.eq(c).any().item<bool>())
            throw Error(name + ": class " + std::to_string(c) + " has no images");
    }
    torch::Tensor keep = torch::zeros_like(labels, torch::kBool);
    for (int64_t c : classes)
        keep |= labels.eq(c);
    return keep.nonzero().flatten();
}

Dataset restrictToClasses(const Dataset& data, const std::vector<int64_t>& classes)
{
    const torch::Tensor rows = classIndices(data, classes);
    Dataset kept;
    kept.name = data.name;
    kept.data = data.data.index_select(0, rows.to(data.data.device()));
    kept.labels = data.labels.index_select(0, rows.to(data.labels.device()));
    return kept;
}

}  // namespace ebm
