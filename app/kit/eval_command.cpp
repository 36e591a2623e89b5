#include "eval_command.h"

#include <ATen/CPUGeneratorImpl.h>
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
#include "evaluation_job.h"
#include "json_text.h"
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
using ebm::appkit::jsonNumber;
using ebm::appkit::jsonString;

namespace {

std::atomic<bool> g_evalInterrupted{false};

void onEvalInterrupt(int) { g_evalInterrupted.store(true); }

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
    ebm::configureThreads(args.integer("threads"));

    ebm::appkit::EvaluationRequest request;
    request.device = ebm::chooseDevice(args.text("device"));
    request.fid = request.inceptionLike = request.neighbours = false;
    for (const auto& item : splitList(args.text("what"))) {
        if (item == "fid")
            request.fid = true;
        else if (item == "is")
            request.inceptionLike = true;
        else if (item == "nn")
            request.neighbours = true;
        else if (item == "ais")
            request.ais = true;
        else
            throw ebm::Error("--what: unknown item '" + item + "'; use fid, is, nn, ais");
    }
    request.samplesPath = args.text("samples");
    request.sampleCount = args.longInteger("num");
    request.schedule = args.text("schedule");
    request.scheduleSteps = args.integer("steps");
    request.stepSize = args.real("step-size");
    request.sampleBatch = args.longInteger("sample-batch");
    request.seed = static_cast<uint64_t>(args.longInteger("seed"));
    request.data = args.text("data");
    request.referenceLimit = args.longInteger("reference-limit");
    request.classifierPath = args.text("classifier");
    request.torchScriptPath = args.text("features");
    request.torchScript.inputSize = args.integer("feature-size");
    request.torchScript.channels = args.integer("feature-channels");
    request.torchScript.signedRange = args.isSet("feature-signed");
    request.splits = args.integer("splits");
    request.neighbourQueries = args.integer("nn-count");
    request.neighboursPerQuery = args.integer("nn-k");
    if (request.ais) {
        request.aisForward = request.aisReverse = false;
        for (const auto& d : splitList(args.text("ais"))) {
            if (d == "forward")
                request.aisForward = true;
            else if (d == "reverse")
                request.aisReverse = true;
            else
                throw ebm::Error("--ais: unknown direction '" + d + "'; use forward, reverse or both");
        }
        ebm::AisConfig& c = request.aisConfig;
        c.steps = args.integer("ais-steps");
        c.schedule = ebm::parseBetaSchedule(args.text("ais-schedule"));
        c.transition = ebm::parseAisTransition(args.text("ais-transition"));
        c.leapfrogSteps = args.integer("ais-leapfrog");
        c.stepSize = args.real("ais-step-size");
        c.temperature = args.real("temperature");
        c.chains = args.longInteger("ais-chains");
        request.aisImages = args.longInteger("ais-images");
        request.aisNoise = args.real("ais-noise");
        request.aisBaseStd = args.real("ais-base-std");
        request.aisSeed = static_cast<uint64_t>(args.longInteger("ais-seed"));
    }
    // Every setting is checked before any file is read.
    ebm::appkit::validate(request);

    std::signal(SIGINT, onEvalInterrupt);
    std::signal(SIGTERM, onEvalInterrupt);
    const bool needSamples = request.fid || request.inceptionLike || request.neighbours;
    ebm::appkit::EvaluationModel model;
    if (request.ais || (needSamples && request.samplesPath.empty()))
        model = ebm::appkit::loadEvaluationModel(args.text("model"), request.device);

    // One progress bar per stage, each with its own ETA.
    std::unique_ptr<ProgressBar> bar;
    int barStage = -1;
    auto started = std::chrono::steady_clock::now();
    auto progress = [&](ebm::appkit::EvaluationStage stage, int index, int count, double fraction, const std::string& detail) {
        if (index != barStage) {
            if (bar)
                bar->finish();
            bar = std::make_unique<ProgressBar>(ebm::appkit::stageName(stage) + " (" + std::to_string(index + 1) +
                                                "/" + std::to_string(count) + ")");
            barStage = index;
            started = std::chrono::steady_clock::now();
        }
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        bar->update(fraction, detail, fraction > 0 ? elapsed * (1 - fraction) / fraction : -1.0);
        return !g_evalInterrupted.load();
    };
    ebm::appkit::EvaluationReport report = ebm::appkit::runEvaluation(request, model, progress);
    if (bar)
        bar->finish();

    if (!args.text("save-samples").empty() && report.samples.defined() && request.samplesPath.empty())
        ebm::writeNpy(args.text("save-samples"), report.samples);
    std::string neighbourPng;
    if (report.neighbours.present) {
        neighbourPng = args.text("nn-out");
        ebm::writePng(neighbourPng, report.neighbours.grid);
    }
    if (args.isSet("json"))
        std::cout << ebm::appkit::evaluationJson(report, neighbourPng);
    else
        std::cout << ebm::appkit::evaluationText(report, neighbourPng);
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
                  << ", \"seconds\": " << jsonNumber(seconds) << ", \"train_accuracy\": " << jsonNumber(trainAccuracy)
                  << ", \"test_accuracy\": " << (testCount ? jsonNumber(testAccuracy) : "null")
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
