#pragma once
// Sweeps (issue 27): one sampling run per cell of a grid over one or two settings (step size,
// schedule length, temperature scale, seed, sampler, precision, model), every cell from the same
// seed unless the seed is an axis, so that the pictures differ by that setting alone. `ebm sweep`
// and the studio's Sweep dialog run them; ebm/io/labelled_grid.h draws the result.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <torch/types.h>

#include "ebm/base/defaults.h"
#include "ebm/io/labelled_grid.h"
#include "ebm/nn/model.h"
#include "ebm/sample/sampler.h"
#include "ebm/schedule/sampling_options.h"

namespace ebm {

/// What an axis varies.
enum class SweepSetting {
    StepSize,          // eps of eq. 8
    Steps,             // the schedule's length
    TemperatureScale,  // every temperature of the schedule's curve multiplied by it
    Seed,
    Sampler,           // langevin or mala
    Precision,
    Model,             // model files, opened by the caller's SweepModelOpener
};

/// "step-size", "steps", "temperature-scale", "seed", "sampler", "precision", "model".
std::string toString(SweepSetting setting);
/// Throws ebm::Error in one line naming the known settings.
SweepSetting parseSweepSetting(const std::string& name);
/// Every setting, in the order of the enum (what a person picks from).
const std::vector<SweepSetting>& sweepSettings();

constexpr int kMaxSweepAxes = 2;
/// Cells of one sweep: each is a whole sampling run, and the picture shows them all.
constexpr int kMaxSweepCells = 64;
/// Samples of all cells together.
constexpr int64_t kMaxSweepSamples = 4096;

/// One axis: a setting and its values as a person wrote them (blanks trimmed), which the labels show.
struct SweepAxis {
    SweepSetting setting = SweepSetting::StepSize;
    std::vector<std::string> values;

    std::string name() const { return toString(setting); }
    /// "step-size = 0.02": how a column or row of the picture is labelled.
    std::string label(size_t index) const;
};

/// "NAME=V1,V2,...", e.g. "step-size=0.01,0.02,0.04". Throws ebm::Error in one line for an
/// unknown name, no values, or a value the setting cannot take.
SweepAxis parseSweepAxis(const std::string& spec);
/// The axis of `setting` over the comma-separated `values`, checked as parseSweepAxis checks them.
SweepAxis makeSweepAxis(SweepSetting setting, const std::string& values);

/// What to sweep: the settings every cell shares and the axes (columns first, then rows).
struct SweepPlan {
    SamplingOptions base;
    std::vector<SweepAxis> axes;

    int columns() const { return axes.empty() ? 0 : static_cast<int>(axes[0].values.size()); }
    int rows() const { return axes.size() < 2 ? 1 : static_cast<int>(axes[1].values.size()); }
    int cells() const { return columns() * rows(); }
};

/// Throws ebm::Error in one line: no axis or more than kMaxSweepAxes, one setting on both axes,
/// more than kMaxSweepCells cells, more than kMaxSweepSamples samples in all.
void validate(const SweepPlan& plan);

/// Cell `index` (row-major: index = row * columns + column): its column and row.
int sweepColumn(const SweepPlan& plan, int index);
int sweepRow(const SweepPlan& plan, int index);
/// "step-size = 0.02, steps = 300": the values of cell `index`, for messages.
std::string sweepCellLabel(const SweepPlan& plan, int index);
/// The sampling options of cell `index`: the base with the cell's values applied. A temperature
/// scale makes the options carry the scaled curve (at the requested length) and the step size the
/// unscaled schedule would have run with. Throws ebm::Error when the scaled curve cannot run.
SamplingOptions sweepCellOptions(const SweepPlan& plan, int index);
/// The model file of cell `index` on a model axis; empty: the sweep's own model.
std::string sweepCellModel(const SweepPlan& plan, int index);

/// A network the cells sample. `owner` keeps an opened one alive (empty for one its caller keeps).
struct SweepModel {
    EnergyNetImpl* net = nullptr;
    double sigma0 = kDefaultSigma0;
    EnergyNet owner;
};
/// Opens a model file of a model axis (so that core stays file-agnostic: the caller decides the
/// device and the weights); throws ebm::Error naming the file.
using SweepModelOpener = std::function<SweepModel(const std::string& path)>;

/// Where a sweep is: reported at every step of every cell (throttle what you show).
struct SweepProgress {
    int cell = 0;            // 0-based, row-major
    int cells = 0;
    int step = 0;            // of this cell's schedule, 1-based
    int steps = 0;
    int64_t stepsDone = 0;   // over every cell, for an ETA
    int64_t totalSteps = 0;
};
using SweepProgressCallback = std::function<void(const SweepProgress&)>;

/// One cell as it ran.
struct SweepCell {
    int column = 0;
    int row = 0;
    std::vector<std::string> values;  // the cell's value on each axis
    SamplingOptions options;          // as run (sweepCellOptions)
    std::string model;                // its model file on a model axis, else empty
    double stepSize = 0.0;            // as run (0 in the options resolved)
    std::vector<double> temperatures; // the schedule as run, one per step
    torch::Tensor samples;            // [N, ...] CPU float; undefined when the cell diverged
    /// Mean energy of the final frame (after the denoising jump when there is one); NaN when the
    /// cell diverged or was stopped before its end.
    double meanFinalEnergy = 0.0;
    double seconds = 0.0;
    bool stopped = false;             // the cancel flag ended it early (samples: the state reached)
    std::string problem;              // why it has no samples ("sampling diverged by step ...")
};

/// Called with each cell once it has run (or stopped), before the next one starts.
using SweepCellCallback = std::function<void(const SweepCell&)>;

struct SweepResult {
    std::vector<SweepCell> cells;     // those that ran, in order (all unless stopped)
    bool stopped = false;
    double seconds = 0.0;
};

/// The total time a sweep should take, before it runs.
struct SweepEstimate {
    double seconds = 0.0;
    int64_t totalSteps = 0;   // every cell's schedule together
    int cells = 0;
};

/// A sweep ready to run: the plan checked, every model of a model axis opened and every cell's
/// sampler configuration made, so that a setting that cannot run is refused before any work.
class Sweep {
public:
    /// Throws ebm::Error in one line, naming the cell ("cell steps = 0: ...") when one cell's
    /// settings cannot run on its model's device. `opener` may be empty without a model axis.
    Sweep(SweepPlan plan, SweepModel model, const SweepModelOpener& opener = {});

    const SweepPlan& plan() const { return plan_; }
    int cells() const { return static_cast<int>(cells_.size()); }
    /// The sampler configuration of cell `index` (sigma0 that of its model).
    const SamplerConfig& config(int index) const { return cells_.at(static_cast<size_t>(index)).config; }
    const SweepModel& model(int index) const;
    int64_t totalSteps() const;

    /// Measures one step on a short warm-up (kSweepWarmupSteps steps from the same starting
    /// noise, not kept) for every model, precision and sampler the cells use, and multiplies by
    /// the cells' steps (the denoising jump counted as two steps). Returns early, with what it has
    /// measured, when `cancel` is raised.
    SweepEstimate estimate(const std::atomic<bool>* cancel = nullptr) const;

    /// Runs the cells in order, each from the cell's seed. A cell whose energies stop being finite
    /// is kept with its problem (meanFinalEnergy NaN, no samples) and the sweep goes on. `cancel`
    /// is polled at every step: the cell it stops is kept (stopped) and no later cell runs.
    SweepResult run(const SweepProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr,
                    const SweepCellCallback& onCell = {}) const;

private:
    struct PreparedCell {
        SamplingOptions options;
        std::string model;       // key into models_ ("" the sweep's own)
        SamplerConfig config;
    };

    SweepPlan plan_;
    std::map<std::string, SweepModel> models_;
    std::vector<PreparedCell> cells_;
};

/// The labels of axis `axis` (0: the columns, 1: the rows): its name and "name = value" for each
/// value; none beyond the plan's axes.
GridAxisLabels sweepAxisLabels(const SweepPlan& plan, size_t axis);

/// The sweep's picture: every cell of the plan, those that ran to their end with their samples,
/// the others as grey boxes that say why ("diverged", "stopped", "not run"), under and beside
/// the axes' labels. Throws ebm::Error as makeLabelledGrid does.
LabelledGrid sweepPicture(const SweepPlan& plan, const SweepResult& result, const LabelledGridOptions& options = {});

/// Steps of the warm-up that estimate() times (the first is not counted: it allocates).
constexpr int kSweepWarmupSteps = 5;

}  // namespace ebm
