#include "pages/inpaint/inpaint_fields.h"

#include <QObject>

#include <limits>

#include "annealing/sampling_fields.h"

namespace ebm::studio {
namespace {

constexpr int kMaxCompletions = 64;
constexpr int kMaxMaskFeather = 8;         // pixels; the model's images are 32 wide
constexpr int kMaxSeedInField = std::numeric_limits<int>::max();

FieldSet<InpaintSettings> declareInpaintFields()
{
    using S = InpaintSettings;
    // Kept between runs under the page's session key.
    FieldSet<S> f{QStringLiteral("inpainting")};
    const QString run = QObject::tr("Completion");
    declareAnnealingFields(f, &S::schedulePreset, &S::steps, &S::stepSize, &S::sampler, &S::precision,
                           {run, QObject::tr("Schedule"), QString(), QObject::tr("inpainting ")});
    f.integer(QStringLiteral("completions"), &S::completions)
        .label(QObject::tr("Completions"))
        .group(run)
        .range(1, kMaxCompletions)
        .objectName(QStringLiteral("completionsField"))
        .undoText(QObject::tr("number of completions"))
        .tip(QObject::tr("How many completions of the same masked image run side by side (1 to 64)"));
    f.integer(QStringLiteral("seed"), &S::seed)
        .label(QObject::tr("Seed"))
        .group(run)
        .range(0, kMaxSeedInField)
        .keepOutOfRange()
        .jsonAsText()
        .undoText(QObject::tr("inpainting seed"));
    f.flag(QStringLiteral("referenceNoise"), &S::referenceNoise)
        .label(QObject::tr("Reference code's noise on known pixels"))
        .group(run)
        .undoText(QObject::tr("known-pixel noise"))
        .tip(QObject::tr("Off: the paper's σ₀·√T on the clamped pixels. On: the reference code's 0.1·T^¼"));
    f.flag(QStringLiteral("denoiseJump"), &S::denoiseJump)
        .label(QObject::tr("Denoising jump at the end (eq. 9)"))
        .group(run)
        .undoText(QObject::tr("inpainting denoising jump"));
    f.integer(QStringLiteral("maskFeather"), &S::maskFeather)
        .label(QObject::tr("Mask feather"))
        .group(run)
        .range(0, kMaxMaskFeather)
        .unit(QObject::tr("px"))
        .special(QObject::tr("off"))
        .objectName(QStringLiteral("maskFeatherField"))
        .undoText(QObject::tr("mask feather"))
        .tip(QObject::tr("Blur radius of the mask's edge in pixels: known pixels that near the generated ones are "
                         "partly generated, blending into the completion. 0: the paper's hard clamp"));
    return f;
}

}  // namespace

const FieldSet<InpaintSettings>& inpaintFields()
{
    static const FieldSet<InpaintSettings> fields = declareInpaintFields();
    return fields;
}

}  // namespace ebm::studio
