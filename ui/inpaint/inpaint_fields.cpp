#include "inpaint/inpaint_fields.h"

#include <QObject>

#include <limits>

#include "engine/studio_types.h"
#include "sample/sampling_fields.h"

namespace ebm::studio {
namespace {

constexpr int kMaxCompletions = 64;
constexpr int kMaxSeedInField = std::numeric_limits<int>::max();

FieldSet<InpaintSettings> declareInpaintFields()
{
    using S = InpaintSettings;
    FieldSet<S> f(QStringLiteral("inpainting"));
    const QString run = QObject::tr("Completion");
    QVector<FieldChoice> schedules = schedulePresetChoices();
    schedules.push_back({presetLabel(kEditedSchedulePreset), kEditedSchedulePreset});
    f.choice(QStringLiteral("schedule"), &S::schedulePreset, schedules)
        .label(QObject::tr("Schedule"))
        .group(run)
        .undoText(QObject::tr("inpainting schedule"))
        .tip(QObject::tr("Temperature schedule of the annealing; \"Edited curve\" is the Schedule page's"))
        .onEdit([](FieldValues& v) {
            const QString preset = v.text(QStringLiteral("schedule"));
            if (preset != kEditedSchedulePreset)
                v.set(QStringLiteral("steps"), defaultStepsForPreset(preset));
        });
    f.integer(QStringLiteral("steps"), &S::steps)
        .label(QObject::tr("Steps"))
        .group(run)
        .range(3, 100000)
        .step(50)
        .undoText(QObject::tr("inpainting steps"))
        .tip(QObject::tr("Langevin steps; the schedule's shape is stretched to fit"));
    f.real(QStringLiteral("stepSize"), &S::stepSize)
        .label(QObject::tr("Step size ε"))
        .group(run)
        .range(0.001, 0.2)
        .decimals(4)
        .step(0.005)
        .undoText(QObject::tr("inpainting step size"))
        .check(mustBePositive(QObject::tr("the step size must be positive")));
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
    return f;
}

}  // namespace

const FieldSet<InpaintSettings>& inpaintFields()
{
    static const FieldSet<InpaintSettings> fields = declareInpaintFields();
    return fields;
}

}  // namespace ebm::studio
