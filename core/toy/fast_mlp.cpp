// The toy lab's fast MLP evaluator: the forward pass, the input gradient and the exact MDSM
// parameter gradient, by hand into reused buffers.
#include "ebm/toy/fast_mlp.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

#include "ebm/base/error.h"
#include "toy/toy_common.h"

namespace ebm::toy {
using common::contiguousPoints;
using common::ensure;
using common::kFloat;

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

    // The steps of FastMlp::mdsmLossAndGradients, in order.

    /// noisy = clean + sigma z, one sigma per row.
    void addNoise(const torch::Tensor& clean, const torch::Tensor& z, const torch::Tensor& sigma)
    {
        const int64_t rows = clean.size(0), dim = clean.size(1);
        ensure(noisy, rows, dim);
        const float* c = clean.data_ptr<float>();
        const float* n = z.data_ptr<float>();
        const float* s = sigma.data_ptr<float>();
        float* out = noisy.data_ptr<float>();
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t d = 0; d < dim; ++d)
                out[r * dim + d] = c[r * dim + d] + s[r] * n[r * dim + d];
    }

    /// After forwardAndGrad(noisy): Loss = sum_n |r_n|^2 / N with
    /// r = ((x - noisy)/sigma0^2 + g_0)/sigma = (g_0 - sigma z / sigma0^2)/sigma. Writes dLoss/dg_0 to adjointTop.
    double lossAndInputAdjoint(const torch::Tensor& z, const torch::Tensor& sigma, double sigma0)
    {
        const int64_t rows = z.size(0), dim = z.size(1);
        const double inverseS0sq = 1.0 / (sigma0 * sigma0);
        torch::Tensor& adjointInput = adjointTop;   // dLoss/dg_0
        ensure(adjointInput, rows, dim);
        double loss = 0.0;
        const float* g0 = g[0].data_ptr<float>();
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
        return loss / static_cast<double>(rows);
    }

    /// Adjoint of the backward pass, bottom up: for g_{l-1} = delta_l W_l and delta_l = g_l ELU'(a_l).
    /// Writes the first term of each gradWeight, adjointG (dLoss/dg_l) and `second`.
    void adjointOfBackwardPass(int64_t rows)
    {
        torch::Tensor adjointBelow = adjointTop;   // dLoss/dg_{l-1}
        adjointG.resize(static_cast<size_t>(layers) + 1);
        for (int l = 1; l <= layers; ++l) {
            const size_t i = static_cast<size_t>(l);
            at::mm_out(gradWeight[i - 1], delta[i].t(), adjointBelow);
            ensure(adjointDelta, rows, width(l));
            at::mm_out(adjointDelta, adjointBelow, weight[i - 1].t());
            ensure(adjointG[i], rows, width(l));
            ensure(second[i], rows, width(l));
            const float* ad = adjointDelta.data_ptr<float>();
            const float* hl = h[i].data_ptr<float>();
            const float* gl = g[i].data_ptr<float>();
            float* ag = adjointG[i].data_ptr<float>();
            float* sec = second[i].data_ptr<float>();
            const int64_t count = h[i].numel();
            for (int64_t k = 0; k < count; ++k) {
                const float negative = hl[k] < 0.0f ? 1.0f : 0.0f;
                ag[k] = ad[k] * (1.0f + std::min(hl[k], 0.0f));
                sec[k] = ad[k] * gl[k] * negative * (hl[k] + 1.0f);
            }
            adjointBelow = adjointG[i];
        }
    }

    /// The head: g_L = s2 w1 + s1 w2 + 2 h wq (quadratic) or w1 (linear). Writes the head's
    /// parameter gradients and dLoss/dh_L through the head (adjointHidden).
    void headGradients(int64_t rows)
    {
        const torch::Tensor& top = h[static_cast<size_t>(layers)];
        const torch::Tensor& adjointTopG = adjointG[static_cast<size_t>(layers)];
        const int64_t hidden = top.size(1);
        ensure(adjointHidden, rows, hidden);   // dLoss/dh_L through the head
        if (!quadratic) {
            at::sum_out(gradW1, adjointTopG, {0}, /*keepdim=*/true);
            gradC1.zero_();
            adjointHidden.zero_();
            return;
        }
        ensure(headAdjoint, rows, 2);
        at::mm_out(headAdjoint, adjointTopG, headWeights.t());   // [G.w1, G.w2] = [s2bar, s1bar]
        const torch::Tensor s1 = projections.select(1, 0).view({1, rows});
        const torch::Tensor s2 = projections.select(1, 1).view({1, rows});
        const torch::Tensor s2bar = headAdjoint.select(1, 0).view({1, rows});
        const torch::Tensor s1bar = headAdjoint.select(1, 1).view({1, rows});
        at::mm_out(gradW1, s2, adjointTopG);
        gradW1.addmm_(s1bar, top);
        at::mm_out(gradW2, s1, adjointTopG);
        gradW2.addmm_(s2bar, top);
        gradC1.fill_(s1bar.sum());
        gradC2.fill_(s2bar.sum());
        gradCq.zero_();
        float* gq = gradWq.data_ptr<float>();
        std::fill(gq, gq + hidden, 0.0f);
        const float* hTop = top.data_ptr<float>();
        const float* agTop = adjointTopG.data_ptr<float>();
        const float* hb = headAdjoint.data_ptr<float>();
        const float* w1Values = w1.data_ptr<float>();
        const float* w2Values = w2.data_ptr<float>();
        const float* wqValues = wq.data_ptr<float>();
        float* ah = adjointHidden.data_ptr<float>();
        for (int64_t n = 0; n < rows; ++n) {
            const float s2b = hb[2 * n], s1b = hb[2 * n + 1];
            const float* hr = hTop + n * hidden;
            const float* gr = agTop + n * hidden;
            float* out = ah + n * hidden;
            for (int64_t j = 0; j < hidden; ++j) {
                gq[j] += 2.0f * hr[j] * gr[j];
                out[j] = s1b * w1Values[j] + s2b * w2Values[j] + 2.0f * gr[j] * wqValues[j];
            }
        }
    }

    /// Backpropagation through the forward pass, top down, adding the adjoint pass's terms.
    void backpropagateForwardPass()
    {
        torch::Tensor adjointAbove = adjointHidden;   // dLoss/dh_l
        for (int l = layers; l >= 1; --l) {
            const size_t i = static_cast<size_t>(l);
            torch::Tensor& adjointPre = second[i];   // becomes dLoss/da_l
            const float* ah = adjointAbove.data_ptr<float>();
            const float* hl = h[i].data_ptr<float>();
            float* pre = adjointPre.data_ptr<float>();
            const int64_t count = h[i].numel();
            for (int64_t k = 0; k < count; ++k)
                pre[k] += ah[k] * (1.0f + std::min(hl[k], 0.0f));
            const torch::Tensor& below = l == 1 ? noisy : h[i - 1];
            gradWeight[i - 1].addmm_(adjointPre.t(), below);
            at::sum_out(gradBias[i - 1], adjointPre, {0});
            if (l > 1) {
                torch::Tensor& next = adjointG[i - 1];   // reused: its adjoint-pass values are spent
                at::mm_out(next, adjointPre, weight[i - 1]);
                adjointAbove = next;
            }
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
    const int64_t rows = clean.size(0);
    if (z.size(0) != rows || sigma.numel() != rows)
        throw Error("the MDSM step needs one noise row and one sigma per point");
    if (!(sigma0 > 0.0))
        throw Error("sigma0 must be positive");

    b.addNoise(clean, z, sigma);
    b.forwardAndGrad(b.noisy, nullptr);
    const double loss = b.lossAndInputAdjoint(z, sigma, sigma0);
    b.adjointOfBackwardPass(rows);
    b.headGradients(rows);
    b.backpropagateForwardPass();
    const double s0sq = sigma0 * sigma0;
    return loss * s0sq * s0sq;
}

}  // namespace ebm::toy
