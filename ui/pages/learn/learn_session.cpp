#include "pages/learn/learn_session.h"

#include <QByteArray>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace ebm::studio {
namespace {

QString floatsToBase64(const QVector<float>& values)
{
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char*>(values.constData()), values.size() * int(sizeof(float))).toBase64());
}

QVector<float> floatsFromBase64(const QString& text)
{
    const QByteArray bytes = QByteArray::fromBase64(text.toLatin1());
    QVector<float> values(bytes.size() / int(sizeof(float)));
    std::memcpy(values.data(), bytes.constData(), values.size() * sizeof(float));
    return values;
}

}  // namespace

QString learnPointsToBase64(const QVector<QPointF>& points)
{
    QVector<float> flat;
    flat.reserve(points.size() * 2);
    for (const QPointF& p : points)
        flat << float(p.x()) << float(p.y());
    return floatsToBase64(flat);
}

QVector<QPointF> learnPointsFromBase64(const QString& text, int maxPoints)
{
    const QVector<float> flat = floatsFromBase64(text);
    QVector<QPointF> points;
    for (int i = 0; i + 1 < flat.size() && points.size() < maxPoints; i += 2)
        if (std::isfinite(flat[i]) && std::isfinite(flat[i + 1]))
            points.push_back(QPointF(flat[i], flat[i + 1]));
    return points;
}

QJsonObject learnModelToJson(const LearnModel& model)
{
    QJsonObject json{{QStringLiteral("width"), model.width},
                     {QStringLiteral("depth"), model.depth},
                     {QStringLiteral("weights"), floatsToBase64(model.weights)}};
    // The page's caption ("Trained after N steps; final loss L.") comes back from these.
    if (model.trainedSteps > 0) {
        json.insert(QStringLiteral("trainedSteps"), double(model.trainedSteps));
        if (std::isfinite(model.finalLoss))
            json.insert(QStringLiteral("finalLoss"), model.finalLoss);
    }
    return json;
}

LearnModel learnModelFromJson(const QJsonObject& json)
{
    LearnModel model;
    model.width = json.value(QStringLiteral("width")).toInt();
    model.depth = json.value(QStringLiteral("depth")).toInt();
    model.weights = floatsFromBase64(json.value(QStringLiteral("weights")).toString());
    // Older sessions have neither: 0 steps means "not recorded".
    model.trainedSteps = std::max<qint64>(0, json.value(QStringLiteral("trainedSteps")).toInteger());
    model.finalLoss = json.value(QStringLiteral("finalLoss")).toDouble(std::numeric_limits<double>::quiet_NaN());
    return model;
}

bool learnModelIsWhole(const LearnModel& model)
{
    // The MLP of ebm::toy (2D input, quadratic head): first layer, hidden layers, the head's three rows.
    const qint64 w = model.width, d = model.depth;
    const qint64 expected = 3 * w + (d - 1) * (w * w + w) + 3 * (w + 1);
    return w >= 1 && d >= 1 && model.weights.size() == expected;
}

}  // namespace ebm::studio
