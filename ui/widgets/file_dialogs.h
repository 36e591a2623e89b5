#pragma once
// File dialogs that open in the folder last used for the same purpose ("model", "export",
// "session"), remembered in the studio's settings under folders/<purpose>. The window and the
// pages ask for paths the same way.
#include <QStandardPaths>
#include <QString>

class QSettings;
class QWidget;

namespace ebm::studio {

/// The purpose every page's exports share: one remembered folder for pictures, tables and videos.
inline const QString kExportFolderPurpose = QStringLiteral("export");
/// The purpose of saved runs (NAME.ebmrun folders): the sampling pages save, the Compare page opens.
inline const QString kRunFolderPurpose = QStringLiteral("runs");

/// An existing file, or empty when cancelled. `store` may be null (start in the home folder).
QString askOpenPath(QWidget* parent, QSettings* store, const QString& purpose, const QString& title,
                    const QString& filter);
/// A file to write; `suffix` (".png") is added when the name has none. `suggestion` (a whole
/// path) replaces the remembered folder when given.
QString askSavePath(QWidget* parent, QSettings* store, const QString& purpose, const QString& title,
                    const QString& filter, const QString& suffix, const QString& suggestion = QString());
/// A folder, or empty when cancelled.
QString askFolder(QWidget* parent, QSettings* store, const QString& purpose, const QString& title);
/// The folder last used for `purpose` (the home folder at first).
QString lastFolder(QSettings* store, const QString& purpose);
/// Where a suggested export name goes: the last export folder once one was chosen, else the
/// system's `fallback` folder (Pictures, Movies…), else the home folder.
QString exportFolder(QSettings* store, QStandardPaths::StandardLocation fallback);

}  // namespace ebm::studio
