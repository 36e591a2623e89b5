#include "worker/studio_worker.h"

#include <QFileInfo>

#include <spdlog/spdlog.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"
#include "ebm/io/checkpoint.h"
#include "worker/job_context.h"

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
    r.device = model.device.is_cuda() ? QStringLiteral("cuda") : QStringLiteral("cpu");
    r.description = QString::fromStdString(ebm::describeDevice(model.device));
    r.threads = torch::get_num_threads();
    r.cores = ebm::hardwareCores();
    r.cudaAvailable = torch::cuda::is_available();
    return r;
}

ModelInfo JobContext::describe(const ebm::Checkpoint& cp, const ebm::EnergyNetImpl& net) const
{
    ModelInfo m;
    const ebm::ModelConfig& config = net.config();
    m.path = QString::fromStdString(cp.sourcePath);
    m.description = QString::fromStdString(config.describe());
    m.format = QString::fromStdString(cp.format);
    m.parameters = net.parameterCount();
    m.channels = config.inChannels;
    m.imageSize = config.imageSize;
    m.imageModel = config.isImageModel();
    // sigma0 sets the size of the denoising jump; reference files do not record it.
    m.sigma0 = cp.hasTraining ? cp.train.noise.sigma0 : 0.1;
    m.trainedSteps = m.totalSteps = cp.step;
    if (cp.hasTraining) {
        // Say what it learned: the data set (file name for paths) and how long, over every run
        // the history records (a fine-tune's own count starts at 0).
        m.trainingHistory = QString::fromStdString(cp.train.history);
        m.totalSteps = cp.step + ebm::stepsBeforeThisRun(cp.train.history);
        QString data = QString::fromStdString(cp.train.dataset);
        if (data.contains(QLatin1Char('/')))
            data = QFileInfo(data).fileName();
        const QString steps = m.totalSteps > cp.step
                                  ? QObject::tr("%1 steps in all (%2 in its last run)").arg(m.totalSteps).arg(cp.step)
                                  : QObject::tr("%1 steps").arg(cp.step);
        m.description += QObject::tr(" · %1, %2").arg(data.isEmpty() ? QObject::tr("unknown data") : data, steps);
    }
    return m;
}

namespace {

void replaceModel(JobContext& c, ebm::EnergyNet net, ebm::Checkpoint meta, ModelInfo described)
{
    // The network holds the weights in use; no second copy, except the raw weights of a model
    // whose network holds their average (saving writes both).
    if (!described.averagedWeights)
        meta.weights.clear();
    c.model.net = std::move(net);
    c.model.metadata = std::move(meta);
    c.model.info = std::move(described);
    Q_EMIT c.worker->modelLoaded(c.model.info);
}

}  // namespace

void JobContext::adopt(ebm::EnergyNet net, ebm::Checkpoint meta, ModelInfo described)
{
    if (!keptForSamplePage && model.net) {
        keptForSamplePage = KeptModel{model.net, model.info};
        Q_EMIT worker->modelKeptForSamplePage(model.info);  // before modelLoaded: the engine knows first
    }
    replaceModel(*this, std::move(net), std::move(meta), std::move(described));
}

void JobContext::adoptOpened(ebm::EnergyNet net, ebm::Checkpoint meta, ModelInfo described)
{
    keptForSamplePage.reset();  // the person chose this model: every page uses it
    replaceModel(*this, std::move(net), std::move(meta), std::move(described));
}

ModelInUse JobContext::modelInUse()
{
    if (training.active && training.trainer)
        return {training.trainer->net().get(), training.trainer->config().noise.sigma0, true};
    return {model.net.get(), model.info.sigma0, model.info.fromTraining};
}

ModelInUse JobContext::samplePageModel()
{
    if (keptForSamplePage && !(training.active && training.trainer))
        return {keptForSamplePage->net.get(), keptForSamplePage->info.sigma0, keptForSamplePage->info.fromTraining};
    return modelInUse();
}

StudioWorker::StudioWorker() : d(std::make_unique<JobContext>())
{
    d->worker = this;
}

StudioWorker::~StudioWorker() = default;

}  // namespace ebm::studio
