// ebm train-classifier
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include "command_support.h"
#include "commands.h"
#include "ebm/classifier.h"
#include "ebm/error.h"
#include "ebm/image_file.h"
#include "ebm/json.h"
#include "ebm/runtime.h"

namespace ebm::cli {

int runTrainClassifier(int argc, char** argv)
{
    CliArgs args("train-classifier", "Train the small CNN classifier whose features and predictions ebm eval uses "
                                     "(Frechet distance, inception-like score, class histogram).");
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
    const torch::Device device = parseWithRuntime(args, argc, argv);
    const int imageSize = args.integer("image-size");
    Dataset train = openAnyDataset(args.text("data"), 0, imageSize, true);
    if (train.data.dim() != 4)
        throw Error(args.text("data") + ": holds points, not images");
    if (!train.labels.defined() || train.labels.numel() != train.size())
        throw Error(args.text("data") + ": has no labels; the classifier needs a labelled data set");
    if (args.longInteger("limit") > 0 && args.longInteger("limit") < train.size()) {
        train.data = train.data.slice(0, 0, args.longInteger("limit"));
        train.labels = train.labels.slice(0, 0, args.longInteger("limit"));
    }
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
    Classifier net(config);
    net->to(device);

    ClassifierTrainConfig tc;
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
                 static_cast<long long>(train.size()), describeDevice(device).c_str());

    stopOnInterrupt();
    ProgressBar bar("classifier");
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t logEvery = 100;
    const bool onTerminal = ::isatty(STDERR_FILENO) != 0;
    ClassifierTrainResult result = trainClassifier(
        *net, train, tc,
        [&](const ClassifierProgress& p) {
            char detail[96];
            std::snprintf(detail, sizeof detail, "epoch %d  loss %.3f  acc %.3f", p.epoch, p.loss, p.trainAccuracy);
            bar.update(static_cast<double>(p.step) / p.totalSteps, detail, p.etaSeconds);
            if (!onTerminal && p.step % logEvery == 0)
                std::fprintf(stderr, "step %lld/%lld  %s  ETA %s\n", static_cast<long long>(p.step),
                             static_cast<long long>(p.totalSteps), detail,
                             formatDuration(p.etaSeconds).c_str());
            return true;
        },
        &g_interrupted);
    bar.finish();
    if (result.stopped)
        throw Error("interrupted after " + std::to_string(result.steps) + " steps; nothing written");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    double testAccuracy = 0.0;
    int64_t testCount = 0;
    try {
        Dataset test = openAnyDataset(args.text("data"), config.inChannels, imageSize, false);
        if (test.labels.defined() && test.labels.numel() == test.size()) {
            testAccuracy = classifierAccuracy(*net, test);
            testCount = test.size();
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "no test accuracy: %s\n", e.what());
    }
    const double trainAccuracy = classifierAccuracy(*net, train);
    ClassifierInfo info;
    info.dataset = args.text("data");
    info.testAccuracy = testAccuracy;
    info.trainedSteps = result.steps;
    net->to(torch::kCPU);
    saveClassifier(*net, info, args.text("out"));
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(args.text("out"), ec);
    if (args.isSet("json")) {
        const Json out{{"out", args.text("out")},
                       {"architecture", config.describe()},
                       {"parameters", net->parameterCount()},
                       {"bytes", ec ? 0 : bytes},
                       {"steps", result.steps},
                       {"seconds", seconds},
                       {"train_accuracy", trainAccuracy},
                       {"test_accuracy", testCount ? Json(testAccuracy) : Json(nullptr)},
                       {"test_images", testCount}};
        std::cout << out.dump() << '\n';
    } else {
        std::printf("classifier  %s (%lld parameters, %lld bytes)\n", config.describe().c_str(),
                    static_cast<long long>(net->parameterCount()), static_cast<long long>(ec ? 0 : bytes));
        std::printf("trained     %lld steps in %s; final loss %.4f\n", static_cast<long long>(result.steps),
                    formatDuration(seconds).c_str(), result.finalLoss);
        std::printf("accuracy    train %.2f%%", 100 * trainAccuracy);
        if (testCount)
            std::printf(", test %.2f%% (%lld images)", 100 * testAccuracy, static_cast<long long>(testCount));
        std::printf("\nwrote       %s\n", args.text("out").c_str());
    }
    return 0;
}

}  // namespace ebm::cli
