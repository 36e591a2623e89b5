// ebm sweep (issue 27): one labelled picture of a grid of sampling runs over one or two settings.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>


#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/eval/evaluation_pipeline.h"
#include "ebm/io/dataset.h"
#include "ebm/io/image_file.h"
#include "ebm/io/model_file.h"
#include "ebm/nn/runtime.h"
#include "ebm/sample/sweep.h"
#include "command_support.h"
#include "commands.h"
#include "settings_from_image.h"

namespace ebm::cli {

namespace {

/// The axes' options, columns first.
constexpr const char* kAxisOptions[] = {"x", "y"};

/// The axes of --x and --y (given), each refused in one line naming its option.
std::vector<SweepAxis> axesFrom(const CliArgs& args)
{
    if (args.text("x").empty())
        throw Error("give the columns' setting and values with --x, e.g. --x step-size=0.01,0.02,0.04");
    std::vector<SweepAxis> axes;
    for (const std::string option : kAxisOptions) {
        if (args.text(option).empty())
            continue;
        try {
            axes.push_back(parseSweepAxis(args.text(option)));
        } catch (const Error& e) {
            throw Error("--" + option + ": " + e.what());
        }
    }
    return axes;
}

/// The model files a model axis names, as inputs no output may overwrite.
std::vector<NamedFile> inputFiles(const CliArgs& args, const std::vector<SweepAxis>& axes, const OpenedModel& model)
{
    std::vector<NamedFile> inputs{{"model", model.path}, {"schedule", args.text("schedule")}};
    if (args.isSet("evaluate"))
        for (const NamedFile& file : namedFiles(args, {"data", "classifier"}))
            inputs.push_back(file);
    for (size_t axis = 0; axis < axes.size(); ++axis)
        if (axes[axis].setting == SweepSetting::Model)
            for (const std::string& path : axes[axis].values)
                inputs.push_back({kAxisOptions[axis], path});
    return inputs;
}

void refuseAnythingButPictures(const OpenedModel& model)
{
    if (!model.net->config().isImageModel())
        throw Error(model.path + " samples points (" + model.net->config().describe() +
                    "), and a sweep draws pictures; give an image model (res6, res12 or res18)");
}

/// A value of an axis as the JSON report gives it: a number for the numeric settings.
Json valueJson(SweepSetting setting, const std::string& text)
{
    switch (setting) {
    case SweepSetting::StepSize:
    case SweepSetting::TemperatureScale:
        return std::stod(text);  // checked by parseSweepAxis
    case SweepSetting::Steps:
    case SweepSetting::Seed:
        return std::stoll(text);
    case SweepSetting::Sampler:
    case SweepSetting::Precision:
    case SweepSetting::Model:
        break;
    }
    return text;
}

Json axesJson(const std::vector<SweepAxis>& axes)
{
    Json json = Json::array();
    for (const SweepAxis& axis : axes) {
        Json values = Json::array();
        for (const std::string& value : axis.values)
            values.push_back(valueJson(axis.setting, value));
        json.push_back({{"name", axis.name()}, {"values", values}});
    }
    return json;
}

/// What the picture keeps (issue 27): the settings every cell shares, the number of samples a
/// cell and the axes ("sweep": {"x": ..., "y": ...}; model files by name and SHA-256).
std::string sweepSettings(const OpenedModel& model, const SweepPlan& plan)
{
    Json details = samplingSettings(plan.base, makeSamplerConfig(plan.base, model.sigma0));
    details["samples"] = plan.base.numSamples;
    Json sweep = Json::object();
    for (size_t axis = 0; axis < plan.axes.size(); ++axis) {
        const SweepAxis& a = plan.axes[axis];
        Json entry{{"setting", a.name()}, {"values", axesJson({a})[0]["values"]}};
        if (a.setting == SweepSetting::Model) {
            entry["files"] = Json::array();
            for (const std::string& path : a.values)
                entry["files"].push_back(fileFingerprint(path));
        }
        sweep[kAxisOptions[axis]] = entry;
    }
    details["sweep"] = sweep;
    return pictureSettings("sweep", &model, details);
}

/// A folder of its own for the files an evaluation reads, removed with the object.
class ScratchFolder {
public:
    ScratchFolder()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "ebm-sweep-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw Error("cannot make a temporary folder for the evaluation in " +
                        std::filesystem::temp_directory_path().string() + "; set TMPDIR to a folder you can write");
        path_ = pattern;
    }
    ~ScratchFolder()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    std::string file(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

private:
    std::string path_;
};

/// --evaluate: the evaluation protocol's sample-quality figures of one cell (FID-like and
/// inception-like, against --data, in --classifier's feature space).
Json evaluateCell(const CliArgs& args, const SweepCell& cell, const OpenedModel& model, torch::Device device,
                  const ScratchFolder& scratch)
{
    const std::string samples = scratch.file("cell.npy");
    writeNpy(samples, cell.samples);
    EvaluationRequest request;
    request.fid = true;
    request.inceptionLike = true;
    request.neighbours = false;
    request.ais = false;
    request.samplesPath = samples;
    request.data = args.text("data");
    request.classifierPath = args.text("classifier");
    request.device = device;
    const EvaluationReport report = runEvaluation(request, model, [](EvaluationStage, int, int, double, const std::string&) {
        return !g_interrupted.load();
    });
    const Json figures = Json::parse(evaluationJson(report));
    Json kept = Json::object();
    for (const char* key : {"features", "fid", "is", "classes"})
        if (figures.contains(key))
            kept[key] = figures[key];
    return kept;
}

/// One cell of the --json report.
Json cellJson(const SweepPlan& plan, const SweepCell& cell)
{
    const bool finite = std::isfinite(cell.meanFinalEnergy);
    Json json{{"x", valueJson(plan.axes[0].setting, cell.values[0])},
              {"y", plan.axes.size() > 1 ? valueJson(plan.axes[1].setting, cell.values[1]) : Json(nullptr)},
              {"column", cell.column},
              {"row", cell.row},
              {"mean_final_energy", finite ? Json(cell.meanFinalEnergy) : Json(nullptr)},
              {"seconds", cell.seconds},
              {"steps", cell.temperatures.size()},
              {"step_size", cell.stepSize},
              {"seed", cell.options.seed},
              {"sampler", toString(cell.options.sampler)},
              {"precision", toString(cell.options.precision)},
              {"stopped", cell.stopped}};
    if (!cell.model.empty())
        json["model"] = cell.model;
    if (!cell.problem.empty())
        json["problem"] = cell.problem;
    return json;
}

}  // namespace

int runSweep(int argc, char** argv)
{
    CliArgs args("sweep",
                 "Sample a grid of runs over one or two settings, every cell from the same seed, into one labelled "
                 "picture.\nSettings: step-size, steps (the schedule's length), temperature-scale (the schedule's "
                 "temperatures multiplied), seed, sampler (langevin, mala), precision, model (files).\n"
                 "Exit status 3: a cell's energies were not finite (its figures are null).");
    args.options(R"(
--x=               the columns: SETTING=V1,V2,... (e.g. step-size=0.01,0.02,0.04)
--y=               the rows, as --x (optional)
--num=8            samples in each cell
--out=sweep.png    the labelled picture (PNG: it keeps the settings and the axes)
--cols=0           columns of each cell's grid (0 = near square)
--scale=1          every pixel of the samples drawn SCALE x SCALE (the labels keep their size)
--json             print the sweep as JSON: the axes and each cell's mean final energy and seconds
--estimate-only    print the estimated total time (a few timed steps) and exit without sampling
--evaluate         each cell's sample quality as the evaluation protocol measures it (FID-like and
                   inception-like figures against --data, in --classifier's feature space)
--data=fashion-mnist  the reference images of --evaluate
--classifier=      the feature network of --evaluate (default: the bundled one)
)");
    args.option("sampler", toString(kDefaultSampler), "langevin or mala, unless an axis sweeps it");
    addSamplingOptions(args);
    ModelCommand command = startModelCommand(args, argc, argv);
    OpenedModel& model = command.model;
    refuseAnythingButPictures(model);

    SweepPlan plan;
    plan.axes = axesFrom(args);
    plan.base = samplingOptionsFrom(args);
    plan.base.sampler = samplerFrom(args);
    plan.base.numSamples = args.integerIn("num", 1, kMaxSweepSamples);
    validate(plan);
    const bool estimateOnly = args.isSet("estimate-only");
    const bool evaluate = args.isSet("evaluate");
    if (evaluate && plan.base.numSamples < 2)
        throw Error("--evaluate needs at least 2 samples a cell (a covariance), not --num " +
                    std::to_string(plan.base.numSamples));
    const std::string out = args.text("out");
    refuseSharedFiles(inputFiles(args, plan.axes, model), estimateOnly ? std::vector<NamedFile>{}
                                                                       : std::vector<NamedFile>{{"out", out}});
    LabelledGridOptions pictureOptions;
    pictureOptions.cellColumns = args.integer("cols");
    pictureOptions.scale = static_cast<int>(args.integerIn("scale", 1, kMaxLabelledGridScale));

    // The models of a model axis, kept for --evaluate; opened on the same device and weights.
    std::map<std::string, OpenedModel> axisModels;
    const SweepModelOpener opener = [&](const std::string& path) {
        OpenedModel opened = openModel(path, command.device, weightChoiceFrom(args));
        refuseAnythingButPictures(opened);
        const OpenedModel& kept = axisModels[path] = std::move(opened);
        return SweepModel{kept.net.get(), kept.sigma0, kept.net};
    };
    const Sweep sweep(plan, SweepModel{model.net.get(), model.sigma0, model.net}, opener);

    stopOnInterrupt();
    const SweepEstimate estimate = sweep.estimate(&g_interrupted);
    if (estimateOnly) {
        if (args.isSet("json"))
            printJsonLine(Json{{"estimated_seconds", estimate.seconds},
                               {"cells", estimate.cells},
                               {"total_steps", estimate.totalSteps},
                               {"axes", axesJson(plan.axes)}});
        else
            std::cout << fmt::format("estimated total time: {} for {} cells, {} steps in all\n",
                                     formatDuration(estimate.seconds), estimate.cells, estimate.totalSteps);
        return g_interrupted.load() ? interruptedExitStatus() : 0;
    }
    if (g_interrupted.load())
        return interruptedExitStatus();  // before any cell: nothing to write
    spdlog::info("sweeping {} cells of {} samples ({} steps in all): about {}", estimate.cells, plan.base.numSamples,
                 estimate.totalSteps, formatDuration(estimate.seconds));

    ProgressBar bar("sweep");
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
    // What is left, at the rate measured so far (the estimate's before the first step).
    const int64_t totalSteps = sweep.totalSteps();
    const auto secondsLeft = [&](int64_t done) {
        const double rate = done > 0 ? elapsed() / double(done) : estimate.seconds / double(std::max<int64_t>(1, totalSteps));
        return rate * double(totalSteps - done);
    };
    int64_t stepsDone = 0;
    const SweepProgressCallback progress = [&](const SweepProgress& p) {
        stepsDone = p.stepsDone;
        bar.update(double(p.stepsDone) / double(std::max<int64_t>(1, p.totalSteps)),
                   fmt::format("cell {}/{}  step {}/{}", p.cell + 1, p.cells, p.step, p.steps), secondsLeft(p.stepsDone));
    };
    // A line for each cell as it ends: its values, its energy, and what is left.
    int cellsRun = 0;
    const SweepCellCallback cellEnded = [&](const SweepCell& cell) {
        bar.finish();
        const std::string label = sweepCellLabel(plan, cellsRun++);
        if (!cell.problem.empty())
            spdlog::warn("cell {}/{} ({}): {}; its mean final energy is written as null", cellsRun, plan.cells(),
                         label, cell.problem);
        else if (!cell.stopped)
            spdlog::info("cell {}/{} ({}): mean final energy {:.4g} in {:.1f} s; about {} left", cellsRun,
                         plan.cells(), label, cell.meanFinalEnergy, cell.seconds, formatDuration(secondsLeft(stepsDone)));
    };
    const SweepResult result = sweep.run(progress, &g_interrupted, cellEnded);
    if (result.stopped)
        spdlog::warn("interrupted in cell {} of {}: writing the cells that ran to their end",
                     result.cells.size(), plan.cells());

    const LabelledGrid picture = sweepPicture(plan, result, pictureOptions);
    writeImage(out, picture.toTensor(), sweepSettings(model, plan));

    Json cells = Json::array();
    bool allFinite = true;
    {
        std::optional<ScratchFolder> scratch;
        for (size_t i = 0; i < result.cells.size(); ++i) {
            const SweepCell& cell = result.cells[i];
            Json json = cellJson(plan, cell);
            allFinite = allFinite && (cell.stopped || std::isfinite(cell.meanFinalEnergy));
            if (evaluate && cell.samples.defined() && !cell.stopped && !g_interrupted.load()) {
                if (!scratch)
                    scratch.emplace();
                const OpenedModel& cellModel = cell.model.empty() ? model : axisModels.at(cell.model);
                spdlog::info("evaluating cell {}/{} ({})", i + 1, plan.cells(), sweepCellLabel(plan, int(i)));
                try {
                    json["evaluation"] = evaluateCell(args, cell, cellModel, command.device, *scratch);
                } catch (const Cancelled&) {
                    spdlog::warn("interrupted while evaluating: the cells from {} on have no evaluation", i + 1);
                }
            }
            cells.push_back(std::move(json));
        }
    }
    if (args.isSet("json"))
        printJsonLine(Json{{"model", model.path},
                           {"samples_per_cell", plan.base.numSamples},
                           {"axes", axesJson(plan.axes)},
                           {"estimated_seconds", estimate.seconds},
                           {"seconds", result.seconds},
                           {"stopped", result.stopped},
                           {"labels", picture.labelsDrawn},
                           {"cells", cells},
                           {"files", std::vector<std::string>{out}}});
    spdlog::info("{} of {} cells in {:.1f} s ({} estimated); wrote {} ({}x{}{})", result.cells.size(), plan.cells(),
                 result.seconds, formatDuration(estimate.seconds), out, picture.width, picture.height,
                 picture.labelsDrawn ? "" : ", without labels");
    if (result.stopped || g_interrupted.load())
        return interruptedExitStatus();
    return allFinite ? 0 : kNonFiniteExitStatus;
}

}  // namespace ebm::cli
