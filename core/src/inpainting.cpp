#include "ebm/inpainting.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdlib>

#include "ebm/error.h"
#include "ebm/image_file.h"

namespace ebm {
namespace {

constexpr const char* kRandomPrefix = "random:";
// A mask picture's pixel generates when it is at least this bright (128 of 255).
constexpr double kWhiteThreshold = 127.5 / 255.0;

}  // namespace

bool isPresetMask(const std::string& spec)
{
    return spec == "left" || spec == "right" || spec == "top" || spec == "bottom" || spec == "centre" ||
           spec == "center" || spec.rfind(kRandomPrefix, 0) == 0;
}

torch::Tensor presetMask(const std::string& spec, int size, uint64_t seed)
{
    if (size < 1)
        throw Error("a mask needs a positive size, not " + std::to_string(size));
    using torch::indexing::Slice;
    const int s = size, half = size / 2;
    torch::Tensor mask = torch::zeros({1, 1, s, s});
    if (spec == "right")
        mask.index_put_({Slice(), Slice(), Slice(), Slice(half, s)}, 1);
    else if (spec == "left")
        mask.index_put_({Slice(), Slice(), Slice(), Slice(0, half)}, 1);
    else if (spec == "bottom")
        mask.index_put_({Slice(), Slice(), Slice(half, s), Slice()}, 1);
    else if (spec == "top")
        mask.index_put_({Slice(), Slice(), Slice(0, half), Slice()}, 1);
    else if (spec == "centre" || spec == "center")
        mask.index_put_({Slice(), Slice(), Slice(s / 4, s - s / 4), Slice(s / 4, s - s / 4)}, 1);
    else if (spec.rfind(kRandomPrefix, 0) == 0) {
        const std::string text = spec.substr(std::char_traits<char>::length(kRandomPrefix));
        char* end = nullptr;
        const double fraction = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(fraction >= 0.0 && fraction <= 1.0))
            throw Error("random:FRACTION needs a fraction between 0 and 1, not '" + text + "'");
        auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
        mask = (torch::rand({1, 1, s, s}, generator) < fraction).to(torch::kFloat32);
    } else {
        throw Error("unknown mask '" + spec + "': use left, right, top, bottom, centre, random:FRACTION or a mask PNG");
    }
    return mask;
}

torch::Tensor readMask(const std::string& path, int size, std::string* note)
{
    const torch::Tensor picture = readImage(path, 1);  // [1, H, W], as the file has it
    const int64_t h = picture.size(1), w = picture.size(2);
    torch::Tensor binary = (picture >= kWhiteThreshold).to(torch::kFloat32);
    if (h != size || w != size) {
        // Nearest neighbours keep a mask a mask: no grey edges for a threshold to move.
        const torch::Tensor rows = (torch::arange(size, torch::kLong) * h).div(size, "floor");
        const torch::Tensor cols = (torch::arange(size, torch::kLong) * w).div(size, "floor");
        binary = binary.index_select(1, rows).index_select(2, cols);
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
