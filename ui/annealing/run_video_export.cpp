#include "annealing/run_video_export.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

#include "worker/studio_engine.h"
#include "widgets/clamping_spin_box.h"
#include "widgets/file_dialogs.h"
#include "widgets/studio_page.h"

namespace ebm::studio {
namespace {

const QString kMp4Extension = QStringLiteral(".mp4");
const QString kWebPExtension = QStringLiteral(".webp");
// The dialog's last values, shared by the pages that export videos.
const QString kLayoutKey = QStringLiteral("videoExport/layout");
const QString kFpsKey = QStringLiteral("videoExport/fps");
const QString kSecondsKey = QStringLiteral("videoExport/seconds");
const QString kHeightKey = QStringLiteral("videoExport/height");
const QString kCaptionsKey = QStringLiteral("videoExport/captions");
const QString kLosslessKey = QStringLiteral("videoExport/lossless");
const QString kExtensionKey = QStringLiteral("videoExport/extension");
// The duration field: tenths of a second.
constexpr int kSecondsDecimals = 1;
constexpr double kShortestSeconds = 0.1;

/// The layouts by the names the settings keep.
const QList<QPair<RunVideoLayout, QString>>& layoutNames()
{
    static const QList<QPair<RunVideoLayout, QString>> names = {
        {RunVideoLayout::Grid, QStringLiteral("grid")},
        {RunVideoLayout::SelectedSample, QStringLiteral("sample")},
        {RunVideoLayout::GridAndChart, QStringLiteral("grid-chart")},
    };
    return names;
}

bool isWebP(const QString& path) { return path.endsWith(kWebPExtension, Qt::CaseInsensitive); }

QString withExtension(const QString& path, const QString& extension)
{
    const QFileInfo file(path.isEmpty() ? QDir::home().filePath(QStringLiteral("run")) : path);
    return QDir(file.path()).filePath(file.completeBaseName() + extension);
}

double meanOfFinite(const QVector<double>& values)
{
    double sum = 0.0;
    int count = 0;
    for (double v : values)
        if (std::isfinite(v)) {
            sum += v;
            ++count;
        }
    return count > 0 ? sum / count : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

QPair<int, int> momentRange(const RunHistory& history, int firstStep, int lastStep)
{
    int first = -1, last = -2;
    for (int i = 0; i < history.size(); ++i) {
        const int step = history.at(i).step;
        if (step < firstStep || step > lastStep)
            continue;
        if (first < 0)
            first = i;
        last = i;
    }
    return first < 0 ? qMakePair(0, -1) : qMakePair(first, last);
}

QVector<RunVideoMoment> runVideoMoments(const RunHistory& history, const RunVideoOptions& options, int sample)
{
    const auto [first, last] = momentRange(history, options.firstStep, options.lastStep);
    QVector<RunVideoMoment> moments;
    for (int i = first; i <= last; ++i) {
        const SampleSnapshot& s = history.at(i);
        RunVideoMoment m;
        m.step = s.step;
        m.temperature = s.temperature;
        m.meanEnergy = meanOfFinite(s.energies);
        m.final = s.final;
        // The latest preview recorded up to the moment, as the Sample page shows it.
        m.denoisedPreview = options.denoised && history.denoisedIndexAtOrBefore(i) >= 0 && !s.final;
        const QVector<QImage>& images = history.shownImagesAt(i, options.denoised);
        if (options.layout == RunVideoLayout::SelectedSample && !images.isEmpty())
            m.images = {images.value(sample >= 0 && sample < images.size() ? sample : 0)};
        else
            m.images = images;
        moments.push_back(std::move(m));
    }
    return moments;
}

RunVideoOptions rememberedRunVideoOptions(QSettings* store)
{
    RunVideoOptions options;
    if (!store)
        return options;
    const QString layout = store->value(kLayoutKey).toString();
    for (const auto& [value, name] : layoutNames())
        if (name == layout)
            options.layout = value;
    const RunVideoLimits& limits = kRunVideoLimits;
    options.fps = qBound(limits.minFps, store->value(kFpsKey, options.fps).toInt(), limits.maxFps);
    options.seconds = qBound(kShortestSeconds, store->value(kSecondsKey, options.seconds).toDouble(), limits.maxSeconds);
    options.height = qBound(limits.minHeight, store->value(kHeightKey, options.height).toInt(), limits.maxHeight);
    options.captions = store->value(kCaptionsKey, options.captions).toBool();
    options.lossless = store->value(kLosslessKey, options.lossless).toBool();
    return options;
}

QString rememberedRunVideoExtension(QSettings* store)
{
    const QString extension = store ? store->value(kExtensionKey, kMp4Extension).toString() : kMp4Extension;
    return extension == kWebPExtension ? kWebPExtension : kMp4Extension;
}

void rememberRunVideoChoice(QSettings* store, const RunVideoOptions& options, const QString& path)
{
    if (!store)
        return;
    for (const auto& [value, name] : layoutNames())
        if (value == options.layout)
            store->setValue(kLayoutKey, name);
    store->setValue(kFpsKey, options.fps);
    store->setValue(kSecondsKey, options.seconds);
    store->setValue(kHeightKey, options.height);
    store->setValue(kCaptionsKey, options.captions);
    store->setValue(kLosslessKey, options.lossless);
    store->setValue(kExtensionKey, isWebP(path) ? kWebPExtension : kMp4Extension);
}

// --- the dialog ----------------------------------------------------------------------------

RunVideoDialog::RunVideoDialog(const RunVideoSource& source, QSettings* store, QWidget* parent)
    : QDialog(parent), history_(*source.history), store_(store)
{
    setObjectName(QStringLiteral("runVideoDialog"));
    setWindowTitle(tr("Export Run as Video"));
    const RunVideoLimits& limits = kRunVideoLimits;

    path_ = new QLineEdit(this);
    path_->setObjectName(QStringLiteral("videoPath"));
    path_->setToolTip(tr("The file's extension chooses the format: .mp4 (H.264) or .webp (animated WebP)"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &RunVideoDialog::browse);
    fileNote_ = new QLabel(this);
    fileNote_->setObjectName(QStringLiteral("videoFileNote"));
    fileNote_->setWordWrap(true);

    const int firstRecorded = history_.isEmpty() ? 0 : history_.at(0).step;
    const int lastRecorded = history_.isEmpty() ? 0 : history_.last().step;
    firstStep_ = new ClampingSpinBox(this);
    lastStep_ = new ClampingSpinBox(this);
    firstStep_->setObjectName(QStringLiteral("videoFirstStep"));
    lastStep_->setObjectName(QStringLiteral("videoLastStep"));
    for (QSpinBox* box : {firstStep_, lastStep_}) {
        box->setRange(firstRecorded, lastRecorded);
        box->setKeyboardTracking(false);
        box->setToolTip(tr("The recorded moments from the first step to the last one go into the video"));
    }
    connect(firstStep_, &QSpinBox::valueChanged, this, [this] { keepRangeOrdered(true); });
    connect(lastStep_, &QSpinBox::valueChanged, this, [this] { keepRangeOrdered(false); });

    layout_ = new QComboBox(this);
    layout_->setObjectName(QStringLiteral("videoLayout"));
    const QString sample = source.selectedSample >= 0 ? tr("sample %1").arg(source.selectedSample + 1)
                                                      : tr("the first sample");
    layout_->addItem(tr("The grid of samples"), int(RunVideoLayout::Grid));
    layout_->addItem(tr("One sample, large (%1)").arg(sample), int(RunVideoLayout::SelectedSample));
    layout_->addItem(tr("The grid beside the temperature and energy chart"), int(RunVideoLayout::GridAndChart));

    denoised_ = new QCheckBox(tr("Denoised preview (the latest recorded up to each moment)"), this);
    denoised_->setObjectName(QStringLiteral("videoDenoised"));
    bool anyDenoised = false;
    for (int i = 0; i < history_.size() && !anyDenoised; ++i)
        anyDenoised = history_.hasDenoisedAt(i) && !history_.at(i).final;
    denoised_->setEnabled(anyDenoised);
    denoised_->setToolTip(anyDenoised ? tr("The single-step denoised images (eq. 9) of the moments that have them")
                                      : tr("This run recorded no denoised preview"));

    fps_ = new ClampingSpinBox(this);
    fps_->setObjectName(QStringLiteral("videoFps"));
    fps_->setRange(limits.minFps, limits.maxFps);
    fps_->setSuffix(tr(" frames/s"));
    seconds_ = new ClampingDoubleSpinBox(this);
    seconds_->setObjectName(QStringLiteral("videoSeconds"));
    seconds_->setDecimals(kSecondsDecimals);
    seconds_->setRange(kShortestSeconds, limits.maxSeconds);
    seconds_->setSuffix(tr(" s"));
    seconds_->setToolTip(tr("The recorded moments are spread over it; the end of the run is held for its last second"));
    height_ = new ClampingSpinBox(this);
    height_->setObjectName(QStringLiteral("videoHeight"));
    height_->setRange(limits.minHeight, limits.maxHeight);
    height_->setSuffix(tr(" pixels"));
    height_->setToolTip(tr("The frame's height, caption included; the pictures are enlarged by whole pixels"));
    captions_ = new QCheckBox(tr("Step and temperature under the picture"), this);
    captions_->setObjectName(QStringLiteral("videoCaptions"));
    lossless_ = new QCheckBox(tr("Lossless (WebP only: every pixel kept, a larger file)"), this);
    lossless_->setObjectName(QStringLiteral("videoLossless"));
    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("videoSummary"));
    for (QSpinBox* box : {fps_, height_})
        connect(box, &QSpinBox::valueChanged, this, &RunVideoDialog::updateNotes);
    connect(seconds_, &QDoubleSpinBox::valueChanged, this, &RunVideoDialog::updateNotes);
    connect(path_, &QLineEdit::textChanged, this, &RunVideoDialog::updateNotes);

    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(path_, 1);
    fileRow->addWidget(browse);
    auto* rangeRow = new QHBoxLayout;
    rangeRow->addWidget(new QLabel(tr("from step"), this));
    rangeRow->addWidget(firstStep_, 1);
    rangeRow->addWidget(new QLabel(tr("to step"), this));
    rangeRow->addWidget(lastStep_, 1);
    auto* form = new QFormLayout;
    form->addRow(tr("File"), fileRow);
    form->addRow(QString(), fileNote_);
    form->addRow(tr("Moments"), rangeRow);
    form->addRow(tr("Each frame shows"), layout_);
    form->addRow(QString(), denoised_);
    form->addRow(tr("Frame rate"), fps_);
    form->addRow(tr("Duration"), seconds_);
    form->addRow(tr("Height"), height_);
    form->addRow(tr("Captions"), captions_);
    form->addRow(QString(), lossless_);
    form->addRow(QString(), summary_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    connect(buttons, &QDialogButtonBox::accepted, this, &RunVideoDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &RunVideoDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    setOptions(RunVideoOptions{});
}

void RunVideoDialog::setOptions(const RunVideoOptions& options)
{
    {
        const QSignalBlocker blockFirst(firstStep_), blockLast(lastStep_);
        // The whole run by default (lastStep's default is past any step); clamped by the fields.
        firstStep_->setValue(qBound(firstStep_->minimum(), options.firstStep, firstStep_->maximum()));
        lastStep_->setValue(qBound(lastStep_->minimum(), options.lastStep, lastStep_->maximum()));
    }
    keepRangeOrdered(true);
    layout_->setCurrentIndex(qMax(0, layout_->findData(int(options.layout))));
    denoised_->setChecked(options.denoised && denoised_->isEnabled());
    fps_->setValue(options.fps);
    seconds_->setValue(options.seconds);
    height_->setValue(options.height);
    captions_->setChecked(options.captions);
    lossless_->setChecked(options.lossless);
    updateNotes();
}

RunVideoOptions RunVideoDialog::options() const
{
    RunVideoOptions options;
    options.layout = RunVideoLayout(layout_->currentData().toInt());
    options.firstStep = firstStep_->value();
    options.lastStep = lastStep_->value();
    options.denoised = denoised_->isEnabled() && denoised_->isChecked();
    options.fps = fps_->value();
    options.seconds = seconds_->value();
    options.height = height_->value();
    options.captions = captions_->isChecked();
    options.lossless = lossless_->isEnabled() && lossless_->isChecked();
    return options;
}

void RunVideoDialog::setPath(const QString& path) { path_->setText(path); }

QString RunVideoDialog::path() const { return path_->text().trimmed(); }

void RunVideoDialog::browse()
{
    const QString mp4 = tr("MP4 videos (*.mp4)"), webp = tr("Animated WebP (*.webp)");
    const bool webpFirst = isWebP(path());
    const QString chosen =
        askSavePath(this, store_, kExportFolderPurpose, tr("Export run as video"),
                    webpFirst ? webp + QStringLiteral(";;") + mp4 : mp4 + QStringLiteral(";;") + webp,
                    webpFirst ? kWebPExtension : kMp4Extension, path());
    if (!chosen.isEmpty())
        setPath(chosen);
}

void RunVideoDialog::keepRangeOrdered(bool firstChanged)
{
    if (firstStep_->value() > lastStep_->value()) {
        QSpinBox* other = firstChanged ? lastStep_ : firstStep_;
        const QSignalBlocker block(other);
        other->setValue(firstChanged ? firstStep_->value() : lastStep_->value());
    }
    updateNotes();
}

void RunVideoDialog::updateNotes()
{
    const QString file = path();
    const QString problem = file.isEmpty() ? tr("Choose a file ending in .mp4 or .webp.") : runVideoOutputProblem(file);
    fileNote_->setText(!problem.isEmpty() ? problem
                       : isWebP(file)     ? tr("Animated WebP")
                                          : tr("MP4 (H.264)"));
    fileNote_->setStyleSheet(problem.isEmpty() ? QStringLiteral("color: gray") : QStringLiteral("color: #c62828"));
    lossless_->setEnabled(isWebP(file));
    const auto [first, last] = momentRange(history_, firstStep_->value(), lastStep_->value());
    const auto frames = runVideoFrameOrder(qMax(1, last - first + 1), fps_->value(), seconds_->value()).size();
    summary_->setText(tr("%1 frames from %2 recorded moments").arg(frames).arg(qMax(0, last - first + 1)));
}

void RunVideoDialog::accept()
{
    updateNotes();
    const QString file = path();
    if (file.isEmpty() || !runVideoOutputProblem(file).isEmpty()) {
        path_->setFocus();
        return;  // the note under the file says why
    }
    const auto [first, last] = momentRange(history_, firstStep_->value(), lastStep_->value());
    if (first > last)
        return;
    QDialog::accept();
}

// --- the export ----------------------------------------------------------------------------

RunVideoExporter::RunVideoExporter(StudioEngine* engine, StudioPage* page, std::function<RunVideoSource()> source)
    : QObject(page), engine_(engine), page_(page), source_(std::move(source))
{
}

QProgressDialog* RunVideoExporter::progressDialog() const { return progress_; }

void RunVideoExporter::ask()
{
    const RunVideoSource source = source_();
    if (isExporting()) {
        Q_EMIT page_->problem(tr("A video is being written already: wait for it, or cancel it."));
        return;
    }
    if (!source.history || source.history->isEmpty()) {
        Q_EMIT page_->problem(tr("There is no run to export yet: run the sampler first."));
        return;
    }
    RunVideoDialog dialog(source, store_, page_);
    RunVideoOptions options = rememberedRunVideoOptions(store_);
    options.denoised = source.denoisedShown;
    dialog.setOptions(options);
    dialog.setPath(withExtension(source.suggestedPath, rememberedRunVideoExtension(store_)));
    if (dialog.exec() != QDialog::Accepted)
        return;
    rememberRunVideoChoice(store_, dialog.options(), dialog.path());
    start(dialog.path(), dialog.options());
}

JobHandle* RunVideoExporter::start(const QString& path, const RunVideoOptions& options)
{
    if (isExporting()) {
        Q_EMIT page_->problem(tr("A video is being written already: wait for it, or cancel it."));
        return nullptr;
    }
    const RunVideoSource source = source_();
    if (!source.history || source.history->isEmpty()) {
        Q_EMIT page_->problem(tr("There is no run to export yet: run the sampler first."));
        return nullptr;
    }
    const QString problem = runVideoOutputProblem(path);
    if (!problem.isEmpty()) {
        Q_EMIT page_->problem(problem);
        return nullptr;
    }
    RunVideoRequest request;
    request.path = path;
    request.options = options;
    request.moments = runVideoMoments(*source.history, options, source.selectedSample);
    request.totalSteps = source.history->info().totalSteps;
    if (request.moments.isEmpty()) {
        Q_EMIT page_->problem(tr("No moment of the run was recorded between steps %1 and %2.")
                                  .arg(options.firstStep)
                                  .arg(options.lastStep));
        return nullptr;
    }
    // While a training run goes, between two of its steps: the export needs no model.
    JobHandle* handle = engine_->start(std::make_unique<VideoExportJob>(std::move(request)),
                                       JobRunner::StartPolicy::GuestOrQueue);
    if (!handle) {
        Q_EMIT page_->problem(tr("The video export could not start."));
        return nullptr;
    }
    follow(handle, path);
    return handle;
}

void RunVideoExporter::follow(JobHandle* handle, const QString& path)
{
    handle_ = handle;
    const QString name = QFileInfo(path).fileName();
    auto* progress = new QProgressDialog(page_);
    progress->setObjectName(QStringLiteral("videoExportProgress"));
    progress->setWindowTitle(tr("Export Run as Video"));
    progress->setAutoClose(false);
    progress->setAutoReset(false);
    progress->setMinimumDuration(0);
    progress->setRange(0, 0);  // busy until the first frames are written
    progress->setLabelText(handle->isRunning() ? tr("Writing %1…").arg(name)
                                               : tr("Waiting for the running job to end, then writing %1…").arg(name));
    progress_ = progress;
    connect(progress, &QProgressDialog::canceled, handle, &JobHandle::cancel);
    connect(handle, &JobHandle::started, progress, [progress, name] { progress->setLabelText(tr("Writing %1…").arg(name)); });
    connect(handle, &JobHandle::progress, progress, [progress](const QVariant& value) {
        if (value.metaType() != QMetaType::fromType<RunVideoProgress>())
            return;
        const RunVideoProgress p = value.value<RunVideoProgress>();
        progress->setMaximum(p.frames);
        progress->setValue(p.framesWritten);
    });
    connect(handle, &JobHandle::finished, this, [this, path](const QVariant& result) { onFinished(result, path); });
    progress->show();
    Q_EMIT exportingChanged(true);
}

void RunVideoExporter::onFinished(const QVariant& result, const QString& path)
{
    if (progress_) {
        // Closing the dialog emits canceled(): no cancel of a job that has ended.
        QObject::disconnect(progress_, &QProgressDialog::canceled, nullptr, nullptr);
        progress_->close();
        progress_->deleteLater();
    }
    handle_ = nullptr;
    const QString shown = QDir::toNativeSeparators(path);
    const RunVideoOutcome outcome = result.value<RunVideoOutcome>();
    if (!result.isValid() || outcome.stopped)
        Q_EMIT page_->statusMessage(tr("Video export cancelled: %1 was not written").arg(shown));
    else if (outcome.failed)
        Q_EMIT page_->problem(tr("The video was not written: %1").arg(outcome.message));
    else
        Q_EMIT page_->statusMessage(tr("Video written to %1 (%2 frames of %3 × %4)")
                                        .arg(shown)
                                        .arg(outcome.frames)
                                        .arg(outcome.width)
                                        .arg(outcome.height));
    Q_EMIT exportingChanged(false);
}

}  // namespace ebm::studio
