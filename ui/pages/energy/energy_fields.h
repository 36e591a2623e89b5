#pragma once
// The Energy page's measurement settings (noise, draws, seed, residual), declared once: its
// "Measurement" form, what the studio remembers between runs (in the group the window opens,
// "energy") and the session's "energy" object, whose keys ("noiseStd", "draws", "seed",
// "residual") stay those of the sessions saved before the declarations. The image sets beside
// them are not simple fields: EnergySetList keeps and writes those.
#include "widgets/settings_form.h"
#include "pages/energy/energy_job.h"

namespace ebm::studio {

const FieldSet<EnergyMeasureSettings>& energyFields();

}  // namespace ebm::studio
