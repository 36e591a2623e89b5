// ebm train
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "ebm/io/pytorch_import.h"
#include "ebm/train/distributed.h"
#include "ebm/train/progress_events.h"
#include "ebm/train/trainer.h"
#include "command_support.h"
#include "commands.h"
#include "distributed_launch.h"

namespace ebm::cli {
namespace {

// Bounds that keep a typo from asking for more than any machine has: the paper trains
// Res12-64 for 100,000 steps of batch 128.
constexpr long long kMaxBatch = 65536;
constexpr long long kMaxTrainSteps = 1000000000;

/// --channels for picture folders: gray or RGB.
int pictureChannels(const CliArgs& args)
{
    const long long channels = args.integerIn("channels", 1, 3);
    if (channels == 2)
        throw Error("--channels must be 1 (gray) or 3 (RGB), not 2");
    return static_cast<int>(channels);
}

/// A data set named by a path is stored absolute, so that --resume finds it from any folder.
std::string absoluteIfPath(const std::string& spec)
{
    std::error_code ec;
    if (spec.rfind("toy:", 0) == 0 || !std::filesystem::exists(spec, ec))
        return spec;  // a data set name (fashion-mnist) or something openAnyDataset will explain
    const std::filesystem::path absolute = std::filesystem::absolute(spec, ec);
    return ec ? spec : absolute.lexically_normal().string();
}

/// Checkpoints written before data set paths were stored absolute name them relative to the
/// folder training ran in: try the checkpoint's own folder when the name does not resolve here.
std::string datasetBesideCheckpoint(const std::string& spec, const std::string& checkpointPath)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (spec.empty() || spec.rfind("toy:", 0) == 0 || fs::path(spec).is_absolute() || fs::exists(spec, ec))
        return spec;
    const fs::path beside = fs::path(checkpointPath).parent_path() / spec;
    return fs::exists(beside, ec) ? beside.lexically_normal().string() : spec;
}

/// --progress-json: the run as one JSON object per line on standard output, for programs that
/// drive `ebm train` (the studio's multi-process runs); ebm/train/progress_events.h defines the
/// lines. Logs stay on standard error.
class ProgressLines {
public:
    explicit ProgressLines(bool on) : on_(on) {}
    bool isOn() const { return on_; }

    /// Steps arrive as fast as the trainer makes them: lines are buffered and flushed at most
    /// ten times a second, and always when `now` is set (events a reader waits for).
    void write(const TrainProgressEvent& event, bool now = false)
    {
        if (!on_)
            return;
        const std::string text = toJsonLine(event) + '\n';
        std::fwrite(text.data(), 1, text.size(), stdout);
        const auto time = std::chrono::steady_clock::now();
        if (now || time - lastFlush_ >= kFlushInterval) {
            std::fflush(stdout);
            lastFlush_ = time;
        }
    }

private:
    static constexpr std::chrono::milliseconds kFlushInterval{100};
    bool on_;
    std::chrono::steady_clock::time_point lastFlush_{};
};

void addTrainOptions(CliArgs& args)
{
    args.options(R"(
--data=fashion-mnist     data set: fashion-mnist, an MNIST IDX folder, CIFAR-10 batch/folder, image folder,
                         .npy, or toy:NAME (8gaussians, rings, swissroll, moons, checkerboard, spirals)
--arch=res12             res6, res12, res18 or mlp
--width=64               filters of the first layer (ResNets) / hidden width (mlp)
--layers=3               hidden layers (mlp)
--head=quadratic         quadratic (eq. 12) or linear
--image-size=32          image side in pixels (28, 32, 64)
--channels=3             channels of images read from an image folder (1 = gray, 3 = RGB)
--sigma-min=0.1          smallest training noise level
--sigma-max=3            largest training noise level
--spread=geometric       linear, geometric, or single (the one-sigma DSM baseline at sigma-max)
--sigma0=0.1             kernel width sigma0 of eq. 7
--batch=128              batch size
--steps=100000           optimisation steps
--lr=1e-4                learning rate
--lr-schedule=cosine     cosine (decay to --final-lr) or constant
--final-lr=1e-6          learning rate at the end of a cosine schedule
--beta1=0.9              Adam beta1
--beta2=0.95             Adam beta2
--seed=1                 random seed (weights, data order, noise)
--ema=0                  keep a moving average of the weights with this decay (0 = off, 0.999 is usual);
                         sampling, energies and evaluation then use it. With --resume: switch it on or off
--precision=float32      arithmetic of each step: float32; tf32 (CUDA's matrix units, Ampere and later); or
                         bf16 (bfloat16 autocast for convolutions and matrix products: CUDA, or CPUs with
                         AVX-512 BF16/AMX). Weights, optimizer and loss stay float32. May change at --resume
--out=model.ebm          final checkpoint (also written on Ctrl-C); an existing file is refused unless
                         --force is given or the run resumes that file
--force                  replace an existing --out file
--checkpoint-every=5000  write --out every N steps (0 = only at the end)
--resume=                continue a native checkpoint exactly where it stopped (it goes on writing that file
                         unless --out is given); --steps, --lr, --final-lr, --ema, --precision and
                         --checkpoint-every may be changed, and --data names the data set when it has moved
                         (same item shape); the options that define the run (--arch, --batch, the noise...)
                         are refused
--init=                  fine-tune: start from this checkpoint's weights (native or PyTorch .pt) with a fresh
                         optimizer and learning-rate schedule; the architecture comes from the file
--loss-csv=              write step,loss,lr per step to this CSV file
--log-every=100          print a log line every N steps when not on a terminal
--progress-json          print the run as JSON lines on standard output (start, every step, checkpoints, end)
)");
}

/// The options that define a run. A resumed run keeps the values its checkpoint stored, so one
/// of them given with --resume would be ignored without a word: it is refused instead.
constexpr const char* kFixedAtResume[] = {"arch",   "width",  "layers", "head",  "image-size",  "channels",
                                          "sigma-min", "sigma-max", "spread", "sigma0", "batch", "lr-schedule",
                                          "beta1",  "beta2",  "seed"};

/// Refuses, in one line naming them, the options of kFixedAtResume given with --resume.
void refuseFixedOptionsAtResume(const CliArgs& args)
{
    const std::string resume = args.text("resume");
    std::vector<std::string> given;
    for (const char* option : kFixedAtResume)
        if (args.isSet(option))
            given.push_back(std::string("--") + option);
    if (resume.empty() || given.empty())
        return;
    std::string list;
    for (size_t i = 0; i < given.size(); ++i)
        list += (i == 0 ? "" : i + 1 == given.size() ? " and " : ", ") + given[i];
    throw Error(list + " cannot change when resuming " + resume + ", which goes on with the settings it stored; " +
                "leave " + (given.size() == 1 ? "it" : "them") + " out, or start a new run from its weights with " +
                "--init " + resume);
}

/// The file the run writes: --out, or the file it resumes when --out is not given.
NamedFile trainOutput(const CliArgs& args)
{
    const std::string resume = args.text("resume");
    const bool outGiven = args.isSet("out") || resume.empty();
    return NamedFile{outGiven ? "out" : "resume", outGiven ? args.text("out") : resume};
}

/// Refuses, before any rank starts, a run that would destroy a file it was not asked to: an output
/// that is one of the run's inputs or the other output, or an existing --out file (a finished
/// model) without --force. A resumed run goes on writing the file it resumes: that is no loss.
void refuseOverwrites(const CliArgs& args)
{
    const std::string resume = args.text("resume");
    const NamedFile out = trainOutput(args);
    const bool outGiven = out.option == "out";
    const bool continuesOut = !resume.empty() && (!outGiven || sameExistingFile(resume, out.path));
    std::vector<NamedFile> inputs = namedFiles(args, {"data", "init"});
    if (!continuesOut)
        inputs.push_back({"resume", resume});
    refuseSharedFiles(inputs, {out, {"loss-csv", args.text("loss-csv")}});
    if (!continuesOut && !args.isSet("force") && isExistingFile(out.path))
        throw Error(out.path + " exists; give --force to replace it, or --resume " + out.path + " to continue it");
}

/// Data-parallel: this process is one rank; rank 0 speaks for the run, the others only warn.
/// Empty for a run of one process. A CUDA rank moves `device` to its local rank's GPU.
std::shared_ptr<Distributed> joinRankGroup(const CliArgs& args, torch::Device& device)
{
    const DistributedOptions distributed = distributedOptionsFrom(args);
    if (!distributed.isDistributed())
        return nullptr;
    if (distributed.rank != 0)
        spdlog::set_level(spdlog::level::warn);
    if (device.is_cuda())
        device = torch::Device(torch::kCUDA,
                               static_cast<c10::DeviceIndex>(distributed.localRank % torch::cuda::device_count()));
    return Distributed::join(distributed, device);
}

/// The trainer a run starts with, and the size of its data set (the start event reports it).
struct PreparedTrainer {
    std::unique_ptr<Trainer> trainer;
    int64_t datasetItems = 0;
};

/// Settings changed at a resume are kept in the run's history ("step 5000: --lr 0.0001 -> 5e-05").
template <typename Value>
void recordResumeChange(Checkpoint& cp, const char* option, const Value& from, const Value& to)
{
    std::ostringstream change;
    change << "step " << cp.step << ": --" << option << ' ' << from << " -> " << to;
    cp.train.history += (cp.train.history.empty() ? "" : "; ") + change.str();
    spdlog::info("{}", change.str());
}

/// --steps, --lr, --final-lr, --precision and --checkpoint-every given at a resume.
void applyResumeChanges(const CliArgs& args, Checkpoint& cp)
{
    if (args.isSet("steps"))
        cp.train.steps = args.integerIn("steps", 1, kMaxTrainSteps);
    auto recordChange = [&](const char* option, const auto& from, const auto& to) {
        recordResumeChange(cp, option, from, to);
    };
    if (args.isSet("checkpoint-every")) {
        const long long every = args.integerIn("checkpoint-every", 0, kMaxTrainSteps);
        if (every != cp.train.checkpointEvery)
            recordChange("checkpoint-every", static_cast<long long>(cp.train.checkpointEvery), every);
        cp.train.checkpointEvery = every;
    }
    // The advice after a non-finite loss is "lower the learning rate and resume": allow it.
    for (const auto& [option, field] : {std::pair<const char*, double TrainConfig::*>{"lr", &TrainConfig::learningRate},
                                        {"final-lr", &TrainConfig::finalLearningRate}}) {
        if (!args.isSet(option) || args.real(option) == cp.train.*field)
            continue;
        recordChange(option, cp.train.*field, args.real(option));
        cp.train.*field = args.real(option);
    }
    if (args.isSet("precision")) {
        const Precision precision = parsePrecision(args.text("precision"));
        if (precision != cp.train.precision) {
            recordChange("precision", toString(cp.train.precision), toString(precision));
            cp.train.precision = precision;
        }
    }
}

/// The checkpoint --resume names, its stored run settings checked: every refusal names the file.
Checkpoint loadResumedCheckpoint(const CliArgs& args)
{
    const std::string resumed = args.text("resume");
    Checkpoint cp;
    try {
        refuseLegacyTorchSave(resumed);
        cp = loadCheckpoint(resumed);
    } catch (const Error& e) {
        // A stored word the reader does not know ("unknown noise spread 'x'") comes without the file.
        const std::string message = e.what();
        if (message.find(std::filesystem::path(resumed).filename().string()) != std::string::npos)
            throw;
        throw Error(resumed + ": " + message + "; the file's run settings are damaged or from a newer version");
    }
    if (!cp.hasTraining)
        return cp;  // the trainer says that weights alone cannot be resumed
    // Settings given again at this resume replace the stored ones, which need not be valid then;
    // the new values are checked as options are.
    TrainConfig stored = cp.train;
    const TrainConfig defaults;
    if (args.isSet("steps"))
        stored.steps = defaults.steps;
    if (args.isSet("lr"))
        stored.learningRate = defaults.learningRate;
    if (args.isSet("final-lr"))
        stored.finalLearningRate = defaults.finalLearningRate;
    if (args.isSet("checkpoint-every"))
        stored.checkpointEvery = defaults.checkpointEvery;
    if (args.isSet("ema"))
        stored.emaDecay = defaults.emaDecay;
    checkStoredTrainConfig(stored, resumed);
    return cp;
}

/// The data set of a resumed run: the stored one, or --data for one that has moved. Data given
/// anew must have items of the stored model's shape; its contents cannot be compared with the
/// stored data set's (checkpoints keep no fingerprint of their data), which is said.
Dataset resumedData(const CliArgs& args, Checkpoint& cp)
{
    const std::string resumed = args.text("resume");
    const std::string stored = datasetBesideCheckpoint(cp.train.dataset, resumed);
    if (!args.isSet("data")) {
        cp.train.dataset = stored;
        return openAnyDataset(stored, cp.model.inChannels, cp.model.imageSize);
    }
    const std::string given = absoluteIfPath(args.text("data"));
    Dataset data = openAnyDataset(given, cp.model.inChannels, cp.model.imageSize);
    const std::vector<int64_t> expected = cp.model.sampleShape();
    const std::vector<int64_t> got(data.data.sizes().begin() + 1, data.data.sizes().end());
    if (got != expected) {
        std::ostringstream message;
        message << given << ": holds items of shape " << c10::IntArrayRef(got) << ", but " << resumed
                << " was trained on " << stored << ", whose items have shape " << c10::IntArrayRef(expected)
                << "; give --data with items of that shape (image size and channels)";
        throw Error(message.str());
    }
    if (given != stored) {
        spdlog::warn("{}: could not be checked against {}, the data {} was trained on (checkpoints keep no "
                     "fingerprint of their data); resuming on it, assuming it holds the same items",
                     given, stored, resumed);
        recordResumeChange(cp, "data", stored, given);
        cp.train.dataset = given;
    }
    return data;
}

/// --resume: the checkpoint's run, where it stopped.
PreparedTrainer resumedTrainer(const CliArgs& args, torch::Device device)
{
    const std::string resumed = args.text("resume");
    Checkpoint cp = loadResumedCheckpoint(args);
    Dataset data = resumedData(args, cp);
    applyResumeChanges(args, cp);
    // A resumed run goes on writing the file it was resumed from, wherever it is started.
    cp.train.checkpointPath = args.isSet("out") ? args.text("out") : resumed;
    PreparedTrainer prepared;
    prepared.datasetItems = data.size();
    prepared.trainer = std::make_unique<Trainer>(cp, std::move(data), device);
    if (args.isSet("ema"))
        prepared.trainer->setAveraging(args.real("ema"));
    spdlog::info("resuming {} at step {} of {}", args.text("resume"), cp.step, cp.train.steps);
    return prepared;
}

/// --arch, --head, --image-size, --width and --layers.
ModelConfig modelFromOptions(const CliArgs& args)
{
    ModelConfig model;
    model.arch = parseArchitecture(args.text("arch"));
    model.head = parseHead(args.text("head"));
    model.imageSize = args.integer("image-size");
    model.baseWidth = model.hiddenWidth = static_cast<int>(args.integerIn("width", 1, ModelLimits::kMaxBaseWidth));
    model.hiddenLayers = static_cast<int>(args.integerIn("layers", 1, ModelLimits::kMaxHiddenLayers));
    return model;
}

/// The data set of a new run; `model` takes the data's shape: channels and image side, or the
/// dimension of the points. `fineTuning`: the model comes from --init.
Dataset openTrainingData(const CliArgs& args, const std::string& dataset, ModelConfig& model, bool fineTuning)
{
    Dataset data = model.isImageModel()
                       ? openAnyDataset(dataset, fineTuning ? model.inChannels : pictureChannels(args), model.imageSize)
                       : openDataset(dataset);
    if (model.isImageModel()) {
        if (data.data.dim() != 4)
            throw Error(dataset + ": holds points, not images; " +
                        (fineTuning ? args.text("init") + " is an image model, so give an image data set"
                                    : std::string("use --arch mlp")));
        model.inChannels = static_cast<int>(data.data.size(1));
        model.imageSize = static_cast<int>(data.data.size(2));
    } else {
        if (data.data.dim() != 2)
            throw Error(dataset + ": holds images; the mlp energy is for points (toy:NAME)");
        model.inputDim = static_cast<int>(data.data.size(1));
    }
    return data;
}

/// The noise, optimisation and checkpoint settings of a new run on `dataset`.
TrainConfig trainConfigFrom(const CliArgs& args, const std::string& dataset)
{
    TrainConfig config;
    config.dataset = dataset;
    config.noise.sigmaMin = args.real("sigma-min");
    config.noise.sigmaMax = args.real("sigma-max");
    config.noise.spread = parseNoiseSpread(args.text("spread"));
    config.noise.sigma0 = args.real("sigma0");
    config.batchSize = args.integerIn("batch", 1, kMaxBatch);
    config.steps = args.integerIn("steps", 1, kMaxTrainSteps);
    config.learningRate = args.real("lr");
    const std::string lrSchedule = args.text("lr-schedule");
    if (lrSchedule != "cosine" && lrSchedule != "constant")
        throw Error("--lr-schedule must be cosine or constant");
    config.cosineDecay = lrSchedule == "cosine";
    config.finalLearningRate = args.real("final-lr");
    config.beta1 = args.real("beta1");
    config.beta2 = args.real("beta2");
    config.seed = seedFrom(args);
    config.checkpointEvery = args.integerIn("checkpoint-every", 0, kMaxTrainSteps);
    config.checkpointPath = args.text("out");
    config.emaDecay = args.real("ema");
    config.precision = parsePrecision(args.text("precision"));
    return config;
}

/// A new run: a fresh model, or the weights of --init with a fresh optimizer.
PreparedTrainer newTrainer(const CliArgs& args, torch::Device device)
{
    ModelConfig model = modelFromOptions(args);
    std::optional<Checkpoint> initial;
    if (!args.text("init").empty()) {
        for (const char* shapeOption : {"arch", "head", "image-size", "width", "layers"})
            if (args.isSet(shapeOption))
                throw Error(std::string("--") + shapeOption + " cannot be combined with --init: the "
                            "architecture comes from " + args.text("init"));
        refuseLegacyTorchSave(args.text("init"));
        initial = loadCheckpoint(args.text("init"));
        model = initial->model;
    }
    const std::string dataset = absoluteIfPath(args.text("data"));
    Dataset data = openTrainingData(args, dataset, model, initial.has_value());
    TrainConfig config = trainConfigFrom(args, dataset);
    // The step count starts afresh: keep what the starting weights had been trained for.
    if (initial && initial->hasTraining)
        config.history = appendHistory(
            initial->train.history,
            fineTuneHistoryEntry(std::filesystem::path(args.text("init")).filename().string(),
                                 initial->step + stepsBeforeThisRun(initial->train.history)));
    spdlog::info("training {} on {} ({} items) with {}{}", model.describe(), config.dataset, data.size(),
                 describeDevice(device),
                 config.precision == Precision::Float32 ? "" : ", " + toString(config.precision));
    PreparedTrainer prepared;
    prepared.datasetItems = data.size();
    prepared.trainer = std::make_unique<Trainer>(model, config, std::move(data), device);
    if (initial) {
        prepared.trainer->startFromWeights(*initial);
        spdlog::info("starting from the weights of {}", args.text("init"));
    }
    return prepared;
}

PreparedTrainer prepareTrainer(const CliArgs& args, torch::Device device)
{
    if (!args.text("resume").empty() && !args.text("init").empty())
        throw Error("--resume continues a run exactly and --init starts a new one from given weights; use one");
    return args.text("resume").empty() ? newTrainer(args, device) : resumedTrainer(args, device);
}

/// --loss-csv, appended to; rank 0 writes it.
std::ofstream openLossCsv(const CliArgs& args, bool isMainRank)
{
    std::ofstream lossCsv;
    if (!args.text("loss-csv").empty() && isMainRank) {
        lossCsv.open(args.text("loss-csv"), std::ios::app);
        if (!lossCsv)
            throw Error(args.text("loss-csv") + ": cannot write the loss CSV");
    }
    return lossCsv;
}

TrainStartEvent startEvent(const Trainer& t, int64_t datasetItems, int worldSize)
{
    return TrainStartEvent{t.net()->config().describe(), t.config().dataset, datasetItems, t.completedSteps(),
                           t.config().steps, t.config().batchSize, worldSize, t.config().checkpointPath};
}

/// Where rank 0 reports each step: the JSON lines, the loss CSV, the progress bar and the log.
struct StepReports {
    const Trainer& trainer;
    ProgressLines& lines;
    std::ofstream& lossCsv;
    std::string lossCsvPath;
    ProgressBar& bar;
    long long logEvery;

    void operator()(const TrainProgress& p) const
    {
        const auto every = trainer.config().checkpointEvery;
        const bool checkpointed = every > 0 && p.step % every == 0;
        lines.write(TrainStepEvent{p.step, p.loss, p.smoothedLoss, p.learningRate, p.stepsPerSecond, p.etaSeconds},
                    checkpointed);
        if (checkpointed)
            lines.write(TrainCheckpointEvent{p.step, trainer.config().checkpointPath}, true);
        if (lossCsv.is_open()) {
            lossCsv << p.step << ',' << p.loss << ',' << p.learningRate << '\n';
            // Flushed with every checkpoint, so a killed run keeps the rows it can resume from.
            if (checkpointed)
                lossCsv.flush();
            if (!lossCsv)
                throw Error(lossCsvPath + ": writing the loss CSV failed (is the disk full?); "
                            "the checkpoint " + trainer.config().checkpointPath + " is kept");
        }
        char detail[96];
        std::snprintf(detail, sizeof detail, "step %lld  loss %.4g  %.2f it/s", static_cast<long long>(p.step),
                      p.smoothedLoss, p.stepsPerSecond);
        bar.update(static_cast<double>(p.step) / std::max<int64_t>(1, p.totalSteps), detail, p.etaSeconds);
        if (p.step % logEvery == 0)
            spdlog::info("step {}/{} loss {:.5g} (smoothed {:.5g}) lr {:.3g} {:.2f} it/s {:.0f} images/s ETA {}",
                         p.step, p.totalSteps, p.loss, p.smoothedLoss, p.learningRate, p.stepsPerSecond,
                         p.stepsPerSecond * static_cast<double>(trainer.config().batchSize),
                         formatDuration(p.etaSeconds));
    }
};

/// Trains to the last step or to Ctrl-C, rank 0 reporting every step. A failure is logged with
/// what it leaves in `out`, then passed on.
TrainProgress trainReporting(Trainer& trainer, const StepReports& reports, bool isMainRank, const std::string& out)
{
    try {
        return trainer.run(
            [&](const TrainProgress& p) {
                if (isMainRank)
                    reports(p);
                return true;
            },
            &g_interrupted);
    } catch (const Error&) {
        if (isMainRank)
            reports.bar.finish();
        std::error_code ec;
        if (std::filesystem::exists(out, ec))
            spdlog::error("training stopped at step {}; {} keeps the last good checkpoint", trainer.completedSteps(),
                          out);
        else
            spdlog::error("training stopped at step {} before any checkpoint was written", trainer.completedSteps());
        throw;
    }
}

}  // namespace

int runTrain(int argc, char** argv)
{
    CliArgs args("train", "Train an energy model with multiscale denoising score matching (MDSM).");
    addTrainOptions(args);
    addDistributedOptions(args);
    torch::Device device = parseWithRuntime(args, argc, argv);
    refuseFixedOptionsAtResume(args);
    refuseOverwrites(args);
    if (const int processes = localProcessCount(args); processes > 1)
        return runLocalRanks(argumentList("train", argc, argv), processes);
    // Rank 0 writes the output: it holds the lock for the whole run (the launcher above does not,
    // or its own rank 0 would find the lock taken).
    std::optional<OutputLock> outputLock;
    if (distributedOptionsFrom(args).rank == 0)
        outputLock.emplace(trainOutput(args).path, "out");
    const std::shared_ptr<Distributed> group = joinRankGroup(args, device);
    const bool isMainRank = !group || group->isMain();

    const PreparedTrainer prepared = prepareTrainer(args, device);
    Trainer& trainer = *prepared.trainer;
    if (group) {
        trainer.setDistributed(group);
        spdlog::info("data-parallel over {} ranks ({}): {} rows of each batch of {} per rank", group->worldSize(),
                     group->backendName(), rowsOfRank(trainer.config().batchSize, 0, group->worldSize()).size(),
                     trainer.config().batchSize);
    }

    std::ofstream lossCsv = openLossCsv(args, isMainRank);
    ProgressLines lines(args.isSet("progress-json") && isMainRank);
    const int worldSize = group ? group->worldSize() : 1;
    lines.write(startEvent(trainer, prepared.datasetItems, worldSize), true);
    stopOnInterrupt();
    ProgressBar bar("train");
    const long long logEvery = args.integerIn("log-every", 1, kMaxTrainSteps);
    const std::string out = trainer.config().checkpointPath;
    const StepReports reports{trainer, lines, lossCsv, args.text("loss-csv"), bar, logEvery};
    const TrainProgress last = trainReporting(trainer, reports, isMainRank, out);
    if (isMainRank)  // the other ranks share the terminal but never draw
        bar.finish();
    // Ranks stop together, so a stop on another rank also leaves this run short of its steps.
    const bool interrupted = g_interrupted || trainer.completedSteps() < trainer.config().steps;
    if (isMainRank) {
        trainer.saveCheckpoint(out);
        if (lossCsv.is_open() && !lossCsv.flush())
            throw Error(args.text("loss-csv") + ": writing the loss CSV failed (is the disk full?); the checkpoint " +
                        out + " was written");
    }
    lines.write(TrainEndEvent{trainer.completedSteps(), interrupted, out}, true);
    spdlog::info("{} after {} steps (loss {:.5g}): wrote {}", interrupted ? "interrupted" : "finished",
                 trainer.completedSteps(), last.smoothedLoss, out);
    return interrupted ? interruptedExitStatus() : 0;
}

}  // namespace ebm::cli
