#include "sample/sampling_fields.h"

#include <QObject>
#include <QRandomGenerator>

#include <limits>

namespace ebm::studio {
namespace {

constexpr int kMaxSeedInField = std::numeric_limits<int>::max();

FieldSet<SamplingSettings> declareSamplingFields()
{
    using S = SamplingSettings;
    FieldSet<S> f(QStringLiteral("sampling"));
    const QString schedule = QObject::tr("Schedule"), samples = QObject::tr("Samples");

    QVector<FieldChoice> scheduleChoices = schedulePresetChoices();
    scheduleChoices.push_back({presetLabel(kEditedSchedulePreset), kEditedSchedulePreset});
    f.choice(QStringLiteral("schedule"), &S::schedulePreset, scheduleChoices)
        .label(QObject::tr("Preset"))
        .group(schedule)
        .objectName(QStringLiteral("presetField"))
        .undoText(QObject::tr("schedule preset"))
        .tip(QObject::tr("Temperature schedule of annealed Langevin dynamics (eq. 8).\n"
                         "Paper: 500 steps at T = 100, cooling to T = 1, then 200 steps to T = 0.\n"
                         "Quick: the same shape in a few hundred steps, for a first look.\n"
                         "Edited curve: the curve shaped on the Schedule page (edits reach a running run)."))
        // A preset brings its own length; part of the same undo step. The edited curve's length
        // is the Schedule page's, which the Sample page copies in.
        .onEdit([](FieldValues& v) {
            const QString preset = v.text(QStringLiteral("schedule"));
            if (preset != kEditedSchedulePreset)
                v.set(QStringLiteral("steps"), defaultStepsForPreset(preset));
        });
    f.integer(QStringLiteral("steps"), &S::steps)
        .label(QObject::tr("Steps"))
        .group(schedule)
        .range(3, 100000)
        .step(50)
        .undoText(QObject::tr("steps"))
        .tip(QObject::tr("Number of Langevin steps; the schedule's shape is stretched to fit"))
        .defaultFrom([](const FieldValues& v) { return QVariant(defaultStepsForPreset(v.text(QStringLiteral("schedule")))); });
    f.real(QStringLiteral("stepSize"), &S::stepSize)
        .label(QObject::tr("Step size ε"))
        .group(schedule)
        .range(0.001, 0.2)
        .decimals(4)
        .step(0.005)
        .undoText(QObject::tr("step size"))
        .tip(QObject::tr("Langevin step size ε (the paper uses 0.02; 0.015 to 0.05 works)"))
        .check(mustBePositive(QObject::tr("the step size must be positive")));

    f.integer(QStringLiteral("numSamples"), &S::numSamples)
        .label(QObject::tr("Number"))
        .group(samples)
        .range(1, 256)
        .objectName(QStringLiteral("samplesField"))
        .undoText(QObject::tr("number of samples"))
        .tip(QObject::tr("How many chains run side by side (1 to 256)"));
    f.integer(QStringLiteral("seed"), &S::seed)
        .label(QObject::tr("Seed"))
        .group(samples)
        .range(0, kMaxSeedInField)
        .keepOutOfRange()
        .jsonAsText()  // JSON numbers are doubles: a 64-bit seed survives only as text
        .undoText(QObject::tr("seed"))
        .tip(QObject::tr("Random seed: the same seed, model and settings give the same samples"))
        .button(QObject::tr("New"), QObject::tr("Draw a new random seed"),
                [](QWidget*, const QVariant&, const FieldValues&) {
                    return QVariant(QRandomGenerator::global()->bounded(1, 1000000));
                });
    f.choice(QStringLiteral("startFromImages"), &S::startFromImages,
             {{QObject::tr("Noise (0.5 + N(0, I))"), false}, {QObject::tr("Chosen images"), true}})
        .label(QObject::tr("Start from"))
        .group(samples)
        .jsonKey(QStringLiteral("start"))
        .jsonNames({{false, QStringLiteral("noise")}, {true, QStringLiteral("images")}})
        .undoText(QObject::tr("start"));
    f.text(QStringLiteral("startImages"), &S::startImages)
        .group(samples)
        .placeholder(QObject::tr(".npy, image, folder or fashion-mnist"))
        .undoText(QObject::tr("start images"))
        .tip(QObject::tr("Images to start the chains from; fewer images than samples are repeated"))
        .enabledWhen([](const FieldValues& v) { return v.flag(QStringLiteral("startFromImages")); })
        .button(QStringLiteral("…"), QObject::tr("Choose the start images"),
                openFileAction(QObject::tr("Start images"),
                               QObject::tr("Images and arrays (*.npy *.png *.jpg *.jpeg *.bmp);;All files (*)")));
    f.flag(QStringLiteral("denoiseJump"), &S::denoiseJump)
        .label(QObject::tr("Denoising jump at the end (eq. 9)"))
        .group(samples)
        .undoText(QObject::tr("denoising jump"))
        .tip(QObject::tr("After annealing, one step x − σ₀² ∂E/∂x removes the remaining noise"));
    f.integer(QStringLiteral("recordEvery"), &S::recordEvery)
        .label(QObject::tr("Record every"))
        .group(samples)
        .range(0, 10000)
        .special(QObject::tr("automatic"))
        .undoText(QObject::tr("record period"))
        .tip(QObject::tr("Keep a frame for the timeline every k steps (automatic: about 150 frames)"));
    return f;
}

}  // namespace

QVector<FieldChoice> schedulePresetChoices()
{
    QVector<FieldChoice> choices;
    for (const QString& name : schedulePresets())
        choices.push_back({presetLabel(name), name});
    return choices;
}

const FieldSet<SamplingSettings>& samplingFields()
{
    static const FieldSet<SamplingSettings> fields = declareSamplingFields();
    return fields;
}

}  // namespace ebm::studio
