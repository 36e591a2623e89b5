// ebm sample
#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <vector>
#include "ebm/base/chain_diagnostics.h"
#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/io/image_file.h"
#include "ebm/io/model_file.h"
#include "ebm/io/run_video.h"
#include "ebm/io/video_file.h"
#include "ebm/io/tensor_json.h"
#include "command_support.h"
#include "commands.h"
#include "settings_from_image.h"

namespace ebm::cli {

namespace {
void saveSampleOutputs(const torch::Tensor& samples, const std::string& png, int cols, const std::string& settings)
{
    if (samples.dim() != 4)
        return;
    writeImage(png, makeGrid(samples.clamp(0, 1), cols), settings);
}

void writeTraceCsv(const std::string& path, const std::vector<SampleFrame>& frames)
{
    std::ofstream csv(path);
    if (!csv)
        throw Error(path + ": cannot write the trace CSV");
    csv << "step,temperature,mean_energy,min_energy,max_energy\n";
    for (const auto& f : frames)
        csv << f.step << ',' << f.temperature << ',' << f.energies.mean().item<double>() << ','
            << f.energies.min().item<double>() << ',' << f.energies.max().item<double>() << '\n';
    if (!csv.flush())
        throw Error(path + ": writing the trace CSV failed (is the disk full?)");
}


/// Where --energies-npy FILE puts the step numbers and temperatures: FILE.steps.npy.
std::string stepsNpyPath(const std::string& energiesNpy)
{
    return std::filesystem::path(energiesNpy).replace_extension(".steps.npy").string();
}

/// The energies of each recorded step, for redrawing the paper's figure F.1B in a notebook.
void writeEnergiesNpy(const std::string& path, const std::vector<SampleFrame>& frames)
{
    if (frames.empty())
        throw Error(path + ": no step was recorded, so there are no energies to write");
    std::vector<torch::Tensor> rows;
    std::vector<float> steps;
    for (const auto& f : frames) {
        rows.push_back(f.energies.to(torch::kCPU, torch::kFloat32).flatten());
        steps.push_back(static_cast<float>(f.step));
        steps.push_back(static_cast<float>(f.temperature));
    }
    writeNpy(path, torch::stack(rows));
    const int64_t count = static_cast<int64_t>(frames.size());
    writeNpy(stepsNpyPath(path), torch::from_blob(steps.data(), {count, 2}, torch::kFloat32).clone());
}

/// Every file the run writes, with the option that names it: the PNG grid of an image model,
/// the samples' .npy (a point model's defaults to --out with .npy), the trace and the energies.
std::vector<NamedFile> sampleOutputs(const CliArgs& args, bool pictures, const std::string& npy)
{
    std::vector<NamedFile> outputs;
    if (pictures)
        outputs.push_back({"out", args.text("out")});
    outputs.push_back({args.text("npy").empty() ? "out" : "npy", npy});
    outputs.push_back({"trace", args.text("trace")});
    outputs.push_back({"video", args.text("video")});
    if (const std::string energiesNpy = args.text("energies-npy"); !energiesNpy.empty()) {
        outputs.push_back({"energies-npy", energiesNpy});
        outputs.push_back({"energies-npy", stepsNpyPath(energiesNpy)});
    }
    return outputs;
}

/// One --json record per reported step; acceptance is MALA's (null for Langevin and the jump).
Json stepRecord(const SampleFrame& frame, Sampler sampler)
{
    const bool accepts = sampler == Sampler::Mala && !frame.final;
    return Json{{"step", frame.step},
                {"temperature", frame.temperature},
                {"mean_energy", frame.energies.mean().item<double>()},
                {"acceptance", accepts ? Json(frame.acceptance) : Json(nullptr)},
                {"final", frame.final}};
}

// --diagnostics (issue 25): Stan's convergence figures over the steps that hold one temperature.
constexpr int kMinSegmentSteps = 8;    // fewer steps say little, and split chains need 4 draws a half
constexpr int kProjectionCount = 4;    // random directions the images are projected on
constexpr uint64_t kDirectionSeed = 25;  // fixed, not --seed: every run projects on the same directions
constexpr int64_t kMaxDiagnosticsMiB = 256;

/// The steps --diagnostics reads: the longest run of consecutive steps at one temperature (the
/// latest of equally long runs), 1-based and inclusive.
struct ConstantSegment {
    int firstStep = 1;
    int lastStep = 0;
    double temperature = 0.0;
    int steps() const { return lastStep - firstStep + 1; }
};

ConstantSegment longestConstantSegment(const std::vector<double>& temperatures)
{
    ConstantSegment longest;
    const int count = static_cast<int>(temperatures.size());
    int runStart = 0;
    for (int i = 1; i <= count; ++i) {
        if (i < count && temperatures[i] == temperatures[runStart])
            continue;
        if (i - runStart >= longest.steps())
            longest = {runStart + 1, i, temperatures[runStart]};
        runStart = i;
    }
    return longest;
}

/// The segment to diagnose; refuses a schedule without one, and a record that would not fit.
ConstantSegment diagnosticsSegment(const SamplingOptions& options, const SamplerConfig& config)
{
    const ConstantSegment segment = longestConstantSegment(config.schedule.temperatures());
    if (segment.steps() < kMinSegmentSteps)
        throw Error("--diagnostics: the schedule " + options.schedule + " (" +
                    std::to_string(config.schedule.size()) + " steps) holds no temperature for " +
                    std::to_string(kMinSegmentSteps) + " steps or more (its longest hold is " +
                    std::to_string(segment.steps()) + (segment.steps() == 1 ? " step" : " steps") +
                    "); give --schedule a curve file with two points of equal temperature (`ebm schedule --preset "
                    "quick --json` prints one to edit)");
    const int64_t bytes = config.numSamples * segment.steps() * (1 + kProjectionCount) *
                          static_cast<int64_t>(sizeof(double));
    if (bytes > kMaxDiagnosticsMiB * 1024 * 1024)
        throw Error("--diagnostics would keep " + std::to_string(1 + kProjectionCount) + " numbers for each of " +
                    std::to_string(config.numSamples) + " chains at each of the " + std::to_string(segment.steps()) +
                    " steps at T = " + fmt::format("{}", segment.temperature) + " (" + std::to_string(bytes >> 20) +
                    " MiB, over the " + std::to_string(kMaxDiagnosticsMiB) +
                    " MiB allowed); sample fewer chains (--num) or hold the temperature for fewer steps");
    return segment;
}

/// Per chain and per step of the segment: the energy and the projections of the state on
/// kProjectionCount fixed random unit directions, kept on the sampler's device (no read-back
/// per step) and not the images themselves.
class SegmentRecorder {
public:
    explicit SegmentRecorder(const ConstantSegment& segment) : segment_(segment) {}
    void observe(const StepObservation& step);
    const ConstantSegment& segment() const { return segment_; }
    bool complete() const { return recorded_ == segment_.steps(); }
    int64_t chains() const { return draws_.defined() ? draws_.size(1) : 0; }
    /// Quantity q's draws (0 the energy, 1.. the projections), one vector per chain.
    ChainDraws draws(int quantity) const;

private:
    ConstantSegment segment_;
    torch::Tensor directions_;  // [D, kProjectionCount] float64 unit columns, drawn at the segment's start
    torch::Tensor draws_;       // [steps, N, 1 + kProjectionCount] float64
    int recorded_ = 0;
};

void SegmentRecorder::observe(const StepObservation& step)
{
    if (step.step < segment_.firstStep || step.step > segment_.lastStep)
        return;
    const torch::Tensor flat = step.state.flatten(1).to(torch::kFloat64);
    if (!directions_.defined()) {
        at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(kDirectionSeed);
        const torch::Tensor normal = at::randn({flat.size(1), kProjectionCount}, generator,
                                               torch::TensorOptions().dtype(torch::kFloat64));
        directions_ = (normal / normal.norm(2, {0}, true)).to(flat.device());
        draws_ = torch::empty({segment_.steps(), flat.size(0), 1 + kProjectionCount}, flat.options());
    }
    const torch::Tensor row = draws_[step.step - segment_.firstStep];
    row.select(1, 0).copy_(step.energies.flatten());
    row.slice(1, 1).copy_(flat.matmul(directions_));
    ++recorded_;
}

ChainDraws SegmentRecorder::draws(int quantity) const
{
    const torch::Tensor values = draws_.select(2, quantity).t().to(torch::kCPU).contiguous();  // [N, steps]
    ChainDraws chains(static_cast<size_t>(values.size(0)));
    for (int64_t chain = 0; chain < values.size(0); ++chain) {
        const double* begin = values[chain].data_ptr<double>();
        chains[static_cast<size_t>(chain)].assign(begin, begin + values.size(1));
    }
    return chains;
}

/// One quantity's figures, or why there are none (a quantity that never changed, a NaN).
struct QuantityDiagnostics {
    std::string name;
    std::optional<ChainDiagnostics> figures;
    std::string problem;
};

QuantityDiagnostics diagnoseQuantity(std::string name, const ChainDraws& draws)
{
    QuantityDiagnostics result{std::move(name), std::nullopt, ""};
    try {
        result.figures = diagnoseChains(draws);
    } catch (const Error& e) {
        result.problem = e.what();
    }
    return result;
}

/// Lag-1 autocorrelation averaged over the chains whose energy changed (a MALA chain that
/// rejected every step has none to measure); NaN, written as null, when none did.
double meanLag1Autocorrelation(const ChainDraws& energies)
{
    double sum = 0.0;
    int measured = 0;
    for (const std::vector<double>& chain : energies) {
        try {
            sum += autocorrelation(chain, 1)[1];
            ++measured;
        } catch (const Error&) {
            // constant or not finite: this chain has no autocorrelation
        }
    }
    return measured > 0 ? sum / measured : std::numeric_limits<double>::quiet_NaN();
}

/// Stan's verdict, from the rank-normalized R-hat (Vehtari et al. recommend it over the classic).
std::string verdictOf(const ChainDiagnostics& figures)
{
    if (std::isnan(figures.rankRhat))
        return "undefined";
    switch (mixingOf(figures.rankRhat)) {
    case Mixing::Good:
        return "good";
    case Mixing::Doubtful:
        return "doubtful";
    case Mixing::NotMixed:
        break;
    }
    return "not mixed";
}

Json quantityJson(const QuantityDiagnostics& quantity)
{
    const std::optional<ChainDiagnostics>& f = quantity.figures;
    Json json{{"split_rhat", f ? Json(f->splitRhat) : Json(nullptr)},
              {"rank_rhat", f ? Json(f->rankRhat) : Json(nullptr)},
              {"bulk_ess", f ? Json(f->bulkEss) : Json(nullptr)},
              {"verdict", f ? Json(verdictOf(*f)) : Json(nullptr)}};
    if (!f)
        json["problem"] = quantity.problem;
    return json;
}

/// The figures of a completed segment: printed as a table, or as the "diagnostics" of --json.
Json reportDiagnostics(const SegmentRecorder& recorder, bool json)
{
    const ConstantSegment& segment = recorder.segment();
    const ChainDraws energies = recorder.draws(0);
    std::vector<QuantityDiagnostics> quantities{diagnoseQuantity("energy", energies)};
    for (int p = 1; p <= kProjectionCount; ++p)
        quantities.push_back(diagnoseQuantity("projection " + std::to_string(p), recorder.draws(p)));
    const double lag1 = meanLag1Autocorrelation(energies);
    Json report{{"first_step", segment.firstStep}, {"last_step", segment.lastStep}, {"steps", segment.steps()},
                {"temperature", segment.temperature}, {"chains", recorder.chains()}};
    report["energy"] = quantityJson(quantities.front());
    report["energy"]["lag1_autocorrelation"] = lag1;
    report["projections"] = Json::array();
    for (int p = 1; p <= kProjectionCount; ++p) {
        Json projection{{"direction", p}};
        projection.update(quantityJson(quantities[static_cast<size_t>(p)]));
        report["projections"].push_back(std::move(projection));
    }
    if (json)
        return report;
    std::cout << fmt::format("chain diagnostics over steps {}-{} at T = {} ({} chains):\n", segment.firstStep,
                             segment.lastStep, segment.temperature, recorder.chains())
              << fmt::format("{:<14}{:>12}{:>12}{:>10}  {}\n", "quantity", "split R-hat", "rank R-hat", "bulk ESS",
                             "verdict");
    for (const QuantityDiagnostics& q : quantities) {
        if (q.figures)
            std::cout << fmt::format("{:<14}{:>12.4f}{:>12.4f}{:>10.1f}  {}\n", q.name, q.figures->splitRhat,
                                     q.figures->rankRhat, q.figures->bulkEss, verdictOf(*q.figures));
        else
            std::cout << fmt::format("{:<14}{}\n", q.name, q.problem);
    }
    std::cout << fmt::format("energy lag-1 autocorrelation, mean over chains: {:.4f}\n", lag1)
              << fmt::format("verdict (rank R-hat): good below {}, not mixed above {}\n", kRhatGood, kRhatNotMixed);
    return report;
}

// --video (issue 27): the run as an MP4 or animated WebP.
constexpr const char* kVideoSettingOptions[] = {"video-fps", "video-seconds", "video-height"};

/// The video's settings from --video-fps, --video-seconds, --video-height and --cols; the file
/// itself is checked (extension, folder, H.264 encoder) before the run, not after it.
RunVideoSettings videoSettingsFrom(const CliArgs& args, bool pictures, const std::string& model)
{
    const std::string video = args.text("video");
    if (video.empty()) {
        for (const std::string name : kVideoSettingOptions)
            if (args.isSet(name))
                throw Error("--" + name + " sets the video that --video FILE writes, and no --video was given");
        return {};
    }
    if (!pictures)
        throw Error("--video: " + model + " samples points, not pictures; a video needs an image model");
    try {
        checkVideoOutput(video);
    } catch (const Error& e) {
        throw Error(std::string("--video: ") + e.what());
    }
    RunVideoSettings settings;
    settings.fps = static_cast<int>(args.integerIn("video-fps", kMinVideoFps, kMaxVideoFps));
    settings.height = static_cast<int>(args.integerIn("video-height", kMinVideoHeight, kMaxVideoHeight));
    settings.seconds = args.real("video-seconds");
    if (!(settings.seconds > 0.0) || settings.seconds > kMaxVideoSeconds)
        throw Error("--video-seconds must be above 0 and at most " + fmt::format("{}", kMaxVideoSeconds) + ", not " +
                    args.text("video-seconds"));
    settings.cols = args.integer("cols");
    checkRunVideoSettings(settings);
    return settings;
}

/// --json: the run's settings, its outcome and the recorded steps.
Json sampleReport(const OpenedModel& model, const SamplerConfig& config, const SampleResult& result,
                  int stepsRun, double seconds, const std::vector<std::string>& written)
{
    const bool mala = config.sampler == Sampler::Mala;
    return Json{{"model", model.checkpoint.sourcePath},
                {"samples", result.samples.size(0)},
                {"sampler", toString(config.sampler)},
                {"step_size", config.stepSize},
                {"steps", stepsRun},
                {"schedule_steps", static_cast<int>(result.temperatures.size())},
                {"precision", toString(config.precision)},
                {"seconds", seconds},
                {"final_mean_energy", result.meanEnergies.empty() ? Json(nullptr) : Json(result.meanEnergies.back())},
                {"mean_acceptance", mala ? Json(result.meanAcceptance) : Json(nullptr)},
                {"chain_acceptance", mala && result.chainAcceptance.defined() ? tensorToJson(result.chainAcceptance)
                                                                              : Json(nullptr)},
                {"stopped", result.stopped},
                {"files", written}};
}

}  // namespace

int runSample(int argc, char** argv)
{
    CliArgs args("sample", "Draw samples by annealed Langevin dynamics (eq. 8) and the denoising jump (eq. 9).");
    args.options(R"(
--num=64           number of samples
--out=samples.png  PNG grid of the samples (point models: their .npy, unless --npy names one)
--cols=0           grid columns (0 = near square)
--npy=             also write the raw samples [N, C, H, W] as .npy
--trace=           write step,temperature and energy statistics as CSV
--energies-npy=    write every recorded step's energies as .npy [steps, N] (float32), with
                   FILE.steps.npy beside it holding the step numbers and temperatures [steps, 2]
--start=           start from these images (.npy, image folder...) instead of noise
--json             print the run as JSON: settings, mean acceptance (mala) and every recorded step
--diagnostics      R-hat, bulk ESS and the energy's autocorrelation over the longest stretch of steps at
                   one temperature (energies and 4 random projections of the images, per chain)
--video=           also write the run as a video, FILE.mp4 (H.264) or FILE.webp (animated): the grid at
                   evenly spaced steps with the step and temperature, the final samples held at the end
)");
    args.option("video-fps", std::to_string(kDefaultVideoFps), "the video's frames a second")
        .option("video-seconds", fmt::format("{}", kDefaultVideoSeconds),
                "the video's duration: the recorded steps are spread over it")
        .option("video-height", std::to_string(kDefaultVideoHeight),
                "the video's height in pixels, caption included (the grid is scaled up by whole pixels)");
    args.option("sampler", toString(kDefaultSampler),
                "langevin (eq. 8, every step taken) or mala (Metropolis-adjusted: each chain's step accepted "
                "or rejected, unbiased at large step sizes)");
    addSamplingOptions(args);
    addSettingsFromOption(args);
    ModelCommand command = startModelCommand(args, argc, argv);
    OpenedModel& model = command.model;
    // Points (an mlp model) make no picture: they go to .npy, beside --out unless --npy names one.
    const bool pictures = model.net->config().isImageModel();
    std::string npy = args.text("npy");
    if (!pictures && npy.empty())
        npy = std::filesystem::path(args.text("out")).replace_extension(".npy").string();
    refuseSharedFiles({{"model", model.path}, {"start", args.text("start")}, {"schedule", args.text("schedule")},
                       {"settings-from", args.text("settings-from")}},
                      sampleOutputs(args, pictures, npy));
    const RunVideoSettings videoSettings = videoSettingsFrom(args, pictures, model.net->config().describe());
    const std::string video = args.text("video");
    SamplingOptions options = samplingOptionsFrom(args);
    options.sampler = samplerFrom(args);
    options.numSamples = args.integerIn("num", 1, kMaxSamplesPerRun);
    applySettingsFrom(args, model, options);  // --settings-from: the picture's, where no option is given
    SamplerConfig config = makeSamplerConfig(options, model.sigma0);
    std::optional<SegmentRecorder> recorder;
    if (args.isSet("diagnostics")) {
        recorder.emplace(diagnosticsSegment(options, config));
        config.onStep = [&recorder](const StepObservation& step) { recorder->observe(step); };
    }
    // The video keeps 8-bit copies of the states at evenly spaced steps, as they are measured
    // (Langevin's first is the starting noise), then the samples at the end.
    std::optional<RunVideoRecorder> videoRecorder;
    if (!video.empty()) {
        std::vector<int64_t> shape = model.net->config().sampleShape();
        shape.insert(shape.begin(), config.numSamples);
        try {
            videoRecorder.emplace(config.schedule.size(), shape);
        } catch (const Error& e) {
            throw Error(std::string("--video: ") + e.what());
        }
        if (config.numSamples > kMaxVideoSamples)
            spdlog::info("the video shows the first {} of the {} samples", kMaxVideoSamples, config.numSamples);
        config.onStep = [diagnose = config.onStep, &videoRecorder](const StepObservation& step) {
            if (diagnose)
                diagnose(step);
            videoRecorder->observe(step.step, step.temperature, step.state);
        };
    }
    torch::Tensor start;
    if (!args.text("start").empty())
        start = limitRows(openInput(args.text("start"), model.net->config()).data, config.numSamples);
    stopOnInterrupt();
    ProgressBar bar("sample");
    std::vector<SampleFrame> frames;
    const bool keepFrames = !args.text("trace").empty() || !args.text("energies-npy").empty();
    const auto started = std::chrono::steady_clock::now();
    // The steps actually run: Ctrl-C stops the run at a reported step, short of the schedule.
    int stepsDone = 0;
    const bool json = args.isSet("json");
    Json records = Json::array();
    const FrameCallback drawProgress = progressCallback(bar, keepFrames ? &frames : nullptr);
    const FrameCallback countSteps = [&](const SampleFrame& frame) {
        if (!frame.final)
            stepsDone = frame.step;
        if (json)
            records.push_back(stepRecord(frame, config.sampler));
        return drawProgress(frame);
    };
    SampleResult result = annealedLangevin(*model.net, config, start, countSteps);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    bar.finish();
    const int scheduleSteps = static_cast<int>(result.temperatures.size());
    if (result.stopped)
        spdlog::warn("interrupted after {} of {} steps: writing the state reached so far (no denoising jump)",
                     stepsDone, scheduleSteps);
    const torch::Tensor samples = result.samples.to(torch::kCPU);
    std::vector<std::string> written;
    if (pictures) {
        saveSampleOutputs(samples, args.text("out"), args.integer("cols"),
                          sampleSettings(args, model, options, config, samples.size(0)));
        written.push_back(args.text("out"));
    }
    if (!npy.empty()) {
        writeNpy(npy, samples);
        written.push_back(npy);
    }
    if (!args.text("trace").empty()) {
        writeTraceCsv(args.text("trace"), frames);
        written.push_back(args.text("trace"));
    }
    if (const std::string energiesNpy = args.text("energies-npy"); !energiesNpy.empty()) {
        writeEnergiesNpy(energiesNpy, frames);
        written.push_back(energiesNpy + " [" + std::to_string(frames.size()) + " steps x " +
                          std::to_string(samples.size(0)) + " samples]");
    }
    if (videoRecorder) {
        const bool denoised = config.finalDenoise && !result.stopped;
        const int endStep = result.stopped ? stepsDone : scheduleSteps;
        const double endTemperature =
            denoised || endStep < 1 ? 0.0 : result.temperatures[static_cast<size_t>(endStep - 1)];
        videoRecorder->finish(endStep, endTemperature, samples, denoised);
        const RunVideoSummary summary = writeRunVideo(video, videoRecorder->frames(), videoSettings);
        spdlog::info("{}: {} frames of {}x{} at {} frames a second, from {} recorded steps (every {}){}", video,
                     summary.frames, summary.width, summary.height, videoSettings.fps,
                     videoRecorder->frames().size(), videoRecorder->period(),
                     summary.captions ? "" : ", without captions");
        written.push_back(video);
    }
    std::string files;
    for (const std::string& f : written)
        files += (files.empty() ? "" : ", ") + f;
    const std::string stepsRun = result.stopped ? std::to_string(stepsDone) + " of " + std::to_string(scheduleSteps)
                                                : std::to_string(scheduleSteps);
    Json report = sampleReport(model, config, result, result.stopped ? stepsDone : scheduleSteps, seconds, written);
    if (recorder && !recorder->complete())
        spdlog::warn("no chain diagnostics: the run stopped before the end of steps {}-{}",
                     recorder->segment().firstStep, recorder->segment().lastStep);
    if (recorder)
        report["diagnostics"] = recorder->complete() ? reportDiagnostics(*recorder, json) : Json(nullptr);
    report["records"] = std::move(records);
    if (json)
        printJsonLine(report);
    if (config.sampler == Sampler::Mala)
        spdlog::info("mala: {:.1f}% of the proposed steps accepted", 100.0 * result.meanAcceptance);
    spdlog::info("{} samples from {} in {} steps ({:.1f} s sampling, {}); final mean energy {:.4g}; wrote {}",
                 samples.size(0), model.net->config().describe(), stepsRun, seconds,
                 toString(config.precision),
                 result.meanEnergies.empty() ? 0.0 : result.meanEnergies.back(), files);
    return result.stopped ? interruptedExitStatus() : 0;
}

}  // namespace ebm::cli
