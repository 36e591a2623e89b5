#pragma once
// What a training run is asked to do, as plain values with no torch: the tool's options, the
// studio's settings and every checkpoint carry them; train/ carries them out.
#include <cstdint>
#include <string>

#include "ebm/base/precision_mode.h"

namespace ebm {

enum class NoiseSpread { Linear, Geometric, Single };
std::string toString(NoiseSpread spread);
NoiseSpread parseNoiseSpread(const std::string& name);

/// The noise levels of the MDSM objective (eq. 7) and the fixed kernel width sigma0.
struct NoiseConfig {
    double sigmaMin = 0.1;   // Fashion-MNIST defaults (paper-facts.md)
    double sigmaMax = 3.0;
    NoiseSpread spread = NoiseSpread::Geometric;
    double sigma0 = 0.1;
    /// Single-sigma DSM baseline (appendix B): every row gets sigmaMax.
    static NoiseConfig singleSigma(double sigma, double sigma0 = 0.1);
};

/// What the trainer was asked to do; stored with every checkpoint so a run can be resumed
/// or reproduced.
struct TrainConfig {
    std::string dataset;          // spec given to openDataset (or an image folder)
    NoiseConfig noise;
    int64_t batchSize = 128;
    int64_t steps = 100000;
    double learningRate = 1e-4;
    double beta1 = 0.9;
    double beta2 = 0.95;
    bool cosineDecay = true;
    double finalLearningRate = 1e-6;
    uint64_t seed = 1;
    int64_t checkpointEvery = 5000;   // 0 = only at the end and on demand
    std::string checkpointPath;       // where periodic checkpoints go
    bool randomFlip = false;          // horizontal flips (CelebA)
    /// Decay of the exponential moving average of the weights kept beside them (0 = none);
    /// 0.999 averages over roughly the last thousand steps.
    double emaDecay = 0.0;
    /// The arithmetic of each step (float32, or TF32 / bfloat16 autocast on capable hardware).
    Precision precision = Precision::Float32;
    /// What happened to the run before and during it, entries joined by "; ": settings changed at
    /// a resume ("step 5000: --lr 0.0001 -> 5e-05") and, for a fine-tune, what its starting
    /// weights had been trained for (fineTuneHistoryEntry).
    std::string history;
};

/// A fine-tune starts its step count afresh, so its history notes what the starting weights had
/// been trained for: "fine-tuned from base.ebm, which had 26000 steps" (`ebm train --init` and
/// the studio's fine-tune both write it).
std::string fineTuneHistoryEntry(std::string source, int64_t stepsBefore);
/// The steps behind a run's starting weights, read back from its history (the last
/// fineTuneHistoryEntry; 0 when there is none).
int64_t stepsBeforeThisRun(const std::string& history);
/// `history` with `entry` appended ("; " between entries).
std::string appendHistory(const std::string& history, const std::string& entry);

/// Refuses the run settings a checkpoint stored when one cannot be trained with (a batch of 0, a
/// noise level or learning rate that is NaN, Adam's beta at 1): one line naming `source` (the
/// file), the stored setting and its value, instead of the trainer's words without the file.
void checkStoredTrainConfig(const TrainConfig& config, const std::string& source);

}  // namespace ebm
