#include "pages/train/training_types.h"

#include <QObject>

namespace ebm::studio {

bool TrainingSettings::operator==(const TrainingSettings& o) const
{
    return datasetKind == o.datasetKind && datasetPath == o.datasetPath && imageSize == o.imageSize &&
           imageChannels == o.imageChannels && architecture == o.architecture && width == o.width &&
           head == o.head && initialWeights == o.initialWeights && sigmaMin == o.sigmaMin && sigmaMax == o.sigmaMax &&
           spread == o.spread &&
           sigma0 == o.sigma0 && learningRate == o.learningRate && cosineDecay == o.cosineDecay &&
           finalLearningRate == o.finalLearningRate && batchSize == o.batchSize && steps == o.steps &&
           seed == o.seed && previewEvery == o.previewEvery && previewSamples == o.previewSamples &&
           previewSteps == o.previewSteps && checkpointEvery == o.checkpointEvery &&
           checkpointPath == o.checkpointPath && processes == o.processes && precision == o.precision;
}

QString TrainingSettings::datasetSpec() const
{
    return datasetKind == DatasetKind::FashionMnist ? QStringLiteral("fashion-mnist") : datasetPath;
}

QString datasetKindName(DatasetKind kind)
{
    switch (kind) {
    case DatasetKind::FashionMnist: return QStringLiteral("fashion-mnist");
    case DatasetKind::MnistFolder: return QStringLiteral("mnist-folder");
    case DatasetKind::Cifar10: return QStringLiteral("cifar10");
    case DatasetKind::ImageFolder: return QStringLiteral("image-folder");
    case DatasetKind::Npy: return QStringLiteral("npy");
    }
    return QStringLiteral("fashion-mnist");
}

DatasetKind parseDatasetKind(const QString& name)
{
    for (DatasetKind kind : {DatasetKind::FashionMnist, DatasetKind::MnistFolder, DatasetKind::Cifar10,
                             DatasetKind::ImageFolder, DatasetKind::Npy})
        if (datasetKindName(kind) == name)
            return kind;
    return DatasetKind::FashionMnist;
}

}  // namespace ebm::studio
