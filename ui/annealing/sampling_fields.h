#pragma once
// The sampling settings, declared once: the sampling panel's form, QSettings group "sampling"
// and the "sampling" object of session files all come from these declarations.
#include <QObject>

#include "worker/studio_types.h"
#include "widgets/settings_form.h"
#include "annealing/sampling_types.h"

namespace ebm::studio {

const FieldSet<SamplingSettings>& samplingFields();

/// The schedule presets as choices (the Sample and Evaluate pages both offer them).
QVector<FieldChoice> schedulePresetChoices();

/// The network's arithmetic while sampling: float32, bf16 (and TF32, which only CUDA runs).
QVector<FieldChoice> samplingPrecisionChoices();

/// How each annealing step moves the chains: Langevin (eq. 8) or MALA, by core's names.
QVector<FieldChoice> samplerChoices();

/// How the annealing fields of a page are named and grouped.
struct AnnealingFieldNames {
    QString group;             // form group, e.g. "Schedule"
    QString presetLabel;       // label of the schedule choice
    QString presetObjectName;  // empty: "scheduleField"
    QString undoPrefix;        // before each undo text, e.g. "inpainting "
};

/// The schedule preset (the presets and the Schedule page's edited curve), its length, the
/// Langevin step size, the sampler and the arithmetic, declared once for every page that
/// anneals (Sample, Inpaint).
template <class S>
void declareAnnealingFields(FieldSet<S>& f, QString S::*preset, int S::*steps, double S::*stepSize,
                            QString S::*sampler, QString S::*precision, const AnnealingFieldNames& names)
{
    QVector<FieldChoice> choices = schedulePresetChoices();
    choices.push_back({presetLabel(kEditedSchedulePreset), kEditedSchedulePreset});
    // Finished before the next field is added: a builder refers into the field list.
    FieldBuilder choice = f.choice(QStringLiteral("schedule"), preset, choices);
    choice.label(names.presetLabel)
                       .group(names.group)
                       .undoText(names.undoPrefix + QObject::tr("schedule preset"))
                       .tip(QObject::tr("Temperature schedule of annealed Langevin dynamics (eq. 8).\n"
                                        "Fast: cooling from T = 100 to 1 at once, then to T = 0; the default.\n"
                                        "Paper: 500 steps at T = 100, cooling to T = 1, then 200 steps to T = 0.\n"
                                        "Quick: the paper's shape in 300 steps, for a first look.\n"
                                        "Edited curve: the curve shaped on the Schedule page."))
                       // A preset brings its own length and step size, in the same undo step. The
                       // edited curve's length is the Schedule page's, which the page copies in.
                       .onEdit([](FieldValues& v) {
                           const QString chosen = v.text(QStringLiteral("schedule"));
                           if (chosen != kEditedSchedulePreset) {
                               v.set(QStringLiteral("steps"), defaultStepsForPreset(chosen));
                               v.set(QStringLiteral("stepSize"), defaultStepSizeForPreset(chosen));
                           }
                       });
    if (!names.presetObjectName.isEmpty())
        choice.objectName(names.presetObjectName);
    f.integer(QStringLiteral("steps"), steps)
        .label(QObject::tr("Steps"))
        .group(names.group)
        .range(3, 100000)
        .step(50)
        .undoText(names.undoPrefix + QObject::tr("steps"))
        .tip(QObject::tr("Number of Langevin steps; the schedule's shape is stretched to fit"))
        .defaultFrom([](const FieldValues& v) { return QVariant(defaultStepsForPreset(v.text(QStringLiteral("schedule")))); });
    f.real(QStringLiteral("stepSize"), stepSize)
        .label(QObject::tr("Step size ε"))
        .group(names.group)
        .range(0.001, 0.2)
        .decimals(4)
        .step(0.005)
        .undoText(names.undoPrefix + QObject::tr("step size"))
        .tip(QObject::tr("Langevin step size ε (the paper uses 0.02; 0.015 to 0.05 works). The fast preset takes "
                         "larger steps, so that ε² × steps stays the paper's"))
        .check(mustBePositive(QObject::tr("the step size must be positive")))
        .defaultFrom([](const FieldValues& v) {
            return QVariant(defaultStepSizeForPreset(v.text(QStringLiteral("schedule"))));
        });
    f.choice(QStringLiteral("sampler"), sampler, samplerChoices())
        .label(QObject::tr("Sampler"))
        .group(names.group)
        .undoText(names.undoPrefix + QObject::tr("sampler"))
        .tip(QObject::tr("Langevin: every step of eq. 8 is taken, as in the paper.\n"
                         "MALA (Metropolis-adjusted Langevin): each chain's step is a proposal, accepted with the "
                         "Metropolis-Hastings ratio for exp(−E/T). That removes the bias a finite step size leaves, "
                         "at the cost of rejected moves (the chart plots the acceptance rate). Inpainting with MALA "
                         "costs two gradient evaluations per step."));
    f.choice(QStringLiteral("precision"), precision, samplingPrecisionChoices())
        .label(QObject::tr("Arithmetic"))
        .group(names.group)
        .undoText(names.undoPrefix + QObject::tr("arithmetic"))
        .tip(QObject::tr("float32 is the reference. bfloat16 runs the network's convolutions with 8-bit mantissas: "
                         "faster on CPUs with AVX-512 BF16 or AMX and on GPUs (slower where the CPU emulates it); "
                         "the chains and the noise stay float32."));
}


}  // namespace ebm::studio
