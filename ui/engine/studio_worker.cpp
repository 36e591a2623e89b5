#include "engine/studio_worker.h"

#include <QFileInfo>

#include <spdlog/spdlog.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "ebm/checkpoint.h"
#include "ebm/dataset.h"
#include "ebm/error.h"
#include "ebm/runtime.h"
#include "ebm/model_file.h"
#include "ebm/pytorch_export.h"
#include "engine/private/job_context.h"

namespace ebm::studio {

QString firstLine(const char* text)
{
    const QString all = QString::fromUtf8(text).trimmed();
    const qsizetype newline = all.indexOf(QLatin1Char('\n'));
    return newline < 0 ? all : all.left(newline).trimmed();
}

RuntimeInfo JobContext::runtimeInfo() const
{
    RuntimeInfo r;
    r.device = device.is_cuda() ? QStringLiteral("cuda") : QStringLiteral("cpu");
    r.description = QString::fromStdString(ebm::describeDevice(device));
    r.threads = torch::get_num_threads();
    r.cores = ebm::hardwareCores();
    r.cudaAvailable = torch::cuda::is_available();
    return r;
}

ModelInfo JobContext::describe(const ebm::Checkpoint& cp, const ebm::EnergyNetImpl& model) const
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
        m.description += QObject::tr(" · %1, %2 steps").arg(data.isEmpty() ? QObject::tr("unknown data") : data).arg(cp.step);
    }
    return m;
}

void JobContext::adopt(ebm::EnergyNet model, ebm::Checkpoint meta, ModelInfo described)
{
    // The network holds the weights in use; no second copy, except the raw weights of a model
    // whose network holds their average (saving writes both).
    if (!described.averagedWeights)
        meta.weights.clear();
    net = std::move(model);
    metadata = std::move(meta);
    info = std::move(described);
    Q_EMIT q->modelLoaded(info);
}

StudioWorker::StudioWorker() : d(std::make_unique<JobContext>())
{
    d->q = this;
}

StudioWorker::~StudioWorker() = default;

void JobContext::configureRuntime(const QString& devicePreference, int threads)
{
    try {
        ebm::configureThreads(threads);
        const torch::Device wanted = ebm::chooseDevice(devicePreference.toStdString());
        if (wanted != device) {
            if (net)
                net->to(wanted);
            device = wanted;
        }
        spdlog::info("studio worker runs on {}", ebm::describeDevice(device));
    } catch (const std::exception& e) {
        const QString message = firstLine(e.what());
        spdlog::warn("{}", message.toStdString());
        Q_EMIT q->problem(message);
    }
    Q_EMIT q->runtimeChanged(runtimeInfo());
}

bool JobContext::loadModel(const QString& path)
{
    try {
        if (!QFileInfo::exists(path))
            throw ebm::Error(path.toStdString() + ": no such file");
        ebm::OpenedModel opened = ebm::openModel(path.toStdString(), device);
        ModelInfo described = describe(opened.checkpoint, *opened.net);
        described.averagedWeights = opened.usesAveragedWeights;
        described.weights = QString::fromStdString(opened.weightsDescription());
        if (opened.usesAveragedWeights)
            described.description += QObject::tr(" · averaged weights");
        spdlog::info("loaded {} ({})", path.toStdString(), described.description.toStdString());
        adopt(std::move(opened.net), std::move(opened.checkpoint), std::move(described));
        return true;
    } catch (const std::exception& e) {
        // The current model stays: a bad file must not leave the studio without one.
        const QString message = firstLine(e.what());
        spdlog::error("could not open model: {}", message.toStdString());
        Q_EMIT q->modelLoadFailed(path, message);
        return false;
    }
}

bool JobContext::loadBundledModel()
{
    const QString path = QString::fromStdString(ebm::bundledModelPath());
    if (QFileInfo::exists(path))
        return loadModel(path);
    // Until the trained model ships, keep the studio usable with an untrained stand-in and say so.
    const QString message =
        QObject::tr("The bundled Fashion-MNIST model was not found (%1). An untrained stand-in is loaded: its "
           "samples stay noise. Open a model with File > Open Model, set EBM_DEFAULT_MODEL, or train one.")
            .arg(path);
    spdlog::warn("{}", message.toStdString());
    Q_EMIT q->problem(message);
    try {
        ebm::ModelConfig config;
        config.arch = ebm::Architecture::Res6;
        config.baseWidth = 8;
        torch::manual_seed(1);
        ebm::EnergyNet model = ebm::makeEnergyNet(config);
        model->to(device);
        ebm::Checkpoint cp;
        cp.model = config;
        cp.format = "untrained";
        ModelInfo described = describe(cp, *model);
        described.fallback = true;
        described.description = QObject::tr("untrained stand-in, %1").arg(described.description);
        adopt(std::move(model), std::move(cp), std::move(described));
        return true;
    } catch (const std::exception& e) {
        Q_EMIT q->modelLoadFailed(path, firstLine(e.what()));
        return false;
    }
}

void JobContext::saveModel(const QString& path)
{
    try {
        if (!net)
            throw ebm::Error("there is no model to save");
        if (path.endsWith(QLatin1String(".pt"), Qt::CaseInsensitive))
            throw ebm::Error(path.toStdString() +
                             ": the studio writes native .ebm checkpoints only; choose a name ending in .ebm");
        if (info.fromTraining && trainer) {
            trainer->saveCheckpoint(path.toStdString());  // with optimizer state: resumable
        } else {
            ebm::Checkpoint cp = metadata;
            if (info.averagedWeights) {
                cp.averagedWeights = ebm::collectWeights(*net);  // cp.weights keeps the raw ones
            } else {
                cp.weights = ebm::collectWeights(*net);
                cp.averagedWeights.clear();
            }
            if (cp.format.empty() || cp.format == "untrained" || cp.format == "pytorch-state-dict")
                cp.format = "ebm-native-1";
            ebm::saveCheckpoint(cp, path.toStdString());
        }
        info.path = path;
        spdlog::info("saved model to {}", path.toStdString());
        Q_EMIT q->modelSaved(path);
    } catch (const std::exception& e) {
        const QString message = firstLine(e.what());
        spdlog::error("could not save model: {}", message.toStdString());
        Q_EMIT q->problem(QObject::tr("Could not save the model: %1").arg(message));
    }
}

void JobContext::exportPytorch(const QString& path)
{
    try {
        if (!net)
            throw ebm::Error("there is no model to export");
        ebm::Checkpoint cp;
        cp.model = net->config();
        cp.sourcePath = info.path.toStdString();
        cp.weights = ebm::collectWeights(*net);
        ebm::writePytorchStateDict(ebm::referenceStateDict(cp, ebm::WeightChoice::Raw), path.toStdString());
        spdlog::info("exported {} to {}", net->config().describe(), path.toStdString());
        Q_EMIT q->notice(QObject::tr("Exported %1 (%2) for PyTorch to %3")
                             .arg(QString::fromStdString(net->config().describe()),
                                  info.weights.isEmpty() ? QObject::tr("weights") : info.weights, path));
    } catch (const std::exception& e) {
        Q_EMIT q->problem(QObject::tr("Could not export the model: %1").arg(firstLine(e.what())));
    }
}

void JobContext::exportSamplesNpy(const QString& path)
{
    try {
        if (!lastSamples.defined())
            throw ebm::Error("no samples yet: run the sampler first");
        ebm::writeNpy(path.toStdString(), lastSamples);
        spdlog::info("wrote {} samples to {}", lastSamples.size(0), path.toStdString());
        Q_EMIT q->notice(QObject::tr("Wrote %1 samples to %2").arg(lastSamples.size(0)).arg(path));
    } catch (const std::exception& e) {
        Q_EMIT q->problem(QObject::tr("Could not export the samples: %1").arg(firstLine(e.what())));
    }
}

}  // namespace ebm::studio
