#pragma once
// What the Inpaint page's tests share: mouse gestures on the mask canvas, reading a mask's
// generated pixels, and a test base with the page opened on a test picture and run to its end.
// A test that includes it ends with `#include "moc_ui_studio_test_case.cpp"` (see that header).
#include <QApplication>
#include <QDir>
#include <QMouseEvent>
#include <QPointF>
#include <QUndoStack>
#include <QVector>
#include <QtTest/QtTest>

#include <torch/torch.h>

#include "ebm/io/image_file.h"
#include "widgets/run_controls.h"
#include "pages/inpaint/inpaint_fields.h"
#include "pages/inpaint/inpaint_view.h"
#include "pages/inpaint/mask_canvas.h"
#include "pages/inpaint/mask_document.h"
#include "ui_studio_test_case.h"

namespace ebm::testing {

/// One mouse event at `at` (widget coordinates): `button` pressed, held while moving, released.
inline void mouse(QWidget* widget, QEvent::Type type, const QPointF& at, Qt::MouseButton button = Qt::LeftButton)
{
    const Qt::MouseButton pressed = type == QEvent::MouseMove ? Qt::NoButton : button;
    const Qt::MouseButtons held = type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::MouseButtons(button);
    QMouseEvent event(type, at, widget->mapToGlobal(at), pressed, held, Qt::NoModifier);
    QApplication::sendEvent(widget, &event);
}

/// A stroke through the centres of the given image pixels, with the canvas's tool as it is.
inline void stroke(studio::MaskCanvas* canvas, const QVector<QPoint>& pixels)
{
    auto centre = [canvas](const QPoint& p) { return canvas->imageToWidget(QPointF(p) + QPointF(0.5, 0.5)); };
    mouse(canvas, QEvent::MouseButtonPress, centre(pixels.front()));
    for (const QPoint& p : pixels)
        mouse(canvas, QEvent::MouseMove, centre(p));
    mouse(canvas, QEvent::MouseButtonRelease, centre(pixels.back()));
}

/// The same with a hard brush one pixel wide: exactly the pixels passed through change.
inline void onePixelStroke(studio::MaskCanvas* canvas, const QVector<QPoint>& pixels)
{
    canvas->setBrushSize(1);
    canvas->setHardness(1.0);
    stroke(canvas, pixels);
}

inline bool isGenerated(const QImage& mask, int x, int y) { return mask.pixelColor(x, y).value() >= 128; }

inline int generatedCount(const QImage& mask)
{
    int n = 0;
    for (int y = 0; y < mask.height(); ++y)
        for (int x = 0; x < mask.width(); ++x)
            n += isGenerated(mask, x, y);
    return n;
}

/// Pixel (x, y) of completion `n` of a run on 16x16 images.
inline float completionPixel(const studio::InpaintOutcome& outcome, int n, int x, int y)
{
    return outcome.completions[n * 256 + y * 16 + x];
}

/// The mean squared error of completion `n` against `input` over columns 8..15 of 16x16 pixels:
/// the generated pixels of the "right" preset, the only ones the page's error may count.
inline double rightHalfMse(const studio::InpaintOutcome& outcome, const QVector<float>& input, int n)
{
    double squared = 0.0;
    for (int y = 0; y < 16; ++y)
        for (int x = 8; x < 16; ++x) {
            const double error = double(completionPixel(outcome, n, x, y)) - input[y * 16 + x];
            squared += error * error;
        }
    return squared / 128;
}

/// The base of the Inpaint page's tests (derive from it with its own Q_OBJECT): the tiny model and
/// a 24x24 ramp picture that the page shows centre-cropped and resized to the model's 16x16.
class InpaintPageTestCase : public StudioTestCase {
protected:
    QString picture_;

    void writeTestFiles() override
    {
        picture_ = QDir(dir_.path()).filePath(QStringLiteral("picture.png"));
        ebm::writeImage(picture_.toStdString(), torch::linspace(0, 1, 24 * 24).reshape({1, 24, 24}));
    }

    studio::InpaintView* view() const { return studio_.window->inpaintView(); }
    studio::MaskCanvas* canvas() const { return view()->canvas(); }
    studio::MaskDocument* document() const { return view()->maskDocument(); }
    const QImage& mask() const { return document()->mask(); }

    /// The window on the tiny model, the page in front with the picture open, no undo steps.
    studio::InpaintView* openPage()
    {
        studio_.open(dir_.path(), tinyModel_);
        studio::MainWindow& w = *studio_.window;
        w.showPage(w.inpaintView());
        view()->openImage(studio::InpaintView::Source::File, picture_, 0);
        if (!QTest::qWaitFor([this] { return view()->inputImage().ok; }, 20000))
            qWarning("the test picture did not open within 20 s");  // the checks that follow fail
        w.undoStack()->clear();
        QApplication::processEvents();
        return view();
    }

    /// A quick run of 30 steps started with the page's button; its outcome once it has ended
    /// (an empty one after 60 s). Both options are set every time: the page remembers settings.
    studio::InpaintOutcome runToEnd(int completions, bool referenceNoise = false, int maskFeather = 0)
    {
        studio::InpaintSettings s = view()->settings();
        s.schedulePreset = QStringLiteral("quick");
        s.steps = 30;
        s.completions = completions;
        s.referenceNoise = referenceNoise;
        s.maskFeather = maskFeather;
        view()->setSettings(s);
        view()->runControls()->startButton()->click();
        [&] { QTRY_VERIFY_WITH_TIMEOUT(view()->lastOutcome().has_value() && !view()->isRunning(), 60000); }();
        return view()->lastOutcome().value_or(studio::InpaintOutcome{});
    }
};

}  // namespace ebm::testing
