#pragma once
// The sampling settings, declared once: the sampling panel's form, QSettings group "sampling"
// and the "sampling" object of session files all come from these declarations.
#include "engine/studio_types.h"
#include "widgets/settings_form.h"

namespace ebm::studio {

const FieldSet<SamplingSettings>& samplingFields();

/// The schedule presets as choices (the Sample and Evaluate pages both offer them).
QVector<FieldChoice> schedulePresetChoices();

}  // namespace ebm::studio
