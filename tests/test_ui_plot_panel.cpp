// The chart base and its charts: replot throttle, log axes that label every decade (and short
// ranges), PNG export (with the chart's settings and its page's inside), the loss chart following
// its data, the class histogram's labels.
#include <QtTest/QtTest>

#include <QApplication>
#include <QElapsedTimer>
#include <QFontMetrics>
#include <QImage>
#include <QLocale>
#include <QTemporaryDir>

#include <cmath>
#include <optional>
#include <string>

#include "ebm/base/json.h"
#include "ebm/base/png_settings.h"
#include "widgets/plot_panel.h"
#include "widgets/settings_form.h"
#include "widgets/studio_page.h"
#include "widgets/qcustomplot_include.h"
#include "annealing/energy_chart.h"
#include "pages/evaluate/class_histogram_chart.h"
#include "pages/train/loss_chart.h"
#include "ui_file_traps.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

/// Labelled ticks of `axis` after a replot, as value → label.
QMap<double, QString> labelledTicks(PlotPanel& panel, QCPAxis* axis)
{
    panel.replotNow();
    QMap<double, QString> out;
    const QVector<double> ticks = axis->tickVector();
    const QVector<QString> labels = axis->tickVectorLabels();
    for (int i = 0; i < ticks.size() && i < labels.size(); ++i)
        if (axis->range().contains(ticks[i]) && !labels[i].isEmpty())
            out.insert(ticks[i], labels[i]);
    return out;
}

bool hasTickNear(const QMap<double, QString>& ticks, double value)
{
    for (auto it = ticks.begin(); it != ticks.end(); ++it)
        if (std::abs(it.key() - value) <= 1e-9 * value)
            return true;
    return false;
}

/// A page as the studio's pages declare their settings: two fields kept with keepFields, and an
/// image kept in the session beside them (which no chart should carry).
struct ChartPageSettings {
    int steps = 300;
    QString dataPath = QStringLiteral("/home/someone/data/digits.npy");
};

const FieldSet<ChartPageSettings>& chartPageFields()
{
    static const FieldSet<ChartPageSettings> fields = [] {
        FieldSet<ChartPageSettings> f(QStringLiteral("chartPage"));
        f.integer(QStringLiteral("steps"), &ChartPageSettings::steps);
        f.text(QStringLiteral("dataPath"), &ChartPageSettings::dataPath);
        return f;
    }();
    return fields;
}

class ChartPage : public StudioPage {
public:
    ChartPage() : StudioPage(QStringLiteral("&Charts"), QStringLiteral("charting"))
    {
        keepFields<ChartPageSettings>(
            chartPageFields(), [this] { return settings; }, [this](const ChartPageSettings& s) { settings = s; });
        keepInSession([](QJsonObject& part) { part.insert(QStringLiteral("image"), QStringLiteral("many pixels")); },
                      [](const QJsonObject&) {});
    }
    void start() override {}
    bool canStart() const override { return false; }

    ChartPageSettings settings;
};

/// The settings a PNG keeps, parsed; null when it keeps none or they are no settings object.
ebm::Json pngSettings(const QString& path)
{
    const std::optional<std::string> text = ebm::readPngSettings(path.toStdString());
    if (!text || !ebm::pngSettingsProblem(*text).empty())
        return nullptr;
    return ebm::Json::parse(*text);
}

const QStringList kFashionClasses{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

}  // namespace

class PlotPanelTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void throttleCoalescesReplotRequests()
    {
        PlotPanel panel(QStringLiteral("Test"), QStringLiteral("test"));
        panel.resize(400, 300);
        panel.show();
        QTest::qWait(50);
        const int before = panel.replotCount();
        panel.replotNow();
        QCOMPARE(panel.replotCount(), before + 1);  // the counter counts real replots

        for (int i = 0; i < 1000; ++i)
            panel.requestReplot();
        QTest::qWait(250);
        QCOMPARE(panel.replotCount(), before + 2);  // a thousand requests, one replot

        // A request every millisecond for half a second: about 30 replots a second at most.
        const int start = panel.replotCount();
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 500) {
            panel.requestReplot();
            QTest::qWait(1);
        }
        QTest::qWait(100);
        const int drawn = panel.replotCount() - start;
        QVERIFY2(drawn >= 5 && drawn <= 20, qPrintable(QStringLiteral("%1 replots in 0.5 s").arg(drawn)));
    }

    void logScaleLabelsEveryDecadeAndShortRanges()
    {
        LossChart chart;
        chart.resize(600, 500);
        chart.show();
        QCPAxis* axis = chart.plot()->yAxis;
        chart.setLogScale(false);
        QCOMPARE(axis->scaleType(), QCPAxis::stLinear);
        chart.setLogScale(true);
        QCOMPARE(axis->scaleType(), QCPAxis::stLogarithmic);
        QCOMPARE(chart.plot()->yAxis2->scaleType(), QCPAxis::stLogarithmic);

        // Twelve decades: QCustomPlot's own log ticker labels every second one here.
        axis->setRange(1e-6, 1e6);
        const QMap<double, QString> decades = labelledTicks(chart, axis);
        for (int k = -6; k <= 6; ++k)
            QVERIFY2(hasTickNear(decades, std::pow(10.0, k)), qPrintable(QStringLiteral("no label at 1e%1").arg(k)));

        // Final energies near 5000: a range inside one decade still gets labelled ticks.
        axis->setRange(3000, 8000);
        const QMap<double, QString> shortRange = labelledTicks(chart, axis);
        QVERIFY2(shortRange.size() >= 3, qPrintable(QStringList(shortRange.values()).join(QLatin1Char(' '))));
        QVERIFY(hasTickNear(shortRange, 5000));
        // Narrower still (3000 to 3400): plain linear steps, still labelled.
        axis->setRange(3000, 3400);
        QVERIFY(labelledTicks(chart, axis).size() >= 3);

        chart.setLogScale(false);
        QCOMPARE(axis->scaleType(), QCPAxis::stLinear);
    }

    void energyChartLogAxisLabelsItsEnergies()
    {
        EnergyChart chart;
        chart.resize(700, 400);
        chart.show();
        chart.setLogScale(true);
        SamplingRunInfo info;
        info.totalSteps = 100;
        info.numSamples = 3;
        for (int i = 0; i < 100; ++i)
            info.temperatures << 100.0 * std::pow(0.95, i);
        chart.startRun(info);
        SampleSnapshot late;
        late.step = 100;
        late.energies = {4700, 5000, 5300};
        chart.addSnapshots({late});
        QCOMPARE(chart.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(labelledTicks(chart, chart.plot()->yAxis).size() >= 3);
        QVERIFY(labelledTicks(chart, chart.plot()->yAxis2).size() >= 3);
    }

    void exportWritesAPngOfTheRequestedSize()
    {
        EnergyChart chart;
        chart.resize(500, 300);
        SamplingRunInfo info;
        info.totalSteps = 10;
        info.numSamples = 1;
        info.temperatures = QVector<double>(10, 1.0);
        chart.startRun(info);
        QCOMPARE(chart.suggestedFileName(), QStringLiteral("energy.png"));
        QTemporaryDir dir;
        const QString path = QDir(dir.path()).filePath(chart.suggestedFileName());
        QVERIFY(chart.exportPng(path, 640, 360));
        QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(640, 360));
        // Not a blank canvas: axes and labels left dark pixels.
        int dark = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                dark += qGray(image.pixel(x, y)) < 100;
        QVERIFY2(dark > 500, qPrintable(QString::number(dark)));
        QVERIFY(!chart.exportPng(QDir(dir.path()).filePath(QStringLiteral("missing/folder/x.png")), 64, 64));
    }

    void aChartOnAPageKeepsThePagesSettings()
    {
        ChartPage page;
        auto* box = new QWidget(&page);  // charts sit in the page's layouts, not right under it
        auto* chart = new PlotPanel(QStringLiteral("Energy per step"), QStringLiteral("energy"), box);
        chart->resize(400, 250);
        page.settings.steps = 1234;  // the values at the moment of the export
        QTemporaryDir dir;
        const QString path = QDir(dir.path()).filePath(QStringLiteral("energy.png"));
        QVERIFY(chart->exportPng(path, 320, 200));
        QCOMPARE(QImage(path).size(), QSize(320, 200));

        const ebm::Json settings = pngSettings(path);  // through the engine's reader, checked as `ebm info --image` does
        QVERIFY2(settings.is_object(), qPrintable(QString::fromStdString(chart->exportSettingsJson())));
        QCOMPARE(settings.value("format", std::string()), std::string(ebm::kPngSettingsFormat));
        QCOMPARE(settings.value("version", 0), ebm::kPngSettingsVersion);
        QCOMPARE(settings.value("app_version", std::string()), std::string(EBM_STUDIO_VERSION));
        QCOMPARE(settings.value("command", std::string()), std::string("studio charting chart"));
        QCOMPARE(settings.value("chart", std::string()), std::string("Energy per step"));
        QVERIFY(settings.contains("settings"));
        const ebm::Json& fields = settings["settings"];
        QCOMPARE(fields.value("steps", 0), 1234);
        QCOMPARE(fields.value("data_path", std::string()), std::string("digits.npy"));  // the file, not the folders it was in
        QVERIFY(!fields.contains("image"));
        QVERIFY(!settings.contains("image"));  // what the page keeps beside its fields stays out of charts
        QCOMPARE(QString::fromStdString(settings.dump()), QString::fromStdString(chart->exportSettingsJson()));
    }

    void aChartOnNoPageKeepsTheGenericPart()
    {
        PlotPanel chart(QStringLiteral("Loss"), QStringLiteral("loss"));
        chart.resize(300, 200);
        QTemporaryDir dir;
        const QString path = QDir(dir.path()).filePath(QStringLiteral("loss.png"));
        QVERIFY(chart.exportPng(path, 240, 160));
        const ebm::Json settings = pngSettings(path);
        QVERIFY(settings.is_object());
        QCOMPARE(settings.value("command", std::string()), std::string("studio chart"));
        QCOMPARE(settings.value("chart", std::string()), std::string("Loss"));
        QCOMPARE(settings.value("app", std::string()), std::string("EBM Studio"));
        QVERIFY(!settings.contains("settings"));
        QCOMPARE(settings.size(), size_t(6));  // format, version, app, app_version, command, chart
    }

    void lossChartAxesFollowTheData()
    {
        LossChart chart;
        chart.setLogScale(false);
        chart.reset(100000);  // a long planned run
        QVector<TrainPoint> points;
        for (int step = 1; step <= 50; ++step)
            points.push_back({step, 1.0 / step + 0.1, 1.0 / step + 0.1, 1e-4});
        chart.addPoints(points);
        const QCPRange steps = chart.plot()->xAxis->range();
        QVERIFY2(steps.lower <= 1 && steps.upper >= 50 && steps.upper <= 60,
                 qPrintable(QStringLiteral("%1..%2").arg(steps.lower).arg(steps.upper)));
        const QCPRange loss = chart.plot()->yAxis->range();
        QVERIFY2(loss.lower > 0.0 && loss.lower < 0.12 && loss.upper >= 1.1 && loss.upper < 1.3,
                 qPrintable(QStringLiteral("%1..%2").arg(loss.lower).arg(loss.upper)));

        chart.addPoints({{2000, 0.12, 0.12, 1e-4}});
        QVERIFY(chart.plot()->xAxis->range().upper >= 2000);
        QVERIFY(chart.plot()->xAxis->range().upper < 2200);
        QCOMPARE(chart.pointCount(), 51);
    }

    void classHistogramLabelsCountsAndKeepsNamesReadable()
    {
        ClassHistogramChart chart;
        chart.resize(1400, 400);
        chart.show();
        QVector<qint64> samples{30, 20, 25, 10, 40, 5, 35, 50, 20, 21};
        QVector<qint64> real{6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000};
        QStringList names = kFashionClasses;
        names[9] = QStringLiteral("Ankle boot with an extraordinarily long descriptive class name");
        chart.setCounts(samples, real, names, 60000);
        QVERIFY2(chart.realBarsName().contains(QLocale().toString(60000)), qPrintable(chart.realBarsName()));
        QVERIFY2(chart.sampleBarsName().contains(QLocale().toString(256)), qPrintable(chart.sampleBarsName()));
        QCOMPARE(chart.plot()->plottableCount(), 2);
        QCOMPARE(chart.shownClassLabels().mid(0, 9), names.mid(0, 9));  // wide: the names as they are

        chart.resize(420, 300);
        QApplication::processEvents();
        const QStringList shown = chart.shownClassLabels();
        QCOMPARE(shown.size(), 10);
        const double rotation = chart.plot()->xAxis->tickLabelRotation();
        QVERIFY(rotation != 0.0);
        const QFontMetrics metrics(chart.plot()->xAxis->tickLabelFont());
        for (const QString& label : shown) {
            const double height = metrics.horizontalAdvance(label) * std::abs(std::sin(rotation * M_PI / 180));
            QVERIFY2(height <= 0.3 * chart.plot()->height() + 1, qPrintable(label));
        }
        QVERIFY(shown[9].endsWith(QStringLiteral("…")));
        QCOMPARE(shown[1], QStringLiteral("Trouser"));

        chart.setCounts({}, {}, {}, 0);
        QCOMPARE(chart.plot()->plottableCount(), 0);
    }

    void exportKeepsLinksRefusesPipesAndIgnoresPlantedLinks()
    {
        // The export writes through the engine's safe writer, not QCustomPlot::savePng (which
        // writes into a pipe and into a linked file in place).
        EnergyChart chart;
        chart.resize(400, 250);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const ebm::testing::LinkedFile target = ebm::testing::LinkedFile::make(
            dir.path(), QStringLiteral("energy.png"), QStringLiteral("energy-real.png"));
        QVERIFY(target.ok());
        QVERIFY(chart.exportPng(target.link, 320, 200));
        QVERIFY(target.linkKept());
        QVERIFY(target.replacedWhole());
        QCOMPARE(QImage(target.real).size(), QSize(320, 200));

        ebm::testing::HeldFifo fifo(QDir(dir.path()).filePath(QStringLiteral("pipe.png")));
        QVERIFY(fifo.ok());
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!chart.exportPng(fifo.path(), 120, 80));
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(fifo.stillAFifo());
        QCOMPARE(fifo.bytesInPipe(), qint64(0));

        const QString victim = QDir(dir.path()).filePath(QStringLiteral("victim.txt"));
        QFile victimFile(victim);
        QVERIFY(victimFile.open(QIODevice::WriteOnly));
        victimFile.write("keep me");
        victimFile.close();
        const QString plain = QDir(dir.path()).filePath(QStringLiteral("plain.png"));
        const QStringList links = ebm::testing::plantTemporaryLookingLinks(plain, victim);
        QCOMPARE(links.size(), 5);
        QVERIFY(chart.exportPng(plain, 200, 100));
        QVERIFY(ebm::testing::plantedLinksUntouched(links, victim, "keep me"));
        QCOMPARE(QImage(plain).size(), QSize(200, 100));
    }
};

EBM_UI_TEST_MAIN(PlotPanelTest)
#include "annealing/sampling_types.h"
#include "pages/train/training_types.h"
#include "test_ui_plot_panel.moc"
