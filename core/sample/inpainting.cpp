#include "ebm/sample/inpainting.h"

#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/io/image_file.h"
#include "sample/langevin_loop.h"

namespace ebm {
namespace {

// A mask picture's pixel generates when it is at least this bright (128 of 255).
constexpr double kWhiteThreshold = 127.5 / 255.0;

}  // namespace

SampleResult inpaint(EnergyNetImpl& net, const SamplerConfig& config, const torch::Tensor& images,
                     const torch::Tensor& mask, const FrameCallback& onFrame,
                     const std::atomic<bool>* cancel)
{
    const torch::Device device = deviceOf(net);
    torch::Tensor known = images.to(device, torch::kFloat32);
    torch::Tensor free = mask.to(device, torch::kFloat32).expand_as(known).contiguous();
    if (((free < 0) | (free > 1) | free.isnan()).any().item<bool>())
        throw Error("an inpainting mask must hold weights in [0, 1] (0 known, 1 generate)");
    // Soft weights feather the edge of generated pixels; without any, they are a mistake.
    if (((free != 0) & (free != 1)).any().item<bool>() && !(free == 1).any().item<bool>())
        throw Error("an inpainting mask with soft weights must generate some pixels (weight 1): "
                    "a mask holds 0 (known) and 1 (generate), with soft weights only at a feathered edge");
    internal::NoiseSource noise(config.seed);
    torch::Tensor x = free * (internal::kStartMean + noise.normal(known.sizes(), device)) + (1 - free) * known;
    // Nothing known: the same run as unconditional sampling with this seed (the known pixels'
    // noise would otherwise take draws from the stream).
    if ((free == 1).all().item<bool>())
        return internal::runLangevin(net, config, x, {}, {}, noise, onFrame, cancel);
    return internal::runLangevin(net, config, x, known, free, noise, onFrame, cancel);
}

torch::Tensor featherMask(const torch::Tensor& mask, double radius)
{
    if (!std::isfinite(radius) || radius < 0)
        throw Error("a mask feather radius must be 0 or more pixels (got " + std::to_string(radius) + ")");
    if (radius == 0)
        return mask;  // the hard clamp, bit for bit
    namespace F = torch::nn::functional;
    const int64_t reach = static_cast<int64_t>(std::ceil(radius));
    const double sigma = radius / 2;
    const torch::Tensor offsets = torch::arange(-reach, reach + 1, torch::kFloat64);
    torch::Tensor kernel = (-offsets.pow(2) / (2 * sigma * sigma)).exp();
    kernel = (kernel / kernel.sum()).to(mask.device(), torch::kFloat32);
    const int64_t h = mask.size(-2), w = mask.size(-1);
    const torch::Tensor binary = mask.to(torch::kFloat32).reshape({-1, 1, h, w});
    // Separable blur; the border repeats the edge pixels, so it neither adds nor removes weight.
    torch::Tensor blurred = F::pad(binary, F::PadFuncOptions({reach, reach, 0, 0}).mode(torch::kReplicate));
    blurred = F::conv2d(blurred, kernel.reshape({1, 1, 1, -1}));
    blurred = F::pad(blurred, F::PadFuncOptions({0, 0, reach, reach}).mode(torch::kReplicate));
    blurred = F::conv2d(blurred, kernel.reshape({1, 1, -1, 1}));
    return torch::maximum(binary, blurred.clamp(0, 1)).reshape(mask.sizes()).contiguous();
}

torch::Tensor presetMask(const std::string& spec, int size, uint64_t seed)
{
    std::vector<uint8_t> pixels = presetMaskPixels(spec, size, seed);
    // from_blob borrows the bytes; the float copy owns its own.
    return torch::from_blob(pixels.data(), {1, 1, size, size}, torch::kUInt8).to(torch::kFloat32);
}

torch::Tensor readMask(const std::string& path, int size, std::string* note)
{
    const torch::Tensor picture = readImage(path, 1);  // [1, H, W], as the file has it
    const int64_t h = picture.size(1), w = picture.size(2);
    torch::Tensor binary = (picture >= kWhiteThreshold).to(torch::kFloat32);
    // A mask that generates nothing would end in completions equal to the input: a black or a
    // coloured picture (pure red is dark gray) is a mistake, not a request.
    if (!binary.any().item<bool>())
        throw Error(path + ": has no white pixels, so nothing would be generated; white marks the pixels to generate");
    if (h != size || w != size) {
        // Nearest neighbours keep a mask a mask: no grey edges for a threshold to move.
        const torch::Tensor rows = (torch::arange(size, torch::kLong) * h).div(size, "floor");
        const torch::Tensor cols = (torch::arange(size, torch::kLong) * w).div(size, "floor");
        binary = binary.index_select(1, rows).index_select(2, cols);
        if (!binary.any().item<bool>())
            throw Error(path + ": its white pixels are lost when the " + std::to_string(w) + "x" + std::to_string(h) +
                        " mask is scaled to " + std::to_string(size) + "x" + std::to_string(size) +
                        ", so nothing would be generated; draw the mask at " + std::to_string(size) + "x" +
                        std::to_string(size) + " or with larger white areas");
        if (note)
            *note = path + ": the mask is " + std::to_string(w) + "x" + std::to_string(h) + ", scaled to " +
                    std::to_string(size) + "x" + std::to_string(size) + " with nearest neighbours";
    }
    return binary.unsqueeze(0).contiguous();
}

void writeMask(const std::string& path, const torch::Tensor& mask)
{
    writeImage(path, (mask.reshape({1, mask.size(-2), mask.size(-1)}) > 0.5).to(torch::kFloat32));
}

torch::Tensor maskedMse(const torch::Tensor& completions, const torch::Tensor& truth, const torch::Tensor& mask)
{
    const torch::Tensor generated = (mask > 0.5).to(torch::kFloat32).expand_as(completions);
    const torch::Tensor squared = (completions - truth.expand_as(completions)).pow(2) * generated;
    const torch::Tensor counts = generated.flatten(1).sum(1);
    return torch::where(counts > 0, squared.flatten(1).sum(1) / counts.clamp_min(1), torch::zeros_like(counts));
}

}  // namespace ebm
