#include "window/studio_settings.h"

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

QByteArray StudioSettings::windowGeometry() const { return store_->value(QStringLiteral("window/geometry")).toByteArray(); }
void StudioSettings::setWindowGeometry(const QByteArray& g) { store_->setValue(QStringLiteral("window/geometry"), g); }
QByteArray StudioSettings::windowState() const { return store_->value(QStringLiteral("window/state")).toByteArray(); }
void StudioSettings::setWindowState(const QByteArray& s) { store_->setValue(QStringLiteral("window/state"), s); }

void StudioSettings::sync() { store_->sync(); }

}  // namespace ebm::studio
