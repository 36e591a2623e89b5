#include "pages/learn/learn_fields.h"

#include <QJsonValue>
#include <QMetaType>
#include <QObject>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

namespace ebm::studio {
namespace {

constexpr double kSliderLowestT = 0.01, kSliderHighestT = 400.0;
const QChar kJsonPathSeparator = QLatin1Char('/');

/// A choice stored as the index of an enum, as the page's sessions have always held it.
template <class E>
FieldBuilder enumChoice(FieldSet<LearnSettings>& f, const QString& key, E LearnSettings::*member,
                        const QStringList& labels)
{
    QVector<FieldChoice> choices;
    for (int i = 0; i < labels.size(); ++i)
        choices.push_back({labels[i], i});
    return f.choice(
        key, [member](const LearnSettings& s) { return QVariant(static_cast<int>(s.*member)); },
        [member](LearnSettings& s, const QVariant& v) { s.*member = static_cast<E>(v.toInt()); }, choices);
}

void declareDataFields(FieldSet<LearnSettings>& f)
{
    using S = LearnSettings;
    const QString data = QObject::tr("Data");
    f.integer(QStringLiteral("count"), &S::count).label(QObject::tr("Points")).group(data).range(1, kLearnMaxPoints);
    f.integer(QStringLiteral("seed"), &S::seed).label(QObject::tr("Seed")).group(data).range(1, 1000000);
    f.real(QStringLiteral("brushRadius"), &S::brushRadius)
        .label(QObject::tr("Brush radius"))
        .group(data)
        .range(0.02, 2.0)
        .decimals(2)
        .step(0.05)
        .notInSessions();
}

void declareTrainingFields(FieldSet<LearnSettings>& f)
{
    using S = LearnSettings;
    const QString model = QObject::tr("Model and MDSM training");
    const QString train = QStringLiteral("train/");
    f.integer(QStringLiteral("width"), &S::width).label(QObject::tr("Width")).group(model).range(4, 1024)
        .jsonKey(train + QStringLiteral("width"));
    f.integer(QStringLiteral("depth"), &S::depth).label(QObject::tr("Depth")).group(model).range(1, 8)
        .jsonKey(train + QStringLiteral("depth"));
    f.real(QStringLiteral("sigmaMin"), &S::sigmaMin).label(QObject::tr("Sigma min")).group(model)
        .range(0.001, 10.0).decimals(3).step(0.01).jsonKey(train + QStringLiteral("sigmaMin"));
    // Never below sigma min: what training uses, and what sessions have always held.
    f.add(
         FieldKind::Real, QStringLiteral("sigmaMax"),
         [](const S& s) { return QVariant(std::max(s.sigmaMin, s.sigmaMax)); },
         [](S& s, const QVariant& v) { s.sigmaMax = v.toDouble(); })
        .label(QObject::tr("Sigma max")).group(model).range(0.001, 20.0).decimals(3).step(0.1)
        .jsonKey(train + QStringLiteral("sigmaMax"));
    enumChoice(f, QStringLiteral("spread"), &S::spread,
               {QObject::tr("geometric"), QObject::tr("linear"), QObject::tr("single (sigma min)")})
        .label(QObject::tr("Spread")).group(model).jsonKey(train + QStringLiteral("spread"));
    f.real(QStringLiteral("sigma0"), &S::sigma0).label(QObject::tr("Sigma0")).group(model)
        .range(0.001, 5.0).decimals(3).step(0.01).jsonKey(train + QStringLiteral("sigma0"));
    f.real(QStringLiteral("learningRate"), &S::learningRate).label(QObject::tr("Learning rate")).group(model)
        .range(1e-5, 1.0).decimals(5).step(1e-4).jsonKey(train + QStringLiteral("learningRate"));
    f.integer(QStringLiteral("batch"), &S::batch).label(QObject::tr("Batch")).group(model).range(1, 65536)
        .jsonKey(train + QStringLiteral("batch"));
    f.integer(QStringLiteral("steps"), &S::steps).label(QObject::tr("Steps")).group(model).range(1, 1000000)
        .jsonKey(train + QStringLiteral("steps"));
    f.flag(QStringLiteral("continueTraining"), &S::continueTraining)
        .label(QObject::tr("Go on from the current model")).group(model).notInSessions();
}

bool slidersDrive(const FieldValues& v)
{
    return v.integer(QStringLiteral("annealing")) == static_cast<int>(LearnAnnealing::TemperatureSlider);
}

void declareSamplingFields(FieldSet<LearnSettings>& f)
{
    using S = LearnSettings;
    const QString sampling = QObject::tr("Annealed Langevin sampling");
    const QString sample = QStringLiteral("sample/");
    f.integer(QStringLiteral("particles"), &S::particles).label(QObject::tr("Particles")).group(sampling)
        .range(1, 20000).jsonKey(sample + QStringLiteral("particles"));
    f.real(QStringLiteral("stepSize"), &S::stepSize).label(QObject::tr("Step size")).group(sampling)
        .range(0.001, 1.0).decimals(3).step(0.005).jsonKey(sample + QStringLiteral("stepSize"));
    // Stored by the core's names ("langevin", "mala"), as the ebm tool and the Sample page write them.
    const QString langevin = QString::fromStdString(ebm::toString(ebm::Sampler::Langevin));
    const QString mala = QString::fromStdString(ebm::toString(ebm::Sampler::Mala));
    f.choice(
         QStringLiteral("sampler"), [](const S& s) { return QVariant(QString::fromStdString(ebm::toString(s.sampler))); },
         [mala](S& s, const QVariant& v) { s.sampler = v.toString() == mala ? ebm::Sampler::Mala : ebm::Sampler::Langevin; },
         {{QObject::tr("Langevin"), langevin}, {QObject::tr("MALA (Metropolis-adjusted)"), mala}})
        .label(QObject::tr("Sampler")).group(sampling)
        .tip(QObject::tr("Langevin takes every step; MALA accepts or refuses each particle's step so that the step "
                         "size biases nothing (the share it takes shows under the plane)"))
        .jsonKey(sample + QStringLiteral("sampler"));
    enumChoice(f, QStringLiteral("annealing"), &S::annealing,
               {QObject::tr("Toy schedule (T 100 → 0)"), QObject::tr("Schedule page curve"),
                QObject::tr("Temperature slider")})
        .label(QObject::tr("Annealing")).group(sampling).jsonKey(sample + QStringLiteral("annealing"));
    f.integer(QStringLiteral("sampleSteps"), &S::sampleSteps).label(QObject::tr("Steps")).group(sampling)
        .range(3, 100000).jsonKey(sample + QStringLiteral("steps"))
        .enabledWhen([](const FieldValues& v) { return !slidersDrive(v); });
    // The slider is the page's own widget (with its "T = …" label): declared here, shown by no form.
    f.integer(QStringLiteral("temperature"), &S::temperature).range(0, kLearnSliderSteps)
        .jsonKey(sample + QStringLiteral("temperature"));
    f.integer(QStringLiteral("speed"), &S::speed).label(QObject::tr("Speed")).group(sampling).range(1, 500)
        .tip(QObject::tr("Langevin steps per frame (25 frames a second)")).jsonKey(sample + QStringLiteral("speed"));
    f.flag(QStringLiteral("arrows"), &S::arrows).label(QObject::tr("Score arrows")).group(sampling).notInSessions();
}

void declareTabFields(FieldSet<LearnSettings>& f)
{
    using S = LearnSettings;
    f.integer(QStringLiteral("compareSteps"), &S::compareSteps).label(QObject::tr("Steps")).range(10, 100000)
        .jsonKey(QStringLiteral("compareSteps"));
    f.real(QStringLiteral("singleSigma"), &S::singleSigma).label(QObject::tr("Single sigma"))
        .range(0.001, 10.0).decimals(3).step(0.01).jsonKey(QStringLiteral("singleSigma"));
    f.real(QStringLiteral("largeStepSize"), &S::largeStepSize).label(QObject::tr("Step size"))
        .range(0.001, 1.0).decimals(3).step(0.01).jsonKey(QStringLiteral("largeStepSize"))
        .tip(QObject::tr("The step size of both runs. Langevin's bias grows towards 2 sigma0, where it turns "
                         "unstable; MALA's acceptance falls instead"));
    f.integer(QStringLiteral("dimension"), &S::dimension).label(QObject::tr("Dimension d")).range(1, 100000)
        .jsonKey(QStringLiteral("dimension"));
    f.real(QStringLiteral("concentrationSigma"), &S::concentrationSigma).label(QObject::tr("Sigma"))
        .range(0.001, 100.0).decimals(3).step(0.05).jsonKey(QStringLiteral("concentrationSigma"));
}

FieldSet<LearnSettings> declareLearnFields()
{
    FieldSet<LearnSettings> f(QStringLiteral("learn"));
    declareDataFields(f);
    declareTrainingFields(f);
    declareSamplingFields(f);
    declareTabFields(f);
    return f;
}

/// What the page's old reader took as a whole number (QJsonValue::toInt): others keep the value.
bool isWholeNumber(const QJsonValue& value)
{
    const double number = value.toDouble(std::numeric_limits<double>::quiet_NaN());
    return value.isDouble() && std::trunc(number) == number && std::abs(number) <= std::numeric_limits<int>::max();
}

/// The session's "train" and "sample" objects lifted to "train/…" and "sample/…" keys.
QJsonObject flattened(const QJsonObject& session)
{
    QJsonObject flat;
    for (auto it = session.begin(); it != session.end(); ++it) {
        if (!it.value().isObject()) {
            flat.insert(it.key(), it.value());
            continue;
        }
        const QJsonObject inner = it.value().toObject();
        for (auto field = inner.begin(); field != inner.end(); ++field)
            flat.insert(it.key() + kJsonPathSeparator + field.key(), field.value());
    }
    return flat;
}

/// A choice stored as an enum's index (enumChoice), not by name.
bool isIndexChoice(const FieldSpec& spec)
{
    return spec.kind == FieldKind::Choice && !spec.choices.isEmpty() &&
           spec.choices.front().value.userType() == QMetaType::Int;
}

/// Number fields and choice indices read as the page always read them: a value that is not a
/// whole number keeps the current one, a choice index out of range is clamped. Choices by name
/// (the sampler) are read as any field is.
void readAsBefore(QJsonObject& flat)
{
    for (const FieldSpec& spec : learnFields().specs()) {
        if (spec.jsonKey.isEmpty() || !flat.contains(spec.jsonKey))
            continue;
        const QJsonValue value = flat.value(spec.jsonKey);
        if (spec.kind != FieldKind::Integer && !isIndexChoice(spec))
            continue;
        if (!isWholeNumber(value))
            flat.remove(spec.jsonKey);
        else if (spec.kind == FieldKind::Choice)
            flat.insert(spec.jsonKey, std::clamp(value.toInt(), 0, int(spec.choices.size()) - 1));
    }
}

/// The page's settings are no undo steps: only its data points are.
SettingsFormWidget* formOf(const std::vector<FieldSpec>& specs, QWidget* parent)
{
    auto* form = new SettingsFormWidget(specs, nullptr, parent);
    form->setValues(learnFields().values(LearnSettings()));
    return form;
}

}  // namespace

const FieldSet<LearnSettings>& learnFields()
{
    static const FieldSet<LearnSettings> fields = declareLearnFields();
    return fields;
}

SettingsFormWidget* learnPanelForm(QWidget* parent)
{
    std::vector<FieldSpec> specs;
    for (const FieldSpec& spec : learnFields().specs())
        if (!spec.group.isEmpty())
            specs.push_back(spec);
    return formOf(specs, parent);
}

SettingsFormWidget* learnFieldForm(const QStringList& keys, QWidget* parent)
{
    std::vector<FieldSpec> specs;
    for (const FieldSpec& spec : learnFields().specs())
        if (keys.contains(spec.key))
            specs.push_back(spec);
    return formOf(specs, parent);
}

QJsonObject learnSettingsToJson(const LearnSettings& settings)
{
    const QJsonObject flat = learnFields().toJson(settings);
    QJsonObject session;
    QHash<QString, QJsonObject> nested;
    for (auto it = flat.begin(); it != flat.end(); ++it) {
        const qsizetype slash = it.key().indexOf(kJsonPathSeparator);
        if (slash < 0)
            session.insert(it.key(), it.value());
        else
            nested[it.key().left(slash)].insert(it.key().mid(slash + 1), it.value());
    }
    for (auto it = nested.begin(); it != nested.end(); ++it)
        session.insert(it.key(), it.value());
    return session;
}

bool learnSettingsFromJson(const QJsonObject& session, const LearnSettings& current, LearnSettings& out,
                           QString& error)
{
    QJsonObject flat = flattened(session);
    readAsBefore(flat);
    FieldValues loaded;
    if (!field_storage::fromJson(learnFields().specs(), learnFields().values(current), flat, loaded, error))
        return false;
    out = learnFields().apply(loaded, current);
    return true;
}

LearnTrainSettings learnTrainSettings(const LearnSettings& settings)
{
    LearnTrainSettings s;
    s.width = settings.width;
    s.depth = settings.depth;
    s.sigmaMin = settings.sigmaMin;
    s.sigmaMax = std::max(settings.sigmaMin, settings.sigmaMax);
    s.geometric = settings.spread == LearnSpread::Geometric;
    s.singleSigma = settings.spread == LearnSpread::SingleSigma;
    s.sigma0 = settings.sigma0;
    s.learningRate = settings.learningRate;
    s.batchSize = settings.batch;
    s.steps = settings.steps;
    s.seed = quint64(settings.seed);
    return s;
}

void setLearnTrainSettings(LearnSettings& settings, const LearnTrainSettings& train)
{
    settings.width = train.width;
    settings.depth = train.depth;
    settings.sigmaMin = train.sigmaMin;
    settings.sigmaMax = train.sigmaMax;
    settings.spread = train.singleSigma ? LearnSpread::SingleSigma
                                        : (train.geometric ? LearnSpread::Geometric : LearnSpread::Linear);
    settings.sigma0 = train.sigma0;
    settings.learningRate = train.learningRate;
    settings.batch = train.batchSize;
    settings.steps = train.steps;
}

double learnSliderTemperature(int position)
{
    const double f = static_cast<double>(position) / kLearnSliderSteps;
    return kSliderLowestT * std::pow(kSliderHighestT / kSliderLowestT, f);
}

QVector<double> learnScheduleTemperatures(const LearnSettings& settings,
                                          const std::optional<ebm::ScheduleCurve>& edited)
{
    QVector<double> temperatures;
    if (settings.annealing == LearnAnnealing::SchedulePage && edited) {
        try {
            const ebm::Schedule schedule = edited->rescaled(settings.sampleSteps).expand();
            for (double t : schedule.temperatures())
                temperatures << t;
        } catch (const std::exception&) {
            temperatures.clear();   // falls back to the toy schedule
        }
    }
    if (temperatures.isEmpty()) {
        // The toy schedule (ebm::toy::defaultToySchedule) is the quick preset's shape from T = 100.
        const ebm::Schedule quick = ebm::ScheduleCurve::preset("quick", settings.sampleSteps).expand();
        for (double t : quick.temperatures())
            temperatures << t;
    }
    return temperatures;
}

}  // namespace ebm::studio
