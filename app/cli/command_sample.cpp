// ebm sample
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
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
#include "ebm/sample/chain_recorder.h"
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

// --diagnostics (issue 25): Stan's convergence figures over the steps that hold one temperature
// (ebm/sample/chain_recorder.h).

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
    const int64_t bytes = chainRecordBytes(config.numSamples, segment);
    if (bytes > kMaxChainRecordMiB * 1024 * 1024)
        throw Error("--diagnostics would keep " + std::to_string(1 + kProjectionCount) + " numbers for each of " +
                    std::to_string(config.numSamples) + " chains at each of the " + std::to_string(segment.steps()) +
                    " steps at T = " + fmt::format("{}", segment.temperature) + " (" + std::to_string(bytes >> 20) +
                    " MiB, over the " + std::to_string(kMaxChainRecordMiB) +
                    " MiB allowed); sample fewer chains (--num) or hold the temperature for fewer steps");
    return segment;
}

Json quantityJson(const QuantityDiagnostics& quantity)
{
    const std::optional<ChainDiagnostics>& f = quantity.figures;
    Json json{{"split_rhat", f ? Json(f->splitRhat) : Json(nullptr)},
              {"rank_rhat", f ? Json(f->rankRhat) : Json(nullptr)},
              {"bulk_ess", f ? Json(f->bulkEss) : Json(nullptr)},
              {"verdict", f ? Json(quantity.verdict) : Json(nullptr)}};
    if (!f)
        json["problem"] = quantity.problem;
    return json;
}

/// The figures of a completed segment: printed as a table, or as the "diagnostics" of --json.
Json reportDiagnostics(const ChainRecorder& recorder, bool json)
{
    const ChainReport diagnostics = chainReport(recorder);
    const ConstantSegment& segment = diagnostics.segment;
    const std::vector<QuantityDiagnostics>& quantities = diagnostics.quantities;
    const double lag1 = diagnostics.energyLag1Autocorrelation;
    Json report{{"first_step", segment.firstStep}, {"last_step", segment.lastStep}, {"steps", segment.steps()},
                {"temperature", segment.temperature}, {"chains", diagnostics.chains}};
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
                             segment.lastStep, segment.temperature, diagnostics.chains)
              << fmt::format("{:<14}{:>12}{:>12}{:>10}  {}\n", "quantity", "split R-hat", "rank R-hat", "bulk ESS",
                             "verdict");
    for (const QuantityDiagnostics& q : quantities) {
        if (q.figures)
            std::cout << fmt::format("{:<14}{:>12.4f}{:>12.4f}{:>10.1f}  {}\n", q.name, q.figures->splitRhat,
                                     q.figures->rankRhat, q.figures->bulkEss, q.verdict);
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
    std::optional<ChainRecorder> recorder;
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
