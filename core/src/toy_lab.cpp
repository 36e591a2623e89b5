#include "ebm/toy_lab.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "ebm/defaults.h"
#include "ebm/error.h"
#include "file_util.h"

namespace ebm::toy {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kEightModes = 8;
constexpr const char* kWeightedEightName = "weighted8";
constexpr const char* kEightName = "8gaussians-r2";
constexpr const char* kCorePrefix = "toy:";
constexpr double kAdamEpsilon = 1e-8;            // torch::optim::Adam's default
constexpr int64_t kLandscapeChunk = 4096;        // grid points per pass: buffers stay in cache
constexpr int kMaxLandscapeResolution = 1024;
constexpr int64_t kConcentrationChunkValues = int64_t{4} * 1000 * 1000;
constexpr double kRadiansToDegrees = 180.0 / kPi;
constexpr double kDistanceRangeStds = 4.0;       // the distance histogram reaches sqrt(d) + 4 sigmas

at::Generator seededGenerator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

const torch::TensorOptions kFloat = torch::TensorOptions().dtype(torch::kFloat32);

/// A [rows, cols] float buffer, reallocated only when it must grow.
void ensure(torch::Tensor& buffer, int64_t rows, int64_t cols)
{
    if (!buffer.defined())
        buffer = torch::empty({rows, cols}, kFloat);
    else if (buffer.size(0) != rows || buffer.size(1) != cols)
        buffer.resize_({rows, cols});
}

torch::Tensor contiguousPoints(const torch::Tensor& x, int64_t dim, const char* what)
{
    if (!x.defined() || x.dim() != 2 || x.size(1) != dim)
        throw Error(std::string(what) + " must be points of shape [N, " + std::to_string(dim) + "]");
    return x.detach().to(torch::kCPU, torch::kFloat32).contiguous();
}

}  // namespace

// --- Data ----------------------------------------------------------------------------------------

GaussianMixture GaussianMixture::eightGaussians(double radius, double std)
{
    GaussianMixture mixture;
    mixture.std = std;
    for (int k = 0; k < kEightModes; ++k) {
        const double angle = 2.0 * kPi * k / kEightModes;
        mixture.means.push_back({radius * std::cos(angle), radius * std::sin(angle)});
        mixture.weights.push_back(1.0);
    }
    return mixture;
}

GaussianMixture GaussianMixture::weightedEightGaussians(double radius, double std)
{
    GaussianMixture mixture = eightGaussians(radius, std);
    for (int k = 0; k < kEightModes; ++k)
        mixture.weights[static_cast<size_t>(k)] = k + 1.0;
    return mixture;
}

void GaussianMixture::validate() const
{
    if (means.empty() || means.size() != weights.size())
        throw Error("a Gaussian mixture needs one weight per mean and at least one mean");
    for (double w : weights)
        if (!(w > 0.0) || !std::isfinite(w))
            throw Error("a Gaussian mixture's weights must be positive numbers, not " + internal::numberText(w));
    if (!(std > 0.0) || !std::isfinite(std))
        throw Error("a Gaussian mixture's std must be a positive number, not " + internal::numberText(std));
}

std::vector<double> GaussianMixture::normalisedWeights() const
{
    validate();
    double total = 0.0;
    for (double w : weights)
        total += w;
    std::vector<double> result;
    for (double w : weights)
        result.push_back(w / total);
    return result;
}

torch::Tensor GaussianMixture::meansTensor() const
{
    torch::Tensor result = torch::empty({static_cast<int64_t>(means.size()), 2}, kFloat);
    for (size_t k = 0; k < means.size(); ++k) {
        result[static_cast<int64_t>(k)][0] = means[k][0];
        result[static_cast<int64_t>(k)][1] = means[k][1];
    }
    return result;
}

Dataset GaussianMixture::sample(int64_t count, uint64_t seed) const
{
    validate();
    if (count < 1)
        throw Error("a mixture sample needs at least one point, not " + std::to_string(count));
    at::Generator generator = seededGenerator(seed);
    const std::vector<double> w = normalisedWeights();
    torch::Tensor probabilities = torch::tensor(w, torch::kFloat64);
    torch::Tensor component = torch::multinomial(probabilities, count, /*replacement=*/true, generator);
    torch::Tensor points = meansTensor().index_select(0, component) + std * at::randn({count, 2}, generator, kFloat);
    Dataset data;
    data.data = points.contiguous();
    data.labels = component;
    return data;
}

std::vector<std::string> toyDataNames()
{
    std::vector<std::string> names{kWeightedEightName, kEightName};
    for (const std::string& core : toy2dNames())
        names.push_back(kCorePrefix + core);
    return names;
}

std::optional<GaussianMixture> mixtureFor(const std::string& name)
{
    if (name == kWeightedEightName)
        return GaussianMixture::weightedEightGaussians();
    if (name == kEightName)
        return GaussianMixture::eightGaussians();
    return std::nullopt;
}

Dataset makeToyData(const std::string& name, int64_t count, uint64_t seed)
{
    if (std::optional<GaussianMixture> mixture = mixtureFor(name)) {
        Dataset data = mixture->sample(count, seed);
        data.name = name;
        return data;
    }
    if (name.rfind(kCorePrefix, 0) == 0)
        return makeToy2d(name.substr(std::char_traits<char>::length(kCorePrefix)), count, seed);
    std::string known;
    for (const std::string& n : toyDataNames())
        known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown toy data '" + name + "': use one of " + known);
}

// --- Fast MLP -----------------------------------------------------------------------------------

/// Notation: h_0 = x, a_l = h_{l-1} W_l^T + b_l, h_l = ELU(a_l); the head gives E(h_L) and
/// g_L = dE/dh_L; backwards delta_l = g_l * ELU'(a_l), g_{l-1} = delta_l W_l, so g_0 = dE/dx.
/// ELU'(a) = 1 + min(h, 0) and ELU''(a) = (h < 0)(h + 1) are read from the saved h.
struct FastMlp::Buffers {
    EnergyNet net;
    int layers = 0;
    bool quadratic = true;
    std::vector<torch::Tensor> weight, bias;                 // W_l [out, in], b_l [out]
    torch::Tensor w1, c1, w2, c2, wq;                         // quadratic head (or w1, c1: linear)
    std::vector<torch::Tensor> parameters;                   // net->parameters() order
    std::vector<torch::Tensor> gradients;                    // same order and shapes
    std::vector<torch::Tensor> gradWeight, gradBias;         // views into gradients
    torch::Tensor gradW1, gradC1, gradW2, gradC2, gradWq, gradCq;

    // Per-batch buffers.
    std::vector<torch::Tensor> h;       // h_1..h_L at index 1..L (index 0 unused: x itself)
    std::vector<torch::Tensor> g;       // g_0..g_L
    std::vector<torch::Tensor> delta;   // delta_1..delta_L
    std::vector<torch::Tensor> second;  // the adjoint pass's term of dLoss/da_l
    torch::Tensor headWeights;          // [2, H]: w1 and w2 stacked
    torch::Tensor projections;          // [N, 2]: h_L . w1, h_L . w2
    torch::Tensor squares;              // h_L^2 (energies only)
    std::vector<torch::Tensor> adjointG;   // dLoss/dg_l, then dLoss/dh_l on the way down
    torch::Tensor adjointDelta, adjointHidden, headAdjoint, noisy, adjointTop, products;

    int64_t width(int l) const { return weight[static_cast<size_t>(l - 1)].size(0); }
    int64_t inputDim() const { return weight[0].size(1); }

    void prepare(int64_t rows)
    {
        h.resize(static_cast<size_t>(layers) + 1);
        g.resize(static_cast<size_t>(layers) + 1);
        delta.resize(static_cast<size_t>(layers) + 1);
        second.resize(static_cast<size_t>(layers) + 1);
        ensure(g[0], rows, inputDim());
        for (int l = 1; l <= layers; ++l) {
            ensure(h[static_cast<size_t>(l)], rows, width(l));
            ensure(g[static_cast<size_t>(l)], rows, width(l));
            ensure(delta[static_cast<size_t>(l)], rows, width(l));
        }
        ensure(projections, rows, 2);
    }

    /// Forward pass and input gradient; fills h, g, delta. `x` contiguous [N, D].
    void forwardAndGrad(const torch::Tensor& x, torch::Tensor* energy)
    {
        const int64_t rows = x.size(0);
        prepare(rows);
        const torch::Tensor* input = &x;
        for (int l = 1; l <= layers; ++l) {
            torch::Tensor& out = h[static_cast<size_t>(l)];
            at::addmm_out(out, bias[static_cast<size_t>(l - 1)], *input, weight[static_cast<size_t>(l - 1)].t());
            at::elu_(out);
            input = &out;
        }
        const torch::Tensor& top = h[static_cast<size_t>(layers)];
        const int64_t hidden = top.size(1);
        float* gTop = g[static_cast<size_t>(layers)].data_ptr<float>();
        const float* hTop = top.data_ptr<float>();
        const float* a = w1.data_ptr<float>();
        if (quadratic) {
            if (!headWeights.defined())
                headWeights = torch::empty({2, hidden}, kFloat);
            headWeights[0].copy_(w1.view({-1}));
            headWeights[1].copy_(w2.view({-1}));
            at::mm_out(projections, top, headWeights.t());
            float* p = projections.data_ptr<float>();
            const float bias1 = c1.item<float>(), bias2 = c2.item<float>();
            const float* b = w2.data_ptr<float>();
            const float* q = wq.data_ptr<float>();
            for (int64_t n = 0; n < rows; ++n) {
                p[2 * n] += bias1;      // s1
                p[2 * n + 1] += bias2;  // s2
                const float s1 = p[2 * n], s2 = p[2 * n + 1];
                const float* hr = hTop + n * hidden;
                float* gr = gTop + n * hidden;
                for (int64_t j = 0; j < hidden; ++j)
                    gr[j] = s2 * a[j] + s1 * b[j] + 2.0f * hr[j] * q[j];
            }
            if (energy) {
                ensure(squares, rows, hidden);
                at::mul_out(squares, top, top);
                torch::Tensor e = projections.select(1, 0) * projections.select(1, 1) + at::mv(squares, wq.view({-1})) +
                                  parameters.back();   // lq.bias
                *energy = e.contiguous();
            }
        } else {
            for (int64_t n = 0; n < rows; ++n)
                std::copy(a, a + hidden, gTop + n * hidden);
            if (energy)
                *energy = at::addmv(c1.expand({rows}), top, w1.view({-1})).contiguous();
        }
        for (int l = layers; l >= 1; --l) {
            const size_t i = static_cast<size_t>(l);
            const float* hl = h[i].data_ptr<float>();
            const float* gl = g[i].data_ptr<float>();
            float* dl = delta[i].data_ptr<float>();
            const int64_t count = h[i].numel();
            for (int64_t k = 0; k < count; ++k)
                dl[k] = gl[k] * (1.0f + std::min(hl[k], 0.0f));
            at::mm_out(g[i - 1], delta[i], weight[i - 1]);
        }
    }
};

FastMlp::FastMlp(EnergyNet net) : buffers_(std::make_unique<Buffers>())
{
    if (!net || net->config().arch != Architecture::Mlp)
        throw Error("the fast evaluator needs an MLP energy network (ModelConfig::mlp)");
    Buffers& b = *buffers_;
    b.net = net;
    b.layers = net->config().hiddenLayers;
    b.quadratic = net->config().head == HeadKind::Quadratic;
    std::map<std::string, torch::Tensor> byName;
    for (const auto& item : net->named_parameters()) {
        if (!item.value().device().is_cpu() || item.value().scalar_type() != torch::kFloat32)
            throw Error("the fast evaluator needs a float network on the CPU");
        byName[item.key()] = item.value();
    }
    auto find = [&](const std::string& name) {
        auto it = byName.find(name);
        if (it == byName.end())
            throw Error("the MLP energy has no parameter '" + name + "'");
        return it->second;
    };
    for (int l = 0; l < b.layers; ++l) {
        b.weight.push_back(find("fc" + std::to_string(l) + ".weight"));
        b.bias.push_back(find("fc" + std::to_string(l) + ".bias"));
    }
    if (b.quadratic) {
        b.w1 = find("ln1.weight");
        b.c1 = find("ln1.bias");
        b.w2 = find("ln2.weight");
        b.c2 = find("ln2.bias");
        b.wq = find("lq.weight");
    } else {
        b.w1 = find("ln.weight");
        b.c1 = find("ln.bias");
    }
    b.parameters = net->parameters();
    std::map<const void*, torch::Tensor> gradientOf;
    for (const torch::Tensor& p : b.parameters) {
        b.gradients.push_back(torch::zeros_like(p));
        gradientOf[p.unsafeGetTensorImpl()] = b.gradients.back();
    }
    auto gradientFor = [&](const torch::Tensor& p) { return gradientOf.at(p.unsafeGetTensorImpl()); };
    for (int l = 0; l < b.layers; ++l) {
        b.gradWeight.push_back(gradientFor(b.weight[static_cast<size_t>(l)]));
        b.gradBias.push_back(gradientFor(b.bias[static_cast<size_t>(l)]));
    }
    b.gradW1 = gradientFor(b.w1);
    b.gradC1 = gradientFor(b.c1);
    if (b.quadratic) {
        b.gradW2 = gradientFor(b.w2);
        b.gradC2 = gradientFor(b.c2);
        b.gradWq = gradientFor(b.wq);
        b.gradCq = gradientFor(find("lq.bias"));
    }
    // parameters.back() is read as lq.bias by the energy; make sure that holds.
    if (b.quadratic && !b.parameters.back().is_same(find("lq.bias")))
        throw Error("the MLP energy's parameters are not in the expected order");
}

FastMlp::~FastMlp() = default;

EnergyNet FastMlp::net() const { return buffers_->net; }
const std::vector<torch::Tensor>& FastMlp::gradients() const { return buffers_->gradients; }

const torch::Tensor& FastMlp::energyAndGrad(const torch::Tensor& x, torch::Tensor* energy)
{
    torch::NoGradGuard noGraph;
    const torch::Tensor points = contiguousPoints(x, buffers_->inputDim(), "the evaluated points");
    buffers_->forwardAndGrad(points, energy);
    return buffers_->g[0];
}

double FastMlp::mdsmLossAndGradients(const torch::Tensor& x, const torch::Tensor& noise, const torch::Tensor& sigmas,
                                     double sigma0)
{
    torch::NoGradGuard noGraph;
    Buffers& b = *buffers_;
    const torch::Tensor clean = contiguousPoints(x, b.inputDim(), "the training points");
    const torch::Tensor z = contiguousPoints(noise, b.inputDim(), "the noise");
    const torch::Tensor sigma = sigmas.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const int64_t rows = clean.size(0), dim = clean.size(1);
    if (z.size(0) != rows || sigma.numel() != rows)
        throw Error("the MDSM step needs one noise row and one sigma per point");
    if (!(sigma0 > 0.0))
        throw Error("sigma0 must be positive");

    ensure(b.noisy, rows, dim);
    {
        const float* c = clean.data_ptr<float>();
        const float* n = z.data_ptr<float>();
        const float* s = sigma.data_ptr<float>();
        float* out = b.noisy.data_ptr<float>();
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t d = 0; d < dim; ++d)
                out[r * dim + d] = c[r * dim + d] + s[r] * n[r * dim + d];
    }
    b.forwardAndGrad(b.noisy, nullptr);

    // Loss = sum_n |r_n|^2 / N with r = ((x - noisy)/sigma0^2 + g_0)/sigma = (g_0 - sigma z / sigma0^2)/sigma.
    const double inverseS0sq = 1.0 / (sigma0 * sigma0);
    torch::Tensor& adjointInput = b.adjointTop;   // dLoss/dg_0
    ensure(adjointInput, rows, dim);
    double loss = 0.0;
    {
        const float* g0 = b.g[0].data_ptr<float>();
        const float* n = z.data_ptr<float>();
        const float* s = sigma.data_ptr<float>();
        float* out = adjointInput.data_ptr<float>();
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t d = 0; d < dim; ++d) {
                const int64_t k = r * dim + d;
                const double residual = (g0[k] - s[r] * n[k] * inverseS0sq) / s[r];
                loss += residual * residual;
                out[k] = static_cast<float>(2.0 * residual / s[r] / static_cast<double>(rows));
            }
    }
    loss /= static_cast<double>(rows);

    // Adjoint of the backward pass, bottom up: for g_{l-1} = delta_l W_l and delta_l = g_l ELU'(a_l).
    torch::Tensor adjointBelow = adjointInput;   // dLoss/dg_{l-1}
    std::vector<torch::Tensor>& adjointG = b.adjointG;
    adjointG.resize(static_cast<size_t>(b.layers) + 1);
    for (int l = 1; l <= b.layers; ++l) {
        const size_t i = static_cast<size_t>(l);
        at::mm_out(b.gradWeight[i - 1], b.delta[i].t(), adjointBelow);
        ensure(b.adjointDelta, rows, b.width(l));
        at::mm_out(b.adjointDelta, adjointBelow, b.weight[i - 1].t());
        ensure(adjointG[i], rows, b.width(l));
        ensure(b.second[i], rows, b.width(l));
        const float* ad = b.adjointDelta.data_ptr<float>();
        const float* hl = b.h[i].data_ptr<float>();
        const float* gl = b.g[i].data_ptr<float>();
        float* ag = adjointG[i].data_ptr<float>();
        float* sec = b.second[i].data_ptr<float>();
        const int64_t count = b.h[i].numel();
        for (int64_t k = 0; k < count; ++k) {
            const float negative = hl[k] < 0.0f ? 1.0f : 0.0f;
            ag[k] = ad[k] * (1.0f + std::min(hl[k], 0.0f));
            sec[k] = ad[k] * gl[k] * negative * (hl[k] + 1.0f);
        }
        adjointBelow = adjointG[i];
    }

    // The head: g_L = s2 w1 + s1 w2 + 2 h wq (quadratic) or w1 (linear).
    const torch::Tensor& top = b.h[static_cast<size_t>(b.layers)];
    const torch::Tensor& adjointTopG = adjointG[static_cast<size_t>(b.layers)];
    const int64_t hidden = top.size(1);
    ensure(b.adjointHidden, rows, hidden);   // dLoss/dh_L through the head
    if (b.quadratic) {
        ensure(b.headAdjoint, rows, 2);
        at::mm_out(b.headAdjoint, adjointTopG, b.headWeights.t());   // [G.w1, G.w2] = [s2bar, s1bar]
        const torch::Tensor s1 = b.projections.select(1, 0).view({1, rows});
        const torch::Tensor s2 = b.projections.select(1, 1).view({1, rows});
        const torch::Tensor s2bar = b.headAdjoint.select(1, 0).view({1, rows});
        const torch::Tensor s1bar = b.headAdjoint.select(1, 1).view({1, rows});
        at::mm_out(b.gradW1, s2, adjointTopG);
        b.gradW1.addmm_(s1bar, top);
        at::mm_out(b.gradW2, s1, adjointTopG);
        b.gradW2.addmm_(s2bar, top);
        b.gradC1.fill_(s1bar.sum());
        b.gradC2.fill_(s2bar.sum());
        b.gradCq.zero_();
        float* gq = b.gradWq.data_ptr<float>();
        std::fill(gq, gq + hidden, 0.0f);
        const float* hTop = top.data_ptr<float>();
        const float* agTop = adjointTopG.data_ptr<float>();
        const float* hb = b.headAdjoint.data_ptr<float>();
        const float* w1 = b.w1.data_ptr<float>();
        const float* w2 = b.w2.data_ptr<float>();
        const float* wq = b.wq.data_ptr<float>();
        float* ah = b.adjointHidden.data_ptr<float>();
        for (int64_t n = 0; n < rows; ++n) {
            const float s2b = hb[2 * n], s1b = hb[2 * n + 1];
            const float* hr = hTop + n * hidden;
            const float* gr = agTop + n * hidden;
            float* out = ah + n * hidden;
            for (int64_t j = 0; j < hidden; ++j) {
                gq[j] += 2.0f * hr[j] * gr[j];
                out[j] = s1b * w1[j] + s2b * w2[j] + 2.0f * gr[j] * wq[j];
            }
        }
    } else {
        at::sum_out(b.gradW1, adjointTopG, {0}, /*keepdim=*/true);
        b.gradC1.zero_();
        b.adjointHidden.zero_();
    }

    // Backpropagation through the forward pass, top down, adding the adjoint pass's terms.
    torch::Tensor adjointAbove = b.adjointHidden;   // dLoss/dh_l
    for (int l = b.layers; l >= 1; --l) {
        const size_t i = static_cast<size_t>(l);
        torch::Tensor& adjointPre = b.second[i];   // becomes dLoss/da_l
        const float* ah = adjointAbove.data_ptr<float>();
        const float* hl = b.h[i].data_ptr<float>();
        float* pre = adjointPre.data_ptr<float>();
        const int64_t count = b.h[i].numel();
        for (int64_t k = 0; k < count; ++k)
            pre[k] += ah[k] * (1.0f + std::min(hl[k], 0.0f));
        const torch::Tensor& below = l == 1 ? b.noisy : b.h[i - 1];
        b.gradWeight[i - 1].addmm_(adjointPre.t(), below);
        at::sum_out(b.gradBias[i - 1], adjointPre, {0});
        if (l > 1) {
            torch::Tensor& next = adjointG[i - 1];   // reused: its adjoint-pass values are spent
            at::mm_out(next, adjointPre, b.weight[i - 1]);
            adjointAbove = next;
        }
    }
    const double s0sq = sigma0 * sigma0;
    return loss * s0sq * s0sq;
}

// --- Training ---------------------------------------------------------------------------------

NoiseConfig ToyTrainConfig::defaultToyNoise()
{
    NoiseConfig noise;
    noise.sigmaMin = 0.05;
    noise.sigmaMax = 2.0;
    noise.spread = NoiseSpread::Geometric;
    noise.sigma0 = 0.1;
    return noise;
}

void ToyTrainConfig::validate() const
{
    constexpr int kMaxWidth = 4096, kMaxDepth = 16;
    constexpr int64_t kMaxBatch = 65536;
    if (model.arch != Architecture::Mlp)
        throw Error("the toy trainer trains an MLP energy");
    if (model.inputDim != 2)
        throw Error("the toy trainer works on 2D points, not " + std::to_string(model.inputDim) + "D");
    if (model.hiddenWidth < 1 || model.hiddenWidth > kMaxWidth)
        throw Error("the MLP width must be between 1 and " + std::to_string(kMaxWidth));
    if (model.hiddenLayers < 1 || model.hiddenLayers > kMaxDepth)
        throw Error("the MLP depth must be between 1 and " + std::to_string(kMaxDepth) + " layers");
    if (batchSize < 1 || batchSize > kMaxBatch)
        throw Error("the toy batch size must be between 1 and " + std::to_string(kMaxBatch));
    if (!(learningRate > 0.0 && learningRate <= 1.0))
        throw Error("the learning rate must be above 0 and at most 1, not " + internal::numberText(learningRate));
    if (!(beta1 >= 0.0 && beta1 < 1.0) || !(beta2 >= 0.0 && beta2 < 1.0))
        throw Error("Adam's betas must be at least 0 and below 1");
    if (!(noise.sigmaMin > 0.0) || !(noise.sigmaMax >= noise.sigmaMin) || !std::isfinite(noise.sigmaMax))
        throw Error("the noise range needs 0 < sigma-min <= sigma-max, not " + internal::numberText(noise.sigmaMin) +
                    ".." + internal::numberText(noise.sigmaMax));
    if (!(noise.sigma0 > 0.0) || !std::isfinite(noise.sigma0))
        throw Error("sigma0 must be a positive number, not " + internal::numberText(noise.sigma0));
}

struct ToyTrainer::State {
    ToyTrainConfig config;
    torch::Tensor points;
    EnergyNet net;
    std::unique_ptr<FastMlp> fast;
    at::Generator generator;
    torch::Tensor sigmas;
    std::vector<torch::Tensor> firstMoment, secondMoment;
    int64_t step = 0;
    std::vector<float> losses;
};

ToyTrainer::ToyTrainer(const ToyTrainConfig& config, torch::Tensor points) : state_(std::make_unique<State>())
{
    config.validate();
    State& s = *state_;
    s.config = config;
    setPoints(std::move(points));
    torch::manual_seed(config.seed);   // weight initialisation, as the image trainer does
    s.net = makeEnergyNet(config.model);
    s.fast = std::make_unique<FastMlp>(s.net);
    s.generator = seededGenerator(config.seed);
    s.sigmas = batchSigmas(config.noise, config.batchSize);
    for (const torch::Tensor& p : s.net->parameters()) {
        s.firstMoment.push_back(torch::zeros_like(p));
        s.secondMoment.push_back(torch::zeros_like(p));
    }
}

ToyTrainer::~ToyTrainer() = default;

void ToyTrainer::setPoints(torch::Tensor points)
{
    torch::Tensor p = contiguousPoints(points, 2, "the toy training data");
    if (p.size(0) < 1)
        throw Error("the toy training data hold no points; draw or load some first");
    if (!torch::isfinite(p).all().item<bool>())
        throw Error("the toy training data hold a non-finite coordinate");
    state_->points = p;
}

void ToyTrainer::setLearningRate(double rate)
{
    if (!(rate > 0.0 && rate <= 1.0))
        throw Error("the learning rate must be above 0 and at most 1, not " + internal::numberText(rate));
    state_->config.learningRate = rate;
}

double ToyTrainer::step()
{
    torch::NoGradGuard noGraph;
    State& s = *state_;
    const int64_t batch = s.config.batchSize;
    torch::Tensor indices = at::randint(s.points.size(0), {batch}, s.generator, torch::kLong);
    torch::Tensor clean = s.points.index_select(0, indices);
    torch::Tensor noise = at::randn({batch, 2}, s.generator, kFloat);
    const double loss = s.fast->mdsmLossAndGradients(clean, noise, s.sigmas, s.config.noise.sigma0);
    const auto& gradients = s.fast->gradients();
    double total = 0.0;
    for (const torch::Tensor& g : gradients) {
        const float* v = g.data_ptr<float>();
        for (int64_t k = 0; k < g.numel(); ++k)
            total += v[k];
    }
    if (!std::isfinite(loss) || !std::isfinite(total))
        throw Error("the toy loss became non-finite at step " + std::to_string(s.step + 1) +
                    "; the weights were left at the last good step. Lower the learning rate or narrow the noise range");

    // Adam (as torch::optim::Adam with its default epsilon), one fused pass per tensor.
    ++s.step;
    const double b1 = s.config.beta1, b2 = s.config.beta2;
    const double correction1 = 1.0 - std::pow(b1, static_cast<double>(s.step));
    const double correction2 = 1.0 - std::pow(b2, static_cast<double>(s.step));
    const float stepScale = static_cast<float>(s.config.learningRate / correction1);
    const float rootCorrection2 = static_cast<float>(std::sqrt(correction2));
    const auto parameters = s.net->parameters();
    for (size_t t = 0; t < parameters.size(); ++t) {
        float* p = parameters[t].data_ptr<float>();
        float* m = s.firstMoment[t].data_ptr<float>();
        float* v = s.secondMoment[t].data_ptr<float>();
        const float* g = gradients[t].data_ptr<float>();
        const float fb1 = static_cast<float>(b1), fb2 = static_cast<float>(b2);
        for (int64_t k = 0; k < parameters[t].numel(); ++k) {
            m[k] = fb1 * m[k] + (1.0f - fb1) * g[k];
            v[k] = fb2 * v[k] + (1.0f - fb2) * g[k] * g[k];
            p[k] -= stepScale * m[k] / (std::sqrt(v[k]) / rootCorrection2 + static_cast<float>(kAdamEpsilon));
        }
    }
    s.losses.push_back(static_cast<float>(loss));
    return loss;
}

EnergyNet ToyTrainer::net() const { return state_->net; }
FastMlp& ToyTrainer::fast() { return *state_->fast; }
int64_t ToyTrainer::completedSteps() const { return state_->step; }
const std::vector<float>& ToyTrainer::lossHistory() const { return state_->losses; }
const ToyTrainConfig& ToyTrainer::config() const { return state_->config; }

// --- Sampling ------------------------------------------------------------------------------------

struct ParticleSampler::State {
    ParticleConfig config;
    std::unique_ptr<FastMlp> fast;
    at::Generator generator;
    torch::Tensor x;
    Schedule schedule;
    std::shared_ptr<ScheduleFeed> feed;
    int stepsTaken = 0;
    double lastTemperature = 0.0;
    std::vector<torch::Tensor> snapshots;
    std::vector<double> temperatures;
    std::vector<int> steps;

    void record()
    {
        if (!config.recordSnapshots && !snapshots.empty()) {
            snapshots.clear();
            temperatures.clear();
            steps.clear();
        }
        snapshots.push_back(x.clone());
        temperatures.push_back(lastTemperature);
        steps.push_back(stepsTaken);
    }
};

ParticleSampler::ParticleSampler(EnergyNet net, const ParticleConfig& config, torch::Tensor start)
    : state_(std::make_unique<State>())
{
    if (!(config.stepSize > 0.0) || !std::isfinite(config.stepSize))
        throw Error("the Langevin step size must be a positive number, not " + internal::numberText(config.stepSize));
    if (!(config.sigma0 > 0.0))
        throw Error("sigma0 must be a positive number");
    State& s = *state_;
    s.config = config;
    s.fast = std::make_unique<FastMlp>(std::move(net));
    s.generator = seededGenerator(config.seed);
    s.x = contiguousPoints(start, 2, "the particles' start").clone();
    s.record();
}

ParticleSampler::~ParticleSampler() = default;

torch::Tensor ParticleSampler::spreadStart(int64_t count, double extent, uint64_t seed)
{
    if (count < 1 || count > kMaxSamplesPerRun)
        throw Error("the particle count must be between 1 and " + std::to_string(kMaxSamplesPerRun));
    at::Generator generator = seededGenerator(seed);
    return (at::rand({count, 2}, generator, kFloat) * 2.0 - 1.0) * extent;
}

void ParticleSampler::setSchedule(Schedule schedule) { state_->schedule = std::move(schedule); }
void ParticleSampler::setScheduleFeed(std::shared_ptr<ScheduleFeed> feed) { state_->feed = std::move(feed); }

bool ParticleSampler::stepScheduled()
{
    State& s = *state_;
    if (s.feed)
        if (std::optional<Schedule> edited = s.feed->take())
            s.schedule = continueWith(s.schedule, *edited, s.stepsTaken);
    if (s.stepsTaken >= s.schedule.size())
        return false;
    const double temperature = s.schedule.at(s.stepsTaken);
    step(temperature);
    return true;
}

void ParticleSampler::step(double temperature)
{
    if (!(temperature >= 0.0) || !std::isfinite(temperature))
        throw Error("a Langevin temperature must be finite and not negative");
    torch::NoGradGuard noGraph;
    State& s = *state_;
    const torch::Tensor& grad = s.fast->energyAndGrad(s.x);
    const torch::Tensor noise = at::randn(s.x.sizes(), s.generator, kFloat);
    const float drift = static_cast<float>(0.5 * s.config.stepSize * s.config.stepSize);
    const float spread = static_cast<float>(s.config.stepSize * std::sqrt(temperature));
    float* x = s.x.data_ptr<float>();
    const float* g = grad.data_ptr<float>();
    const float* n = noise.data_ptr<float>();
    for (int64_t k = 0; k < s.x.numel(); ++k)
        x[k] += -drift * g[k] + spread * n[k];
    ++s.stepsTaken;
    s.lastTemperature = temperature;
    s.record();
}

void ParticleSampler::denoiseJump()
{
    State& s = *state_;
    const torch::Tensor& grad = s.fast->energyAndGrad(s.x);
    s.x.sub_(grad, s.config.sigma0 * s.config.sigma0);
    s.lastTemperature = 0.0;
    s.record();
}

void ParticleSampler::addParticles(const torch::Tensor& points)
{
    State& s = *state_;
    s.x = torch::cat({s.x, contiguousPoints(points, 2, "the dropped particles")}).contiguous();
    if (s.x.size(0) > kMaxSamplesPerRun)
        throw Error("at most " + std::to_string(kMaxSamplesPerRun) + " particles");
    s.snapshots.back() = s.x.clone();
}

void ParticleSampler::rewindTo(int index)
{
    State& s = *state_;
    if (index < 0 || index >= static_cast<int>(s.snapshots.size()))
        throw Error("no snapshot " + std::to_string(index) + " to go back to");
    s.snapshots.resize(static_cast<size_t>(index) + 1);
    s.temperatures.resize(static_cast<size_t>(index) + 1);
    s.steps.resize(static_cast<size_t>(index) + 1);
    s.x = s.snapshots.back().clone();
    s.stepsTaken = s.steps.back();
    s.lastTemperature = s.temperatures.back();
}

const torch::Tensor& ParticleSampler::positions() const { return state_->x; }
int ParticleSampler::stepsTaken() const { return state_->stepsTaken; }
int ParticleSampler::totalSteps() const { return state_->schedule.size(); }
double ParticleSampler::lastTemperature() const { return state_->lastTemperature; }
const std::vector<torch::Tensor>& ParticleSampler::snapshots() const { return state_->snapshots; }
const std::vector<double>& ParticleSampler::snapshotTemperatures() const { return state_->temperatures; }
const std::vector<int>& ParticleSampler::snapshotSteps() const { return state_->steps; }

torch::Tensor annealParticles(EnergyNet net, const Schedule& schedule, int64_t count, double extent,
                              const ParticleConfig& config, bool finalDenoise)
{
    ParticleConfig withoutHistory = config;
    withoutHistory.recordSnapshots = false;
    ParticleSampler sampler(std::move(net), withoutHistory, ParticleSampler::spreadStart(count, extent, config.seed));
    sampler.setSchedule(schedule);
    while (sampler.stepScheduled()) {
    }
    if (finalDenoise)
        sampler.denoiseJump();
    return sampler.positions().clone();
}

Schedule defaultToySchedule(int steps)
{
    constexpr double kToyHotTemperature = 100.0;
    return Schedule::quick(steps, kToyHotTemperature);
}

// --- Landscape ---------------------------------------------------------------------------------

torch::Tensor Landscape::points(const LandscapeGrid& grid)
{
    const int r = grid.resolution;
    torch::Tensor xs = torch::linspace(grid.xMin, grid.xMax, r, kFloat);
    torch::Tensor ys = torch::linspace(grid.yMin, grid.yMax, r, kFloat);
    std::vector<torch::Tensor> mesh = torch::meshgrid({ys, xs}, "ij");
    return torch::stack({mesh[1].reshape({-1}), mesh[0].reshape({-1})}, 1).contiguous();
}

Landscape computeLandscape(FastMlp& model, const LandscapeGrid& grid)
{
    if (grid.resolution < 2 || grid.resolution > kMaxLandscapeResolution)
        throw Error("the landscape resolution must be between 2 and " + std::to_string(kMaxLandscapeResolution) +
                    ", not " + std::to_string(grid.resolution));
    if (!(grid.xMax > grid.xMin) || !(grid.yMax > grid.yMin) || !std::isfinite(grid.xMax - grid.xMin) ||
        !std::isfinite(grid.yMax - grid.yMin))
        throw Error("the landscape range must be finite with min below max");
    const torch::Tensor points = Landscape::points(grid);
    const int64_t total = points.size(0);
    Landscape result;
    result.grid = grid;
    result.energies = torch::empty({total}, kFloat);
    result.scores = torch::empty({total, 2}, kFloat);
    for (int64_t begin = 0; begin < total; begin += kLandscapeChunk) {
        const int64_t end = std::min(total, begin + kLandscapeChunk);
        torch::Tensor energy;
        const torch::Tensor& grad = model.energyAndGrad(points.slice(0, begin, end), &energy);
        result.energies.slice(0, begin, end).copy_(energy);
        result.scores.slice(0, begin, end).copy_(grad).neg_();
    }
    const int64_t r = grid.resolution;
    result.energies = result.energies.view({r, r});
    result.scores = result.scores.view({r, r, 2});
    return result;
}

// --- Sample quality ------------------------------------------------------------------------------

ModeMatch matchModes(const torch::Tensor& samples, const torch::Tensor& means, const std::vector<double>& trueWeights,
                     double radius)
{
    const torch::Tensor x = contiguousPoints(samples, 2, "the samples");
    const torch::Tensor m = contiguousPoints(means, 2, "the mode means");
    const int64_t modes = m.size(0);
    if (modes < 1 || static_cast<int64_t>(trueWeights.size()) != modes)
        throw Error("the mode match needs one true weight per mode");
    if (!(radius > 0.0))
        throw Error("the mode radius must be positive");
    double weightTotal = 0.0;
    for (double w : trueWeights) {
        if (!(w > 0.0))
            throw Error("the true mode weights must be positive");
        weightTotal += w;
    }
    ModeMatch match;
    match.modes = static_cast<int>(modes);
    match.sampleWeights.assign(static_cast<size_t>(modes), 0.0);
    const int64_t n = x.size(0);
    if (n == 0) {
        match.weightTv = 1.0;
        return match;
    }
    const auto [distance, nearest] = torch::cdist(x, m).min(1);
    const torch::Tensor inside = distance <= radius;
    const int64_t assigned = inside.sum().item<int64_t>();
    match.unassignedFraction = 1.0 - static_cast<double>(assigned) / static_cast<double>(n);
    torch::Tensor counts = torch::bincount(nearest.masked_select(inside), {}, modes).to(torch::kFloat64);
    double tv = 0.0;
    for (int64_t k = 0; k < modes; ++k) {
        const double count = counts[k].item<double>();
        const double share = assigned > 0 ? count / static_cast<double>(assigned) : 0.0;
        const double expected = trueWeights[static_cast<size_t>(k)] / weightTotal;
        match.sampleWeights[static_cast<size_t>(k)] = share;
        tv += std::abs(share - expected);
        if (count >= kCoveredShare * expected * static_cast<double>(n))
            ++match.modesCovered;
    }
    match.weightTv = assigned > 0 ? 0.5 * tv : 1.0;
    return match;
}

double sampleMmd(const torch::Tensor& a, const torch::Tensor& b, double bandwidth, int64_t maxPoints)
{
    if (!(bandwidth > 0.0))
        throw Error("the MMD kernel width must be positive");
    auto thin = [&](const torch::Tensor& points) {
        torch::Tensor p = contiguousPoints(points, 2, "the MMD point sets");
        if (p.size(0) < 1)
            throw Error("the MMD needs points in both sets");
        if (maxPoints > 0 && p.size(0) > maxPoints)
            p = p.index_select(0, torch::linspace(0, p.size(0) - 1, maxPoints, torch::kFloat64).to(torch::kLong));
        return p.to(torch::kFloat64);
    };
    const torch::Tensor x = thin(a), y = thin(b);
    const double scale = -1.0 / (2.0 * bandwidth * bandwidth);
    auto meanKernel = [&](const torch::Tensor& p, const torch::Tensor& q) {
        return torch::exp(torch::cdist(p, q).pow(2) * scale).mean().item<double>();
    };
    const double squared = meanKernel(x, x) + meanKernel(y, y) - 2.0 * meanKernel(x, y);
    return std::sqrt(std::max(0.0, squared));
}

// --- Measure concentration ----------------------------------------------------------------------

namespace {

Histogram histogramOf(const torch::Tensor& values, double lo, double hi, int bins)
{
    Histogram histogram;
    histogram.lo = lo;
    histogram.hi = hi;
    const torch::Tensor v = values.to(torch::kFloat64);
    histogram.mean = v.mean().item<double>();
    histogram.stddev = v.numel() > 1 ? v.std().item<double>() : 0.0;
    torch::Tensor counts = torch::histc(v.clamp(lo, hi), bins, lo, hi) / static_cast<double>(v.numel());
    histogram.counts.assign(counts.data_ptr<double>(), counts.data_ptr<double>() + bins);
    return histogram;
}

void checkConcentrationRequest(int dimension, int64_t draws, int bins)
{
    constexpr int kMaxBins = 10000;
    if (dimension < 1 || draws < 1)
        throw Error("the concentration demo needs a dimension and a number of draws of at least 1");
    if (bins < 1 || bins > kMaxBins)
        throw Error("the concentration histogram needs between 1 and " + std::to_string(kMaxBins) + " bins");
    if (static_cast<double>(dimension) * static_cast<double>(draws) > static_cast<double>(kMaxConcentrationValues))
        throw Error("dimension x draws is " + std::to_string(int64_t(dimension) * draws) + "; at most " +
                    std::to_string(kMaxConcentrationValues) + " values are drawn, so lower one of them");
}

/// Norms of `draws` standard-normal vectors in `dimension` dimensions and their first coordinates.
std::pair<torch::Tensor, torch::Tensor> normsAndFirstCoordinates(int dimension, int64_t draws, at::Generator& generator)
{
    const int64_t rowsPerChunk = std::max<int64_t>(1, kConcentrationChunkValues / dimension);
    std::vector<torch::Tensor> norms, firsts;
    for (int64_t begin = 0; begin < draws; begin += rowsPerChunk) {
        const int64_t rows = std::min(rowsPerChunk, draws - begin);
        torch::Tensor z = at::randn({rows, dimension}, generator, torch::TensorOptions().dtype(torch::kFloat64));
        norms.push_back(z.norm(2, {1}));
        firsts.push_back(z.select(1, 0).clone());
    }
    return {torch::cat(norms), torch::cat(firsts)};
}

}  // namespace

double ConcentrationStats::expectedDistance() const { return std::sqrt(static_cast<double>(dimension)) * sigma; }

ConcentrationStats concentration(int dimension, double sigma, int64_t draws, int bins, uint64_t seed)
{
    checkConcentrationRequest(dimension, draws, bins);
    if (!(sigma > 0.0) || !std::isfinite(sigma))
        throw Error("the concentration demo needs a positive sigma, not " + internal::numberText(sigma));
    at::Generator generator = seededGenerator(seed);
    auto [norms, firsts] = normsAndFirstCoordinates(dimension, draws, generator);
    ConcentrationStats stats;
    stats.dimension = dimension;
    stats.sigma = sigma;
    const double reach = sigma * (std::sqrt(static_cast<double>(dimension)) + kDistanceRangeStds);
    stats.distance = histogramOf(norms * sigma, 0.0, reach, bins);
    torch::Tensor cosine = (firsts / norms.clamp_min(1e-300)).clamp(-1.0, 1.0);
    stats.angleDegrees = histogramOf(torch::acos(cosine) * kRadiansToDegrees, 0.0, 180.0, bins);
    return stats;
}

Histogram distanceHistogram(int dimension, const std::vector<double>& sigmas, int64_t drawsPerSigma, int bins,
                            double lo, double hi, uint64_t seed)
{
    if (sigmas.empty())
        throw Error("the distance histogram needs at least one sigma");
    checkConcentrationRequest(dimension, drawsPerSigma * static_cast<int64_t>(sigmas.size()), bins);
    if (!(hi > lo))
        throw Error("the distance histogram's range needs lo below hi");
    at::Generator generator = seededGenerator(seed);
    std::vector<torch::Tensor> distances;
    for (double sigma : sigmas) {
        if (!(sigma > 0.0) || !std::isfinite(sigma))
            throw Error("every sigma must be a positive number, not " + internal::numberText(sigma));
        distances.push_back(normsAndFirstCoordinates(dimension, drawsPerSigma, generator).first * sigma);
    }
    return histogramOf(torch::cat(distances), lo, hi, bins);
}

}  // namespace ebm::toy
