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

/// The settings stored under the current group of `store`; what is not stored there (or not a
/// value of its field) stays as in `current`.
EnergyMeasureSettings loadEnergySettings(QSettings& store, const EnergyMeasureSettings& current);
/// The settings of a session's "energy" object; keys absent (or of another type) stay as in
/// `current`, as the page has always read sessions.
EnergyMeasureSettings energySettingsFromJson(const QJsonObject& json, const EnergyMeasureSettings& current);

}  // namespace ebm::studio
