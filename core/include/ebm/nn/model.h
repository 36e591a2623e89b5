#pragma once
#include <torch/nn/module.h>
#include <torch/types.h>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ebm/base/precision_mode.h"

namespace ebm {

enum class Architecture { Res6, Res12, Res18, Mlp };
enum class HeadKind { Quadratic, Linear };

std::string toString(Architecture arch);
Architecture parseArchitecture(const std::string& name);  // throws ebm::Error
std::string toString(HeadKind head);
HeadKind parseHead(const std::string& name);

/// Everything needed to rebuild a network before its weights are loaded.
struct ModelConfig {
    Architecture arch = Architecture::Res12;
    int inChannels = 1;
    int baseWidth = 64;    // filters of the first layer; doubled at each downsampling block
    int imageSize = 32;    // 28, 32 or 64 (any size divisible into the three poolings works)
    HeadKind head = HeadKind::Quadratic;
    int inputDim = 2;      // MLP only: dimension of the data
    int hiddenWidth = 128; // MLP only
    int hiddenLayers = 3;  // MLP only

    /// An MLP energy for points of `inputDim` dimensions (the 2D teaching demos).
    static ModelConfig mlp(int inputDim, int hiddenWidth, int hiddenLayers);

    bool isImageModel() const { return arch != Architecture::Mlp; }
    /// Shape of one data point, e.g. {1, 32, 32} or {2}.
    std::vector<int64_t> sampleShape() const;
    /// e.g. "res12-64 (1x32x32, quadratic head)".
    std::string describe() const;
    bool operator==(const ModelConfig& other) const;
};

/// Energies E(x) [N] and input gradients dE/dx (same shape as x).
struct EnergyAndGrad {
    torch::Tensor energy;
    torch::Tensor grad;
};

/// How dE/dx is obtained when it must stay differentiable with respect to the parameters.
enum class InputGradientMethod {
    /// The network's hand-written backward pass where it has one (the autograd pass otherwise):
    /// its parameter gradient runs ordinary convolution kernels instead of double-backward ones.
    Explicit,
    /// torch::autograd::grad with create_graph: the reference, supported by every network.
    Autograd,
    /// The hand-written backward pass built from stock ATen operators only, with no CPU loops:
    /// what Explicit runs by itself on CUDA and in reduced precision (bfloat16 autocast). The
    /// same maths as Explicit; asking for it on the CPU lets tests compare the two.
    Portable,
};

/// An energy network: maps a batch [N, ...] to one scalar energy per row, shape [N].
/// Low energy means likely data.
class EnergyNetImpl : public torch::nn::Module {
public:
    explicit EnergyNetImpl(ModelConfig config) : config_(std::move(config)) {}
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
    /// E(x) and dE/dx built from differentiable primitive ops (so the result can be
    /// backpropagated into the parameters), or nothing when the network has no hand-written
    /// backward pass. x itself gets no gradient.
    virtual std::optional<EnergyAndGrad> explicitEnergyAndGrad(const torch::Tensor& x) { return std::nullopt; }
    const ModelConfig& config() const { return config_; }
    int64_t parameterCount() const;

private:
    ModelConfig config_;
};
using EnergyNet = std::shared_ptr<EnergyNetImpl>;

/// What a file or an option may ask the engine to build. Beyond these a typo or a damaged header
/// would allocate gigabytes (the paper's largest network is a Res18 with 128 filters).
struct ModelLimits {
    static constexpr int kMaxBaseWidth = 512;
    static constexpr int kMaxInChannels = 16;
    static constexpr int kMaxImageSize = 256;
    static constexpr int kMaxInputDim = 65536;   // MLP: points, or flattened small images
    static constexpr int kMaxHiddenWidth = 4096;
    static constexpr int kMaxHiddenLayers = 64;
};

/// Throws ebm::Error, naming `source` and the limit, when a field of `config` is outside
/// ModelLimits or cannot make a network (no filters, an image too small for three poolings).
void checkModelLimits(const ModelConfig& config, const std::string& source);

/// Builds a freshly initialised network (PyTorch's default initialisation).
/// Throws ebm::Error when checkModelLimits refuses the config.
EnergyNet makeEnergyNet(const ModelConfig& config);

/// The reference PyTorch code's LayerNorm parameters that its residual blocks hold but do not
/// use (normalize=False): name and shape, in block order. Empty for the MLP. An exported
/// state_dict needs them so that PyTorch's strict load_state_dict accepts it.
std::vector<std::pair<std::string, std::vector<int64_t>>> referenceUnusedNormShapes(const ModelConfig& config);

/// Forward cost of one sample in floating-point operations (multiply-add = 2).
double forwardFlops(const ModelConfig& config);

/// Where a network's parameters are (the CPU for a network without any).
torch::Device deviceOf(const torch::nn::Module& net);

/// Energies and input gradients with no graph kept. In a reduced precision the network runs
/// under it and both results come back in x's dtype (float32 for the sampler's state).
EnergyAndGrad energyAndGrad(EnergyNetImpl& net, const torch::Tensor& x, Precision precision = Precision::Float32);

/// Energies and input gradients that keep the graph to the parameters (for double backprop).
/// With the autograd method x is made a leaf that requires grad; the explicit one leaves x alone.
EnergyAndGrad energyAndGradWithGraph(EnergyNetImpl& net, const torch::Tensor& x,
                                     InputGradientMethod method = InputGradientMethod::Explicit);

/// The single-step denoising jump of eq. 9: x - sigma0^2 dE/dx.
torch::Tensor denoise(EnergyNetImpl& net, const torch::Tensor& x, double sigma0,
                      Precision precision = Precision::Float32);

}  // namespace ebm
