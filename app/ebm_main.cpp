// ebm: the command-line face of the engine. Each subcommand parses its options, calls core,
// and prints results for people (progress bar, summaries) or machines (--json, CSV, .npy).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <iostream>
#include <sstream>

#include "cli_args.h"
#include "ebm/checkpoint.h"
#include "ebm/dataset.h"
#include "ebm/error.h"
#include "ebm/png.h"
#include "ebm/runtime.h"
#include "ebm/sampler.h"
#include "ebm/trainer.h"
#include "eval_command.h"
#include "image_files.h"
#include "json_text.h"

using ebm::appkit::CliArgs;
using ebm::appkit::ProgressBar;
using ebm::appkit::jsonString;

namespace {

std::atomic<bool> g_interrupted{false};

void onInterrupt(int)
{
    g_interrupted.store(true);
}

constexpr double kDefaultSigma0 = 0.1;

struct LoadedModel {
    ebm::EnergyNet net;
    ebm::Checkpoint checkpoint;
    double sigma0 = kDefaultSigma0;
};

void addRuntimeOptions(CliArgs& args)
{
    args.option("threads", "0", "intra-op CPU threads (0 = one per core)")
        .option("device", "auto", "auto, cpu or cuda");
}

torch::Device setUpRuntime(const CliArgs& args)
{
    ebm::configureThreads(args.integer("threads"));
    torch::Device device = ebm::chooseDevice(args.text("device"));
    spdlog::debug("running on {}", ebm::describeDevice(device));
    return device;
}

LoadedModel loadModel(const std::string& requested, torch::Device device)
{
    const std::string path = requested.empty() ? ebm::appkit::bundledModelPath() : requested;
    LoadedModel model;
    model.checkpoint = ebm::loadCheckpoint(path);
    model.net = ebm::instantiate(model.checkpoint);
    model.net->to(device);
    model.net->eval();
    if (model.checkpoint.hasTraining)
        model.sigma0 = model.checkpoint.train.noise.sigma0;
    return model;
}

void addModelOption(CliArgs& args)
{
    args.option("model", "", "checkpoint: native .ebm or a reference PyTorch .pt (default: bundled model)");
}

ebm::Dataset openInput(const std::string& spec, const ebm::ModelConfig& model, bool train = false)
{
    if (spec.empty())
        throw ebm::Error("give the images with --input (a .npy file, PNG/JPEG file or folder, "
                         "an MNIST/CIFAR folder, or fashion-mnist)");
    if (!model.isImageModel())
        return ebm::openDataset(spec, train, 0);
    return ebm::appkit::openAnyDataset(spec, model.inChannels, model.imageSize, train);
}

torch::Tensor limitRows(const torch::Tensor& x, long long limit)
{
    return limit > 0 && x.size(0) > limit ? x.slice(0, 0, limit) : x;
}

void saveSampleOutputs(const torch::Tensor& samples, const std::string& png, int cols)
{
    if (samples.dim() != 4)
        return;
    ebm::writePng(png, ebm::makeGrid(samples.clamp(0, 1), cols));
}

// ---------------------------------------------------------------------------------------------
int runTrain(int argc, char** argv)
{
    CliArgs args("train", "Train an energy model with multiscale denoising score matching (MDSM).");
    args.option("data", "fashion-mnist", "data set: fashion-mnist, an MNIST IDX folder, CIFAR-10 batch/folder, "
                                         "image folder, .npy, or toy:NAME (8gaussians, rings, swissroll, moons, checkerboard, spirals)")
        .option("arch", "res12", "res6, res12, res18 or mlp")
        .option("width", "64", "filters of the first layer (ResNets) / hidden width (mlp)")
        .option("layers", "3", "hidden layers (mlp)")
        .option("head", "quadratic", "quadratic (eq. 12) or linear")
        .option("image-size", "32", "image side in pixels (28, 32, 64)")
        .option("channels", "3", "channels of images read from an image folder (1 = gray, 3 = RGB)")
        .option("sigma-min", "0.1", "smallest training noise level")
        .option("sigma-max", "3", "largest training noise level")
        .option("spread", "geometric", "linear, geometric, or single (the one-sigma DSM baseline at sigma-max)")
        .option("sigma0", "0.1", "kernel width sigma0 of eq. 7")
        .option("batch", "128", "batch size")
        .option("steps", "100000", "optimisation steps")
        .option("lr", "1e-4", "learning rate")
        .option("lr-schedule", "cosine", "cosine (decay to --final-lr) or constant")
        .option("final-lr", "1e-6", "learning rate at the end of a cosine schedule")
        .option("beta1", "0.9", "Adam beta1")
        .option("beta2", "0.95", "Adam beta2")
        .option("seed", "1", "random seed (weights, data order, noise)")
        .option("out", "model.ebm", "final checkpoint (also written on Ctrl-C)")
        .option("checkpoint-every", "5000", "write --out every N steps (0 = only at the end)")
        .option("resume", "", "continue a native checkpoint exactly where it stopped")
        .option("init", "", "fine-tune: start from this checkpoint's weights (native or PyTorch .pt) with a "
                            "fresh optimizer and learning-rate schedule; the architecture comes from the file")
        .option("loss-csv", "", "write step,loss,lr per step to this CSV file")
        .option("log-every", "100", "print a log line every N steps when not on a terminal");
    addRuntimeOptions(args);
    if (!args.parse(argc, argv))
        return 0;
    const torch::Device device = setUpRuntime(args);

    std::unique_ptr<ebm::Trainer> trainer;
    ebm::TrainConfig config;
    if (!args.text("resume").empty() && !args.text("init").empty())
        throw ebm::Error("--resume continues a run exactly and --init starts a new one from given weights; use one");
    if (!args.text("resume").empty()) {
        ebm::Checkpoint cp = ebm::loadCheckpoint(args.text("resume"));
        ebm::Dataset data = ebm::appkit::openAnyDataset(cp.train.dataset, cp.model.inChannels, cp.model.imageSize);
        if (args.isSet("steps"))
            cp.train.steps = args.longInteger("steps");
        cp.train.checkpointPath = args.isSet("out") || cp.train.checkpointPath.empty() ? args.text("out") : cp.train.checkpointPath;
        trainer = std::make_unique<ebm::Trainer>(cp, std::move(data), device);
        spdlog::info("resuming {} at step {} of {}", args.text("resume"), cp.step, cp.train.steps);
    } else {
        ebm::ModelConfig model;
        model.arch = ebm::parseArchitecture(args.text("arch"));
        model.head = ebm::parseHead(args.text("head"));
        model.imageSize = args.integer("image-size");
        model.baseWidth = model.hiddenWidth = args.integer("width");
        model.hiddenLayers = args.integer("layers");
        std::optional<ebm::Checkpoint> initial;
        if (!args.text("init").empty()) {
            for (const char* shapeOption : {"arch", "head", "image-size", "width", "layers"})
                if (args.isSet(shapeOption))
                    throw ebm::Error(std::string("--") + shapeOption + " cannot be combined with --init: the "
                                     "architecture comes from " + args.text("init"));
            initial = ebm::loadCheckpoint(args.text("init"));
            model = initial->model;
        }
        config.dataset = args.text("data");
        ebm::Dataset data = model.isImageModel() ? ebm::appkit::openAnyDataset(config.dataset, initial ? model.inChannels : args.integer("channels"), model.imageSize)
                                                 : ebm::openDataset(config.dataset);
        if (model.isImageModel()) {
            if (data.data.dim() != 4)
                throw ebm::Error(config.dataset + ": holds points, not images; " +
                                 (initial ? args.text("init") + " is an image model, so give an image data set"
                                          : std::string("use --arch mlp")));
            model.inChannels = static_cast<int>(data.data.size(1));
            model.imageSize = static_cast<int>(data.data.size(2));
        } else {
            if (data.data.dim() != 2)
                throw ebm::Error(config.dataset + ": holds images; the mlp energy is for points (toy:NAME)");
            model.inputDim = static_cast<int>(data.data.size(1));
        }
        config.noise.sigmaMin = args.real("sigma-min");
        config.noise.sigmaMax = args.real("sigma-max");
        config.noise.spread = ebm::parseNoiseSpread(args.text("spread"));
        config.noise.sigma0 = args.real("sigma0");
        config.batchSize = args.longInteger("batch");
        config.steps = args.longInteger("steps");
        config.learningRate = args.real("lr");
        const std::string lrSchedule = args.text("lr-schedule");
        if (lrSchedule != "cosine" && lrSchedule != "constant")
            throw ebm::Error("--lr-schedule must be cosine or constant");
        config.cosineDecay = lrSchedule == "cosine";
        config.finalLearningRate = args.real("final-lr");
        config.beta1 = args.real("beta1");
        config.beta2 = args.real("beta2");
        config.seed = static_cast<uint64_t>(args.longInteger("seed"));
        config.checkpointEvery = args.longInteger("checkpoint-every");
        config.checkpointPath = args.text("out");
        spdlog::info("training {} on {} ({} items) with {}", model.describe(), config.dataset, data.size(),
                     ebm::describeDevice(device));
        trainer = std::make_unique<ebm::Trainer>(model, config, std::move(data), device);
        if (initial) {
            trainer->startFromWeights(*initial);
            spdlog::info("starting from the weights of {}", args.text("init"));
        }
    }

    std::ofstream lossCsv;
    if (!args.text("loss-csv").empty()) {
        lossCsv.open(args.text("loss-csv"), std::ios::app);
        if (!lossCsv)
            throw ebm::Error(args.text("loss-csv") + ": cannot write the loss CSV");
    }
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    ProgressBar bar("train");
    const long long logEvery = std::max(1LL, args.longInteger("log-every"));
    ebm::TrainProgress last;
    const std::string out = trainer->config().checkpointPath;
    try {
        last = trainer->run(
            [&](const ebm::TrainProgress& p) {
                if (lossCsv)
                    lossCsv << p.step << ',' << p.loss << ',' << p.learningRate << '\n';
                char detail[96];
                std::snprintf(detail, sizeof detail, "step %lld  loss %.4g  %.2f it/s", static_cast<long long>(p.step),
                              p.smoothedLoss, p.stepsPerSecond);
                bar.update(static_cast<double>(p.step) / std::max<int64_t>(1, p.totalSteps), detail, p.etaSeconds);
                if (p.step % logEvery == 0)
                    spdlog::info("step {}/{} loss {:.5g} (smoothed {:.5g}) lr {:.3g} {:.2f} it/s ETA {}", p.step,
                                 p.totalSteps, p.loss, p.smoothedLoss, p.learningRate, p.stepsPerSecond,
                                 ebm::appkit::formatDuration(p.etaSeconds));
                return true;
            },
            &g_interrupted);
    } catch (const ebm::Error&) {
        bar.finish();
        spdlog::error("training stopped at step {}; {} keeps the last good checkpoint", trainer->completedSteps(), out);
        throw;
    }
    bar.finish();
    trainer->saveCheckpoint(out);
    spdlog::info("{} after {} steps (loss {:.5g}): wrote {}", g_interrupted ? "interrupted" : "finished",
                 trainer->completedSteps(), last.smoothedLoss, out);
    return g_interrupted ? 130 : 0;
}

// ---------------------------------------------------------------------------------------------
void addSamplingOptions(CliArgs& args)
{
    args.option("schedule", "paper", "paper (2700-step exponential), paper-linear, or quick")
        .option("steps", "0", "schedule length (0 = the preset's own: 2700 for paper, 300 for quick)")
        .option("step-size", "0.02", "Langevin step size eps")
        .option("seed", "1", "random seed")
        .option("every", "10", "record the trace every N steps")
        .flag("no-denoise", "skip the final denoising jump (eq. 9)")
        .flag("reference-inpaint-noise", "use the reference code's 0.1*T^(1/4) noise on known pixels");
}

ebm::SamplerConfig samplerConfigFrom(const CliArgs& args, const LoadedModel& model)
{
    ebm::SamplerConfig config;
    config.schedule = ebm::Schedule::preset(args.text("schedule"), args.integer("steps"));
    config.stepSize = args.real("step-size");
    config.seed = static_cast<uint64_t>(args.longInteger("seed"));
    config.reportEvery = args.integer("every");
    config.finalDenoise = !args.isSet("no-denoise");
    config.sigma0 = model.sigma0;
    config.referenceInpaintNoise = args.isSet("reference-inpaint-noise");
    return config;
}

ebm::FrameCallback progressCallback(ProgressBar& bar, std::vector<ebm::SampleFrame>* keep)
{
    auto started = std::chrono::steady_clock::now();
    return [&bar, keep, started](const ebm::SampleFrame& f) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const double eta = f.step > 0 ? elapsed * (f.totalSteps - f.step) / f.step : 0.0;
        char detail[80];
        std::snprintf(detail, sizeof detail, "T %.3g  E %.4g", f.temperature, f.energies.mean().item<double>());
        bar.update(static_cast<double>(f.step) / f.totalSteps, detail, eta);
        if (keep)
            keep->push_back(f);
        return !g_interrupted.load();
    };
}

void writeTraceCsv(const std::string& path, const std::vector<ebm::SampleFrame>& frames)
{
    std::ofstream csv(path);
    if (!csv)
        throw ebm::Error(path + ": cannot write the trace CSV");
    csv << "step,temperature,mean_energy,min_energy,max_energy\n";
    for (const auto& f : frames)
        csv << f.step << ',' << f.temperature << ',' << f.energies.mean().item<double>() << ','
            << f.energies.min().item<double>() << ',' << f.energies.max().item<double>() << '\n';
}

int runSample(int argc, char** argv)
{
    CliArgs args("sample", "Draw samples by annealed Langevin dynamics (eq. 8) and the denoising jump (eq. 9).");
    addModelOption(args);
    args.option("num", "64", "number of samples")
        .option("out", "samples.png", "PNG grid of the samples (point models: their .npy, unless --npy names one)")
        .option("cols", "0", "grid columns (0 = near square)")
        .option("npy", "", "also write the raw samples [N, C, H, W] as .npy")
        .option("trace", "", "write step,temperature and energy statistics as CSV")
        .option("start", "", "start from these images (.npy, image folder...) instead of noise");
    addSamplingOptions(args);
    addRuntimeOptions(args);
    if (!args.parse(argc, argv))
        return 0;
    const torch::Device device = setUpRuntime(args);
    LoadedModel model = loadModel(args.text("model"), device);
    ebm::SamplerConfig config = samplerConfigFrom(args, model);
    config.numSamples = args.integer("num");
    torch::Tensor start;
    if (!args.text("start").empty())
        start = limitRows(openInput(args.text("start"), model.net->config()).data, config.numSamples);
    std::signal(SIGINT, onInterrupt);
    ProgressBar bar("sample");
    std::vector<ebm::SampleFrame> frames;
    ebm::SampleResult result = ebm::annealedLangevin(*model.net, config, start, progressCallback(bar, &frames));
    bar.finish();
    if (result.stopped)
        spdlog::warn("interrupted: writing the state reached so far");
    const torch::Tensor samples = result.samples.to(torch::kCPU);
    std::vector<std::string> written;
    std::string npy = args.text("npy");
    if (samples.dim() == 4) {
        saveSampleOutputs(samples, args.text("out"), args.integer("cols"));
        written.push_back(args.text("out"));
    } else if (npy.empty()) {
        // Points (an mlp model) make no picture: keep them as .npy beside the requested output.
        npy = std::filesystem::path(args.text("out")).replace_extension(".npy").string();
    }
    if (!npy.empty()) {
        ebm::writeNpy(npy, samples);
        written.push_back(npy);
    }
    if (!args.text("trace").empty()) {
        writeTraceCsv(args.text("trace"), frames);
        written.push_back(args.text("trace"));
    }
    std::string files;
    for (const std::string& f : written)
        files += (files.empty() ? "" : ", ") + f;
    spdlog::info("{} samples from {} in {} steps; final mean energy {:.4g}; wrote {}", samples.size(0),
                 model.net->config().describe(), config.schedule.size(),
                 result.meanEnergies.empty() ? 0.0 : result.meanEnergies.back(), files);
    return result.stopped ? 130 : 0;
}

// ---------------------------------------------------------------------------------------------
torch::Tensor makeMask(const std::string& spec, const ebm::ModelConfig& model, uint64_t seed)
{
    const int s = model.imageSize;
    torch::Tensor mask = torch::zeros({1, 1, s, s});
    using torch::indexing::Slice;
    if (spec == "right")
        mask.index_put_({Slice(), Slice(), Slice(), Slice(s / 2, s)}, 1);
    else if (spec == "left")
        mask.index_put_({Slice(), Slice(), Slice(), Slice(0, s / 2)}, 1);
    else if (spec == "bottom")
        mask.index_put_({Slice(), Slice(), Slice(s / 2, s), Slice()}, 1);
    else if (spec == "top")
        mask.index_put_({Slice(), Slice(), Slice(0, s / 2), Slice()}, 1);
    else if (spec == "center")
        mask.index_put_({Slice(), Slice(), Slice(s / 4, 3 * s / 4), Slice(s / 4, 3 * s / 4)}, 1);
    else if (spec.rfind("random:", 0) == 0) {
        const double fraction = std::stod(spec.substr(7));
        auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
        mask = (torch::rand({1, 1, s, s}, generator) < fraction).to(torch::kFloat32);
    } else {
        // A mask image: white (> 0.5) marks pixels to generate.
        mask = (ebm::appkit::loadImage(spec, 1, s).unsqueeze(0) > 0.5).to(torch::kFloat32);
    }
    return mask;
}

int runInpaint(int argc, char** argv)
{
    CliArgs args("inpaint", "Fill the masked pixels of images with annealed Langevin sampling; known pixels stay clamped.");
    addModelOption(args);
    args.option("input", "fashion-mnist", "images to complete (default: Fashion-MNIST test images)")
        .option("num", "16", "how many images of the input to complete")
        .option("mask", "right", "right, left, top, bottom, center, random:FRACTION, or a mask PNG (white = generate)")
        .option("out", "inpaint.png", "PNG: rows of originals, masked inputs and completions")
        .option("npy", "", "also write the completions as .npy");
    addSamplingOptions(args);
    addRuntimeOptions(args);
    if (!args.parse(argc, argv))
        return 0;
    const torch::Device device = setUpRuntime(args);
    LoadedModel model = loadModel(args.text("model"), device);
    ebm::SamplerConfig config = samplerConfigFrom(args, model);
    const torch::Tensor images = limitRows(openInput(args.text("input"), model.net->config()).data, args.integer("num"));
    const torch::Tensor mask = makeMask(args.text("mask"), model.net->config(), config.seed);
    std::signal(SIGINT, onInterrupt);
    ProgressBar bar("inpaint");
    ebm::SampleResult result = ebm::inpaint(*model.net, config, images, mask, progressCallback(bar, nullptr));
    bar.finish();
    const torch::Tensor done = result.samples.to(torch::kCPU);
    const torch::Tensor shown = images * (1 - mask) + 0.5 * mask;
    const int cols = static_cast<int>(images.size(0));
    ebm::writePng(args.text("out"), ebm::makeGrid(torch::cat({images, shown, done.clamp(0, 1)}), cols));
    if (!args.text("npy").empty())
        ebm::writeNpy(args.text("npy"), done);
    spdlog::info("completed {} images; wrote {}", images.size(0), args.text("out"));
    return result.stopped ? 130 : 0;
}

// ---------------------------------------------------------------------------------------------
int runEnergy(int argc, char** argv)
{
    CliArgs args("energy", "Energies of images, averaged over noise draws (energies at clean data are not trained).");
    addModelOption(args);
    args.option("input", "", "images: .npy, PNG/JPEG file or folder, MNIST/CIFAR folder, fashion-mnist, toy:NAME")
        .option("noise-std", "0.1", "add N(0, std^2) noise before measuring (sigma0 = 0.1 in the paper); 0 = none")
        .option("draws", "8", "noise draws to average per image")
        .option("seed", "1", "random seed of the noise")
        .option("limit", "0", "only the first N images (0 = all)")
        .flag("test", "use the test split of a data set")
        .flag("json", "print JSON (energies, gradient norms when --noise-std 0, summary)");
    addRuntimeOptions(args);
    if (!args.parse(argc, argv))
        return 0;
    const torch::Device device = setUpRuntime(args);
    LoadedModel model = loadModel(args.text("model"), device);
    const torch::Tensor x = limitRows(openInput(args.text("input"), model.net->config(), !args.isSet("test")).data,
                                      args.longInteger("limit"));
    const double noiseStd = args.real("noise-std");
    const torch::Tensor energies = ebm::measureEnergies(*model.net, x, noiseStd, args.integer("draws"),
                                                        static_cast<uint64_t>(args.longInteger("seed")));
    torch::Tensor gradNorms;
    if (noiseStd == 0.0 && x.size(0) <= 4096) {
        auto eg = ebm::energyAndGrad(*model.net, x.to(device));
        gradNorms = eg.grad.flatten(1).norm(2, 1).to(torch::kCPU);
    }
    const double mean = energies.mean().item<double>();
    const double std = energies.numel() > 1 ? energies.std().item<double>() : 0.0;
    if (args.isSet("json")) {
        std::cout << "{\"model\": " << jsonString(model.checkpoint.sourcePath) << ", \"architecture\": "
                  << jsonString(model.net->config().describe()) << ", \"count\": " << energies.numel()
                  << ", \"noise_std\": " << noiseStd << ", \"draws\": " << (noiseStd > 0 ? args.integer("draws") : 1)
                  << ", \"mean\": " << mean << ", \"std\": " << std << ", \"energies\": ";
        std::cout << ebm::appkit::jsonArray(energies);
        if (gradNorms.defined()) {
            std::cout << ", \"grad_norms\": ";
            std::cout << ebm::appkit::jsonArray(gradNorms);
        }
        std::cout << "}\n";
    } else {
        const int64_t shown = std::min<int64_t>(energies.numel(), 20);
        for (int64_t i = 0; i < shown; ++i)
            std::printf("%6lld  %.6g\n", static_cast<long long>(i), energies[i].item<double>());
        if (shown < energies.numel())
            std::printf("   ... (%lld more; --json prints all)\n", static_cast<long long>(energies.numel() - shown));
        std::printf("mean %.6g  std %.6g  over %lld images\n", mean, std, static_cast<long long>(energies.numel()));
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
int runDenoise(int argc, char** argv)
{
    CliArgs args("denoise", "Denoise images with the single-step jump x - sigma0^2 dE/dx (eq. 9).");
    addModelOption(args);
    args.option("input", "", "images (.npy, PNG/JPEG file or folder, data set)")
        .option("add-noise", "0", "first add N(0, std^2) noise (to demonstrate); 0 = denoise as given")
        .option("num", "16", "at most this many images")
        .option("seed", "1", "random seed of the added noise")
        .option("out", "denoised.png", "PNG: rows of inputs (noisy) and denoised images")
        .option("npy", "", "also write the denoised images as .npy");
    addRuntimeOptions(args);
    if (!args.parse(argc, argv))
        return 0;
    const torch::Device device = setUpRuntime(args);
    LoadedModel model = loadModel(args.text("model"), device);
    torch::Tensor x = limitRows(openInput(args.text("input"), model.net->config()).data, args.integer("num"));
    if (const double std = args.real("add-noise"); std > 0) {
        auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(args.longInteger("seed")));
        x = x + std * at::randn(x.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32));
    }
    const torch::Tensor clean = ebm::denoise(*model.net, x.to(device), model.sigma0).to(torch::kCPU);
    if (x.dim() == 4)
        ebm::writePng(args.text("out"), ebm::makeGrid(torch::cat({x.clamp(0, 1), clean.clamp(0, 1)}),
                                                      static_cast<int>(x.size(0))));
    if (!args.text("npy").empty())
        ebm::writeNpy(args.text("npy"), clean);
    spdlog::info("denoised {} images; wrote {}", x.size(0), args.text("out"));
    return 0;
}

// ---------------------------------------------------------------------------------------------
int runInfo(int argc, char** argv)
{
    CliArgs args("info", "Describe a checkpoint: architecture, parameters and training metadata.");
    addModelOption(args);
    args.flag("json", "print JSON");
    if (!args.parse(argc, argv))
        return 0;
    LoadedModel model = loadModel(args.text("model"), torch::kCPU);
    const auto& cp = model.checkpoint;
    const auto& m = model.net->config();
    const auto& t = cp.train;
    if (args.isSet("json")) {
        std::cout << "{\"file\": " << jsonString(cp.sourcePath) << ", \"format\": " << jsonString(cp.format)
                  << ", \"architecture\": " << jsonString(ebm::toString(m.arch)) << ", \"description\": "
                  << jsonString(m.describe()) << ", \"in_channels\": " << m.inChannels << ", \"base_width\": "
                  << m.baseWidth << ", \"image_size\": " << m.imageSize << ", \"head\": "
                  << jsonString(ebm::toString(m.head)) << ", \"parameters\": " << model.net->parameterCount()
                  << ", \"forward_gflop\": " << ebm::forwardFlops(m) / 1e9;
        if (cp.hasTraining)
            std::cout << ", \"training\": {\"dataset\": " << jsonString(t.dataset) << ", \"step\": " << cp.step
                      << ", \"steps\": " << t.steps << ", \"batch\": " << t.batchSize << ", \"lr\": " << t.learningRate
                      << ", \"sigma_min\": " << t.noise.sigmaMin << ", \"sigma_max\": " << t.noise.sigmaMax
                      << ", \"spread\": " << jsonString(ebm::toString(t.noise.spread)) << ", \"sigma0\": "
                      << t.noise.sigma0 << ", \"seed\": " << t.seed << ", \"final_loss\": "
                      << (cp.lossHistory.empty() ? 0.0 : cp.lossHistory.back()) << "}";
        std::cout << "}\n";
        return 0;
    }
    std::printf("file          %s (%s)\n", cp.sourcePath.c_str(), cp.format.c_str());
    std::printf("architecture  %s\n", m.describe().c_str());
    std::printf("parameters    %lld\n", static_cast<long long>(model.net->parameterCount()));
    std::printf("forward cost  %.4g GFLOP per sample\n", ebm::forwardFlops(m) / 1e9);
    if (cp.hasTraining) {
        std::printf("trained on    %s\n", t.dataset.c_str());
        std::printf("steps         %lld of %lld (batch %lld, lr %g, %s)\n", static_cast<long long>(cp.step),
                    static_cast<long long>(t.steps), static_cast<long long>(t.batchSize), t.learningRate,
                    t.cosineDecay ? "cosine decay" : "constant");
        std::printf("noise         sigma %g..%g %s, sigma0 %g\n", t.noise.sigmaMin, t.noise.sigmaMax,
                    ebm::toString(t.noise.spread).c_str(), t.noise.sigma0);
        if (!cp.lossHistory.empty())
            std::printf("last loss     %.5g (normalised)\n", cp.lossHistory.back());
    } else {
        std::printf("training      no metadata (weights only)\n");
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
struct BenchFigure {
    int width;
    double trainStepsPerSecond, langevinStepsPerSecond, trainGflops, langevinGflops;
};

double timeIt(const std::function<void()>& fn, double minSeconds, int minRepeats)
{
    fn();  // warm-up: allocator, kernels, thread pool
    int repeats = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0.0;
    while (repeats < minRepeats || elapsed < minSeconds) {
        fn();
        ++repeats;
        elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return elapsed / repeats;
}

int runBench(int argc, char** argv)
{
    CliArgs args("bench", "Measure training and Langevin steps per second for Res12 at several widths.");
    args.option("widths", "16,32,64", "comma-separated base widths")
        .option("train-batch", "128", "training batch size")
        .option("langevin-batch", "64", "Langevin batch size")
        .option("seconds", "5", "minimum seconds measured per figure")
        .option("repeats", "3", "minimum timed repetitions per figure")
        .flag("json", "print JSON");
    addRuntimeOptions(args);
    if (!args.parse(argc, argv))
        return 0;
    const torch::Device device = setUpRuntime(args);
    std::vector<int> widths;
    std::stringstream list(args.text("widths"));
    for (std::string item; std::getline(list, item, ',');)
        widths.push_back(std::stoi(item));
    const int64_t trainBatch = args.longInteger("train-batch"), langevinBatch = args.longInteger("langevin-batch");
    constexpr double kTrainForwardEquivalents = 6.0;     // forward, input grad, double backprop
    constexpr double kLangevinForwardEquivalents = 2.0;  // forward and input gradient
    std::vector<BenchFigure> figures;
    for (int width : widths) {
        ebm::ModelConfig model;
        model.baseWidth = width;
        ebm::TrainConfig config;
        config.steps = 1000000;
        config.batchSize = trainBatch;
        ebm::Dataset data;
        data.data = torch::rand({trainBatch, 1, 32, 32});
        ebm::Trainer trainer(model, config, data, device);
        const double trainSeconds = timeIt([&] { trainer.step(); }, args.real("seconds"), args.integer("repeats"));
        ebm::SamplerConfig sampler;
        sampler.schedule = ebm::Schedule(std::vector<double>(10, 1.0));
        sampler.numSamples = langevinBatch;
        sampler.finalDenoise = false;
        sampler.reportEvery = 1000000;
        auto net = trainer.net();
        const double langevinSeconds =
            timeIt([&] { ebm::annealedLangevin(*net, sampler); }, args.real("seconds"), 1) / 10.0;
        const double flops = ebm::forwardFlops(model);
        figures.push_back({width, 1.0 / trainSeconds, 1.0 / langevinSeconds,
                           flops * kTrainForwardEquivalents * trainBatch / trainSeconds / 1e9,
                           flops * kLangevinForwardEquivalents * langevinBatch / langevinSeconds / 1e9});
        const auto& f = figures.back();
        if (!args.isSet("json"))
            std::printf("res12-%-3d train %.3f s/step (%.2f steps/s, %.1f GFLOP/s)   langevin %.4f s/step (%.2f steps/s, %.1f GFLOP/s)\n",
                        width, 1 / f.trainStepsPerSecond, f.trainStepsPerSecond, f.trainGflops,
                        1 / f.langevinStepsPerSecond, f.langevinStepsPerSecond, f.langevinGflops);
    }
    if (args.isSet("json")) {
        std::cout << "{\"device\": " << jsonString(ebm::describeDevice(device)) << ", \"threads\": "
                  << torch::get_num_threads() << ", \"torch\": " << jsonString(TORCH_VERSION)
                  << ", \"train_batch\": " << trainBatch << ", \"langevin_batch\": " << langevinBatch
                  << ", \"results\": [";
        for (size_t i = 0; i < figures.size(); ++i) {
            const auto& f = figures[i];
            std::printf("%s{\"model\": \"res12-%d\", \"train_steps_per_s\": %.4f, \"train_s_per_step\": %.4f, "
                        "\"train_gflops\": %.2f, \"langevin_steps_per_s\": %.4f, \"langevin_s_per_step\": %.5f, "
                        "\"langevin_gflops\": %.2f}",
                        i ? ", " : "", f.width, f.trainStepsPerSecond, 1 / f.trainStepsPerSecond, f.trainGflops,
                        f.langevinStepsPerSecond, 1 / f.langevinStepsPerSecond, f.langevinGflops);
            std::fflush(stdout);
        }
        std::cout << "]}\n";
    }
    return 0;
}

void printUsage()
{
    std::cout << "usage: ebm COMMAND [options]   (ebm COMMAND --help for details)\n\n"
                 "Energy-based models trained with multiscale denoising score matching.\n\n"
                 "commands:\n"
                 "  train     train a model (MDSM) on a data set\n"
                 "  sample    annealed Langevin sampling to a PNG grid, .npy and CSV trace\n"
                 "  inpaint   complete masked images\n"
                 "  energy    energies of images (with sigma0 noise), text or JSON\n"
                 "  denoise   single-step denoising jump\n"
                 "  info      describe a checkpoint\n"
                 "  eval      sample quality (FID-like, IS-like, classes), nearest neighbours, AIS likelihood\n"
                 "  train-classifier  train the feature network that eval uses\n"
                 "  bench     training and sampling speed, text or JSON\n";
}

}  // namespace

int main(int argc, char** argv)
{
    // Logs go to stderr so that --json output on stdout stays machine-readable.
    spdlog::set_default_logger(spdlog::stderr_color_mt("ebm"));
    spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
    ebm::keepFreedMemoryForReuse();
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        printUsage();
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    const std::map<std::string, int (*)(int, char**)> commands{
        {"train", runTrain}, {"sample", runSample}, {"inpaint", runInpaint}, {"energy", runEnergy},
        {"denoise", runDenoise}, {"info", runInfo}, {"bench", runBench},
        {"eval", runEvalCommand}, {"train-classifier", runTrainClassifierCommand}};
    auto it = commands.find(command);
    if (it == commands.end()) {
        std::cerr << "ebm: unknown command '" << command << "'\n";
        printUsage();
        return 2;
    }
    try {
        return it->second(argc - 2, argv + 2);
    } catch (const ebm::Error& e) {
        std::cerr << "ebm " << command << ": " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::string text = e.what();
        std::cerr << "ebm " << command << ": unexpected error: " << text.substr(0, text.find('\n')) << '\n';
        return 1;
    }
}
