// The Sweep dialog's jobs: the estimate of a sweep's time and the sweep itself, on the model the
// Sample page samples, with throttled progress, Stop between two steps and the labelled picture
// handed over as a QImage.
#include "pages/sample/sweep_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>

#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/io/labelled_grid.h"
#include "ebm/io/model_file.h"
#include "ebm/sample/sweep.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"

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
        Clock::time_point lastReport{};
        const auto onProgress = [&](const ebm::SweepProgress& p) {
            const bool last = p.stepsDone == p.totalSteps;
            if (!last && Clock::now() - lastReport < kProgressInterval)
                return;
            lastReport = Clock::now();
            SweepProgressInfo info;
            info.cell = p.cell;
            info.cells = p.cells;
            info.step = p.step;
            info.steps = p.steps;
            info.stepsDone = p.stepsDone;
            info.totalSteps = p.totalSteps;
            info.elapsedSeconds = elapsed();
            if (p.stepsDone > 0)
                info.secondsLeft = info.elapsedSeconds * double(p.totalSteps - p.stepsDone) / double(p.stepsDone);
            report.progress(QVariant::fromValue(info));
        };
        const ebm::SweepResult result = sweep.run(onProgress, control.cancelFlag());
        outcome.stopped = result.stopped;
        const ebm::LabelledGrid picture = ebm::sweepPicture(plan, result, ebm::LabelledGridOptions{request_.cellColumns, 1});
        outcome.grid = toImage(picture);
        outcome.columns = picture.columns;
        outcome.rows = picture.rows;
        outcome.labelsDrawn = picture.labelsDrawn;
        const ebm::GridAxisLabels columns = ebm::sweepAxisLabels(plan, 0), rows = ebm::sweepAxisLabels(plan, 1);
        outcome.columnTitle = QString::fromStdString(columns.title);
        outcome.rowTitle = QString::fromStdString(rows.title);
        outcome.columnLabels = toStrings(columns.labels);
        outcome.rowLabels = toStrings(rows.labels);
        int diverged = 0;
        for (const ebm::SweepCell& cell : result.cells) {
            outcome.meanFinalEnergies << cell.meanFinalEnergy;
            outcome.cellSeconds << cell.seconds;
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
