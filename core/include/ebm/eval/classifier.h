#pragma once
// A small CNN classifier whose penultimate layer serves as the feature space of the sample
// quality figures (Frechet distance, inception-like score, class histogram) when no Inception
// network is at hand. It is trained on the project's own data (Fashion-MNIST 32x32) on a CPU
// in minutes and stored in a native file.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>
#include "ebm/io/dataset.h"

namespace ebm {

/// Everything needed to rebuild a classifier before its weights are loaded.
struct ClassifierConfig {
    int inChannels = 1;
    int imageSize = 32;                  // divisible by 8 (three 2x2 poolings)
    std::vector<int> widths{16, 32, 64}; // channels of the three conv blocks
    int featureDim = 128;                // penultimate (feature) layer
    int numClasses = 10;
    bool operator==(const ClassifierConfig& other) const;
    /// e.g. "cnn 16-32-64, 128 features, 10 classes (1x32x32)".
    std::string describe() const;
};

/// What a classifier file may ask the engine to build (its images are those of an energy model:
/// ModelLimits' channels and size). Beyond these a damaged or crafted file would allocate gigabytes;
/// the bundled classifier is 16-32-64 filters, 128 features, 10 classes.
struct ClassifierLimits {
    static constexpr int kMaxWidth = 1024;
    static constexpr int kMaxFeatureDim = 8192;
    static constexpr int kMaxClasses = 10000;
};

/// One parameter's name (as named_parameters() gives it) and shape.
using ParameterShape = std::pair<std::string, std::vector<int64_t>>;

/// conv3x3-ReLU-maxpool x3, flatten, linear -> ReLU (the features), linear -> logits.
/// Inputs are images [N, C, H, W] in [0, 1]; the network centres them itself.
class ClassifierImpl : public torch::nn::Module {
public:
    explicit ClassifierImpl(ClassifierConfig config);
    /// Logits [N, numClasses].
    torch::Tensor forward(const torch::Tensor& x);
    /// Penultimate features [N, featureDim] (after the ReLU).
    torch::Tensor features(const torch::Tensor& x);
    /// Both at once: features [N, featureDim] and logits [N, numClasses].
    std::pair<torch::Tensor, torch::Tensor> featuresAndLogits(const torch::Tensor& x);
    const ClassifierConfig& config() const { return config_; }
    int64_t parameterCount() const;
    /// The parameters a network of `config` registers, in order, computed without allocating it:
    /// a file's tensors are checked against these before the network is built.
    static std::vector<ParameterShape> parameterShapes(const ClassifierConfig& config);

private:
    ClassifierConfig config_;
    std::vector<torch::nn::Conv2d> convs_;
    torch::nn::Linear feature_{nullptr}, logits_{nullptr};
};
TORCH_MODULE(Classifier);

/// What the classifier file holds besides weights.
struct ClassifierInfo {
    std::string dataset;           // what it was trained on
    double testAccuracy = 0.0;     // fraction in [0, 1] on the test split (0 = not measured)
    int64_t trainedSteps = 0;
    std::string format;            // "ebm-classifier-1"
    std::string sourcePath;
};

struct ClassifierTrainConfig {
    int epochs = 6;
    int64_t batchSize = 128;
    double learningRate = 2e-3;
    double finalLearningRate = 1e-5;   // cosine decay to this over the run
    bool randomFlip = true;            // horizontal flips (Fashion-MNIST items are symmetric enough)
    int randomShift = 2;               // random translation by up to this many pixels (0 = none)
    uint64_t seed = 1;
};

struct ClassifierProgress {
    int64_t step = 0;
    int64_t totalSteps = 0;
    int epoch = 0;                 // 1-based
    double loss = 0.0;             // smoothed cross-entropy
    double trainAccuracy = 0.0;    // smoothed batch accuracy
    double etaSeconds = 0.0;
};
/// Returning false stops training (like the cancel flag) after the current step.
using ClassifierCallback = std::function<bool(const ClassifierProgress&)>;

struct ClassifierTrainResult {
    int64_t steps = 0;
    bool stopped = false;
    double finalLoss = 0.0;
};

/// Adam with cosine learning-rate decay on the labelled data set (data [N, C, H, W] in [0, 1],
/// labels int64 [N] in [0, numClasses)). Runs on the classifier's device. Throws ebm::Error on
/// unusable data.
ClassifierTrainResult trainClassifier(ClassifierImpl& net, const Dataset& train, const ClassifierTrainConfig& config,
                                      const ClassifierCallback& onProgress = {},
                                      const std::atomic<bool>* cancel = nullptr);

/// Predicted classes [N] (int64) and fraction correct against `labels`.
torch::Tensor predictClasses(ClassifierImpl& net, const torch::Tensor& images, int64_t batchSize = 512);
double classifierAccuracy(ClassifierImpl& net, const Dataset& data, int64_t batchSize = 512);

/// Native file: torch::serialize zip archive with the tag "ebm-classifier-1", written to a
/// temporary file, flushed and renamed over `path`.
void saveClassifier(ClassifierImpl& net, const ClassifierInfo& info, const std::string& path);

struct LoadedClassifier {
    Classifier net{nullptr};
    ClassifierInfo info;
};
/// Loads a classifier file on the CPU in eval mode. The file is read by the engine's own zip and
/// pickle reader (readArchiveAttributes: zip CRCs, record sizes against shapes, capped pickles),
/// never by LibTorch's module loader, which trusts the sizes a file states and compiles the
/// archive's TorchScript code; every weight's name and shape is checked against the architecture
/// the file states before the network is built. Throws ebm::Error, one line naming the file and the
/// problem (missing, not a classifier, damaged, a weight missing or of the wrong shape).
LoadedClassifier loadClassifier(const std::string& path);

}  // namespace ebm
