// ebm eval
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"
#include "ebm/io/image_file.h"
#include "ebm/io/model_file.h"
#include "ebm/eval/evaluation_pipeline.h"
#include "command_support.h"
#include "commands.h"
#include "settings_from_image.h"

namespace ebm::cli {

namespace {

void addEvalOptions(CliArgs& args)
{
    args.options(R"(
--model=                 checkpoint to sample from and for ais (default: bundled model)
--raw-weights            use the trained weights even when the file holds their moving average (EMA)
--samples=               evaluate these samples (.npy [N, C, H, W] in [0, 1], image folder...) instead of
                         sampling
--num=256                samples to draw when --samples is not given
--sample-batch=256       samples drawn at once
--seed=1                 random seed of sampling
--save-samples=          write the drawn samples as .npy
--what=fid,is,nn         comma-separated: fid, is (with the class histogram), nn, ais
--data=fashion-mnist     reference data set: test split = FID reference and AIS images; train split = floor
                         set and neighbours
--reference-limit=0      use at most this many test images as the reference (0 = all)
--classifier=            ebm classifier file for features (default: bundled Fashion-MNIST classifier)
--features=              TorchScript feature extractor instead of the classifier (forward -> [N, D] or
                         (features, logits))
--feature-size=0         resize images to this square size for --features (e.g. 299; 0 = keep)
--feature-channels=0     3 replicates gray to RGB for --features, 1 averages to gray (0 = keep)
--feature-signed         feed --features images in [-1, 1] instead of [0, 1]
--splits=1               inception-like score: also report mean and std over this many splits
--nn-count=8             nn: samples whose neighbours are shown (the first ones)
--nn-k=8                 nn: neighbours per sample (1 to 100, at most the training images)
--nn-out=neighbours.png  nn: PNG grid, one row per sample: the sample, then its neighbours
--ais=forward,reverse    ais directions: forward (from the Gaussian), reverse (from test images)
--ais-images=32          test images whose log density is estimated (reverse: one chain each)
--ais-chains=32          forward AIS chains
--ais-steps=1000         intermediate distributions K
--ais-schedule=sigmoid   beta spacing: sigmoid, geometric or linear
--ais-transition=hmc     hmc or mala (Metropolis-corrected), or ula (unadjusted Langevin, biased)
--ais-leapfrog=5         leapfrog steps per HMC update
--ais-step-size=0.01     initial leapfrog/Langevin step (pixel units); adapted for hmc/mala
--ais-base-std=0         std of the isotropic Gaussian base (0 = the pixel std of the test images)
--ais-noise=0            add N(0, std^2) noise to the test images first (e.g. sigma0 = 0.1)
--temperature=1          target density exp(-E/T)/Z; 1 is the model's own density
--ais-seed=1             random seed of AIS
--json                   print JSON instead of text
)");
    const SamplingOptions defaults = evaluationSampling();
    args.option("schedule", defaults.schedule,
                "sampling schedule: fast, paper, paper-linear, quick or a curve FILE.json")
        .option("steps", std::to_string(defaults.scheduleSteps), "schedule length (0 = the schedule's own)")
        .option("step-size", "0", "Langevin step size (0 = the schedule's own, as ebm sample)");
    addPrecisionOption(args);
}

/// --what: which figures to compute.
void chooseFigures(const CliArgs& args, EvaluationRequest& request)
{
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
            throw Error("--what: unknown item '" + item + "'; use fid, is, nn, ais");
    }
}

/// The --ais* options and --temperature.
void chooseAisSettings(const CliArgs& args, EvaluationRequest& request)
{
    request.aisForward = request.aisReverse = false;
    for (const auto& d : splitList(args.text("ais"))) {
        if (d == "forward")
            request.aisForward = true;
        else if (d == "reverse")
            request.aisReverse = true;
        else
            throw Error("--ais: unknown direction '" + d + "'; use forward, reverse or both");
    }
    AisConfig& c = request.aisConfig;
    c.steps = args.integer("ais-steps");
    c.schedule = parseBetaSchedule(args.text("ais-schedule"));
    c.transition = parseAisTransition(args.text("ais-transition"));
    c.leapfrogSteps = args.integer("ais-leapfrog");
    c.stepSize = args.real("ais-step-size");
    c.temperature = args.real("temperature");
    c.chains = args.longInteger("ais-chains");
    request.aisImages = args.longInteger("ais-images");
    request.aisNoise = args.real("ais-noise");
    request.aisBaseStd = args.real("ais-base-std");
    request.aisSeed = static_cast<uint64_t>(args.longInteger("ais-seed"));
}

/// Everything the options ask for, checked before any file is read.
EvaluationRequest evaluationRequestFrom(const CliArgs& args, torch::Device device)
{
    EvaluationRequest request;
    request.device = device;
    chooseFigures(args, request);
    request.samplesPath = args.text("samples");
    request.sampleCount = args.integerIn("num", 2, kMaxSamplesPerRun);
    request.sampling.schedule = args.text("schedule");
    request.sampling.scheduleSteps = static_cast<int>(args.integerIn("steps", 0, kMaxScheduleSteps));
    request.sampling.stepSize = args.real("step-size");
    request.sampling.precision = precisionFrom(args);
    request.sampling.seed = seedFrom(args);
    request.sampleBatch = args.integerIn("sample-batch", 1, kMaxSamplesPerRun);
    request.data = args.text("data");
    request.referenceLimit = args.longInteger("reference-limit");
    request.classifierPath = args.text("classifier");
    request.torchScriptPath = args.text("features");
    request.torchScript.inputSize = args.integer("feature-size");
    request.torchScript.channels = args.integer("feature-channels");
    request.torchScript.signedRange = args.isSet("feature-signed");
    request.splits = args.integer("splits");
    request.neighbourQueries = args.integer("nn-count");
    request.neighboursPerQuery = static_cast<int>(args.integerIn("nn-k", 1, ebm::kMaxNeighboursPerQuery));
    if (request.ais)
        chooseAisSettings(args, request);
    validate(request);
    return request;
}

/// The files eval may read: the model, samples, reference data, classifier, feature network and schedule.
std::vector<NamedFile> evaluationInputs(const CliArgs& args)
{
    std::vector<NamedFile> inputs{{"model", modelFileOption(args)},
                                  {"classifier", args.text("classifier").empty() ? bundledClassifierPath()
                                                                                 : args.text("classifier")}};
    for (const NamedFile& file : namedFiles(args, {"samples", "data", "features", "schedule"}))
        inputs.push_back(file);
    return inputs;
}

/// The files eval writes: the drawn samples (when it draws them) and the neighbours' grid (when asked for).
std::vector<NamedFile> evaluationOutputs(const CliArgs& args, const EvaluationRequest& request)
{
    std::vector<NamedFile> outputs;
    if (request.samplesPath.empty())
        outputs = namedFiles(args, {"save-samples"});
    if (request.neighbours)
        outputs.push_back({"nn-out", args.text("nn-out")});
    return outputs;
}

/// What the neighbours' grid keeps of the run: the reference data and the neighbours asked for, and
/// either the file of samples or the model and the sampling settings that drew them.
std::string neighbourSettings(const EvaluationRequest& request, const EvaluationModel& model)
{
    Json details{{"data", request.data},
                 {"queries", request.neighbourQueries},
                 {"neighbours_per_query", request.neighboursPerQuery}};
    if (!request.samplesPath.empty() || !model.net) {
        details["samples_file"] = inputSettings(request.samplesPath);
        return pictureSettings("eval", nullptr, details);
    }
    const SamplerConfig config = makeSamplerConfig(request.sampling, model.sigma0);
    const Json sampling = samplingSettings(request.sampling, config);  // items() does not keep it alive
    for (const auto& [key, value] : sampling.items())
        details[key] = value;
    details["samples"] = request.sampleCount;
    details["sample_batch"] = request.sampleBatch;  // batch k is drawn with seed + k
    return pictureSettings("eval", &model, details);
}

/// One progress bar per stage, each with its own ETA; stops on Ctrl-C.
class StageProgress {
public:
    bool operator()(EvaluationStage stage, int index, int count, double fraction, const std::string& detail)
    {
        if (index != barStage_) {
            if (bar_)
                bar_->finish();
            bar_ = std::make_unique<ProgressBar>(stageName(stage) + " (" + std::to_string(index + 1) +
                                                 "/" + std::to_string(count) + ")");
            barStage_ = index;
            started_ = std::chrono::steady_clock::now();
        }
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        bar_->update(fraction, detail, fraction > 0 ? elapsed * (1 - fraction) / fraction : -1.0);
        return !g_interrupted.load();
    }

    void finish()
    {
        if (bar_)
            bar_->finish();
    }

private:
    std::unique_ptr<ProgressBar> bar_;
    int barStage_ = -1;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace

int runEval(int argc, char** argv)
{
    CliArgs args("eval", "Evaluate an energy model or a file of samples: Frechet distance and inception-like score "
                         "in a classifier's feature space, class histogram, nearest training neighbours, and "
                         "log-likelihood by annealed importance sampling. See docs/evaluation.md.");
    addEvalOptions(args);
    const torch::Device device = parseWithRuntime(args, argc, argv);
    // Every setting is checked before any file is read.
    const EvaluationRequest request = evaluationRequestFrom(args, device);
    refuseSharedFiles(evaluationInputs(args), evaluationOutputs(args, request));

    stopOnInterrupt();
    const bool needSamples = request.fid || request.inceptionLike || request.neighbours;
    EvaluationModel model;
    if (request.ais || (needSamples && request.samplesPath.empty()))
        model = openModelOption(args, request.device);

    StageProgress progress;
    EvaluationReport report = runEvaluation(request, model, std::ref(progress));
    progress.finish();

    if (!args.text("save-samples").empty() && report.samples.defined() && request.samplesPath.empty())
        writeNpy(args.text("save-samples"), report.samples);
    std::string neighbourPng;
    if (report.neighbours.present) {
        neighbourPng = args.text("nn-out");
        writeImage(neighbourPng, report.neighbours.grid, neighbourSettings(request, model));
    }
    if (args.isSet("json"))
        std::cout << evaluationJson(report, neighbourPng);
    else
        std::cout << evaluationText(report, neighbourPng);
    return 0;
}

}  // namespace ebm::cli
