#pragma once
// The Learn page's state in a session file, beside its settings (learn_fields.h): the data
// points and the trained model, each as the base64 of its float32 values.
#include <QJsonObject>
#include <QPointF>
#include <QString>
#include <QVector>

#include "pages/learn/learn_jobs.h"

namespace ebm::studio {

QString learnPointsToBase64(const QVector<QPointF>& points);
/// The finite points of `text`, at most `maxPoints`.
QVector<QPointF> learnPointsFromBase64(const QString& text, int maxPoints);

QJsonObject learnModelToJson(const LearnModel& model);
LearnModel learnModelFromJson(const QJsonObject& json);
/// Whether the weights fit the MLP of ebm::toy that the width and depth name.
bool learnModelIsWhole(const LearnModel& model);

}  // namespace ebm::studio
