// The Energy page as a person uses it: sets from arrays, folders and transformed copies scored
// on the worker exactly as ebm::measureImageEnergies scores them, the AUROC of ebm::auroc,
// wrong shapes converted or refused in one line, unreadable pictures skipped and listed,
// cancellation within a second, CSV export, the sources kept in a session (sessions of earlier
// versions open) and the measurement remembered between runs.
#include <QtTest/QtTest>
#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>

#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QProgressBar>
#include <QSettings>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>

#include <atomic>
#include <memory>

#include "ebm/io/dataset.h"
#include "ebm/io/image_file.h"
#include "ebm/io/model_file.h"
#include "ebm/sample/energy_inspection.h"
#include "worker/studio_engine.h"
#include "widgets/notification_bar.h"
#include "widgets/run_controls.h"
#include "annealing/sampling_job.h"
#include "pages/energy/energy_charts.h"
#include "pages/energy/energy_image_table.h"
#include "pages/energy/energy_view.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

constexpr int kImageSize = 16;  // the tiny model's
constexpr int kDraws = 3;
constexpr quint64 kSeed = 5;
constexpr double kNoiseStd = 0.1;
constexpr int kScoringTimeoutMs = 60000;

torch::Tensor randomImages(int64_t n, int64_t channels, int64_t size, uint64_t seed)
{
    torch::manual_seed(seed);
    return torch::rand({n, channels, size, size});
}

}  // namespace

class TestUiEnergy : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString model_;
    QString inliers_;
    QString shifted_;
    ebm::testing::StudioUnderTest studio_;

    EnergyView* view() const { return studio_.window->energyView(); }

    EnergyView* openPage()
    {
        studio_.open(dir_.path(), model_);
        studio_.window->showPage(view());
        EnergyMeasureSettings s;
        s.noiseStd = kNoiseStd;
        s.draws = kDraws;
        s.seed = kSeed;
        s.residual = true;
        view()->setMeasureSettings(s);
        return view();
    }

    QString writeArray(const QString& name, const torch::Tensor& values)
    {
        const QString path = QDir(dir_.path()).filePath(name);
        ebm::writeNpy(path.toStdString(), values);
        return path;
    }

    /// Adds a set and waits until the page has finished with it (scored, failed or cancelled).
    const EnergyView::ImageSet& addAndWait(const EnergySetSource& source)
    {
        QString error;
        [&] { QVERIFY2(view()->addSet(source, error), qPrintable(error)); }();
        [&] { QTRY_VERIFY_WITH_TIMEOUT(!view()->isRunning(), kScoringTimeoutMs); }();
        return view()->sets().last();
    }

    EnergySetSource source(const QString& name, const QString& spec) const
    {
        EnergySetSource s;
        s.name = name;
        s.spec = spec;
        return s;
    }

    /// What the engine measures for the same images, K and seed, on the same checkpoint.
    ebm::ImageEnergies measureDirectly(const QString& spec, const std::string& transforms = "")
    {
        ebm::OpenedModel opened = ebm::openModel(model_.toStdString(), torch::kCPU);
        ebm::Dataset data = ebm::openAnyDataset(spec.toStdString(), 1, kImageSize, false);
        ebm::EnergyInspectionOptions options;
        options.noiseStd = kNoiseStd;
        options.draws = kDraws;
        options.seed = kSeed;
        options.residual = true;
        options.sigma0 = opened.sigma0;
        const torch::Tensor images = ebm::applyTransforms(data.data, ebm::parseTransforms(transforms), kSeed);
        return ebm::measureImageEnergies(*opened.net, images, options);
    }

    static void compareValues(const QVector<double>& shown, const torch::Tensor& expected)
    {
        QCOMPARE(shown.size(), expected.numel());
        for (int i = 0; i < shown.size(); ++i)
            QCOMPARE(shown[i], expected[i].item<double>());  // the same float, widened
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        model_ = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), kImageSize, 2, 11);
        inliers_ = writeArray(QStringLiteral("inliers.npy"), randomImages(12, 1, kImageSize, 3));
        shifted_ = writeArray(QStringLiteral("shifted.npy"), randomImages(10, 1, kImageSize, 4) * 0.3 + 0.7);
    }

    void cleanup() { studio_.close(); }

    void energiesAreTheEnginesOnTheSameInputDrawsAndSeed()
    {
        openPage();
        const EnergyView::ImageSet& set = addAndWait(source(QStringLiteral("inliers"), inliers_));
        QCOMPARE(int(set.state), int(EnergyView::SetState::Scored));
        const ebm::ImageEnergies expected = measureDirectly(inliers_);
        compareValues(set.result.energy, expected.energy);
        compareValues(set.result.spread, expected.spread);
        compareValues(set.result.residual, expected.residual);
        QCOMPARE(view()->table()->rowCount(), 12);

        // A transformed copy is its source's images through the same chain.
        QString error;
        QVERIFY2(view()->addTransformedSet(QStringLiteral("inverted"), QStringLiteral("inliers"), QStringLiteral("invert"), error),
                 qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!view()->isRunning(), kScoringTimeoutMs);
        compareValues(view()->sets().last().result.energy, measureDirectly(inliers_, "invert").energy);

        // The CSV holds every row with the energies as measured.
        const QString csvPath = QDir(dir_.path()).filePath(QStringLiteral("energies.csv"));
        QVERIFY2(view()->exportCsv(csvPath, error), qPrintable(error));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 12 + 12);
        QCOMPARE(lines[0], QStringLiteral("set,index,energy,spread,residual"));
        const QStringList first = lines[1].split(QLatin1Char(','));
        QCOMPARE(first.size(), 5);
        QCOMPARE(first[0], QStringLiteral("inliers"));
        QCOMPARE(first[2].toFloat(), expected.energy[0].item<float>());
    }

    void aHistogramRangeFiltersTheTableAndARowShowsItsNoisyAndDenoisedViews()
    {
        openPage();
        const EnergyView::ImageSet& set = addAndWait(source(QStringLiteral("inliers"), inliers_));
        QVector<double> sorted = set.result.energy;
        std::sort(sorted.begin(), sorted.end());
        // The middle half of the energies, as a drag over the histogram selects it.
        view()->histogram()->setSelectedRange(sorted[3], sorted[8]);
        QCOMPARE(view()->visibleRows(), 6);
        for (int row = 0; row < view()->table()->rowCount(); ++row) {
            const double e = view()->table()->item(row, 3)->data(Qt::DisplayRole).toDouble();
            QCOMPARE(view()->table()->isRowHidden(row), e < sorted[3] || e > sorted[8]);
        }
        view()->histogram()->clearSelectedRange();
        QCOMPARE(view()->visibleRows(), 12);

        // A click on a row: the image, and (from the worker) its noisy and denoised versions.
        view()->table()->setCurrentCell(0, 0);
        QTRY_VERIFY_WITH_TIMEOUT(!view()->denoisedView().isNull(), 10000);
        QCOMPARE(view()->noisyView().size(), QSize(kImageSize, kImageSize));
        // The same noise (seed) and the same denoising step, computed here on the 8-bit image.
        const int image = static_cast<int>(view()->table()->item(0, 2)->data(Qt::DisplayRole).toDouble());
        const QImage clean = set.result.images[image].convertToFormat(QImage::Format_Grayscale8);
        torch::Tensor x = torch::empty({1, 1, kImageSize, kImageSize});
        for (int y = 0; y < kImageSize; ++y)
            for (int c = 0; c < kImageSize; ++c)
                x[0][0][y][c] = clean.constScanLine(y)[c] / 255.0f;
        auto generator = at::make_generator<at::CPUGeneratorImpl>(kSeed);
        const torch::Tensor noisy = x + kNoiseStd * at::randn(x.sizes(), generator);
        ebm::OpenedModel opened = ebm::openModel(model_.toStdString(), torch::kCPU);
        const torch::Tensor denoised = ebm::denoise(*opened.net, noisy, opened.sigma0).clamp(0, 1);
        const QImage noisyShown = view()->noisyView().convertToFormat(QImage::Format_Grayscale8);
        const QImage denoisedShown = view()->denoisedView().convertToFormat(QImage::Format_Grayscale8);
        int noisyOff = 0, denoisedOff = 0, differsFromClean = 0;
        for (int y = 0; y < kImageSize; ++y)
            for (int c = 0; c < kImageSize; ++c) {
                const auto level = [](const torch::Tensor& t, int yy, int cc) {
                    return int(std::lround(t[0][0][yy][cc].clamp(0, 1).item<double>() * 255));
                };
                noisyOff += std::abs(noisyShown.constScanLine(y)[c] - level(noisy, y, c)) > 1;
                denoisedOff += std::abs(denoisedShown.constScanLine(y)[c] - level(denoised, y, c)) > 1;
                differsFromClean += noisyShown.constScanLine(y)[c] != clean.constScanLine(y)[c];
            }
        QCOMPARE(noisyOff, 0);
        QCOMPARE(denoisedOff, 0);
        QVERIFY(differsFromClean > kImageSize * kImageSize / 2);  // the noise is there
    }

    void theSamplePagesSamplesAreASet()
    {
        openPage();
        QSignalSpy problems(view(), &StudioPage::problem);
        const EnergyView::ImageSet& none = addAndWait(source(QStringLiteral("samples"), kLastSamplesSpec));
        QCOMPARE(int(none.state), int(EnergyView::SetState::Failed));
        QVERIFY(none.result.error.contains(QLatin1String("no samples yet")));
        view()->removeSet(0);

        SamplingSettings s;
        s.steps = 10;
        s.numSamples = 5;
        // A sampling run as the Sample page starts one; the worker keeps its final samples.
        JobHandle* run = studio_.window->engine()->start(
            std::make_unique<SamplingJob>(s, 1, DenoisedPreview::Recorded));
        QVERIFY(run);
        QSignalSpy finished(run, &JobHandle::finished);
        QVERIFY(finished.wait(30000));
        QVERIFY(!finished.first().at(0).value<SamplingOutcome>().failed);
        const EnergyView::ImageSet& samples = addAndWait(source(QStringLiteral("samples"), kLastSamplesSpec));
        QCOMPARE(int(samples.state), int(EnergyView::SetState::Scored));
        QCOMPARE(samples.result.energy.size(), 5);
    }

    void theAurocShownIsTheEnginesAurocOfTheTwoSets()
    {
        openPage();
        addAndWait(source(QStringLiteral("inliers"), inliers_));
        addAndWait(source(QStringLiteral("shifted"), shifted_));
        view()->compareSets(QStringLiteral("inliers"), QStringLiteral("shifted"));
        QTRY_VERIFY_WITH_TIMEOUT(view()->comparison().ok, kScoringTimeoutMs);
        const double expected = ebm::auroc(measureDirectly(inliers_).energy, measureDirectly(shifted_).energy);
        QCOMPARE(view()->comparison().auroc, expected);
        QVERIFY2(view()->aurocLabel()->text().contains(QString::number(expected, 'f', 4)),
                 qPrintable(view()->aurocLabel()->text()));
        QVERIFY(!view()->comparison().falsePositiveRate.isEmpty());
        QCOMPARE(view()->comparison().falsePositiveRate.last(), 1.0);
        QCOMPARE(view()->comparison().truePositiveRate.last(), 1.0);
        // Swapping the roles gives the complement.
        view()->compareSets(QStringLiteral("shifted"), QStringLiteral("inliers"));
        QTRY_VERIFY_WITH_TIMEOUT(view()->comparison().ok, kScoringTimeoutMs);
        QVERIFY(std::abs(view()->comparison().auroc - (1.0 - expected)) < 1e-12);
    }

    void aSetOfAnotherShapeIsConvertedOrRefusedInOneLine()
    {
        openPage();
        // RGB 20x20 for a gray 16x16 model: averaged to gray and cropped, and the page says so.
        const QString rgb = writeArray(QStringLiteral("rgb.npy"), randomImages(4, 3, 20, 6));
        const EnergyView::ImageSet& converted = addAndWait(source(QStringLiteral("rgb"), rgb));
        QCOMPARE(int(converted.state), int(EnergyView::SetState::Scored));
        QCOMPARE(converted.result.energy.size(), 4);
        QVERIFY2(converted.result.conversion.contains(QStringLiteral("gray")) &&
                     converted.result.conversion.contains(QStringLiteral("20x20")),
                 qPrintable(converted.result.conversion));
        QVERIFY(view()->setList()->item(0)->text().contains(converted.result.conversion));

        const QString twoChannels = writeArray(QStringLiteral("two.npy"), randomImages(2, 2, kImageSize, 7));
        const EnergyView::ImageSet& refused = addAndWait(source(QStringLiteral("two"), twoChannels));
        QCOMPARE(int(refused.state), int(EnergyView::SetState::Failed));
        QVERIFY2(refused.result.error.contains(QStringLiteral("2 channels")) && !refused.result.error.contains(QLatin1Char('\n')),
                 qPrintable(refused.result.error));

        const QString points = writeArray(QStringLiteral("points.npy"), torch::rand({5, 2}));
        const EnergyView::ImageSet& flat = addAndWait(source(QStringLiteral("points"), points));
        QCOMPARE(int(flat.state), int(EnergyView::SetState::Failed));
        QVERIFY2(flat.result.error.contains(QStringLiteral("dimensions")), qPrintable(flat.result.error));
    }

    void aFolderWithAnUnreadableFileScoresTheRestAndListsIt()
    {
        openPage();
        QDir folder(dir_.path());
        QVERIFY(folder.mkpath(QStringLiteral("pictures")));
        folder.cd(QStringLiteral("pictures"));
        const torch::Tensor pictures = randomImages(3, 1, kImageSize, 8);
        for (int i = 0; i < 3; ++i)
            ebm::writeImage(folder.filePath(QStringLiteral("p%1.png").arg(i)).toStdString(), pictures[i]);
        QFile broken(folder.filePath(QStringLiteral("broken.png")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("this is not a picture");
        broken.close();

        const EnergyView::ImageSet& set = addAndWait(source(QStringLiteral("folder"), folder.path()));
        QCOMPARE(int(set.state), int(EnergyView::SetState::Scored));
        QCOMPARE(set.result.energy.size(), 3);
        QCOMPARE(set.result.skipped.size(), 1);
        QVERIFY2(set.result.skipped[0].contains(QStringLiteral("broken.png")), qPrintable(set.result.skipped[0]));
        QCOMPARE(set.result.files, (QVector<QString>{QStringLiteral("p0.png"), QStringLiteral("p1.png"), QStringLiteral("p2.png")}));
        QVERIFY(view()->setList()->item(0)->text().contains(QStringLiteral("broken.png")));
        QVERIFY(view()->status()->text().contains(QStringLiteral("skipped 1")));
    }

    void cancellingALongScoringStopsWithinASecondAndKeepsEarlierSets()
    {
        openPage();
        const EnergyView::ImageSet& first = addAndWait(source(QStringLiteral("inliers"), inliers_));
        QCOMPARE(int(first.state), int(EnergyView::SetState::Scored));
        const QVector<double> firstEnergies = first.result.energy;

        EnergyMeasureSettings s = view()->measureSettings();
        s.draws = 100000;  // hours of work: only a cancel ends it in time
        view()->setMeasureSettings(s);
        QString error;
        QVERIFY(view()->addSet(source(QStringLiteral("long"), shifted_), error));
        QTRY_VERIFY_WITH_TIMEOUT(view()->progressBar()->value() > 0 || view()->isRunning(), kScoringTimeoutMs);
        QTest::qWait(300);  // well into the draws
        QVERIFY(view()->isRunning());
        QElapsedTimer sinceStop;
        sinceStop.start();
        view()->runControls()->stopButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!view()->isRunning(), 5000);
        QVERIFY2(sinceStop.elapsed() < 1000, qPrintable(QString::number(sinceStop.elapsed())));
        QCOMPARE(view()->sets().size(), 2);
        QCOMPARE(int(view()->sets()[1].state), int(EnergyView::SetState::Cancelled));
        QCOMPARE(int(view()->sets()[0].state), int(EnergyView::SetState::Scored));
        QCOMPARE(view()->sets()[0].result.energy, firstEnergies);
        QCOMPARE(view()->table()->rowCount(), firstEnergies.size());
    }

    void theSourcesAndSettingsAreKeptInASession()
    {
        openPage();
        addAndWait(source(QStringLiteral("inliers"), inliers_));
        QString error;
        QVERIFY(view()->addTransformedSet(QStringLiteral("noisy"), QStringLiteral("inliers"), QStringLiteral("noise:0.2"), error));
        QTRY_VERIFY_WITH_TIMEOUT(!view()->isRunning(), kScoringTimeoutMs);
        const QJsonObject saved = view()->sessionSettings();
        view()->removeSet(1);
        view()->removeSet(0);
        EnergyMeasureSettings other;
        other.draws = 1;
        view()->setMeasureSettings(other);
        view()->applySessionSettings(saved);
        QCOMPARE(view()->sets().size(), 2);
        QCOMPARE(view()->sets()[0].source.spec, inliers_);
        QCOMPARE(view()->sets()[1].source.name, QStringLiteral("noisy"));
        QCOMPARE(view()->sets()[1].source.transforms, QStringLiteral("noise:0.2"));
        QCOMPARE(view()->measureSettings().draws, kDraws);
        QCOMPARE(view()->measureSettings().seed, kSeed);
        QVERIFY(view()->measureSettings().residual);
        QVERIFY(view()->canStart());  // "Score all" measures them again
    }

    void anEarlierSessionOpensAndTheMeasurementIsRememberedWithoutScoring()
    {
        openPage();
        // A session as the page wrote it before its fields were declared: the same keys come back.
        const QJsonObject earlier{{QStringLiteral("noiseStd"), 0.25},
                                  {QStringLiteral("draws"), 4},
                                  {QStringLiteral("seed"), 7},
                                  {QStringLiteral("residual"), false},
                                  {QStringLiteral("sets"),
                                   QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("inliers")},
                                                          {QStringLiteral("spec"), inliers_},
                                                          {QStringLiteral("train"), false},
                                                          {QStringLiteral("classes"), QJsonArray{}},
                                                          {QStringLiteral("limit"), 0},
                                                          {QStringLiteral("transforms"), QString()}}}}};
        view()->applySessionSettings(earlier);
        QCOMPARE(view()->measureSettings().noiseStd, 0.25);
        QCOMPARE(view()->measureSettings().draws, 4);
        QCOMPARE(view()->measureSettings().seed, quint64(7));
        QVERIFY(!view()->measureSettings().residual);
        QCOMPARE(view()->sets().size(), 1);
        QCOMPARE(view()->sessionSettings(), earlier);

        // Between runs: the window hands over the store, the page keeps its fields under its key.
        QSettings store(QDir(dir_.path()).filePath(QStringLiteral("energy.ini")), QSettings::IniFormat);
        view()->saveSettings(store);
        QCOMPARE(store.value(QStringLiteral("energy/draws")).toInt(), 4);
        view()->setMeasureSettings(EnergyMeasureSettings{});
        QCOMPARE(view()->measureSettings().draws, 8);
        view()->restoreSettings(store);
        QCOMPARE(view()->measureSettings().noiseStd, 0.25);
        QCOMPARE(view()->measureSettings().draws, 4);
        QCOMPARE(view()->measureSettings().seed, quint64(7));
        // Restoring starts nothing: the set stays unscored until "Score all".
        QTest::qWait(100);
        QVERIFY(!view()->isRunning());
        QCOMPARE(int(view()->sets()[0].state), int(EnergyView::SetState::NotScored));
    }

    /// A banner coming and going leaves the page where it was: the button under the mouse
    /// stays under it (issue 23).
    void aBannerKeepsThePageInPlace()
    {
        openPage();
        MainWindow& w = *studio_.window;
        w.notifications()->dismiss();
        QTest::qWait(50);
        QWidget* button = view()->runControls()->startButton();
        const QPoint before = button->mapTo(&w, QPoint(0, 0));
        const QString error = QStringLiteral("Could not open the model: ") + QString(40, QLatin1Char('x')) +
                              QStringLiteral(" is damaged; a long explanation follows ") +
                              QString(300, QLatin1Char('y'));
        w.notifications()->showError(error);
        QTest::qWait(50);
        QCOMPARE(w.notifications()->text(), error);
        QCOMPARE(button->mapTo(&w, QPoint(0, 0)), before);
        QCOMPARE(w.width(), 1200);   // a long message does not widen the window either
        w.notifications()->dismiss();
        QTest::qWait(50);
        QVERIFY(w.notifications()->text().isEmpty());
        QCOMPARE(button->mapTo(&w, QPoint(0, 0)), before);
        w.notifications()->showInfo(QStringLiteral("Model saved"));
        QTest::qWait(50);
        QCOMPARE(button->mapTo(&w, QPoint(0, 0)), before);
        w.notifications()->dismiss();
    }

    /// The columns fill the table (the set's name takes what is left) and each thumbnail says
    /// which image it is.
    void theTableColumnsFillItsWidthAndThumbnailsAreNamed()
    {
        openPage();
        studio_.window->resize(1500, 900);
        addAndWait(source(QStringLiteral("inliers"), inliers_));
        QTest::qWait(100);
        QTableWidget* table = view()->table();
        QVERIFY(table->viewport()->width() > 700);
        QCOMPARE(table->horizontalHeader()->length(), table->viewport()->width());
        for (int row = 0; row < table->rowCount(); ++row) {
            const QString tip = table->item(row, EnergyImageTable::ImageColumn)->toolTip();
            const int index = int(table->item(row, EnergyImageTable::IndexColumn)->data(Qt::DisplayRole).toDouble());
            const double energy = table->item(row, EnergyImageTable::EnergyColumn)->data(Qt::DisplayRole).toDouble();
            QVERIFY2(tip.contains(QStringLiteral("inliers, image %1").arg(index)), qPrintable(tip));
            QVERIFY2(tip.contains(QString::number(energy, 'g', 6)), qPrintable(tip));
        }
    }

    /// The image chosen in the table stays chosen when the rows are sorted and when a new set
    /// fills the table again.
    void theChosenImageStaysChosenAcrossSorting()
    {
        openPage();
        addAndWait(source(QStringLiteral("inliers"), inliers_));
        QTableWidget* table = view()->table();
        auto imageAt = [table](int row) {
            return row < 0 ? QString()
                           : table->item(row, EnergyImageTable::SetColumn)->text() + QLatin1Char('#') +
                                 table->item(row, EnergyImageTable::IndexColumn)->text();
        };
        table->sortByColumn(EnergyImageTable::EnergyColumn, Qt::AscendingOrder);
        table->setCurrentCell(5, EnergyImageTable::ImageColumn);
        const QString chosen = imageAt(5);
        table->sortByColumn(EnergyImageTable::EnergyColumn, Qt::DescendingOrder);
        QCOMPARE(imageAt(table->currentRow()), chosen);
        QVERIFY(table->selectionModel()->isRowSelected(table->currentRow(), QModelIndex()));
        // Sorted by set, descending: the next set's rows come first and move the chosen one down.
        table->sortByColumn(EnergyImageTable::SetColumn, Qt::DescendingOrder);
        QCOMPARE(imageAt(table->currentRow()), chosen);
        addAndWait(source(QStringLiteral("shifted"), shifted_));
        QCOMPARE(table->rowCount(), 22);
        QCOMPARE(imageAt(table->currentRow()), chosen);
        QVERIFY(table->currentRow() >= 10);
        QVERIFY(table->selectionModel()->isRowSelected(table->currentRow(), QModelIndex()));
        QCOMPARE(table->selectedItems().size(), int(EnergyImageTable::ColumnCount));
    }

    /// A long error (an unbreakable path) wraps inside the left column: the column keeps its
    /// width, and Score all / Stop sit on top of it as on every page.
    void anErrorKeepsTheLeftColumnsWidth()
    {
        openPage();
        QTest::qWait(50);
        const int tableLeft = view()->table()->mapTo(view(), QPoint(0, 0)).x();
        const int statusWidth = view()->status()->width();
        QVERIFY(view()->runControls()->mapTo(view(), QPoint(0, 0)).y() <
                view()->progressBar()->mapTo(view(), QPoint(0, 0)).y());
        const QString longName = QStringLiteral("no-such-") + QString(200, QLatin1Char('x')) + QStringLiteral(".npy");
        const QString missing = QDir(dir_.path()).filePath(longName);
        const EnergyView::ImageSet& failed = addAndWait(source(QStringLiteral("missing"), missing));
        QCOMPARE(int(failed.state), int(EnergyView::SetState::Failed));
        QTest::qWait(50);
        QVERIFY2(view()->status()->text().contains(QStringLiteral("not scored")), qPrintable(view()->status()->text()));
        QCOMPARE(view()->table()->mapTo(view(), QPoint(0, 0)).x(), tableLeft);
        QCOMPARE(view()->status()->width(), statusWidth);
        QCOMPARE(studio_.window->width(), 1200);
    }
};

EBM_UI_TEST_MAIN(TestUiEnergy)
#include "annealing/sampling_types.h"
#include "test_ui_energy.moc"
