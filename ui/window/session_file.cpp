#include "window/session_file.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include "widgets/safe_save.h"

namespace ebm::studio {
namespace {

const QString kFormat = QStringLiteral("ebm-studio-session-1");
const QStringList kOwnKeys = {QStringLiteral("format"), QStringLiteral("created"), QStringLiteral("model"),
                              QStringLiteral("device")};

}  // namespace

QByteArray Session::toJson() const
{
    QJsonObject root{
        {"format", kFormat},
        {"created", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {"model", modelPath},
        {"device", device},
    };
    for (auto it = pages.begin(); it != pages.end(); ++it)
        root.insert(it.key(), it.value());
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool Session::fromJson(const QByteArray& json, Session& out, QString& error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (doc.isNull()) {
        error = QObject::tr("not valid JSON (%1 at byte %2)").arg(parseError.errorString()).arg(parseError.offset);
        return false;
    }
    const QJsonObject root = doc.object();
    if (root.value("format").toString() != kFormat) {
        error = QObject::tr("not an EBM Studio session (expected format \"%1\")").arg(kFormat);
        return false;
    }
    Session s;
    s.modelPath = root.value("model").toString();
    s.device = root.value("device").toString(QStringLiteral("auto"));
    for (auto it = root.begin(); it != root.end(); ++it)
        if (!kOwnKeys.contains(it.key()) && it.value().isObject())
            s.pages.insert(it.key(), it.value());
    out = s;
    return true;
}

bool Session::save(const QString& path, QString& error) const
{
    // Written to a temporary and renamed (a crash leaves the old file); a link stays a link.
    return saveBytes(path, toJson(), QObject::tr("session"), error);
}

bool Session::load(const QString& path, Session& out, QString& error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = QObject::tr("%1: cannot read (%2)").arg(path, file.errorString());
        return false;
    }
    QString why;
    if (!fromJson(file.readAll(), out, why)) {
        error = QObject::tr("%1: %2").arg(path, why);
        return false;
    }
    return true;
}

}  // namespace ebm::studio
