// Schedule curves: control points that expand to one temperature per step, the presets as
// curves (equal to the hand-written schedules step by step), rescaling, the JSON file format and
// every kind of bad file refused with one line naming it.
#include <QtTest/QtTest>

#include <cmath>
#include <string>

#include "ebm/base/defaults.h"
#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/schedule/schedule.h"
#include "ebm/schedule/schedule_curve.h"
#include "ebm/sample/sampler.h"

using namespace ebm;

namespace {

bool sameSchedule(const Schedule& a, const Schedule& b, QString* why)
{
    if (a.size() != b.size()) {
        *why = QStringLiteral("lengths %1 and %2").arg(a.size()).arg(b.size());
        return false;
    }
    for (int k = 0; k < a.size(); ++k) {
        const double x = a.at(k), y = b.at(k);
        if (std::abs(x - y) > 1e-12 * std::max(1.0, std::abs(y))) {
            *why = QStringLiteral("step %1: %2 against %3").arg(k + 1).arg(x, 0, 'g', 17).arg(y, 0, 'g', 17);
            return false;
        }
    }
    return true;
}

/// The message of the ebm::Error that reading `json` gives, empty when it is accepted.
QString refusal(const std::string& json)
{
    try {
        ScheduleCurve::fromJson(json, "my.json");
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

const char* kPaperJson = R"({"format": "ebm-schedule", "version": 1, "steps": 2700,
 "points": [{"step": 0, "temperature": 100, "to_next": "constant"},
            {"step": 500, "temperature": 100, "to_next": "exponential"},
            {"step": 2500, "temperature": 1, "to_next": "linear"},
            {"step": 2700, "temperature": 0}]})";

}  // namespace

class TestScheduleCurve : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void presetsEqualTheHandWrittenSchedules()
    {
        QString why;
        QVERIFY2(sameSchedule(ScheduleCurve::preset("paper").expand(), Schedule::paperExponential(), &why), qPrintable(why));
        QVERIFY2(sameSchedule(ScheduleCurve::preset("paper-linear").expand(), Schedule::paperLinear(), &why), qPrintable(why));
        QVERIFY2(sameSchedule(ScheduleCurve::preset("quick").expand(), Schedule::quick(300), &why), qPrintable(why));
        QVERIFY2(sameSchedule(ScheduleCurve::preset("fast").expand(), Schedule::fast(), &why), qPrintable(why));
        for (int steps : {77, 1350, 3000}) {
            QVERIFY2(sameSchedule(ScheduleCurve::preset("quick", steps).expand(), Schedule::preset("quick", steps), &why),
                     qPrintable(why));
            QVERIFY2(sameSchedule(ScheduleCurve::preset("fast", steps).expand(), Schedule::preset("fast", steps), &why),
                     qPrintable(why));
            QVERIFY2(sameSchedule(ScheduleCurve::preset("paper", steps).expand(), Schedule::preset("paper", steps), &why),
                     qPrintable(why));
        }
        // The paper's schedule as the issue writes it, read from JSON.
        QVERIFY2(sameSchedule(ScheduleCurve::fromJson(kPaperJson, "paper.json").expand(), Schedule::paperExponential(), &why),
                 qPrintable(why));
    }

    void presetListSaysEachPresetsOwnLength()
    {
        const std::vector<SchedulePreset>& presets = schedulePresets();
        QVERIFY(!presets.empty());
        QCOMPARE(presets.front().name, defaultSchedulePreset());
        for (const SchedulePreset& preset : presets) {
            QCOMPARE(Schedule::preset(preset.name).size(), preset.steps);
            QCOMPARE(ScheduleCurve::preset(preset.name).steps(), preset.steps);
            QVERIFY(preset.label.find(std::to_string(preset.steps)) != std::string::npos);
        }
        // The fast preset is the paper's shape in fewer, larger steps: the Langevin time
        // eps^2 x steps stays the paper's (within the rounding of its numbers).
        const Schedule fast = Schedule::fast(), paper = Schedule::paperExponential();
        QCOMPARE(fast.at(0), 100.0);
        QCOMPARE(fast.at(fast.size() - 1), 0.0);
        QVERIFY(fast.size() < paper.size());
        const double fastTime = std::pow(schedulePresetStepSize("fast"), 2) * fast.size();
        const double paperTime = std::pow(schedulePresetStepSize("paper"), 2) * paper.size();
        QVERIFY2(std::abs(fastTime / paperTime - 1.0) < 0.05, qPrintable(QString::number(fastTime / paperTime)));
    }

    void eachModeBetweenTwoPoints()
    {
        auto curve = [](SegmentMode mode) {
            return ScheduleCurve(10, {{2, 16.0, mode}, {6, 1.0, SegmentMode::Linear}});
        };
        const ScheduleCurve constant = curve(SegmentMode::Constant);
        const ScheduleCurve linear = curve(SegmentMode::Linear);
        const ScheduleCurve exponential = curve(SegmentMode::Exponential);
        // Before the first point: its temperature; after the last: the last one's.
        for (const ScheduleCurve* c : {&constant, &linear, &exponential}) {
            QCOMPARE(c->temperatureAt(1), 16.0);
            QCOMPARE(c->temperatureAt(2), 16.0);
            QCOMPARE(c->temperatureAt(7), 1.0);
            QCOMPARE(c->temperatureAt(10), 1.0);
            QCOMPARE(c->expand().size(), 10);
        }
        // Step k in (s_i, s_i+1] follows the segment of point i, its end included: a constant
        // segment holds its temperature through the next point's step (the paper's step 500 is
        // still at T = 100), the others arrive at the next point's temperature there.
        QCOMPARE(constant.temperatureAt(5), 16.0);
        QCOMPARE(constant.temperatureAt(6), 16.0);
        QCOMPARE(linear.temperatureAt(6), 1.0);
        QVERIFY(std::abs(exponential.temperatureAt(6) - 1.0) < 1e-12);
        QCOMPARE(linear.temperatureAt(4), 8.5);               // halfway from 16 to 1
        QVERIFY(std::abs(exponential.temperatureAt(4) - 4.0) < 1e-12);  // halfway in log T: sqrt(16 * 1)
        QVERIFY(std::abs(exponential.temperatureAt(3) - 8.0) < 1e-12);
    }

    void rescalingScalesEveryStep()
    {
        const ScheduleCurve paper = ScheduleCurve::preset("paper");
        const ScheduleCurve half = paper.rescaled(1350);
        QCOMPARE(half.steps(), 1350);
        for (size_t i = 0; i < paper.points().size(); ++i) {
            QCOMPARE(half.points()[i].step, paper.points()[i].step / 2);
            QCOMPARE(half.points()[i].temperature, paper.points()[i].temperature);
        }
        QString why;
        QVERIFY2(sameSchedule(half.expand(), Schedule::paperExponential(0.5), &why), qPrintable(why));
    }

    void jsonRoundTripAndCsv()
    {
        const ScheduleCurve quick = ScheduleCurve::preset("quick", 90);
        const ScheduleCurve back = ScheduleCurve::fromJson(quick.toJson(), "quick.json");
        QString why;
        QVERIFY2(sameSchedule(back.expand(), quick.expand(), &why), qPrintable(why));
        QVERIFY(QString::fromStdString(ScheduleCurve::preset("paper").toJson()).contains(QLatin1String("\"step\": 500")));

        const QStringList csv = QString::fromStdString(quick.toCsv()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 91);
        QCOMPARE(csv.front(), QStringLiteral("step,temperature"));
        QCOMPARE(csv[1], QStringLiteral("1,100"));
        QCOMPARE(csv.back(), QStringLiteral("90,0"));
    }

    void badFilesAreRefusedNamingTheFileAndTheProblem()
    {
        const std::string head = R"({"format": "ebm-schedule", "version": 1, "steps": 100, "points": )";
        const std::vector<std::pair<std::string, const char*>> cases = {
            {"not json at all", "not valid JSON at line 1, column 2"},
            {R"({"format": "something", "version": 1, "steps": 10, "points": []})", "not an ebm schedule"},
            {R"({"format": "ebm-schedule", "version": 2, "steps": 10, "points": [{"step": 0, "temperature": 1}]})", "version 2"},
            {head + "[]}", "at least one control point"},
            {head + R"([{"step": 50, "temperature": 5, "to_next": "linear"}, {"step": 20, "temperature": 1}]})", "must be in order"},
            {head + R"([{"step": 0, "temperature": 5, "to_next": "linear"}, {"step": 200, "temperature": 1}]})", "outside 0..100"},
            {head + R"([{"step": 0, "temperature": -5, "to_next": "linear"}, {"step": 100, "temperature": 1}]})", "not negative"},
            {head + R"([{"step": 0, "temperature": 5, "to_next": "exponential"}, {"step": 100, "temperature": 0}]})", "two positive ends"},
            {head + R"([{"step": 0, "temperature": 5, "to_next": "cubic"}, {"step": 100, "temperature": 0}]})", "unknown segment mode 'cubic'"},
            {head + R"([{"step": 0, "temperature": 5}, {"step": 100, "temperature": 0}]})", "needs \"to_next\""},
            {R"({"format": "ebm-schedule", "version": 1, "steps": 0, "points": [{"step": 0, "temperature": 1}]})", "between 1 and"},
            // Too large for a double: nlohmann/json throws out_of_range, not parse_error.
            {head + R"([{"step": 0, "temperature": 1e999}]})", "not valid JSON"},
        };
        for (const auto& [json, needle] : cases) {
            const QString message = refusal(json);
            QVERIFY2(message.startsWith(QLatin1String("my.json: ")), qPrintable(QString::fromStdString(json) + " -> " + message));
            QVERIFY2(message.contains(QLatin1String(needle)), qPrintable(message + "  (expected: " + needle + ")"));
            QVERIFY2(!message.contains('\n'), qPrintable(message));
        }
    }

    void temperaturesThatOverflowAreRefusedNamingThePoint()
    {
        // 1 / 1e-320 (a denormal) overflows: every step after point 2 was inf, printed and run.
        const QString denormal = refusal(R"({"format": "ebm-schedule", "version": 1, "steps": 400, "points": [
            {"step": 0, "temperature": 100, "to_next": "linear"},
            {"step": 300, "temperature": 1e-320, "to_next": "exponential"},
            {"step": 400, "temperature": 1}]})");
        QVERIFY2(denormal.startsWith(QLatin1String("my.json: point 2 (step 300, T = 1e-320) gives a temperature that is "
                                                   "not a finite positive number at step 301 (inf); ")),
                 qPrintable(denormal));
        QVERIFY2(!denormal.contains('\n'), qPrintable(denormal));
        // Finite ends 1e600 apart: their ratio overflows from the first step on.
        const QString apart = refusal(R"({"format": "ebm-schedule", "version": 1, "steps": 10, "points": [
            {"step": 0, "temperature": 1e-300, "to_next": "exponential"}, {"step": 10, "temperature": 1e300}]})");
        QVERIFY2(apart.startsWith(QLatin1String("my.json: point 1 (step 0, T = 1e-300) gives a temperature that is not "
                                                "a finite positive number at step 1 (inf)")),
                 qPrintable(apart));
        // Curves made in memory (the studio's editor) are refused alike.
        QVERIFY_THROWS_EXCEPTION(Error, ScheduleCurve(10, {{0, 1e-320, SegmentMode::Exponential}, {10, 1.0}}));
        // A denormal held constant is a temperature like any other: no ratio overflows.
        const Schedule constant = ScheduleCurve(10, {{0, 1e-320, SegmentMode::Constant}, {10, 1.0}}).expand();
        QCOMPARE(constant.at(9), 1e-320);
        // A file whose steps miss the bad segment runs; rescaled onto it, the refusal names the file.
        const ScheduleCurve between = ScheduleCurve::fromJson(
            R"({"format": "ebm-schedule", "version": 1, "steps": 1, "points": [
                {"step": 0.2, "temperature": 1e-320, "to_next": "exponential"}, {"step": 0.6, "temperature": 1}]})",
            "my.json");
        QCOMPARE(between.expand().at(0), 1.0);
        QString rescaled;
        try {
            between.rescaled(10);
        } catch (const Error& e) {
            rescaled = QString::fromUtf8(e.what());
        }
        QVERIFY2(rescaled.startsWith(QLatin1String("my.json rescaled to 10 steps: point 1 (step 2, T = 1e-320) gives a "
                                                   "temperature that is not a finite positive number at step 3")),
                 qPrintable(rescaled));
        // The hand-written schedules say which step is wrong.
        try {
            Schedule({1.0, std::nan("")});
            QFAIL("a NaN temperature was taken");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QLatin1String("step 2 is nan")), e.what());
        }
    }

    void stepCountsAreReadAsWritten()
    {
        // 2^63 steps: read as a signed number it wrapped, and the message said "not -1".
        const std::string points = R"(, "points": [{"step": 0, "temperature": 1}]})";
        const QString huge = refusal(R"({"format": "ebm-schedule", "version": 1, "steps": 9223372036854775808)" + points);
        QCOMPARE(huge, QStringLiteral("my.json: a schedule has between 1 and %1 steps, not 9223372036854775808")
                           .arg(kMaxScheduleSteps));
        const QString negative = refusal(R"({"format": "ebm-schedule", "version": 1, "steps": -3)" + points);
        QVERIFY2(negative.endsWith(QLatin1String("steps, not -3")), qPrintable(negative));
        QVERIFY(refusal(R"({"format": "ebm-schedule", "version": 1, "steps": 10000001)" + points)
                    .endsWith(QLatin1String("steps, not 10000001")));
        QVERIFY(refusal(R"({"format": "ebm-schedule", "version": 1, "steps": 1)" + points).isEmpty());
    }

    void fuzzFindingsAreRefusedCleanly()
    {
        // Inputs the fuzzer (tests/fuzz, ./dev fuzz) found escaping as another exception.
        const std::string path = EBM_FIXTURES_DIR "/fuzz-regressions/schedule-number-overflow.json";
        QVERIFY2(QFile::exists(QString::fromStdString(path)), path.c_str());
        QString message;
        try {
            ScheduleCurve::load(path);
        } catch (const Error& e) {
            message = QString::fromUtf8(e.what());
        }
        QVERIFY2(message.startsWith(QString::fromStdString(path + ": not valid JSON (")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("number overflow")), qPrintable(message));
    }

    void theSamplerRunsAScheduleFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("short.json")).toStdString();
        ScheduleCurve(40, {{0, 10.0, SegmentMode::Exponential}, {30, 1.0, SegmentMode::Linear}, {40, 0.0}}).save(path);
        SamplingOptions options;
        options.schedule = path;
        const SamplerConfig config = makeSamplerConfig(options, kDefaultSigma0);
        QCOMPARE(config.schedule.size(), 40);
        QCOMPARE(config.schedule.at(39), 0.0);
        options.scheduleSteps = 80;  // a length rescales the curve
        QCOMPARE(makeSamplerConfig(options, kDefaultSigma0).schedule.size(), 80);
        options.schedule = dir.filePath(QStringLiteral("missing.json")).toStdString();
        QVERIFY_THROWS_EXCEPTION(Error, makeSamplerConfig(options, kDefaultSigma0));
    }

    /// JSON that does not parse (issue 24, finding B3): one line with the file, the line and
    /// column, and the likely cause, instead of "[json.exception.parse_error.101] ...".
    void jsonErrorsNameTheFileLineColumnAndCause()
    {
        auto parseRefusal = [](const std::string& text) {
            try {
                (void)parseJsonDocument(text, "curve.json");
            } catch (const Error& e) {
                return QString::fromUtf8(e.what());
            }
            return QString();
        };
        const QString nan = parseRefusal("{\"steps\": 10,\n \"temperature\": NaN}");
        QVERIFY2(nan.startsWith(QStringLiteral("curve.json: not valid JSON at line 2, column 17 (")), qPrintable(nan));
        QVERIFY2(nan.endsWith(QStringLiteral("; JSON has no NaN or Infinity: write a finite number (or null where "
                                             "one is allowed)")), qPrintable(nan));
        QVERIFY2(!nan.contains(QStringLiteral("json.exception")) && !nan.contains('\n'), qPrintable(nan));
        const QString utf16 = parseRefusal(std::string("\xFF\xFE{\0}\0", 6));
        QVERIFY2(utf16.startsWith(QStringLiteral("curve.json: not valid JSON at line 1, column 1 (")) &&
                     utf16.endsWith(QStringLiteral("; the file is UTF-16 (it starts with a byte order mark or zero "
                                                   "bytes): save it as UTF-8")),
                 qPrintable(utf16));
        const QString comma = parseRefusal("{\"a\": 1,\n\n}");
        QVERIFY2(comma.startsWith(QStringLiteral("curve.json: not valid JSON at line 3, column 1 (")) &&
                     !comma.contains(QStringLiteral("NaN")),
                 qPrintable(comma));
        QCOMPARE(parseJsonDocument("{\"a\": [1, 2]}", "ok.json")["a"].size(), size_t(2));
    }
};

QTEST_APPLESS_MAIN(TestScheduleCurve)
#include "test_schedule_curve.moc"
