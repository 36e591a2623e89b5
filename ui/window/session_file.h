#pragma once
// A session file: enough to reproduce or share a sampling run (model, schedule, seed, ...),
// as readable JSON.
#include <QString>

#include "engine/studio_types.h"

namespace ebm::studio {

struct Session {
    QString modelPath;               // empty: the bundled model
    SamplingSettings sampling;
    QString device = QStringLiteral("auto");

    QByteArray toJson() const;
    /// Throws nothing; returns false with `error` set when the text is not a session.
    static bool fromJson(const QByteArray& json, Session& out, QString& error);

    /// Write/read files; on failure return false with a one-line `error`.
    bool save(const QString& path, QString& error) const;
    static bool load(const QString& path, Session& out, QString& error);
};

}  // namespace ebm::studio
