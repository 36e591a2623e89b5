#include "widgets/file_dialogs.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>

namespace ebm::studio {
namespace {

QString folderKey(const QString& purpose) { return QStringLiteral("folders/") + purpose; }

void remember(QSettings* store, const QString& purpose, const QString& folder)
{
    if (store)
        store->setValue(folderKey(purpose), folder);
}

}  // namespace

QString lastFolder(QSettings* store, const QString& purpose)
{
    return store ? store->value(folderKey(purpose), QDir::homePath()).toString() : QDir::homePath();
}

QString exportFolder(QSettings* store, QStandardPaths::StandardLocation fallback)
{
    // The settings answer the home folder until an export folder was chosen.
    const QString folder = lastFolder(store, kExportFolderPurpose);
    if (!folder.isEmpty() && folder != QDir::homePath() && QFileInfo(folder).isDir())
        return folder;
    const QString location = QStandardPaths::writableLocation(fallback);
    return QFileInfo(location).isDir() ? location : QDir::homePath();
}

QString askOpenPath(QWidget* parent, QSettings* store, const QString& purpose, const QString& title,
                    const QString& filter)
{
    const QString path = QFileDialog::getOpenFileName(parent, title, lastFolder(store, purpose), filter);
    if (!path.isEmpty())
        remember(store, purpose, QFileInfo(path).absolutePath());
    return path;
}

QString askSavePath(QWidget* parent, QSettings* store, const QString& purpose, const QString& title,
                    const QString& filter, const QString& suffix, const QString& suggestion)
{
    QString path = QFileDialog::getSaveFileName(parent, title,
                                                suggestion.isEmpty() ? lastFolder(store, purpose) : suggestion, filter);
    if (path.isEmpty())
        return path;
    if (QFileInfo(path).suffix().isEmpty())
        path += suffix;
    remember(store, purpose, QFileInfo(path).absolutePath());
    return path;
}

QString askFolder(QWidget* parent, QSettings* store, const QString& purpose, const QString& title)
{
    const QString folder = QFileDialog::getExistingDirectory(parent, title, lastFolder(store, purpose));
    if (!folder.isEmpty())
        remember(store, purpose, folder);
    return folder;
}

}  // namespace ebm::studio
