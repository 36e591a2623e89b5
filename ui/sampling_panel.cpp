#include "sampling_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>

#include "undo_fields.h"

namespace ebm::studio {

SamplingPanel::SamplingPanel(UndoFieldBinder* undo, QWidget* parent) : QWidget(parent), undo_(undo)
{
    model_ = new QLabel(tr("Loading the model…"), this);
    model_->setWordWrap(true);
    model_->setObjectName(QStringLiteral("modelLabel"));
    model_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    preset_ = new QComboBox(this);
    for (const QString& name : schedulePresets())
        preset_->addItem(presetLabel(name), name);
    preset_->setToolTip(tr("Temperature schedule of annealed Langevin dynamics (eq. 8).\n"
                           "Paper: 500 steps at T = 100, cooling to T = 1, then 200 steps to T = 0.\n"
                           "Quick: the same shape in a few hundred steps, for a first look."));
    steps_ = new QSpinBox(this);
    steps_->setRange(3, 100000);
    steps_->setSingleStep(50);
    steps_->setToolTip(tr("Number of Langevin steps; the schedule's shape is stretched to fit"));
    stepSize_ = new QDoubleSpinBox(this);
    stepSize_->setRange(0.001, 0.2);
    stepSize_->setDecimals(4);
    stepSize_->setSingleStep(0.005);
    stepSize_->setToolTip(tr("Langevin step size ε (the paper uses 0.02; 0.015 to 0.05 works)"));
    numSamples_ = new QSpinBox(this);
    numSamples_->setRange(1, 256);
    numSamples_->setToolTip(tr("How many chains run side by side (1 to 256)"));
    seed_ = new QSpinBox(this);
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setToolTip(tr("Random seed: the same seed, model and settings give the same samples"));
    newSeed_ = new QToolButton(this);
    newSeed_->setText(tr("New"));
    newSeed_->setToolTip(tr("Draw a new random seed"));
    connect(newSeed_, &QToolButton::clicked, this, [this] {
        seed_->setValue(static_cast<int>(QRandomGenerator::global()->bounded(1, 1000000)));
    });
    start_ = new QComboBox(this);
    start_->addItem(tr("Noise (0.5 + N(0, I))"));
    start_->addItem(tr("Chosen images"));
    startImages_ = new QLineEdit(this);
    startImages_->setPlaceholderText(tr(".npy, image, folder or fashion-mnist"));
    startImages_->setToolTip(tr("Images to start the chains from; fewer images than samples are repeated"));
    browseStart_ = new QToolButton(this);
    browseStart_->setText(QStringLiteral("…"));
    browseStart_->setToolTip(tr("Choose the start images"));
    connect(browseStart_, &QToolButton::clicked, this, &SamplingPanel::chooseStartImages);
    denoiseJump_ = new QCheckBox(tr("Denoising jump at the end (eq. 9)"), this);
    denoiseJump_->setToolTip(tr("After annealing, one step x − σ₀² ∂E/∂x removes the remaining noise"));
    recordEvery_ = new QSpinBox(this);
    recordEvery_->setRange(0, 10000);
    recordEvery_->setSpecialValueText(tr("automatic"));
    recordEvery_->setToolTip(tr("Keep a frame for the timeline every k steps (automatic: about 150 frames)"));

    preset_->setObjectName(QStringLiteral("presetField"));
    steps_->setObjectName(QStringLiteral("stepsField"));
    stepSize_->setObjectName(QStringLiteral("stepSizeField"));
    numSamples_->setObjectName(QStringLiteral("samplesField"));
    seed_->setObjectName(QStringLiteral("seedField"));

    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(seed_, 1);
    seedRow->addWidget(newSeed_);
    auto* startRow = new QHBoxLayout;
    startRow->addWidget(startImages_, 1);
    startRow->addWidget(browseStart_);

    auto* schedule = new QGroupBox(tr("Schedule"), this);
    auto* scheduleForm = new QFormLayout(schedule);
    scheduleForm->addRow(tr("Preset"), preset_);
    scheduleForm->addRow(tr("Steps"), steps_);
    scheduleForm->addRow(tr("Step size ε"), stepSize_);
    auto* chains = new QGroupBox(tr("Samples"), this);
    auto* chainsForm = new QFormLayout(chains);
    chainsForm->addRow(tr("Number"), numSamples_);
    chainsForm->addRow(tr("Seed"), seedRow);
    chainsForm->addRow(tr("Start from"), start_);
    chainsForm->addRow(QString(), startRow);
    chainsForm->addRow(denoiseJump_);
    chainsForm->addRow(tr("Record every"), recordEvery_);

    sample_ = new QPushButton(tr("Sample"), this);
    sample_->setObjectName(QStringLiteral("sampleButton"));
    sample_->setDefault(true);
    sample_->setToolTip(tr("Start annealed Langevin sampling (F5)"));
    sample_->setMinimumHeight(sample_->sizeHint().height() * 5 / 4);
    pause_ = new QPushButton(tr("Pause"), this);
    pause_->setToolTip(tr("Pause or resume between two Langevin steps (F6)"));
    step_ = new QPushButton(tr("Step"), this);
    step_->setToolTip(tr("While paused: exactly one more Langevin step (F10)"));
    stop_ = new QPushButton(tr("Stop"), this);
    stop_->setToolTip(tr("Stop the run and keep what it reached (Shift+F5)"));
    connect(sample_, &QPushButton::clicked, this, &SamplingPanel::sampleRequested);
    connect(pause_, &QPushButton::clicked, this, &SamplingPanel::pauseToggled);
    connect(step_, &QPushButton::clicked, this, &SamplingPanel::stepRequested);
    connect(stop_, &QPushButton::clicked, this, &SamplingPanel::stopRequested);
    auto* buttons = new QGridLayout;
    buttons->addWidget(sample_, 0, 0, 1, 3);
    buttons->addWidget(pause_, 1, 0);
    buttons->addWidget(step_, 1, 1);
    buttons->addWidget(stop_, 1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(model_);
    layout->addLayout(buttons);
    layout->addWidget(schedule);
    layout->addWidget(chains);
    layout->addStretch(1);

    setSettings(SamplingSettings{});
    undo_->bind(preset_, tr("schedule preset"), [this] {
        // A preset brings its own length; part of the same undo step.
        steps_->setValue(defaultStepsForPreset(preset_->currentData().toString()));
    });
    undo_->bind(steps_, tr("steps"));
    undo_->bind(stepSize_, tr("step size"));
    undo_->bind(numSamples_, tr("number of samples"));
    undo_->bind(seed_, tr("seed"));
    undo_->bind(start_, tr("start"));
    undo_->bind(startImages_, tr("start images"));
    undo_->bind(denoiseJump_, tr("denoising jump"));
    undo_->bind(recordEvery_, tr("record period"));

    for (QSpinBox* spin : {steps_, numSamples_, seed_, recordEvery_})
        connect(spin, &QSpinBox::valueChanged, this, &SamplingPanel::settingsChanged);
    connect(stepSize_, &QDoubleSpinBox::valueChanged, this, &SamplingPanel::settingsChanged);
    for (QComboBox* combo : {preset_, start_})
        connect(combo, &QComboBox::currentIndexChanged, this, [this] {
            updateEnabled();
            Q_EMIT settingsChanged();
        });
    connect(startImages_, &QLineEdit::textChanged, this, &SamplingPanel::settingsChanged);
    connect(denoiseJump_, &QCheckBox::toggled, this, &SamplingPanel::settingsChanged);
    setRunState(false, false, false);
}

SamplingSettings SamplingPanel::settings() const
{
    SamplingSettings s;
    s.schedulePreset = preset_->currentData().toString();
    s.steps = steps_->value();
    s.stepSize = stepSize_->value();
    s.numSamples = numSamples_->value();
    s.seed = static_cast<quint64>(seed_->value());
    s.startFromImages = start_->currentIndex() == 1;
    s.startImages = startImages_->text().trimmed();
    s.denoiseJump = denoiseJump_->isChecked();
    s.recordEvery = recordEvery_->value();
    return s;
}

void SamplingPanel::setSettings(const SamplingSettings& s)
{
    undo_->withoutUndo([&] {
        const int presetIndex = preset_->findData(s.schedulePreset);
        preset_->setCurrentIndex(presetIndex < 0 ? 0 : presetIndex);
        steps_->setValue(s.steps);
        stepSize_->setValue(s.stepSize);
        numSamples_->setValue(s.numSamples);
        seed_->setValue(static_cast<int>(qMin<quint64>(s.seed, std::numeric_limits<int>::max())));
        start_->setCurrentIndex(s.startFromImages ? 1 : 0);
        startImages_->setText(s.startImages);
        denoiseJump_->setChecked(s.denoiseJump);
        recordEvery_->setValue(s.recordEvery);
    });
    updateEnabled();
}

void SamplingPanel::setModelText(const QString& text, const QString& tooltip)
{
    model_->setText(text);
    model_->setToolTip(tooltip);
}

void SamplingPanel::setRunState(bool canStart, bool running, bool paused)
{
    sample_->setEnabled(canStart && !running);
    pause_->setEnabled(running);
    pause_->setText(paused ? tr("Resume") : tr("Pause"));
    step_->setEnabled(running);
    stop_->setEnabled(running);
}

void SamplingPanel::updateEnabled()
{
    const bool images = start_->currentIndex() == 1;
    startImages_->setEnabled(images);
    browseStart_->setEnabled(images);
}

void SamplingPanel::chooseStartImages()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Start images"), startImages_->text(),
        tr("Images and arrays (*.npy *.png *.jpg *.jpeg *.bmp);;All files (*)"));
    if (!path.isEmpty())
        startImages_->setText(path);
}

}  // namespace ebm::studio
