#include "engine/studio_types.h"

#include <QObject>

#include "ebm/precision_mode.h"
#include "ebm/schedule.h"

namespace ebm::studio {

bool SamplingSettings::operator==(const SamplingSettings& o) const
{
    return schedulePreset == o.schedulePreset && steps == o.steps && stepSize == o.stepSize &&
           numSamples == o.numSamples && seed == o.seed && startFromImages == o.startFromImages &&
           startImages == o.startImages && denoiseJump == o.denoiseJump && recordEvery == o.recordEvery && scheduleCurve == o.scheduleCurve &&
           precision == o.precision;
}

bool TrainingSettings::operator==(const TrainingSettings& o) const
{
    return datasetKind == o.datasetKind && datasetPath == o.datasetPath && imageSize == o.imageSize &&
           imageChannels == o.imageChannels && architecture == o.architecture && width == o.width &&
           head == o.head && initialWeights == o.initialWeights && sigmaMin == o.sigmaMin && sigmaMax == o.sigmaMax && spread == o.spread &&
           sigma0 == o.sigma0 && learningRate == o.learningRate && cosineDecay == o.cosineDecay &&
           finalLearningRate == o.finalLearningRate && batchSize == o.batchSize && steps == o.steps &&
           seed == o.seed && previewEvery == o.previewEvery && previewSamples == o.previewSamples &&
           previewSteps == o.previewSteps && checkpointEvery == o.checkpointEvery &&
           checkpointPath == o.checkpointPath && processes == o.processes && precision == o.precision;
}

int defaultStepsForPreset(const QString& preset)
{
    for (const ebm::SchedulePreset& p : ebm::schedulePresets())
        if (preset == QString::fromStdString(p.name))
            return p.steps;
    return ebm::schedulePresets().front().steps;
}

double defaultStepSizeForPreset(const QString& preset)
{
    return ebm::schedulePresetStepSize(preset.toStdString());
}

QString presetLabel(const QString& preset)
{
    if (preset == kEditedSchedulePreset)
        return QObject::tr("Edited curve (Schedule page)");
    for (const ebm::SchedulePreset& p : ebm::schedulePresets())
        if (preset == QString::fromStdString(p.name))
            return QObject::tr(p.label.c_str());
    return preset;
}

QStringList schedulePresets()
{
    QStringList names;
    for (const ebm::SchedulePreset& p : ebm::schedulePresets())
        names.push_back(QString::fromStdString(p.name));
    return names;
}

QString defaultSchedulePreset() { return QString::fromStdString(ebm::defaultSchedulePreset()); }

QString defaultPrecisionName() { return QString::fromStdString(ebm::toString(ebm::defaultSamplingPrecision())); }

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

QString formatDuration(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return QStringLiteral("–");
    const qint64 s = static_cast<qint64>(seconds + 0.5);
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

void registerStudioMetaTypes()
{
    qRegisterMetaType<SamplingSettings>();
    qRegisterMetaType<TrainingSettings>();
    qRegisterMetaType<ModelInfo>();
    qRegisterMetaType<RuntimeInfo>();
    qRegisterMetaType<SampleFrameBatch>();
    qRegisterMetaType<SamplingRunInfo>();
    qRegisterMetaType<SamplingOutcome>();
    qRegisterMetaType<TrainProgressBatch>();
    qRegisterMetaType<TrainingRunInfo>();
    qRegisterMetaType<TrainingPreview>();
    qRegisterMetaType<TrainingOutcome>();
    qRegisterMetaType<EvaluationSettings>();
    qRegisterMetaType<EvaluationProgressInfo>();
    qRegisterMetaType<EvaluationOutcome>();
    qRegisterMetaType<JobKind>();
    qRegisterMetaType<JobState>();
}

}  // namespace ebm::studio
