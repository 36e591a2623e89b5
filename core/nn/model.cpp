#include "ebm/nn/model.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ebm/base/error.h"
#include "ebm/nn/precision.h"
#include "base/enum_names.h"

namespace ebm {
namespace {

constexpr int kDownsamplingBlocks = 3;   // every ResNet shape halves the image three times

/// Interleaves the four row/column parities that a sub-pixel conv produces:
/// out[n][c][2a + r][2b + s] = parities[n][4c + 2r + s][a + r][b + s]. A gather whose backward is
/// the matching scatter, one pass over memory each; built from slices and a stack instead,
/// autograd would fill a zero tensor and add it up for every piece.
class ParityInterleave : public torch::autograd::Function<ParityInterleave> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& parities,
                                 int64_t height, int64_t width)
    {
        const torch::Tensor source = parities.contiguous();
        const int64_t rows = source.size(2), cols = source.size(3);
        TORCH_CHECK(source.dim() == 4 && source.size(1) % 4 == 0 && height / 2 < rows && width / 2 < cols,
                    "ParityInterleave: parities do not cover the output");
        torch::Tensor result = torch::empty({source.size(0), source.size(1) / 4, height, width}, source.options());
        AT_DISPATCH_FLOATING_TYPES(source.scalar_type(), "ParityInterleave", [&] {
            visit<scalar_t>(result.size(0) * result.size(1), rows, cols, height, width,
                            [](scalar_t& outValue, scalar_t& parityValue) { outValue = parityValue; },
                            result.data_ptr<scalar_t>(), const_cast<scalar_t*>(source.data_ptr<scalar_t>()));
        });
        if (ctx) {
            ctx->saved_data["rows"] = rows;
            ctx->saved_data["cols"] = cols;
        }
        return result;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        const torch::Tensor upstream = gradOutputs[0].contiguous();
        const int64_t rows = ctx->saved_data["rows"].toInt(), cols = ctx->saved_data["cols"].toInt();
        const int64_t height = upstream.size(2), width = upstream.size(3);
        torch::Tensor gradParities =
            torch::zeros({upstream.size(0), upstream.size(1) * 4, rows, cols}, upstream.options());
        AT_DISPATCH_FLOATING_TYPES(upstream.scalar_type(), "ParityInterleaveBackward", [&] {
            visit<scalar_t>(upstream.size(0) * upstream.size(1), rows, cols, height, width,
                            [](scalar_t& outValue, scalar_t& parityValue) { parityValue = outValue; },
                            const_cast<scalar_t*>(upstream.data_ptr<scalar_t>()), gradParities.data_ptr<scalar_t>());
        });
        return {gradParities, torch::Tensor(), torch::Tensor()};
    }

private:
    static constexpr int64_t kPlaneGrain = 16;

    /// Calls pair(out element, parity element) for every output element, in parallel over planes.
    template <typename scalar_t, typename Pair>
    static void visit(int64_t planes, int64_t rows, int64_t cols, int64_t height, int64_t width, Pair pair,
                      scalar_t* out, scalar_t* parities)
    {
        at::parallel_for(0, planes, kPlaneGrain, [&](int64_t begin, int64_t end) {
            for (int64_t plane = begin; plane < end; ++plane) {
                scalar_t* parity = parities + plane * 4 * rows * cols;
                scalar_t* target = out + plane * height * width;
                for (int64_t p = 0; p < height; ++p) {
                    const int64_t r = p & 1, line = (p >> 1) + r;
                    scalar_t* even = parity + (2 * r) * rows * cols + line * cols;          // s = 0
                    scalar_t* odd = parity + (2 * r + 1) * rows * cols + line * cols + 1;   // s = 1
                    scalar_t* row = target + p * width;
                    for (int64_t q = 0; q < width; ++q)
                        pair(row[q], (q & 1) ? odd[q >> 1] : even[q >> 1]);
                }
            }
        });
    }
};

/// Set while InputGradientMethod::Portable is asked for on this thread.
thread_local bool portableKernelsRequested = false;

/// Whether the hand-written CPU loops below can take `t`. They read memory directly, so CUDA
/// tensors, and the bfloat16 ones that autocast produces, take stock ATen operators instead.
bool cpuLoopsApply(const torch::Tensor& t)
{
    return !portableKernelsRequested && t.device().is_cpu() &&
           (t.scalar_type() == torch::kFloat32 || t.scalar_type() == torch::kFloat64);
}

/// interleaveParities from stock operators (any device or dtype; autograd derives the scatter).
/// Each parity (r, s) fills a ceil(height/2) x ceil(width/2) grid: one padding row and column
/// at the end give every parity that many rows, and the odd size's extra row is cropped again.
torch::Tensor interleaveParitiesPortable(const torch::Tensor& parities, int64_t height, int64_t width)
{
    const int64_t batch = parities.size(0), channels = parities.size(1) / 4;
    const int64_t halfHeight = (height + 1) / 2, halfWidth = (width + 1) / 2;
    const torch::Tensor grouped =
        torch::constant_pad_nd(parities, {0, 1, 0, 1}).view({batch, channels, 4, parities.size(2) + 1, parities.size(3) + 1});
    std::vector<torch::Tensor> rowParities;
    for (int64_t r = 0; r < 2; ++r) {
        std::vector<torch::Tensor> columnParities;
        for (int64_t s = 0; s < 2; ++s)
            columnParities.push_back(
                grouped.select(2, 2 * r + s).slice(2, r, r + halfHeight).slice(3, s, s + halfWidth));
        rowParities.push_back(torch::stack(columnParities, -1));   // [N, C, halfHeight, halfWidth, s]
    }
    return torch::stack(rowParities, 3)                              // [N, C, halfHeight, r, halfWidth, s]
        .reshape({batch, channels, 2 * halfHeight, 2 * halfWidth})
        .slice(2, 0, height)
        .slice(3, 0, width);
}

torch::Tensor interleaveParities(const torch::Tensor& parities, int64_t height, int64_t width)
{
    if (!cpuLoopsApply(parities))
        return interleaveParitiesPortable(parities, height, width);
    if (!torch::GradMode::is_enabled() || !parities.requires_grad())
        return ParityInterleave::forward(nullptr, parities, height, width);
    return ParityInterleave::apply(parities, height, width);
}

/// The reference code's `MyConvo2d`: a same-padded conv stored under `.conv`.
class PaddedConvImpl : public torch::nn::Module {
public:
    PaddedConvImpl(int in, int out, int kernel, bool bias)
    {
        conv_ = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                                                              .padding((kernel - 1) / 2)
                                                              .bias(bias)));
    }
    torch::Tensor forward(const torch::Tensor& x) { return conv_->forward(x); }

    /// d(sum gradOut * conv(x))/dx: the same-padded conv with the kernel flipped and its in/out
    /// channels swapped. A forward conv (not conv_transpose2d, which has no oneDNN kernel in
    /// LibTorch 1.13), so its own backward is ordinary conv backward.
    torch::Tensor inputGradient(const torch::Tensor& gradOut)
    {
        const torch::Tensor& weight = conv_->weight;
        const int64_t kernel = weight.size(-1);
        torch::Tensor adjoint = kernel == 1 ? weight.transpose(0, 1) : weight.flip({2, 3}).transpose(0, 1);
        return torch::conv2d(gradOut, adjoint, /*bias=*/{}, /*stride=*/1, /*padding=*/(kernel - 1) / 2);
    }

    /// The 3x3 kernel averaged at the four offsets of a 2x2 window: a 4x4 kernel with which one
    /// stride-2 conv equals meanPool(forward(x)) (odd sizes drop the same last row).
    torch::Tensor pooledKernel() const
    {
        const torch::Tensor& weight = conv_->weight;
        TORCH_CHECK(weight.size(-1) == 3, "the pooled kernel needs a 3x3 kernel");
        return (torch::constant_pad_nd(weight, {0, 1, 0, 1}) + torch::constant_pad_nd(weight, {1, 0, 0, 1}) +
                torch::constant_pad_nd(weight, {0, 1, 1, 0}) + torch::constant_pad_nd(weight, {1, 0, 1, 0})) *
               0.25;
    }

    /// meanPool(forward(x)) as one stride-2 conv with `kernel` = pooledKernel().
    torch::Tensor pooledForward(const torch::Tensor& x, const torch::Tensor& kernel)
    {
        return torch::conv2d(x, kernel, conv_->bias, /*stride=*/2, /*padding=*/1);
    }

    /// d(sum gradOut * pooledForward(x, kernel))/dx, kernel [out, in, 4, 4], for an input of inputHeight x inputWidth: the
    /// stride-2 transposed conv, done as a sub-pixel conv. Input row 2a+r only meets kernel rows
    /// u = 3 - r - 2k of output rows a - 1 + r + k (k = 0, 1), so one 2x2 conv of gradOut with
    /// four kernels per input channel (one per row/column parity) yields every parity, which are
    /// then interleaved. A quarter of the kernel taps of the full-resolution 3x3 adjoint, and a
    /// forward conv (conv_transpose2d has no oneDNN kernel in LibTorch 1.13).
    torch::Tensor pooledInputGradient(const torch::Tensor& gradOut, const torch::Tensor& kernel,
                                      int64_t inputHeight, int64_t inputWidth)
    {
        const int64_t out = kernel.size(0), in = kernel.size(1);
        // flipped[o][c][2k + r][2l + s] = kernel[o][c][3 - r - 2k][3 - s - 2l]
        const torch::Tensor parityKernels = kernel.flip({2, 3})
                                                .view({out, in, 2, 2, 2, 2})          // o, c, k, r, l, s
                                                .permute({1, 3, 5, 0, 2, 4})          // c, r, s, o, k, l
                                                .reshape({in * 4, out, 2, 2});
        // Parity (r, s) of input (2a + r, 2b + s) sits at (a + r, b + s) of the padded 2x2 conv.
        return interleaveParities(torch::conv2d(gradOut, parityKernels, /*bias=*/{}, /*stride=*/1, /*padding=*/1),
                                  inputHeight, inputWidth);
    }

private:
    torch::nn::Conv2d conv_{nullptr};
};
TORCH_MODULE(PaddedConv);

/// 2x2 mean pool: the average of the four strided sub-grids (floor for odd sizes).
torch::Tensor meanPool(const torch::Tensor& x) { return torch::avg_pool2d(x, 2); }

/// Backward of meanPool: spreads each gradient over its 2x2 window (zero for a dropped odd
/// row/column). `poolInput` only gives the shape; detached so that no zero gradient flows to it.
torch::Tensor meanPoolInputGradient(const torch::Tensor& gradOut, const torch::Tensor& poolInput)
{
    return torch::avg_pool2d_backward(gradOut, poolInput.detach(), /*kernel_size=*/2, /*stride=*/2,
                                      /*padding=*/0, /*ceil_mode=*/false, /*count_include_pad=*/true,
                                      /*divisor_override=*/c10::nullopt);
}

/// gradOut * ELU'(x) from the saved output y = ELU(x) (alpha 1): ELU'(x) = 1 + min(y, 0).
/// A custom autograd function so that both the product and its derivative take one pass over
/// memory each (elu_backward's own derivative runs five elementwise kernels). Differentiable
/// once, which is all double backpropagation needs.
class EluSlopeProduct : public torch::autograd::Function<EluSlopeProduct> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& gradOut,
                                 const torch::Tensor& eluOutput)
    {
        const torch::Tensor grad = gradOut.contiguous(), activation = eluOutput.contiguous();
        TORCH_CHECK(grad.sizes() == activation.sizes() && grad.scalar_type() == activation.scalar_type(),
                    "EluSlopeProduct: mismatched operands");
        torch::Tensor result = torch::empty_like(grad, torch::MemoryFormat::Contiguous);
        AT_DISPATCH_FLOATING_TYPES(grad.scalar_type(), "EluSlopeProduct", [&] {
            const scalar_t* g = grad.data_ptr<scalar_t>();
            const scalar_t* y = activation.data_ptr<scalar_t>();
            scalar_t* out = result.data_ptr<scalar_t>();
            at::parallel_for(0, grad.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
                // Branch-free (the sign of y is a coin toss, so a branch mispredicts half the
                // time) and so vectorisable: the slope is 1 + min(y, 0).
                for (int64_t i = begin; i < end; ++i)
                    out[i] = g[i] * (std::min(y[i], scalar_t(0)) + 1);
            });
        });
        if (ctx)
            ctx->save_for_backward({grad, activation});
        return result;
    }

    /// d/dgradOut = ELU'(x); d/dy = gradOut where y < 0 (the slope 1 + y), else 0.
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list gradOutputs)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor& grad = saved[0];
        const torch::Tensor& activation = saved[1];
        if (!gradOutputs[0].defined())
            return {torch::Tensor(), torch::Tensor()};
        const torch::Tensor upstream = gradOutputs[0].contiguous();
        torch::Tensor gradOfGrad = torch::empty_like(grad), gradOfActivation = torch::empty_like(grad);
        AT_DISPATCH_FLOATING_TYPES(grad.scalar_type(), "EluSlopeProductBackward", [&] {
            const scalar_t* g = grad.data_ptr<scalar_t>();
            const scalar_t* y = activation.data_ptr<scalar_t>();
            const scalar_t* up = upstream.data_ptr<scalar_t>();
            scalar_t* dg = gradOfGrad.data_ptr<scalar_t>();
            scalar_t* dy = gradOfActivation.data_ptr<scalar_t>();
            at::parallel_for(0, grad.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) {
                    dg[i] = up[i] * (std::min(y[i], scalar_t(0)) + 1);
                    dy[i] = up[i] * g[i] * scalar_t(y[i] < 0);
                }
            });
        });
        return {gradOfGrad, gradOfActivation};
    }

private:
    static constexpr int64_t kElementwiseGrain = 32768;
};

torch::Tensor eluInputGradient(const torch::Tensor& gradOut, const torch::Tensor& eluOutput)
{
    if (!cpuLoopsApply(gradOut) || !cpuLoopsApply(eluOutput) || gradOut.scalar_type() != eluOutput.scalar_type())
        return gradOut * (eluOutput.clamp_max(0) + 1);   // ELU'(x) = 1 + min(y, 0), as below
    if (!torch::GradMode::is_enabled() || (!gradOut.requires_grad() && !eluOutput.requires_grad()))
        return EluSlopeProduct::forward(nullptr, gradOut, eluOutput);
    return EluSlopeProduct::apply(gradOut, eluOutput);
}

/// What a pooled conv's hand-written backward needs from its forward pass.
struct PoolRecord {
    torch::Tensor input;          // the conv's input (its size fixes the gradient's)
    torch::Tensor pooledKernel;   // conv-then-pool: the kernel of the stride-2 conv, built once
};

/// Shortcut of a downsampling block (`MeanPoolConv`): pool, then conv; weights at `.conv.conv`.
/// Main path end of a downsampling block (`ConvMeanPool`): conv, then pool; same key layout.
class PooledConvImpl : public torch::nn::Module {
public:
    PooledConvImpl(int in, int out, int kernel, bool poolFirst) : poolFirst_(poolFirst)
    {
        conv_ = register_module("conv", PaddedConv(in, out, kernel, true));
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        return poolFirst_ ? conv_->forward(meanPool(x)) : meanPool(conv_->forward(x));
    }

    /// forward() that also keeps what inputGradient() needs. Conv-then-pool runs as one stride-2
    /// conv with the pooled kernel: the same linear map at 4/9 of the work.
    torch::Tensor forwardRecording(const torch::Tensor& x, PoolRecord& record)
    {
        record.input = x;
        if (poolFirst_)
            return conv_->forward(meanPool(x));
        record.pooledKernel = conv_->pooledKernel();
        return conv_->pooledForward(x, record.pooledKernel);
    }

    torch::Tensor inputGradient(const torch::Tensor& gradOut, const PoolRecord& record)
    {
        if (poolFirst_)
            return meanPoolInputGradient(conv_->inputGradient(gradOut), record.input);
        return conv_->pooledInputGradient(gradOut, record.pooledKernel, record.input.size(2), record.input.size(3));
    }

private:
    PaddedConv conv_{nullptr};
    bool poolFirst_;
};
TORCH_MODULE(PooledConv);

/// What a block's hand-written backward needs from its forward pass.
struct BlockRecord {
    torch::Tensor firstActivation;    // ELU(x)
    torch::Tensor secondActivation;   // ELU(conv_1(ELU(x)))
    PoolRecord mainPool;              // down blocks: conv_2, then pool
    PoolRecord shortcutPool;          // down blocks: pool, then the 1x1 shortcut
};

/// Pre-activation residual block without normalisation: shortcut + conv(ELU(conv(ELU(x)))).
class ResidualBlockImpl : public torch::nn::Module {
public:
    ResidualBlockImpl(int in, int out, bool downsample) : downsample_(downsample)
    {
        conv1_ = register_module("conv_1", PaddedConv(in, in, 3, false));
        if (downsample) {
            shortcutDown_ = register_module("conv_shortcut", PooledConv(in, out, 1, true));
            conv2Down_ = register_module("conv_2", PooledConv(in, out, 3, false));
        } else {
            shortcut_ = register_module("conv_shortcut", PaddedConv(in, out, 1, true));
            conv2_ = register_module("conv_2", PaddedConv(in, out, 3, true));
        }
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        torch::Tensor h = conv1_->forward(torch::elu(x));
        h = torch::elu(h);
        if (downsample_)
            return shortcutDown_->forward(x) + conv2Down_->forward(h);
        return shortcut_->forward(x) + conv2_->forward(h);
    }

    /// forward() that fills `record` for inputGradient().
    torch::Tensor forwardRecording(const torch::Tensor& x, BlockRecord& record)
    {
        record.firstActivation = torch::elu(x);
        record.secondActivation = torch::elu(conv1_->forward(record.firstActivation));
        if (downsample_)
            return shortcutDown_->forwardRecording(x, record.shortcutPool) +
                   conv2Down_->forwardRecording(record.secondActivation, record.mainPool);
        return shortcut_->forward(x) + conv2_->forward(record.secondActivation);
    }

    /// dE/dx from dE/d(output), as differentiable ops.
    torch::Tensor inputGradient(const torch::Tensor& gradOut, const BlockRecord& record)
    {
        torch::Tensor grad = downsample_ ? conv2Down_->inputGradient(gradOut, record.mainPool)
                                         : conv2_->inputGradient(gradOut);
        grad = conv1_->inputGradient(eluInputGradient(grad, record.secondActivation));
        grad = eluInputGradient(grad, record.firstActivation);
        if (downsample_)
            return grad + shortcutDown_->inputGradient(gradOut, record.shortcutPool);
        return grad + shortcut_->inputGradient(gradOut);
    }

private:
    bool downsample_;
    PaddedConv conv1_{nullptr}, conv2_{nullptr}, shortcut_{nullptr};
    PooledConv conv2Down_{nullptr}, shortcutDown_{nullptr};
};
TORCH_MODULE(ResidualBlock);

/// Eq. 12: E = (a.h + b1)(c.h + b2) + d.h^2 + b3, or a plain linear layer. Its layers are
/// registered on the owning network itself, as the reference code's keys (`ln1.weight`) expect.
class EnergyHead {
public:
    EnergyHead() = default;
    EnergyHead(torch::nn::Module& owner, int64_t features, HeadKind kind) : kind_(kind)
    {
        if (kind == HeadKind::Quadratic) {
            ln1_ = owner.register_module("ln1", torch::nn::Linear(features, 1));
            ln2_ = owner.register_module("ln2", torch::nn::Linear(features, 1));
            lq_ = owner.register_module("lq", torch::nn::Linear(features, 1));
        } else {
            ln1_ = owner.register_module("ln", torch::nn::Linear(features, 1));
        }
    }
    torch::Tensor operator()(const torch::Tensor& h)
    {
        if (kind_ == HeadKind::Linear)
            return ln1_->forward(h).squeeze(1);
        return (ln1_->forward(h) * ln2_->forward(h) + lq_->forward(h * h)).squeeze(1);
    }

    /// operator() and dE/dh [N, F]: w for the linear head; l2(h) w1 + l1(h) w2 + 2 h wq for eq. 12.
    EnergyAndGrad energyAndGrad(const torch::Tensor& h)
    {
        if (kind_ == HeadKind::Linear)
            return {ln1_->forward(h).squeeze(1), ln1_->weight.expand_as(h)};
        const torch::Tensor first = ln1_->forward(h), second = ln2_->forward(h);
        return {(first * second + lq_->forward(h * h)).squeeze(1),
                second * ln1_->weight + first * ln2_->weight + 2.0 * h * lq_->weight};
    }

private:
    HeadKind kind_ = HeadKind::Quadratic;
    torch::nn::Linear ln1_{nullptr}, ln2_{nullptr}, lq_{nullptr};
};

struct BlockSpec {
    std::string name;
    bool downsample;
};

std::vector<BlockSpec> blockLayout(Architecture arch)
{
    switch (arch) {
    case Architecture::Res6:
        return {{"rb1", true}, {"rb2", true}, {"rb3", true}};
    case Architecture::Res12:
        return {{"rb1", true}, {"rbc1", false}, {"rb2", true},
                {"rbc2", false}, {"rb3", true}, {"rbc3", false}};
    case Architecture::Res18:
        return {{"rb1", true}, {"rbc1", false}, {"rbc11", false}, {"rb2", true}, {"rbc2", false},
                {"rbc22", false}, {"rb3", true}, {"rbc3", false}, {"rbc33", false}};
    case Architecture::Mlp:
        break;
    }
    return {};
}

int finalSpatialSize(int imageSize)
{
    int size = imageSize;
    for (int i = 0; i < kDownsamplingBlocks; ++i)
        size /= 2;
    return size;
}

/// The reference code's Res6/Res12/Res18 energy networks.
class ResNetEnergyImpl : public EnergyNetImpl {
public:
    explicit ResNetEnergyImpl(const ModelConfig& config) : EnergyNetImpl(config)
    {
        const int width = config.baseWidth;
        stem_ = register_module("conv1", PaddedConv(config.inChannels, width, 3, true));
        int channels = width;
        for (const BlockSpec& spec : blockLayout(config.arch)) {
            const int out = spec.downsample ? channels * 2 : channels;
            blocks_.push_back(register_module(spec.name, ResidualBlock(channels, out, spec.downsample)));
            channels = out;
        }
        const int side = finalSpatialSize(config.imageSize);
        head_ = EnergyHead(*this, int64_t(channels) * side * side, config.head);
    }

    torch::Tensor forward(const torch::Tensor& x) override
    {
        torch::Tensor h = stem_->forward(x);
        for (auto& block : blocks_)
            h = block->forward(h);
        return head_(h.flatten(1));
    }

    std::optional<EnergyAndGrad> explicitEnergyAndGrad(const torch::Tensor& x) override
    {
        std::vector<BlockRecord> records(blocks_.size());
        torch::Tensor h = stem_->forward(x);
        for (size_t i = 0; i < blocks_.size(); ++i)
            h = blocks_[i]->forwardRecording(h, records[i]);
        EnergyAndGrad headResult = head_.energyAndGrad(h.flatten(1));
        torch::Tensor grad = headResult.grad.view(h.sizes());
        for (size_t i = blocks_.size(); i-- > 0;)
            grad = blocks_[i]->inputGradient(grad, records[i]);
        return EnergyAndGrad{headResult.energy, stem_->inputGradient(grad)};
    }

private:
    PaddedConv stem_{nullptr};
    std::vector<ResidualBlock> blocks_;
    EnergyHead head_;
};

/// A small fully connected energy for low-dimensional data (the 2D teaching demos).
class MlpEnergyImpl : public EnergyNetImpl {
public:
    explicit MlpEnergyImpl(const ModelConfig& config) : EnergyNetImpl(config)
    {
        int64_t in = config.inputDim;
        for (int i = 0; i < config.hiddenLayers; ++i) {
            layers_.push_back(register_module("fc" + std::to_string(i),
                                              torch::nn::Linear(in, config.hiddenWidth)));
            in = config.hiddenWidth;
        }
        head_ = EnergyHead(*this, in, config.head);
    }

    torch::Tensor forward(const torch::Tensor& x) override
    {
        torch::Tensor h = x.flatten(1);
        for (auto& layer : layers_)
            h = torch::elu(layer->forward(h));
        return head_(h);
    }

    /// dE/dx by the chain rule through the layers: g <- (g * ELU'(a)) W, from the head's dE/dh.
    /// Plain differentiable ops, so MDSM's double backpropagation needs no double-backward kernels.
    std::optional<EnergyAndGrad> explicitEnergyAndGrad(const torch::Tensor& x) override
    {
        std::vector<torch::Tensor> activations;
        torch::Tensor h = x.flatten(1);
        for (auto& layer : layers_) {
            h = torch::elu(layer->forward(h));
            activations.push_back(h);
        }
        EnergyAndGrad headResult = head_.energyAndGrad(h);
        torch::Tensor grad = headResult.grad;
        for (size_t i = layers_.size(); i-- > 0;)
            grad = eluInputGradient(grad, activations[i]).mm(layers_[i]->weight);
        return EnergyAndGrad{headResult.energy, grad.view(x.sizes())};
    }

private:
    std::vector<torch::nn::Linear> layers_;
    EnergyHead head_;
};

}  // namespace

namespace {
const internal::NameTable<Architecture, 4> kArchitectureNames = {
    {Architecture::Res6, "res6"}, {Architecture::Res12, "res12"}, {Architecture::Res18, "res18"}, {Architecture::Mlp, "mlp"}};
const internal::NameTable<HeadKind, 2> kHeadNames = {{HeadKind::Quadratic, "quadratic"}, {HeadKind::Linear, "linear"}};
}  // namespace

std::string toString(Architecture arch) { return internal::nameOf(kArchitectureNames, arch); }

Architecture parseArchitecture(const std::string& name)
{
    return internal::parseName(kArchitectureNames, name, "architecture");
}

std::string toString(HeadKind head) { return internal::nameOf(kHeadNames, head); }

HeadKind parseHead(const std::string& name) { return internal::parseName(kHeadNames, name, "head"); }

ModelConfig ModelConfig::mlp(int inputDim, int hiddenWidth, int hiddenLayers)
{
    ModelConfig config;
    config.arch = Architecture::Mlp;
    config.inputDim = inputDim;
    config.hiddenWidth = hiddenWidth;
    config.hiddenLayers = hiddenLayers;
    return config;
}

std::vector<int64_t> ModelConfig::sampleShape() const
{
    if (!isImageModel())
        return {inputDim};
    return {inChannels, imageSize, imageSize};
}

std::string ModelConfig::describe() const
{
    std::ostringstream out;
    if (isImageModel())
        out << toString(arch) << "-" << baseWidth << " (" << inChannels << "x" << imageSize << "x"
            << imageSize << ", " << toString(head) << " head)";
    else
        out << "mlp " << hiddenLayers << "x" << hiddenWidth << " (" << inputDim << "D, "
            << toString(head) << " head)";
    return out.str();
}

bool ModelConfig::operator==(const ModelConfig& o) const
{
    if (arch != o.arch || head != o.head)
        return false;
    if (isImageModel())
        return inChannels == o.inChannels && baseWidth == o.baseWidth && imageSize == o.imageSize;
    return inputDim == o.inputDim && hiddenWidth == o.hiddenWidth && hiddenLayers == o.hiddenLayers;
}

int64_t EnergyNetImpl::parameterCount() const
{
    int64_t count = 0;
    for (const auto& p : parameters())
        count += p.numel();
    return count;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> referenceUnusedNormShapes(const ModelConfig& config)
{
    // Each residual block of the reference code builds two LayerNorms over its input
    // [channels, side, side] even with normalize=False, and they sit in its state_dict.
    std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
    int64_t channels = config.baseWidth, side = config.imageSize;
    for (const BlockSpec& spec : blockLayout(config.arch)) {
        for (const char* norm : {"bn1", "bn2"})
            for (const char* part : {"weight", "bias"})
                shapes.push_back({spec.name + "." + norm + "." + part, {channels, side, side}});
        if (spec.downsample) {
            channels *= 2;
            side /= 2;
        }
    }
    return shapes;
}

void checkModelLimits(const ModelConfig& config, const std::string& source)
{
    const std::string prefix = source.empty() ? std::string() : source + ": ";
    auto within = [&](const char* what, int value, int lowest, int highest) {
        if (value < lowest || value > highest)
            throw Error(prefix + what + " " + std::to_string(value) + " is outside " + std::to_string(lowest) +
                        ".." + std::to_string(highest) + (source.empty() ? "" : "; the file is damaged or not a model of this program"));
    };
    if (config.isImageModel()) {
        within("the input channel count", config.inChannels, 1, ModelLimits::kMaxInChannels);
        within("the base width (filters of the first layer)", config.baseWidth, 1, ModelLimits::kMaxBaseWidth);
        within("the image size", config.imageSize, 1, ModelLimits::kMaxImageSize);
        if (finalSpatialSize(config.imageSize) < 1)
            throw Error(prefix + "image size " + std::to_string(config.imageSize) +
                        " is too small for three 2x2 poolings (use 28, 32 or 64)");
        return;
    }
    within("the input dimension", config.inputDim, 1, ModelLimits::kMaxInputDim);
    within("the hidden width", config.hiddenWidth, 1, ModelLimits::kMaxHiddenWidth);
    within("the number of hidden layers", config.hiddenLayers, 1, ModelLimits::kMaxHiddenLayers);
}

EnergyNet makeEnergyNet(const ModelConfig& config)
{
    checkModelLimits(config, "");
    if (config.isImageModel())
        return std::make_shared<ResNetEnergyImpl>(config);
    return std::make_shared<MlpEnergyImpl>(config);
}

double forwardFlops(const ModelConfig& config)
{
    constexpr double kFlopsPerMac = 2.0;
    double macs = 0.0;
    if (!config.isImageModel()) {
        double in = config.inputDim;
        for (int i = 0; i < config.hiddenLayers; ++i) {
            macs += in * config.hiddenWidth;
            in = config.hiddenWidth;
        }
        return kFlopsPerMac * (macs + 3 * in);
    }
    double side = config.imageSize;
    double channels = config.baseWidth;
    macs += side * side * config.inChannels * channels * 9;
    for (const BlockSpec& spec : blockLayout(config.arch)) {
        const double out = spec.downsample ? channels * 2 : channels;
        macs += side * side * channels * channels * 9;   // conv_1
        macs += side * side * channels * out * 9;        // conv_2 (before its pooling)
        const double shortcutSide = spec.downsample ? std::floor(side / 2) : side;
        macs += shortcutSide * shortcutSide * channels * out;
        if (spec.downsample)
            side = std::floor(side / 2);
        channels = out;
    }
    macs += 3 * channels * side * side;
    return kFlopsPerMac * macs;
}

EnergyAndGrad energyAndGradWithGraph(EnergyNetImpl& net, const torch::Tensor& x, InputGradientMethod method)
{
    if (method != InputGradientMethod::Autograd) {
        struct PortableScope {
            bool previous = portableKernelsRequested;
            explicit PortableScope(bool portable) { portableKernelsRequested = previous || portable; }
            ~PortableScope() { portableKernelsRequested = previous; }
        } scope(method == InputGradientMethod::Portable);
        if (std::optional<EnergyAndGrad> result = net.explicitEnergyAndGrad(x.detach()))
            return *result;
    }
    torch::Tensor input = x.detach().requires_grad_(true);
    torch::Tensor energy = net.forward(input);
    torch::Tensor grad = torch::autograd::grad({energy.sum()}, {input}, /*grad_outputs=*/{},
                                               /*retain_graph=*/true, /*create_graph=*/true)[0];
    return {energy, grad};
}

EnergyAndGrad energyAndGrad(EnergyNetImpl& net, const torch::Tensor& x, Precision precision)
{
    if (precision != Precision::Float32) {
        EnergyAndGrad reduced;
        {
            PrecisionScope scope(precision, x.device());
            reduced = energyAndGrad(net, x);
        }
        return {reduced.energy.to(x.scalar_type()), reduced.grad.to(x.scalar_type())};
    }
    {
        // Sampling needs no graph: the hand-written backward pass runs as plain tensor code.
        torch::NoGradGuard noGraph;
        if (std::optional<EnergyAndGrad> result = net.explicitEnergyAndGrad(x.detach()))
            return {result->energy, result->grad};
    }
    torch::Tensor input = x.detach().requires_grad_(true);
    torch::Tensor energy = net.forward(input);
    torch::Tensor grad = torch::autograd::grad({energy.sum()}, {input})[0];
    return {energy.detach(), grad.detach()};
}

torch::Tensor denoise(EnergyNetImpl& net, const torch::Tensor& x, double sigma0, Precision precision)
{
    return x - sigma0 * sigma0 * energyAndGrad(net, x, precision).grad;
}

torch::Device deviceOf(const torch::nn::Module& net)
{
    const auto params = net.parameters();
    return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

}  // namespace ebm
