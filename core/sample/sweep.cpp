#include "ebm/sample/sweep.h"

#include <torch/torch.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <tuple>

#include "ebm/base/error.h"
#include "ebm/nn/precision.h"
#include "ebm/schedule/sampling_settings.h"
#include "ebm/schedule/schedule_curve.h"

namespace ebm {
namespace {

using Clock = std::chrono::steady_clock;

// The denoising jump after the last step: one gradient for the jump, one for the final energies.
constexpr double kJumpStepEquivalents = 2.0;

const std::vector<std::pair<SweepSetting, std::string>>& settingNames()
{
    static const std::vector<std::pair<SweepSetting, std::string>> names{
        {SweepSetting::StepSize, "step-size"}, {SweepSetting::Steps, "steps"},
        {SweepSetting::TemperatureScale, "temperature-scale"}, {SweepSetting::Seed, "seed"},
        {SweepSetting::Sampler, "sampler"}, {SweepSetting::Precision, "precision"},
        {SweepSetting::Model, "model"}};
    return names;
}

std::string trimmed(const std::string& text)
{
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos)
        return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

/// Comma-separated items, blanks trimmed, empty items dropped.
std::vector<std::string> splitValues(const std::string& text)
{
    std::vector<std::string> items;
    size_t begin = 0;
    while (begin <= text.size()) {
        const size_t comma = std::min(text.find(',', begin), text.size());
        if (std::string item = trimmed(text.substr(begin, comma - begin)); !item.empty())
            items.push_back(std::move(item));
        begin = comma + 1;
    }
    return items;
}

/// A number written whole, in any locale (the studio's may write decimals with a comma).
bool parseReal(const std::string& text, double& value)
{
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    return error == std::errc() && stop == end && std::isfinite(value);
}

bool parseWhole(const std::string& text, long long& value)
{
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    return error == std::errc() && stop == end;
}

[[noreturn]] void refuseValue(SweepSetting setting, const std::string& value, const std::string& wanted)
{
    throw Error("sweep " + toString(setting) + ": '" + value + "' is not " + wanted);
}

double positiveReal(SweepSetting setting, const std::string& value)
{
    double number = 0.0;
    if (!parseReal(value, number) || !(number > 0.0))
        refuseValue(setting, value, "a positive number");
    return number;
}

long long wholeIn(SweepSetting setting, const std::string& value, long long lowest, long long highest)
{
    long long number = 0;
    if (!parseWhole(value, number) || number < lowest || number > highest)
        refuseValue(setting, value,
                    "a whole number between " + std::to_string(lowest) + " and " + std::to_string(highest));
    return number;
}

/// Checks `value` for `setting` and writes it into `options` (nothing for a temperature scale,
/// which needs the schedule that the other values make, nor for a model file).
void applyValue(SweepSetting setting, const std::string& value, SamplingOptions& options)
{
    switch (setting) {
    case SweepSetting::StepSize:
        options.stepSize = positiveReal(setting, value);
        return;
    case SweepSetting::Steps:
        options.scheduleSteps = static_cast<int>(wholeIn(setting, value, 1, kMaxScheduleSteps));
        return;
    case SweepSetting::TemperatureScale:
        positiveReal(setting, value);
        return;
    case SweepSetting::Seed:
        options.seed = static_cast<uint64_t>(wholeIn(setting, value, 0, std::numeric_limits<long long>::max()));
        return;
    case SweepSetting::Sampler:
        try {
            options.sampler = parseSampler(value);
        } catch (const Error& e) {
            throw Error("sweep sampler: " + std::string(e.what()));
        }
        return;
    case SweepSetting::Precision:
        try {
            options.precision = parsePrecision(value);
        } catch (const Error& e) {
            throw Error("sweep precision: " + std::string(e.what()));
        }
        return;
    case SweepSetting::Model:
        return;
    }
}

/// `curve` with every temperature multiplied by `scale` (> 0): the same shape, hotter or colder.
ScheduleCurve scaledCurve(const ScheduleCurve& curve, double scale)
{
    std::vector<CurvePoint> points = curve.points();
    for (CurvePoint& point : points)
        point.temperature *= scale;
    return ScheduleCurve(curve.steps(), std::move(points));
}

const SweepAxis* axisOf(const SweepPlan& plan, SweepSetting setting)
{
    for (const SweepAxis& axis : plan.axes)
        if (axis.setting == setting)
            return &axis;
    return nullptr;
}

/// The value of cell `index` on axis `axis`.
const std::string& cellValue(const SweepPlan& plan, int index, size_t axis)
{
    const int position = axis == 0 ? sweepColumn(plan, index) : sweepRow(plan, index);
    return plan.axes[axis].values.at(static_cast<size_t>(position));
}

void checkIndex(const SweepPlan& plan, int index)
{
    if (index < 0 || index >= plan.cells())
        throw Error("a sweep of " + std::to_string(plan.cells()) + " cells has no cell " + std::to_string(index));
}

/// The time of one step of `config` on `net`: a few steps from its own starting noise, timed
/// from the first step's end (the first allocates) to the last one's.
double secondsPerStep(EnergyNetImpl& net, const SamplerConfig& config, const std::atomic<bool>* cancel)
{
    SamplerConfig warmUp = config;
    warmUp.schedule = Schedule(std::vector<double>(kSweepWarmupSteps, config.schedule.at(0)));
    warmUp.finalDenoise = false;
    warmUp.reportEvery = kSweepWarmupSteps;
    warmUp.scheduleFeed = nullptr;
    Clock::time_point first, last;
    int observed = 0;
    warmUp.onStep = [&](const StepObservation&) {
        last = Clock::now();
        if (observed++ == 0)
            first = last;
    };
    try {
        annealedLangevin(net, warmUp, {}, {}, cancel);
    } catch (const Error&) {
        // A warm-up that diverged at its end still timed the steps before.
        if (observed < 2)
            throw;
    }
    if (observed < 2)
        return 0.0;  // cancelled
    return std::chrono::duration<double>(last - first).count() / (observed - 1);
}

}  // namespace

std::string toString(SweepSetting setting)
{
    for (const auto& [known, name] : settingNames())
        if (known == setting)
            return name;
    return "unknown";
}

SweepSetting parseSweepSetting(const std::string& name)
{
    std::string known;
    for (const auto& [setting, settingName] : settingNames()) {
        if (settingName == name)
            return setting;
        known += (known.empty() ? "" : setting == SweepSetting::Model ? " or " : ", ") + settingName;
    }
    throw Error("unknown sweep setting '" + name + "': use " + known);
}

const std::vector<SweepSetting>& sweepSettings()
{
    static const std::vector<SweepSetting> settings = [] {
        std::vector<SweepSetting> all;
        for (const auto& entry : settingNames())
            all.push_back(entry.first);
        return all;
    }();
    return settings;
}

std::string SweepAxis::label(size_t index) const { return name() + " = " + values.at(index); }

SweepAxis makeSweepAxis(SweepSetting setting, const std::string& values)
{
    SweepAxis axis;
    axis.setting = setting;
    axis.values = splitValues(values);
    if (axis.values.empty())
        throw Error("sweep " + toString(setting) + ": give its values separated by commas (e.g. " + toString(setting) +
                    "=" + (setting == SweepSetting::Steps ? "300,1000" : setting == SweepSetting::Sampler ? "langevin,mala"
                                                                                                           : "0.01,0.02") +
                    ")");
    SamplingOptions scratch;
    for (const std::string& value : axis.values)
        applyValue(setting, value, scratch);
    return axis;
}

SweepAxis parseSweepAxis(const std::string& spec)
{
    const size_t equals = spec.find('=');
    if (equals == std::string::npos)
        throw Error("a sweep axis is NAME=VALUE,VALUE,... (e.g. step-size=0.01,0.02,0.04), not '" + spec + "'");
    return makeSweepAxis(parseSweepSetting(trimmed(spec.substr(0, equals))), spec.substr(equals + 1));
}

void validate(const SweepPlan& plan)
{
    if (plan.axes.empty() || static_cast<int>(plan.axes.size()) > kMaxSweepAxes)
        throw Error("a sweep has one or two axes, not " + std::to_string(plan.axes.size()));
    if (plan.axes.size() == 2 && plan.axes[0].setting == plan.axes[1].setting)
        throw Error("both axes of the sweep vary " + plan.axes[0].name() + "; give the rows another setting");
    for (const SweepAxis& axis : plan.axes)
        if (axis.values.empty())
            throw Error("sweep " + axis.name() + ": the axis has no values");
    const int64_t cells = int64_t(plan.axes[0].values.size()) * (plan.axes.size() < 2 ? 1 : plan.axes[1].values.size());
    if (cells > kMaxSweepCells)
        throw Error("a sweep of " + std::to_string(cells) + " cells is over the " + std::to_string(kMaxSweepCells) +
                    " allowed; give the axes fewer values");
    if (plan.base.numSamples < 1 || cells * plan.base.numSamples > kMaxSweepSamples)
        throw Error(std::to_string(cells) + " cells of " + std::to_string(plan.base.numSamples) + " samples" +
                    (plan.base.numSamples < 1 ? " draw nothing; ask for at least 1 sample"
                                              : " are over the " + std::to_string(kMaxSweepSamples) +
                                                    " samples a sweep may draw; ask for fewer samples or values"));
}

int sweepColumn(const SweepPlan& plan, int index) { return plan.columns() > 0 ? index % plan.columns() : 0; }

int sweepRow(const SweepPlan& plan, int index) { return plan.columns() > 0 ? index / plan.columns() : 0; }

std::string sweepCellLabel(const SweepPlan& plan, int index)
{
    checkIndex(plan, index);
    std::string label;
    for (size_t axis = 0; axis < plan.axes.size(); ++axis)
        label += (axis ? ", " : "") + plan.axes[axis].name() + " = " + cellValue(plan, index, axis);
    return label;
}

SamplingOptions sweepCellOptions(const SweepPlan& plan, int index)
{
    checkIndex(plan, index);
    SamplingOptions options = plan.base;
    for (size_t axis = 0; axis < plan.axes.size(); ++axis)
        applyValue(plan.axes[axis].setting, cellValue(plan, index, axis), options);
    const SweepAxis* scaleAxis = axisOf(plan, SweepSetting::TemperatureScale);
    if (!scaleAxis)
        return options;
    const size_t axis = static_cast<size_t>(scaleAxis - plan.axes.data());
    const double scale = positiveReal(SweepSetting::TemperatureScale, cellValue(plan, index, axis));
    // The step size the unscaled schedule runs with (a curve in the options would run the paper's).
    if (options.stepSize == 0.0)
        options.stepSize = makeSamplerConfig(options, kDefaultSigma0).stepSize;
    try {
        options.curve = scaledCurve(requestedScheduleCurve(options), scale);
    } catch (const Error& e) {
        throw Error("temperature-scale " + cellValue(plan, index, axis) + ": " + e.what());
    }
    options.scheduleSteps = 0;  // the curve is at the requested length already
    return options;
}

std::string sweepCellModel(const SweepPlan& plan, int index)
{
    checkIndex(plan, index);
    for (size_t axis = 0; axis < plan.axes.size(); ++axis)
        if (plan.axes[axis].setting == SweepSetting::Model)
            return cellValue(plan, index, axis);
    return {};
}

Sweep::Sweep(SweepPlan plan, SweepModel model, const SweepModelOpener& opener) : plan_(std::move(plan))
{
    validate(plan_);
    if (!model.net)
        throw Error("no model to sweep: open a model first");
    models_[""] = std::move(model);
    if (const SweepAxis* files = axisOf(plan_, SweepSetting::Model)) {
        if (!opener)
            throw Error("this sweep cannot open model files; sweep another setting than model");
        for (const std::string& path : files->values) {
            if (models_.count(path))
                continue;
            SweepModel opened = opener(path);
            if (!opened.net)
                throw Error(path + ": no model was opened from it");
            models_[path] = std::move(opened);
        }
    }
    for (int index = 0; index < plan_.cells(); ++index) {
        try {
            PreparedCell cell;
            cell.options = sweepCellOptions(plan_, index);
            cell.model = sweepCellModel(plan_, index);
            const SweepModel& cellModel = models_.at(cell.model);
            cell.config = makeSamplerConfig(cell.options, cellModel.sigma0);
            checkPrecision(cell.config.precision, deviceOf(*cellModel.net));
            cells_.push_back(std::move(cell));
        } catch (const Error& e) {
            throw Error("cell " + sweepCellLabel(plan_, index) + ": " + e.what());
        }
    }
}

const SweepModel& Sweep::model(int index) const { return models_.at(cells_.at(static_cast<size_t>(index)).model); }

int64_t Sweep::totalSteps() const
{
    int64_t steps = 0;
    for (const PreparedCell& cell : cells_)
        steps += cell.config.schedule.size();
    return steps;
}

SweepEstimate Sweep::estimate(const std::atomic<bool>* cancel) const
{
    SweepEstimate estimate;
    estimate.cells = cells();
    estimate.totalSteps = totalSteps();
    // A step costs the same at every temperature, step size and seed: one measurement for each
    // model, arithmetic and sampler.
    std::map<std::tuple<std::string, Precision, Sampler>, double> measured;
    for (const PreparedCell& cell : cells_) {
        if (cancel && cancel->load())
            break;
        const auto key = std::make_tuple(cell.model, cell.config.precision, cell.config.sampler);
        auto it = measured.find(key);
        if (it == measured.end())
            it = measured.emplace(key, secondsPerStep(*models_.at(cell.model).net, cell.config, cancel)).first;
        const double steps = cell.config.schedule.size() + (cell.config.finalDenoise ? kJumpStepEquivalents : 0.0);
        estimate.seconds += it->second * steps;
    }
    return estimate;
}

SweepResult Sweep::run(const SweepProgressCallback& progress, const std::atomic<bool>* cancel,
                       const SweepCellCallback& onCell) const
{
    SweepResult result;
    const auto started = Clock::now();
    const int64_t total = totalSteps();
    int64_t done = 0;
    for (int index = 0; index < cells(); ++index) {
        if (cancel && cancel->load()) {
            result.stopped = true;
            break;
        }
        const PreparedCell& prepared = cells_[static_cast<size_t>(index)];
        SweepCell cell;
        cell.column = sweepColumn(plan_, index);
        cell.row = sweepRow(plan_, index);
        for (size_t axis = 0; axis < plan_.axes.size(); ++axis)
            cell.values.push_back(cellValue(plan_, index, axis));
        cell.options = prepared.options;
        cell.model = prepared.model;
        cell.stepSize = prepared.config.stepSize;
        cell.temperatures = prepared.config.schedule.temperatures();
        SamplerConfig config = prepared.config;
        const int steps = config.schedule.size();
        int stepsRun = 0;
        config.onStep = [&](const StepObservation& step) {
            stepsRun = step.step;
            if (progress)
                progress(SweepProgress{index, cells(), step.step, steps, done + step.step, total});
        };
        const auto cellStarted = Clock::now();
        try {
            SampleResult sampled = annealedLangevin(*models_.at(prepared.model).net, config, {}, {}, cancel);
            cell.samples = sampled.samples.to(torch::kCPU);
            cell.temperatures = sampled.temperatures;
            cell.stopped = sampled.stopped;
            cell.meanFinalEnergy = sampled.stopped || sampled.meanEnergies.empty()
                                       ? std::numeric_limits<double>::quiet_NaN()
                                       : sampled.meanEnergies.back();
        } catch (const Error& e) {
            // Refused before its first step: no fault of this cell's values alone.
            if (stepsRun == 0)
                throw Error("cell " + sweepCellLabel(plan_, index) + ": " + e.what());
            cell.problem = e.what();  // the sampler's "sampling diverged by step N ..."
            cell.meanFinalEnergy = std::numeric_limits<double>::quiet_NaN();
        }
        cell.seconds = std::chrono::duration<double>(Clock::now() - cellStarted).count();
        done += steps;
        const bool stopped = cell.stopped;
        if (onCell)
            onCell(cell);
        result.cells.push_back(std::move(cell));
        if (stopped) {
            result.stopped = true;
            break;
        }
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result;
}

GridAxisLabels sweepAxisLabels(const SweepPlan& plan, size_t axis)
{
    GridAxisLabels labels;
    if (axis >= plan.axes.size())
        return labels;
    labels.title = plan.axes[axis].name();
    for (size_t i = 0; i < plan.axes[axis].values.size(); ++i)
        labels.labels.push_back(plan.axes[axis].label(i));
    return labels;
}

LabelledGrid sweepPicture(const SweepPlan& plan, const SweepResult& result, const LabelledGridOptions& options)
{
    std::vector<LabelledGridCell> cells(static_cast<size_t>(plan.cells()), LabelledGridCell{{}, kSweepNotRunNote});
    for (const SweepCell& cell : result.cells) {
        LabelledGridCell& shown = cells.at(static_cast<size_t>(cell.row * plan.columns() + cell.column));
        if (cell.stopped)
            shown.note = kSweepStoppedNote;
        else if (cell.samples.defined())
            shown = {cell.samples, {}};
        else
            shown.note = kSweepDivergedNote;
    }
    return makeLabelledGrid(cells, plan.columns(), sweepAxisLabels(plan, 0), sweepAxisLabels(plan, 1), options);
}

}  // namespace ebm
