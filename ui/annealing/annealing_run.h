#pragma once
// One annealed Langevin run with live frames: what the Sample page's runs, the Schedule page's
// previews and the Inpaint page's completions share (their jobs call runAnnealing). Torch types:
// for the .cpp files of jobs only.
#include <torch/types.h>

#include <atomic>
#include <memory>

#include "worker/job_context.h"
#include "worker/studio_types.h"
#include "annealing/sampling_types.h"

namespace ebm {
class ScheduleFeed;
}

namespace ebm::studio {

class JobControl;
class JobReporter;

/// What an inpainting run completes: images [N, C, H, W] and the mask [1, 1, H, W] (1 = generate).
struct InpaintInput {
    torch::Tensor images;
    torch::Tensor mask;
    bool referenceNoise = false;  // the reference code's 0.1*T^(1/4) on known pixels
};

struct AnnealingRun {
    SamplingSettings settings;
    int runId = 0;
    ModelInUse model;
    DenoisedPreview denoisedPreview = DenoisedPreview::NotRecorded;
    /// A schedule posted here replaces the remaining steps (may be null).
    std::shared_ptr<ebm::ScheduleFeed> scheduleFeed;
    /// With inpainting: the known pixels of these images stay clamped (ebm::inpaint).
    const InpaintInput* inpaint = nullptr;
    /// Where the final samples go, when given (CPU).
    torch::Tensor* samples = nullptr;
};

/// Runs it, reporting SamplingRunInfo and SampleFrameBatch values through `report` and
/// honouring `control`. Never throws: failures are in the outcome.
SamplingOutcome runAnnealing(const AnnealingRun& run, JobControl& control, JobReporter& report);

}  // namespace ebm::studio
