#include "pages/inpaint/inpaint_view.h"

#include <QBuffer>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

#include "ebm/schedule/schedule_feed.h"
#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/file_dialogs.h"
#include "widgets/image_grid.h"
#include "widgets/run_controls.h"
#include "widgets/safe_save.h"
#include "widgets/sample_grid_widget.h"
#include "widgets/settings_form.h"
#include "widgets/undo_fields.h"
#include "annealing/edited_curve_length.h"
#include "annealing/annealing_hub.h"
#include "annealing/energy_chart.h"
#include "annealing/picture_settings.h"
#include "annealing/run_bundle_job.h"
#include "annealing/run_video_export.h"
#include "annealing/sampling_types.h"
#include "pages/inpaint/comparison_panel.h"
#include "pages/inpaint/inpaint_fields.h"
#include "pages/inpaint/mask_canvas.h"
#include "pages/inpaint/mask_document.h"
#include "pages/inpaint/mask_tools_box.h"
#include "pages/inpaint/thumbnail_browser.h"

namespace ebm::studio {
namespace {

constexpr int kLeftColumnWidth = 380;
constexpr int kExportScale = 4;            // exported pictures: 32-pixel images become 128 pixels
constexpr int kFashionMnistTestImages = 10000;
const QString kFashionMnist = QStringLiteral("fashion-mnist");

/// An 8-bit image of the model's size as the values the model reads, [C, H, W] in [0, 1].
QVector<float> imagePixels(const QImage& image, int channels)
{
    const QImage rgb = image.convertToFormat(channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    QVector<float> values(channels * rgb.width() * rgb.height());
    const int plane = rgb.width() * rgb.height();
    for (int y = 0; y < rgb.height(); ++y) {
        const uchar* row = rgb.constScanLine(y);
        for (int x = 0; x < rgb.width(); ++x)
            for (int c = 0; c < channels; ++c)
                values[c * plane + y * rgb.width() + x] = row[channels * x + c] / 255.0f;
    }
    return values;
}

}  // namespace

InpaintView::InpaintView(StudioEngine* engine, AnnealingHub* annealing, UndoFieldBinder* undo, QWidget* parent)
    : StudioPage(tr("&Inpaint"), QStringLiteral("inpainting"), parent), engine_(engine), undo_(undo), annealing_(annealing)
{
    registerInpaintTypes();
    keepFields<InpaintSettings>(
        inpaintFields(), [this] { return settings(); }, [this](const InpaintSettings& s) { setSettings(s); });
    keepInSession([this](QJsonObject& part) { writeImageAndMask(part); },
                  [this](const QJsonObject& part) { readImageAndMask(part); });
    // The video dialog keeps its values and its folder in the studio's settings itself.
    keepInStore({}, [this](QSettings& store) {
        store_ = &store;
        videoExporter_->setStore(&store);
    });
    document_ = new MaskDocument(undo_->stack(), this);
    canvas_ = new MaskCanvas(document_, this);
    runControls_ = new RunControls(tr("Inpaint"), tr("Complete the masked pixels with annealed Langevin dynamics"),
                                   true, RunControls::Layout::Grid, this);
    runControls_->startButton()->setObjectName(QStringLiteral("inpaintButton"));
    connectRunControls();

    QWidget* imageBox = buildImageBox();
    auto* maskBox = new MaskToolsBox(canvas_, this);
    connect(maskBox, &MaskToolsBox::loadRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load Mask"), QString(),
                                                          tr("PNG images (*.png);;All files (*)"));
        QString error;
        if (!path.isEmpty() && !loadMask(path, error))
            Q_EMIT problem(error);
    });
    connect(maskBox, &MaskToolsBox::saveRequested, this, [this] {
        saveAs(tr("Save Mask"), tr("PNG images (*.png)"), QStringLiteral(".png"), QStringLiteral("mask"),
               [this](const QString& path, QString& error) { return document_->save(path, error, maskSettings()); });
    });
    connect(maskBox, &MaskToolsBox::statusMessage, this, &StudioPage::statusMessage);
    connect(canvas_, &MaskCanvas::imageFileDropped, this,
            [this](const QString& path) { openImage(Source::File, path, 0); });
    QWidget* canvasColumn = buildCanvasColumn();
    form_ = new SettingsForm<InpaintSettings>(inpaintFields(), undo_, this);
    // With the edited curve chosen, the steps field shows its length, as on the Sample page.
    auto* curveLength = new EditedCurveLength(form_);
    if (annealing_->editedCurve())
        curveLength->setCurveSteps(annealing_->editedCurve()->steps());
    connect(annealing_, &AnnealingHub::editedCurveChanged, curveLength,
            [curveLength](const ebm::ScheduleCurve& curve, bool) { curveLength->setCurveSteps(curve.steps()); });
    QWidget* exportBox = buildExportBox();
    QWidget* settingsColumn = buildSettingsColumn({imageBox, maskBox, form_, exportBox});

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(canvasColumn);
    split->addWidget(buildResultColumn());
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    split->setSizes({500, 500});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(settingsColumn);
    layout->addWidget(split, 1);

    connectEngine();
    updateSourceFields();
    updateControls();
}

void InpaintView::connectRunControls()
{
    connect(runControls_, &RunControls::startRequested, this, &InpaintView::startInpainting);
    connect(runControls_, &RunControls::pauseToggled, this, &InpaintView::togglePause);
    connect(runControls_, &RunControls::stepRequested, this, &InpaintView::stepOnce);
    connect(runControls_, &RunControls::stopRequested, this, &InpaintView::stop);
}

QWidget* InpaintView::buildImageBox()
{
    source_ = new QComboBox(this);
    source_->addItem(tr("Fashion-MNIST test image"), int(Source::DataSet));
    source_->addItem(tr("Picture or .npy file"), int(Source::File));
    source_->addItem(tr("Sample page: selected sample"), int(Source::Sample));
    path_ = new QLineEdit(this);
    path_->setPlaceholderText(tr("PNG, JPEG or .npy file"));
    browse_ = new QToolButton(this);
    browse_->setText(QStringLiteral("…"));
    connect(browse_, &QToolButton::clicked, this, &InpaintView::browseImageFile);
    index_ = new QSpinBox(this);
    index_->setRange(0, kFashionMnistTestImages - 1);
    index_->setKeyboardTracking(false);
    index_->setToolTip(tr("Which image of the data set or array"));
    auto* browseImages = new QPushButton(tr("Browse…"), this);
    browseImages->setToolTip(tr("Choose the image from pages of thumbnails"));
    connect(browseImages, &QPushButton::clicked, this, &InpaintView::browseThumbnails);
    auto* openButton = new QPushButton(tr("Open"), this);
    openButton->setObjectName(QStringLiteral("openImageButton"));
    connect(openButton, &QPushButton::clicked, this, &InpaintView::openChosenImage);
    connect(index_, &QSpinBox::valueChanged, this, &InpaintView::openChosenImage);
    connect(source_, &QComboBox::activated, this, [this] {
        updateSourceFields();
        if (chosenSource() != Source::File || !path_->text().isEmpty())
            openChosenImage();
    });
    imageNote_ = new QLabel(this);
    imageNote_->setObjectName(QStringLiteral("imageNote"));
    imageNote_->setWordWrap(true);
    imageNote_->setStyleSheet(QStringLiteral("color: gray"));
    auto* imageBox = new QGroupBox(tr("Image"), this);
    auto* imageForm = new QFormLayout(imageBox);
    imageForm->addRow(source_);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse_);
    imageForm->addRow(pathRow);
    auto* indexRow = new QHBoxLayout;
    indexRow->addWidget(index_, 1);
    indexRow->addWidget(browseImages);
    indexRow->addWidget(openButton);
    imageForm->addRow(tr("Index"), indexRow);
    imageForm->addRow(imageNote_);
    return imageBox;
}

QWidget* InpaintView::buildExportBox()
{
    exportPng_ = new QPushButton(tr("Completions PNG…"), this);
    exportNpy_ = new QPushButton(tr("Completions .npy…"), this);
    exportPanel_ = new QPushButton(tr("Side by side PNG…"), this);
    exportVideo_ = new QPushButton(tr("Video…"), this);
    exportVideo_->setObjectName(QStringLiteral("videoExportButton"));
    exportVideo_->setToolTip(tr("The recorded moments of the last run as an MP4 or animated WebP video"));
    // The sample shown large: the completion selected in the grid, else the first.
    videoExporter_ = new RunVideoExporter(engine_, this, [this] {
        return RunVideoSource{&history_, grid_->selected(), false, suggestedVideoPath()};
    });
    connect(exportVideo_, &QPushButton::clicked, videoExporter_, &RunVideoExporter::ask);
    connect(videoExporter_, &RunVideoExporter::exportingChanged, this, &InpaintView::updateControls);
    saveRun_ = new QPushButton(tr("Save Run…"), this);
    saveRun_->setToolTip(tr("Every recorded moment of the last run as a NAME.ebmrun folder, for the Compare page or numpy"));
    connect(saveRun_, &QPushButton::clicked, this, [this] {
        const QString path = askSavePath(this, store_, kRunFolderPurpose, tr("Save Run"), runBundleFilter(),
                                         runBundleSuffix(),
                                         QDir(lastFolder(store_, kRunFolderPurpose)).filePath(QStringLiteral("inpainting") + runBundleSuffix()));
        if (path.isEmpty())
            return;
        saveRunBundle(engine_, path, history_, exportSettings(), this, [this](bool ok, const QString& message) {
            if (ok)
                Q_EMIT statusMessage(message);
            else
                Q_EMIT problem(message);
        });
    });
    connect(exportPng_, &QPushButton::clicked, this, [this] {
        saveAs(tr("Export Completions"), tr("PNG images (*.png)"), QStringLiteral(".png"),
               QStringLiteral("completions"), [this](const QString& path, QString& error) { return exportCompletionsPng(path, error); });
    });
    connect(exportNpy_, &QPushButton::clicked, this, [this] {
        saveAs(tr("Export Completions"), tr("NumPy arrays (*.npy)"), QStringLiteral(".npy"),
               QStringLiteral("completions"),
               [this](const QString& path, QString& error) { return exportCompletionsNpy(path, error); });
    });
    connect(exportPanel_, &QPushButton::clicked, this, [this] {
        saveAs(tr("Export Side by Side"), tr("PNG images (*.png)"), QStringLiteral(".png"),
               QStringLiteral("inpainting"), [this](const QString& path, QString& error) { return exportSideBySide(path, error); });
    });
    auto* exportBox = new QGroupBox(tr("Export"), this);
    auto* exportLayout = new QGridLayout(exportBox);
    exportLayout->addWidget(exportPng_, 0, 0);
    exportLayout->addWidget(exportNpy_, 0, 1);
    exportLayout->addWidget(exportPanel_, 1, 0);
    exportLayout->addWidget(exportVideo_, 1, 1);
    exportLayout->addWidget(saveRun_, 2, 0);
    return exportBox;
}

/// The run controls above the boxes, which scroll.
QWidget* InpaintView::buildSettingsColumn(const QList<QWidget*>& boxes)
{
    auto* settingsColumn = new QWidget(this);
    auto* settingsLayout = new QVBoxLayout(settingsColumn);
    settingsLayout->setContentsMargins(0, 0, 0, 0);
    for (QWidget* box : boxes)
        settingsLayout->addWidget(box);
    settingsLayout->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(settingsColumn);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* left = new QWidget(this);
    left->setFixedWidth(kLeftColumnWidth);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(runControls_);
    leftLayout->addWidget(scroll, 1);
    return left;
}

QWidget* InpaintView::buildCanvasColumn()
{
    auto* fit = new QToolButton(this);
    fit->setText(tr("Fit"));
    connect(fit, &QToolButton::clicked, canvas_, &MaskCanvas::fitToWindow);
    auto* actual = new QToolButton(this);
    actual->setText(tr("1:1"));
    connect(actual, &QToolButton::clicked, canvas_, &MaskCanvas::actualPixels);
    auto* zoomLabel = new QLabel(this);
    connect(canvas_, &MaskCanvas::zoomChanged, zoomLabel,
            [zoomLabel](double z) { zoomLabel->setText(tr("%1×").arg(z, 0, 'f', 1)); });
    auto* canvasColumn = new QWidget(this);
    auto* canvasLayout = new QVBoxLayout(canvasColumn);
    canvasLayout->setContentsMargins(0, 0, 0, 0);
    auto* zoomRow = new QHBoxLayout;
    zoomRow->addWidget(new QLabel(tr("<b>Mask</b>"), this));
    zoomRow->addStretch(1);
    zoomRow->addWidget(zoomLabel);
    zoomRow->addWidget(fit);
    zoomRow->addWidget(actual);
    canvasLayout->addLayout(zoomRow);
    canvasLayout->addWidget(canvas_, 1);
    return canvasColumn;
}

/// The live completions with their chart, and the side by side comparison, under the status.
QWidget* InpaintView::buildResultColumn()
{
    grid_ = new SampleGridWidget(this);
    grid_->setObjectName(QStringLiteral("completionGrid"));
    grid_->setPlaceholder(tr("Paint a mask, then press Inpaint (F5)"));
    chart_ = new EnergyChart(this);
    auto* live = new QSplitter(Qt::Vertical, this);
    live->addWidget(grid_);
    live->addWidget(chart_);
    live->setStretchFactor(0, 3);
    live->setStretchFactor(1, 2);
    live->setChildrenCollapsible(false);
    live->setSizes({380, 260});
    chart_->setLogScale(true);  // temperatures span 100 down to 0
    comparison_ = new ComparisonPanel(this);
    results_ = new QTabWidget(this);
    results_->addTab(live, tr("Completions"));
    results_->addTab(comparison_, tr("Side by side"));
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("inpaintStatus"));
    status_->setWordWrap(true);
    useCompletion_ = new QPushButton(tr("Use as Input"), this);
    useCompletion_->setObjectName(QStringLiteral("useCompletionButton"));
    useCompletion_->setToolTip(tr("The selected completion (else the first) becomes the image to complete; "
                                  "the mask stays"));
    connect(useCompletion_, &QPushButton::clicked, this, &InpaintView::useCompletionAsInput);
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(status_, 1);
    statusRow->addWidget(useCompletion_);
    auto* resultColumn = new QWidget(this);
    auto* resultLayout = new QVBoxLayout(resultColumn);
    resultLayout->setContentsMargins(0, 0, 0, 0);
    resultLayout->addLayout(statusRow);
    resultLayout->addWidget(results_, 1);
    return resultColumn;
}

void InpaintView::connectEngine()
{
    connect(engine_, &StudioEngine::activityChanged, this, &InpaintView::updateControls);
    // A new model: the image is opened again for it (its channels or size may differ).
    connect(engine_, &StudioEngine::modelLoaded, this, [this](const ModelInfo& info) {
        if (!info.imageModel)
            return;
        if (input_.ok && (input_.channels != info.channels || input_.size != info.imageSize)) {
            const Source s = chosenSource();
            openImage(s == Source::Sample ? Source::DataSet : s, s == Source::File ? path_->text() : kFashionMnist,
                      index_->value());
        }
    });
}

InpaintView::Source InpaintView::chosenSource() const { return Source(source_->currentData().toInt()); }

/// The image the source, path and index fields name.
void InpaintView::openChosenImage()
{
    const Source s = chosenSource();
    openImage(s, s == Source::DataSet ? kFashionMnist : path_->text(), index_->value());
}

void InpaintView::browseImageFile()
{
    const QString filter = tr("Images and arrays (*.png *.jpg *.jpeg *.npy);;All files (*)");
    const QString path = QFileDialog::getOpenFileName(this, tr("Image to Complete"), path_->text(), filter);
    if (!path.isEmpty()) {
        path_->setText(path);
        openImage(Source::File, path, index_->value());
    }
}

void InpaintView::browseThumbnails()
{
    const Source s = chosenSource();
    if (s == Source::Sample)
        return;
    const QString spec = s == Source::DataSet ? kFashionMnist : path_->text();
    ThumbnailBrowser browser(engine_, spec, index_->value(), this);
    if (browser.exec() == QDialog::Accepted && browser.chosenIndex() >= 0)
        openImage(s, spec, browser.chosenIndex());
}

void InpaintView::showEvent(QShowEvent* event)
{
    StudioPage::showEvent(event);
    // The first image is opened when the page is first seen, not at start-up: the worker's
    // first moments are the Sample page's.
    if (!input_.ok && !opening_ && engine_->hasModel() && engine_->model().imageModel)
        openImage(Source::DataSet, kFashionMnist, index_->value());
}

InpaintSettings InpaintView::settings() const { return form_->settings(); }
void InpaintView::setSettings(const InpaintSettings& settings) { form_->setSettings(settings); }

void InpaintView::updateSourceFields()
{
    const Source s = chosenSource();
    path_->setEnabled(s == Source::File);
    browse_->setEnabled(s == Source::File);
    index_->setEnabled(s != Source::Sample);
}

void InpaintView::openImage(Source source, const QString& spec, int index)
{
    const int sourceIndex = source_->findData(int(source));
    if (sourceIndex >= 0 && source_->currentIndex() != sourceIndex) {
        source_->setCurrentIndex(sourceIndex);
        updateSourceFields();
    }
    if (source == Source::Sample) {
        const QImage sample = annealing_->selectedSample();
        if (sample.isNull()) {
            Q_EMIT problem(tr("The Sample page has no samples yet: sample first, then choose one."));
            return;
        }
        InpaintImage image;
        image.ok = true;
        image.source = tr("the Sample page's selected sample");
        image.conversion = tr("an 8-bit copy of the sample, as shown");
        image.channels = sample.format() == QImage::Format_Grayscale8 ? 1 : 3;
        image.size = sample.width();
        image.image = sample;
        image.pixels = imagePixels(sample, image.channels);
        onImageOpened(image);
        return;
    }
    if (spec.trimmed().isEmpty()) {
        Q_EMIT problem(tr("Choose a picture or .npy file to complete."));
        return;
    }
    if (source == Source::File)
        path_->setText(spec);
    {
        const QSignalBlocker block(index_);
        index_->setValue(index);
    }
    const QString label = source == Source::DataSet ? tr("Fashion-MNIST test image %1").arg(index)
                                                    : tr("%1, image %2").arg(QFileInfo(spec).fileName()).arg(index);
    // Newest request wins: spinning through indices opens the last one, not each on the way.
    JobHandle* handle = engine_->start(std::make_unique<LoadInpaintImageJob>(spec, index, label),
                                       JobRunner::StartPolicy::Replace);
    if (!handle)
        return;
    opening_ = handle;
    imageNote_->setText(tr("Opening %1…").arg(label));
    connect(handle, &JobHandle::finished, this, [this, handle](const QVariant& result) {
        if (handle != opening_ || !result.isValid())
            return;  // a newer request replaced it
        const InpaintImage image = result.value<InpaintImage>();
        if (!image.ok) {
            imageNote_->setText(tr("Not opened: %1").arg(image.error));
            Q_EMIT problem(tr("The image was not opened: %1").arg(image.error));
            return;
        }
        onImageOpened(image);
    });
}

void InpaintView::onImageOpened(const InpaintImage& image)
{
    input_ = image;
    document_->resize(image.image.size());  // a mask of another size is replaced by an empty one
    canvas_->setImage(image.image);
    if (image.imagesInSource > 1) {
        const QSignalBlocker block(index_);
        index_->setMaximum(image.imagesInSource - 1);
    }
    imageNote_->setText(tr("%1 (%2). This is what the model gets.").arg(image.source, image.conversion));
    updateControls();
}

bool InpaintView::loadMask(const QString& path, QString& error)
{
    QString note;
    if (!document_->load(path, error, &note))
        return false;
    if (!note.isEmpty())
        Q_EMIT statusMessage(note);
    return true;
}

bool InpaintView::useCompletionAsInput()
{
    if (!outcome_ || outcome_->images.isEmpty() || isRunning())
        return false;
    const int selected = grid_->selected();
    const int index = selected >= 0 && selected < outcome_->images.size() ? selected : 0;
    const int values = outcome_->channels * outcome_->size * outcome_->size;
    if (outcome_->completions.size() < (index + 1) * values)
        return false;
    InpaintImage image;
    image.ok = true;
    image.source = tr("completion #%1 of the last run").arg(index + 1);
    image.conversion = tr("its values as the model produced them, within [0, 1]");
    image.channels = outcome_->channels;
    image.size = outcome_->size;
    image.pixels = outcome_->completions.mid(index * values, values);
    for (float& v : image.pixels)
        v = std::clamp(v, 0.0f, 1.0f);  // as every other source gives them, and as the picture shows
    image.image = outcome_->images[index];
    onImageOpened(image);
    Q_EMIT statusMessage(tr("Completion #%1 is the image to complete now; the mask stays").arg(index + 1));
    return true;
}

QList<StudioPage::ShortcutHelp> InpaintView::pageShortcuts() const
{
    return {
        {tr("Left drag on the mask"), tr("paints with the tool chosen (brush, eraser, rectangle; a click fills)")},
        {tr("Space + left drag"), tr("pans the mask")},
        {tr("Middle drag"), tr("pans the mask")},
        {tr("Wheel"), tr("zooms the mask about the cursor")},
        {tr("Drop a file on the mask"), tr("opens the picture or .npy file as the image to complete")},
        {tr("Ctrl+Z / Ctrl+Shift+Z on this page"),
         tr("undo / redo what Edit names: strokes and settings in one order")},
    };
}

bool InpaintView::canStart() const
{
    return engine_->hasModel() && engine_->model().imageModel && !engine_->isBusy() && input_.ok;
}


void InpaintView::startInpainting()
{
    if (!input_.ok) {
        Q_EMIT problem(tr("Open an image to complete first."));
        return;
    }
    if (document_->generatedPixels() == 0) {
        Q_EMIT problem(tr("The mask generates no pixel: paint the pixels to generate (white) first."));
        return;
    }
    if (engine_->isBusy()) {
        Q_EMIT problem(tr("Wait for the running job to end (or stop it) before inpainting."));
        return;
    }
    const InpaintSettings s = settings();
    InpaintRequest request;
    request.sampling.schedulePreset = s.schedulePreset;
    request.sampling.steps = s.steps;
    request.sampling.stepSize = s.stepSize;
    request.sampling.precision = s.precision;
    request.sampling.sampler = s.sampler;
    request.sampling.numSamples = s.completions;
    request.sampling.seed = s.seed;
    request.sampling.denoiseJump = s.denoiseJump;
    if (s.schedulePreset == kEditedSchedulePreset) {
        if (!annealing_->editedCurve()) {
            Q_EMIT problem(tr("There is no edited schedule yet: shape one on the Schedule page, or choose a preset."));
            return;
        }
        request.sampling.scheduleCurve = QString::fromStdString(annealing_->editedCurve()->toJson());
    }
    request.pixels = input_.pixels;
    request.channels = input_.channels;
    request.size = input_.size;
    request.referenceNoise = s.referenceNoise;
    request.featherRadius = s.maskFeather;
    inputMaskAtRun_ = document_->binary();
    runInputs_ = {input_.source, s.referenceNoise, s.maskFeather};
    request.mask = document_->values();
    const int id = ++runId_;
    // A completion on the edited curve follows later edits of it, as the Sample page's runs do.
    auto feed = s.schedulePreset == kEditedSchedulePreset ? std::make_shared<ebm::ScheduleFeed>() : nullptr;
    JobHandle* handle =
        engine_->start(std::make_unique<InpaintJob>(request, id, feed), JobRunner::StartPolicy::RefuseIfBusy);
    if (!handle)
        return;
    annealing_->announceRun(tr("Inpaint page run"), handle, feed, s.steps);
    followRun(handle);
    outcome_.reset();
    comparison_->clear();
    results_->setCurrentIndex(0);
    connect(handle, &JobHandle::progress, this, [this, id](const QVariant& v) { onProgress(id, v); });
    connect(handle, &JobHandle::finished, this, [this, id](const QVariant& r) { onFinished(id, r); });
    connect(handle, &JobHandle::pausedChanged, this, [this](bool paused) {
        if (paused && !history_.isEmpty())
            status_->setText(tr("Paused at step %1").arg(history_.last().step));
        updateControls();
    });
    status_->setText(tr("Starting…"));
    updateControls();
}

void InpaintView::onProgress(int runId, const QVariant& value)
{
    if (runId != runId_)
        return;
    if (value.metaType() == QMetaType::fromType<SamplingRunInfo>()) {
        const SamplingRunInfo info = value.value<SamplingRunInfo>();
        if (info.scheduleUpdate) {  // the edited curve changed while the run goes on
            history_.updateSchedule(info.temperatures);
            chart_->updateSchedule(info.temperatures);
            Q_EMIT statusMessage(tr("The completion follows the edited schedule from step %1")
                                     .arg(info.scheduleChangedAtStep + 1));
            return;
        }
        history_.start(info);
        chart_->startRun(info);
        status_->setText(tr("Completing %1 times, %2 steps…").arg(info.numSamples).arg(info.totalSteps));
    } else if (value.metaType() == QMetaType::fromType<SampleFrameBatch>()) {
        const SampleFrameBatch batch = value.value<SampleFrameBatch>();
        if (history_.append(batch) == 0)
            return;
        chart_->addSnapshots(batch.snapshots);
        const SampleSnapshot& last = batch.snapshots.last();
        grid_->setImages(last.raw);
        grid_->setEnergies(last.energies);
        chart_->setCursorStep(last.step);
        if (isPaused())
            status_->setText(tr("Paused at step %1").arg(last.step));
    }
}

void InpaintView::onFinished(int runId, const QVariant& result)
{
    if (runId != runId_)
        return;
    updateControls();
    if (!result.isValid()) {
        status_->setText(tr("Stopped before it started."));
        return;
    }
    const InpaintOutcome outcome = result.value<InpaintOutcome>();
    if (outcome.run.failed) {
        status_->setText(tr("Failed: %1").arg(outcome.run.message));
        Q_EMIT problem(tr("Inpainting failed: %1").arg(outcome.run.message));
        return;
    }
    outcome_ = outcome;
    grid_->setImages(outcome.images);
    comparison_->setResult(input_.image, inputMaskAtRun_, outcome.images, outcome.maskedMse);
    const QString figures = comparison_->bestIndex() >= 0
                                ? tr("masked MSE best %1 (#%2), worst %3 (#%4)")
                                      .arg(outcome.maskedMse[comparison_->bestIndex()], 0, 'f', 4)
                                      .arg(comparison_->bestIndex() + 1)
                                      .arg(outcome.maskedMse[comparison_->worstIndex()], 0, 'f', 4)
                                      .arg(comparison_->worstIndex() + 1)
                                : QString();
    const int lastStep = history_.isEmpty() ? 0 : history_.last().step;
    status_->setText(outcome.run.stopped ? tr("Stopped at step %1; %2").arg(lastStep).arg(figures)
                                         : tr("%1 completions in %2 s; %3")
                                               .arg(outcome.count)
                                               .arg(outcome.run.seconds, 0, 'f', 1)
                                               .arg(figures));
    if (!outcome.run.stopped)
        results_->setCurrentWidget(comparison_);
    Q_EMIT statusMessage(status_->text());
    updateControls();
}

void InpaintView::updateControls()
{
    runControls_->setState(canStart(), isRunning(), isPaused());
    const bool haveResult = outcome_.has_value() && !outcome_->images.isEmpty();
    exportPng_->setEnabled(haveResult);
    exportNpy_->setEnabled(haveResult);
    exportPanel_->setEnabled(haveResult);
    exportVideo_->setEnabled(!history_.isEmpty() && !isRunning() && !videoExporter_->isExporting());
    saveRun_->setEnabled(!history_.isEmpty() && !isRunning());
    useCompletion_->setEnabled(haveResult && !isRunning());
    Q_EMIT runStateChanged();
}

QString InpaintView::askSave(const QString& title, const QString& filter, const QString& suffix, const QString& name)
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    QString path = QFileDialog::getSaveFileName(this, title, QDir(folder).filePath(name + suffix), filter);
    if (!path.isEmpty() && !path.endsWith(suffix, Qt::CaseInsensitive))
        path += suffix;
    return path;
}

void InpaintView::saveAs(const QString& title, const QString& filter, const QString& suffix, const QString& name,
                         const std::function<bool(const QString& path, QString& error)>& write)
{
    const QString path = askSave(title, filter, suffix, name);
    QString error;
    if (!path.isEmpty() && !write(path, error))
        Q_EMIT problem(error);
}

bool InpaintView::exportCompletionsPng(const QString& path, QString& error) const
{
    if (!outcome_ || outcome_->images.isEmpty()) {
        error = tr("There are no completions yet.");
        return false;
    }
    return saveImage(composeGrid(outcome_->images, 0, 2, kExportScale), path, "PNG", tr("completions picture"), error,
                     exportSettings());
}

QString InpaintView::suggestedVideoPath() const
{
    return QDir(exportFolder(store_, QStandardPaths::MoviesLocation)).filePath(QStringLiteral("inpainting-run.mp4"));
}

bool InpaintView::exportSideBySide(const QString& path, QString& error) const
{
    const QImage picture = comparison_->render(kExportScale);
    if (picture.isNull()) {
        error = tr("There are no completions yet.");
        return false;
    }
    return saveImage(picture, path, "PNG", tr("side-by-side picture"), error, exportSettings());
}

std::string InpaintView::maskSettings() const
{
    // What the mask was painted for: the image, and the mask's own hash and size (as a
    // completion's picture records the mask it ran with).
    const QImage mask = document_->binary();
    ebm::Json kept = studioPictureHeader(kStudioInpaintMaskCommand.toStdString());
    kept["input"] = {{"name", input_.source.toStdString()}};
    kept["mask"] = {{"pixels_sha256", maskPixelsSha256(mask)}, {"width", mask.width()}, {"height", mask.height()}};
    kept["mask_feather"] = settings().maskFeather;
    return kept.dump();
}

std::string InpaintView::exportSettings() const
{
    const ebm::Json details{{"input", {{"name", runInputs_.image.toStdString()}}},
                            {"mask",
                             {{"pixels_sha256", maskPixelsSha256(inputMaskAtRun_)},
                              {"width", inputMaskAtRun_.width()},
                              {"height", inputMaskAtRun_.height()}}},
                            {"mask_feather", runInputs_.maskFeather},
                            {"reference_inpaint_noise", runInputs_.referenceNoise}};
    return studioPictureSettings(kStudioInpaintCommand, engine_->model(), history_.info(), details);
}

bool InpaintView::applyPictureSettings(const std::string& json, const QString& source, QUndoStack* undo,
                                       QString* error)
{
    PictureSampling picture;
    QString problem;
    if (!readPictureSampling(json, source, {kStudioInpaintCommand, QStringLiteral("inpaint")}, picture, problem)) {
        *error = problem;  // empty: not a picture of inpainting
        return false;
    }
    QJsonObject values = picture.fields;
    values.insert(QStringLiteral("completions"), picture.samples);
    const ebm::Json& kept = picture.settings;
    if (kept.contains("reference_inpaint_noise") && kept["reference_inpaint_noise"].is_boolean())
        values.insert(QStringLiteral("referenceNoise"), kept["reference_inpaint_noise"].get<bool>());
    if (kept.contains("mask_feather") && kept["mask_feather"].is_number_integer())
        values.insert(QStringLiteral("maskFeather"), kept["mask_feather"].get<int>());
    const InpaintSettings before = settings();
    InpaintSettings after;
    if (!withFieldValues(inpaintFields(), values, before, after, problem) ||
        !applyAsOneStep(undo, tr("settings from %1").arg(source), this, &InpaintView::setSettings, before, after,
                        annealing_, picture.editedCurve, problem)) {
        *error = tr("%1: %2").arg(source, problem);
        return false;
    }
    const ebm::Json mask = kept.contains("mask") ? kept["mask"] : ebm::Json();
    if (mask.is_object() && mask.contains("pixels_sha256") &&
        mask["pixels_sha256"] != maskPixelsSha256(document_->binary()))
        Q_EMIT statusMessage(tr("The mask painted now is not the one %1 was completed with (a picture keeps only "
                                "its fingerprint)")
                                 .arg(source));
    return true;
}

bool InpaintView::exportCompletionsNpy(const QString& path, QString& error)
{
    if (!outcome_ || outcome_->completions.isEmpty()) {
        error = tr("There are no completions yet.");
        return false;
    }
    JobHandle* handle = engine_->start(std::make_unique<WriteNpyJob>(
        path, outcome_->completions,
        QVector<qint64>{outcome_->count, outcome_->channels, outcome_->size, outcome_->size}));
    if (!handle) {
        error = tr("The worker is busy; try again when the running job ends.");
        return false;
    }
    connect(handle, &JobHandle::finished, this, [this, path](const QVariant& result) {
        const QString failure = result.toString();
        if (failure.isEmpty())
            Q_EMIT statusMessage(tr("Wrote the completions to %1").arg(path));
        else
            Q_EMIT problem(failure);
    });
    return true;
}

void InpaintView::writeImageAndMask(QJsonObject& part) const
{
    const Source s = chosenSource();
    part.insert(QStringLiteral("source"), s == Source::File ? QStringLiteral("file")
                                          : s == Source::Sample ? QStringLiteral("sample") : QStringLiteral("dataset"));
    part.insert(QStringLiteral("path"), path_->text());
    part.insert(QStringLiteral("index"), index_->value());
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    document_->binary().save(&buffer, "PNG");
    part.insert(QStringLiteral("mask_png"), QString::fromLatin1(png.toBase64()));
}

void InpaintView::readImageAndMask(const QJsonObject& part)
{
    const QString source = part.value(QStringLiteral("source")).toString();
    const int index = part.value(QStringLiteral("index")).toInt(0);
    if (source == QLatin1String("file") && !part.value(QStringLiteral("path")).toString().isEmpty())
        openImage(Source::File, part.value(QStringLiteral("path")).toString(), index);
    else if (source != QLatin1String("sample"))
        openImage(Source::DataSet, kFashionMnist, index);
    const QByteArray png = QByteArray::fromBase64(part.value(QStringLiteral("mask_png")).toString().toLatin1());
    const QImage mask = QImage::fromData(png, "PNG");
    if (!mask.isNull())
        document_->reset(mask);  // not an undo step: the session is the new starting point
}

}  // namespace ebm::studio
