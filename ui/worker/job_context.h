#pragma once
// What a job runs with on the worker thread: the loaded model and the training slot. It holds
// torch types, so only the .cpp files of the worker and of jobs include it (moc never reads it).
#include <torch/types.h>

#include <memory>
#include <optional>

#include "ebm/nn/model.h"
#include "ebm/io/checkpoint.h"
#include "ebm/train/trainer.h"
#include "worker/studio_types.h"

namespace ebm::studio {

class StudioWorker;

/// First line of an exception text: torch's messages carry C++ back-traces after it.
QString firstLine(const char* text);

/// The model the worker holds (opened from a file, bundled, or left by a training run).
struct LoadedModel {
    torch::Device device{torch::kCPU};
    ebm::EnergyNet net;                 // what sampling, inpainting and scoring use
    ebm::Checkpoint metadata;           // its checkpoint without weights (to save it again)
    ModelInfo info;
    torch::Tensor lastSamples;          // final samples of the last sampling run, CPU, for .npy export
};

/// The model the Sample page goes on sampling after a training run's weights replaced it as the
/// loaded model, until the person takes those weights there (ReleaseKeptModelJob): a barely
/// trained network must not silently replace the one being looked at.
struct KeptModel {
    ebm::EnergyNet net;
    ModelInfo info;
};

/// The training run of this process. While it is active it owns the weights being trained,
/// and jobs that run as its guests (sampling from the current weights) read them.
struct TrainingSlot {
    std::unique_ptr<ebm::Trainer> trainer;  // the active or most recent run
    bool active = false;
};

/// The network a job on images uses now: the weights in training while a run is active, else
/// the loaded model (null before any model is loaded).
struct ModelInUse {
    ebm::EnergyNetImpl* net = nullptr;
    double sigma0 = 0.1;
    bool fromTraining = false;
};

struct JobContext {
    StudioWorker* worker = nullptr;     // announces model-wide changes (loaded, saved, notices)
    LoadedModel model;
    TrainingSlot training;
    std::optional<KeptModel> keptForSamplePage;

    ModelInUse modelInUse();
    /// What the Sample page's runs use: modelInUse(), except the kept model when there is one
    /// and no training run hosts them.
    ModelInUse samplePageModel();
    RuntimeInfo runtimeInfo() const;
    ModelInfo describe(const ebm::Checkpoint& cp, const ebm::EnergyNetImpl& net) const;
    /// Makes `net`, the weights a training run leaves, the loaded model and announces it. The
    /// model they replace is kept for the Sample page (unless one is kept already).
    void adopt(ebm::EnergyNet net, ebm::Checkpoint meta, ModelInfo described);
    /// Makes an opened model (a file, the bundled model) the loaded model of every page.
    void adoptOpened(ebm::EnergyNet net, ebm::Checkpoint meta, ModelInfo described);
};

}  // namespace ebm::studio
