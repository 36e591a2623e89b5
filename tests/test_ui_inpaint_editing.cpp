// Editing on the Inpaint page as a person does it (issue 23): Ctrl+Z undoes what the Edit menu
// names whichever field has focus, strokes and settings in one order; a preset is applied when it
// is chosen and says when it replaced a painted mask; a picture dropped on the canvas is opened;
// a completion becomes the next input; the canvas's gestures are in the shortcut list; a
// feathered mask blends the edge and keeps the pixels beyond it exactly.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDropEvent>
#include <QMimeData>
#include <QMouseEvent>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QUrl>

#include "ebm/base/mask_preset.h"
#include "ebm/io/image_file.h"
#include "widgets/run_controls.h"
#include "widgets/sample_grid_widget.h"
#include "pages/inpaint/inpaint_fields.h"
#include "pages/inpaint/inpaint_view.h"
#include "pages/inpaint/mask_canvas.h"
#include "pages/inpaint/mask_document.h"
#include "pages/schedule/schedule_document.h"
#include "pages/schedule/schedule_view.h"
#include "ui_inpaint_support.h"

using namespace ebm::studio;
using namespace ebm::testing;

namespace {

/// The window's action with this standard key: Edit > Undo or Redo.
QAction* actionWithKey(QWidget* window, QKeySequence::StandardKey key)
{
    for (QAction* action : window->findChildren<QAction*>())
        if (action->shortcut() == QKeySequence(key))
            return action;
    return nullptr;
}

/// A drop of `path`'s file URL on `widget`; whether the drag was accepted when it entered.
bool dropFile(QWidget* widget, const QString& path)
{
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    const QPoint at = widget->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(widget, &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(widget, &drop);
    return true;
}

}  // namespace

class TestUiInpaintEditing : public InpaintPageTestCase {
    Q_OBJECT
private Q_SLOTS:
    /// A stroke, then a setting changed with its arrows, then focus on another field of the page:
    /// Ctrl+Z undoes the setting (what Edit > Undo names), again the stroke, and Ctrl+Shift+Z
    /// redoes it. Before, the focused field took the keys for its own (empty) typing history.
    void ctrlZUndoesWhatTheEditMenuNames()
    {
        InpaintView* page = openPage();
        MainWindow& w = *studio_.window;
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QAction* undo = actionWithKey(&w, QKeySequence::Undo);
        QAction* redo = actionWithKey(&w, QKeySequence::Redo);
        QVERIFY(undo && redo);

        onePixelStroke(canvas(), {{3, 3}, {4, 3}});
        QCOMPARE(generatedCount(mask()), 2);
        auto* completions = page->findChild<QSpinBox*>(QStringLiteral("completionsField"));
        QVERIFY(completions);
        const int before = completions->value();
        completions->setValue(before + 3);  // as its arrows do: no typing of its own
        QVERIFY2(undo->text().contains(QLatin1String("completions")), qPrintable(undo->text()));

        auto* fraction = page->findChild<QDoubleSpinBox*>(QStringLiteral("maskFraction"));
        QVERIFY(fraction);
        fraction->setFocus();
        QTRY_VERIFY(fraction->hasFocus());
        QCOMPARE(undo->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_Z));
        QTest::keySequence(fraction, undo->shortcut());
        QCOMPARE(completions->value(), before);
        QCOMPARE(generatedCount(mask()), 2);
        QVERIFY2(undo->text().contains(QLatin1String("Brush stroke")), qPrintable(undo->text()));

        QTest::keySequence(fraction, undo->shortcut());
        QCOMPARE(generatedCount(mask()), 0);
        QCOMPARE(completions->value(), before);
        QVERIFY2(redo->text().contains(QLatin1String("Brush stroke")), qPrintable(redo->text()));
        QTest::keySequence(fraction, redo->shortcut());  // Ctrl+Shift+Z or Ctrl+Y, as the platform has it
        QCOMPARE(generatedCount(mask()), 2);
        QCOMPARE(fraction->value(), 0.5);  // the field itself was not changed by the keys
    }

    /// One curve, one length: with "Edited curve" chosen, the Inpaint page's steps field shows the
    /// Schedule page's curve length and is read-only, as the Sample page's is; another preset
    /// gives the field back. Before, the field took any length while the Schedule page showed one.
    void theEditedCurveSetsTheSteps()
    {
        InpaintView* page = openPage();
        auto* schedule = page->findChild<QComboBox*>(QStringLiteral("scheduleField"));
        auto* steps = page->findChild<QSpinBox*>(QStringLiteral("stepsField"));
        QVERIFY(schedule && steps);
        const int curveSteps = studio_.window->scheduleView()->document()->curve().steps();
        schedule->setCurrentIndex(schedule->findData(kEditedSchedulePreset));
        QCOMPARE(page->settings().schedulePreset, kEditedSchedulePreset);
        QCOMPARE(steps->value(), curveSteps);
        QCOMPARE(page->settings().steps, curveSteps);
        QVERIFY(steps->isReadOnly());

        schedule->setCurrentIndex(schedule->findData(QStringLiteral("quick")));
        QVERIFY(!steps->isReadOnly());
        QCOMPARE(steps->value(), defaultStepsForPreset(QStringLiteral("quick")));
    }

    /// Choosing a preset applies it, one undo step; replacing a painted mask is said in the status.
    void choosingAPresetAppliesItAndSaysWhatItReplaced()
    {
        InpaintView* page = openPage();
        QUndoStack* stack = studio_.window->undoStack();
        auto* preset = page->findChild<QComboBox*>(QStringLiteral("maskPreset"));
        QVERIFY(preset);
        QCOMPARE(preset->currentData().toString(), QStringLiteral("left"));
        onePixelStroke(canvas(), {{3, 3}, {4, 3}, {5, 3}});
        const QImage painted = mask();
        QSignalSpy status(page, &StudioPage::statusMessage);

        // The person's choice of "Right half": what QComboBox does when an item is chosen.
        const int rightHalf = preset->findData(QStringLiteral("right"));
        preset->setCurrentIndex(rightHalf);
        Q_EMIT preset->activated(rightHalf);
        QCOMPARE(preset->currentData().toString(), QStringLiteral("right"));
        const std::vector<uint8_t> right = ebm::presetMaskPixels("right", 16);
        for (int i = 0; i < 256; ++i)
            QVERIFY((mask().pixelColor(i % 16, i / 16).value() >= 128) == bool(right[i]));
        QCOMPARE(stack->count(), 2);  // the stroke and the preset
        QCOMPARE(status.count(), 1);
        const QString said = status.front().front().toString();
        QVERIFY2(said.contains(QLatin1String("Right half")) && said.contains(QLatin1String("replaced")) &&
                     said.contains(QLatin1String("3 generated pixels")),
                 qPrintable(said));
        stack->undo();
        QCOMPARE(mask(), painted);

        // Over an empty mask there is nothing to warn about.
        document()->clear();
        status.clear();
        const int leftHalf = preset->findData(QStringLiteral("left"));
        preset->setCurrentIndex(leftHalf);
        Q_EMIT preset->activated(leftHalf);
        QCOMPARE(generatedCount(mask()), 128);
        QCOMPARE(status.count(), 0);
    }

    /// A PNG dropped on the canvas becomes the image to complete; other files are refused.
    void droppingAPictureOnTheCanvasOpensIt()
    {
        InpaintView* page = openPage();
        const QString dropped = QDir(dir_.path()).filePath(QStringLiteral("dropped.png"));
        ebm::writeImage(dropped.toStdString(), torch::full({1, 16, 16}, 0.25));
        QVERIFY(std::abs(page->inputImage().pixels[0] - 0.25f) > 0.01f);  // not the picture already open
        QVERIFY(dropFile(canvas(), dropped));
        QTRY_VERIFY_WITH_TIMEOUT(page->inputImage().source.contains(QLatin1String("dropped.png")), 10000);
        QVERIFY(std::abs(page->inputImage().pixels[0] - 0.25f) < 1.0f / 255);

        const QString text = QDir(dir_.path()).filePath(QStringLiteral("notes.txt"));
        QFile file(text);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a picture");
        file.close();
        QVERIFY(!dropFile(canvas(), text));
        QVERIFY(page->inputImage().source.contains(QLatin1String("dropped.png")));
    }

    /// "Use as Input": the selected completion (else the first) becomes the image, the mask stays.
    void aCompletionBecomesTheNewInput()
    {
        InpaintView* page = openPage();
        auto* use = page->findChild<QPushButton*>(QStringLiteral("useCompletionButton"));
        QVERIFY(use);
        QVERIFY(!use->isEnabled());
        document()->applyPreset(QStringLiteral("right"));
        const InpaintOutcome outcome = runToEnd(2);
        QVERIFY2(!outcome.run.failed, qPrintable(outcome.run.message));
        QVERIFY(use->isEnabled());
        page->grid()->setSelected(1);
        use->click();
        QVERIFY(page->inputImage().source.contains(QLatin1String("#2")));
        QCOMPARE(page->inputImage().image, outcome.images[1]);
        QCOMPARE(page->inputImage().pixels.size(), 256);
        for (int i = 0; i < 256; ++i)
            QVERIFY(page->inputImage().pixels[i] == std::clamp(outcome.completions[256 + i], 0.0f, 1.0f));
        QCOMPARE(canvas()->image(), outcome.images[1]);
        QCOMPARE(generatedCount(mask()), 128);
    }

    /// The canvas's gestures are listed for F1.
    void theCanvasGesturesAreListed()
    {
        InpaintView* page = openPage();
        const QList<StudioPage::ShortcutHelp> gestures = page->pageShortcuts();
        QVERIFY(listsShortcut(gestures, QStringLiteral("Space"), QStringLiteral("pans")));
        QVERIFY(listsShortcut(gestures, QStringLiteral("Middle"), QStringLiteral("pans")));
        QVERIFY(listsShortcut(gestures, QStringLiteral("Wheel"), QStringLiteral("zooms")));
        QVERIFY(listsShortcut(gestures, QStringLiteral("Drop"), QStringLiteral("opens")));
    }

    /// A feathered mask: the pixels beyond the feather stay exactly the input, the known pixel next
    /// to the edge is blended, and the error still counts the marked pixels only.
    void aFeatheredMaskBlendsTheEdge()
    {
        InpaintView* page = openPage();
        document()->applyPreset(QStringLiteral("right"));  // columns 8..15
        const InpaintOutcome outcome = runToEnd(2, /*referenceNoise=*/false, /*maskFeather=*/2);
        QVERIFY2(!outcome.run.failed, qPrintable(outcome.run.message));
        const QVector<float>& input = page->inputImage().pixels;
        bool edgeBlended = false;
        for (int n = 0; n < 2; ++n) {
            for (int y = 0; y < 16; ++y) {
                for (int x = 0; x < 6; ++x)  // more than two pixels from the edge: exact
                    QVERIFY(completionPixel(outcome, n, x, y) == input[y * 16 + x]);
                edgeBlended = edgeBlended || completionPixel(outcome, n, 7, y) != input[y * 16 + 7];
            }
            QVERIFY(std::abs(outcome.maskedMse[n] - rightHalfMse(outcome, input, n)) < 1e-6);
        }
        QVERIFY(edgeBlended);
    }
};

EBM_UI_TEST_MAIN(TestUiInpaintEditing)
#include "test_ui_inpaint_editing.moc"
#include "moc_ui_studio_test_case.cpp"
