// A sampling run's recorded history as a video from the studio (issue 27): the moments a range of
// steps chooses and what each shows, the export dialog's values, and a short real run of the
// Sample page written through its export entry point: a lossless WebP whose every frame is the
// page's grid at its moment (pixel for pixel), an MP4 with fps x seconds frames when this FFmpeg
// has an H.264 encoder, a cancelled export and a refused file name that leave no file, and the
// Inpaint page's Video… button.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QPainter>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "ebm/io/run_video.h"
#include "ebm/io/video_file.h"
#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/image_grid.h"
#include "widgets/run_controls.h"
#include "widgets/undo_fields.h"
#include "annealing/annealing_hub.h"
#include "annealing/run_history.h"
#include "annealing/run_video_export.h"
#include "annealing/sampling_panel.h"
#include "annealing/video_export_job.h"
#include "pages/inpaint/inpaint_view.h"
#include "pages/sample/sample_exports.h"
#include "pages/sample/sample_view.h"
#include "ui_job_probes.h"
#include "ui_sampling_support.h"
#include "ui_test_main.h"

using namespace ebm::studio;
using ebm::testing::quickSampling;
using ebm::testing::SamplingProbe;

namespace {

constexpr int kWaitMs = 60000;
constexpr QRgb kVideoBackground = qRgb(24, 24, 24);  // the CLI's and the studio's run videos

/// A 2 x 2 grayscale picture of one value.
QImage flat(int value)
{
    QImage image(2, 2, QImage::Format_Grayscale8);
    image.fill(qRgb(value, value, value));
    return image;
}

SampleSnapshot moment(int step, double temperature, int value, bool final = false)
{
    SampleSnapshot s;
    s.step = step;
    s.temperature = temperature;
    s.final = final;
    s.energies = {1.0, 3.0, std::numeric_limits<double>::quiet_NaN()};
    s.raw = {flat(value), flat(value + 1), flat(value + 2)};
    return s;
}

/// Frames as rows of RGB bytes, as the video files hold them.
std::vector<uint8_t> rgbRows(const QImage& image)
{
    const QImage packed = image.convertToFormat(QImage::Format_RGB888);
    const size_t row = size_t(packed.width()) * 3;
    std::vector<uint8_t> rgb(row * packed.height());
    for (int y = 0; y < packed.height(); ++y)
        std::memcpy(rgb.data() + row * y, packed.constScanLine(y), row);
    return rgb;
}

/// What a frame of a captionless grid video of `height` pixels is: the grid as the Sample page
/// exports it (gaps of one image pixel) enlarged by the largest whole factor that fits, centred
/// on the dark background, the width made even.
QImage expectedGridFrame(const QVector<QImage>& images, int height)
{
    const QImage unscaled = composeGrid(images, 0, 1, 1);
    const int scale = height / unscaled.height();
    const QImage grid = composeGrid(images, 0, scale, scale);
    const int width = grid.width() + (grid.width() & 1);
    QImage frame(width, height, QImage::Format_RGB32);
    frame.fill(kVideoBackground);
    QPainter painter(&frame);
    painter.drawImage((width - grid.width()) / 2, (height - grid.height()) / 2, grid);
    return frame;
}

std::vector<std::string> filesIn(const QString& folder)
{
    std::vector<std::string> names;
    for (const QString& name : QDir(folder).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot))
        names.push_back(name.toStdString());
    return names;
}

}  // namespace

class TestUiVideoExport : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QUndoStack stack_;
    UndoFieldBinder* undo_ = nullptr;
    std::unique_ptr<StudioEngine> engine_;
    std::unique_ptr<AnnealingHub> hub_;
    std::unique_ptr<SampleView> view_;

    /// Exports the page's run to `path` and waits for the end; the outcome.
    RunVideoOutcome exportAndWait(const QString& path, const RunVideoOptions& options)
    {
        RunVideoOutcome failure;
        failure.failed = true;
        JobHandle* handle = view_->exports()->exportVideoTo(path, options);
        if (!handle) {
            failure.message = QStringLiteral("refused");
            return failure;
        }
        QSignalSpy finished(handle, &JobHandle::finished);
        if (!finished.wait(kWaitMs)) {
            failure.message = QStringLiteral("no end in time");
            return failure;
        }
        return finished.first().at(0).value<RunVideoOutcome>();
    }

    QString path(const QString& name) const { return QDir(dir_.path()).filePath(name); }

    QAction* videoAction() const
    {
        for (QAction* action : view_->exports()->fileActions())
            if (action->text().startsWith(QLatin1String("Export Run as Video")))
                return action;
        return nullptr;
    }

private Q_SLOTS:
    /// One short run of the Sample page (6 steps, 4 samples, every step and the end recorded)
    /// that every test exports.
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const QString model = ebm::testing::writeUntrainedModel(dir_.path(), QStringLiteral("tiny.ebm"), 16, 2, 11);
        undo_ = new UndoFieldBinder(&stack_, this);
        engine_ = std::make_unique<StudioEngine>();
        engine_->configureRuntime(QStringLiteral("cpu"), 1);
        hub_ = std::make_unique<AnnealingHub>();
        view_ = std::make_unique<SampleView>(engine_.get(), hub_.get(), undo_);
        view_->resize(1100, 700);
        view_->show();
        QSignalSpy loaded(engine_.get(), &StudioEngine::modelLoaded);
        QVERIFY(engine_->loadModel(model));
        QVERIFY(loaded.wait(kWaitMs));

        QVERIFY(videoAction());
        QVERIFY(!videoAction()->isEnabled());  // nothing recorded yet
        SamplingProbe runs(engine_.get(), SamplingProbe::EveryJob);
        QSignalSpy finished(&runs, &SamplingProbe::finished);
        view_->panel()->setSettings(quickSampling(6, 4));
        QTRY_VERIFY_WITH_TIMEOUT(view_->runControls()->startButton()->isEnabled(), kWaitMs);
        view_->runControls()->startButton()->click();
        QVERIFY(finished.wait(kWaitMs));
        QVERIFY(!finished.first().at(0).value<SamplingOutcome>().failed);
        QTRY_VERIFY_WITH_TIMEOUT(!view_->isRunning(), kWaitMs);
        QCOMPARE(view_->history().size(), 7);  // steps 1-6 and the end after the jump
        QVERIFY(view_->history().last().final);
        QVERIFY(videoAction()->isEnabled());
    }

    void cleanupTestCase()
    {
        view_.reset();
        hub_.reset();
        engine_.reset();
    }

    /// The range is in steps, both ends included (the end after the jump shares the last step's
    /// number); each moment keeps its step, temperature, mean finite energy and pictures.
    void momentsOfAStepRange()
    {
        RunHistory history;
        SamplingRunInfo info;
        info.runId = 1;
        info.totalSteps = 15;
        history.start(info);
        SampleSnapshot previewed = moment(5, 0.5, 50);
        previewed.denoised = {flat(200), flat(201), flat(202)};
        history.append(SampleFrameBatch{1, {moment(1, 2.0, 10), previewed, moment(10, 0.1, 100), moment(15, 0.01, 150),
                                            moment(15, 0.01, 160, true)}});
        QCOMPARE(momentRange(history, 0, std::numeric_limits<int>::max()), qMakePair(0, 4));
        QCOMPARE(momentRange(history, 5, 12), qMakePair(1, 2));
        const QPair<int, int> none = momentRange(history, 2, 4);  // no step recorded there
        QVERIFY(none.first > none.second);
        QCOMPARE(momentRange(history, 15, 15), qMakePair(3, 4));

        RunVideoOptions options;
        options.firstStep = 5;
        options.lastStep = 15;
        options.denoised = true;
        QVector<RunVideoMoment> moments = runVideoMoments(history, options, -1);
        QCOMPARE(moments.size(), 4);
        QCOMPARE(moments[0].step, 5);
        QVERIFY(moments[0].denoisedPreview);
        QCOMPARE(moments[0].images, previewed.denoised);
        // None recorded at step 10: the latest one before it, as the Sample page shows it.
        QVERIFY(moments[1].denoisedPreview);
        QCOMPARE(moments[1].images, previewed.denoised);
        QVERIFY(moments[3].final);
        QVERIFY(!moments[3].denoisedPreview);
        QCOMPARE(moments[1].meanEnergy, 2.0);  // the NaN left out
        QCOMPARE(moments[1].temperature, 0.1);

        options.layout = RunVideoLayout::SelectedSample;
        options.denoised = false;
        moments = runVideoMoments(history, options, 1);
        QCOMPARE(moments[0].images, QVector<QImage>{previewed.raw[1]});
        moments = runVideoMoments(history, options, 7);  // no such sample: the first
        QCOMPARE(moments[0].images, QVector<QImage>{previewed.raw[0]});

        // Captions as the CLI's, and the frames as core's videoFrameOrder spreads them.
        QCOMPARE(runVideoCaption(runVideoMoments(history, RunVideoOptions{}, -1)[2], 15),
                 QStringLiteral("step 10 / 15   T = 0.1"));
        QCOMPARE(runVideoCaption(moments.last(), 15), QStringLiteral("step 15 / 15   denoised"));
        RunVideoMoment shownDenoised;
        shownDenoised.step = 5;
        shownDenoised.temperature = 0.5;
        shownDenoised.denoisedPreview = true;
        QCOMPARE(runVideoCaption(shownDenoised, 15), QStringLiteral("step 5 / 15   T = 0.5   denoised preview"));
        const std::vector<int> order = ebm::videoFrameOrder(7, 10, 2.0);
        QCOMPARE(runVideoFrameOrder(7, 10, 2.0), QVector<int>(order.begin(), order.end()));
    }

    /// The dialog shows and returns its values, keeps the range ordered, refuses a file the
    /// writer would refuse, and the last values are remembered.
    void dialogValues()
    {
        const RunVideoSource source{&view_->history(), 2, false, path(QStringLiteral("run.mp4"))};
        RunVideoDialog dialog(source, nullptr);
        const RunVideoOptions defaults = dialog.options();
        QCOMPARE(defaults.firstStep, 1);
        QCOMPARE(defaults.lastStep, 6);
        QCOMPARE(defaults.fps, ebm::kDefaultVideoFps);
        QCOMPARE(defaults.height, ebm::kDefaultVideoHeight);
        QCOMPARE(defaults.seconds, ebm::kDefaultVideoSeconds);

        RunVideoOptions chosen;
        chosen.layout = RunVideoLayout::GridAndChart;
        chosen.firstStep = 2;
        chosen.lastStep = 5;
        chosen.fps = 30;
        chosen.seconds = 3.5;
        chosen.height = 480;
        chosen.captions = false;
        chosen.lossless = true;
        dialog.setPath(path(QStringLiteral("run.webp")));
        dialog.setOptions(chosen);
        const RunVideoOptions shown = dialog.options();
        QCOMPARE(shown.layout, chosen.layout);
        QCOMPARE(shown.firstStep, 2);
        QCOMPARE(shown.lastStep, 5);
        QCOMPARE(shown.fps, 30);
        QCOMPARE(shown.seconds, 3.5);
        QCOMPARE(shown.height, 480);
        QVERIFY(!shown.captions);
        QVERIFY(shown.lossless);
        QVERIFY2(dialog.summaryLabel()->text().startsWith(QLatin1String("105 frames from 4 recorded moments")),
                 qPrintable(dialog.summaryLabel()->text()));
        dialog.setPath(path(QStringLiteral("run.mp4")));
        QVERIFY(!dialog.options().lossless);  // H.264 is never lossless

        auto* first = dialog.findChild<QSpinBox*>(QStringLiteral("videoFirstStep"));
        QVERIFY(first);
        first->setValue(6);
        QCOMPARE(dialog.options().lastStep, 6);  // the range follows

        dialog.setPath(path(QStringLiteral("run.gif")));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(dialog.fileNote()->text().contains(QLatin1String(".mp4 or .webp")), qPrintable(dialog.fileNote()->text()));

        QSettings store(path(QStringLiteral("video-store.ini")), QSettings::IniFormat);
        rememberRunVideoChoice(&store, chosen, path(QStringLiteral("run.webp")));
        const RunVideoOptions remembered = rememberedRunVideoOptions(&store);
        QCOMPARE(remembered.layout, chosen.layout);
        QCOMPARE(remembered.fps, 30);
        QCOMPARE(remembered.seconds, 3.5);
        QCOMPARE(remembered.height, 480);
        QVERIFY(!remembered.captions);
        QVERIFY(remembered.lossless);
        QCOMPARE(remembered.firstStep, 0);  // a run's range is not remembered
        QCOMPARE(rememberedRunVideoExtension(&store), QStringLiteral(".webp"));
        QCOMPARE(rememberedRunVideoExtension(nullptr), QStringLiteral(".mp4"));
    }

    /// A lossless WebP of the grid: the size the grid enlarged by whole pixels gives, the
    /// duration asked for, and every stored frame the page's grid at its moment, pixel for pixel.
    void webpFramesAreTheGridsOfTheRun()
    {
        const QString file = path(QStringLiteral("run.webp"));
        RunVideoOptions options;
        options.fps = 10;
        options.seconds = 2.0;
        options.height = 144;
        options.captions = false;
        options.lossless = true;
        QSignalSpy status(view_.get(), &StudioPage::statusMessage);
        const RunVideoOutcome outcome = exportAndWait(file, options);
        QVERIFY2(!outcome.failed && !outcome.stopped, qPrintable(outcome.message));
        QVERIFY(!status.isEmpty());
        QVERIFY2(status.last().at(0).toString().contains(QDir::toNativeSeparators(file)),
                 qPrintable(status.last().at(0).toString()));
        QVERIFY(QFileInfo::exists(file));

        // Each video frame shows the moment videoFrameOrder gives; WebP stores a repeated frame once.
        const RunHistory& history = view_->history();
        const std::vector<int> order = ebm::videoFrameOrder(history.size(), options.fps, options.seconds);
        QCOMPARE(outcome.frames, int(order.size()));
        QCOMPARE(outcome.frames, 20);
        std::vector<std::vector<uint8_t>> stored;
        for (int index : order) {
            std::vector<uint8_t> frame = rgbRows(expectedGridFrame(history.imagesAt(index, false), options.height));
            if (stored.empty() || frame != stored.back())
                stored.push_back(std::move(frame));
        }
        const ebm::VideoInfo info = ebm::readVideoInfo(file.toStdString());
        QCOMPARE(info.format, ebm::VideoFormat::WebP);
        QCOMPARE(info.height, 144);
        QCOMPARE(info.width, 140);  // 4 samples of 16 pixels with 1-pixel gaps (35), enlarged 4 times
        QVERIFY2(std::abs(info.seconds - options.seconds) < 0.01, QByteArray::number(info.seconds));
        QCOMPARE(info.frames, int(stored.size()));
        QVERIFY(stored.size() >= 2);
        for (int frame = 0; frame < info.frames; ++frame)
            QVERIFY2(ebm::readVideoFrame(file.toStdString(), frame) == stored[size_t(frame)],
                     qPrintable(QStringLiteral("frame %1").arg(frame)));
    }

    /// An MP4 (when this FFmpeg has an H.264 encoder) holds fps x seconds frames; with the chart
    /// beside the grid and captions under it the frame is wider than high.
    void mp4HoldsEveryFrame()
    {
        RunVideoOptions options;
        options.layout = RunVideoLayout::GridAndChart;
        options.fps = 12;
        options.seconds = 1.5;
        options.height = 160;
        options.firstStep = 2;
        options.lastStep = 5;
        const QString webp = path(QStringLiteral("chart.webp"));
        const RunVideoOutcome chart = exportAndWait(webp, options);
        QVERIFY2(!chart.failed, qPrintable(chart.message));
        const ebm::VideoInfo chartInfo = ebm::readVideoInfo(webp.toStdString());
        QCOMPARE(chartInfo.height, 160);
        QVERIFY2(chartInfo.width > 2 * chartInfo.height, QByteArray::number(chartInfo.width));
        QVERIFY2(std::abs(chartInfo.seconds - options.seconds) < 0.01, QByteArray::number(chartInfo.seconds));

        const QString mp4 = path(QStringLiteral("run.mp4"));
        const QString problem = runVideoOutputProblem(mp4);
        if (!problem.isEmpty())
            QSKIP(qPrintable(problem));
        const RunVideoOutcome outcome = exportAndWait(mp4, options);
        QVERIFY2(!outcome.failed, qPrintable(outcome.message));
        const ebm::VideoInfo info = ebm::readVideoInfo(mp4.toStdString());
        QCOMPARE(info.format, ebm::VideoFormat::Mp4);
        QCOMPARE(size_t(info.frames), ebm::videoFrameOrder(4, options.fps, options.seconds).size());
        QCOMPARE(info.frames, 18);
        QCOMPARE(info.height, 160);
        QCOMPARE(info.width, chartInfo.width);
        QVERIFY2(std::abs(info.fps - options.fps) < 0.01, QByteArray::number(info.fps));
    }

    /// Cancel while the frames are written: nothing is left in the folder, the page says so, and
    /// while the export goes a second one is refused and the menu entry is off.
    void cancelledExportLeavesNoFile()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        const QString file = QDir(folder.path()).filePath(QStringLiteral("long.webp"));
        RunVideoOptions options;
        options.layout = RunVideoLayout::GridAndChart;
        options.fps = 60;
        options.seconds = 120.0;  // 7200 frames of 720 pixels: far more than the moment a cancel takes
        JobHandle* handle = view_->exports()->exportVideoTo(file, options);
        QVERIFY(handle);
        QVERIFY(view_->exports()->videoExporter()->isExporting());
        QVERIFY(view_->exports()->videoExporter()->progressDialog());
        QVERIFY(!videoAction()->isEnabled());
        QSignalSpy problems(view_.get(), &StudioPage::problem);
        QVERIFY(!view_->exports()->exportVideoTo(path(QStringLiteral("second.webp")), options));
        QCOMPARE(problems.count(), 1);

        QSignalSpy finished(handle, &JobHandle::finished);
        QSignalSpy status(view_.get(), &StudioPage::statusMessage);
        connect(handle, &JobHandle::progress, handle, &JobHandle::cancel);  // at the first frames written
        QVERIFY(finished.wait(kWaitMs));
        const RunVideoOutcome outcome = finished.first().at(0).value<RunVideoOutcome>();
        QVERIFY2(outcome.stopped, qPrintable(outcome.message));
        QVERIFY(!outcome.failed);
        QCOMPARE(filesIn(folder.path()), std::vector<std::string>{});
        QVERIFY(!status.isEmpty());
        QVERIFY2(status.last().at(0).toString().contains(QLatin1String("cancelled")),
                 qPrintable(status.last().at(0).toString()));
        QVERIFY(!view_->exports()->videoExporter()->isExporting());
        QVERIFY(videoAction()->isEnabled());
        QTRY_VERIFY(!view_->exports()->videoExporter()->progressDialog());  // closed and deleted
    }

    /// A file name the writer refuses: one line that says what to write, and no file; a folder
    /// that does not exist, named.
    void refusedFileNames()
    {
        QSignalSpy problems(view_.get(), &StudioPage::problem);
        const QString gif = path(QStringLiteral("run.gif"));
        QVERIFY(!view_->exports()->exportVideoTo(gif, RunVideoOptions{}));
        QCOMPARE(problems.count(), 1);
        const QString message = problems.first().at(0).toString();
        QVERIFY2(message.contains(QLatin1String(".mp4 or .webp")), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
        QVERIFY(!QFileInfo::exists(gif));

        const QString missing = path(QStringLiteral("no-such-folder/run.webp"));
        QVERIFY(!view_->exports()->exportVideoTo(missing, RunVideoOptions{}));
        QCOMPARE(problems.count(), 2);
        QVERIFY2(problems.last().at(0).toString().contains(QLatin1String("no-such-folder")),
                 qPrintable(problems.last().at(0).toString()));

        // A range with no recorded moment.
        RunVideoOptions empty;
        empty.firstStep = 100;
        QVERIFY(!view_->exports()->exportVideoTo(path(QStringLiteral("empty.webp")), empty));
        QCOMPARE(problems.count(), 3);
    }

    /// The Inpaint page offers the video in its Export box once it has a run, not before.
    void inpaintPageOffersAVideo()
    {
        InpaintView inpaint(engine_.get(), hub_.get(), undo_);
        QVERIFY(inpaint.videoButton());
        QVERIFY(!inpaint.videoButton()->isEnabled());
        QSignalSpy problems(&inpaint, &StudioPage::problem);
        QVERIFY(!inpaint.videoExporter()->start(path(QStringLiteral("inpaint.webp")), RunVideoOptions{}));
        QCOMPARE(problems.count(), 1);
        QVERIFY(!QFileInfo::exists(path(QStringLiteral("inpaint.webp"))));
    }
};

EBM_UI_TEST_MAIN(TestUiVideoExport)

#include "test_ui_video_export.moc"
#include "moc_ui_job_probes.cpp"
