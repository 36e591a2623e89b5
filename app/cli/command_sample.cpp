// ebm sample
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>
#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/io/image_file.h"
#include "ebm/io/model_file.h"
#include "ebm/io/tensor_json.h"
#include "command_support.h"
#include "commands.h"

namespace ebm::cli {

namespace {
void saveSampleOutputs(const torch::Tensor& samples, const std::string& png, int cols)
{
    if (samples.dim() != 4)
        return;
    writeImage(png, makeGrid(samples.clamp(0, 1), cols));
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
    if (const std::string energiesNpy = args.text("energies-npy"); !energiesNpy.empty()) {
        outputs.push_back({"energies-npy", energiesNpy});
        outputs.push_back({"energies-npy", stepsNpyPath(energiesNpy)});
    }
    return outputs;
}

Sampler samplerFrom(const CliArgs& args)
{
    try {
        return parseSampler(args.text("sampler"));
    } catch (const Error& e) {
        throw Error(std::string("--sampler: ") + e.what());
    }
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

/// --json: the run's settings, its outcome and the recorded steps.
Json sampleReport(const OpenedModel& model, const SamplerConfig& config, const SampleResult& result,
                  int stepsRun, double seconds, const std::vector<std::string>& written, Json records)
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
                {"files", written},
                {"records", std::move(records)}};
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
)");
    args.option("sampler", toString(kDefaultSampler),
                "langevin (eq. 8, every step taken) or mala (Metropolis-adjusted: each chain's step accepted "
                "or rejected, unbiased at large step sizes)");
    addSamplingOptions(args);
    ModelCommand command = startModelCommand(args, argc, argv);
    OpenedModel& model = command.model;
    // Points (an mlp model) make no picture: they go to .npy, beside --out unless --npy names one.
    const bool pictures = model.net->config().isImageModel();
    std::string npy = args.text("npy");
    if (!pictures && npy.empty())
        npy = std::filesystem::path(args.text("out")).replace_extension(".npy").string();
    refuseSharedFiles({{"model", model.path}, {"start", args.text("start")}, {"schedule", args.text("schedule")}},
                      sampleOutputs(args, pictures, npy));
    SamplingOptions options = samplingOptionsFrom(args);
    options.sampler = samplerFrom(args);
    options.numSamples = args.integerIn("num", 1, kMaxSamplesPerRun);
    const SamplerConfig config = makeSamplerConfig(options, model.sigma0);
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
        saveSampleOutputs(samples, args.text("out"), args.integer("cols"));
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
    std::string files;
    for (const std::string& f : written)
        files += (files.empty() ? "" : ", ") + f;
    const std::string stepsRun = result.stopped ? std::to_string(stepsDone) + " of " + std::to_string(scheduleSteps)
                                                : std::to_string(scheduleSteps);
    if (json)
        printJsonLine(sampleReport(model, config, result, result.stopped ? stepsDone : scheduleSteps, seconds,
                                   written, std::move(records)));
    if (config.sampler == Sampler::Mala)
        spdlog::info("mala: {:.1f}% of the proposed steps accepted", 100.0 * result.meanAcceptance);
    spdlog::info("{} samples from {} in {} steps ({:.1f} s sampling, {}); final mean energy {:.4g}; wrote {}",
                 samples.size(0), model.net->config().describe(), stepsRun, seconds,
                 toString(config.precision),
                 result.meanEnergies.empty() ? 0.0 : result.meanEnergies.back(), files);
    return result.stopped ? interruptedExitStatus() : 0;
}

}  // namespace ebm::cli
