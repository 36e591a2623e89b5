#include "ebm/eval/evaluation_pipeline.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "ebm/base/error.h"
#include "ebm/schedule/schedule.h"
#include "ebm/nn/runtime.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "ebm/io/tensor_json.h"
#include "ebm/sample/sampler.h"
#include "ebm/eval/classifier.h"

namespace ebm {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kFloorSeed = 12345;       // which training images form the floor set
constexpr uint64_t kAisNoiseSeedOffset = 7;  // the AIS image noise differs from the chains' noise
constexpr int64_t kFeatureBatch = 256;
constexpr int64_t kNeighbourBatch = 4096;
constexpr double kMalaTargetAcceptance = 0.57;  // optimal for Langevin proposals (Roberts & Rosenthal)

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Tensor randomRows(const torch::Tensor& data, int64_t count, uint64_t seed)
{
    if (count >= data.size(0))
        return data;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const torch::Tensor order = at::randperm(data.size(0), generator).slice(0, 0, count);
    return data.index_select(0, order);
}

std::string shapeText(int64_t channels, int64_t size)
{
    return std::to_string(channels) + "x" + std::to_string(size) + "x" + std::to_string(size);
}

void appendf(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* format, ...)
{
    char buffer[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    out += buffer;
}

Json aisResultJson(const AisResult& r, const DensitySummary& d)
{
    return Json{{"log_z", r.logZ},
                {"log_z_stderr", r.logZStdErr},
                {"log_z_chain_mean", r.chainLogZ.mean().item<double>()},
                {"log_z0", r.logZ0},
                {"chains", r.chainLogZ.numel()},
                {"log_weight_std", r.logWeightStd},
                {"effective_sample_size", r.effectiveSampleSize},
                {"acceptance", r.acceptance},
                {"final_step_size", r.finalStepSize},
                {"mean_log_density", d.meanLogDensity},
                {"std_log_density", d.stdLogDensity},
                {"bits_per_dim", d.bitsPerDim},
                {"bits_per_dim_std", d.bitsPerDimStd},
                {"bits_per_dim_stderr", d.bitsPerDimStdErr}};
}

/// Stages in the order they run, for "stage k of n" displays.
std::vector<EvaluationStage> plannedStages(const EvaluationRequest& r, bool drawsSamples)
{
    std::vector<EvaluationStage> stages;
    if (drawsSamples)
        stages.push_back(EvaluationStage::Sampling);
    if (r.fid || r.inceptionLike)
        stages.push_back(EvaluationStage::Features);
    if (r.neighbours)
        stages.push_back(EvaluationStage::Neighbours);
    if (r.ais)
        stages.push_back(EvaluationStage::Likelihood);
    return stages;
}

}  // namespace

std::string stageName(EvaluationStage stage)
{
    switch (stage) {
    case EvaluationStage::Sampling: return "sampling";
    case EvaluationStage::Features: return "features";
    case EvaluationStage::Neighbours: return "neighbours";
    case EvaluationStage::Likelihood: return "likelihood (AIS)";
    }
    return "?";
}

SamplingOptions evaluationSampling()
{
    SamplingOptions options;
    options.schedule = defaultSchedulePreset();
    options.scheduleSteps = 0;  // the preset's own length (a preset is never silently rescaled)
    return options;
}

std::vector<std::string> classNamesFor(const std::string& dataset, size_t count)
{
    static const std::vector<std::string> kFashion = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    std::string lower = dataset;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    std::vector<std::string> names;
    for (size_t k = 0; k < count; ++k) {
        if (count == kFashion.size() && lower.find("fashion") != std::string::npos)
            names.push_back(kFashion[k]);
        else if (count == 10 && lower.find("mnist") != std::string::npos)
            names.push_back("digit " + std::to_string(k));
        else
            names.push_back("class " + std::to_string(k));
    }
    return names;
}

void validate(const EvaluationRequest& r)
{
    if (!r.fid && !r.inceptionLike && !r.neighbours && !r.ais)
        throw Error("nothing to measure: choose at least one of FID-like, inception-like, neighbours, AIS");
    const bool needSamples = r.fid || r.inceptionLike || r.neighbours;
    if (needSamples && r.samplesPath.empty()) {
        if (r.sampleCount < 2)
            throw Error("draw at least two samples (the Frechet distance needs a covariance)");
        if (r.sampleCount > kMaxSamplesPerRun)
            throw Error("draw at most " + std::to_string(kMaxSamplesPerRun) + " samples");
        makeSamplerConfig(r.sampling, kDefaultSigma0);  // throws on a bad schedule or step size
        if (r.sampleBatch < 1)
            throw Error("the sampling batch must hold at least one sample");
    }
    if (r.neighbours && (r.neighbourQueries < 1 || r.neighboursPerQuery < 1))
        throw Error("neighbours: show at least one sample and one neighbour");
    if (r.neighbours && r.neighboursPerQuery > kMaxNeighboursPerQuery)
        throw Error("neighbours: ask for between 1 and " + std::to_string(kMaxNeighboursPerQuery) +
                    " neighbours per sample, not " + std::to_string(r.neighboursPerQuery));
    if (r.splits < 1)
        throw Error("the inception-like score needs at least one split");
    if (r.ais) {
        if (!r.aisForward && !r.aisReverse)
            throw Error("AIS: choose forward, reverse or both");
        const AisConfig& c = r.aisConfig;
        if (c.steps < 1 || c.chains < 1 || r.aisImages < 1)
            throw Error("AIS: intermediate distributions, chains and images must be positive");
        if (c.transition == AisTransition::Hmc && c.leapfrogSteps < 1)
            throw Error("AIS: HMC needs at least one leapfrog step");
        if (!(c.stepSize > 0) || !(c.temperature > 0))
            throw Error("AIS: the step size and the temperature must be positive");
        if (r.aisNoise < 0 || r.aisBaseStd < 0)
            throw Error("AIS: the image noise and the base std cannot be negative");
    }
}

// --- The stages of runEvaluation, in the order they run ----------------------------------------

namespace {

/// "Stage k of n" progress for one stage at a time, through the caller's callback (may be empty).
struct StageReporter {
    const EvaluationProgress& progress;
    std::vector<EvaluationStage> stages;

    auto operator()(EvaluationStage stage) const
    {
        const int index = static_cast<int>(std::find(stages.begin(), stages.end(), stage) - stages.begin());
        return [this, stage, index](double fraction, const std::string& detail) {
            return !progress || progress(stage, index, static_cast<int>(stages.size()), fraction, detail);
        };
    }
};

/// The test split as reference data; the model, when there is one, fixes the image size and channels.
Dataset loadReference(const EvaluationRequest& request, const EvaluationModel& model)
{
    const int wantChannels = model.net ? model.net->config().inChannels : 0;
    const int wantSize = model.net ? model.net->config().imageSize : 32;
    Dataset test = openAnyDataset(request.data, wantChannels, wantSize, false);
    if (test.data.dim() != 4)
        throw Error(request.data + ": holds points, not images");
    if (request.referenceLimit > 0)
        test.data = randomRows(test.data, request.referenceLimit, kFloorSeed);
    const int64_t channels = test.data.size(1), size = test.data.size(2);
    if (model.net && (model.net->config().inChannels != channels || model.net->config().imageSize != size))
        throw Error(model.path + ": the model takes " + model.net->config().describe() + " images but " +
                    request.data + " holds " + shapeText(channels, size) + " ones");
    return test;
}

/// Draws request.sampleCount samples from the model in batches; records how in the report.
torch::Tensor drawSamples(const EvaluationRequest& request, const EvaluationModel& model,
                          const StageReporter& reporter, EvaluationReport& report)
{
    SamplerConfig config = makeSamplerConfig(request.sampling, model.sigma0);
    const int64_t total = request.sampleCount;
    const auto samplingStarted = Clock::now();
    auto report_ = reporter(EvaluationStage::Sampling);
    std::vector<torch::Tensor> parts;
    for (int64_t begin = 0; begin < total; begin += request.sampleBatch) {
        config.numSamples = std::min(request.sampleBatch, total - begin);
        config.seed = request.sampling.seed + static_cast<uint64_t>(begin / request.sampleBatch);
        SampleResult result = annealedLangevin(*model.net, config, {}, [&](const SampleFrame& f) {
            const double fraction = (begin + config.numSamples * double(f.step) / f.totalSteps) / total;
            char detail[64];
            std::snprintf(detail, sizeof detail, "T %.3g", f.temperature);
            return report_(fraction, detail);
        });
        if (result.stopped)
            throw Cancelled();
        parts.push_back(result.samples.to(torch::kCPU));
    }
    const std::string scheduleName = request.sampling.curve ? "edited curve" : request.sampling.schedule;
    report.sampling = {scheduleName, config.schedule.size(), config.stepSize,
                       toString(config.precision), at::get_num_threads(), secondsSince(samplingStarted)};
    report.samplesSource = model.path + " (" + std::to_string(total) + " samples, " + scheduleName +
                           " schedule, " + std::to_string(config.schedule.size()) + " steps)";
    return torch::cat(parts);
}

/// Samples from a file or drawn from the model, checked against the reference images and kept
/// in report.samples.
void collectSamples(const EvaluationRequest& request, const EvaluationModel& model, bool drawsSamples,
                    int64_t channels, int64_t size, const StageReporter& reporter, EvaluationReport& report)
{
    torch::Tensor samples;
    if (!drawsSamples) {
        samples = openAnyDataset(request.samplesPath, static_cast<int>(channels), static_cast<int>(size), false).data;
        report.samplesSource = request.samplesPath;
    } else {
        samples = drawSamples(request, model, reporter, report);
    }
    if (samples.dim() != 4 || samples.size(1) != channels || samples.size(2) != size || samples.size(3) != size)
        throw Error("the samples are not " + shapeText(channels, size) + " images like the reference data");
    if (samples.size(0) < 2)
        throw Error("evaluate at least two samples");
    if (!samples.isfinite().all().item<bool>())
        throw Error("the samples hold NaN or infinite values: the sampler diverged (try a smaller step size)");
    // Langevin samples may overshoot [0, 1]; they are judged as images.
    report.samples = samples.clamp(0.0, 1.0);
}

/// The feature extractor the request names: a TorchScript module or a classifier (the bundled
/// one by default). `classifierData` gets the data set the classifier was trained on.
std::unique_ptr<FeatureExtractor> makeExtractor(const EvaluationRequest& request, std::string& classifierData)
{
    if (!request.torchScriptPath.empty()) {
        TorchScriptOptions options = request.torchScript;
        options.device = request.device;
        return loadTorchScriptFeatures(request.torchScriptPath, options);
    }
    const std::string path = request.classifierPath.empty() ? bundledClassifierPath() : request.classifierPath;
    LoadedClassifier c = loadClassifier(path);
    classifierData = c.info.dataset;
    std::string description = "classifier " + path + " (" + c.net->config().describe();
    if (c.info.testAccuracy > 0) {
        char accuracy[32];
        std::snprintf(accuracy, sizeof accuracy, ", test accuracy %.2f%%", 100 * c.info.testAccuracy);
        description += accuracy;
    }
    return classifierFeatures(c.net, description + ")", request.device);
}

/// Sample quality in feature space: FID-like distance and inception-like score.
void measureQuality(const EvaluationRequest& request, const Dataset& train, const Dataset& test,
                    const StageReporter& reporter, EvaluationReport& report)
{
    QualityFigures& q = report.quality;
    std::string classifierData;
    std::unique_ptr<FeatureExtractor> extractor = makeExtractor(request, classifierData);
    q.extractor = extractor->describe();
    const torch::Tensor floorSet = randomRows(train.data, report.samples.size(0), kFloorSeed);
    q.floorCount = floorSet.size(0);
    q.referenceCount = test.size();
    auto stageProgress = reporter(EvaluationStage::Features);
    const int64_t totalRows = report.samples.size(0) + floorSet.size(0) + (request.fid ? test.size() : 0);
    auto part = [&](int64_t offset, int64_t rows) {
        return [&, offset, rows](double f, const std::string& d) {
            return stageProgress((offset + f * rows) / totalRows, d);
        };
    };
    const int64_t n = report.samples.size(0);
    FeatureBatch fs = extractFeatures(*extractor, report.samples, kFeatureBatch, part(0, n));
    FeatureBatch ff = extractFeatures(*extractor, floorSet, kFeatureBatch, part(n, floorSet.size(0)));
    if (request.fid) {
        FeatureBatch ft =
            extractFeatures(*extractor, test.data, kFeatureBatch, part(n + floorSet.size(0), test.size()));
        const GaussianStats reference = gaussianStats(ft.features);
        q.fid = frechetDistance(gaussianStats(fs.features), reference);
        q.fidFloor = frechetDistance(gaussianStats(ff.features), reference);
        q.haveFid = true;
    }
    if (request.inceptionLike) {
        if (!fs.probabilities.defined())
            throw Error(q.extractor + " gives no class logits; the inception-like score needs a classifier "
                                      "(leave the inception-like score out)");
        q.inceptionLike = inceptionScore(fs.probabilities, request.splits);
        q.inceptionLikeReal = inceptionScore(ff.probabilities, request.splits);
        q.classes = classHistogram(fs.probabilities);
        q.classesReal = classHistogram(ff.probabilities);
        q.classNames = classNamesFor(classifierData, q.classes.counts.size());
        q.haveInceptionLike = true;
    }
}

/// Nearest training neighbours (appendix C).
void findNeighbours(const EvaluationRequest& request, const Dataset& train, const StageReporter& reporter,
                    EvaluationReport& report)
{
    const int64_t count = std::min<int64_t>(request.neighbourQueries, report.samples.size(0));
    const torch::Tensor queries = report.samples.slice(0, 0, count);
    NeighbourFigures& nn = report.neighbours;
    nn.neighbours = nearestNeighbours(queries, train.data, request.neighboursPerQuery, kNeighbourBatch,
                                      reporter(EvaluationStage::Neighbours));
    nn.grid = neighbourGrid(queries, train.data, nn.neighbours);
    nn.present = true;
}

/// Log-likelihood by AIS.
void measureLikelihood(const EvaluationRequest& request, const EvaluationModel& model, const Dataset& test,
                       const StageReporter& reporter, EvaluationReport& report)
{
    LikelihoodFigures& ais = report.likelihood;
    ais.forward = request.aisForward;
    ais.reverse = request.aisReverse;
    ais.noise = request.aisNoise;
    const auto t0 = Clock::now();
    torch::Tensor images = randomRows(test.data, request.aisImages, kFloorSeed);
    if (request.aisNoise > 0) {
        auto generator = at::make_generator<at::CPUGeneratorImpl>(request.aisSeed + kAisNoiseSeedOffset);
        images = images + request.aisNoise * at::randn(images.sizes(), generator,
                                                       torch::TensorOptions().dtype(torch::kFloat32));
    }
    ais.images = images.size(0);
    ais.dims = images[0].numel();
    AisConfig& c = ais.config;
    c = request.aisConfig;
    c.seed = request.aisSeed;
    if (c.transition == AisTransition::Mala)
        c.targetAcceptance = kMalaTargetAcceptance;
    const torch::Tensor pixelMean = test.data.mean(0);
    c.baseMean = pixelMean;
    c.baseStd = request.aisBaseStd > 0 ? request.aisBaseStd
                                       : (test.data - pixelMean).pow(2).mean().sqrt().item<double>();
    const double directions = (ais.forward ? 1 : 0) + (ais.reverse ? 1 : 0);
    auto stageProgress = reporter(EvaluationStage::Likelihood);
    double offset = 0.0;
    auto scaled = [&](double f, const std::string& d) { return stageProgress((offset + f) / directions, d); };
    const torch::Tensor energies = measureEnergies(*model.net, images.to(request.device), 0.0);
    if (ais.forward) {
        ais.forwardResult = forwardAis(*model.net, c, scaled);
        ais.forwardDensity = summariseDensity(energies, torch::full({1}, ais.forwardResult.logZ, torch::kFloat64),
                                              c.temperature, ais.dims);
        offset += 1.0;
    }
    if (ais.reverse) {
        ais.reverseResult = reverseAis(*model.net, images.to(request.device), c, scaled);
        ais.reverseDensity = summariseDensity(ais.reverseResult.startEnergies, ais.reverseResult.chainLogZ,
                                              c.temperature, ais.dims);
        ais.reversePooledDensity = summariseDensity(ais.reverseResult.startEnergies,
                                                    torch::full({1}, ais.reverseResult.logZ, torch::kFloat64),
                                                    c.temperature, ais.dims);
    }
    ais.seconds = secondsSince(t0);
    ais.present = true;
}

}  // namespace


EvaluationReport runEvaluation(const EvaluationRequest& request, const EvaluationModel& model,
                               const EvaluationProgress& progress)
{
    validate(request);
    const auto started = Clock::now();
    const bool needSamples = request.fid || request.inceptionLike || request.neighbours;
    const bool drawsSamples = needSamples && request.samplesPath.empty();
    if ((drawsSamples || request.ais) && !model.net)
        throw Error("no model to evaluate: open a model first");
    if (model.net && !model.net->config().isImageModel())
        throw Error(model.path + ": holds a point (mlp) model; evaluation measures image models, so open a res6, "
                                 "res12 or res18 checkpoint");
    const StageReporter reporter{progress, plannedStages(request, drawsSamples)};

    EvaluationReport report;
    report.data = request.data;
    if (model.net) {
        report.modelPath = model.path;
        report.modelDescription = model.net->config().describe();
        report.sigma0 = model.sigma0;
    }

    const Dataset test = loadReference(request, model);
    const int64_t channels = test.data.size(1), size = test.data.size(2);
    // The training split before the samples: the neighbours' count is checked against it before
    // minutes of sampling.
    Dataset train;
    if (needSamples) {
        train = openAnyDataset(request.data, static_cast<int>(channels), static_cast<int>(size), true);
        if (train.data.dim() != 4 || train.data.size(1) != channels || train.data.size(2) != size)
            throw Error(request.data + ": the training split does not match the test split's image size");
    }
    if (request.neighbours && request.neighboursPerQuery > train.size())
        throw Error("neighbours: " + std::to_string(request.neighboursPerQuery) + " per sample asked for, but the "
                    "training split of " + request.data + " holds " + std::to_string(train.size()) +
                    " images; ask for at most " + std::to_string(train.size()));
    if (needSamples)
        collectSamples(request, model, drawsSamples, channels, size, reporter, report);
    if (request.fid || request.inceptionLike)
        measureQuality(request, train, test, reporter, report);
    if (request.neighbours)
        findNeighbours(request, train, reporter, report);
    if (request.ais)
        measureLikelihood(request, model, test, reporter, report);
    report.seconds = secondsSince(started);
    return report;
}

std::string evaluationJson(const EvaluationReport& report, const std::string& neighbourPng)
{
    Json out{{"data", report.data}};
    if (!report.modelPath.empty()) {
        out["model"] = report.modelPath;
        out["architecture"] = report.modelDescription;
        out["sigma0"] = report.sigma0;
    }
    if (report.samples.defined())
        out["samples"] = {{"source", report.samplesSource}, {"count", report.samples.size(0)}};
    if (report.samples.defined() && report.sampling.steps > 0)
        out["sampling"] = {{"schedule", report.sampling.schedule},   {"steps", report.sampling.steps},
                           {"step_size", report.sampling.stepSize},  {"precision", report.sampling.precision},
                           {"threads", report.sampling.threads},     {"seconds", report.sampling.seconds}};
    const QualityFigures& q = report.quality;
    if (!q.extractor.empty())
        out["features"] = q.extractor;
    if (q.haveFid)
        out["fid"] = {{"value", q.fid},
                      {"floor", q.fidFloor},
                      {"reference", "test split, " + std::to_string(q.referenceCount) + " images"},
                      {"floor_set", std::to_string(q.floorCount) + " random training images"}};
    if (q.haveInceptionLike) {
        out["is"] = {{"value", q.inceptionLike.score},
                     {"split_mean", q.inceptionLike.splitMean},
                     {"split_std", q.inceptionLike.splitStd},
                     {"splits", q.inceptionLike.splits},
                     {"real", q.inceptionLikeReal.score}};
        out["classes"] = {{"counts", q.classes.counts},
                          {"covered", q.classes.covered},
                          {"total_variation", q.classes.totalVariation},
                          {"entropy_ratio", q.classes.entropyRatio},
                          {"real_counts", q.classesReal.counts},
                          {"real_total_variation", q.classesReal.totalVariation}};
    }
    if (report.neighbours.present) {
        const Neighbours& nn = report.neighbours.neighbours;
        std::vector<int64_t> queries;
        for (int64_t i = 0; i < nn.indices.size(0); ++i)
            queries.push_back(i);
        Json section = Json::object();
        if (!neighbourPng.empty())
            section["png"] = neighbourPng;
        section["queries"] = queries;
        section["indices"] = tensorToJson(nn.indices);
        section["distances"] = tensorToJson(nn.distances);
        out["nn"] = section;
    }
    const LikelihoodFigures& ais = report.likelihood;
    if (ais.present) {
        const AisConfig& c = ais.config;
        Json section{{"transition", toString(c.transition)},
                     {"leapfrog", c.leapfrogSteps},
                     {"steps", c.steps},
                     {"schedule", toString(c.schedule)},
                     {"base_std", c.baseStd},
                     {"temperature", c.temperature},
                     {"images", ais.images},
                     {"dims", ais.dims},
                     {"noise", ais.noise},
                     {"pixel_scale", "[0, 1]"},
                     {"seconds", ais.seconds}};
        if (ais.forward)
            section["forward"] = aisResultJson(ais.forwardResult, ais.forwardDensity);
        if (ais.forward && ais.reverse)
            section["log_z_gap"] = ais.reverseResult.logZ - ais.forwardResult.logZ;
        if (ais.reverse) {
            section["reverse"] = aisResultJson(ais.reverseResult, ais.reverseDensity);
            section["reverse_pooled"] = {{"bits_per_dim", ais.reversePooledDensity.bitsPerDim},
                                         {"mean_log_density", ais.reversePooledDensity.meanLogDensity}};
        }
        out["ais"] = section;
    }
    out["seconds"] = report.seconds;
    return out.dump() + "\n";
}

std::string evaluationText(const EvaluationReport& report, const std::string& neighbourPng)
{
    std::string out;
    if (!report.modelPath.empty())
        appendf(out, "model       %s (%s, sigma0 %g)\n", report.modelPath.c_str(), report.modelDescription.c_str(),
                report.sigma0);
    if (report.samples.defined())
        appendf(out, "samples     %s\n", report.samplesSource.c_str());
    if (report.samples.defined() && report.sampling.steps > 0)
        appendf(out, "sampling    %d steps, step size %g, %s, %d threads: %.1f s\n", report.sampling.steps,
                report.sampling.stepSize, report.sampling.precision.c_str(), report.sampling.threads,
                report.sampling.seconds);
    const QualityFigures& q = report.quality;
    if (!q.extractor.empty())
        appendf(out, "features    %s\n", q.extractor.c_str());
    if (q.haveFid)
        appendf(out, "FID-like    %.4g   (floor: %lld training images vs the %lld test images: %.4g)\n", q.fid,
                static_cast<long long>(q.floorCount), static_cast<long long>(q.referenceCount), q.fidFloor);
    if (q.haveInceptionLike) {
        appendf(out, "IS-like     %.4g", q.inceptionLike.score);
        if (q.inceptionLike.splits > 1)
            appendf(out, "   (%d splits: %.4g +- %.3g)", q.inceptionLike.splits, q.inceptionLike.splitMean,
                    q.inceptionLike.splitStd);
        appendf(out, "   (real training images: %.4g)\n", q.inceptionLikeReal.score);
        appendf(out, "classes     %d of %zu covered; counts", q.classes.covered, q.classes.counts.size());
        for (int64_t c : q.classes.counts)
            appendf(out, " %lld", static_cast<long long>(c));
        appendf(out, "; TV from uniform %.3g (real %.3g)\n", q.classes.totalVariation, q.classesReal.totalVariation);
    }
    if (report.neighbours.present) {
        const Neighbours& nn = report.neighbours.neighbours;
        if (!neighbourPng.empty())
            appendf(out, "neighbours  wrote %s (each row: a sample, then its %lld nearest training images in L2)\n",
                    neighbourPng.c_str(), static_cast<long long>(nn.indices.size(1)));
        for (int64_t i = 0; i < nn.indices.size(0); ++i)
            appendf(out, "            sample %lld: nearest #%lld at distance %.4g\n", static_cast<long long>(i),
                    static_cast<long long>(nn.indices[i][0].item<int64_t>()), nn.distances[i][0].item<double>());
    }
    const LikelihoodFigures& ais = report.likelihood;
    if (ais.present) {
        const AisConfig& c = ais.config;
        appendf(out, "AIS log-likelihood (%s)\n", formatDuration(ais.seconds).c_str());
        appendf(out, "  transition %s", toString(c.transition).c_str());
        if (c.transition == AisTransition::Hmc)
            appendf(out, " with %d leapfrog steps", c.leapfrogSteps);
        appendf(out, ", %d intermediate distributions (%s beta schedule), step %g%s\n", c.steps,
                toString(c.schedule).c_str(), c.stepSize,
                c.adaptStepSize && c.transition != AisTransition::Ula ? " (adapted)" : "");
        appendf(out, "  base N(test mean, %.4g^2 I); target exp(-E(x)/%g)/Z; %lld test images, %lld dimensions, "
                     "pixels in [0, 1]",
                c.baseStd, c.temperature, static_cast<long long>(ais.images), static_cast<long long>(ais.dims));
        if (ais.noise > 0)
            appendf(out, ", plus N(0, %g^2) noise", ais.noise);
        out += "\n";
        const double natsPerBit = static_cast<double>(ais.dims) * std::log(2.0);
        auto logZLine = [&](const char* name, const AisResult& r, const char* bound) {
            appendf(out, "  %-8s log Z %.2f (%s), mean of chains %.2f; log-weight std %.3g (%.3g bits/dim), "
                         "ESS %.1f of %lld, acceptance %.2f\n",
                    name, r.logZ, bound, r.chainLogZ.mean().item<double>(), r.logWeightStd, r.logWeightStd / natsPerBit,
                    r.effectiveSampleSize, static_cast<long long>(r.chainLogZ.numel()), r.acceptance);
        };
        if (ais.forward) {
            const DensitySummary& d = ais.forwardDensity;
            logZLine("forward", ais.forwardResult, "stochastic lower bound");
            appendf(out, "           %.4f bits/dim (+- %.3g over images, stderr %.2g): optimistic\n", d.bitsPerDim,
                    d.bitsPerDimStd, d.bitsPerDimStdErr);
        }
        if (ais.reverse) {
            const DensitySummary& d = ais.reverseDensity;
            logZLine("reverse", ais.reverseResult, "upper bound if the test images were model samples");
            appendf(out, "           %.4f bits/dim (+- %.3g over images, stderr %.2g): the paper's convention, mean of "
                         "per-chain log densities; with the pooled log Z %.4f bits/dim\n",
                    d.bitsPerDim, d.bitsPerDimStd, d.bitsPerDimStdErr, ais.reversePooledDensity.bitsPerDim);
        }
        if (ais.forward && ais.reverse) {
            const double gap = ais.reverseResult.logZ - ais.forwardResult.logZ;
            appendf(out, "  gap      reverse - forward log Z = %.3g nats = %.3g bits/dim%s\n", gap, gap / natsPerBit,
                    gap < 0 ? ": the estimates cross, so the test images are not typical model samples and reverse "
                              "AIS bounds nothing here"
                            : "");
        }
        for (const AisResult* r :
             {ais.forward ? &ais.forwardResult : nullptr, ais.reverse ? &ais.reverseResult : nullptr})
            if (r && r->effectiveSampleSize < std::max(2.0, 0.1 * static_cast<double>(r->chainLogZ.numel())))
                appendf(out, "  note     a few chains carry the %s weights: the pooled log Z rests on them; more "
                             "intermediate distributions narrow the log-weight spread\n",
                        r->reverse ? "reverse" : "forward");
    }
    return out;
}

}  // namespace ebm
