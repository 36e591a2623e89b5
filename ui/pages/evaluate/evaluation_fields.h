#pragma once
// The evaluation settings, declared once: the Evaluate page's form and QSettings group
// "evaluation" come from these declarations.
#include "worker/evaluation_types.h"
#include "worker/studio_types.h"
#include "widgets/settings_form.h"

namespace ebm::studio {

const FieldSet<EvaluationSettings>& evaluationFields();

/// Values of the derived "source" field.
enum EvaluationSource { kDrawFromModel = 0, kSamplesFromFile = 1 };

}  // namespace ebm::studio
