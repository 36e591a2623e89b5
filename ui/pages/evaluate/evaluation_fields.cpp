#include "pages/evaluate/evaluation_fields.h"

#include <QObject>

#include "annealing/sampling_fields.h"

namespace ebm::studio {
namespace {

const QString kSource = QStringLiteral("source");
const QString kNeighbours = QStringLiteral("neighbours");
const QString kLikelihood = QStringLiteral("likelihood");

bool needsSamples(const FieldValues& v)
{
    return v.flag(QStringLiteral("fid")) || v.flag(QStringLiteral("inceptionLike")) || v.flag(kNeighbours);
}
bool drawsSamples(const FieldValues& v) { return needsSamples(v) && v.integer(kSource) == kDrawFromModel; }
bool measuresLikelihood(const FieldValues& v) { return v.flag(kLikelihood); }

/// The many counts of this page share their widget.
FieldBuilder count(FieldSet<EvaluationSettings>& f, const QString& key, int EvaluationSettings::*member,
                   const QString& group, int minimum, int maximum, int step)
{
    return f.integer(key, member).group(group).range(minimum, maximum).step(step);
}

/// Which figures to measure.
void declareMeasureFields(FieldSet<EvaluationSettings>& f)
{
    using S = EvaluationSettings;
    const QString measure = QObject::tr("Measure");
    f.flag(QStringLiteral("fid"), &S::fid)
        .label(QObject::tr("FID-like distance to test images"))
        .group(measure)
        .undoText(QObject::tr("FID-like"))
        .tip(QObject::tr("Frechet distance between the classifier features of the samples and of the test images. "
                         "Real training images give the floor."));
    f.flag(QStringLiteral("inceptionLike"), &S::inceptionLike)
        .label(QObject::tr("Inception-like score and classes"))
        .group(measure)
        .undoText(QObject::tr("inception-like score"))
        .tip(QObject::tr("How confidently and how evenly the classifier recognises the samples; "
                         "the class histogram shows which garments the model makes."));
    f.flag(kNeighbours, &S::neighbours)
        .label(QObject::tr("Nearest training images"))
        .group(measure)
        .undoText(QObject::tr("nearest neighbours"))
        .tip(QObject::tr("For the first samples, the closest training images in pixel distance: "
                         "a model that copies its data shows twins here (paper, appendix C)."));
    f.flag(kLikelihood, &S::likelihood)
        .label(QObject::tr("Log-likelihood by AIS (slow)"))
        .group(measure)
        .undoText(QObject::tr("AIS log-likelihood"))
        .tip(QObject::tr("Annealed importance sampling from a Gaussian (a lower bound on log Z) and back "
                         "from test images (an upper bound when they are model samples), in bits per dimension."));

    // Not a setting of its own: "from a file" is a non-empty samples path.
}

/// Where the samples come from (the model, with its schedule, or a file) and what they are compared with.
void declareSampleFields(FieldSet<EvaluationSettings>& f)
{
    using S = EvaluationSettings;
    const QString samples = QObject::tr("Samples");
    f.derived(
         FieldKind::Choice, kSource,
         [](const S& s) { return QVariant(s.samplesPath.isEmpty() ? kDrawFromModel : kSamplesFromFile); },
         [](S& s, const QVariant& v) {
             if (v.toInt() == kDrawFromModel)
                 s.samplesPath.clear();
         })
        .choices({{QObject::tr("Draw from the loaded model"), kDrawFromModel},
                  {QObject::tr("Images from a file or folder"), kSamplesFromFile}})
        .label(QObject::tr("Source"))
        .group(samples)
        .undoText(QObject::tr("sample source"));
    f.text(QStringLiteral("samplesPath"), &S::samplesPath)
        .label(QObject::tr("File"))
        .group(samples)
        .placeholder(QObject::tr(".npy [N, C, H, W] in [0, 1], image, or folder"))
        .undoText(QObject::tr("samples file"))
        .enabledWhen([](const FieldValues& v) { return needsSamples(v) && v.integer(kSource) == kSamplesFromFile; })
        .button(QObject::tr("Browse…"), QObject::tr("Choose the samples to evaluate"),
                openFileAction(QObject::tr("Samples to Evaluate"),
                               QObject::tr("Samples (*.npy *.png *.jpg *.jpeg);;All files (*)")));
    count(f, QStringLiteral("numSamples"), &S::numSamples, samples, 2, 20000, 64)
        .label(QObject::tr("Count"))
        .undoText(QObject::tr("sample count"))
        .tip(QObject::tr("Samples to draw; more give steadier figures (the FID-like distance is biased upwards "
                         "for small sets)"))
        .enabledWhen(drawsSamples);
    f.choice(QStringLiteral("schedule"), &S::schedulePreset, schedulePresetChoices())
        .label(QObject::tr("Schedule"))
        .group(samples)
        .undoText(QObject::tr("evaluation schedule"))
        .enabledWhen(drawsSamples)
        .onEdit([](FieldValues& v) {
            const QString chosen = v.text(QStringLiteral("schedule"));
            v.set(QStringLiteral("steps"), defaultStepsForPreset(chosen));
            v.set(QStringLiteral("stepSize"), defaultStepSizeForPreset(chosen));
        });
    count(f, QStringLiteral("steps"), &S::steps, samples, 10, 100000, 100)
        .label(QObject::tr("Steps"))
        .undoText(QObject::tr("evaluation schedule length"))
        .tip(QObject::tr("Length of the annealing schedule"))
        .enabledWhen(drawsSamples);
    f.real(QStringLiteral("stepSize"), &S::stepSize)
        .label(QObject::tr("Step size"))
        .group(samples)
        .range(0.001, 0.5)
        .decimals(3)
        .step(0.005)
        .undoText(QObject::tr("evaluation step size"))
        .tip(QObject::tr("Langevin step size eps (eq. 8)"))
        .check(mustBePositive(QObject::tr("the step size must be positive")))
        .enabledWhen(drawsSamples);
    f.choice(QStringLiteral("precision"), &S::precision, samplingPrecisionChoices())
        .label(QObject::tr("Arithmetic"))
        .group(samples)
        .undoText(QObject::tr("evaluation arithmetic"))
        .tip(QObject::tr("The network's arithmetic while sampling: float32, or bfloat16 (faster on CPUs with "
                         "AVX-512 BF16; docs/evaluation.md compares the two on the protocol)"))
        .enabledWhen(drawsSamples);
    f.integer(QStringLiteral("seed"), &S::seed)
        .label(QObject::tr("Seed"))
        .group(samples)
        .range(0, 1000000)
        .keepOutOfRange()
        .jsonAsText()
        .undoText(QObject::tr("evaluation seed"))
        .tip(QObject::tr("Random seed of the sampler"))
        .enabledWhen(drawsSamples);
    count(f, QStringLiteral("referenceLimit"), &S::referenceLimit, samples, 0, 1000000, 1000)
        .label(QObject::tr("Test images"))
        .special(QObject::tr("all"))
        .undoText(QObject::tr("test image count"))
        .tip(QObject::tr("Test images the samples are compared with (0 = all)"));
    count(f, QStringLiteral("neighbourQueries"), &S::neighbourQueries, samples, 1, 64, 1)
        .label(QObject::tr("Neighbour rows"))
        .undoText(QObject::tr("neighbour rows"))
        .tip(QObject::tr("Samples whose nearest training images are shown (one row each)"))
        .enabledWhen([](const FieldValues& v) { return v.flag(kNeighbours); });
    count(f, QStringLiteral("neighboursPerQuery"), &S::neighboursPerQuery, samples, 1, 32, 1)
        .label(QObject::tr("Neighbours each"))
        .undoText(QObject::tr("neighbours per row"))
        .tip(QObject::tr("Training images shown beside each sample, nearest first"))
        .enabledWhen([](const FieldValues& v) { return v.flag(kNeighbours); });
}

/// Annealed importance sampling of the log-likelihood.
void declareLikelihoodFields(FieldSet<EvaluationSettings>& f)
{
    using S = EvaluationSettings;
    const QString ais = QObject::tr("Likelihood (AIS)");
    count(f, QStringLiteral("aisSteps"), &S::aisSteps, ais, 10, 100000, 500)
        .label(QObject::tr("Distributions"))
        .undoText(QObject::tr("AIS distributions"))
        .tip(QObject::tr("Intermediate distributions; the paper uses 10000. More narrow the gap between the two "
                         "bounds."))
        .enabledWhen(measuresLikelihood);
    count(f, QStringLiteral("aisImages"), &S::aisImages, ais, 1, 10000, 8)
        .label(QObject::tr("Test images"))
        .undoText(QObject::tr("AIS test images"))
        .tip(QObject::tr("Test images whose log density is estimated (reverse AIS runs one chain from each)"))
        .enabledWhen(measuresLikelihood);
    count(f, QStringLiteral("aisChains"), &S::aisChains, ais, 1, 10000, 8)
        .label(QObject::tr("Forward chains"))
        .undoText(QObject::tr("AIS chains"))
        .tip(QObject::tr("Chains of forward AIS from the Gaussian"))
        .enabledWhen(measuresLikelihood);
    f.choice(QStringLiteral("aisTransition"), &S::aisTransition,
             {{QObject::tr("HMC (Metropolis-corrected)"), QStringLiteral("hmc")},
              {QObject::tr("MALA (Metropolis-corrected Langevin)"), QStringLiteral("mala")},
              {QObject::tr("ULA (unadjusted Langevin, biased)"), QStringLiteral("ula")}})
        .label(QObject::tr("Transition"))
        .group(ais)
        .undoText(QObject::tr("AIS transition"))
        .enabledWhen(measuresLikelihood);
    count(f, QStringLiteral("aisLeapfrog"), &S::aisLeapfrog, ais, 1, 100, 1)
        .label(QObject::tr("Leapfrog steps"))
        .undoText(QObject::tr("leapfrog steps"))
        .tip(QObject::tr("Leapfrog steps per HMC move"))
        .enabledWhen([](const FieldValues& v) {
            return measuresLikelihood(v) && v.text(QStringLiteral("aisTransition")) == QLatin1String("hmc");
        });
}

FieldSet<EvaluationSettings> declareEvaluationFields()
{
    FieldSet<EvaluationSettings> f(QStringLiteral("evaluation"));
    declareMeasureFields(f);
    declareSampleFields(f);
    declareLikelihoodFields(f);
    return f;
}

}  // namespace

const FieldSet<EvaluationSettings>& evaluationFields()
{
    static const FieldSet<EvaluationSettings> fields = declareEvaluationFields();
    return fields;
}

}  // namespace ebm::studio
