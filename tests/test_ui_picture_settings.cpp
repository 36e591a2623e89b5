// Settings inside the studio's pictures (issue 27): a grid the Sample page exports keeps the run's
// settings in its "ebm-studio" chunk; File > Open Settings from Image (and a PNG dropped on the
// window) gives them back to the page as one undo step, the Schedule page's curve included when
// the run sampled an edited curve; a picture from elsewhere, or with a damaged chunk, is refused
// in one line and changes nothing.
#include <QtTest/QtTest>

#include <QCheckBox>
#include <QDropEvent>
#include <QImage>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QUndoStack>
#include <QUrl>

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "ebm/base/json.h"
#include "ebm/base/png_settings.h"
#include "ebm/base/sha256.h"
#include "ebm/schedule/schedule.h"
#include "ebm/schedule/schedule_curve.h"
#include "widgets/notification_bar.h"
#include "widgets/run_controls.h"
#include "annealing/sampling_panel.h"
#include "pages/sample/sample_view.h"
#include "pages/schedule/schedule_document.h"
#include "pages/schedule/schedule_view.h"
#include "pages/train/train_view.h"
#include "window/main_window.h"
#include "ui_job_probes.h"
#include "ui_studio_test_case.h"

using namespace ebm::studio;
using ebm::testing::SamplingProbe;

namespace {

constexpr int kWaitMs = 60000;

SamplingSettings quickRun(const QString& preset, int steps, quint64 seed)
{
    SamplingSettings s;
    s.schedulePreset = preset;
    s.steps = steps;
    s.numSamples = 4;
    s.seed = seed;
    s.recordEvery = 1;
    return s;
}

/// Cooling from `from` to 1 over `steps` steps: no preset's shape.
ebm::ScheduleCurve coolingCurve(int steps, double from)
{
    return ebm::ScheduleCurve(steps,
                              {{0, from, ebm::SegmentMode::Linear}, {double(steps), 1, ebm::SegmentMode::Linear}});
}

/// The settings a PNG keeps, parsed (null when it keeps none).
ebm::Json settingsOf(const QString& path)
{
    const std::optional<std::string> text = ebm::readPngSettings(path.toStdString());
    return text ? ebm::Json::parse(*text) : ebm::Json();
}

std::string fileBytes(const QString& path)
{
    std::ifstream in(path.toStdString(), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The fields a picture's settings restore, for comparing before and after.
struct Restorable {
    QString preset;
    int steps = 0;
    quint64 seed = 0;
    int samples = 0;
    double stepSize = 0;
    bool operator==(const Restorable& o) const
    {
        return preset == o.preset && steps == o.steps && seed == o.seed && samples == o.samples &&
               stepSize == o.stepSize;
    }
};

Restorable restorable(const SamplingSettings& s)
{
    return {s.schedulePreset, s.steps, s.seed, s.numSamples, s.stepSize};
}

}  // namespace

class TestUiPictureSettings : public ebm::testing::StudioTestCase {
    Q_OBJECT

    /// Runs the Sample page with `s` to the end and exports its grid as `name`.
    QString sampleAndExport(MainWindow& w, const SamplingSettings& s, const QString& name)
    {
        SamplingProbe runs(w.engine(), SamplingProbe::EveryJob);
        QSignalSpy finished(&runs, &SamplingProbe::finished);
        w.sampleView()->panel()->setSettings(s);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(w.sampleView()->runControls()->startButton()->isEnabled(), kWaitMs); }();
        w.sampleView()->runControls()->startButton()->click();
        if (!finished.wait(kWaitMs) || finished.first().at(0).value<SamplingOutcome>().failed)
            return {};
        const QString path = QDir(dir_.path()).filePath(name);
        QString error;
        return w.sampleView()->exportGrid(path, error) ? path : QString();
    }

    SamplingSettings shown(MainWindow& w) const { return w.sampleView()->panel()->settings(); }

private Q_SLOTS:
    /// A grid of a preset's run keeps the seed, the preset's curve at the run's length, the
    /// sampler and the model's SHA-256; taken back after the fields changed, it restores them in
    /// one undo step, which one Undo takes back.
    void presetRunRoundTrips()
    {
        MainWindow& w = openWindow(tinyModel_);
        const QString grid = sampleAndExport(w, quickRun(QStringLiteral("quick"), 6, 5), QStringLiteral("grid.png"));
        QVERIFY(!grid.isEmpty());
        const ebm::Json kept = settingsOf(grid);
        QVERIFY(kept.is_object());
        QCOMPARE(kept["command"].get<std::string>(), std::string("studio sample"));
        QCOMPARE(kept["seed"].get<uint64_t>(), uint64_t(5));
        QCOMPARE(ebm::ScheduleCurve::fromJson(kept["schedule"].dump(), "kept").expand().temperatures(),
                 ebm::Schedule::preset("quick", 6).temperatures());
        QCOMPARE(kept["sampler"].get<std::string>(), std::string("langevin"));
        QCOMPARE(kept["samples"].get<int>(), 4);
        QCOMPARE(kept["model"]["file"].get<std::string>(), std::string("tiny.ebm"));
        QCOMPARE(kept["model"]["sha256"].get<std::string>(), ebm::fileSha256Hex(tinyModel_.toStdString()));
        QVERIFY(kept["moment"]["final"].get<bool>());
        const Restorable picture = restorable(shown(w));

        SamplingSettings changed = quickRun(QStringLiteral("paper"), 40, 77);
        changed.numSamples = 9;
        changed.stepSize = 0.05;
        w.sampleView()->panel()->setSettings(changed);
        const Restorable before = restorable(shown(w));
        QVERIFY(!(before == picture));
        w.showPage(w.trainView());
        const int steps = w.undoStack()->count();

        QVERIFY(w.openSettingsFromImage(grid));
        QCOMPARE(restorable(shown(w)), picture);
        QCOMPARE(w.currentPage(), static_cast<StudioPage*>(w.sampleView()));
        QVERIFY2(w.notifications()->text().contains(QLatin1String("grid.png")), qPrintable(w.notifications()->text()));
        QCOMPARE(w.undoStack()->count(), steps + 1);
        QVERIFY2(w.undoStack()->undoText().contains(QLatin1String("grid.png")), qPrintable(w.undoStack()->undoText()));

        w.undoStack()->undo();
        QCOMPARE(restorable(shown(w)), before);
        w.undoStack()->redo();
        QCOMPARE(restorable(shown(w)), picture);
    }

    /// A run on the Schedule page's curve keeps that curve; taking the picture back puts it on
    /// the Schedule page again, in the same undo step as the fields.
    void editedCurveComesBackToTheSchedulePage()
    {
        MainWindow& w = openWindow(tinyModel_);
        w.scheduleView()->livePreviewBox()->setChecked(false);  // no preview runs between ours
        const ebm::ScheduleCurve curve = coolingCurve(12, 10);
        w.scheduleView()->document()->edit(curve, QStringLiteral("test curve"));
        QCOMPARE(shown(w).schedulePreset, kEditedSchedulePreset);  // the Sample page follows an edit
        const QString grid = sampleAndExport(w, quickRun(kEditedSchedulePreset, 12, 9), QStringLiteral("curve.png"));
        QVERIFY(!grid.isEmpty());
        const ebm::Json kept = settingsOf(grid);
        QCOMPARE(ebm::ScheduleCurve::fromJson(kept["schedule"].dump(), "kept").toJson(), curve.toJson());

        const ebm::ScheduleCurve other = coolingCurve(30, 20);
        w.scheduleView()->document()->edit(other, QStringLiteral("other curve"));
        w.sampleView()->panel()->setSettings(quickRun(QStringLiteral("quick"), 40, 77));
        const Restorable before = restorable(shown(w));
        const int steps = w.undoStack()->count();

        QVERIFY(w.openSettingsFromImage(grid));
        QCOMPARE(w.scheduleView()->document()->curve().toJson(), curve.toJson());
        QCOMPARE(shown(w).schedulePreset, kEditedSchedulePreset);
        QCOMPARE(shown(w).steps, 12);
        QCOMPARE(shown(w).seed, quint64(9));
        QCOMPARE(w.undoStack()->count(), steps + 1);

        w.undoStack()->undo();
        QCOMPARE(w.scheduleView()->document()->curve().toJson(), other.toJson());
        QCOMPARE(restorable(shown(w)), before);
    }

    /// A PNG from another program and one whose chunk is damaged (dropped on the window) are
    /// refused in one line; the fields and the undo stack stay as they were.
    void foreignAndDamagedPicturesAreRefused()
    {
        MainWindow& w = openWindow(tinyModel_);
        const QString grid = sampleAndExport(w, quickRun(QStringLiteral("quick"), 6, 5), QStringLiteral("good.png"));
        QVERIFY(!grid.isEmpty());
        w.sampleView()->panel()->setSettings(quickRun(QStringLiteral("paper"), 40, 77));
        const Restorable before = restorable(shown(w));
        const int steps = w.undoStack()->count();

        const QString plain = QDir(dir_.path()).filePath(QStringLiteral("plain.png"));
        QImage picture(8, 8, QImage::Format_RGB32);
        picture.fill(Qt::gray);
        QVERIFY(picture.save(plain));
        QVERIFY(!w.openSettingsFromImage(plain));
        QVERIFY2(w.notifications()->kind() == NotificationBar::Kind::Error &&
                     w.notifications()->text().contains(QLatin1String("holds no EBM Studio settings")),
                 qPrintable(w.notifications()->text()));
        QVERIFY(!w.notifications()->text().contains(QLatin1Char('\n')));
        QCOMPARE(restorable(shown(w)), before);
        QCOMPARE(w.undoStack()->count(), steps);

        // The settings' text spoilt without its checksum, as on a failing disk: libpng drops the
        // chunk, and the window says so.
        std::string bytes = fileBytes(grid);
        const size_t at = bytes.find("ebm-settings");
        QVERIFY(at != std::string::npos);
        bytes.replace(at, 12, "ebm-settingz");
        const QString damaged = QDir(dir_.path()).filePath(QStringLiteral("damaged.png"));
        std::ofstream(damaged.toStdString(), std::ios::binary) << bytes;
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(damaged)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &drop);
        QVERIFY2(w.notifications()->kind() == NotificationBar::Kind::Error &&
                     w.notifications()->text().contains(QLatin1String("checksum is wrong")),
                 qPrintable(w.notifications()->text()));
        QVERIFY(!w.notifications()->text().contains(QLatin1Char('\n')));
        QCOMPARE(restorable(shown(w)), before);
        QCOMPARE(w.undoStack()->count(), steps);
    }
};

EBM_UI_TEST_MAIN(TestUiPictureSettings)

#include "annealing/sampling_types.h"
#include "pages/train/training_types.h"
#include "test_ui_picture_settings.moc"
#include "moc_ui_job_probes.cpp"
#include "moc_ui_studio_test_case.cpp"
