#include "inpaint/inpaint_view.h"

#include <QBuffer>
#include <QCheckBox>
#include <QColorDialog>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

#include "engine/job_handle.h"
#include "engine/studio_engine.h"
#include "inpaint/comparison_panel.h"
#include "inpaint/inpaint_fields.h"
#include "inpaint/mask_canvas.h"
#include "inpaint/thumbnail_browser.h"
#include "sample/energy_chart.h"
#include "widgets/image_grid.h"
#include "widgets/run_controls.h"
#include "widgets/sample_grid_widget.h"
#include "widgets/settings_form.h"
#include "widgets/undo_fields.h"

namespace ebm::studio {
namespace {

constexpr int kLeftColumnWidth = 380;
constexpr int kGenerateThreshold = 128;
constexpr int kExportScale = 4;            // exported pictures: 32-pixel images become 128 pixels
constexpr int kMaxBrushSize = 16;          // image pixels
constexpr int kDefaultBrushSize = 4;
constexpr int kDefaultHardness = 80;       // percent
constexpr int kDefaultOpacity = 55;        // percent
constexpr int kFashionMnistTestImages = 10000;
const QString kFashionMnist = QStringLiteral("fashion-mnist");

/// One mask edit (a stroke, a preset, clear, invert, a loaded file): the mask before and after.
class MaskEditCommand : public QUndoCommand {
public:
    MaskEditCommand(MaskCanvas* canvas, QImage before, QImage after, const QString& text)
        : canvas_(canvas), before_(std::move(before)), after_(std::move(after))
    {
        setText(text);
    }
    void undo() override
    {
        if (canvas_)
            canvas_->setMask(before_);
    }
    void redo() override
    {
        if (canvas_)
            canvas_->setMask(after_);
    }

private:
    QPointer<MaskCanvas> canvas_;
    QImage before_, after_;
};

QImage binaryMask(const QImage& mask)
{
    QImage out = mask.convertToFormat(QImage::Format_Grayscale8);
    for (int y = 0; y < out.height(); ++y) {
        uchar* row = out.scanLine(y);
        for (int x = 0; x < out.width(); ++x)
            row[x] = row[x] >= kGenerateThreshold ? 255 : 0;
    }
    return out;
}

int generatedPixels(const QImage& mask)
{
    int count = 0;
    for (int y = 0; y < mask.height(); ++y) {
        const uchar* row = mask.constScanLine(y);
        for (int x = 0; x < mask.width(); ++x)
            count += row[x] >= kGenerateThreshold;
    }
    return count;
}

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

InpaintView::InpaintView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent)
    : StudioPage(parent), engine_(engine), undo_(undo)
{
    registerInpaintTypes();
    canvas_ = new MaskCanvas(this);
    connect(canvas_, &MaskCanvas::maskEdited, this, [this](const QImage& before, const QImage& after, const QString& text) {
        undo_->stack()->push(new MaskEditCommand(canvas_, before, after, text));
    });

    runControls_ = new RunControls(tr("Inpaint"), tr("Complete the masked pixels with annealed Langevin dynamics"), true,
                                   RunControls::Layout::Grid, this);
    runControls_->startButton()->setObjectName(QStringLiteral("inpaintButton"));
    connect(runControls_, &RunControls::startRequested, this, &InpaintView::startInpainting);
    connect(runControls_, &RunControls::pauseToggled, this, &InpaintView::togglePause);
    connect(runControls_, &RunControls::stepRequested, this, &InpaintView::stepOnce);
    connect(runControls_, &RunControls::stopRequested, this, &InpaintView::stop);

    // --- image ---------------------------------------------------------------------------
    source_ = new QComboBox(this);
    source_->addItem(tr("Fashion-MNIST test image"), int(Source::DataSet));
    source_->addItem(tr("Picture or .npy file"), int(Source::File));
    source_->addItem(tr("Sample page: selected sample"), int(Source::Sample));
    path_ = new QLineEdit(this);
    path_->setPlaceholderText(tr("PNG, JPEG or .npy file"));
    browse_ = new QToolButton(this);
    browse_->setText(QStringLiteral("…"));
    connect(browse_, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Image to Complete"), path_->text(),
                                                          tr("Images and arrays (*.png *.jpg *.jpeg *.npy);;All files (*)"));
        if (!path.isEmpty()) {
            path_->setText(path);
            openImage(Source::File, path, index_->value());
        }
    });
    index_ = new QSpinBox(this);
    index_->setRange(0, kFashionMnistTestImages - 1);
    index_->setKeyboardTracking(false);
    index_->setToolTip(tr("Which image of the data set or array"));
    auto* browseImages = new QPushButton(tr("Browse…"), this);
    browseImages->setToolTip(tr("Choose the image from pages of thumbnails"));
    connect(browseImages, &QPushButton::clicked, this, [this] {
        const Source s = Source(source_->currentData().toInt());
        if (s == Source::Sample)
            return;
        const QString spec = s == Source::DataSet ? kFashionMnist : path_->text();
        ThumbnailBrowser browser(engine_, spec, index_->value(), this);
        if (browser.exec() == QDialog::Accepted && browser.chosenIndex() >= 0)
            openImage(s, spec, browser.chosenIndex());
    });
    auto* openButton = new QPushButton(tr("Open"), this);
    openButton->setObjectName(QStringLiteral("openImageButton"));
    auto openChosen = [this] {
        const Source s = Source(source_->currentData().toInt());
        openImage(s, s == Source::DataSet ? kFashionMnist : path_->text(), index_->value());
    };
    connect(openButton, &QPushButton::clicked, this, openChosen);
    connect(index_, &QSpinBox::valueChanged, this, openChosen);
    connect(source_, &QComboBox::activated, this, [this, openChosen] {
        updateSourceFields();
        if (Source(source_->currentData().toInt()) != Source::File || !path_->text().isEmpty())
            openChosen();
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

    // --- mask ----------------------------------------------------------------------------
    tool_ = new QComboBox(this);
    tool_->setObjectName(QStringLiteral("maskTool"));
    tool_->addItem(tr("Brush"), int(MaskCanvas::Tool::Brush));
    tool_->addItem(tr("Eraser"), int(MaskCanvas::Tool::Eraser));
    tool_->addItem(tr("Rectangle"), int(MaskCanvas::Tool::Rectangle));
    tool_->addItem(tr("Fill (flip the region)"), int(MaskCanvas::Tool::Fill));
    connect(tool_, &QComboBox::currentIndexChanged, this,
            [this] { canvas_->setTool(MaskCanvas::Tool(tool_->currentData().toInt())); });
    brushSize_ = new QSlider(Qt::Horizontal, this);
    brushSize_->setRange(1, kMaxBrushSize);
    brushSize_->setValue(kDefaultBrushSize);
    brushSize_->setToolTip(tr("Brush diameter in image pixels"));
    connect(brushSize_, &QSlider::valueChanged, canvas_, [this](int v) { canvas_->setBrushSize(v); });
    canvas_->setBrushSize(kDefaultBrushSize);
    hardness_ = new QSlider(Qt::Horizontal, this);
    hardness_->setRange(0, 100);
    hardness_->setValue(kDefaultHardness);
    hardness_->setToolTip(tr("Hard edges generate the whole brush; soft edges fade (pixels at 50% or more are generated)"));
    connect(hardness_, &QSlider::valueChanged, canvas_, [this](int v) { canvas_->setHardness(v / 100.0); });
    canvas_->setHardness(kDefaultHardness / 100.0);
    opacity_ = new QSlider(Qt::Horizontal, this);
    opacity_->setRange(0, 100);
    opacity_->setValue(kDefaultOpacity);
    connect(opacity_, &QSlider::valueChanged, canvas_, [this](int v) { canvas_->setOverlayOpacity(v / 100.0); });
    canvas_->setOverlayOpacity(kDefaultOpacity / 100.0);
    auto* colour = new QToolButton(this);
    colour->setText(tr("Colour…"));
    connect(colour, &QToolButton::clicked, this, [this] {
        const QColor c = QColorDialog::getColor(canvas_->overlayColor(), this, tr("Mask Overlay Colour"));
        if (c.isValid())
            canvas_->setOverlayColor(c);
    });
    preset_ = new QComboBox(this);
    preset_->setObjectName(QStringLiteral("maskPreset"));
    for (const auto& [label, name] : std::initializer_list<std::pair<QString, QString>>{
             {tr("Left half"), QStringLiteral("left")},
             {tr("Right half"), QStringLiteral("right")},
             {tr("Top half"), QStringLiteral("top")},
             {tr("Bottom half"), QStringLiteral("bottom")},
             {tr("Centre square"), QStringLiteral("centre")},
             {tr("Random pixels"), QStringLiteral("random")}})
        preset_->addItem(label, name);
    fraction_ = new QDoubleSpinBox(this);
    fraction_->setRange(0.0, 1.0);
    fraction_->setSingleStep(0.05);
    fraction_->setValue(0.5);
    fraction_->setToolTip(tr("Fraction of random pixels to generate"));
    auto* applyPreset = new QPushButton(tr("Apply"), this);
    connect(applyPreset, &QPushButton::clicked, this,
            [this] { applyPresetMask(preset_->currentData().toString(), fraction_->value()); });
    auto* clear = new QPushButton(tr("Clear"), this);
    connect(clear, &QPushButton::clicked, this, &InpaintView::clearMask);
    auto* invert = new QPushButton(tr("Invert"), this);
    connect(invert, &QPushButton::clicked, this, &InpaintView::invertMask);
    auto* loadMaskButton = new QPushButton(tr("Load…"), this);
    connect(loadMaskButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load Mask"), QString(), tr("PNG images (*.png);;All files (*)"));
        QString error;
        if (!path.isEmpty() && !loadMask(path, error))
            Q_EMIT problem(error);
    });
    auto* saveMaskButton = new QPushButton(tr("Save…"), this);
    connect(saveMaskButton, &QPushButton::clicked, this, [this] {
        const QString path = askSave(tr("Save Mask"), tr("PNG images (*.png)"), QStringLiteral(".png"), QStringLiteral("mask"));
        QString error;
        if (!path.isEmpty() && !saveMask(path, error))
            Q_EMIT problem(error);
    });
    auto* fit = new QToolButton(this);
    fit->setText(tr("Fit"));
    connect(fit, &QToolButton::clicked, canvas_, &MaskCanvas::fitToWindow);
    auto* actual = new QToolButton(this);
    actual->setText(tr("1:1"));
    connect(actual, &QToolButton::clicked, canvas_, &MaskCanvas::actualPixels);
    zoomLabel_ = new QLabel(this);
    connect(canvas_, &MaskCanvas::zoomChanged, this, [this](double z) { zoomLabel_->setText(tr("%1×").arg(z, 0, 'f', 1)); });

    auto* maskBox = new QGroupBox(tr("Mask (white = generate)"), this);
    auto* maskForm = new QFormLayout(maskBox);
    maskForm->addRow(tr("Tool"), tool_);
    maskForm->addRow(tr("Size"), brushSize_);
    maskForm->addRow(tr("Hardness"), hardness_);
    auto* overlayRow = new QHBoxLayout;
    overlayRow->addWidget(opacity_, 1);
    overlayRow->addWidget(colour);
    maskForm->addRow(tr("Overlay"), overlayRow);
    maskForm->addRow(tr("Preset"), preset_);
    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(new QLabel(tr("Random fraction"), this));
    presetRow->addWidget(fraction_);
    presetRow->addWidget(applyPreset);
    maskForm->addRow(presetRow);
    auto* maskButtons = new QGridLayout;
    maskButtons->addWidget(clear, 0, 0);
    maskButtons->addWidget(invert, 0, 1);
    maskButtons->addWidget(loadMaskButton, 1, 0);
    maskButtons->addWidget(saveMaskButton, 1, 1);
    maskForm->addRow(maskButtons);

    form_ = new SettingsForm<InpaintSettings>(inpaintFields(), undo_, this);

    exportPng_ = new QPushButton(tr("Completions PNG…"), this);
    exportNpy_ = new QPushButton(tr("Completions .npy…"), this);
    exportPanel_ = new QPushButton(tr("Side by side PNG…"), this);
    connect(exportPng_, &QPushButton::clicked, this, [this] {
        const QString path = askSave(tr("Export Completions"), tr("PNG images (*.png)"), QStringLiteral(".png"), QStringLiteral("completions"));
        QString error;
        if (!path.isEmpty() && !exportCompletionsPng(path, error))
            Q_EMIT problem(error);
    });
    connect(exportNpy_, &QPushButton::clicked, this, [this] {
        const QString path = askSave(tr("Export Completions"), tr("NumPy arrays (*.npy)"), QStringLiteral(".npy"), QStringLiteral("completions"));
        QString error;
        if (!path.isEmpty() && !exportCompletionsNpy(path, error))
            Q_EMIT problem(error);
    });
    connect(exportPanel_, &QPushButton::clicked, this, [this] {
        const QString path = askSave(tr("Export Side by Side"), tr("PNG images (*.png)"), QStringLiteral(".png"), QStringLiteral("inpainting"));
        QString error;
        if (!path.isEmpty() && !exportSideBySide(path, error))
            Q_EMIT problem(error);
    });
    auto* exportBox = new QGroupBox(tr("Export"), this);
    auto* exportLayout = new QGridLayout(exportBox);
    exportLayout->addWidget(exportPng_, 0, 0);
    exportLayout->addWidget(exportNpy_, 0, 1);
    exportLayout->addWidget(exportPanel_, 1, 0, 1, 2);

    auto* settingsColumn = new QWidget(this);
    auto* settingsLayout = new QVBoxLayout(settingsColumn);
    settingsLayout->setContentsMargins(0, 0, 0, 0);
    settingsLayout->addWidget(imageBox);
    settingsLayout->addWidget(maskBox);
    settingsLayout->addWidget(form_);
    settingsLayout->addWidget(exportBox);
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

    // --- canvas, results --------------------------------------------------------------------
    auto* canvasColumn = new QWidget(this);
    auto* canvasLayout = new QVBoxLayout(canvasColumn);
    canvasLayout->setContentsMargins(0, 0, 0, 0);
    auto* zoomRow = new QHBoxLayout;
    zoomRow->addWidget(new QLabel(tr("<b>Mask</b>"), this));
    zoomRow->addStretch(1);
    zoomRow->addWidget(zoomLabel_);
    zoomRow->addWidget(fit);
    zoomRow->addWidget(actual);
    canvasLayout->addLayout(zoomRow);
    canvasLayout->addWidget(canvas_, 1);

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
    auto* resultColumn = new QWidget(this);
    auto* resultLayout = new QVBoxLayout(resultColumn);
    resultLayout->setContentsMargins(0, 0, 0, 0);
    resultLayout->addWidget(status_);
    resultLayout->addWidget(results_, 1);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(canvasColumn);
    split->addWidget(resultColumn);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    split->setSizes({500, 500});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(left);
    layout->addWidget(split, 1);

    connect(engine_, &StudioEngine::activityChanged, this, &InpaintView::updateControls);
    // A new model: the image is opened again for it (its channels or size may differ).
    connect(engine_, &StudioEngine::modelLoaded, this, [this](const ModelInfo& info) {
        if (!info.imageModel)
            return;
        if (input_.ok && (input_.channels != info.channels || input_.size != info.imageSize)) {
            const Source s = Source(source_->currentData().toInt());
            openImage(s == Source::Sample ? Source::DataSet : s, s == Source::File ? path_->text() : kFashionMnist,
                      index_->value());
        }
    });
    updateSourceFields();
    updateControls();
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
    const Source s = Source(source_->currentData().toInt());
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
        const QImage sample = sampleSource_ ? sampleSource_() : QImage();
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
    canvas_->setImage(image.image);  // a mask of another size is scaled by the canvas
    if (image.imagesInSource > 1) {
        const QSignalBlocker block(index_);
        index_->setMaximum(image.imagesInSource - 1);
    }
    imageNote_->setText(tr("%1 (%2). This is what the model gets.").arg(image.source, image.conversion));
    updateControls();
}

void InpaintView::setMaskAsEdit(const QImage& mask, const QString& text)
{
    const QImage before = canvas_->mask();
    if (mask == before)
        return;
    undo_->stack()->push(new MaskEditCommand(canvas_, before, mask, text));
}

void InpaintView::applyPresetMask(const QString& name, double fraction)
{
    const QSize size = canvas_->image().size();
    const int w = size.width(), h = size.height();
    QImage mask(size, QImage::Format_Grayscale8);
    mask.fill(0);
    QRandomGenerator random(1);  // the same random mask for the same fraction
    for (int y = 0; y < h; ++y) {
        uchar* row = mask.scanLine(y);
        for (int x = 0; x < w; ++x) {
            bool on = false;
            if (name == QLatin1String("left"))
                on = x < w / 2;
            else if (name == QLatin1String("right"))
                on = x >= w / 2;
            else if (name == QLatin1String("top"))
                on = y < h / 2;
            else if (name == QLatin1String("bottom"))
                on = y >= h / 2;
            else if (name == QLatin1String("centre"))
                on = x >= w / 4 && x < w - w / 4 && y >= h / 4 && y < h - h / 4;
            else if (name == QLatin1String("random"))
                on = random.generateDouble() < fraction;
            row[x] = on ? 255 : 0;
        }
    }
    setMaskAsEdit(mask, tr("Mask preset"));
}

void InpaintView::clearMask()
{
    QImage mask(canvas_->image().size(), QImage::Format_Grayscale8);
    mask.fill(0);
    setMaskAsEdit(mask, tr("Clear mask"));
}

void InpaintView::invertMask()
{
    QImage mask = binaryMask(canvas_->mask());
    mask.invertPixels();
    setMaskAsEdit(mask, tr("Invert mask"));
}

bool InpaintView::loadMask(const QString& path, QString& error)
{
    QImage picture(path);
    if (picture.isNull()) {
        error = tr("%1: not a readable picture (a mask is a PNG, white = generate)").arg(path);
        return false;
    }
    QImage mask = picture.convertToFormat(QImage::Format_Grayscale8);
    const QSize size = canvas_->image().size();
    if (mask.size() != size) {
        // Nearest neighbours keep a mask a mask.
        mask = mask.scaled(size, Qt::IgnoreAspectRatio, Qt::FastTransformation);
        Q_EMIT statusMessage(tr("%1 is %2x%3: scaled to %4x%5 with nearest neighbours")
                                 .arg(QFileInfo(path).fileName())
                                 .arg(picture.width())
                                 .arg(picture.height())
                                 .arg(size.width())
                                 .arg(size.height()));
    }
    setMaskAsEdit(binaryMask(mask), tr("Load mask"));
    return true;
}

bool InpaintView::saveMask(const QString& path, QString& error) const
{
    if (!binaryMask(canvas_->mask()).save(path, "PNG")) {
        error = tr("%1: could not write the mask").arg(path);
        return false;
    }
    return true;
}

bool InpaintView::canStart() const
{
    return engine_->hasModel() && engine_->model().imageModel && !engine_->isBusy() && input_.ok;
}

bool InpaintView::isRunning() const { return run_ && run_->isActive(); }
bool InpaintView::isPaused() const { return run_ && run_->isPaused(); }

void InpaintView::togglePause()
{
    if (run_)
        run_->togglePause();
}

void InpaintView::stepOnce()
{
    if (run_)
        run_->step();
}

void InpaintView::stop()
{
    if (run_)
        run_->cancel();
}

void InpaintView::startInpainting()
{
    if (!input_.ok) {
        Q_EMIT problem(tr("Open an image to complete first."));
        return;
    }
    if (generatedPixels(canvas_->mask()) == 0) {
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
    request.sampling.numSamples = s.completions;
    request.sampling.seed = s.seed;
    request.sampling.denoiseJump = s.denoiseJump;
    if (s.schedulePreset == kEditedSchedulePreset) {
        if (!editedSchedule_) {
            Q_EMIT problem(tr("There is no edited schedule yet: shape one on the Schedule page, or choose a preset."));
            return;
        }
        request.sampling.scheduleCurve = QString::fromStdString(editedSchedule_->toJson());
    }
    request.pixels = input_.pixels;
    request.channels = input_.channels;
    request.size = input_.size;
    request.referenceNoise = s.referenceNoise;
    inputMaskAtRun_ = binaryMask(canvas_->mask());
    request.mask.resize(input_.size * input_.size);
    for (int y = 0; y < input_.size; ++y)
        for (int x = 0; x < input_.size; ++x)
            request.mask[y * input_.size + x] = inputMaskAtRun_.constScanLine(y)[x] ? 1.0f : 0.0f;
    const int id = ++runId_;
    JobHandle* handle = engine_->start(std::make_unique<InpaintJob>(request, id, nullptr), JobRunner::StartPolicy::RefuseIfBusy);
    if (!handle)
        return;
    run_ = handle;
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
        if (run_ && run_->isPaused())
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
    status_->setText(outcome.run.stopped
                         ? tr("Stopped at step %1; %2").arg(history_.isEmpty() ? 0 : history_.last().step).arg(figures)
                         : tr("%1 completions in %2 s; %3").arg(outcome.count).arg(outcome.run.seconds, 0, 'f', 1).arg(figures));
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

bool InpaintView::exportCompletionsPng(const QString& path, QString& error) const
{
    if (!outcome_ || outcome_->images.isEmpty()) {
        error = tr("There are no completions yet.");
        return false;
    }
    if (!composeGrid(outcome_->images, 0, 2, kExportScale).save(path, "PNG")) {
        error = tr("%1: could not write the picture").arg(path);
        return false;
    }
    return true;
}

bool InpaintView::exportSideBySide(const QString& path, QString& error) const
{
    const QImage picture = comparison_->render(kExportScale);
    if (picture.isNull()) {
        error = tr("There are no completions yet.");
        return false;
    }
    if (!picture.save(path, "PNG")) {
        error = tr("%1: could not write the picture").arg(path);
        return false;
    }
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

QJsonObject InpaintView::sessionSettings() const
{
    QJsonObject part = inpaintFields().toJson(settings());
    const Source s = Source(source_->currentData().toInt());
    part.insert(QStringLiteral("source"), s == Source::File ? QStringLiteral("file")
                                          : s == Source::Sample ? QStringLiteral("sample") : QStringLiteral("dataset"));
    part.insert(QStringLiteral("path"), path_->text());
    part.insert(QStringLiteral("index"), index_->value());
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    binaryMask(canvas_->mask()).save(&buffer, "PNG");
    part.insert(QStringLiteral("mask_png"), QString::fromLatin1(png.toBase64()));
    return part;
}

void InpaintView::applySessionSettings(const QJsonObject& part)
{
    InpaintSettings s;
    QString error;
    if (!inpaintFields().fromJson(part, s, error)) {
        Q_EMIT problem(tr("The session's inpainting settings were not applied: %1").arg(error));
        return;
    }
    setSettings(s);
    const QString source = part.value(QStringLiteral("source")).toString();
    const int index = part.value(QStringLiteral("index")).toInt(0);
    if (source == QLatin1String("file") && !part.value(QStringLiteral("path")).toString().isEmpty())
        openImage(Source::File, part.value(QStringLiteral("path")).toString(), index);
    else if (source != QLatin1String("sample"))
        openImage(Source::DataSet, kFashionMnist, index);
    const QImage mask = QImage::fromData(QByteArray::fromBase64(part.value(QStringLiteral("mask_png")).toString().toLatin1()), "PNG");
    if (!mask.isNull()) {
        // Not an undo step: the session is the new starting point.
        canvas_->setMask(mask.size() == canvas_->image().size()
                             ? binaryMask(mask)
                             : binaryMask(mask.scaled(canvas_->image().size(), Qt::IgnoreAspectRatio, Qt::FastTransformation)));
    }
}

}  // namespace ebm::studio
