// ebm train-classifier
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/nn/runtime.h"
#include "ebm/io/dataset.h"
#include "ebm/eval/classifier.h"
#include "command_support.h"
#include "commands.h"

namespace ebm::cli {

namespace {

/// Log lines of the training come every this many steps when standard error is not a terminal.
constexpr int64_t kLogEvery = 100;

void addClassifierOptions(CliArgs& args)
{
    args.options(R"(
--data=fashion-mnist  labelled data set (MNIST-layout folder, CIFAR-10, fashion-mnist)
--image-size=32       image side (multiple of 8)
--widths=16,32,64     channels of the three conv blocks
--features=128        size of the feature (penultimate) layer
--epochs=6            passes over the training split
--batch=128           batch size
--lr=2e-3             Adam learning rate (cosine decay)
--final-lr=1e-5       learning rate at the end
--shift=2             random translations by up to this many pixels (0 = none)
--no-flip             no random horizontal flips
--limit=0             train on the first N images only (0 = all)
--seed=1              random seed
--out=classifier.pt   where to write the classifier
--json                print JSON
)");
}

/// The labelled training split of --data, cut to --limit.
Dataset openLabelledTrainingSet(const CliArgs& args, int imageSize)
{
    Dataset train = openAnyDataset(args.text("data"), 0, imageSize, true);
    if (train.data.dim() != 4)
        throw Error(args.text("data") + ": holds points, not images");
    if (!train.labels.defined() || train.labels.numel() != train.size())
        throw Error(args.text("data") + ": has no labels; the classifier needs a labelled data set");
    if (args.longInteger("limit") > 0 && args.longInteger("limit") < train.size()) {
        train.data = train.data.slice(0, 0, args.longInteger("limit"));
        train.labels = train.labels.slice(0, 0, args.longInteger("limit"));
    }
    return train;
}

/// The network's shape: --widths and --features, and channels and classes from the data.
ClassifierConfig classifierConfigFrom(const CliArgs& args, const Dataset& train, int imageSize)
{
    ClassifierConfig config;
    config.inChannels = static_cast<int>(train.data.size(1));
    config.imageSize = imageSize;
    config.widths.clear();
    for (const auto& w : splitList(args.text("widths"))) {
        try {
            config.widths.push_back(std::stoi(w));
        } catch (const std::logic_error&) {
            throw Error("--widths needs three whole numbers such as 16,32,64");
        }
    }
    if (config.widths.size() != 3)
        throw Error("--widths needs three whole numbers such as 16,32,64");
    config.featureDim = args.integer("features");
    config.numClasses = std::max<int>(2, static_cast<int>(train.labels.max().item<int64_t>()) + 1);
    return config;
}

ClassifierTrainConfig classifierTrainingFrom(const CliArgs& args)
{
    ClassifierTrainConfig tc;
    tc.epochs = args.integer("epochs");
    tc.batchSize = args.longInteger("batch");
    tc.learningRate = args.real("lr");
    tc.finalLearningRate = args.real("final-lr");
    tc.randomShift = args.integer("shift");
    tc.randomFlip = !args.isSet("no-flip");
    tc.seed = static_cast<uint64_t>(args.longInteger("seed"));
    return tc;
}

/// Trains with a progress bar (log lines when standard error is not a terminal) until done or Ctrl-C.
ClassifierTrainResult trainShowingProgress(Classifier& net, const Dataset& train, const ClassifierTrainConfig& tc)
{
    stopOnInterrupt();
    ProgressBar bar("classifier");
    const bool onTerminal = ::isatty(STDERR_FILENO) != 0;
    ClassifierTrainResult result = trainClassifier(
        *net, train, tc,
        [&](const ClassifierProgress& p) {
            char detail[96];
            std::snprintf(detail, sizeof detail, "epoch %d  loss %.3f  acc %.3f", p.epoch, p.loss, p.trainAccuracy);
            bar.update(static_cast<double>(p.step) / p.totalSteps, detail, p.etaSeconds);
            if (!onTerminal && p.step % kLogEvery == 0)
                std::fprintf(stderr, "step %lld/%lld  %s  ETA %s\n", static_cast<long long>(p.step),
                             static_cast<long long>(p.totalSteps), detail,
                             formatDuration(p.etaSeconds).c_str());
            return true;
        },
        &g_interrupted);
    bar.finish();
    return result;
}

/// Accuracy on the test split of --data; no images (count 0) when it has none with labels.
struct TestAccuracy {
    double accuracy = 0.0;
    int64_t images = 0;
};

TestAccuracy testAccuracyOf(Classifier& net, const CliArgs& args, const ClassifierConfig& config)
{
    TestAccuracy result;
    try {
        Dataset test = openAnyDataset(args.text("data"), config.inChannels, config.imageSize, false);
        if (test.labels.defined() && test.labels.numel() == test.size()) {
            result.accuracy = classifierAccuracy(*net, test);
            result.images = test.size();
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "no test accuracy: %s\n", e.what());
    }
    return result;
}

/// What was trained and written, in JSON (--json) or text.
struct ClassifierReport {
    std::string out;
    ClassifierConfig config;
    int64_t parameters = 0;
    uintmax_t bytes = 0;
    ClassifierTrainResult result;
    double seconds = 0.0;
    double trainAccuracy = 0.0;
    TestAccuracy test;
};

void printReport(const ClassifierReport& r, bool json)
{
    if (json) {
        const Json out{{"out", r.out},
                       {"architecture", r.config.describe()},
                       {"parameters", r.parameters},
                       {"bytes", r.bytes},
                       {"steps", r.result.steps},
                       {"seconds", r.seconds},
                       {"train_accuracy", r.trainAccuracy},
                       {"test_accuracy", r.test.images ? Json(r.test.accuracy) : Json(nullptr)},
                       {"test_images", r.test.images}};
        printJsonLine(out);
        return;
    }
    std::printf("classifier  %s (%lld parameters, %lld bytes)\n", r.config.describe().c_str(),
                static_cast<long long>(r.parameters), static_cast<long long>(r.bytes));
    std::printf("trained     %lld steps in %s; final loss %.4f\n", static_cast<long long>(r.result.steps),
                formatDuration(r.seconds).c_str(), r.result.finalLoss);
    std::printf("accuracy    train %.2f%%", 100 * r.trainAccuracy);
    if (r.test.images)
        std::printf(", test %.2f%% (%lld images)", 100 * r.test.accuracy, static_cast<long long>(r.test.images));
    std::printf("\nwrote       %s\n", r.out.c_str());
}

}  // namespace

int runTrainClassifier(int argc, char** argv)
{
    CliArgs args("train-classifier", "Train the small CNN classifier whose features and predictions ebm eval uses "
                                     "(Frechet distance, inception-like score, class histogram).");
    addClassifierOptions(args);
    const torch::Device device = parseWithRuntime(args, argc, argv);
    refuseSharedFiles(namedFiles(args, {"data"}), namedFiles(args, {"out"}));
    const int imageSize = args.integer("image-size");
    const Dataset train = openLabelledTrainingSet(args, imageSize);
    ClassifierReport report;
    report.out = args.text("out");
    report.config = classifierConfigFrom(args, train, imageSize);
    Classifier net(report.config);
    net->to(device);
    const ClassifierTrainConfig tc = classifierTrainingFrom(args);
    // Log lines go to stderr: stdout is reserved for the report (JSON with --json).
    std::fprintf(stderr, "training classifier %s (%lld parameters) on %s (%lld images), %s\n",
                 report.config.describe().c_str(), static_cast<long long>(net->parameterCount()),
                 args.text("data").c_str(), static_cast<long long>(train.size()), describeDevice(device).c_str());

    const auto t0 = std::chrono::steady_clock::now();
    report.result = trainShowingProgress(net, train, tc);
    if (report.result.stopped)
        throw Error("interrupted after " + std::to_string(report.result.steps) + " steps; nothing written");
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    report.test = testAccuracyOf(net, args, report.config);
    report.trainAccuracy = classifierAccuracy(*net, train);
    ClassifierInfo info;
    info.dataset = args.text("data");
    info.testAccuracy = report.test.accuracy;
    info.trainedSteps = report.result.steps;
    net->to(torch::kCPU);
    saveClassifier(*net, info, report.out);
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(report.out, ec);
    report.bytes = ec ? 0 : bytes;
    report.parameters = net->parameterCount();
    printReport(report, args.isSet("json"));
    return 0;
}

}  // namespace ebm::cli
