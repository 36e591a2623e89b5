#include "studio_settings.h"

#include <QDir>
#include <QFileInfo>

#include "evaluate/evaluation_fields.h"
#include "sample/sampling_fields.h"
#include "train/training_fields.h"

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

// Keys, defaults and ranges of the three settings structs live in their field declarations.
SamplingSettings StudioSettings::sampling() const { return samplingFields().load(*store_); }
void StudioSettings::setSampling(const SamplingSettings& s) { samplingFields().save(*store_, s); }
TrainingSettings StudioSettings::training() const { return trainingFields().load(*store_); }
void StudioSettings::setTraining(const TrainingSettings& s) { trainingFields().save(*store_, s); }
EvaluationSettings StudioSettings::evaluation() const { return evaluationFields().load(*store_); }
void StudioSettings::setEvaluation(const EvaluationSettings& s) { evaluationFields().save(*store_, s); }

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

QString StudioSettings::scheduleCurve() const { return store_->value(QStringLiteral("schedule/curve")).toString(); }
void StudioSettings::setScheduleCurve(const QString& json) { store_->setValue(QStringLiteral("schedule/curve"), json); }

QMap<QString, QString> StudioSettings::schedulePresets() const
{
    QMap<QString, QString> presets;
    store_->beginGroup(QStringLiteral("schedulePresets"));
    const QStringList names = store_->childKeys();
    for (const QString& name : names)
        presets.insert(name, store_->value(name).toString());
    store_->endGroup();
    return presets;
}

void StudioSettings::setSchedulePresets(const QMap<QString, QString>& presets)
{
    store_->remove(QStringLiteral("schedulePresets"));
    store_->beginGroup(QStringLiteral("schedulePresets"));
    for (auto it = presets.begin(); it != presets.end(); ++it)
        store_->setValue(it.key(), it.value());
    store_->endGroup();
}

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
