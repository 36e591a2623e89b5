#include "studio_worker.h"

#include <QFileInfo>

#include <spdlog/spdlog.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "ebm/checkpoint.h"
#include "ebm/dataset.h"
#include "ebm/error.h"
#include "ebm/runtime.h"
#include "ebm/model_file.h"
#include "private/worker_impl.h"

namespace ebm::studio {

QString firstLine(const char* text)
{
    const QString all = QString::fromUtf8(text).trimmed();
    const qsizetype newline = all.indexOf(QLatin1Char('\n'));
    return newline < 0 ? all : all.left(newline).trimmed();
}

RuntimeInfo StudioWorker::Impl::runtimeInfo() const
{
    RuntimeInfo r;
    r.device = device.is_cuda() ? QStringLiteral("cuda") : QStringLiteral("cpu");
    r.description = QString::fromStdString(ebm::describeDevice(device));
    r.threads = torch::get_num_threads();
    r.cores = ebm::hardwareCores();
    r.cudaAvailable = torch::cuda::is_available();
    return r;
}

ModelInfo StudioWorker::Impl::describe(const ebm::Checkpoint& cp, const ebm::EnergyNetImpl& model) const
{
    ModelInfo m;
    const ebm::ModelConfig& config = model.config();
    m.path = QString::fromStdString(cp.sourcePath);
    m.description = QString::fromStdString(config.describe());
    m.format = QString::fromStdString(cp.format);
    m.parameters = model.parameterCount();
    m.channels = config.inChannels;
    m.imageSize = config.imageSize;
    m.imageModel = config.isImageModel();
    // sigma0 sets the size of the denoising jump; reference files do not record it.
    m.sigma0 = cp.hasTraining ? cp.train.noise.sigma0 : 0.1;
    m.trainedSteps = cp.step;
    if (cp.hasTraining) {
        // Say what it learned: the data set (file name for paths) and how long.
        QString data = QString::fromStdString(cp.train.dataset);
        if (data.contains(QLatin1Char('/')))
            data = QFileInfo(data).fileName();
        m.description += tr(" · %1, %2 steps").arg(data.isEmpty() ? tr("unknown data") : data).arg(cp.step);
    }
    return m;
}

void StudioWorker::Impl::adopt(ebm::EnergyNet model, ebm::Checkpoint meta, ModelInfo described)
{
    meta.weights.clear();  // the network holds them; no second copy
    net = std::move(model);
    metadata = std::move(meta);
    info = std::move(described);
    Q_EMIT q->modelLoaded(info);
}

StudioWorker::StudioWorker(JobControl* samplingControl, JobControl* trainingControl, JobControl* evaluationControl)
    : d(std::make_unique<Impl>())
{
    d->q = this;
    d->samplingControl = samplingControl;
    d->trainingControl = trainingControl;
    d->evaluationControl = evaluationControl;
}

StudioWorker::~StudioWorker() = default;

void StudioWorker::configureRuntime(const QString& devicePreference, int threads)
{
    try {
        ebm::configureThreads(threads);
        const torch::Device wanted = ebm::chooseDevice(devicePreference.toStdString());
        if (wanted != d->device) {
            if (d->net)
                d->net->to(wanted);
            d->device = wanted;
        }
        spdlog::info("studio worker runs on {}", ebm::describeDevice(d->device));
    } catch (const std::exception& e) {
        const QString message = firstLine(e.what());
        spdlog::warn("{}", message.toStdString());
        Q_EMIT problem(message);
    }
    Q_EMIT runtimeChanged(d->runtimeInfo());
}

void StudioWorker::loadModel(const QString& path)
{
    try {
        if (!QFileInfo::exists(path))
            throw ebm::Error(path.toStdString() + ": no such file");
        ebm::OpenedModel opened = ebm::openModel(path.toStdString(), d->device);
        ModelInfo described = d->describe(opened.checkpoint, *opened.net);
        spdlog::info("loaded {} ({})", path.toStdString(), described.description.toStdString());
        d->adopt(std::move(opened.net), std::move(opened.checkpoint), std::move(described));
    } catch (const std::exception& e) {
        // The current model stays: a bad file must not leave the studio without one.
        const QString message = firstLine(e.what());
        spdlog::error("could not open model: {}", message.toStdString());
        Q_EMIT modelLoadFailed(path, message);
    }
}

void StudioWorker::loadBundledModel()
{
    const QString path = QString::fromStdString(ebm::bundledModelPath());
    if (QFileInfo::exists(path)) {
        loadModel(path);
        return;
    }
    // Until the trained model ships, keep the studio usable with an untrained stand-in and say so.
    const QString message =
        tr("The bundled Fashion-MNIST model was not found (%1). An untrained stand-in is loaded: its "
           "samples stay noise. Open a model with File > Open Model, set EBM_DEFAULT_MODEL, or train one.")
            .arg(path);
    spdlog::warn("{}", message.toStdString());
    Q_EMIT problem(message);
    try {
        ebm::ModelConfig config;
        config.arch = ebm::Architecture::Res6;
        config.baseWidth = 8;
        torch::manual_seed(1);
        ebm::EnergyNet model = ebm::makeEnergyNet(config);
        model->to(d->device);
        ebm::Checkpoint cp;
        cp.model = config;
        cp.format = "untrained";
        ModelInfo described = d->describe(cp, *model);
        described.fallback = true;
        described.description = tr("untrained stand-in, %1").arg(described.description);
        d->adopt(std::move(model), std::move(cp), std::move(described));
    } catch (const std::exception& e) {
        Q_EMIT modelLoadFailed(path, firstLine(e.what()));
    }
}

void StudioWorker::saveModel(const QString& path)
{
    try {
        if (!d->net)
            throw ebm::Error("there is no model to save");
        if (path.endsWith(QLatin1String(".pt"), Qt::CaseInsensitive))
            throw ebm::Error(path.toStdString() +
                             ": the studio writes native .ebm checkpoints only; choose a name ending in .ebm");
        if (d->info.fromTraining && d->trainer) {
            d->trainer->saveCheckpoint(path.toStdString());  // with optimizer state: resumable
        } else {
            ebm::Checkpoint cp = d->metadata;
            cp.weights = ebm::collectWeights(*d->net);
            if (cp.format.empty() || cp.format == "untrained" || cp.format == "pytorch-state-dict")
                cp.format = "ebm-native-1";
            ebm::saveCheckpoint(cp, path.toStdString());
        }
        d->info.path = path;
        spdlog::info("saved model to {}", path.toStdString());
        Q_EMIT modelSaved(path);
    } catch (const std::exception& e) {
        const QString message = firstLine(e.what());
        spdlog::error("could not save model: {}", message.toStdString());
        Q_EMIT problem(tr("Could not save the model: %1").arg(message));
    }
}

void StudioWorker::sample(const SamplingSettings& settings, int runId)
{
    if (!d->net) {
        SamplingOutcome outcome;
        outcome.runId = runId;
        outcome.failed = true;
        outcome.message = tr("No model is loaded yet.");
        Q_EMIT samplingFinished(outcome);
        return;
    }
    d->runSampling(settings, runId, *d->net, d->info.sigma0, d->info.fromTraining);
}

void StudioWorker::train(const TrainingSettings& settings)
{
    d->startTraining(settings);
}

void StudioWorker::resumeTraining(const QString& checkpointPath, const TrainingSettings& cadence)
{
    d->resumeTraining(checkpointPath, cadence);
}

void StudioWorker::exportSamplesNpy(const QString& path)
{
    try {
        if (!d->lastSamples.defined())
            throw ebm::Error("no samples yet: run the sampler first");
        ebm::writeNpy(path.toStdString(), d->lastSamples);
        spdlog::info("wrote {} samples to {}", d->lastSamples.size(0), path.toStdString());
        Q_EMIT notice(tr("Wrote %1 samples to %2").arg(d->lastSamples.size(0)).arg(path));
    } catch (const std::exception& e) {
        Q_EMIT problem(tr("Could not export the samples: %1").arg(firstLine(e.what())));
    }
}

}  // namespace ebm::studio
