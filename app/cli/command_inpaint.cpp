// ebm inpaint
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <limits>

#include "ebm/base/error.h"
#include "ebm/base/mask_preset.h"
#include "ebm/io/image_file.h"
#include "ebm/io/model_file.h"
#include "ebm/io/tensor_json.h"
#include "ebm/sample/inpainting.h"
#include "command_support.h"
#include "commands.h"
#include "settings_from_image.h"

namespace ebm::cli {

namespace {

/// Grey where pixels are to be generated, in the grid's "masked input" row.
constexpr double kHiddenPixelValue = 0.5;

torch::Tensor openMask(const std::string& spec, const ModelConfig& model, uint64_t seed)
{
    if (isPresetMask(spec))
        return presetMask(spec, model.imageSize, seed);
    std::string note;
    torch::Tensor mask = readMask(spec, model.imageSize, &note);
    if (!note.empty())
        spdlog::warn("{}", note);
    return mask;
}

/// A mask as writeMask draws it: white (1) where pixels are generated, black elsewhere.
torch::Tensor maskPicture(const torch::Tensor& mask)
{
    return (mask.reshape({1, mask.size(-2), mask.size(-1)}) > 0.5).to(torch::kFloat32);
}

/// What the grid and the saved mask keep of the run: the sampling settings, the input and the
/// images taken from it, the mask (a preset by name, a file by its fingerprint) and the noise on
/// the known pixels.
std::string inpaintSettings(const CliArgs& args, const OpenedModel& model, const SamplingOptions& sampling,
                            const SamplerConfig& config, int64_t count, const std::string& maskFile)
{
    Json details = samplingSettings(sampling, config);
    const std::string input = args.text("input");
    details["input"] = inputSettings(input);
    details["index"] = args.integer("index");
    details["samples"] = count;
    if (maskFile.empty())
        details["mask"] = args.text("mask");
    else
        details["mask"] = fileFingerprint(maskFile);
    details["reference_inpaint_noise"] = config.referenceInpaintNoise;
    return pictureSettings("inpaint", &model, details);
}

}  // namespace

int runInpaint(int argc, char** argv)
{
    CliArgs args("inpaint", "Fill the masked pixels of an image with annealed Langevin sampling (or MALA); known "
                            "pixels stay exactly as they are. One image (a picture, or --index K of a data set) "
                            "gets --num completions; a data set without --index completes its first --num images "
                            "once each.");
    args.options(R"(
--input=fashion-mnist  a PNG/JPEG picture, .npy, or data set (test split) to complete
--index=-1             complete image K of the input --num times (-1: see above)
--num=16               how many completions (or images of a data set without --index)
--mask=right           left, right, top, bottom, centre, random:FRACTION, or a mask PNG (white = generate)
--out=inpaint.png      PNG: rows of originals, masked inputs and completions
--npy=                 also write the completions as float32 [N, C, H, W] in [0, 1] (.npy)
--save-mask=           also write the mask as PNG (white = generate)
--json                 print the masked-region MSE of each completion against the input (and the
                       mean acceptance with mala)
)");
    args.option("sampler", toString(kDefaultSampler),
                "langevin (eq. 8, every step taken) or mala (Metropolis-adjusted: each chain's step accepted "
                "or rejected, unbiased at large step sizes; two energy evaluations a step when inpainting)");
    addSamplingOptions(args);
    ModelCommand command = startModelCommand(args, argc, argv);
    OpenedModel& model = command.model;
    const ModelConfig& shape = model.net->config();
    if (!shape.isImageModel())
        throw Error("inpainting needs an image model; " + model.checkpoint.sourcePath + " draws 2-D points");
    const std::string maskFile = isPresetMask(args.text("mask")) ? std::string() : args.text("mask");
    refuseSharedFiles({{"model", model.path}, {"input", args.text("input")}, {"mask", maskFile},
                       {"schedule", args.text("schedule")}},
                      namedFiles(args, {"out", "npy", "save-mask"}));
    SamplingOptions sampling = samplingOptionsFrom(args);
    sampling.sampler = samplerFrom(args);
    const SamplerConfig config = makeSamplerConfig(sampling, model.sigma0);
    const long long count = args.integerIn("num", 1, kMaxSamplesPerRun);
    const long long index = args.integerIn("index", -1, std::numeric_limits<int>::max());
    const std::string input = args.text("input");
    const torch::Tensor all = openInput(input, shape).data;
    torch::Tensor images;
    if (index >= 0 || all.size(0) == 1) {
        const long long k = index >= 0 ? index : 0;
        if (k >= all.size(0))
            throw Error("--index " + std::to_string(k) + " is beyond the " + std::to_string(all.size(0)) +
                        " images of " + input);
        images = all.slice(0, k, k + 1).expand({count, -1, -1, -1}).contiguous();
    } else {
        images = limitRows(all, count);
    }
    const torch::Tensor mask = openMask(args.text("mask"), shape, config.seed);
    const std::string settings = inpaintSettings(args, model, sampling, config, images.size(0), maskFile);
    if (!args.text("save-mask").empty())
        writeImage(args.text("save-mask"), maskPicture(mask), settings);
    const int64_t generated = (mask > 0.5).sum().item<int64_t>();

    SampleResult result;
    if (generated == 0) {
        spdlog::warn("the mask generates no pixel: the completions are the input itself");
        result.samples = images.clone();
    } else {
        stopOnInterrupt();
        ProgressBar bar("inpaint");
        result = inpaint(*model.net, config, images, mask, progressCallback(bar, nullptr));
        bar.finish();
    }
    const torch::Tensor done = result.samples.to(torch::kCPU);
    const torch::Tensor shown = images * (1 - mask) + kHiddenPixelValue * mask;
    const int cols = static_cast<int>(images.size(0));
    writeImage(args.text("out"), makeGrid(torch::cat({images, shown, done.clamp(0, 1)}), cols), settings);
    if (!args.text("npy").empty())
        writeNpy(args.text("npy"), done.to(torch::kFloat32).contiguous());
    const torch::Tensor mse = maskedMse(done, images, mask);
    // Acceptance figures as `ebm sample --json` has them (null for Langevin, which takes every step,
    // and for a mask that generates nothing, where nothing ran).
    const bool accepts = config.sampler == Sampler::Mala && generated > 0;
    if (args.isSet("json")) {
        Json out{{"model", model.checkpoint.sourcePath},
                 {"input", input},
                 {"index", index},
                 {"sampler", toString(config.sampler)},
                 {"completions", done.size(0)},
                 {"generated_pixels", generated},
                 {"masked_mse", tensorToJson(mse)},
                 {"mean_masked_mse", mse.mean().item<double>()},
                 {"best", mse.argmin().item<int64_t>()},
                 {"worst", mse.argmax().item<int64_t>()},
                 {"mean_acceptance", accepts ? Json(result.meanAcceptance) : Json(nullptr)},
                 {"chain_acceptance", accepts && result.chainAcceptance.defined()
                                          ? tensorToJson(result.chainAcceptance)
                                          : Json(nullptr)},
                 {"stopped", result.stopped}};
        printJsonLine(out);
    }
    if (accepts)
        spdlog::info("mala: {:.1f}% of the proposed steps accepted", 100.0 * result.meanAcceptance);
    spdlog::info("completed {} images ({} pixels generated each, mean masked MSE {:.4g}); wrote {}", done.size(0),
                 generated, mse.mean().item<double>(), args.text("out"));
    return result.stopped ? interruptedExitStatus() : 0;
}

}  // namespace ebm::cli
