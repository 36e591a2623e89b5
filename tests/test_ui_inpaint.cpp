// The Inpaint page as a person uses it: an image opened as the model gets it, a mask painted
// with mouse events (brush, eraser, rectangle, fill; each stroke one undo step of the mask
// document), zoom about the cursor, presets (the engine's: the same masks as `ebm inpaint`), mask
// files, sessions and remembered settings; runs whose known pixels stay exactly the input and
// whose errors are measured over the generated pixels only.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QMouseEvent>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QWheelEvent>

#include "ebm/base/mask_preset.h"
#include "ebm/schedule/sampling_options.h"
#include "ebm/io/dataset.h"
#include "ebm/io/image_file.h"
#include "widgets/run_controls.h"
#include "widgets/sample_grid_widget.h"
#include "pages/inpaint/comparison_panel.h"
#include "pages/inpaint/inpaint_fields.h"
#include "pages/inpaint/inpaint_view.h"
#include "pages/inpaint/mask_canvas.h"
#include "pages/inpaint/mask_document.h"
#include "pages/inpaint/thumbnail_browser.h"
#include "ui_file_traps.h"
#include "ebm/base/png_settings.h"
#include "annealing/picture_settings.h"
#include "ui_inpaint_support.h"

using namespace ebm::studio;
using namespace ebm::testing;

class TestUiInpaint : public InpaintPageTestCase {
    Q_OBJECT
private Q_SLOTS:
    void theImageIsShownAsTheModelGetsIt()
    {
        InpaintView* page = openPage();
        const InpaintImage& image = page->inputImage();
        QCOMPARE(image.size, 16);
        QCOMPARE(image.channels, 1);
        QCOMPARE(image.image.size(), QSize(16, 16));
        QCOMPARE(canvas()->image().size(), QSize(16, 16));
        QVERIFY(image.ok);
        QVERIFY2(page->imageNote()->text().contains(QLatin1String("24x24")) &&
                     page->imageNote()->text().contains(QLatin1String("16x16")),
                 qPrintable(page->imageNote()->text()));
        QCOMPARE(image.pixels.size(), 16 * 16);
        // A file that is no picture: one clear line, the image stays.
        QSignalSpy problems(page, &StudioPage::problem);
        const QString bad = QDir(dir_.path()).filePath(QStringLiteral("bad.png"));
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a png");
        file.close();
        page->openImage(InpaintView::Source::File, bad, 0);
        QTRY_COMPARE_WITH_TIMEOUT(problems.count(), 1, 10000);
        QVERIFY(problems.front().front().toString().contains(QLatin1String("bad.png")));
        QVERIFY(page->inputImage().ok);
    }

    void paintingEachToolAndUndoingEachStroke()
    {
        InpaintView* page = openPage();
        QUndoStack* undo = studio_.window->undoStack();
        canvas()->setBrushSize(1);
        canvas()->setHardness(1.0);
        stroke(canvas(), {{3, 3}});
        QCOMPARE(generatedCount(mask()), 1);
        QVERIFY(isGenerated(mask(), 3, 3));
        QCOMPARE(undo->count(), 1);

        stroke(canvas(), {{2, 8}, {6, 8}, {10, 8}});  // one drag along row 8
        QCOMPARE(generatedCount(mask()), 1 + 9);
        QCOMPARE(undo->count(), 2);

        canvas()->setTool(MaskCanvas::Tool::Eraser);
        stroke(canvas(), {{5, 8}});
        QVERIFY(!isGenerated(mask(), 5, 8));
        QCOMPARE(generatedCount(mask()), 9);

        canvas()->setTool(MaskCanvas::Tool::Rectangle);
        mouse(canvas(), QEvent::MouseButtonPress, canvas()->imageToWidget(QPointF(11, 11)));
        mouse(canvas(), QEvent::MouseMove, canvas()->imageToWidget(QPointF(13, 12)));
        mouse(canvas(), QEvent::MouseButtonRelease, canvas()->imageToWidget(QPointF(14, 14)));
        QCOMPARE(generatedCount(mask()), 9 + 9);  // pixels 11..13 squared
        QVERIFY(isGenerated(mask(), 13, 13) && !isGenerated(mask(), 14, 14));

        // Fill flips the connected region under the click: all the unmasked background.
        canvas()->setTool(MaskCanvas::Tool::Fill);
        stroke(canvas(), {{0, 15}});
        QCOMPARE(generatedCount(mask()), 256);
        QCOMPARE(undo->count(), 5);

        undo->undo();
        QCOMPARE(generatedCount(mask()), 18);
        undo->undo();
        QCOMPARE(generatedCount(mask()), 9);
        undo->undo();
        QVERIFY(isGenerated(mask(), 5, 8));
        undo->redo();
        QVERIFY(!isGenerated(mask(), 5, 8));

        // Presets, invert and clear are edits too; the mask survives switching pages.
        document()->applyPreset(QStringLiteral("right"));
        QCOMPARE(generatedCount(mask()), 128);
        QVERIFY(isGenerated(mask(), 8, 0) && !isGenerated(mask(), 7, 0));
        document()->invert();
        QVERIFY(isGenerated(mask(), 7, 0) && !isGenerated(mask(), 8, 0));
        studio_.window->pages()->setCurrentIndex(0);
        studio_.window->showPage(page);
        QCOMPARE(generatedCount(mask()), 128);
        document()->clear();
        QCOMPARE(generatedCount(mask()), 0);
        undo->undo();
        QCOMPARE(generatedCount(mask()), 128);
    }

    void zoomKeepsThePixelUnderTheCursor()
    {
        openPage();
        const QPointF cursor = canvas()->imageToWidget(QPointF(4.25, 9.75));
        for (int notches : {2, -3, 1}) {
            const QPointF before = canvas()->widgetToImage(cursor);
            QWheelEvent wheel(cursor, canvas()->mapToGlobal(cursor), QPoint(), QPoint(0, 120 * notches), Qt::NoButton,
                              Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(canvas(), &wheel);
            const QPointF after = canvas()->widgetToImage(cursor);
            QVERIFY(std::abs(after.x() - before.x()) < 1e-9 && std::abs(after.y() - before.y()) < 1e-9);
        }
        // Painting where the cursor is still hits that pixel.
        canvas()->setBrushSize(1);
        stroke(canvas(), {{4, 9}});
        QVERIFY(isGenerated(mask(), 4, 9));
        // Middle-button drag pans: the same screen point now shows another pixel.
        const QPointF before = canvas()->widgetToImage(cursor);
        mouse(canvas(), QEvent::MouseButtonPress, cursor, Qt::MiddleButton);
        mouse(canvas(), QEvent::MouseMove, cursor + QPointF(40, 0), Qt::MiddleButton);
        mouse(canvas(), QEvent::MouseButtonRelease, cursor + QPointF(40, 0), Qt::MiddleButton);
        QVERIFY(canvas()->widgetToImage(cursor).x() < before.x());
        QCOMPARE(generatedCount(mask()), 1);  // panning paints nothing
    }

    void knownPixelsStayExactlyTheInputAndErrorsCountTheGeneratedOnes()
    {
        InpaintView* page = openPage();
        document()->applyPreset(QStringLiteral("right"));
        for (bool referenceNoise : {false, true}) {
            const InpaintOutcome outcome = runToEnd(3, referenceNoise);
            QVERIFY2(!outcome.run.failed, qPrintable(outcome.run.message));
            QCOMPARE(outcome.count, 3);
            QCOMPARE(outcome.completions.size(), 3 * 16 * 16);
            const QVector<float>& input = page->inputImage().pixels;
            for (int n = 0; n < 3; ++n) {
                for (int y = 0; y < 16; ++y)
                    for (int x = 0; x < 8; ++x)  // bit-identical, not close (QCOMPARE is fuzzy for floats)
                        QVERIFY(completionPixel(outcome, n, x, y) == input[y * 16 + x]);
                QVERIFY(std::abs(outcome.maskedMse[n] - rightHalfMse(outcome, input, n)) < 1e-6);
            }
            // Every recorded frame shows the known pixels as they are.
            const QImage shown = page->inputImage().image;
            for (int i = 0; i < page->history().size(); ++i)
                for (int y = 0; y < 16; y += 5)
                    QCOMPARE(page->history().at(i).raw.front().pixel(3, y), shown.pixel(3, y));
        }
        // Side by side: best and worst marked, and the export exists.
        QVERIFY(page->comparison()->bestIndex() >= 0);
        QCOMPARE(page->grid()->images().size(), 3);
        QString error;
        const QString panel = QDir(dir_.path()).filePath(QStringLiteral("side.png"));
        QVERIFY2(page->exportSideBySide(panel, error), qPrintable(error));
        QVERIFY(QImage(panel).width() > QImage(panel).height() / 3);
        const QString grid = QDir(dir_.path()).filePath(QStringLiteral("grid.png"));
        QVERIFY2(page->exportCompletionsPng(grid, error), qPrintable(error));
        QVERIFY(!QImage(grid).isNull());
        const QString npy = QDir(dir_.path()).filePath(QStringLiteral("completions.npy"));
        QSignalSpy status(page, &StudioPage::statusMessage);
        QVERIFY2(page->exportCompletionsNpy(npy, error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(npy) && status.count() >= 1, 10000);
        const torch::Tensor written = ebm::readNpy(npy.toStdString());
        QCOMPARE(written.sizes(), (torch::IntArrayRef{3, 1, 16, 16}));
        QCOMPARE(written[2][0][15][0].item<float>(), page->inputImage().pixels[15 * 16]);
    }

    void anArrayIsBrowsedByThumbnailsAndOpenedByIndex()
    {
        openPage();
        const QString npy = QDir(dir_.path()).filePath(QStringLiteral("seventy.npy"));
        // Image k is uniformly k / 100: which one was opened is visible in its pixels.
        const torch::Tensor levels = (torch::arange(70, torch::kFloat32) / 100).reshape({70, 1, 1, 1});
        ebm::writeNpy(npy.toStdString(), levels.expand({70, 1, 16, 16}).contiguous());
        ThumbnailBrowser browser(studio_.window->engine(), npy, 3);
        browser.resize(500, 500);
        browser.show();
        QTRY_COMPARE_WITH_TIMEOUT(browser.grid()->images().size(), 64, 10000);
        browser.showPage(64);
        QTRY_COMPARE_WITH_TIMEOUT(browser.grid()->images().size(), 6, 10000);
        QCOMPARE(browser.firstShown(), 64);
        mouse(browser.grid(), QEvent::MouseButtonPress, browser.grid()->cellRect(2).center());
        QCOMPARE(browser.chosenIndex(), 66);

        view()->openImage(InpaintView::Source::File, npy, browser.chosenIndex());
        QTRY_VERIFY_WITH_TIMEOUT(view()->inputImage().source.contains(QLatin1String("image 66")), 10000);
        QVERIFY(std::abs(view()->inputImage().pixels[0] - 0.66f) < 1e-6);
        QSignalSpy problems(view(), &StudioPage::problem);
        view()->openImage(InpaintView::Source::File, npy, 70);  // one past the end
        QTRY_COMPARE_WITH_TIMEOUT(problems.count(), 1, 10000);
        QVERIFY(problems.front().front().toString().contains(QLatin1String("70")));
    }

    void aMaskOfAnotherSizeIsScaledNotLost()
    {
        openPage();
        // An undo step kept from a model of another size: applied, it fits this image.
        QImage big(32, 32, QImage::Format_Grayscale8);
        big.fill(0);
        for (int y = 0; y < 32; ++y)
            for (int x = 16; x < 32; ++x)
                big.scanLine(y)[x] = 255;
        QVERIFY(document()->edit(big, QStringLiteral("a step from a 32x32 model")));
        QCOMPARE(mask().size(), QSize(16, 16));
        QCOMPARE(generatedCount(mask()), 128);
        QVERIFY(isGenerated(mask(), 8, 0) && !isGenerated(mask(), 7, 0));
        studio_.window->undoStack()->undo();
        QCOMPARE(generatedCount(mask()), 0);
        studio_.window->undoStack()->redo();
        QCOMPARE(mask().size(), QSize(16, 16));
        QCOMPARE(generatedCount(mask()), 128);
    }

    void theRandomPresetIsTheEnginesMask()
    {
        InpaintView* page = openPage();
        // The person's way: "Random pixels", fraction 0.5, Apply.
        auto* preset = page->findChild<QComboBox*>(QStringLiteral("maskPreset"));
        auto* fraction = page->findChild<QDoubleSpinBox*>(QStringLiteral("maskFraction"));
        auto* apply = page->findChild<QPushButton*>(QStringLiteral("applyMaskPreset"));
        QVERIFY(preset && fraction && apply);
        preset->setCurrentIndex(preset->findData(QStringLiteral("random")));
        fraction->setValue(0.5);
        apply->click();
        QCOMPARE(studio_.window->undoStack()->count(), 1);
        // `ebm inpaint --mask random:0.5` without --seed: the tool's default seed.
        const std::vector<uint8_t> engine = ebm::presetMaskPixels("random:0.5", 16, ebm::SamplingOptions().seed);
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x)
                QVERIFY2(isGenerated(mask(), x, y) == bool(engine[y * 16 + x]),
                         qPrintable(QStringLiteral("pixel %1, %2").arg(x).arg(y)));
        // The halves and the centre are the engine's too.
        for (const char* name : {"left", "right", "top", "bottom", "centre"}) {
            QVERIFY(document()->applyPreset(QString::fromLatin1(name)));
            const std::vector<uint8_t> pixels = ebm::presetMaskPixels(name, 16);
            for (int i = 0; i < 256; ++i)
                QVERIFY(isGenerated(mask(), i % 16, i / 16) == bool(pixels[i]));
        }
        QVERIFY(!document()->applyPreset(QStringLiteral("diagonal")));
    }

    void settingsAreRememberedAndRestoringStartsNothing()
    {
        InpaintView* page = openPage();
        InpaintSettings s = page->settings();
        s.completions = 6;
        s.seed = 1234;
        s.denoiseJump = false;
        page->setSettings(s);
        QSettings store(QDir(dir_.path()).filePath(QStringLiteral("remembered.ini")), QSettings::IniFormat);
        page->saveSettings(store);  // as the window does: the store at its root
        QCOMPARE(store.value(QStringLiteral("inpainting/completions")).toInt(), 6);

        page->setSettings(InpaintSettings());
        QCOMPARE(page->settings().completions, InpaintSettings().completions);
        page->restoreSettings(store);
        QCOMPARE(page->settings().completions, 6);
        QCOMPARE(page->settings().seed, quint64(1234));
        QVERIFY(!page->settings().denoiseJump);
        QApplication::processEvents();
        QVERIFY(!page->isRunning() && !studio_.window->engine()->isBusy());
        QCOMPARE(studio_.window->undoStack()->count(), 0);  // not an edit either
    }

    void anEmptyMaskIsRefusedWithAMessage()
    {
        InpaintView* page = openPage();
        QSignalSpy problems(page, &StudioPage::problem);
        document()->clear();
        page->startInpainting();
        QCOMPARE(problems.count(), 1);
        QVERIFY(problems.front().front().toString().contains(QLatin1String("generates no pixel")));
        QVERIFY(!page->isRunning());
    }

    void maskFilesAndSessions()
    {
        InpaintView* page = openPage();
        document()->applyPreset(QStringLiteral("centre"));
        const QImage centre = mask();
        QString error;
        const QString path = QDir(dir_.path()).filePath(QStringLiteral("mask.png"));
        QVERIFY2(document()->save(path, error, page->maskSettings()), qPrintable(error));
        // The saved mask says what it was painted for, and its own hash.
        const std::optional<std::string> kept = ebm::readPngSettings(path.toStdString());
        QVERIFY(kept);
        const ebm::Json settings = ebm::Json::parse(*kept);
        QCOMPARE(QString::fromStdString(settings.at("command").get<std::string>()), kStudioInpaintMaskCommand);
        QCOMPARE(settings.at("mask").at("pixels_sha256").get<std::string>(), maskPixelsSha256(document()->binary()));
        QCOMPARE(settings.at("mask").at("width").get<int>(), centre.width());
        QVERIFY(!settings.at("input").at("name").get<std::string>().empty());
        document()->clear();
        QVERIFY2(page->loadMask(path, error), qPrintable(error));
        QCOMPARE(mask(), centre);
        // A 32x32 mask picture is scaled to 16x16 with nearest neighbours, and the person is told.
        QImage big(32, 32, QImage::Format_Grayscale8);
        big.fill(0);
        for (int y = 0; y < 32; ++y)
            for (int x = 16; x < 32; ++x)
                big.scanLine(y)[x] = 255;
        const QString bigPath = QDir(dir_.path()).filePath(QStringLiteral("big.png"));
        QVERIFY(big.save(bigPath));
        QSignalSpy status(page, &StudioPage::statusMessage);
        QVERIFY(page->loadMask(bigPath, error));
        QCOMPARE(generatedCount(mask()), 128);
        QVERIFY(isGenerated(mask(), 8, 3) && !isGenerated(mask(), 7, 3));
        QCOMPARE(status.count(), 1);
        QVERIFY(!page->loadMask(QDir(dir_.path()).filePath(QStringLiteral("none.png")), error));
        QVERIFY(error.contains(QLatin1String("none.png")));

        // The mask and the settings are part of the session.
        InpaintSettings s = page->settings();
        s.completions = 5;
        page->setSettings(s);
        const QJsonObject part = page->sessionSettings();
        document()->clear();
        s.completions = 9;
        page->setSettings(s);
        page->applySessionSettings(part);
        QCOMPARE(generatedCount(mask()), 128);
        QCOMPARE(page->settings().completions, 5);
    }

    void exportsKeepLinksAndRefusePipes()
    {
        // The pictures and the mask go through the safe writer, not QImage::save (which writes
        // into a pipe and into a linked file in place).
        InpaintView* page = openPage();
        document()->applyPreset(QStringLiteral("right"));
        const InpaintOutcome outcome = runToEnd(2);
        QVERIFY2(!outcome.run.failed, qPrintable(outcome.run.message));
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QString error;
        const QString plain = QDir(folder.path()).filePath(QStringLiteral("plain.png"));
        QVERIFY2(page->exportCompletionsPng(plain, error), qPrintable(error));
        const LinkedFile grid = LinkedFile::make(
            folder.path(), QStringLiteral("grid.png"), QStringLiteral("grid-real.png"));
        QVERIFY(grid.ok());
        QVERIFY2(page->exportCompletionsPng(grid.link, error), qPrintable(error));
        QVERIFY(grid.linkKept());
        QVERIFY(grid.replacedWhole());
        QCOMPARE(QImage(grid.real), QImage(plain));

        HeldFifo side(QDir(folder.path()).filePath(QStringLiteral("side.png")));
        QVERIFY(side.ok());
        QVERIFY(!page->exportSideBySide(side.path(), error));
        QVERIFY2(error.startsWith(side.path()) && error.contains(QLatin1String("not a regular file")),
                 qPrintable(error));
        QVERIFY(side.stillAFifo());
        QCOMPARE(side.bytesInPipe(), qint64(0));

        HeldFifo maskPipe(QDir(folder.path()).filePath(QStringLiteral("mask.png")));
        QVERIFY(maskPipe.ok());
        QVERIFY(!document()->save(maskPipe.path(), error));
        QVERIFY2(error.startsWith(maskPipe.path()), qPrintable(error));
        QVERIFY(maskPipe.stillAFifo());
        QCOMPARE(maskPipe.bytesInPipe(), qint64(0));
    }
};

EBM_UI_TEST_MAIN(TestUiInpaint)
#include "test_ui_inpaint.moc"
#include "moc_ui_studio_test_case.cpp"
