#include "worker/studio_types.h"

#include <QObject>

#include "ebm/base/precision_mode.h"
#include "ebm/schedule/schedule.h"

namespace ebm::studio {

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
    qRegisterMetaType<ModelInfo>();
    qRegisterMetaType<RuntimeInfo>();
}

}  // namespace ebm::studio
