// The model and runtime jobs, and the work they do on the worker's loaded model.
#include "worker/model_jobs.h"

#include <QFileInfo>
#include <QObject>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "ebm/io/model_file.h"
#include "ebm/io/pytorch_export.h"
#include "worker/job_context.h"
#include "worker/studio_worker.h"

namespace ebm::studio {
namespace {

void configureRuntime(JobContext& c, const QString& devicePreference, int threads)
{
    try {
        ebm::configureThreads(threads);
        const torch::Device wanted = ebm::chooseDevice(devicePreference.toStdString());
        if (wanted != c.model.device) {
            if (c.model.net)
                c.model.net->to(wanted);
            if (c.keptForSamplePage)
                c.keptForSamplePage->net->to(wanted);
            c.model.device = wanted;
        }
        spdlog::info("studio worker runs on {}", ebm::describeDevice(c.model.device));
    } catch (const std::exception& e) {
        const QString message = firstLine(e.what());
        spdlog::warn("{}", message.toStdString());
        Q_EMIT c.worker->problem(message);
    }
    Q_EMIT c.worker->runtimeChanged(c.runtimeInfo());
}

bool loadModel(JobContext& c, const QString& path)
{
    try {
        if (!QFileInfo::exists(path))
            throw ebm::Error(path.toStdString() + ": no such file");
        ebm::OpenedModel opened = ebm::openModel(path.toStdString(), c.model.device);
        ModelInfo described = c.describe(opened.checkpoint, *opened.net);
        described.averagedWeights = opened.usesAveragedWeights;
        described.weights = QString::fromStdString(opened.weightsDescription());
        if (opened.usesAveragedWeights)
            described.description += QObject::tr(" · averaged weights");
        spdlog::info("loaded {} ({})", path.toStdString(), described.description.toStdString());
        c.adoptOpened(std::move(opened.net), std::move(opened.checkpoint), std::move(described));
        return true;
    } catch (const std::exception& e) {
        // The current model stays: a bad file must not leave the studio without one.
        const QString message = firstLine(e.what());
        spdlog::error("could not open model: {}", message.toStdString());
        Q_EMIT c.worker->modelLoadFailed(path, message);
        return false;
    }
}

bool loadBundledModel(JobContext& c)
{
    const QString path = QString::fromStdString(ebm::bundledModelPath());
    if (QFileInfo::exists(path))
        return loadModel(c, path);
    // Until the trained model ships, keep the studio usable with an untrained stand-in and say so.
    const QString message =
        QObject::tr("The bundled Fashion-MNIST model was not found (%1). An untrained stand-in is loaded: its "
           "samples stay noise. Open a model with File > Open Model, set EBM_DEFAULT_MODEL, or train one.")
            .arg(path);
    spdlog::warn("{}", message.toStdString());
    Q_EMIT c.worker->problem(message);
    try {
        ebm::ModelConfig config;
        config.arch = ebm::Architecture::Res6;
        config.baseWidth = 8;
        torch::manual_seed(1);
        ebm::EnergyNet model = ebm::makeEnergyNet(config);
        model->to(c.model.device);
        ebm::Checkpoint cp;
        cp.model = config;
        cp.format = "untrained";
        ModelInfo described = c.describe(cp, *model);
        described.fallback = true;
        described.description = QObject::tr("untrained stand-in, %1").arg(described.description);
        c.adoptOpened(std::move(model), std::move(cp), std::move(described));
        return true;
    } catch (const std::exception& e) {
        Q_EMIT c.worker->modelLoadFailed(path, firstLine(e.what()));
        return false;
    }
}

void exportPytorch(JobContext& c, const QString& path)
{
    try {
        if (!c.model.net)
            throw ebm::Error("there is no model to export");
        ebm::Checkpoint cp;
        cp.model = c.model.net->config();
        cp.sourcePath = c.model.info.path.toStdString();
        cp.weights = ebm::collectWeights(*c.model.net);
        ebm::writePytorchStateDict(ebm::referenceStateDict(cp, ebm::WeightChoice::Raw), path.toStdString());
        spdlog::info("exported {} to {}", c.model.net->config().describe(), path.toStdString());
        Q_EMIT c.worker->notice(QObject::tr("Exported %1 (%2) for PyTorch to %3")
                             .arg(QString::fromStdString(c.model.net->config().describe()),
                                  c.model.info.weights.isEmpty() ? QObject::tr("weights") : c.model.info.weights, path));
    } catch (const std::exception& e) {
        Q_EMIT c.worker->problem(QObject::tr("Could not export the model: %1").arg(firstLine(e.what())));
    }
}

void exportSamplesNpy(JobContext& c, const QString& path)
{
    try {
        if (!c.model.lastSamples.defined())
            throw ebm::Error("no samples yet: run the sampler first");
        ebm::writeNpy(path.toStdString(), c.model.lastSamples);
        spdlog::info("wrote {} samples to {}", c.model.lastSamples.size(0), path.toStdString());
        Q_EMIT c.worker->notice(QObject::tr("Wrote %1 samples to %2").arg(c.model.lastSamples.size(0)).arg(path));
    } catch (const std::exception& e) {
        Q_EMIT c.worker->problem(QObject::tr("Could not export the samples: %1").arg(firstLine(e.what())));
    }
}

}  // namespace

void saveModelTo(JobContext& c, const QString& path)
{
    try {
        if (!c.model.net)
            throw ebm::Error("there is no model to save");
        if (path.endsWith(QLatin1String(".pt"), Qt::CaseInsensitive))
            throw ebm::Error(path.toStdString() +
                             ": the studio writes native .ebm checkpoints only; choose a name ending in .ebm");
        if (c.model.info.fromTraining && c.training.trainer) {
            c.training.trainer->saveCheckpoint(path.toStdString());  // with optimizer state: resumable
        } else {
            ebm::Checkpoint cp = c.model.metadata;
            if (c.model.info.averagedWeights) {
                cp.averagedWeights = ebm::collectWeights(*c.model.net);  // cp.weights keeps the raw ones
            } else {
                cp.weights = ebm::collectWeights(*c.model.net);
                cp.averagedWeights.clear();
            }
            if (cp.format.empty() || cp.format == "untrained" || cp.format == kPytorchCheckpointFormat)
                cp.format = kNativeCheckpointFormat;
            ebm::saveCheckpoint(cp, path.toStdString());
        }
        c.model.info.path = path;
        spdlog::info("saved model to {}", path.toStdString());
        Q_EMIT c.worker->modelSaved(path);
    } catch (const std::exception& e) {
        const QString message = firstLine(e.what());
        spdlog::error("could not save model: {}", message.toStdString());
        Q_EMIT c.worker->problem(QObject::tr("Could not save the model: %1").arg(message));
    }
}

QVariant ConfigureRuntimeJob::run(JobContext* context, JobControl&, JobReporter&)
{
    configureRuntime(*context, device_, threads_);
    return true;
}

QVariant LoadModelJob::run(JobContext* context, JobControl&, JobReporter&)
{
    return path().isEmpty() ? loadBundledModel(*context) : loadModel(*context, path());
}

QVariant SaveModelJob::run(JobContext* context, JobControl&, JobReporter&)
{
    saveModelTo(*context, path());
    return true;
}

QVariant ExportPytorchJob::run(JobContext* context, JobControl&, JobReporter&)
{
    exportPytorch(*context, path());
    return true;
}

QVariant ReleaseKeptModelJob::run(JobContext* context, JobControl&, JobReporter&)
{
    context->keptForSamplePage.reset();
    return true;
}

QVariant ExportSamplesJob::run(JobContext* context, JobControl&, JobReporter&)
{
    exportSamplesNpy(*context, path());
    return true;
}

}  // namespace ebm::studio
