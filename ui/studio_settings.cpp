#include "studio_settings.h"

#include <QDir>
#include <QFileInfo>

namespace ebm::studio {

StudioSettings::StudioSettings()
    : store_(std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope, QStringLiteral("EBM Studio"),
                                         QStringLiteral("ebm-studio")))
{
}

StudioSettings::StudioSettings(const QString& iniFile)
    : store_(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{
}

SamplingSettings StudioSettings::sampling() const
{
    SamplingSettings d;  // defaults
    SamplingSettings s;
    QSettings& q = *store_;
    q.beginGroup(QStringLiteral("sampling"));
    s.schedulePreset = q.value("schedule", d.schedulePreset).toString();
    if (!schedulePresets().contains(s.schedulePreset))
        s.schedulePreset = d.schedulePreset;
    s.steps = qBound(3, q.value("steps", d.steps).toInt(), 100000);
    s.stepSize = q.value("stepSize", d.stepSize).toDouble();
    s.numSamples = qBound(1, q.value("numSamples", d.numSamples).toInt(), 256);
    s.seed = q.value("seed", d.seed).toULongLong();
    s.startFromImages = q.value("startFromImages", d.startFromImages).toBool();
    s.startImages = q.value("startImages", d.startImages).toString();
    s.denoiseJump = q.value("denoiseJump", d.denoiseJump).toBool();
    s.recordEvery = qMax(0, q.value("recordEvery", d.recordEvery).toInt());
    q.endGroup();
    if (!(s.stepSize > 0.0))
        s.stepSize = d.stepSize;
    return s;
}

void StudioSettings::setSampling(const SamplingSettings& s)
{
    QSettings& q = *store_;
    q.beginGroup(QStringLiteral("sampling"));
    q.setValue("schedule", s.schedulePreset);
    q.setValue("steps", s.steps);
    q.setValue("stepSize", s.stepSize);
    q.setValue("numSamples", s.numSamples);
    q.setValue("seed", s.seed);
    q.setValue("startFromImages", s.startFromImages);
    q.setValue("startImages", s.startImages);
    q.setValue("denoiseJump", s.denoiseJump);
    q.setValue("recordEvery", s.recordEvery);
    q.endGroup();
}

TrainingSettings StudioSettings::training() const
{
    TrainingSettings d;
    TrainingSettings s;
    QSettings& q = *store_;
    q.beginGroup(QStringLiteral("training"));
    s.datasetKind = parseDatasetKind(q.value("datasetKind", datasetKindName(d.datasetKind)).toString());
    s.datasetPath = q.value("datasetPath", d.datasetPath).toString();
    s.imageSize = q.value("imageSize", d.imageSize).toInt();
    s.imageChannels = q.value("imageChannels", d.imageChannels).toInt() == 3 ? 3 : 1;
    s.architecture = q.value("architecture", d.architecture).toString();
    s.width = q.value("width", d.width).toInt();
    s.head = q.value("head", d.head).toString();
    s.initialWeights = q.value("initialWeights", d.initialWeights).toString();
    s.sigmaMin = q.value("sigmaMin", d.sigmaMin).toDouble();
    s.sigmaMax = q.value("sigmaMax", d.sigmaMax).toDouble();
    s.spread = q.value("spread", d.spread).toString();
    s.sigma0 = q.value("sigma0", d.sigma0).toDouble();
    s.learningRate = q.value("learningRate", d.learningRate).toDouble();
    s.cosineDecay = q.value("cosineDecay", d.cosineDecay).toBool();
    s.finalLearningRate = q.value("finalLearningRate", d.finalLearningRate).toDouble();
    s.batchSize = q.value("batchSize", d.batchSize).toInt();
    s.steps = q.value("steps", d.steps).toLongLong();
    s.seed = q.value("seed", d.seed).toULongLong();
    s.previewEvery = q.value("previewEvery", d.previewEvery).toInt();
    s.previewSamples = q.value("previewSamples", d.previewSamples).toInt();
    s.previewSteps = q.value("previewSteps", d.previewSteps).toInt();
    s.checkpointEvery = q.value("checkpointEvery", d.checkpointEvery).toInt();
    s.checkpointPath = q.value("checkpointPath", d.checkpointPath).toString();
    q.endGroup();
    return s;
}

void StudioSettings::setTraining(const TrainingSettings& s)
{
    QSettings& q = *store_;
    q.beginGroup(QStringLiteral("training"));
    q.setValue("datasetKind", datasetKindName(s.datasetKind));
    q.setValue("datasetPath", s.datasetPath);
    q.setValue("imageSize", s.imageSize);
    q.setValue("imageChannels", s.imageChannels);
    q.setValue("architecture", s.architecture);
    q.setValue("width", s.width);
    q.setValue("head", s.head);
    q.setValue("initialWeights", s.initialWeights);
    q.setValue("sigmaMin", s.sigmaMin);
    q.setValue("sigmaMax", s.sigmaMax);
    q.setValue("spread", s.spread);
    q.setValue("sigma0", s.sigma0);
    q.setValue("learningRate", s.learningRate);
    q.setValue("cosineDecay", s.cosineDecay);
    q.setValue("finalLearningRate", s.finalLearningRate);
    q.setValue("batchSize", s.batchSize);
    q.setValue("steps", s.steps);
    q.setValue("seed", s.seed);
    q.setValue("previewEvery", s.previewEvery);
    q.setValue("previewSamples", s.previewSamples);
    q.setValue("previewSteps", s.previewSteps);
    q.setValue("checkpointEvery", s.checkpointEvery);
    q.setValue("checkpointPath", s.checkpointPath);
    q.endGroup();
}

EvaluationSettings StudioSettings::evaluation() const
{
    const EvaluationSettings d;
    EvaluationSettings s;
    QSettings& q = *store_;
    q.beginGroup(QStringLiteral("evaluation"));
    s.fid = q.value("fid", d.fid).toBool();
    s.inceptionLike = q.value("inceptionLike", d.inceptionLike).toBool();
    s.neighbours = q.value("neighbours", d.neighbours).toBool();
    s.likelihood = q.value("likelihood", d.likelihood).toBool();
    s.numSamples = qBound(1, q.value("numSamples", d.numSamples).toInt(), 4096);
    s.schedulePreset = q.value("schedule", d.schedulePreset).toString();
    if (!schedulePresets().contains(s.schedulePreset))
        s.schedulePreset = d.schedulePreset;
    s.steps = qBound(3, q.value("steps", d.steps).toInt(), 100000);
    s.stepSize = q.value("stepSize", d.stepSize).toDouble();
    if (!(s.stepSize > 0.0))
        s.stepSize = d.stepSize;
    s.seed = q.value("seed", d.seed).toULongLong();
    s.samplesPath = q.value("samplesPath", d.samplesPath).toString();
    s.referenceLimit = qMax(0, q.value("referenceLimit", d.referenceLimit).toInt());
    s.neighbourQueries = qMax(1, q.value("neighbourQueries", d.neighbourQueries).toInt());
    s.neighboursPerQuery = qMax(1, q.value("neighboursPerQuery", d.neighboursPerQuery).toInt());
    s.aisSteps = qMax(1, q.value("aisSteps", d.aisSteps).toInt());
    s.aisImages = qMax(1, q.value("aisImages", d.aisImages).toInt());
    s.aisChains = qMax(1, q.value("aisChains", d.aisChains).toInt());
    s.aisTransition = q.value("aisTransition", d.aisTransition).toString();
    s.aisLeapfrog = qMax(1, q.value("aisLeapfrog", d.aisLeapfrog).toInt());
    q.endGroup();
    return s;
}

void StudioSettings::setEvaluation(const EvaluationSettings& s)
{
    QSettings& q = *store_;
    q.beginGroup(QStringLiteral("evaluation"));
    q.setValue("fid", s.fid);
    q.setValue("inceptionLike", s.inceptionLike);
    q.setValue("neighbours", s.neighbours);
    q.setValue("likelihood", s.likelihood);
    q.setValue("numSamples", s.numSamples);
    q.setValue("schedule", s.schedulePreset);
    q.setValue("steps", s.steps);
    q.setValue("stepSize", s.stepSize);
    q.setValue("seed", s.seed);
    q.setValue("samplesPath", s.samplesPath);
    q.setValue("referenceLimit", s.referenceLimit);
    q.setValue("neighbourQueries", s.neighbourQueries);
    q.setValue("neighboursPerQuery", s.neighboursPerQuery);
    q.setValue("aisSteps", s.aisSteps);
    q.setValue("aisImages", s.aisImages);
    q.setValue("aisChains", s.aisChains);
    q.setValue("aisTransition", s.aisTransition);
    q.setValue("aisLeapfrog", s.aisLeapfrog);
    q.endGroup();
}

QStringList StudioSettings::recentModels() const
{
    return store_->value(QStringLiteral("files/recentModels")).toStringList();
}

void StudioSettings::addRecentModel(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = recentModels();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxRecentModels)
        list.removeLast();
    store_->setValue(QStringLiteral("files/recentModels"), list);
}

void StudioSettings::removeRecentModel(const QString& path)
{
    QStringList list = recentModels();
    list.removeAll(path);
    store_->setValue(QStringLiteral("files/recentModels"), list);
}

QString StudioSettings::lastModel() const { return store_->value(QStringLiteral("files/lastModel")).toString(); }
void StudioSettings::setLastModel(const QString& path) { store_->setValue(QStringLiteral("files/lastModel"), path); }

QString StudioSettings::devicePreference() const
{
    const QString device = store_->value(QStringLiteral("runtime/device"), QStringLiteral("auto")).toString();
    return device == QLatin1String("cpu") || device == QLatin1String("cuda") ? device : QStringLiteral("auto");
}
void StudioSettings::setDevicePreference(const QString& device) { store_->setValue(QStringLiteral("runtime/device"), device); }
int StudioSettings::threads() const { return qMax(0, store_->value(QStringLiteral("runtime/threads"), 0).toInt()); }
void StudioSettings::setThreads(int threads) { store_->setValue(QStringLiteral("runtime/threads"), threads); }

bool StudioSettings::denoisedPreview() const { return store_->value(QStringLiteral("view/denoisedPreview"), false).toBool(); }
void StudioSettings::setDenoisedPreview(bool on) { store_->setValue(QStringLiteral("view/denoisedPreview"), on); }
bool StudioSettings::energyLogScale() const { return store_->value(QStringLiteral("view/energyLogScale"), true).toBool(); }
void StudioSettings::setEnergyLogScale(bool on) { store_->setValue(QStringLiteral("view/energyLogScale"), on); }
bool StudioSettings::lossLogScale() const { return store_->value(QStringLiteral("view/lossLogScale"), true).toBool(); }
void StudioSettings::setLossLogScale(bool on) { store_->setValue(QStringLiteral("view/lossLogScale"), on); }

QString StudioSettings::lastFolder(const QString& purpose) const
{
    return store_->value(QStringLiteral("folders/") + purpose, QDir::homePath()).toString();
}
void StudioSettings::setLastFolder(const QString& purpose, const QString& folder)
{
    store_->setValue(QStringLiteral("folders/") + purpose, folder);
}

QByteArray StudioSettings::windowGeometry() const { return store_->value(QStringLiteral("window/geometry")).toByteArray(); }
void StudioSettings::setWindowGeometry(const QByteArray& g) { store_->setValue(QStringLiteral("window/geometry"), g); }
QByteArray StudioSettings::windowState() const { return store_->value(QStringLiteral("window/state")).toByteArray(); }
void StudioSettings::setWindowState(const QByteArray& s) { store_->setValue(QStringLiteral("window/state"), s); }

void StudioSettings::sync() { store_->sync(); }

}  // namespace ebm::studio
