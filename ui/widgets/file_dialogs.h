#pragma once
// File dialogs that open in the folder last used for the same purpose ("model", "export",
// "session"), remembered in the studio's settings under folders/<purpose>. The window and the
// pages ask for paths the same way.
#include <QString>

class QSettings;
class QWidget;

namespace ebm::studio {

/// An existing file, or empty when cancelled. `store` may be null (start in the home folder).
/// The purpose every page's exports share: one remembered folder for pictures, tables and videos.
inline const QString kExportFolderPurpose = QStringLiteral("export");
/// The purpose of saved runs (NAME.ebmrun folders): the sampling pages save, the Compare page opens.
inline const QString kRunFolderPurpose = QStringLiteral("runs");

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

}  // namespace ebm::studio
