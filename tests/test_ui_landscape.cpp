// The Landscape page as a person uses it, on the tiny model and a .npy of random images: the
// Path view's chart holds the energies ebm::straightLinePath computes for the same two images,
// the relaxed band's barrier is no higher than the line's, the CSV has a row per point and the
// strip PNG keeps its settings; the Plane view's heat map holds the cells ebm::energyPlaneMap
// computes for the same three images, Stop in the middle of a map leaves the rows measured and a
// page that computes the next one, chains are projected onto the plane, and the fields are kept
// in a session. Images picked on other pages (through the AnnealingHub): a path from the Sample
// page's selected sample to the Energy table's selected row runs on copies of both taken at Start,
// a source without a selection refuses to start in one line, and the Energy page offers its
// selected row. The band pauses between two steps: it holds its iteration, Step takes exactly
// one, Resume finishes it and Stop ends a paused band.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QFile>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <optional>

#include "ebm/base/png_settings.h"
#include "ebm/io/dataset.h"
#include "ebm/io/model_file.h"
#include "ebm/sample/energy_path.h"
#include "ebm/sample/energy_plane.h"
#include "annealing/annealing_hub.h"
#include "worker/studio_engine.h"
#include "worker/tensor_images.h"
#include "widgets/run_controls.h"
#include "pages/energy/energy_image_table.h"
#include "pages/energy/energy_view.h"
#include "pages/landscape/image_strip.h"
#include "pages/landscape/item_thumbnails.h"
#include "pages/landscape/landscape_view.h"
#include "pages/landscape/path_chart.h"
#include "pages/landscape/path_panel.h"
#include "pages/landscape/plane_panel.h"
#include "pages/landscape/plane_plot.h"
#include "ui_test_main.h"

using namespace ebm::studio;

namespace {

constexpr int kImageSize = 16;   // the tiny model's
constexpr int kImages = 6;
constexpr int kPathPoints = 8;
constexpr int kNebIterations = 30;
constexpr int kMapResolution = 16;
constexpr int kRunTimeoutMs = 60000;
// Enough steps that the band is still relaxing after a pause and a single step.
constexpr int kPausedBandIterations = 200;
// How long a paused band is watched for a step it should not take.
constexpr int kHoldMs = 300;

using Source = LandscapeItem::Source;

/// The page computes on the worker what the test computes here, in the same float32 arithmetic;
/// the margin only allows another order of the same sums.
bool sameValue(double shown, double expected)
{
    return std::abs(shown - expected) <= 1e-6 * (1.0 + std::abs(expected));
}

}  // namespace

class TestUiLandscape : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString model_;
    QString images_;
    StudioEngine* engine_ = nullptr;
    LandscapeView* view_ = nullptr;
    // What the Sample page and the Energy table offer as selected (null: nothing selected).
    AnnealingHub picks_;
    QImage selectedSample_;
    QImage selectedTableRow_;

    PathPanel* path() const { return view_->pathView(); }
    PlanePanel* plane() const { return view_->planeView(); }

    ebm::OpenedModel openDirectly() const { return ebm::openModel(model_.toStdString(), torch::kCPU); }
    torch::Tensor imagesDirectly() const { return ebm::readNpy(images_.toStdString()); }

    LandscapePathSettings pathSettings(bool relax) const
    {
        LandscapePathSettings s;
        s.dataSet = images_;
        s.from = {Source::DataSet, 0, {}, {}};
        s.to = {Source::DataSet, 3, {}, {}};
        s.relax = relax;
        s.points = kPathPoints;
        s.iterations = kNebIterations;
        return s;
    }

    LandscapePlaneSettings planeSettings(int resolution) const
    {
        LandscapePlaneSettings s;
        s.dataSet = images_;
        s.first = {Source::DataSet, 0, {}, {}};
        s.second = {Source::DataSet, 1, {}, {}};
        s.third = {Source::DataSet, 2, {}, {}};
        s.resolution = resolution;
        s.chains = 0;
        return s;
    }

    /// Runs the Path view with `settings` from its Start button and waits for the outcome.
    void runPath(const LandscapePathSettings& settings)
    {
        view_->showPathView();
        path()->setSettings(settings);
        QVERIFY(view_->canStart());
        QVERIFY(path()->runControls()->startButton()->isEnabled());
        path()->runControls()->startButton()->click();
        QVERIFY(view_->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isRunning(), kRunTimeoutMs);
        QVERIFY2(path()->result().ok, qPrintable(path()->result().error));
    }

    void runPlane(const LandscapePlaneSettings& settings)
    {
        view_->showPlaneView();
        plane()->setSettings(settings);
        QVERIFY(view_->canStart());
        view_->start();   // what F5 does on the view in front
        QVERIFY(plane()->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isRunning(), kRunTimeoutMs);
        QVERIFY2(plane()->result().ok, qPrintable(plane()->result().error));
    }

    QStringList csvLines(const QString& file)
    {
        QFile csv(file);
        [&] { QVERIFY(csv.open(QIODevice::ReadOnly | QIODevice::Text)); }();
        return QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        model_ = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), kImageSize, 2, 11);
        torch::manual_seed(3);
        images_ = QDir(dir_.path()).filePath(QStringLiteral("images.npy"));
        ebm::writeNpy(images_.toStdString(), torch::rand({kImages, 1, kImageSize, kImageSize}));
        engine_ = new StudioEngine(this);
        engine_->configureRuntime(QStringLiteral("cpu"), 1);
        picks_.setSelectedSampleSource([this] { return selectedSample_; });
        picks_.setSelectedTableImageSource([this] { return selectedTableRow_; });
        view_ = new LandscapeView(engine_, &picks_, nullptr);
        view_->resize(1200, 800);
        view_->show();
        QSignalSpy loaded(engine_, &StudioEngine::modelLoaded);
        QVERIFY(engine_->loadModel(model_));
        QVERIFY(loaded.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(!engine_->isBusy(), 10000);
    }

    void cleanupTestCase()
    {
        delete view_;
        delete engine_;
    }

    void lineChartHoldsTheEnginesStraightLine()
    {
        runPath(pathSettings(false));
        ebm::OpenedModel opened = openDirectly();
        const torch::Tensor images = imagesDirectly();
        const ebm::EnergyPath expected =
            ebm::straightLinePath(ebm::modelEnergy(*opened.net), images[0], images[3], kPathPoints);

        PathChart* chart = path()->chart();
        const QVector<double> energies = chart->shownEnergies(PathChart::Series::Line);
        const QVector<double> positions = chart->shownPositions(PathChart::Series::Line);
        QCOMPARE(energies.size(), kPathPoints);
        QCOMPARE(positions.size(), kPathPoints);
        for (int i = 0; i < kPathPoints; ++i) {
            QVERIFY2(sameValue(energies[i], expected.energies[size_t(i)]),
                     qPrintable(QString("point %1: shown %2, engine %3").arg(i).arg(energies[i]).arg(expected.energies[size_t(i)])));
            QVERIFY(sameValue(positions[i], expected.arcLength[size_t(i)] / expected.arcLength.back()));
        }
        QVERIFY(chart->shownEnergies(PathChart::Series::Relaxed).isEmpty());
        // The saddle marked is the engine's, and the barrier is said in words.
        QCOMPARE(chart->markedSaddle(), expected.saddleIndex);
        QCOMPARE(int(chart->markedSeries()), int(PathChart::Series::Line));
        const double lineMax = *std::max_element(expected.energies.begin(), expected.energies.end());
        QVERIFY(std::abs(path()->result().line.barrier - expected.barrier) <= 1e-6 * (1.0 + std::abs(lineMax)));
        QVERIFY2(path()->barrierLabel()->text().contains(QString::number(path()->result().line.barrier, 'g', 6)),
                 qPrintable(path()->barrierLabel()->text()));

        // The strip: one row of K images in makeGrid's layout; the cursor shows a point large.
        const QImage& strip = path()->strip()->strip();
        QCOMPARE(strip.size(), QSize(kPathPoints * (kImageSize + kStripPadding) + kStripPadding,
                                     kImageSize + 2 * kStripPadding));
        QCOMPARE(path()->strip()->rows(), 1);
        chart->setCursorIndex(5);
        QCOMPARE(path()->shownPoint(), 5);
        QCOMPARE(path()->strip()->cursorColumn(), 5);
        QCOMPARE(path()->result().line.images[5], tensorToImage(expected.images[5]));
        QVERIFY(!path()->lineImage()->pixmap().isNull());
        // A click on the strip's third image moves the chart's cursor there.
        const double scale = double(path()->strip()->width()) / strip.width();
        const int x = static_cast<int>((kStripPadding + 2 * (kImageSize + kStripPadding) + kImageSize / 2) * scale);
        if (strip.height() * scale <= path()->strip()->height()) {
            QTest::mouseClick(path()->strip(), Qt::LeftButton, Qt::NoModifier, QPoint(x, 2));
            QCOMPARE(chart->cursorIndex(), 2);
        }

        // The CSV: a header and one row per point, the energies as measured.
        const QString csvPath = QDir(dir_.path()).filePath(QStringLiteral("line.csv"));
        QString error;
        QVERIFY2(path()->exportCsv(csvPath, error), qPrintable(error));
        const QStringList lines = csvLines(csvPath);
        QCOMPARE(lines.size(), 1 + kPathPoints);
        QCOMPARE(lines[0], QStringLiteral("index,line_arc_length,line_energy,relaxed_arc_length,relaxed_energy"));
        for (int i = 0; i < kPathPoints; ++i) {
            const QStringList row = lines[1 + i].split(QLatin1Char(','));
            QCOMPARE(row.size(), 5);
            QCOMPARE(row[0].toInt(), i);
            QVERIFY(sameValue(row[1].toDouble(), expected.arcLength[size_t(i)]));
            QVERIFY(sameValue(row[2].toDouble(), expected.energies[size_t(i)]));
            QVERIFY(row[3].isEmpty() && row[4].isEmpty());   // no relaxed path asked for
        }

        // The strip PNG keeps the settings that made it.
        const QString pngPath = QDir(dir_.path()).filePath(QStringLiteral("strip.png"));
        QVERIFY2(path()->exportStrip(pngPath, error), qPrintable(error));
        QCOMPARE(QImage(pngPath).size(), strip.size());
        const std::optional<std::string> settings = ebm::readPngSettings(pngPath.toStdString());
        QVERIFY(settings.has_value());
        QVERIFY2(settings->find("studio-landscape-path") != std::string::npos, settings->c_str());
        QVERIFY2(settings->find("\"path_points\":8") != std::string::npos, settings->c_str());
    }

    void relaxedPathIsNoHigherThanTheLine()
    {
        runPath(pathSettings(true));
        const LandscapePathResult& result = path()->result();
        QCOMPARE(result.line.energies.size(), kPathPoints);
        QCOMPARE(result.relaxed.energies.size(), kPathPoints);
        QVERIFY(result.iterationsRun > 0 && result.iterationsRun <= kNebIterations);
        // What the chart draws is the band the job returned.
        QCOMPARE(path()->chart()->shownEnergies(PathChart::Series::Relaxed), result.relaxed.energies);
        QCOMPARE(int(path()->chart()->markedSeries()), int(PathChart::Series::Relaxed));
        QCOMPARE(path()->chart()->markedSaddle(), result.relaxed.saddleIndex);
        // The ends are the two images on both paths.
        QVERIFY(sameValue(result.relaxed.energies.first(), result.line.energies.first()));
        QVERIFY(sameValue(result.relaxed.energies.last(), result.line.energies.last()));
        const double lineMax = *std::max_element(result.line.energies.begin(), result.line.energies.end());
        QVERIFY2(result.relaxed.barrier <= result.line.barrier + 1e-5 * (1.0 + std::abs(lineMax)),
                 qPrintable(QString("relaxed %1, line %2").arg(result.relaxed.barrier).arg(result.line.barrier)));
        QVERIFY2(path()->barrierLabel()->text().contains(QString::number(result.relaxed.barrier, 'g', 6)),
                 qPrintable(path()->barrierLabel()->text()));
        // Two rows in the strip (line, relaxed) and both large images at the cursor.
        QCOMPARE(path()->strip()->rows(), 2);
        QVERIFY(!path()->relaxedImage()->pixmap().isNull());

        const QString csvPath = QDir(dir_.path()).filePath(QStringLiteral("relaxed.csv"));
        QString error;
        QVERIFY2(path()->exportCsv(csvPath, error), qPrintable(error));
        const QStringList lines = csvLines(csvPath);
        QCOMPARE(lines.size(), 1 + kPathPoints);
        for (int i = 0; i < kPathPoints; ++i) {
            const QStringList row = lines[1 + i].split(QLatin1Char(','));
            QCOMPARE(row.size(), 5);
            QVERIFY(sameValue(row[3].toDouble(), result.relaxed.arcLength[i]));
            QVERIFY(sameValue(row[4].toDouble(), result.relaxed.energies[i]));
        }
    }

    void pathRunsFromTheSelectedSampleToTheTablesSelectedRow()
    {
        const torch::Tensor images = imagesDirectly();
        selectedSample_ = tensorToImage(images[4]);
        selectedTableRow_ = tensorToImage(images[5]);
        const QImage sample = selectedSample_;
        const QImage row = selectedTableRow_;
        LandscapePathSettings s = pathSettings(false);
        s.from = {Source::SelectedSample, 0, {}, {}};
        s.to = {Source::TableRow, 0, {}, {}};
        view_->showPathView();
        path()->setSettings(s);
        QVERIFY(view_->canStart());
        path()->runControls()->startButton()->click();
        QVERIFY(view_->isRunning());
        // Selecting another sample once the run has started changes nothing in it.
        selectedSample_ = tensorToImage(images[0]);
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isRunning(), kRunTimeoutMs);
        const LandscapePathResult& result = path()->result();
        QVERIFY2(result.ok, qPrintable(result.error));

        // The ends are the two picked images, on the strip too.
        QCOMPARE(result.line.images.first(), sample);
        QCOMPARE(result.line.images.last(), row);
        const QImage& strip = path()->strip()->strip();
        const int lastColumn = kStripPadding + (kPathPoints - 1) * (kImageSize + kStripPadding);
        QCOMPARE(strip.copy(kStripPadding, kStripPadding, kImageSize, kImageSize).convertToFormat(QImage::Format_Grayscale8),
                 sample);
        QCOMPARE(strip.copy(lastColumn, kStripPadding, kImageSize, kImageSize).convertToFormat(QImage::Format_Grayscale8),
                 row);
        // The energies are the engine's on those images.
        ebm::OpenedModel opened = openDirectly();
        const ebm::EnergyPath expected = ebm::straightLinePath(ebm::modelEnergy(*opened.net), imageToTensor(sample, 1),
                                                               imageToTensor(row, 1), kPathPoints);
        const QVector<double> energies = path()->chart()->shownEnergies(PathChart::Series::Line);
        QCOMPARE(energies.size(), kPathPoints);
        for (int i = 0; i < kPathPoints; ++i)
            QVERIFY2(sameValue(energies[i], expected.energies[size_t(i)]),
                     qPrintable(QString("point %1: shown %2, engine %3").arg(i).arg(energies[i]).arg(expected.energies[size_t(i)])));

        // The strip PNG names where its images came from.
        const QString pngPath = QDir(dir_.path()).filePath(QStringLiteral("picked-strip.png"));
        QString error;
        QVERIFY2(path()->exportStrip(pngPath, error), qPrintable(error));
        const std::optional<std::string> settings = ebm::readPngSettings(pngPath.toStdString());
        QVERIFY(settings.has_value());
        QVERIFY2(settings->find("\"path_from_source\":\"sample\"") != std::string::npos, settings->c_str());
        QVERIFY2(settings->find("\"path_to_source\":\"table-row\"") != std::string::npos, settings->c_str());

        // The thumbnails show what is selected now: the view takes the picks again when shown.
        QTRY_VERIFY_WITH_TIMEOUT(!path()->thumbnails()->isLoading(), 10000);
        view_->showPlaneView();
        view_->showPathView();
        QVERIFY(path()->thumbnails()->isLoading());
        QTRY_VERIFY_WITH_TIMEOUT(!path()->thumbnails()->isLoading(), 10000);
        QCOMPARE(path()->thumbnails()->image(0), selectedSample_);
        QCOMPARE(path()->thumbnails()->image(1), row);
    }

    void aSourceWithoutASelectionRefusesToStart()
    {
        view_->showPathView();
        QSignalSpy problems(view_, &StudioPage::problem);
        const auto refusal = [&](const LandscapePathSettings& s) {
            path()->setSettings(s);
            problems.clear();
            path()->runControls()->startButton()->click();
            [&] {
                QVERIFY(!view_->isRunning());
                QCOMPARE(problems.count(), 1);
            }();
            const QString message = problems.isEmpty() ? QString() : problems.at(0).at(0).toString();
            [&] {
                QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
                QCOMPARE(path()->status()->toolTip(), message);
            }();
            return message;
        };

        selectedSample_ = QImage();
        selectedTableRow_ = tensorToImage(imagesDirectly()[5]);
        LandscapePathSettings s = pathSettings(false);
        s.from = {Source::SelectedSample, 0, {}, {}};
        s.to = {Source::TableRow, 0, {}, {}};
        QString message = refusal(s);
        QCOMPARE(message, QStringLiteral("From: select a sample on the Sample page first."));
        // Its thumbnail says the same.
        QTRY_VERIFY_WITH_TIMEOUT(!path()->thumbnails()->isLoading(), 10000);
        QVERIFY(path()->thumbnails()->image(0).isNull());
        QCOMPARE(path()->thumbnails()->error(0), QStringLiteral("select a sample on the Sample page first"));
        QVERIFY(!path()->thumbnails()->image(1).isNull());

        selectedSample_ = tensorToImage(imagesDirectly()[4]);
        selectedTableRow_ = QImage();
        message = refusal(s);
        QCOMPARE(message, QStringLiteral("To: select a row of the Energy page's image table first."));
    }

    void theEnergyPageOffersItsSelectedRow()
    {
        AnnealingHub hub;
        auto* energy = new EnergyView(engine_, &hub, nullptr);
        QVERIFY(hub.selectedTableImage().isNull());
        EnergySetSource set;
        set.name = QStringLiteral("random");
        set.spec = images_;
        QString error;
        QVERIFY2(energy->addSet(set, error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(!energy->isRunning(), kRunTimeoutMs);
        QCOMPARE(int(energy->sets().first().state), int(EnergySetState::Scored));
        QCOMPARE(energy->table()->rowCount(), kImages);
        QVERIFY(hub.selectedTableImage().isNull());   // no row selected yet

        const int row = 2;
        energy->table()->setCurrentCell(row, EnergyImageTable::ImageColumn);
        const int image = int(energy->table()->item(row, EnergyImageTable::IndexColumn)->data(Qt::DisplayRole).toDouble());
        QCOMPARE(hub.selectedTableImage(), tensorToImage(imagesDirectly()[image]));
        QCOMPARE(hub.selectedTableImage(), energy->selectedTableImage());

        // A removed set's row is no longer selected; a page gone offers nothing.
        energy->removeSet(0);
        QVERIFY(hub.selectedTableImage().isNull());
        delete energy;
        QVERIFY(hub.selectedTableImage().isNull());
    }

    void aPausedBandHoldsItsIterationAndStepsOneAtATime()
    {
        LandscapePathSettings s = pathSettings(true);
        s.iterations = kPausedBandIterations;
        view_->showPathView();
        path()->setSettings(s);
        path()->runControls()->startButton()->click();
        QVERIFY(view_->isRunning());
        QVERIFY(path()->runControls()->pauseButton()->isEnabled());
        // Asked at once, while the worker is still on the straight line: the band holds early.
        path()->runControls()->pauseButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(view_->isPaused(), kRunTimeoutMs);
        const int held = path()->shownIteration();
        QCOMPARE(path()->runControls()->pauseButton()->text(), QStringLiteral("Resume"));
        QVERIFY2(path()->status()->text().contains(QStringLiteral("Paused at iteration %1").arg(held)),
                 qPrintable(path()->status()->text()));
        QTest::qWait(kHoldMs);
        QVERIFY(view_->isPaused());
        QCOMPARE(path()->shownIteration(), held);

        // Step (F10): exactly one iteration, and it holds again.
        view_->stepOnce();
        QTRY_COMPARE_WITH_TIMEOUT(path()->shownIteration(), held + 1, kRunTimeoutMs);
        QTest::qWait(kHoldMs);
        QCOMPARE(path()->shownIteration(), held + 1);
        QVERIFY(view_->isPaused());

        // Resume (F6) relaxes the band to its end.
        view_->togglePause();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isRunning(), kRunTimeoutMs);
        const LandscapePathResult& result = path()->result();
        QVERIFY2(result.ok, qPrintable(result.error));
        QVERIFY(!result.stopped);
        QVERIFY2(result.iterationsRun > held + 1 || result.converged, qPrintable(QString::number(result.iterationsRun)));
        QVERIFY(!view_->isPaused());
        QCOMPARE(path()->runControls()->pauseButton()->text(), QStringLiteral("Pause"));

        // Stop ends a paused band where it holds.
        path()->runControls()->startButton()->click();
        QVERIFY(view_->isRunning());
        view_->togglePause();
        QTRY_VERIFY_WITH_TIMEOUT(view_->isPaused(), kRunTimeoutMs);
        const int stoppedAt = path()->shownIteration();
        path()->runControls()->stopButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isRunning(), 5000);
        QVERIFY(path()->result().ok);
        QVERIFY(path()->result().stopped);
        QCOMPARE(path()->result().iterationsRun, stoppedAt);

        // The straight line alone has no steps to pause between.
        path()->setSettings(pathSettings(false));
        path()->runControls()->startButton()->click();
        QVERIFY(view_->isRunning());
        QVERIFY(!path()->runControls()->pauseButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isRunning(), kRunTimeoutMs);
    }

    void stopDuringAMapKeepsItsRowsAndThePageComputesTheNext()
    {
        const int resolution = landscapeLimits().maxResolution;
        view_->showPlaneView();
        plane()->setSettings(planeSettings(resolution));
        view_->start();
        QVERIFY(plane()->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(plane()->progressBar()->value() > 0, kRunTimeoutMs);
        plane()->runControls()->stopButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isRunning(), 5000);
        const LandscapePlaneResult& stopped = plane()->result();
        QVERIFY2(stopped.ok, qPrintable(stopped.error));
        QVERIFY(stopped.stopped);
        QVERIFY2(stopped.rowsDone < resolution, qPrintable(QString::number(stopped.rowsDone)));
        QVERIFY(plane()->status()->text().contains(QStringLiteral("Stopped")));
        // The rows measured are drawn; the rest is blank.
        QCOMPARE(plane()->plot()->mapResolution(), resolution);
        QVERIFY(std::isfinite(plane()->plot()->cellEnergy(0, 0)));
        QVERIFY(std::isnan(plane()->plot()->cellEnergy(resolution - 1, resolution - 1)));
        QVERIFY(view_->canStart());
        QVERIFY(plane()->runControls()->startButton()->isEnabled());

        // The next map runs to the end: every cell is the engine's.
        runPlane(planeSettings(kMapResolution));
        ebm::OpenedModel opened = openDirectly();
        const torch::Tensor images = imagesDirectly();
        const ebm::PlaneFit fit = ebm::planeThroughImages(images[0], images[1], images[2]);
        const ebm::PlaneBounds bounds = ebm::boundsAround(fit.points.coordinates);
        ebm::PlaneMapOptions options;
        options.resolution = kMapResolution;
        const ebm::PlaneMap expected = ebm::energyPlaneMap(ebm::modelEnergy(*opened.net), fit.plane, bounds, options);
        PlanePlot* plot = plane()->plot();
        QCOMPARE(plot->mapResolution(), kMapResolution);
        for (int row = 0; row < kMapResolution; ++row)
            for (int column = 0; column < kMapResolution; ++column) {
                const double e = expected.energies[expected.index(row, column)];
                QVERIFY2(sameValue(plot->cellEnergy(row, column), e),
                         qPrintable(QString("(%1, %2): shown %3, engine %4").arg(row).arg(column)
                                        .arg(plot->cellEnergy(row, column)).arg(e)));
            }
        const QRectF extent = plot->mapRect();
        QVERIFY(sameValue(extent.left(), bounds.uMin) && sameValue(extent.right(), bounds.uMax));
        QVERIFY(sameValue(extent.top(), bounds.vMin) && sameValue(extent.bottom(), bounds.vMax));
        // The readout at a node is that node's energy and score.
        const PlanePlot::Readout readout = plot->readoutAt(QPointF(expected.uAt(3), expected.vAt(5)));
        QVERIFY(readout.inside);
        QVERIFY(sameValue(readout.energy, expected.energies[expected.index(5, 3)]));
        QVERIFY(sameValue(readout.score, expected.scoreNorm[expected.index(5, 3)]));
        QVERIFY(sameValue(readout.inPlane, std::hypot(expected.gradU[expected.index(5, 3)], expected.gradV[expected.index(5, 3)])));
        plot->showReadout(QPointF(expected.uAt(3), expected.vAt(5)));
        QVERIFY(plot->readoutLabel()->text().contains(QStringLiteral("E = ")));
        // Arrows on every node of a 16-point grid with a score; the three images marked and named.
        QVERIFY(plot->arrowCount() > 0 && plot->arrowCount() <= kMapResolution * kMapResolution);
        QCOMPARE(plot->pointLabels(), (QStringList{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")}));
        for (int i = 0; i < 3; ++i) {
            QVERIFY(sameValue(plane()->result().points[i].x(), fit.points.coordinates[i][0].item<double>()));
            QVERIFY(sameValue(plane()->result().points[i].y(), fit.points.coordinates[i][1].item<double>()));
        }
        // The thumbnails show the three images as the model reads them.
        QTRY_VERIFY_WITH_TIMEOUT(!plane()->thumbnails()->isLoading(), 10000);
        QCOMPARE(plane()->thumbnails()->image(2), tensorToImage(images[2]));
    }

    void chainsAndPrincipalComponentsAreProjected()
    {
        LandscapePlaneSettings s = planeSettings(landscapeLimits().minResolution);
        s.principalComponents = true;
        s.componentImages = kImages;
        s.chains = 2;
        runPlane(s);
        const LandscapePlaneResult& result = plane()->result();
        QVERIFY(!result.stopped);
        // The set's points and its mean, where the engine puts them.
        const ebm::PlaneFit fit = ebm::planeOfPrincipalComponents(imagesDirectly());
        QCOMPARE(result.points.size(), kImages + 1);
        QVERIFY(sameValue(result.points[4].x(), fit.points.coordinates[4][0].item<double>()));
        QVERIFY(sameValue(result.capturedVariance, fit.capturedVariance));
        QCOMPARE(plane()->plot()->pointLabels(), QStringList{QStringLiteral("mean")});
        QCOMPARE(plane()->plot()->markedPoints(), kImages + 1);
        // Two chains, one point every few steps, each with its distance from the plane.
        QCOMPARE(plane()->plot()->trajectoryCount(), 2);
        QCOMPARE(result.finalDistances.size(), 2);
        QVERIFY(result.trajectories[0].size() > 1);
        for (double d : result.finalDistances)
            QVERIFY(std::isfinite(d) && d > 0.0);
        QVERIFY2(plane()->details()->text().contains(QStringLiteral("chain")), qPrintable(plane()->details()->text()));
    }

    void fieldsAreKeptInTheSession()
    {
        LandscapePathSettings p = pathSettings(true);
        p.points = 12;
        p.from = {Source::SelectedSample, 0, {}, {}};
        p.to = {Source::File, 0, QStringLiteral("/pictures/b.png"), {}};
        path()->setSettings(p);
        LandscapePlaneSettings q = planeSettings(40);
        q.chains = 3;
        plane()->setSettings(q);
        const QJsonObject saved = view_->sessionSettings();
        QCOMPARE(saved.value(QStringLiteral("path_points")).toInt(), 12);
        QCOMPARE(saved.value(QStringLiteral("path_method")).toString(), QStringLiteral("neb"));
        QCOMPARE(saved.value(QStringLiteral("path_to_source")).toString(), QStringLiteral("file"));
        // A picked image is not kept, only where it is picked.
        QCOMPARE(saved.value(QStringLiteral("path_from_source")).toString(), QStringLiteral("sample"));
        QCOMPARE(saved.value(QStringLiteral("plane_resolution")).toInt(), 40);

        path()->setSettings(pathSettings(false));
        plane()->setSettings(planeSettings(kMapResolution));
        view_->applySessionSettings(saved);
        QCOMPARE(path()->settings().points, 12);
        QVERIFY(path()->settings().relax);
        QCOMPARE(int(path()->settings().from.source), int(Source::SelectedSample));
        QCOMPARE(int(path()->settings().to.source), int(Source::File));
        QCOMPARE(path()->settings().to.file, QStringLiteral("/pictures/b.png"));
        QCOMPARE(plane()->settings().resolution, 40);
        QCOMPARE(plane()->settings().chains, 3);
    }
};

EBM_UI_TEST_MAIN(TestUiLandscape)

#include "test_ui_landscape.moc"
