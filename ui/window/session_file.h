#pragma once
// A session file: enough to reproduce or share the studio's state (the model, the device, and
// each page's settings under the page's session key), as readable JSON. The window writes and
// reads the file; what a page's part means is the page's own (StudioPage::sessionSettings).
#include <QJsonObject>
#include <QString>

namespace ebm::studio {

struct Session {
    QString modelPath;               // empty: the bundled model
    QString device = QStringLiteral("auto");
    /// Each page's part by its session key ("sampling", "training", ...).
    QJsonObject pages;

    QByteArray toJson() const;
    /// Throws nothing; returns false with `error` set when the text is not a session.
    static bool fromJson(const QByteArray& json, Session& out, QString& error);

    /// Write/read files; on failure return false with a one-line `error`.
    bool save(const QString& path, QString& error) const;
    static bool load(const QString& path, Session& out, QString& error);
};

}  // namespace ebm::studio
