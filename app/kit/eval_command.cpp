#include "eval_command.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <unistd.h>
#include <sstream>

#include "cli_args.h"
#include "ebm/checkpoint.h"
#include "ebm/classifier.h"
#include "ebm/dataset.h"
#include "ebm/error.h"
#include "ebm/evaluation.h"
#include "ebm/png.h"
#include "ebm/runtime.h"
#include "ebm/sampler.h"
#include "image_files.h"

using ebm::appkit::CliArgs;
using ebm::appkit::ProgressBar;

namespace {

std::atomic<bool> g_evalInterrupted{false};

void onEvalInterrupt(int) { g_evalInterrupted.store(true); }

constexpr double kDefaultSigma0 = 0.1;
constexpr const char* kClassifierFile = "fashion-mnist-classifier.pt";
constexpr uint64_t kFloorSeed = 12345;  // which training images form the floor set

/// Warnings from the engine (e.g. readNpy on values outside [0, 1]) go through spdlog, whose
/// default logger writes to stdout; these commands keep stdout for the report (JSON with --json).
void routeLogsToStderr()
{
    constexpr const char* kName = "ebm-stderr";
    auto logger = spdlog::get(kName);
    if (!logger) {
        logger = spdlog::stderr_color_mt(kName);
        logger->set_pattern("[%H:%M:%S] %^%l%$ %v");
    }
    logger->set_level(spdlog::default_logger()->level());
    spdlog::set_default_logger(logger);
}

std::string bundledClassifierPath()
{
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("EBM_CLASSIFIER"); env && *env)
        return env;
    for (const fs::path& dir : {fs::path(EBM_INSTALL_DATA_DIR), fs::path(EBM_RESOURCES_DIR)}) {
        std::error_code ec;
        if (fs::exists(dir / "classifier" / kClassifierFile, ec))
            return (dir / "classifier" / kClassifierFile).string();
    }
    return (fs::path(EBM_RESOURCES_DIR) / "classifier" / kClassifierFile).string();
}

std::string jsonString(const std::string& s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) < 0x20)
            continue;
        out += c;
    }
    return out + "\"";
}

std::string num(double v)
{
    if (!std::isfinite(v))
        return "null";
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.9g", v);
    return buffer;
}

std::string jsonArray(const torch::Tensor& values)
{
    torch::Tensor v = values.to(torch::kCPU, torch::kFloat64).contiguous().flatten();
    std::string out = "[";
    for (int64_t i = 0; i < v.numel(); ++i)
        out += (i ? ", " : "") + num(v.data_ptr<double>()[i]);
    return out + "]";
}

std::string jsonArray(const std::vector<int64_t>& values)
{
    std::string out = "[";
    for (size_t i = 0; i < values.size(); ++i)
        out += (i ? ", " : "") + std::to_string(values[i]);
    return out + "]";
}

std::string jsonMatrix(const torch::Tensor& m)
{
    std::string out = "[";
    for (int64_t i = 0; i < m.size(0); ++i)
        out += (i ? ", " : "") + jsonArray(m[i]);
    return out + "]";
}

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty())
            items.push_back(item);
    }
    return items;
}

/// A progress callback for core functions that draws one bar and honours Ctrl-C.
ebm::EvalProgress barCallback(ProgressBar& bar)
{
    auto started = std::chrono::steady_clock::now();
    return [&bar, started](double fraction, const std::string& detail) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        bar.update(fraction, detail, fraction > 0 ? elapsed * (1 - fraction) / fraction : -1.0);
        return !g_evalInterrupted.load();
    };
}

struct Model {
    ebm::EnergyNet net;
    ebm::Checkpoint checkpoint;
    double sigma0 = kDefaultSigma0;
    std::string path;
};

Model loadModel(const std::string& requested, torch::Device device)
{
    Model model;
    model.path = requested.empty() ? ebm::appkit::bundledModelPath() : requested;
    model.checkpoint = ebm::loadCheckpoint(model.path);
    model.net = ebm::instantiate(model.checkpoint);
    model.net->to(device);
    model.net->eval();
    if (model.checkpoint.hasTraining)
        model.sigma0 = model.checkpoint.train.noise.sigma0;
    if (!model.net->config().isImageModel())
        throw ebm::Error(model.path + ": holds a point (mlp) model; ebm eval measures image models");
    return model;
}

torch::Tensor randomRows(const torch::Tensor& data, int64_t count, uint64_t seed)
{
    if (count >= data.size(0))
        return data;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const torch::Tensor order = at::randperm(data.size(0), generator).slice(0, 0, count);
    return data.index_select(0, order);
}

// ---------------------------------------------------------------------------------------------
struct QualityFigures {
    std::string extractor;
    int64_t referenceCount = 0, floorCount = 0;
    bool haveFid = false, haveIs = false;
    double fid = 0.0, fidFloor = 0.0;
    ebm::InceptionScore is, isReal;
    ebm::ClassHistogram classes, classesReal;
};

struct NeighbourFigures {
    std::string png;
    std::vector<int64_t> queries;
    ebm::Neighbours neighbours;
};

struct AisFigures {
    bool forward = false, reverse = false;
    ebm::AisConfig config;
    ebm::AisResult forwardResult, reverseResult;
    ebm::DensitySummary forwardDensity, reverseDensity, reversePooledDensity;
    int64_t images = 0, dims = 0;
    double noise = 0.0;
    double seconds = 0.0;
};

void printAisConfigText(const AisFigures& a)
{
    std::printf("  transition %s%s, %d intermediate distributions (%s beta schedule), step %g%s\n",
                ebm::toString(a.config.transition).c_str(),
                a.config.transition == ebm::AisTransition::Hmc
                    ? (" with " + std::to_string(a.config.leapfrogSteps) + " leapfrog steps").c_str()
                    : "",
                a.config.steps, ebm::toString(a.config.schedule).c_str(), a.config.stepSize,
                a.config.adaptStepSize && a.config.transition != ebm::AisTransition::Ula ? " (adapted)" : "");
    std::printf("  base N(test mean, %.4g^2 I); target exp(-E(x)/%g)/Z; %lld test images, %lld dimensions, pixels in [0, 1]%s\n",
                a.config.baseStd, a.config.temperature, static_cast<long long>(a.images),
                static_cast<long long>(a.dims), a.noise > 0 ? (", plus N(0, " + num(a.noise) + "^2) noise").c_str() : "");
}

std::string aisResultJson(const ebm::AisResult& r, const ebm::DensitySummary& d)
{
    std::ostringstream out;
    out << "{\"log_z\": " << num(r.logZ) << ", \"log_z_stderr\": " << num(r.logZStdErr)
        << ", \"log_z_chain_mean\": " << num(r.chainLogZ.mean().item<double>()) << ", \"log_z0\": " << num(r.logZ0)
        << ", \"chains\": " << r.chainLogZ.numel() << ", \"log_weight_std\": " << num(r.logWeightStd)
        << ", \"effective_sample_size\": " << num(r.effectiveSampleSize) << ", \"acceptance\": " << num(r.acceptance)
        << ", \"final_step_size\": " << num(r.finalStepSize) << ", \"mean_log_density\": " << num(d.meanLogDensity)
        << ", \"std_log_density\": " << num(d.stdLogDensity) << ", \"bits_per_dim\": " << num(d.bitsPerDim)
        << ", \"bits_per_dim_std\": " << num(d.bitsPerDimStd) << ", \"bits_per_dim_stderr\": " << num(d.bitsPerDimStdErr)
        << "}";
    return out.str();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
int runEvalCommand(int argc, char** argv)
{
    CliArgs args("eval", "Evaluate an energy model or a file of samples: Frechet distance and inception-like score "
                         "in a classifier's feature space, class histogram, nearest training neighbours, and "
                         "log-likelihood by annealed importance sampling. See docs/evaluation.md.");
    args.option("model", "", "checkpoint to sample from and for ais (default: bundled model)")
        .option("samples", "", "evaluate these samples (.npy [N, C, H, W] in [0, 1], image folder...) instead of sampling")
        .option("num", "256", "samples to draw when --samples is not given")
        .option("schedule", "quick", "sampling schedule: quick, paper or paper-linear")
        .option("steps", "300", "sampling schedule length (0 = the preset's own)")
        .option("step-size", "0.02", "Langevin step size for sampling")
        .option("sample-batch", "256", "samples drawn at once")
        .option("seed", "1", "random seed of sampling")
        .option("save-samples", "", "write the drawn samples as .npy")
        .option("what", "fid,is,nn", "comma-separated: fid, is (with the class histogram), nn, ais")
        .option("data", "fashion-mnist", "reference data set: test split = FID reference and AIS images; "
                                         "train split = floor set and neighbours")
        .option("reference-limit", "0", "use at most this many test images as the reference (0 = all)")
        .option("classifier", "", "ebm classifier file for features (default: bundled Fashion-MNIST classifier)")
        .option("features", "", "TorchScript feature extractor instead of the classifier (forward -> [N, D] "
                                "or (features, logits))")
        .option("feature-size", "0", "resize images to this square size for --features (e.g. 299; 0 = keep)")
        .option("feature-channels", "0", "3 replicates gray to RGB for --features, 1 averages to gray (0 = keep)")
        .flag("feature-signed", "feed --features images in [-1, 1] instead of [0, 1]")
        .option("splits", "1", "inception-like score: also report mean and std over this many splits")
        .option("nn-count", "8", "nn: samples whose neighbours are shown (the first ones)")
        .option("nn-k", "8", "nn: neighbours per sample")
        .option("nn-out", "neighbours.png", "nn: PNG grid, one row per sample: the sample, then its neighbours")
        .option("ais", "forward,reverse", "ais directions: forward (from the Gaussian), reverse (from test images)")
        .option("ais-images", "32", "test images whose log density is estimated (reverse: one chain each)")
        .option("ais-chains", "32", "forward AIS chains")
        .option("ais-steps", "1000", "intermediate distributions K")
        .option("ais-schedule", "sigmoid", "beta spacing: sigmoid, geometric or linear")
        .option("ais-transition", "hmc", "hmc or mala (Metropolis-corrected), or ula (unadjusted Langevin, biased)")
        .option("ais-leapfrog", "5", "leapfrog steps per HMC update")
        .option("ais-step-size", "0.01", "initial leapfrog/Langevin step (pixel units); adapted for hmc/mala")
        .option("ais-base-std", "0", "std of the isotropic Gaussian base (0 = the pixel std of the test images)")
        .option("ais-noise", "0", "add N(0, std^2) noise to the test images first (e.g. sigma0 = 0.1)")
        .option("temperature", "1", "target density exp(-E/T)/Z; 1 is the model's own density")
        .option("ais-seed", "1", "random seed of AIS")
        .flag("json", "print JSON instead of text");
    args.option("threads", "0", "intra-op CPU threads (0 = one per core)").option("device", "auto", "auto, cpu or cuda");
    if (!args.parse(argc, argv))
        return 0;
    routeLogsToStderr();
    ebm::configureThreads(args.integer("threads"));
    const torch::Device device = ebm::chooseDevice(args.text("device"));

    std::set<std::string> what;
    for (const auto& item : splitList(args.text("what"))) {
        if (item != "fid" && item != "is" && item != "nn" && item != "ais")
            throw ebm::Error("--what: unknown item '" + item + "'; use fid, is, nn, ais");
        what.insert(item);
    }
    if (what.empty())
        throw ebm::Error("--what names nothing to measure; use fid, is, nn, ais");
    // AIS options are checked before any data is loaded.
    AisFigures ais;
    if (what.count("ais")) {
        for (const auto& d : splitList(args.text("ais"))) {
            if (d == "forward")
                ais.forward = true;
            else if (d == "reverse")
                ais.reverse = true;
            else
                throw ebm::Error("--ais: unknown direction '" + d + "'; use forward, reverse or both");
        }
        if (!ais.forward && !ais.reverse)
            throw ebm::Error("--ais names no direction; use forward, reverse or both");
        ebm::AisConfig& c = ais.config;
        c.steps = args.integer("ais-steps");
        c.schedule = ebm::parseBetaSchedule(args.text("ais-schedule"));
        c.transition = ebm::parseAisTransition(args.text("ais-transition"));
        c.leapfrogSteps = args.integer("ais-leapfrog");
        c.stepSize = args.real("ais-step-size");
        c.temperature = args.real("temperature");
        c.chains = args.longInteger("ais-chains");
        c.seed = static_cast<uint64_t>(args.longInteger("ais-seed"));
        c.targetAcceptance = c.transition == ebm::AisTransition::Mala ? 0.57 : 0.65;
        ais.noise = args.real("ais-noise");
        if (ais.noise < 0)
            throw ebm::Error("--ais-noise must be non-negative");
        if (c.steps < 1 || c.chains < 1 || args.longInteger("ais-images") < 1)
            throw ebm::Error("--ais-steps, --ais-chains and --ais-images must be positive");
        if (!(c.stepSize > 0) || !(c.temperature > 0))
            throw ebm::Error("--ais-step-size and --temperature must be positive");
    }
    std::signal(SIGINT, onEvalInterrupt);
    std::signal(SIGTERM, onEvalInterrupt);
    const bool json = args.isSet("json");
    const auto started = std::chrono::steady_clock::now();

    // The model, when one is needed, fixes the image size and channels of the reference data.
    const bool needSamples = what.count("fid") || what.count("is") || what.count("nn");
    Model model;
    if (what.count("ais") || (needSamples && args.text("samples").empty()))
        model = loadModel(args.text("model"), device);

    // Reference data: test split always; train split for the floor and neighbours.
    const std::string dataSpec = args.text("data");
    const int wantChannels = model.net ? model.net->config().inChannels : 0;
    const int wantSize = model.net ? model.net->config().imageSize : 32;
    ebm::Dataset test = ebm::appkit::openAnyDataset(dataSpec, wantChannels, wantSize, false);
    if (test.data.dim() != 4)
        throw ebm::Error(dataSpec + ": holds points, not images");
    if (args.longInteger("reference-limit") > 0)
        test.data = randomRows(test.data, args.longInteger("reference-limit"), kFloorSeed);
    const int channels = static_cast<int>(test.data.size(1)), size = static_cast<int>(test.data.size(2));

    // Samples: from a file or drawn from the model.
    torch::Tensor samples;
    std::string samplesSource;
    if (needSamples) {
        if (!args.text("samples").empty()) {
            samples = ebm::appkit::openAnyDataset(args.text("samples"), channels, size, false).data;
            samplesSource = args.text("samples");
        } else {
            Model& m = model;
            if (m.net->config().inChannels != channels || m.net->config().imageSize != size)
                throw ebm::Error(m.path + ": the model makes " + m.net->config().describe() + " images but " +
                                 dataSpec + " holds " + std::to_string(channels) + "x" + std::to_string(size) + "x" +
                                 std::to_string(size) + " ones");
            ebm::SamplerConfig config;
            config.schedule = ebm::Schedule::preset(args.text("schedule"), args.integer("steps"));
            config.stepSize = args.real("step-size");
            config.sigma0 = m.sigma0;
            config.reportEvery = 10;
            const int64_t total = args.longInteger("num"), batch = std::max<int64_t>(1, args.longInteger("sample-batch"));
            if (total < 2)
                throw ebm::Error("--num: draw at least two samples");
            ProgressBar bar("sample");
            std::vector<torch::Tensor> parts;
            const auto t0 = std::chrono::steady_clock::now();
            for (int64_t begin = 0; begin < total; begin += batch) {
                config.numSamples = std::min(batch, total - begin);
                config.seed = static_cast<uint64_t>(args.longInteger("seed")) + static_cast<uint64_t>(begin / batch);
                auto result = ebm::annealedLangevin(*m.net, config, {}, [&](const ebm::SampleFrame& f) {
                    const double fraction = (begin + config.numSamples * double(f.step) / f.totalSteps) / total;
                    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                    char detail[64];
                    std::snprintf(detail, sizeof detail, "T %.3g", f.temperature);
                    bar.update(fraction, detail, fraction > 0 ? elapsed * (1 - fraction) / fraction : -1);
                    return !g_evalInterrupted.load();
                });
                if (result.stopped)
                    throw ebm::Cancelled();
                parts.push_back(result.samples.to(torch::kCPU));
            }
            bar.finish();
            samples = torch::cat(parts);
            samplesSource = m.path + " (" + std::to_string(total) + " samples, " + args.text("schedule") + " schedule, " +
                            std::to_string(config.schedule.size()) + " steps)";
            if (!args.text("save-samples").empty())
                ebm::writeNpy(args.text("save-samples"), samples);
        }
        if (samples.dim() != 4 || samples.size(1) != channels || samples.size(2) != size || samples.size(3) != size)
            throw ebm::Error("the samples do not match the reference images (" + std::to_string(channels) + "x" +
                             std::to_string(size) + "x" + std::to_string(size) + ")");
        if (samples.size(0) < 2)
            throw ebm::Error("evaluate at least two samples");
        if (!samples.isfinite().all().item<bool>())
            throw ebm::Error("the samples hold NaN or infinite values");
        // Langevin samples may overshoot [0, 1]; they are shown and compared as images.
        samples = samples.clamp(0.0, 1.0);
    }
    ebm::Dataset train;
    if (what.count("fid") || what.count("is") || what.count("nn")) {
        train = ebm::appkit::openAnyDataset(dataSpec, channels, size, true);
        if (train.data.dim() != 4 || train.data.size(1) != channels || train.data.size(2) != size)
            throw ebm::Error(dataSpec + ": the training split does not match the test split's image size");
    }

    // Sample quality in feature space.
    QualityFigures quality;
    if (what.count("fid") || what.count("is")) {
        std::unique_ptr<ebm::FeatureExtractor> extractor;
        if (!args.text("features").empty()) {
            ebm::TorchScriptOptions options;
            options.inputSize = args.integer("feature-size");
            options.channels = args.integer("feature-channels");
            options.signedRange = args.isSet("feature-signed");
            options.device = device;
            extractor = ebm::loadTorchScriptFeatures(args.text("features"), options);
        } else {
            const std::string path = args.text("classifier").empty() ? bundledClassifierPath() : args.text("classifier");
            ebm::LoadedClassifier c = ebm::loadClassifier(path);
            char description[256];
            std::snprintf(description, sizeof description, "classifier %s (%s%s)", path.c_str(),
                          c.net->config().describe().c_str(),
                          c.info.testAccuracy > 0 ? (", test accuracy " + num(100 * c.info.testAccuracy) + "%").c_str() : "");
            extractor = ebm::classifierFeatures(c.net, description, device);
        }
        quality.extractor = extractor->describe();
        const torch::Tensor floorSet = randomRows(train.data, samples.size(0), kFloorSeed);
        quality.floorCount = floorSet.size(0);
        quality.referenceCount = test.size();
        ProgressBar bar("features");
        auto progress = barCallback(bar);
        const int64_t totalRows = samples.size(0) + floorSet.size(0) + test.size();
        auto part = [&](int64_t offset, int64_t rows) {
            return [&, offset, rows](double f, const std::string& d) {
                return progress((offset + f * rows) / totalRows, d);
            };
        };
        ebm::FeatureBatch fs = ebm::extractFeatures(*extractor, samples, 256, part(0, samples.size(0)));
        ebm::FeatureBatch ff = ebm::extractFeatures(*extractor, floorSet, 256, part(samples.size(0), floorSet.size(0)));
        ebm::FeatureBatch ft = what.count("fid")
                                   ? ebm::extractFeatures(*extractor, test.data, 256,
                                                          part(samples.size(0) + floorSet.size(0), test.size()))
                                   : ebm::FeatureBatch{};
        bar.finish();
        if (what.count("fid")) {
            const ebm::GaussianStats reference = ebm::gaussianStats(ft.features);
            quality.fid = ebm::frechetDistance(ebm::gaussianStats(fs.features), reference);
            quality.fidFloor = ebm::frechetDistance(ebm::gaussianStats(ff.features), reference);
            quality.haveFid = true;
        }
        if (what.count("is")) {
            if (!fs.probabilities.defined())
                throw ebm::Error(quality.extractor + " gives no class logits; the inception-like score needs a "
                                                     "classifier (drop 'is' from --what)");
            quality.is = ebm::inceptionScore(fs.probabilities, args.integer("splits"));
            quality.isReal = ebm::inceptionScore(ff.probabilities, args.integer("splits"));
            quality.classes = ebm::classHistogram(fs.probabilities);
            quality.classesReal = ebm::classHistogram(ff.probabilities);
            quality.haveIs = true;
        }
    }

    // Nearest training neighbours (appendix C).
    NeighbourFigures nn;
    if (what.count("nn")) {
        const int64_t count = std::min<int64_t>(std::max<int64_t>(1, args.longInteger("nn-count")), samples.size(0));
        const torch::Tensor queries = samples.slice(0, 0, count);
        ProgressBar bar("neighbours");
        nn.neighbours = ebm::nearestNeighbours(queries, train.data, args.integer("nn-k"), 4096, barCallback(bar));
        bar.finish();
        nn.png = args.text("nn-out");
        ebm::writePng(nn.png, ebm::neighbourGrid(queries, train.data, nn.neighbours));
        for (int64_t i = 0; i < count; ++i)
            nn.queries.push_back(i);
    }

    // Log-likelihood by AIS.
    if (what.count("ais")) {
        Model& m = model;
        if (m.net->config().inChannels != channels || m.net->config().imageSize != size)
            throw ebm::Error(m.path + ": the model's " + m.net->config().describe() + " input does not match " + dataSpec);
        const auto t0 = std::chrono::steady_clock::now();
        torch::Tensor images = randomRows(test.data, std::max<int64_t>(1, args.longInteger("ais-images")), kFloorSeed);
        if (ais.noise > 0) {
            auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(args.longInteger("ais-seed")) + 7);
            images = images + ais.noise * at::randn(images.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32));
        }
        ais.images = images.size(0);
        ais.dims = images[0].numel();
        ebm::AisConfig& c = ais.config;
        const torch::Tensor pixelMean = test.data.mean(0);
        c.baseMean = pixelMean;
        c.baseStd = args.real("ais-base-std") > 0 ? args.real("ais-base-std")
                                                  : (test.data - pixelMean).pow(2).mean().sqrt().item<double>();
        const double directions = (ais.forward ? 1 : 0) + (ais.reverse ? 1 : 0);
        ProgressBar bar("ais");
        auto progress = barCallback(bar);
        double offset = 0.0;
        auto scaled = [&](double f, const std::string& d) { return progress((offset + f) / directions, d); };
        const torch::Tensor energies = ebm::measureEnergies(*m.net, images, 0.0);
        if (ais.forward) {
            ais.forwardResult = ebm::forwardAis(*m.net, c, scaled);
            ais.forwardDensity = ebm::summariseDensity(energies, torch::full({1}, ais.forwardResult.logZ, torch::kFloat64), c.temperature, ais.dims);
            offset += 1.0;
        }
        if (ais.reverse) {
            ais.reverseResult = ebm::reverseAis(*m.net, images.to(device), c, scaled);
            ais.reverseDensity = ebm::summariseDensity(ais.reverseResult.startEnergies, ais.reverseResult.chainLogZ,
                                                       c.temperature, ais.dims);
            ais.reversePooledDensity = ebm::summariseDensity(
                ais.reverseResult.startEnergies, torch::full({1}, ais.reverseResult.logZ, torch::kFloat64), c.temperature, ais.dims);
        }
        bar.finish();
        ais.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    // ---- output
    if (json) {
        std::ostringstream out;
        out << "{\"data\": " << jsonString(dataSpec);
        if (model.net)
            out << ", \"model\": " << jsonString(model.path) << ", \"architecture\": "
                << jsonString(model.net->config().describe()) << ", \"sigma0\": " << num(model.sigma0);
        if (samples.defined())
            out << ", \"samples\": {\"source\": " << jsonString(samplesSource) << ", \"count\": " << samples.size(0) << "}";
        if (!quality.extractor.empty())
            out << ", \"features\": " << jsonString(quality.extractor);
        if (quality.haveFid)
            out << ", \"fid\": {\"value\": " << num(quality.fid) << ", \"floor\": " << num(quality.fidFloor)
                << ", \"reference\": " << jsonString("test split, " + std::to_string(quality.referenceCount) + " images")
                << ", \"floor_set\": " << jsonString(std::to_string(quality.floorCount) + " random training images") << "}";
        if (quality.haveIs) {
            out << ", \"is\": {\"value\": " << num(quality.is.score) << ", \"split_mean\": " << num(quality.is.splitMean)
                << ", \"split_std\": " << num(quality.is.splitStd) << ", \"splits\": " << quality.is.splits
                << ", \"real\": " << num(quality.isReal.score) << "}";
            out << ", \"classes\": {\"counts\": " << jsonArray(quality.classes.counts) << ", \"covered\": "
                << quality.classes.covered << ", \"total_variation\": " << num(quality.classes.totalVariation)
                << ", \"entropy_ratio\": " << num(quality.classes.entropyRatio)
                << ", \"real_counts\": " << jsonArray(quality.classesReal.counts)
                << ", \"real_total_variation\": " << num(quality.classesReal.totalVariation) << "}";
        }
        if (what.count("nn"))
            out << ", \"nn\": {\"png\": " << jsonString(nn.png) << ", \"queries\": " << jsonArray(nn.queries)
                << ", \"indices\": " << jsonMatrix(nn.neighbours.indices)
                << ", \"distances\": " << jsonMatrix(nn.neighbours.distances) << "}";
        if (what.count("ais")) {
            const auto& c = ais.config;
            out << ", \"ais\": {\"transition\": " << jsonString(ebm::toString(c.transition)) << ", \"leapfrog\": "
                << c.leapfrogSteps << ", \"steps\": " << c.steps << ", \"schedule\": "
                << jsonString(ebm::toString(c.schedule)) << ", \"base_std\": " << num(c.baseStd)
                << ", \"temperature\": " << num(c.temperature) << ", \"images\": " << ais.images
                << ", \"dims\": " << ais.dims << ", \"noise\": " << num(ais.noise)
                << ", \"pixel_scale\": \"[0, 1]\", \"seconds\": " << num(ais.seconds);
            if (ais.forward)
                out << ", \"forward\": " << aisResultJson(ais.forwardResult, ais.forwardDensity);
            if (ais.forward && ais.reverse)
                out << ", \"log_z_gap\": " << num(ais.reverseResult.logZ - ais.forwardResult.logZ);
            if (ais.reverse)
                out << ", \"reverse\": " << aisResultJson(ais.reverseResult, ais.reverseDensity)
                    << ", \"reverse_pooled\": {\"bits_per_dim\": " << num(ais.reversePooledDensity.bitsPerDim)
                    << ", \"mean_log_density\": " << num(ais.reversePooledDensity.meanLogDensity) << "}";
            out << "}";
        }
        out << ", \"seconds\": " << num(seconds) << "}\n";
        std::cout << out.str();
        return 0;
    }

    if (model.net)
        std::printf("model       %s (%s, sigma0 %g)\n", model.path.c_str(), model.net->config().describe().c_str(),
                    model.sigma0);
    if (samples.defined())
        std::printf("samples     %s\n", samplesSource.c_str());
    if (!quality.extractor.empty())
        std::printf("features    %s\n", quality.extractor.c_str());
    if (quality.haveFid)
        std::printf("FID-like    %.4g   (floor: %lld training images vs the %lld test images: %.4g)\n", quality.fid,
                    static_cast<long long>(quality.floorCount), static_cast<long long>(quality.referenceCount),
                    quality.fidFloor);
    if (quality.haveIs) {
        std::printf("IS-like     %.4g", quality.is.score);
        if (quality.is.splits > 1)
            std::printf("   (%d splits: %.4g +- %.3g)", quality.is.splits, quality.is.splitMean, quality.is.splitStd);
        std::printf("   (real training images: %.4g)\n", quality.isReal.score);
        std::printf("classes     %d of %zu covered; counts", quality.classes.covered, quality.classes.counts.size());
        for (int64_t c : quality.classes.counts)
            std::printf(" %lld", static_cast<long long>(c));
        std::printf("; TV from uniform %.3g (real %.3g)\n", quality.classes.totalVariation,
                    quality.classesReal.totalVariation);
    }
    if (what.count("nn")) {
        std::printf("neighbours  wrote %s (each row: a sample, then its %lld nearest training images in L2)\n",
                    nn.png.c_str(), static_cast<long long>(nn.neighbours.indices.size(1)));
        for (int64_t i = 0; i < nn.neighbours.indices.size(0); ++i)
            std::printf("            sample %lld: nearest #%lld at distance %.4g\n", static_cast<long long>(i),
                        static_cast<long long>(nn.neighbours.indices[i][0].item<int64_t>()),
                        nn.neighbours.distances[i][0].item<double>());
    }
    if (what.count("ais")) {
        std::printf("AIS log-likelihood (%s)\n", ebm::appkit::formatDuration(ais.seconds).c_str());
        printAisConfigText(ais);
        const double natsPerBit = static_cast<double>(ais.dims) * std::log(2.0);
        auto logZLine = [&](const char* name, const ebm::AisResult& r, const char* bound) {
            std::printf("  %-8s log Z %.2f (%s), mean of chains %.2f; log-weight std %.3g (%.3g bits/dim), ESS %.1f of "
                        "%lld, acceptance %.2f\n",
                        name, r.logZ, bound, r.chainLogZ.mean().item<double>(), r.logWeightStd,
                        r.logWeightStd / natsPerBit, r.effectiveSampleSize, static_cast<long long>(r.chainLogZ.numel()),
                        r.acceptance);
        };
        if (ais.forward) {
            const auto& d = ais.forwardDensity;
            logZLine("forward", ais.forwardResult, "stochastic lower bound");
            std::printf("           %.4f bits/dim (+- %.3g over images, stderr %.2g): optimistic\n", d.bitsPerDim,
                        d.bitsPerDimStd, d.bitsPerDimStdErr);
        }
        if (ais.reverse) {
            const auto& d = ais.reverseDensity;
            logZLine("reverse", ais.reverseResult, "upper bound if the test images were model samples");
            std::printf("           %.4f bits/dim (+- %.3g over images, stderr %.2g): the paper's convention, mean of "
                        "per-chain log densities; with the pooled log Z %.4f bits/dim\n",
                        d.bitsPerDim, d.bitsPerDimStd, d.bitsPerDimStdErr, ais.reversePooledDensity.bitsPerDim);
        }
        if (ais.forward && ais.reverse) {
            const double gap = ais.reverseResult.logZ - ais.forwardResult.logZ;
            std::printf("  gap      reverse - forward log Z = %.3g nats = %.3g bits/dim%s\n", gap,
                        gap / natsPerBit,
                        gap < 0 ? ": the estimates cross, so the test images are not typical model samples and reverse "
                                  "AIS bounds nothing here"
                                : "");
        }
        for (const ebm::AisResult* r : {ais.forward ? &ais.forwardResult : nullptr,
                                        ais.reverse ? &ais.reverseResult : nullptr})
            if (r && r->effectiveSampleSize < std::max(2.0, 0.1 * static_cast<double>(r->chainLogZ.numel()))) {
                std::printf("  note     a few chains carry the %s weights: the pooled log Z rests on them; more "
                            "--ais-steps narrow the log-weight spread\n",
                            r->reverse ? "reverse" : "forward");
            }
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
int runTrainClassifierCommand(int argc, char** argv)
{
    CliArgs args("train-classifier", "Train the small CNN classifier whose features and predictions ebm eval uses "
                                     "(Frechet distance, inception-like score, class histogram).");
    args.option("data", "fashion-mnist", "labelled data set (MNIST-layout folder, CIFAR-10, fashion-mnist)")
        .option("image-size", "32", "image side (multiple of 8)")
        .option("widths", "16,32,64", "channels of the three conv blocks")
        .option("features", "128", "size of the feature (penultimate) layer")
        .option("epochs", "6", "passes over the training split")
        .option("batch", "128", "batch size")
        .option("lr", "2e-3", "Adam learning rate (cosine decay)")
        .option("final-lr", "1e-5", "learning rate at the end")
        .option("shift", "2", "random translations by up to this many pixels (0 = none)")
        .flag("no-flip", "no random horizontal flips")
        .option("limit", "0", "train on the first N images only (0 = all)")
        .option("seed", "1", "random seed")
        .option("out", "classifier.pt", "where to write the classifier")
        .flag("json", "print JSON");
    args.option("threads", "0", "intra-op CPU threads (0 = one per core)").option("device", "auto", "auto, cpu or cuda");
    if (!args.parse(argc, argv))
        return 0;
    routeLogsToStderr();
    ebm::configureThreads(args.integer("threads"));
    const torch::Device device = ebm::chooseDevice(args.text("device"));
    const int imageSize = args.integer("image-size");
    ebm::Dataset train = ebm::appkit::openAnyDataset(args.text("data"), 0, imageSize, true);
    if (train.data.dim() != 4)
        throw ebm::Error(args.text("data") + ": holds points, not images");
    if (!train.labels.defined() || train.labels.numel() != train.size())
        throw ebm::Error(args.text("data") + ": has no labels; the classifier needs a labelled data set");
    if (args.longInteger("limit") > 0 && args.longInteger("limit") < train.size()) {
        train.data = train.data.slice(0, 0, args.longInteger("limit"));
        train.labels = train.labels.slice(0, 0, args.longInteger("limit"));
    }
    ebm::ClassifierConfig config;
    config.inChannels = static_cast<int>(train.data.size(1));
    config.imageSize = imageSize;
    config.widths.clear();
    for (const auto& w : splitList(args.text("widths"))) {
        try {
            config.widths.push_back(std::stoi(w));
        } catch (const std::logic_error&) {
            throw ebm::Error("--widths needs three whole numbers such as 16,32,64");
        }
    }
    if (config.widths.size() != 3)
        throw ebm::Error("--widths needs three whole numbers such as 16,32,64");
    config.featureDim = args.integer("features");
    config.numClasses = std::max<int>(2, static_cast<int>(train.labels.max().item<int64_t>()) + 1);
    ebm::Classifier net(config);
    net->to(device);

    ebm::ClassifierTrainConfig tc;
    tc.epochs = args.integer("epochs");
    tc.batchSize = args.longInteger("batch");
    tc.learningRate = args.real("lr");
    tc.finalLearningRate = args.real("final-lr");
    tc.randomShift = args.integer("shift");
    tc.randomFlip = !args.isSet("no-flip");
    tc.seed = static_cast<uint64_t>(args.longInteger("seed"));
    // Log lines go to stderr: stdout is reserved for the report (JSON with --json).
    std::fprintf(stderr, "training classifier %s (%lld parameters) on %s (%lld images), %s\n",
                 config.describe().c_str(), static_cast<long long>(net->parameterCount()), args.text("data").c_str(),
                 static_cast<long long>(train.size()), ebm::describeDevice(device).c_str());

    std::signal(SIGINT, onEvalInterrupt);
    std::signal(SIGTERM, onEvalInterrupt);
    ProgressBar bar("classifier");
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t logEvery = 100;
    const bool onTerminal = ::isatty(STDERR_FILENO) != 0;
    ebm::ClassifierTrainResult result = ebm::trainClassifier(
        *net, train, tc,
        [&](const ebm::ClassifierProgress& p) {
            char detail[96];
            std::snprintf(detail, sizeof detail, "epoch %d  loss %.3f  acc %.3f", p.epoch, p.loss, p.trainAccuracy);
            bar.update(static_cast<double>(p.step) / p.totalSteps, detail, p.etaSeconds);
            if (!onTerminal && p.step % logEvery == 0)
                std::fprintf(stderr, "step %lld/%lld  %s  ETA %s\n", static_cast<long long>(p.step),
                             static_cast<long long>(p.totalSteps), detail,
                             ebm::appkit::formatDuration(p.etaSeconds).c_str());
            return true;
        },
        &g_evalInterrupted);
    bar.finish();
    if (result.stopped)
        throw ebm::Error("interrupted after " + std::to_string(result.steps) + " steps; nothing written");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    double testAccuracy = 0.0;
    int64_t testCount = 0;
    try {
        ebm::Dataset test = ebm::appkit::openAnyDataset(args.text("data"), config.inChannels, imageSize, false);
        if (test.labels.defined() && test.labels.numel() == test.size()) {
            testAccuracy = ebm::classifierAccuracy(*net, test);
            testCount = test.size();
        }
    } catch (const ebm::Error& e) {
        std::fprintf(stderr, "no test accuracy: %s\n", e.what());
    }
    const double trainAccuracy = ebm::classifierAccuracy(*net, train);
    ebm::ClassifierInfo info;
    info.dataset = args.text("data");
    info.testAccuracy = testAccuracy;
    info.trainedSteps = result.steps;
    net->to(torch::kCPU);
    ebm::saveClassifier(*net, info, args.text("out"));
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(args.text("out"), ec);
    if (args.isSet("json")) {
        std::cout << "{\"out\": " << jsonString(args.text("out")) << ", \"architecture\": "
                  << jsonString(config.describe()) << ", \"parameters\": " << net->parameterCount()
                  << ", \"bytes\": " << (ec ? 0 : bytes) << ", \"steps\": " << result.steps
                  << ", \"seconds\": " << num(seconds) << ", \"train_accuracy\": " << num(trainAccuracy)
                  << ", \"test_accuracy\": " << (testCount ? num(testAccuracy) : "null")
                  << ", \"test_images\": " << testCount << "}\n";
    } else {
        std::printf("classifier  %s (%lld parameters, %lld bytes)\n", config.describe().c_str(),
                    static_cast<long long>(net->parameterCount()), static_cast<long long>(ec ? 0 : bytes));
        std::printf("trained     %lld steps in %s; final loss %.4f\n", static_cast<long long>(result.steps),
                    ebm::appkit::formatDuration(seconds).c_str(), result.finalLoss);
        std::printf("accuracy    train %.2f%%", 100 * trainAccuracy);
        if (testCount)
            std::printf(", test %.2f%% (%lld images)", 100 * testAccuracy, static_cast<long long>(testCount));
        std::printf("\nwrote       %s\n", args.text("out").c_str());
    }
    return 0;
}
