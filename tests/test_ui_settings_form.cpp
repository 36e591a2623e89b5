// Settings declared once: a declared field drives the widget, the struct, QSettings, the JSON
// object and undo; the declarations of the three settings structs keep today's keys.
#include <QtTest/QtTest>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QToolButton>
#include <QUndoStack>
#include <QWheelEvent>

#include "widgets/settings_form.h"
#include "widgets/undo_fields.h"
#include "annealing/sampling_fields.h"
#include "pages/evaluate/evaluation_fields.h"
#include "pages/train/training_fields.h"
#include "window/session_file.h"
#include "window/studio_settings.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

struct Toy {
    int count = 5;
    double rate = 0.5;
    bool enabled = true;
    QString name = QStringLiteral("first");
    QString mode = QStringLiteral("fast");
    quint64 seed = 7;
    int follower = 1;  // set by the mode's edit hook
};

bool operator==(const Toy& a, const Toy& b)
{
    return a.count == b.count && a.rate == b.rate && a.enabled == b.enabled && a.name == b.name && a.mode == b.mode &&
           a.seed == b.seed && a.follower == b.follower;
}

const FieldSet<Toy>& toyFields()
{
    static const FieldSet<Toy> fields = [] {
        FieldSet<Toy> f(QStringLiteral("toy"));
        f.integer(QStringLiteral("count"), &Toy::count).label(QStringLiteral("Count")).range(1, 100).group(QStringLiteral("A"));
        f.real(QStringLiteral("rate"), &Toy::rate)
            .label(QStringLiteral("Rate"))
            .range(0.01, 2.0)
            .check(mustBePositive(QStringLiteral("the rate must be positive")));
        f.flag(QStringLiteral("enabled"), &Toy::enabled).label(QStringLiteral("Enabled"));
        f.text(QStringLiteral("name"), &Toy::name)
            .label(QStringLiteral("Name"))
            .settingsKey(QStringLiteral("toyName"))
            .enabledWhen([](const FieldValues& v) { return v.flag(QStringLiteral("enabled")); });
        f.choice(QStringLiteral("mode"), &Toy::mode,
                 {{QStringLiteral("Fast"), QStringLiteral("fast")}, {QStringLiteral("Slow"), QStringLiteral("slow")}})
            .label(QStringLiteral("Mode"))
            .onEdit([](FieldValues& v) { v.set(QStringLiteral("follower"), v.text(QStringLiteral("mode")) == QLatin1String("slow") ? 9 : 1); });
        f.integer(QStringLiteral("seed"), &Toy::seed).label(QStringLiteral("Seed")).range(0, 1000).keepOutOfRange().jsonAsText();
        f.integer(QStringLiteral("follower"), &Toy::follower).label(QStringLiteral("Follower")).range(0, 10);
        return f;
    }();
    return fields;
}

Toy unusualToy()
{
    Toy t;
    t.count = 42;
    t.rate = 1.25;
    t.enabled = false;
    t.name = QStringLiteral("second");
    t.mode = QStringLiteral("slow");
    t.seed = 999;
    t.follower = 3;
    return t;
}

template <class W>
W* fieldOf(SettingsFormWidget& form, const QString& key)
{
    auto* widget = qobject_cast<W*>(form.field(key));
    if (!widget)
        qFatal("no field %s", qPrintable(key));
    return widget;
}

void sendWheel(QWidget* widget)
{
    const QPointF at(widget->width() / 2.0, widget->height() / 2.0);
    QWheelEvent wheel(at, widget->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(widget, &wheel);
}

SamplingSettings unusualSampling()
{
    SamplingSettings s;
    s.schedulePreset = QStringLiteral("paper-linear");
    s.steps = 1234;
    s.stepSize = 0.03;
    s.numSamples = 12;
    s.seed = 99;
    s.startFromImages = true;
    s.startImages = QStringLiteral("/data/start.npy");
    s.denoiseJump = false;
    s.recordEvery = 5;
    return s;
}

QStringList sortedKeys(QSettings& settings, const QString& group)
{
    settings.beginGroup(group);
    QStringList keys = settings.childKeys();
    settings.endGroup();
    keys.sort();
    return keys;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

}  // namespace

class SettingsFormTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

private Q_SLOTS:
    void fieldRoundTripsStructWidgetStruct()
    {
        SettingsForm<Toy> form(toyFields(), nullptr);
        QCOMPARE(form.settings(), Toy());
        const Toy t = unusualToy();
        form.setSettings(t);
        QCOMPARE(fieldOf<QSpinBox>(form, QStringLiteral("count"))->value(), 42);
        QCOMPARE(fieldOf<QDoubleSpinBox>(form, QStringLiteral("rate"))->value(), 1.25);
        QVERIFY(!fieldOf<QCheckBox>(form, QStringLiteral("enabled"))->isChecked());
        QCOMPARE(fieldOf<QLineEdit>(form, QStringLiteral("name"))->text(), QStringLiteral("second"));
        QCOMPARE(fieldOf<QComboBox>(form, QStringLiteral("mode"))->currentText(), QStringLiteral("Slow"));
        QCOMPARE(form.settings(), t);
        // The enabled condition follows the check box.
        QVERIFY(!form.field(QStringLiteral("name"))->isEnabled());
        fieldOf<QCheckBox>(form, QStringLiteral("enabled"))->setChecked(true);
        QVERIFY(form.field(QStringLiteral("name"))->isEnabled());
        fieldOf<QSpinBox>(form, QStringLiteral("count"))->setValue(17);
        QCOMPARE(form.settings().count, 17);
        QCOMPARE(form.field(QStringLiteral("count"))->objectName(), QStringLiteral("countField"));
    }

    /// A row shows or hides whole as its condition says, also a field with a button beside it
    /// (which sits in a layout in the form, not directly as a field).
    void conditionalRowsHideWithTheirButtons()
    {
        struct Picked {
            bool fromFile = false;
            QString file;
            int index = 0;
        };
        FieldSet<Picked> fields(QStringLiteral("picked"));
        fields.flag(QStringLiteral("fromFile"), &Picked::fromFile).label(QStringLiteral("From a file"));
        fields.text(QStringLiteral("file"), &Picked::file)
            .label(QStringLiteral("File"))
            .button(QStringLiteral("Browse…"), QStringLiteral("Choose"),
                    [](QWidget*, const QVariant& current, const FieldValues&) { return current; })
            .visibleWhen([](const FieldValues& v) { return v.flag(QStringLiteral("fromFile")); });
        fields.integer(QStringLiteral("index"), &Picked::index)
            .label(QStringLiteral("Index"))
            .range(0, 10)
            .visibleWhen([](const FieldValues& v) { return !v.flag(QStringLiteral("fromFile")); });
        SettingsForm<Picked> form(fields, nullptr);
        form.show();
        QToolButton* browse = form.findChild<QToolButton*>(QStringLiteral("fileButton"));
        QVERIFY(browse);
        QVERIFY(!form.field(QStringLiteral("file"))->isVisibleTo(&form));
        QVERIFY(!browse->isVisibleTo(&form));
        QVERIFY(form.field(QStringLiteral("index"))->isVisibleTo(&form));
        fieldOf<QCheckBox>(form, QStringLiteral("fromFile"))->setChecked(true);
        QVERIFY(form.field(QStringLiteral("file"))->isVisibleTo(&form));
        QVERIFY(browse->isVisibleTo(&form));
        QVERIFY(!form.field(QStringLiteral("index"))->isVisibleTo(&form));
    }

    void fieldRoundTripsQSettings()
    {
        const QString ini = QDir(dir_.path()).filePath(QStringLiteral("toy.ini"));
        const Toy t = unusualToy();
        {
            QSettings settings(ini, QSettings::IniFormat);
            toyFields().save(settings, t);
            QCOMPARE(settings.value(QStringLiteral("toy/count")).toInt(), 42);
            QCOMPARE(settings.value(QStringLiteral("toy/toyName")).toString(), QStringLiteral("second"));
            QVERIFY(!settings.contains(QStringLiteral("toy/name")));
        }
        QSettings settings(ini, QSettings::IniFormat);
        QCOMPARE(toyFields().load(settings), t);

        // Values that are not values of the field fall back to the default; out of range is clamped.
        settings.setValue(QStringLiteral("toy/count"), 5000);
        settings.setValue(QStringLiteral("toy/rate"), -1.0);
        settings.setValue(QStringLiteral("toy/mode"), QStringLiteral("sideways"));
        settings.setValue(QStringLiteral("toy/enabled"), QStringLiteral("perhaps"));
        settings.setValue(QStringLiteral("toy/seed"), 123456);  // outside the widget's range, kept
        const Toy loaded = toyFields().load(settings);
        QCOMPARE(loaded.count, 100);
        QCOMPARE(loaded.rate, Toy().rate);
        QCOMPARE(loaded.mode, Toy().mode);
        QCOMPARE(loaded.enabled, Toy().enabled);
        QCOMPARE(loaded.seed, quint64(123456));
    }

    void fieldRoundTripsJson()
    {
        const Toy t = unusualToy();
        const QJsonObject json = toyFields().toJson(t);
        QCOMPARE(json.value(QStringLiteral("count")).toInt(), 42);
        QVERIFY(json.value(QStringLiteral("seed")).isString());
        QCOMPARE(json.value(QStringLiteral("mode")).toString(), QStringLiteral("slow"));
        Toy back;
        QString error;
        QVERIFY2(toyFields().fromJson(json, back, error), qPrintable(error));
        QCOMPARE(back, t);

        QJsonObject unknownMode = json;
        unknownMode.insert(QStringLiteral("mode"), QStringLiteral("sideways"));
        QVERIFY(!toyFields().fromJson(unknownMode, back, error));
        QCOMPARE(error, QStringLiteral("unknown mode \"sideways\""));
        QJsonObject negativeRate = json;
        negativeRate.insert(QStringLiteral("rate"), -0.5);
        QVERIFY(!toyFields().fromJson(negativeRate, back, error));
        QCOMPARE(error, QStringLiteral("the rate must be positive"));
        Toy defaults;
        QVERIFY(toyFields().fromJson(QJsonObject(), defaults, error));
        QCOMPARE(defaults, Toy());
    }

    void editsMakeOneUndoCommandAndMerge()
    {
        QUndoStack stack;
        UndoFieldBinder binder(&stack);
        SettingsForm<Toy> form(toyFields(), &binder);
        form.setSettings(unusualToy());
        QCOMPARE(stack.count(), 0);  // loading settings is not an edit

        auto* count = fieldOf<QSpinBox>(form, QStringLiteral("count"));
        count->setValue(43);
        QCOMPARE(stack.count(), 1);
        count->setValue(44);
        count->setValue(45);
        QCOMPARE(stack.count(), 1);  // consecutive edits of one field merge
        stack.undo();
        QCOMPARE(form.settings().count, 42);
        stack.redo();
        QCOMPARE(form.settings().count, 45);

        fieldOf<QLineEdit>(form, QStringLiteral("name"))->setText(QStringLiteral("third"));
        QCOMPARE(stack.count(), 2);

        // A choice whose edit hook changes another field: one undo step for both.
        auto* mode = fieldOf<QComboBox>(form, QStringLiteral("mode"));
        mode->setCurrentIndex(mode->findData(QStringLiteral("fast")));
        QCOMPARE(form.settings().follower, 1);
        QCOMPARE(stack.count(), 3);
        stack.undo();
        QCOMPARE(form.settings().mode, QStringLiteral("slow"));
        QCOMPARE(form.settings().follower, 3);

        const int before = stack.count();
        form.setSettings(Toy());
        QCOMPARE(stack.count(), before);
        QCOMPARE(form.settings(), Toy());
    }

    void wheelOnAnUnfocusedFieldChangesNothing()
    {
        SettingsForm<Toy> form(toyFields(), nullptr);
        form.show();
        auto* count = fieldOf<QSpinBox>(form, QStringLiteral("count"));
        auto* mode = fieldOf<QComboBox>(form, QStringLiteral("mode"));
        fieldOf<QLineEdit>(form, QStringLiteral("name"))->setFocus();  // focus elsewhere, as when scrolling
        QVERIFY(!count->hasFocus() && !mode->hasFocus());
        sendWheel(count);
        sendWheel(mode);
        QCOMPARE(count->value(), Toy().count);
        QCOMPARE(mode->currentIndex(), 0);
        QCOMPARE(count->focusPolicy(), Qt::StrongFocus);

        // The same event does change a spin box without the guard.
        QSpinBox plain;
        plain.setRange(0, 100);
        plain.setValue(5);
        plain.show();
        sendWheel(&plain);
        QVERIFY(plain.value() != 5);
    }

    void todaysSessionFileLoadsTheSameStruct()
    {
        // Written by the studio before the declarations (session_file.cpp's own keys).
        const QByteArray json = R"({
            "format": "ebm-studio-session-1",
            "created": "2026-11-30T10:00:00Z",
            "model": "/models/fashion.ebm",
            "device": "cpu",
            "sampling": {
                "schedule": "paper-linear",
                "steps": 1234,
                "step_size": 0.03,
                "num_samples": 12,
                "seed": "99",
                "start": "images",
                "start_images": "/data/start.npy",
                "denoise_jump": false,
                "record_every": 5
            }
        })";
        Session session;
        QString error;
        QVERIFY2(Session::fromJson(json, session, error), qPrintable(error));
        QCOMPARE(session.modelPath, QStringLiteral("/models/fashion.ebm"));
        QCOMPARE(session.device, QStringLiteral("cpu"));
        // The sampling part is the Sample page's, read by the declarations.
        const auto samplingPart = [](const Session& s) { return s.pages.value(QStringLiteral("sampling")).toObject(); };
        SamplingSettings sampling;
        QVERIFY2(samplingFields().fromJson(samplingPart(session), sampling, error), qPrintable(error));
        QVERIFY(sampling == unusualSampling());

        // What it writes uses the same keys and forms.
        Session out;
        out.pages.insert(QStringLiteral("sampling"), samplingFields().toJson(sampling));
        const QJsonObject written =
            QJsonDocument::fromJson(out.toJson()).object().value(QStringLiteral("sampling")).toObject();
        QCOMPARE(sorted(written.keys()), sorted({"schedule", "steps", "step_size", "sampler", "precision", "num_samples", "seed",
                                                 "start", "start_images", "denoise_jump", "record_every"}));
        QCOMPARE(written.value(QStringLiteral("seed")).toString(), QStringLiteral("99"));
        QCOMPARE(written.value(QStringLiteral("start")).toString(), QStringLiteral("images"));

        // A missing length takes the preset's; a numeric seed is accepted; refusals keep their words.
        Session sparse;
        QVERIFY(Session::fromJson(R"({"format": "ebm-studio-session-1",
                                      "sampling": {"schedule": "paper", "seed": 5}})", sparse, error));
        SamplingSettings sparseSampling;
        QVERIFY2(samplingFields().fromJson(samplingPart(sparse), sparseSampling, error), qPrintable(error));
        QCOMPARE(sparseSampling.steps, 2700);
        QCOMPARE(sparseSampling.seed, quint64(5));
        QVERIFY(!sparseSampling.startFromImages);
        // The session file takes any page's part; the Sample page refuses a wrong one when it is opened.
        QVERIFY(Session::fromJson(R"({"format": "ebm-studio-session-1", "sampling": {"schedule": "tepid"}})",
                                  sparse, error));
        QVERIFY(!samplingFields().fromJson(samplingPart(sparse), sparseSampling, error));
        QCOMPARE(error, QStringLiteral("unknown schedule \"tepid\""));
        QVERIFY(Session::fromJson(R"({"format": "ebm-studio-session-1", "sampling": {"step_size": 0}})", sparse,
                                  error));
        QVERIFY(!samplingFields().fromJson(samplingPart(sparse), sparseSampling, error));
        QCOMPARE(error, QStringLiteral("the step size must be positive"));
    }

    void todaysSettingsFileLoadsTheSameStructs()
    {
        // An INI file with the keys StudioSettings wrote before the declarations.
        const QString ini = QDir(dir_.path()).filePath(QStringLiteral("today.ini"));
        {
            QFile file(ini);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("[sampling]\nschedule=paper-linear\nsteps=1234\nstepSize=0.03\nnumSamples=12\nseed=99\n"
                       "startFromImages=true\nstartImages=/data/start.npy\ndenoiseJump=false\nrecordEvery=5\n"
                       "[training]\ndatasetKind=image-folder\ndatasetPath=/data/faces\nimageSize=64\nimageChannels=3\n"
                       "architecture=res18\nwidth=24\nhead=linear\ninitialWeights=/models/start.pt\nsigmaMin=0.2\n"
                       "sigmaMax=2.5\nspread=linear\nsigma0=0.15\nlearningRate=0.0003\ncosineDecay=false\n"
                       "finalLearningRate=2e-06\nbatchSize=64\nsteps=5000\nseed=11\npreviewEvery=250\n"
                       "previewSamples=9\npreviewSteps=50\ncheckpointEvery=700\ncheckpointPath=/runs/a.ebm\n"
                       "[evaluation]\nfid=false\ninceptionLike=true\nneighbours=false\nlikelihood=true\nnumSamples=96\n"
                       "schedule=paper\nsteps=2700\nstepSize=0.025\nseed=3\nsamplesPath=/data/samples.npy\n"
                       "referenceLimit=500\nneighbourQueries=4\nneighboursPerQuery=6\naisSteps=2000\naisImages=16\n"
                       "aisChains=24\naisTransition=mala\naisLeapfrog=7\n");
        }
        // Each page reads its group of the store with its declarations.
        StudioSettings settings(ini);
        QVERIFY(samplingFields().load(settings.store()) == unusualSampling());

        TrainingSettings t;
        t.datasetKind = DatasetKind::ImageFolder;
        t.datasetPath = QStringLiteral("/data/faces");
        t.imageSize = 64;
        t.imageChannels = 3;
        t.architecture = QStringLiteral("res18");
        t.width = 24;
        t.head = QStringLiteral("linear");
        t.initialWeights = QStringLiteral("/models/start.pt");
        t.sigmaMin = 0.2;
        t.sigmaMax = 2.5;
        t.spread = QStringLiteral("linear");
        t.sigma0 = 0.15;
        t.learningRate = 3e-4;
        t.cosineDecay = false;
        t.finalLearningRate = 2e-6;
        t.batchSize = 64;
        t.steps = 5000;
        t.seed = 11;
        t.previewEvery = 250;
        t.previewSamples = 9;
        t.previewSteps = 50;
        t.checkpointEvery = 700;
        t.checkpointPath = QStringLiteral("/runs/a.ebm");
        QVERIFY(trainingFields().load(settings.store()) == t);

        const EvaluationSettings e = evaluationFields().load(settings.store());
        QVERIFY(!e.fid && e.inceptionLike && !e.neighbours && e.likelihood);
        QCOMPARE(e.numSamples, 96);
        QCOMPARE(e.schedulePreset, QStringLiteral("paper"));
        QCOMPARE(e.steps, 2700);
        QCOMPARE(e.stepSize, 0.025);
        QCOMPARE(e.seed, quint64(3));
        QCOMPARE(e.samplesPath, QStringLiteral("/data/samples.npy"));
        QCOMPARE(e.referenceLimit, 500);
        QCOMPARE(e.neighbourQueries, 4);
        QCOMPARE(e.neighboursPerQuery, 6);
        QCOMPARE(e.aisSteps, 2000);
        QCOMPARE(e.aisImages, 16);
        QCOMPARE(e.aisChains, 24);
        QCOMPARE(e.aisTransition, QStringLiteral("mala"));
        QCOMPARE(e.aisLeapfrog, 7);

        // Writing uses exactly today's keys.
        const QString written = QDir(dir_.path()).filePath(QStringLiteral("written.ini"));
        {
            StudioSettings out(written);
            samplingFields().save(out.store(), unusualSampling());
            trainingFields().save(out.store(), t);
            evaluationFields().save(out.store(), e);
            out.sync();
        }
        QSettings raw(written, QSettings::IniFormat);
        QCOMPARE(sortedKeys(raw, QStringLiteral("sampling")),
                 sorted({"schedule", "steps", "stepSize", "sampler", "precision", "numSamples", "seed", "startFromImages",
                         "startImages", "denoiseJump", "recordEvery"}));
        QCOMPARE(sortedKeys(raw, QStringLiteral("training")),
                 sorted({"datasetKind", "datasetPath", "imageSize", "imageChannels", "architecture", "width", "head",
                         "initialWeights", "sigmaMin", "sigmaMax", "spread", "sigma0", "learningRate", "cosineDecay",
                         "finalLearningRate", "batchSize", "steps", "seed", "previewEvery", "previewSamples",
                         "previewSteps", "checkpointEvery", "checkpointPath", "processes", "precision"}));
        QCOMPARE(sortedKeys(raw, QStringLiteral("evaluation")),
                 sorted({"fid", "inceptionLike", "neighbours", "likelihood", "numSamples", "schedule", "steps",
                         "stepSize", "precision", "seed", "samplesPath", "referenceLimit", "neighbourQueries",
                         "neighboursPerQuery", "aisSteps", "aisImages", "aisChains", "aisTransition", "aisLeapfrog"}));
        QCOMPARE(raw.value(QStringLiteral("training/datasetKind")).toString(), QStringLiteral("image-folder"));
    }

    void pageFormsBuildFromTheDeclarations()
    {
        QUndoStack stack;
        UndoFieldBinder binder(&stack);

        SettingsForm<SamplingSettings> sampling(samplingFields(), &binder);
        QVERIFY(sampling.settings() == SamplingSettings());
        for (const char* name : {"presetField", "stepsField", "stepSizeField", "samplesField", "seedField"})
            QVERIFY2(sampling.findChild<QWidget*>(QLatin1String(name)), name);
        sampling.setSettings(unusualSampling());
        QVERIFY(sampling.settings() == unusualSampling());
        QVERIFY(sampling.field(QStringLiteral("startImages"))->isEnabled());
        auto* preset = fieldOf<QComboBox>(sampling, QStringLiteral("schedule"));
        preset->setCurrentIndex(preset->findData(QStringLiteral("paper")));
        QCOMPARE(sampling.settings().steps, 2700);  // the preset brings its length
        QCOMPARE(stack.count(), 1);
        stack.undo();
        QCOMPARE(sampling.settings().steps, 1234);
        sampling.fieldButton(QStringLiteral("seed"))->click();
        QVERIFY(sampling.settings().seed != 99);

        SettingsForm<TrainingSettings> training(trainingFields(), &binder);
        QCOMPARE(training.settings().checkpointPath, defaultTrainingCheckpointPath());
        QVERIFY(!training.field(QStringLiteral("datasetPath"))->isEnabled());
        TrainingSettings fineTune;
        fineTune.initialWeights = QStringLiteral("/models/start.pt");
        training.setSettings(fineTune);
        QVERIFY(!training.field(QStringLiteral("architecture"))->isEnabled());
        QVERIFY(training.field(QStringLiteral("finalLearningRate"))->isEnabled());  // cosine decay is on

        SettingsForm<EvaluationSettings> evaluation(evaluationFields(), &binder);
        EvaluationSettings fromFile;
        fromFile.samplesPath = QStringLiteral("/data/samples.npy");
        fromFile.classifierPath = QStringLiteral("/models/classifier.pt");  // no field: kept as given
        evaluation.setSettings(fromFile);
        QCOMPARE(fieldOf<QComboBox>(evaluation, QStringLiteral("source"))->currentIndex(), int(kSamplesFromFile));
        QVERIFY(!evaluation.field(QStringLiteral("numSamples"))->isEnabled());
        QCOMPARE(evaluation.settings().samplesPath, fromFile.samplesPath);
        QCOMPARE(evaluation.settings().classifierPath, fromFile.classifierPath);
        fieldOf<QComboBox>(evaluation, QStringLiteral("source"))->setCurrentIndex(kDrawFromModel);
        QVERIFY(evaluation.settings().samplesPath.isEmpty());
        QVERIFY(evaluation.field(QStringLiteral("numSamples"))->isEnabled());
    }

    /// A typed number outside a field's range is brought to the nearest end when editing ends
    /// (Qt alone refuses the keystroke: 500 in a field of at most 100 gave 50, 99999999999 gave 99).
    void typedOutOfRangeValuesClampToTheRange()
    {
        SettingsForm<Toy> form(toyFields(), nullptr);
        form.show();
        auto typeInto = [](QAbstractSpinBox* field, const QString& text) {
            field->setFocus();
            field->selectAll();
            QTest::keyClicks(field, text);
            QTest::keyClick(field, Qt::Key_Return);
        };
        auto* count = fieldOf<QSpinBox>(form, QStringLiteral("count"));
        QCOMPARE(count->maximum(), 100);
        QSignalSpy finished(count, &QAbstractSpinBox::editingFinished);
        typeInto(count, QStringLiteral("500"));
        QCOMPARE(finished.size(), 1);
        QCOMPARE(count->value(), 100);
        QCOMPARE(form.settings().count, 100);
        typeInto(count, QStringLiteral("42"));
        QCOMPARE(count->value(), 42);   // in range: as typed
        typeInto(count, QStringLiteral("99999999999"));
        QCOMPARE(count->value(), 100);
        typeInto(count, QStringLiteral("0"));   // below the minimum of 1
        QCOMPARE(count->value(), 1);
        typeInto(count, QStringLiteral("x"));   // not a number: still refused
        QCOMPARE(count->value(), 1);
        QVERIFY2(count->toolTip().contains(QLatin1String("1 to 100")), qPrintable(count->toolTip()));

        auto* rate = fieldOf<QDoubleSpinBox>(form, QStringLiteral("rate"));
        typeInto(rate, QStringLiteral("5"));
        QCOMPARE(rate->value(), 2.0);
        QCOMPARE(form.settings().rate, 2.0);
    }
};

EBM_UI_TEST_MAIN(SettingsFormTest)
#include "worker/evaluation_types.h"
#include "annealing/sampling_types.h"
#include "pages/train/training_types.h"
#include "test_ui_settings_form.moc"
