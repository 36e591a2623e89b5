#pragma once
// One evaluation of an energy model, as both `ebm eval` and the studio's Evaluate page run it:
// draw samples (or read them), then sample quality in a classifier's feature space, nearest
// training neighbours and AIS log-likelihood. The caller owns the model and the progress
// display; this file owns the order of the stages and what each figure is compared with.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "ebm/schedule/sampling_options.h"
#include "ebm/nn/model.h"
#include "ebm/io/model_file.h"
#include "ebm/eval/evaluation.h"

namespace ebm {

/// The evaluation's default sampling: the default preset at its own length, as `ebm sample`.
SamplingOptions evaluationSampling();

/// What to measure and how. Defaults are those of `ebm eval`.
/// Nearest neighbours per sample, at most: each is an image in every row of the grid (10^9 of
/// them grew the grid and the exact distances to gigabytes before anything failed).
constexpr int kMaxNeighboursPerQuery = 100;

struct EvaluationRequest {
    bool fid = true;                 // Frechet distance to the test split (FID-like)
    bool inceptionLike = true;       // inception-like score and class histogram
    bool neighbours = true;          // nearest training images of the first samples
    bool ais = false;                // log-likelihood by annealed importance sampling

    // Samples: read from a file, or drawn from the model by annealed Langevin.
    std::string samplesPath;         // empty: draw from the model
    int64_t sampleCount = 256;
    int64_t sampleBatch = 256;       // drawn this many at a time, batch k with seed + k
    SamplingOptions sampling = evaluationSampling();

    // Reference data: its test split is the FID reference and the AIS images, its training
    // split the floor set and the neighbours.
    std::string data = "fashion-mnist";
    int64_t referenceLimit = 0;      // at most this many test images (0 = all)

    // Features: an ebm classifier (empty: the bundled one) or a TorchScript extractor.
    std::string classifierPath;
    std::string torchScriptPath;
    TorchScriptOptions torchScript;
    int splits = 1;

    int neighbourQueries = 8;
    int neighboursPerQuery = 8;

    bool aisForward = true;
    bool aisReverse = true;
    AisConfig aisConfig;             // baseMean and (when aisBaseStd is 0) baseStd are filled in
    int64_t aisImages = 32;
    double aisNoise = 0.0;           // N(0, aisNoise^2) added to the AIS test images first
    double aisBaseStd = 0.0;         // 0 = the pixel std of the test images
    uint64_t aisSeed = 1;

    torch::Device device = torch::kCPU;
};

/// Throws ebm::Error with one line saying which setting is wrong and what is allowed.
void validate(const EvaluationRequest& request);

/// The energy model under evaluation (ebm::openModel); `net` may be empty when only a file of
/// samples is judged.
using EvaluationModel = OpenedModel;

/// Names of a classifier's classes from the data set it learned: Fashion-MNIST's garments,
/// MNIST's digits, else "class k".
std::vector<std::string> classNamesFor(const std::string& dataset, size_t count);

/// A stage of the run, for progress displays.
enum class EvaluationStage { Sampling, Features, Neighbours, Likelihood };
std::string stageName(EvaluationStage stage);

/// fraction is within the current stage; returning false cancels (ebm::Cancelled is thrown).
using EvaluationProgress =
    std::function<bool(EvaluationStage stage, int stageIndex, int stageCount, double fraction, const std::string& detail)>;

struct QualityFigures {
    std::string extractor;
    int64_t referenceCount = 0;      // test images the samples are compared with
    int64_t floorCount = 0;          // training images compared with them instead
    bool haveFid = false;
    bool haveInceptionLike = false;
    double fid = 0.0;
    double fidFloor = 0.0;
    InceptionScore inceptionLike;
    InceptionScore inceptionLikeReal;
    ClassHistogram classes;
    ClassHistogram classesReal;
    std::vector<std::string> classNames;   // one per class of the classifier
};

struct NeighbourFigures {
    bool present = false;
    Neighbours neighbours;
    torch::Tensor grid;              // [C, H, W]: a row per sample, the sample then its neighbours
};

struct LikelihoodFigures {
    bool present = false;
    bool forward = false;
    bool reverse = false;
    AisConfig config;
    AisResult forwardResult;
    AisResult reverseResult;
    DensitySummary forwardDensity;
    DensitySummary reverseDensity;         // the paper's convention: mean of per-chain log densities
    DensitySummary reversePooledDensity;   // with the pooled log Z
    int64_t images = 0;
    int64_t dims = 0;
    double noise = 0.0;
    double seconds = 0.0;
};

struct EvaluationReport {
    std::string data;
    std::string modelPath;               // empty when only samples were judged
    std::string modelDescription;
    double sigma0 = 0.0;
    std::string samplesSource;
    /// How drawn samples were made (the protocol's figures, docs/evaluation.md); steps 0 when
    /// the samples came from a file.
    struct SamplingFacts {
        std::string schedule;
        int steps = 0;
        double stepSize = 0.0;
        std::string precision;
        int threads = 0;
        double seconds = 0.0;            // wall time of the sampling alone
    } sampling;
    torch::Tensor samples;               // [N, C, H, W] in [0, 1], CPU; undefined when none were needed
    QualityFigures quality;
    NeighbourFigures neighbours;
    LikelihoodFigures likelihood;
    double seconds = 0.0;
};

/// Runs every requested stage in order. Throws ebm::Error on bad input and ebm::Cancelled when
/// progress returns false; nothing is written to disk.
EvaluationReport runEvaluation(const EvaluationRequest& request, const EvaluationModel& model,
                               const EvaluationProgress& progress = {});

/// The report as one JSON object (the `ebm eval --json` format); `neighbourPng` names the
/// written grid, if any.
std::string evaluationJson(const EvaluationReport& report, const std::string& neighbourPng = {});

/// The report as aligned text lines, as `ebm eval` prints them.
std::string evaluationText(const EvaluationReport& report, const std::string& neighbourPng = {});

}  // namespace ebm
