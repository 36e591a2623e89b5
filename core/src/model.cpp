#include "ebm/model.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "ebm/error.h"

namespace ebm {
namespace {

constexpr int kDownsamplingBlocks = 3;   // every ResNet shape halves the image three times

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

private:
    torch::nn::Conv2d conv_{nullptr};
};
TORCH_MODULE(PaddedConv);

/// 2x2 mean pool: the average of the four strided sub-grids (floor for odd sizes).
torch::Tensor meanPool(const torch::Tensor& x) { return torch::avg_pool2d(x, 2); }

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

private:
    PaddedConv conv_{nullptr};
    bool poolFirst_;
};
TORCH_MODULE(PooledConv);

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

private:
    std::vector<torch::nn::Linear> layers_;
    EnergyHead head_;
};

}  // namespace

std::string toString(Architecture arch)
{
    switch (arch) {
    case Architecture::Res6: return "res6";
    case Architecture::Res12: return "res12";
    case Architecture::Res18: return "res18";
    case Architecture::Mlp: return "mlp";
    }
    return "?";
}

Architecture parseArchitecture(const std::string& name)
{
    for (Architecture a : {Architecture::Res6, Architecture::Res12, Architecture::Res18, Architecture::Mlp})
        if (toString(a) == name)
            return a;
    throw Error("unknown architecture '" + name + "': use res6, res12, res18 or mlp");
}

std::string toString(HeadKind head) { return head == HeadKind::Quadratic ? "quadratic" : "linear"; }

HeadKind parseHead(const std::string& name)
{
    if (name == "quadratic")
        return HeadKind::Quadratic;
    if (name == "linear")
        return HeadKind::Linear;
    throw Error("unknown head '" + name + "': use quadratic or linear");
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

EnergyNet makeEnergyNet(const ModelConfig& config)
{
    if (config.isImageModel()) {
        if (config.inChannels < 1 || config.baseWidth < 1)
            throw Error("a network needs at least one input channel and one filter");
        if (finalSpatialSize(config.imageSize) < 1)
            throw Error("image size " + std::to_string(config.imageSize) +
                        " is too small for three 2x2 poolings (use 28, 32 or 64)");
        return std::make_shared<ResNetEnergyImpl>(config);
    }
    if (config.inputDim < 1 || config.hiddenWidth < 1 || config.hiddenLayers < 1)
        throw Error("an MLP energy needs a positive input dimension, width and depth");
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

EnergyAndGrad energyAndGrad(EnergyNetImpl& net, const torch::Tensor& x)
{
    torch::Tensor input = x.detach().requires_grad_(true);
    torch::Tensor energy = net.forward(input);
    torch::Tensor grad = torch::autograd::grad({energy.sum()}, {input})[0];
    return {energy.detach(), grad.detach()};
}

torch::Tensor denoise(EnergyNetImpl& net, const torch::Tensor& x, double sigma0)
{
    return x - sigma0 * sigma0 * energyAndGrad(net, x).grad;
}

}  // namespace ebm
