#pragma once
// The training settings, declared once: the Train page's form and QSettings group "training"
// come from these declarations.
#include "worker/studio_types.h"
#include "widgets/settings_form.h"
#include "pages/train/training_types.h"

namespace ebm::studio {

const FieldSet<TrainingSettings>& trainingFields();

/// Where checkpoints go when the person has not chosen a file.
QString defaultTrainingCheckpointPath();

}  // namespace ebm::studio
