#pragma once
// The Inpaint page's run settings, declared once: its form, what it remembers between runs of
// the studio (QSettings group "inpainting", the page's sessionKey(), which the window opens) and
// the session's "inpainting" object come from these declarations.
#include <QString>

#include "ebm/base/defaults.h"
#include "worker/studio_types.h"
#include "widgets/settings_form.h"
#include "annealing/sampling_types.h"

namespace ebm::studio {

struct InpaintSettings {
    QString schedulePreset = defaultSchedulePreset();  // or "custom": the Schedule page's curve
    int steps = defaultStepsForPreset(defaultSchedulePreset());
    double stepSize = defaultStepSizeForPreset(defaultSchedulePreset());
    int completions = 8;             // of the same masked image, side by side
    quint64 seed = 1;
    bool referenceNoise = false;     // 0.1*T^(1/4) on known pixels (reference code) instead of sigma0*sqrt(T)
    bool denoiseJump = true;
    int maskFeather = 0;             // pixels of soft edge around the generated ones; 0: the hard clamp
    QString precision = defaultPrecisionName();
    QString sampler = defaultSamplerName();  // "langevin" or "mala" (two gradients per step here)
};

const FieldSet<InpaintSettings>& inpaintFields();

}  // namespace ebm::studio
