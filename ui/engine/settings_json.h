#pragma once
// Training and evaluation settings as session-file JSON (the sampling part belongs to
// Session, session_file.h). Missing keys keep the defaults, so older sessions still open.
#include <QJsonObject>

#include "engine/studio_types.h"

namespace ebm::studio {

QJsonObject toJson(const TrainingSettings& settings);
TrainingSettings trainingFromJson(const QJsonObject& json);

QJsonObject toJson(const EvaluationSettings& settings);
EvaluationSettings evaluationFromJson(const QJsonObject& json);

}  // namespace ebm::studio
