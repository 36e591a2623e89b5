#include "widgets/studio_page.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace ebm::studio {

void StudioPage::togglePause()
{
    if (isRunning() && pausable_)
        run_->togglePause();
}

void StudioPage::stepOnce()
{
    if (isRunning() && pausable_)
        run_->step();
}

void StudioPage::stop()
{
    if (isRunning())
        run_->cancel();
}

QJsonObject StudioPage::sessionSettings() const
{
    QJsonObject part;
    for (const Keeper& keeper : keepers_)
        if (keeper.toSession)
            keeper.toSession(part);
    return part;
}

void StudioPage::applySessionSettings(const QJsonObject& part)
{
    for (const Keeper& keeper : keepers_)
        if (keeper.fromSession)
            keeper.fromSession(part);
}

void StudioPage::saveSettings(QSettings& store) const
{
    for (const Keeper& keeper : keepers_)
        if (keeper.save)
            keeper.save(store);
}

void StudioPage::restoreSettings(QSettings& store)
{
    for (const Keeper& keeper : keepers_)
        if (keeper.restore)
            keeper.restore(store);
}

QJsonObject StudioPage::chartSettings(const QString& chart) const
{
    QJsonObject values;
    for (const Keeper& keeper : keepers_)
        if (keeper.toChart)
            keeper.toChart(values);
    for (auto it = values.begin(); it != values.end(); ++it) {
        const QString text = it.value().toString();
        if (it.value().isString() && QDir::isAbsolutePath(text))
            it.value() = QFileInfo(text).fileName();
    }
    QJsonObject part;
    if (!values.isEmpty())
        part.insert(QStringLiteral("settings"), values);
    return part;
}

void StudioPage::refusedSessionValue(const QString& error)
{
    Q_EMIT problem(tr("The session's %1 settings were left as they were: %2")
                       .arg(QString(title_).remove(QLatin1Char('&')), error));
}

}  // namespace ebm::studio
