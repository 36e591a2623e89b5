// ebm bench
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <unistd.h>
#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/nn/runtime.h"
#include "ebm/train/distributed.h"
#include "ebm/train/trainer.h"
#include "ebm/toy/toy_lab.h"
#include "command_support.h"
#include "commands.h"
#include "distributed_launch.h"

namespace ebm::cli {

namespace {

constexpr long kMaxBenchWidth = 1024;
constexpr long long kMaxBenchBatch = 4096;  // a Res12-1024 step already takes minutes on a CPU

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

// --- bench --nproc: data-parallel scaling ------------------------------------------------------

// Where a bench rank started by --nproc writes its figures (rank 0 only) for the launcher.
constexpr const char* kScalingReportVariable = "EBM_BENCH_SCALING_REPORT";
constexpr int kScalingWarmupSteps = 2;
constexpr uint64_t kBenchDataSeed = 1;  // the same random images on every rank (the settings check)

Dataset benchImages(int64_t rows)
{
    torch::manual_seed(kBenchDataSeed);
    Dataset data;
    data.data = torch::rand({rows, 1, 32, 32});
    return data;
}

ModelConfig benchModel(int width)
{
    ModelConfig model;
    model.baseWidth = width;
    return model;
}

TrainConfig benchTraining(int64_t batch, Precision precision)
{
    TrainConfig config;
    config.steps = 1000000;
    config.batchSize = batch;
    config.precision = precision;
    return config;
}

/// One rank of `ebm bench --nproc`: times `steps` data-parallel training steps (after a warm-up,
/// between barriers) and, on rank 0, writes steps/s and the all-reduce seconds per step.
void runScalingRank(const DistributedOptions& options, torch::Device device, int width, int64_t batch, int64_t steps,
                    Precision precision)
{
    auto group = Distributed::join(options, device);
    Trainer trainer(benchModel(width), benchTraining(batch, precision), benchImages(batch), device);
    trainer.setDistributed(group);
    for (int i = 0; i < kScalingWarmupSteps; ++i)
        trainer.step();
    group->barrier("the bench's start");
    const double reduceBefore = group->allReduceSeconds();
    const auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < steps; ++i)
        trainer.step();
    group->barrier("the bench's end");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const char* report = std::getenv(kScalingReportVariable);
    if (group->isMain() && report && *report)
        std::ofstream(report) << static_cast<double>(steps) / seconds << ' '
                              << (group->allReduceSeconds() - reduceBefore) / static_cast<double>(steps) << '\n';
}

/// `ebm bench --nproc N`: training steps/s of one process (all its --threads) against N local
/// ranks (an equal share of the cores each) at the same global batch, per width.
int runScalingBench(const CliArgs& args, torch::Device device, const std::vector<int>& widths, int64_t batch,
                    Precision precision, int processes, int argc, char** argv)
{
    Json results = Json::array();
    for (int width : widths) {
        Trainer single(benchModel(width), benchTraining(batch, precision), benchImages(batch), device);
        const double singleRate = 1.0 / timeIt([&] { single.step(); }, args.real("seconds"), args.integer("repeats"));
        const int64_t steps = std::max<int64_t>(args.integer("repeats"), std::llround(singleRate * args.real("seconds")));
        // The ranks: the same arguments for this width alone, their own share of the cores.
        std::vector<std::string> arguments =
            withoutOptions(argumentList("bench", argc, argv), {"threads", "widths", "scaling-steps"});
        arguments.insert(arguments.end(), {"--widths", std::to_string(width), "--scaling-steps", std::to_string(steps)});
        char reportPath[] = "/tmp/ebm-bench-scaling-XXXXXX";
        const int fd = ::mkstemp(reportPath);
        if (fd < 0)
            throw Error("cannot make a temporary file for the ranks' figures");
        ::close(fd);
        ::setenv(kScalingReportVariable, reportPath, 1);
        double rankRate = 0.0, reduceSeconds = 0.0;
        try {
            runLocalRanks(arguments, processes);
            std::ifstream(reportPath) >> rankRate >> reduceSeconds;
        } catch (...) {
            ::unlink(reportPath);
            throw;
        }
        ::unlink(reportPath);
        ::unsetenv(kScalingReportVariable);
        if (!(rankRate > 0.0))
            throw Error("the ranks of the scaling bench reported no figure");
        const int rankThreads = std::max(1, torch::get_num_threads() / processes);
        if (!args.isSet("json"))
            std::printf("res12-%-3d batch %lld: 1 rank x %d threads %.3f steps/s; %d ranks x %d thread%s %.3f steps/s "
                        "(%.1f%%), all-reduce %.2f ms/step\n",
                        width, static_cast<long long>(batch), torch::get_num_threads(), singleRate, processes, rankThreads,
                        rankThreads == 1 ? "" : "s", rankRate, 100.0 * rankRate / singleRate, 1000.0 * reduceSeconds);
        results.push_back({{"model", "res12-" + std::to_string(width)},
                           {"single_steps_per_s", singleRate},
                           {"ranks_steps_per_s", rankRate},
                           {"scaling", rankRate / singleRate},
                           {"allreduce_s_per_step", reduceSeconds}});
    }
    if (args.isSet("json"))
        printJsonLine(Json{{"device", describeDevice(device)}, {"threads", torch::get_num_threads()},
                           {"ranks", processes}, {"train_batch", batch}, {"precision", toString(precision)},
                           {"results", results}});
    return 0;
}


/// `ebm bench --toy`: the Learn page's three operations on one thread, for the 3x128 MLP: an MDSM
/// step at batch 256, a Langevin step of 1000 particles and a 128x128 landscape (energies and scores).
int runToyBench(const CliArgs& args)
{
    constexpr int kToyWidth = 128, kToyDepth = 3;
    constexpr int64_t kToyBatch = 256, kToyParticles = 1000, kToyDataPoints = 20000;
    constexpr int kToyGrid = 128;
    constexpr double kGoalTrain = 2e-3, kGoalLangevin = 1e-3, kGoalLandscape = 20e-3;   // issue 13
    const int threads = configureThreads(1);
    const double seconds = args.real("seconds");
    const int repeats = args.integer("repeats");

    toy::ToyTrainConfig config;
    config.model = ModelConfig::mlp(2, kToyWidth, kToyDepth);
    config.batchSize = kToyBatch;
    toy::ToyTrainer trainer(config, toy::makeToyData("weighted8", kToyDataPoints).data);
    const double train = timeIt([&] { trainer.step(); }, seconds, repeats);

    toy::ParticleSampler sampler(trainer.net(), toy::ParticleConfig{},
                                 toy::ParticleSampler::spreadStart(kToyParticles, 3.0, 1));
    constexpr int kLangevinStepsPerTiming = 10;
    const double langevin = timeIt([&] {
        for (int i = 0; i < kLangevinStepsPerTiming; ++i)
            sampler.step(1.0);
        sampler.rewindTo(0);   // the snapshots would otherwise grow without bound
    }, seconds, repeats) / kLangevinStepsPerTiming;

    toy::LandscapeGrid grid;
    grid.resolution = kToyGrid;
    const double landscape = timeIt([&] { toy::computeLandscape(trainer.fast(), grid); }, seconds, repeats);

    if (args.isSet("json")) {
        const Json out{{"threads", threads},
                       {"torch", TORCH_VERSION},
                       {"model", "mlp-3x128"},
                       {"toy_train_s_per_step", train},
                       {"toy_langevin_s_per_step", langevin},
                       {"toy_landscape_s", landscape},
                       {"train_batch", kToyBatch},
                       {"particles", kToyParticles},
                       {"grid", kToyGrid}};
        printJsonLine(out);
        return 0;
    }
    auto verdict = [](double value, double goal) { return value <= goal ? "goal met" : "above the goal"; };
    std::printf("toy MLP 3x128, %d thread\n", threads);
    std::printf("  MDSM step, batch %lld:             %.3f ms (goal %.0f ms, %s)\n", static_cast<long long>(kToyBatch),
                train * 1e3, kGoalTrain * 1e3, verdict(train, kGoalTrain));
    std::printf("  Langevin step, %lld particles:     %.3f ms (goal %.0f ms, %s)\n", static_cast<long long>(kToyParticles),
                langevin * 1e3, kGoalLangevin * 1e3, verdict(langevin, kGoalLangevin));
    std::printf("  landscape %dx%d, E and scores:   %.2f ms (goal %.0f ms, %s)\n", kToyGrid, kToyGrid, landscape * 1e3,
                kGoalLandscape * 1e3, verdict(landscape, kGoalLandscape));
    return 0;
}

}  // namespace

int runBench(int argc, char** argv)
{
    CliArgs args("bench", "Measure training and Langevin steps per second for Res12 at several widths.");
    args.options(R"(
--widths=16,32,64    comma-separated base widths
--train-batch=128    training batch size
--langevin-batch=64  Langevin batch size
--seconds=5          minimum seconds measured per figure
--repeats=3          minimum timed repetitions per figure
--json               print JSON
--scaling-steps=0    with --nproc: training steps each rank times (0 = as many as --seconds takes on one)
--toy                the Learn page's 2D demo figures instead (3x128 MLP, one thread)
--precision=float32  arithmetic of training and Langevin steps: float32, tf32 (CUDA only) or bf16
--what=train,langevin  which figures: train, langevin or both
)");
    addDistributedOptions(args);
    const torch::Device device = parseWithRuntime(args, argc, argv);
    if (args.isSet("toy"))
        return runToyBench(args);
    std::vector<int> widths;
    for (const std::string& item : splitList(args.text("widths"))) {
        char* end = nullptr;
        const long width = std::strtol(item.c_str(), &end, 10);
        if (*end != '\0' || width < 1 || width > kMaxBenchWidth)
            throw Error("--widths needs base widths between 1 and " + std::to_string(kMaxBenchWidth) +
                        " separated by commas, such as 16,32,64; not '" + item + "'");
        widths.push_back(static_cast<int>(width));
    }
    if (widths.empty())
        throw Error("--widths needs at least one base width, such as 16,32,64");
    const int64_t trainBatch = args.integerIn("train-batch", 1, kMaxBenchBatch),
                  langevinBatch = args.integerIn("langevin-batch", 1, kMaxBenchBatch);
    const Precision precision = parsePrecision(args.text("precision"));
    checkPrecision(precision, device);
    if (const int processes = localProcessCount(args); processes > 1)
        return runScalingBench(args, device, widths, trainBatch, precision, processes, argc, argv);
    if (const DistributedOptions distributed = distributedOptionsFrom(args); distributed.isDistributed()) {
        runScalingRank(distributed, device, widths.front(), trainBatch,
                       args.integerIn("scaling-steps", 1, std::numeric_limits<int>::max()), precision);
        return 0;
    }
    bool timeTraining = false, timeLangevin = false;
    for (const std::string& item : splitList(args.text("what"))) {
        if (item == "train")
            timeTraining = true;
        else if (item == "langevin")
            timeLangevin = true;
        else
            throw Error("--what: unknown item '" + item + "'; use train, langevin or both");
    }
    if (!timeTraining && !timeLangevin)
        throw Error("--what needs train, langevin or both");
    constexpr double kTrainForwardEquivalents = 6.0;     // forward, input grad, double backprop
    constexpr double kLangevinForwardEquivalents = 2.0;  // forward and input gradient
    std::vector<BenchFigure> figures;
    for (int width : widths) {
        const ModelConfig model = benchModel(width);
        Trainer trainer(model, benchTraining(trainBatch, precision), benchImages(trainBatch), device);
        const double trainSeconds = timeTraining ? timeIt([&] { trainer.step(); }, args.real("seconds"), args.integer("repeats"))
                                                 : std::numeric_limits<double>::quiet_NaN();
        SamplerConfig sampler;
        sampler.precision = precision;
        sampler.schedule = Schedule(std::vector<double>(10, 1.0));
        sampler.numSamples = langevinBatch;
        sampler.finalDenoise = false;
        sampler.reportEvery = 1000000;
        auto net = trainer.net();
        const double langevinSeconds =
            timeLangevin ? timeIt([&] { annealedLangevin(*net, sampler); }, args.real("seconds"), 1) / 10.0
                         : std::numeric_limits<double>::quiet_NaN();
        const double flops = forwardFlops(model);
        figures.push_back({width, 1.0 / trainSeconds, 1.0 / langevinSeconds,
                           flops * kTrainForwardEquivalents * trainBatch / trainSeconds / 1e9,
                           flops * kLangevinForwardEquivalents * langevinBatch / langevinSeconds / 1e9});
        const auto& f = figures.back();
        if (!args.isSet("json")) {
            std::printf("res12-%-3d", width);
            if (timeTraining)
                std::printf(" train %.3f s/step (%.2f steps/s, %.1f GFLOP/s)  ", 1 / f.trainStepsPerSecond,
                            f.trainStepsPerSecond, f.trainGflops);
            if (timeLangevin)
                std::printf(" langevin %.4f s/step (%.2f steps/s, %.1f GFLOP/s)", 1 / f.langevinStepsPerSecond,
                            f.langevinStepsPerSecond, f.langevinGflops);
            std::printf("\n");
        }
    }
    if (args.isSet("json")) {
        // A figure that was not asked for (--what) is null.
        Json results = Json::array();
        for (const BenchFigure& f : figures)
            results.push_back({{"model", "res12-" + std::to_string(f.width)},
                               {"train_steps_per_s", f.trainStepsPerSecond},
                               {"train_s_per_step", 1 / f.trainStepsPerSecond},
                               {"train_gflops", f.trainGflops},
                               {"langevin_steps_per_s", f.langevinStepsPerSecond},
                               {"langevin_s_per_step", 1 / f.langevinStepsPerSecond},
                               {"langevin_gflops", f.langevinGflops}});
        const Json out{{"device", describeDevice(device)},
                       {"threads", torch::get_num_threads()},
                       {"torch", TORCH_VERSION},
                       {"precision", toString(precision)},
                       {"train_batch", trainBatch},
                       {"langevin_batch", langevinBatch},
                       {"results", results}};
        printJsonLine(out);
    }
    return 0;
}

}  // namespace ebm::cli
