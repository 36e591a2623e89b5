#include "annealing/sampling_fields.h"

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

    declareAnnealingFields(f, &S::schedulePreset, &S::steps, &S::stepSize, &S::sampler, &S::precision,
                           {schedule, QObject::tr("Preset"), QStringLiteral("presetField"), QString()});

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

QVector<FieldChoice> samplingPrecisionChoices()
{
    return {{QObject::tr("float32"), QStringLiteral("float32")},
            {QObject::tr("bfloat16"), QStringLiteral("bf16")},
            {QObject::tr("TF32 (CUDA)"), QStringLiteral("tf32")}};
}

QVector<FieldChoice> samplerChoices()
{
    return {{QObject::tr("Langevin (eq. 8)"), samplerName(ebm::Sampler::Langevin)},
            {QObject::tr("MALA (Metropolis-adjusted)"), samplerName(ebm::Sampler::Mala)}};
}

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
