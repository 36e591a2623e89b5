#pragma once
// Opening a model for use (sampling, energies, evaluation), and the files that ship with the
// program. The ebm tool, the evaluation and the studio's worker all open models through here.
#include <string>

#include <torch/types.h>

#include "ebm/base/defaults.h"
#include "ebm/nn/model.h"
#include "ebm/io/checkpoint.h"

namespace ebm {

/// A model ready to run: weights on their device, in eval mode, with the sigma0 it was trained
/// with (the reference code's 0.1 for files without training metadata).
struct OpenedModel {
    EnergyNet net{nullptr};
    /// Everything but the weights in use, which live in `net`. When `net` holds the averaged
    /// weights, `checkpoint.weights` keeps the raw ones (saving writes both again).
    Checkpoint checkpoint;
    double sigma0 = kDefaultSigma0;
    std::string path;
    /// True when `net` holds the file's moving average of the weights rather than the raw ones.
    bool usesAveragedWeights = false;
    /// "averaged weights (EMA 0.999)", "raw weights (the file also has averaged ones)" or "weights".
    std::string weightsDescription() const;
};

/// Opens a native .ebm or reference .pt file (an empty path: the bundled model) on `device`,
/// with the averaged weights when the file has them unless `choice` asks for the raw ones.
/// Throws ebm::Error naming the file.
OpenedModel openModel(const std::string& path, torch::Device device,
                      WeightChoice choice = WeightChoice::PreferAveraged);

/// The bundled Fashion-MNIST energy model: $EBM_DEFAULT_MODEL, the installed copy, or the
/// source tree's.
std::string bundledModelPath();
/// The bundled Fashion-MNIST classifier that evaluation uses: $EBM_CLASSIFIER, the installed
/// copy, or the source tree's.
std::string bundledClassifierPath();

}  // namespace ebm
