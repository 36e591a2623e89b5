#include "session_file.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QSaveFile>

namespace ebm::studio {
namespace {

const QString kFormat = QStringLiteral("ebm-studio-session-1");

}  // namespace

QByteArray Session::toJson() const
{
    QJsonObject sampling{
        {"schedule", this->sampling.schedulePreset},
        {"steps", this->sampling.steps},
        {"step_size", this->sampling.stepSize},
        {"num_samples", this->sampling.numSamples},
        // JSON numbers are doubles: a 64-bit seed survives only as text.
        {"seed", QString::number(this->sampling.seed)},
        {"start", this->sampling.startFromImages ? QStringLiteral("images") : QStringLiteral("noise")},
        {"start_images", this->sampling.startImages},
        {"denoise_jump", this->sampling.denoiseJump},
        {"record_every", this->sampling.recordEvery},
    };
    QJsonObject root{
        {"format", kFormat},
        {"created", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
        {"model", modelPath},
        {"device", device},
        {"sampling", sampling},
    };
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
    const SamplingSettings d;
    s.modelPath = root.value("model").toString();
    s.device = root.value("device").toString(QStringLiteral("auto"));
    const QJsonObject j = root.value("sampling").toObject();
    s.sampling.schedulePreset = j.value("schedule").toString(d.schedulePreset);
    if (!schedulePresets().contains(s.sampling.schedulePreset)) {
        error = QObject::tr("unknown schedule \"%1\"").arg(s.sampling.schedulePreset);
        return false;
    }
    s.sampling.steps = qBound(3, j.value("steps").toInt(defaultStepsForPreset(s.sampling.schedulePreset)), 100000);
    s.sampling.stepSize = j.value("step_size").toDouble(d.stepSize);
    s.sampling.numSamples = qBound(1, j.value("num_samples").toInt(d.numSamples), 256);
    bool seedOk = false;
    s.sampling.seed = j.value("seed").toString(QString::number(d.seed)).toULongLong(&seedOk);
    if (!seedOk)
        s.sampling.seed = static_cast<quint64>(j.value("seed").toDouble(static_cast<double>(d.seed)));
    s.sampling.startFromImages = j.value("start").toString() == QLatin1String("images");
    s.sampling.startImages = j.value("start_images").toString();
    s.sampling.denoiseJump = j.value("denoise_jump").toBool(d.denoiseJump);
    s.sampling.recordEvery = qMax(0, j.value("record_every").toInt(0));
    if (!(s.sampling.stepSize > 0.0)) {
        error = QObject::tr("the step size must be positive");
        return false;
    }
    out = s;
    return true;
}

bool Session::save(const QString& path, QString& error) const
{
    QSaveFile file(path);  // written to a temporary and renamed: a crash leaves the old file
    if (!file.open(QIODevice::WriteOnly) || file.write(toJson()) < 0 || !file.commit()) {
        error = QObject::tr("%1: cannot write (%2)").arg(path, file.errorString());
        return false;
    }
    return true;
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
