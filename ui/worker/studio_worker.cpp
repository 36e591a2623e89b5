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

void JobContext::adopt(ebm::EnergyNet net, ebm::Checkpoint meta, ModelInfo described)
{
    // The network holds the weights in use; no second copy, except the raw weights of a model
    // whose network holds their average (saving writes both).
    if (!described.averagedWeights)
        meta.weights.clear();
    model.net = std::move(net);
    model.metadata = std::move(meta);
    model.info = std::move(described);
    Q_EMIT worker->modelLoaded(model.info);
}

ModelInUse JobContext::modelInUse()
{
    if (training.active && training.trainer)
        return {training.trainer->net().get(), training.trainer->config().noise.sigma0, true};
    return {model.net.get(), model.info.sigma0, model.info.fromTraining};
}

StudioWorker::StudioWorker() : d(std::make_unique<JobContext>())
{
    d->worker = this;
}

StudioWorker::~StudioWorker() = default;

}  // namespace ebm::studio
