#pragma once
// The Inpaint page's run settings, declared once: its form, QSettings group "inpainting" and
// the session's "inpainting" object come from these declarations.
#include <QString>

#include "widgets/settings_form.h"

namespace ebm::studio {

struct InpaintSettings {
    QString schedulePreset = QStringLiteral("quick");  // or "custom": the Schedule page's curve
    int steps = 300;
    double stepSize = 0.02;
    int completions = 8;             // of the same masked image, side by side
    quint64 seed = 1;
    bool referenceNoise = false;     // 0.1*T^(1/4) on known pixels (reference code) instead of sigma0*sqrt(T)
    bool denoiseJump = true;
};

const FieldSet<InpaintSettings>& inpaintFields();

}  // namespace ebm::studio
