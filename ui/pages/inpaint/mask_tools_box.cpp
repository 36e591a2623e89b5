#include "pages/inpaint/mask_tools_box.h"

#include <QColorDialog>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QToolButton>

#include <initializer_list>
#include <utility>

#include "pages/inpaint/mask_canvas.h"
#include "pages/inpaint/mask_document.h"

namespace ebm::studio {
namespace {

constexpr int kMaxBrushSize = 16;          // image pixels
constexpr int kDefaultBrushSize = 4;
constexpr int kDefaultHardness = 80;       // percent
constexpr int kDefaultOpacity = 55;        // percent

}  // namespace

MaskToolsBox::MaskToolsBox(MaskCanvas* canvas, QWidget* parent)
    : QGroupBox(tr("Mask (white = generate)"), parent), canvas_(canvas)
{
    auto* form = new QFormLayout(this);
    addBrushRows(form);
    addPresetRows(form);
    addEditButtons(form);
}

void MaskToolsBox::addBrushRows(QFormLayout* form)
{
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
    hardness_->setToolTip(
        tr("Hard edges generate the whole brush; soft edges fade (pixels at 50% or more are generated)"));
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
    form->addRow(tr("Tool"), tool_);
    form->addRow(tr("Size"), brushSize_);
    form->addRow(tr("Hardness"), hardness_);
    auto* overlayRow = new QHBoxLayout;
    overlayRow->addWidget(opacity_, 1);
    overlayRow->addWidget(colour);
    form->addRow(tr("Overlay"), overlayRow);
}

void MaskToolsBox::addPresetRows(QFormLayout* form)
{
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
    preset_->setToolTip(tr("Choosing a preset replaces the mask with it (Ctrl+Z brings the mask back)"));
    // activated: the person's choice, also of the preset already shown (after painting over it).
    connect(preset_, &QComboBox::activated, this, &MaskToolsBox::applyChosenPreset);
    fraction_ = new QDoubleSpinBox(this);
    fraction_->setObjectName(QStringLiteral("maskFraction"));
    fraction_->setRange(0.0, 1.0);
    fraction_->setSingleStep(0.05);
    fraction_->setValue(0.5);
    fraction_->setKeyboardTracking(false);  // a typed fraction is one edit, not one per digit
    fraction_->setToolTip(tr("Fraction of random pixels to generate"));
    connect(fraction_, &QDoubleSpinBox::valueChanged, this, [this] {
        if (preset_->currentData().toString() == QLatin1String("random"))
            applyChosenPreset();
    });
    auto* applyPreset = new QPushButton(tr("Apply"), this);
    applyPreset->setObjectName(QStringLiteral("applyMaskPreset"));
    applyPreset->setToolTip(tr("Apply the preset again (it replaces the mask)"));
    connect(applyPreset, &QPushButton::clicked, this, &MaskToolsBox::applyChosenPreset);
    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(preset_, 1);
    presetRow->addWidget(applyPreset);
    form->addRow(tr("Preset"), presetRow);
    auto* fractionRow = new QHBoxLayout;
    fractionRow->addWidget(new QLabel(tr("Random fraction"), this));
    fractionRow->addWidget(fraction_);
    fractionRow->addStretch(1);
    form->addRow(fractionRow);
}

void MaskToolsBox::applyChosenPreset()
{
    MaskDocument* document = canvas_->document();
    const QImage before = document->mask();
    const int generatedBefore = document->generatedPixels();
    if (!document->applyPreset(preset_->currentData().toString(), fraction_->value()) || document->mask() == before)
        return;
    if (generatedBefore > 0)
        Q_EMIT statusMessage(tr("The “%1” preset replaced the mask you had (%2 generated pixels); "
                                "Edit > Undo (Ctrl+Z) brings it back")
                                 .arg(preset_->currentText())
                                 .arg(generatedBefore));
}

void MaskToolsBox::addEditButtons(QFormLayout* form)
{
    MaskDocument* document = canvas_->document();
    auto* clear = new QPushButton(tr("Clear"), this);
    connect(clear, &QPushButton::clicked, document, &MaskDocument::clear);
    auto* invert = new QPushButton(tr("Invert"), this);
    connect(invert, &QPushButton::clicked, document, &MaskDocument::invert);
    auto* load = new QPushButton(tr("Load…"), this);
    connect(load, &QPushButton::clicked, this, &MaskToolsBox::loadRequested);
    auto* save = new QPushButton(tr("Save…"), this);
    connect(save, &QPushButton::clicked, this, &MaskToolsBox::saveRequested);
    auto* buttons = new QGridLayout;
    buttons->addWidget(clear, 0, 0);
    buttons->addWidget(invert, 0, 1);
    buttons->addWidget(load, 1, 0);
    buttons->addWidget(save, 1, 1);
    form->addRow(buttons);
}

}  // namespace ebm::studio
