// The Sweep dialog's jobs: the estimate of a sweep's time and the sweep itself, on the model the
// Sample page samples, with throttled progress carrying each cell as it ends, Stop between two
// steps and the labelled picture handed over as a QImage.
#include "pages/sample/sweep_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <set>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/io/image_file.h"
#include "ebm/io/labelled_grid.h"
#include "ebm/io/model_file.h"
#include "ebm/sample/sweep.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"
#include "worker/tensor_images.h"

namespace ebm::studio {
namespace {

using Clock = std::chrono::steady_clock;

// What a person follows without flooding the GUI thread's queue.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

ebm::SweepPlan planFor(const SweepRequest& request)
{
    ebm::SweepPlan plan;
    plan.base = toSamplingOptions(request.base);
    plan.base.numSamples = request.samplesPerCell;
    // Progress comes from every step; the reports only check that the energies stay finite.
    plan.base.reportEvery = ebm::kDefaultReportEvery;
    for (const SweepAxisRequest& axis : request.axes)
        plan.axes.push_back(
            ebm::makeSweepAxis(ebm::parseSweepSetting(axis.setting.toStdString()), axis.values.toStdString()));
    ebm::validate(plan);
    return plan;
}

/// The Sample page's model: the loaded one, or the one a training run's weights replaced.
ModelInUse pageModel(JobContext* context)
{
    const ModelInUse model = context ? context->samplePageModel() : ModelInUse{};
    if (!model.net)
        throw ebm::Error("no model is loaded yet");
    if (!model.net->config().isImageModel())
        throw ebm::Error("this model draws 2-D points; a sweep draws pictures of an image model");
    return model;
}

/// Model files of a model axis, opened on the loaded model's device.
ebm::SweepModelOpener fileOpener(JobContext* context)
{
    const torch::Device device = context->model.device;
    return [device](const std::string& path) {
        ebm::OpenedModel opened = ebm::openModel(path, device);
        if (!opened.net->config().isImageModel())
            throw ebm::Error(path + ": draws 2-D points; a sweep draws pictures of an image model");
        return ebm::SweepModel{opened.net.get(), opened.sigma0, opened.net};
    };
}

ebm::Sweep prepare(const SweepRequest& request, JobContext* context, const ModelInUse& model)
{
    return ebm::Sweep(planFor(request), ebm::SweepModel{model.net, model.sigma0, nullptr}, fileOpener(context));
}

QImage toImage(const ebm::LabelledGrid& grid)
{
    QImage image(grid.width, grid.height, QImage::Format_RGB888);
    for (int y = 0; y < grid.height; ++y)
        std::memcpy(image.scanLine(y), grid.rgb.data() + static_cast<size_t>(y) * grid.width * 3,
                    static_cast<size_t>(grid.width) * 3);
    return image;
}

QStringList toStrings(const std::vector<std::string>& texts)
{
    QStringList list;
    for (const std::string& text : texts)
        list << QString::fromStdString(text);
    return list;
}

/// The axes as an exported picture keeps them: {"x": {"setting", "values"}, "y": ...}.
QString axesJson(const ebm::SweepPlan& plan)
{
    constexpr const char* kAxisKeys[] = {"x", "y"};
    ebm::Json axes = ebm::Json::object();
    for (size_t axis = 0; axis < plan.axes.size(); ++axis)
        axes[kAxisKeys[axis]] = {{"setting", plan.axes[axis].name()}, {"values", plan.axes[axis].values}};
    return QString::fromStdString(axes.dump());
}

/// The grid's shape and labels, and the size of the largest cell picture: every cell draws as
/// many samples of its model's shape (a model axis may mix shapes).
SweepGridInfo gridInfo(const ebm::Sweep& sweep, int cellColumns)
{
    const ebm::SweepPlan& plan = sweep.plan();
    SweepGridInfo grid;
    grid.columns = plan.columns();
    grid.rows = plan.rows();
    const ebm::GridAxisLabels columns = ebm::sweepAxisLabels(plan, 0), rows = ebm::sweepAxisLabels(plan, 1);
    grid.columnTitle = QString::fromStdString(columns.title);
    grid.rowTitle = QString::fromStdString(rows.title);
    grid.columnLabels = toStrings(columns.labels);
    grid.rowLabels = toStrings(rows.labels);
    std::set<std::vector<int64_t>> measured;  // sample shapes
    for (int index = 0; index < sweep.cells(); ++index) {
        std::vector<int64_t> shape = sweep.model(index).net->config().sampleShape();
        if (!measured.insert(shape).second)
            continue;
        shape.insert(shape.begin(), plan.base.numSamples);
        // makeGrid of blank samples: the cell pictures' size, by the same arithmetic.
        const torch::Tensor blank = ebm::makeGrid(torch::zeros(shape), cellColumns);
        grid.cellSize = grid.cellSize.expandedTo(QSize(int(blank.size(2)), int(blank.size(1))));
    }
    return grid;
}

/// Why `cell` shows no samples in the picture, as ebm::sweepPicture decides it; empty when it shows them.
QString cellNote(const ebm::SweepCell& cell)
{
    if (cell.stopped)
        return kSweepCellStopped;
    return cell.samples.defined() ? QString() : kSweepCellDiverged;
}

SweepCellInfo cellInfo(const ebm::SweepPlan& plan, const ebm::SweepCell& cell, int cellColumns)
{
    SweepCellInfo info;
    info.column = cell.column;
    info.row = cell.row;
    info.index = cell.row * plan.columns() + cell.column;
    info.note = cellNote(cell);
    if (info.note.isEmpty())
        info.picture = tensorGridImage(cell.samples, cellColumns);
    info.meanFinalEnergy = cell.meanFinalEnergy;
    info.seconds = cell.seconds;
    return info;
}

/// The settings every cell shares, as a sampling run reports them (for the picture's settings).
SamplingRunInfo sharedRun(const SweepRequest& request, const ebm::SweepPlan& plan, const ModelInUse& model)
{
    const ebm::SamplerConfig config = ebm::makeSamplerConfig(plan.base, model.sigma0);
    SamplingRunInfo run;
    run.settings = request.base;
    run.settings.numSamples = request.samplesPerCell;
    run.totalSteps = config.schedule.size();
    run.numSamples = request.samplesPerCell;
    run.temperatures = QVector<double>(config.schedule.temperatures().begin(), config.schedule.temperatures().end());
    run.modelDescription = QString::fromStdString(model.net->config().describe());
    run.fromTrainingWeights = model.fromTraining;
    return run;
}

}  // namespace

QStringList sweepSettingNames()
{
    QStringList names;
    for (ebm::SweepSetting setting : ebm::sweepSettings())
        names << QString::fromStdString(ebm::toString(setting));
    return names;
}

QString sweepAxisProblem(const QString& setting, const QString& values)
{
    try {
        ebm::makeSweepAxis(ebm::parseSweepSetting(setting.toStdString()), values.toStdString());
    } catch (const ebm::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QVariant SweepEstimateJob::run(JobContext* context, JobControl& control, JobReporter&)
{
    SweepEstimateOutcome outcome;
    try {
        const ModelInUse model = pageModel(context);
        const ebm::Sweep sweep = prepare(request_, context, model);
        const ebm::SweepEstimate estimate = sweep.estimate(control.cancelFlag());
        outcome.seconds = estimate.seconds;
        outcome.totalSteps = estimate.totalSteps;
        outcome.cells = estimate.cells;
    } catch (const std::exception& e) {
        outcome.failed = true;
        outcome.message = firstLine(e.what());
    }
    return QVariant::fromValue(outcome);
}

QVariant SweepJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    SweepOutcome outcome;
    const auto started = Clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
    try {
        const ModelInUse model = pageModel(context);
        const ebm::Sweep sweep = prepare(request_, context, model);
        const ebm::SweepPlan& plan = sweep.plan();
        spdlog::info("sweeping {} cells of {} samples on {}", plan.cells(), plan.base.numSamples,
                     model.net->config().describe());
        const SweepGridInfo grid = gridInfo(sweep, request_.cellColumns);
        report.progress(QVariant::fromValue(grid));
        // One report at most every kProgressInterval: the latest step, and every cell that ended
        // since the last report (a cell is never dropped, it waits for the next report).
        SweepProgressInfo pending;
        pending.cells = plan.cells();
        pending.totalSteps = sweep.totalSteps();
        Clock::time_point lastReport = Clock::now();
        const auto sendReport = [&](bool now) {
            if (!now && Clock::now() - lastReport < kProgressInterval)
                return;
            lastReport = Clock::now();
            pending.elapsedSeconds = elapsed();
            if (pending.stepsDone > 0)
                pending.secondsLeft = pending.elapsedSeconds * double(pending.totalSteps - pending.stepsDone) /
                                      double(pending.stepsDone);
            report.progress(QVariant::fromValue(pending));
            pending.cellsEnded.clear();
        };
        const auto onProgress = [&](const ebm::SweepProgress& p) {
            pending.cell = p.cell;
            pending.step = p.step;
            pending.steps = p.steps;
            pending.stepsDone = p.stepsDone;
            sendReport(false);
        };
        const auto onCell = [&](const ebm::SweepCell& cell) {
            pending.cellsEnded.push_back(cellInfo(plan, cell, request_.cellColumns));
            sendReport(false);
        };
        const ebm::SweepResult result = sweep.run(onProgress, control.cancelFlag(), onCell);
        sendReport(true);  // where it ended, and the cells still held
        outcome.stopped = result.stopped;
        const ebm::LabelledGrid picture = ebm::sweepPicture(plan, result, ebm::LabelledGridOptions{request_.cellColumns, 1});
        outcome.grid = toImage(picture);
        outcome.columns = picture.columns;
        outcome.rows = picture.rows;
        outcome.labelsDrawn = picture.labelsDrawn;
        outcome.columnTitle = grid.columnTitle;
        outcome.rowTitle = grid.rowTitle;
        outcome.columnLabels = grid.columnLabels;
        outcome.rowLabels = grid.rowLabels;
        for (int index = 0; index < plan.cells(); ++index)
            outcome.cellNotes << kSweepCellNotRun;
        int diverged = 0;
        for (const ebm::SweepCell& cell : result.cells) {
            outcome.meanFinalEnergies << cell.meanFinalEnergy;
            outcome.cellSeconds << cell.seconds;
            outcome.cellNotes[cell.row * plan.columns() + cell.column] = cellNote(cell);
            diverged += cell.problem.empty() ? 0 : 1;
        }
        outcome.run = sharedRun(request_, plan, model);
        outcome.axesJson = axesJson(plan);
        if (diverged > 0)
            outcome.message = (diverged == 1 ? QObject::tr("1 cell diverged")
                                             : QObject::tr("%1 cells diverged").arg(diverged)) +
                              QObject::tr(" (the energies stopped being finite): try a smaller step size there.");
    } catch (const ebm::Cancelled&) {
        outcome.stopped = true;
    } catch (const std::exception& e) {
        outcome.failed = true;
        outcome.message = firstLine(e.what());
        spdlog::error("sweep failed: {}", outcome.message.toStdString());
    }
    outcome.seconds = elapsed();
    return QVariant::fromValue(outcome);
}

}  // namespace ebm::studio
