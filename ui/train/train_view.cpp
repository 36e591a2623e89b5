#include "train/train_view.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>

#include "engine/studio_engine.h"
#include "train/loss_chart.h"
#include "train/training_fields.h"
#include "widgets/undo_fields.h"
#include "widgets/run_controls.h"
#include "widgets/sample_grid_widget.h"
#include "widgets/scientific_spin_box.h"
#include "widgets/wheel_guard.h"

namespace ebm::studio {
namespace {

constexpr int kPreviewIconSide = 128;
constexpr int kMaxPreviews = 200;  // oldest previews go first on very long runs
// Above this estimated duration the page warns before a long run.
constexpr double kLongRunSeconds = 3600.0;
// Cost model of one MDSM step when no run has been measured: seconds per step of res12 at
// width 16, batch 64, 32x32 images on one CPU thread (measured order of magnitude; the first
// progress of a real run replaces it). Cost grows with batch, pixels and width squared.
constexpr double kSecondsPerReferenceStep = 0.6;
constexpr double kCudaSpeedup = 20.0;

double depthFactor(const QString& architecture)
{
    if (architecture == QLatin1String("res6"))
        return 0.5;
    if (architecture == QLatin1String("res18"))
        return 1.7;
    return 1.0;
}

/// What the measured speed of a run depends on.
QString shapeKey(const TrainingSettings& s)
{
    return QStringLiteral("%1-%2-%3-%4").arg(s.architecture).arg(s.width).arg(s.imageSize).arg(s.batchSize);
}

QDoubleSpinBox* sigmaSpin(QWidget* parent, const QString& tip)
{
    auto* spin = new QDoubleSpinBox(parent);
    spin->setRange(0.001, 50.0);
    spin->setDecimals(3);
    spin->setSingleStep(0.05);
    spin->setToolTip(tip);
    return spin;
}

QString defaultCheckpointPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("checkpoints/studio-run.ebm"));
}

}  // namespace

TrainView::TrainView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent)
    : StudioPage(parent), engine_(engine), undo_(undo)
{
    // --- settings form --------------------------------------------------------------------
    datasetKind_ = new QComboBox(this);
    datasetKind_->addItem(tr("Fashion-MNIST (installed)"), datasetKindName(DatasetKind::FashionMnist));
    datasetKind_->addItem(tr("MNIST-style IDX folder"), datasetKindName(DatasetKind::MnistFolder));
    datasetKind_->addItem(tr("CIFAR-10 folder or batch"), datasetKindName(DatasetKind::Cifar10));
    datasetKind_->addItem(tr("Folder of images"), datasetKindName(DatasetKind::ImageFolder));
    datasetKind_->addItem(tr("NumPy .npy array"), datasetKindName(DatasetKind::Npy));
    datasetPath_ = new QLineEdit(this);
    datasetPath_->setPlaceholderText(tr("folder or file"));
    browseDataset_ = new QToolButton(this);
    browseDataset_->setText(QStringLiteral("…"));
    connect(browseDataset_, &QToolButton::clicked, this, &TrainView::browseDataset);
    imageSize_ = new QSpinBox(this);
    imageSize_->setRange(8, 128);
    imageSize_->setSingleStep(4);
    imageSize_->setToolTip(tr("Images are padded or cropped to this side (MNIST 28 → 32)"));
    channels_ = new QComboBox(this);
    channels_->addItem(tr("Gray"), 1);
    channels_->addItem(tr("Colour (RGB)"), 3);
    channels_->setToolTip(tr("Image folders only: load the images as gray or colour"));

    architecture_ = new QComboBox(this);
    architecture_->addItem(tr("ResNet 6"), QStringLiteral("res6"));
    architecture_->addItem(tr("ResNet 12 (paper, MNIST)"), QStringLiteral("res12"));
    architecture_->addItem(tr("ResNet 18 (paper, CIFAR)"), QStringLiteral("res18"));
    width_ = new QSpinBox(this);
    width_->setRange(1, 512);
    width_->setToolTip(tr("Filters of the first layer, doubled at each downsampling.\n"
                          "The paper uses 64 (MNIST) and 128 (CIFAR); 8–16 train at usable speed on a CPU."));
    head_ = new QComboBox(this);
    head_->addItem(tr("Quadratic (eq. 12)"), QStringLiteral("quadratic"));
    head_->addItem(tr("Linear"), QStringLiteral("linear"));
    initialWeights_ = new QLineEdit(this);
    initialWeights_->setPlaceholderText(tr("fresh random weights"));
    initialWeights_->setClearButtonEnabled(true);
    initialWeights_->setToolTip(tr("Fine-tuning: start from the weights of this checkpoint (native .ebm or the "
                                   "reference code's PyTorch .pt), with a fresh optimizer and learning-rate "
                                   "schedule. The architecture, width, output layer and image size then come "
                                   "from the file."));
    browseInitialWeights_ = new QToolButton(this);
    browseInitialWeights_->setText(QStringLiteral("…"));
    connect(browseInitialWeights_, &QToolButton::clicked, this, &TrainView::browseInitialWeights);
    connect(initialWeights_, &QLineEdit::textChanged, this, &TrainView::updateModelFields);

    sigmaMin_ = sigmaSpin(this, tr("Smallest training noise level σ"));
    sigmaMax_ = sigmaSpin(this, tr("Largest training noise level σ"));
    spread_ = new QComboBox(this);
    spread_->addItem(tr("Geometric (MNIST)"), QStringLiteral("geometric"));
    spread_->addItem(tr("Linear (CIFAR)"), QStringLiteral("linear"));
    spread_->addItem(tr("Single σ = σ max (DSM baseline)"), QStringLiteral("single"));
    sigma0_ = sigmaSpin(this, tr("Kernel width σ₀ of eq. 7 (0.1 in the paper)"));

    learningRate_ = new ScientificSpinBox(this);
    learningRate_->setToolTip(tr("Adam learning rate (arrows halve or double it)"));
    lrSchedule_ = new QComboBox(this);
    lrSchedule_->addItem(tr("Cosine decay"), true);
    lrSchedule_->addItem(tr("Constant"), false);
    finalLearningRate_ = new ScientificSpinBox(this);
    finalLearningRate_->setToolTip(tr("Learning rate at the end of the cosine decay"));
    batch_ = new QSpinBox(this);
    batch_->setRange(1, 4096);
    steps_ = new QSpinBox(this);
    steps_->setRange(1, std::numeric_limits<int>::max());
    steps_->setSingleStep(1000);
    steps_->setGroupSeparatorShown(true);
    seed_ = new QSpinBox(this);
    seed_->setRange(0, std::numeric_limits<int>::max());

    previewEvery_ = new QSpinBox(this);
    previewEvery_->setRange(0, 1000000);
    previewEvery_->setSingleStep(100);
    previewEvery_->setSpecialValueText(tr("never"));
    previewEvery_->setToolTip(tr("Draw a few samples with a short schedule every N steps"));
    previewSamples_ = new QSpinBox(this);
    previewSamples_->setRange(1, 64);
    previewSteps_ = new QSpinBox(this);
    previewSteps_->setRange(3, 2700);
    previewSteps_->setToolTip(tr("Length of the quick schedule used by previews"));
    checkpointEvery_ = new QSpinBox(this);
    checkpointEvery_->setRange(0, 1000000);
    checkpointEvery_->setSingleStep(500);
    checkpointEvery_->setSpecialValueText(tr("only at the end"));
    checkpointPath_ = new QLineEdit(this);
    checkpointPath_->setToolTip(tr("Checkpoints (weights, optimizer state, loss history) are written here; "
                                   "empty = no automatic checkpoints"));
    browseCheckpoint_ = new QToolButton(this);
    browseCheckpoint_->setText(QStringLiteral("…"));
    connect(browseCheckpoint_, &QToolButton::clicked, this, &TrainView::browseCheckpointPath);

    auto row = [this](QWidget* field, QWidget* button) {
        auto* box = new QHBoxLayout;
        box->addWidget(field, 1);
        box->addWidget(button);
        return box;
    };
    auto* data = new QGroupBox(tr("Data"), this);
    auto* dataForm = new QFormLayout(data);
    dataForm->addRow(tr("Data set"), datasetKind_);
    dataForm->addRow(tr("Location"), row(datasetPath_, browseDataset_));
    dataForm->addRow(tr("Image size"), imageSize_);
    dataForm->addRow(tr("Channels"), channels_);
    auto* model = new QGroupBox(tr("Model"), this);
    auto* modelForm = new QFormLayout(model);
    modelForm->addRow(tr("Architecture"), architecture_);
    modelForm->addRow(tr("Width"), width_);
    modelForm->addRow(tr("Output layer"), head_);
    modelForm->addRow(tr("Start from"), row(initialWeights_, browseInitialWeights_));
    auto* noise = new QGroupBox(tr("Noise (MDSM, eq. 7)"), this);
    auto* noiseForm = new QFormLayout(noise);
    noiseForm->addRow(tr("σ min"), sigmaMin_);
    noiseForm->addRow(tr("σ max"), sigmaMax_);
    noiseForm->addRow(tr("Spread"), spread_);
    noiseForm->addRow(tr("σ₀"), sigma0_);
    auto* optimiser = new QGroupBox(tr("Optimisation (Adam)"), this);
    auto* optimiserForm = new QFormLayout(optimiser);
    optimiserForm->addRow(tr("Learning rate"), learningRate_);
    optimiserForm->addRow(tr("Schedule"), lrSchedule_);
    optimiserForm->addRow(tr("Final rate"), finalLearningRate_);
    optimiserForm->addRow(tr("Batch"), batch_);
    optimiserForm->addRow(tr("Steps"), steps_);
    optimiserForm->addRow(tr("Seed"), seed_);
    auto* outputs = new QGroupBox(tr("Previews and checkpoints"), this);
    auto* outputsForm = new QFormLayout(outputs);
    outputsForm->addRow(tr("Preview every"), previewEvery_);
    outputsForm->addRow(tr("Preview samples"), previewSamples_);
    outputsForm->addRow(tr("Preview steps"), previewSteps_);
    outputsForm->addRow(tr("Checkpoint every"), checkpointEvery_);
    outputsForm->addRow(tr("Checkpoint file"), row(checkpointPath_, browseCheckpoint_));

    runControls_ = new RunControls(tr("Start training"), tr("Train a model with these settings"), true,
                                   RunControls::Layout::Grid, this);
    runControls_->startButton()->setObjectName(QStringLiteral("startTrainingButton"));
    estimate_ = new QLabel(this);
    estimate_->setObjectName(QStringLiteral("trainEstimate"));
    estimate_->setWordWrap(true);
    resume_ = new QPushButton(tr("Resume checkpoint…"), this);
    resume_->setToolTip(tr("Continue a native checkpoint exactly where it stopped"));
    save_ = new QPushButton(tr("Save now"), this);
    save_->setToolTip(tr("Write a checkpoint of the current weights between two steps"));
    sampleNow_ = new QPushButton(tr("Sample from current weights"), this);
    sampleNow_->setToolTip(tr("Run the sampler on the weights as they are now (training waits meanwhile)"));
    connect(runControls_, &RunControls::startRequested, this, &TrainView::startTraining);
    connect(runControls_, &RunControls::pauseToggled, this, &TrainView::togglePause);
    connect(runControls_, &RunControls::stepRequested, this, &TrainView::stepOnce);
    connect(runControls_, &RunControls::stopRequested, this, &TrainView::stop);
    connect(resume_, &QPushButton::clicked, this, &TrainView::chooseCheckpointToResume);
    connect(save_, &QPushButton::clicked, this, &TrainView::saveNow);
    connect(sampleNow_, &QPushButton::clicked, this, &TrainView::sampleFromWeightsRequested);
    auto* buttons = new QGridLayout;
    buttons->addWidget(runControls_, 0, 0, 1, 2);
    buttons->addWidget(save_, 1, 0);
    buttons->addWidget(resume_, 1, 1);
    buttons->addWidget(sampleNow_, 2, 0, 1, 2);
    buttons->addWidget(estimate_, 3, 0, 1, 2);

    auto* form = new QWidget(this);
    auto* formLayout = new QVBoxLayout(form);
    for (QWidget* box : {static_cast<QWidget*>(data), static_cast<QWidget*>(model), static_cast<QWidget*>(noise),
                         static_cast<QWidget*>(optimiser), static_cast<QWidget*>(outputs)})
        formLayout->addWidget(box);
    formLayout->addStretch(1);
    auto* formScroll = new QScrollArea(this);
    formScroll->setWidget(form);
    formScroll->setWidgetResizable(true);
    formScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    formScroll->setMinimumWidth(form->minimumSizeHint().width() + formScroll->verticalScrollBar()->sizeHint().width());
    formScroll->setFrameShape(QFrame::NoFrame);
    guardWheelUnderForm(form);
    // The run buttons stay above the scrolling form, always in view.
    auto* leftColumn = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(leftColumn);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(formScroll, 1);

    // --- progress, loss chart, previews ------------------------------------------------------
    runInfo_ = new QLabel(tr("No training run yet."), this);
    runInfo_->setWordWrap(true);
    stats_ = new QLabel(this);
    stats_->setObjectName(QStringLiteral("trainStats"));
    stats_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("trainStatus"));
    status_->setWordWrap(true);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setTextVisible(true);
    progress_->setFormat(tr("no run"));
    chart_ = new LossChart(this);

    previews_ = new QListWidget(this);
    previews_->setObjectName(QStringLiteral("previewHistory"));
    previews_->setViewMode(QListView::IconMode);
    previews_->setFlow(QListView::LeftToRight);
    previews_->setWrapping(false);
    previews_->setIconSize(QSize(kPreviewIconSide, kPreviewIconSide));
    previews_->setMovement(QListView::Static);
    previews_->setMinimumHeight(kPreviewIconSide + 48);
    previews_->setMaximumHeight(kPreviewIconSide + 64);
    previews_->setSpacing(4);
    previews_->setToolTip(tr("Samples drawn during training; click one to enlarge it"));
    previewLarge_ = new SampleGridWidget(this);
    previewLarge_->setMinimumSize(160, 160);
    previewLarge_->setPlaceholder(tr("Samples drawn during training appear here every N steps"));
    previewLarge_->setCursor(Qt::ArrowCursor);
    previewLarge_->setSampleToolTips(false);
    connect(previews_, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item)
            previewLarge_->setImages({item->data(Qt::UserRole).value<QImage>()});
    });

    auto* statsBox = new QWidget(this);
    auto* statsLayout = new QVBoxLayout(statsBox);
    statsLayout->setContentsMargins(0, 0, 0, 0);
    statsLayout->addWidget(runInfo_);
    statsLayout->addWidget(progress_);
    statsLayout->addWidget(stats_);
    statsLayout->addWidget(status_);
    auto* chartAndPreview = new QSplitter(Qt::Horizontal, this);
    chartAndPreview->addWidget(chart_);
    chartAndPreview->addWidget(previewLarge_);
    chartAndPreview->setStretchFactor(0, 3);
    chartAndPreview->setStretchFactor(1, 1);
    chartAndPreview->setChildrenCollapsible(false);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(statsBox);
    rightLayout->addWidget(chartAndPreview, 1);
    rightLayout->addWidget(new QLabel(tr("<b>Preview history</b>"), this));
    rightLayout->addWidget(previews_);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(leftColumn);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({formScroll->minimumWidth(), 1000});
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    setSettings(TrainingSettings{});
    undo->bind(datasetKind_, tr("data set"));
    undo->bind(datasetPath_, tr("data set location"));
    undo->bind(imageSize_, tr("image size"));
    undo->bind(channels_, tr("channels"));
    undo->bind(architecture_, tr("architecture"));
    undo->bind(width_, tr("width"));
    undo->bind(head_, tr("output layer"));
    undo->bind(initialWeights_, tr("starting weights"));
    undo->bind(sigmaMin_, tr("σ min"));
    undo->bind(sigmaMax_, tr("σ max"));
    undo->bind(spread_, tr("noise spread"));
    undo->bind(sigma0_, tr("σ₀"));
    undo->bind(learningRate_, tr("learning rate"));
    undo->bind(lrSchedule_, tr("learning-rate schedule"));
    undo->bind(finalLearningRate_, tr("final learning rate"));
    undo->bind(batch_, tr("batch size"));
    undo->bind(steps_, tr("training steps"));
    undo->bind(seed_, tr("training seed"));
    undo->bind(previewEvery_, tr("preview period"));
    undo->bind(previewSamples_, tr("preview samples"));
    undo->bind(previewSteps_, tr("preview steps"));
    undo->bind(checkpointEvery_, tr("checkpoint period"));
    undo->bind(checkpointPath_, tr("checkpoint file"));
    connect(datasetKind_, &QComboBox::currentIndexChanged, this, &TrainView::updateDatasetFields);
    connect(lrSchedule_, &QComboBox::currentIndexChanged, this,
            [this] { finalLearningRate_->setEnabled(lrSchedule_->currentData().toBool()); });

    connect(engine_, &StudioEngine::trainingStarted, this, &TrainView::onStarted);
    connect(engine_, &StudioEngine::trainingProgress, this, &TrainView::onProgress);
    connect(engine_, &StudioEngine::trainingPreview, this, &TrainView::onPreview);
    connect(engine_, &StudioEngine::trainingFinished, this, &TrainView::onFinished);
    connect(engine_, &StudioEngine::activityChanged, this, &TrainView::updateControls);
    connect(engine_, &StudioEngine::checkpointSaved, this, [this](const QString& path, qint64 step) {
        status_->setText(tr("Checkpoint of step %1 written to %2").arg(step).arg(path));
    });
    connect(engine_, &StudioEngine::jobStateChanged, this, [this](JobKind kind, JobState state) {
        if (kind != JobKind::Training)
            return;
        paused_ = state == JobState::Paused;
        status_->setText(paused_ ? tr("Paused at step %1.").arg(lastStep_) : tr("Training…"));
    });
    for (QSpinBox* spin : {steps_, batch_, width_, imageSize_})
        connect(spin, &QSpinBox::valueChanged, this, &TrainView::updateEstimate);
    connect(architecture_, &QComboBox::currentIndexChanged, this, &TrainView::updateEstimate);
    connect(engine_, &StudioEngine::runtimeChanged, this, &TrainView::updateEstimate);
    updateEstimate();
    updateControls();
}

QPushButton* TrainView::startButton() const { return runControls_->startButton(); }
QPushButton* TrainView::pauseButton() const { return runControls_->pauseButton(); }
QPushButton* TrainView::stepButton() const { return runControls_->stepButton(); }
QPushButton* TrainView::stopButton() const { return runControls_->stopButton(); }

bool TrainView::canStart() const { return !engine_->isBusy(); }
bool TrainView::isRunning() const { return engine_->isTraining(); }
bool TrainView::isPaused() const { return engine_->isTrainingPaused(); }
QJsonObject TrainView::sessionSettings() const { return trainingFields().toJson(settings()); }
void TrainView::applySessionSettings(const QJsonObject& json)
{
    TrainingSettings loaded;
    QString error;
    if (trainingFields().fromJson(json, loaded, error))
        setSettings(loaded);
    else
        Q_EMIT problem(tr("The session's training settings were left as they were: %1").arg(error));
}

double TrainView::estimatedSeconds(const TrainingSettings& s) const
{
    double perStep = 0.0;
    if (measuredSecondsPerStep_ > 0.0 && measuredFor_ == shapeKey(s)) {
        perStep = measuredSecondsPerStep_;
    } else {
        const double pixels = (s.imageSize / 32.0) * (s.imageSize / 32.0);
        const double width = (s.width / 16.0) * (s.width / 16.0);
        const int threads = qMax(1, engine_->runtime().threads);
        perStep = kSecondsPerReferenceStep * (s.batchSize / 64.0) * pixels * width * depthFactor(s.architecture) /
                  threads;
        if (engine_->runtime().device == QLatin1String("cuda"))
            perStep /= kCudaSpeedup;
    }
    return perStep * static_cast<double>(s.steps);
}

void TrainView::updateEstimate()
{
    const double seconds = estimatedSeconds(settings());
    const bool measured = measuredSecondsPerStep_ > 0.0 && measuredFor_ == shapeKey(settings());
    const QString basis = measured ? tr("at the speed of the last run") : tr("rough estimate for this machine");
    if (seconds > kLongRunSeconds) {
        estimate_->setStyleSheet(QStringLiteral("color: #b36b00"));
        estimate_->setText(tr("⚠ Estimated duration %1 (%2): a long run. Fewer steps, a smaller batch or width "
                              "finish sooner.")
                               .arg(formatDuration(seconds), basis));
    } else {
        estimate_->setStyleSheet(QString());
        estimate_->setText(tr("Estimated duration %1 (%2)").arg(formatDuration(seconds), basis));
    }
}

void TrainView::showStep()
{
    progress_->setValue(static_cast<int>(1000 * lastStep_ / qMax<qint64>(1, totalSteps_)));
    progress_->setFormat(tr("step %1 / %2").arg(lastStep_).arg(totalSteps_));
    stats_->setText(tr("step %1 / %2   loss %3 (smoothed %4)   lr %5   %6 steps/s   ETA %7")
                        .arg(lastStep_)
                        .arg(totalSteps_)
                        .arg(lastLoss_, 0, 'g', 4)
                        .arg(lastSmoothed_, 0, 'g', 4)
                        .arg(lastRate_, 0, 'g', 3)
                        .arg(stepsPerSecond_, 0, 'f', 2)
                        .arg(formatDuration(eta_)));
    if (paused_ && engine_->isTraining())
        status_->setText(tr("Paused at step %1.").arg(lastStep_));
}

TrainingSettings TrainView::settings() const
{
    TrainingSettings s;
    s.datasetKind = parseDatasetKind(datasetKind_->currentData().toString());
    s.datasetPath = datasetPath_->text().trimmed();
    s.imageSize = imageSize_->value();
    s.imageChannels = channels_->currentData().toInt();
    s.architecture = architecture_->currentData().toString();
    s.width = width_->value();
    s.head = head_->currentData().toString();
    s.initialWeights = initialWeights_->text().trimmed();
    s.sigmaMin = sigmaMin_->value();
    s.sigmaMax = sigmaMax_->value();
    s.spread = spread_->currentData().toString();
    s.sigma0 = sigma0_->value();
    s.learningRate = learningRate_->value();
    s.cosineDecay = lrSchedule_->currentData().toBool();
    s.finalLearningRate = finalLearningRate_->value();
    s.batchSize = batch_->value();
    s.steps = steps_->value();
    s.seed = static_cast<quint64>(seed_->value());
    s.previewEvery = previewEvery_->value();
    s.previewSamples = previewSamples_->value();
    s.previewSteps = previewSteps_->value();
    s.checkpointEvery = checkpointEvery_->value();
    s.checkpointPath = checkpointPath_->text().trimmed();
    return s;
}

void TrainView::setSettings(const TrainingSettings& s)
{
    undo_->withoutUndo([&] { applySettings(s); });
    updateDatasetFields();
    finalLearningRate_->setEnabled(s.cosineDecay);
}

void TrainView::applySettings(const TrainingSettings& s)
{
    auto select = [](QComboBox* combo, const QVariant& value) {
        const int index = combo->findData(value);
        if (index >= 0)
            combo->setCurrentIndex(index);
    };
    select(datasetKind_, datasetKindName(s.datasetKind));
    datasetPath_->setText(s.datasetPath);
    imageSize_->setValue(s.imageSize);
    select(channels_, s.imageChannels);
    select(architecture_, s.architecture);
    width_->setValue(s.width);
    select(head_, s.head);
    initialWeights_->setText(s.initialWeights);
    sigmaMin_->setValue(s.sigmaMin);
    sigmaMax_->setValue(s.sigmaMax);
    select(spread_, s.spread);
    sigma0_->setValue(s.sigma0);
    learningRate_->setValue(s.learningRate);
    select(lrSchedule_, s.cosineDecay);
    finalLearningRate_->setValue(s.finalLearningRate);
    batch_->setValue(s.batchSize);
    steps_->setValue(static_cast<int>(qMin<qint64>(s.steps, std::numeric_limits<int>::max())));
    seed_->setValue(static_cast<int>(qMin<quint64>(s.seed, std::numeric_limits<int>::max())));
    previewEvery_->setValue(s.previewEvery);
    previewSamples_->setValue(s.previewSamples);
    previewSteps_->setValue(s.previewSteps);
    checkpointEvery_->setValue(s.checkpointEvery);
    checkpointPath_->setText(s.checkpointPath.isEmpty() ? defaultCheckpointPath() : s.checkpointPath);
}

void TrainView::updateDatasetFields()
{
    const DatasetKind kind = parseDatasetKind(datasetKind_->currentData().toString());
    const bool needsPath = kind != DatasetKind::FashionMnist;
    datasetPath_->setEnabled(needsPath);
    browseDataset_->setEnabled(needsPath);
    channels_->setEnabled(kind == DatasetKind::ImageFolder);
}

void TrainView::updateModelFields()
{
    const bool fromFile = !initialWeights_->text().trimmed().isEmpty();
    for (QWidget* field : {static_cast<QWidget*>(architecture_), static_cast<QWidget*>(width_),
                           static_cast<QWidget*>(head_), static_cast<QWidget*>(imageSize_)})
        field->setEnabled(!fromFile);
}

void TrainView::browseInitialWeights()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Start from the weights of"), initialWeights_->text(),
        tr("Checkpoints (*.ebm *.pt *.pth);;All files (*)"));
    if (!path.isEmpty())
        initialWeights_->setText(path);
}

void TrainView::browseDataset()
{
    const DatasetKind kind = parseDatasetKind(datasetKind_->currentData().toString());
    QString path;
    if (kind == DatasetKind::Npy)
        path = QFileDialog::getOpenFileName(this, tr("NumPy array"), datasetPath_->text(), tr("NumPy arrays (*.npy)"));
    else if (kind == DatasetKind::Cifar10)
        path = QFileDialog::getExistingDirectory(this, tr("CIFAR-10 folder (cifar-10-batches-bin)"), datasetPath_->text());
    else
        path = QFileDialog::getExistingDirectory(this, tr("Data set folder"), datasetPath_->text());
    if (!path.isEmpty())
        datasetPath_->setText(path);
}

void TrainView::browseCheckpointPath()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Checkpoint file"), checkpointPath_->text(),
                                                      tr("EBM checkpoints (*.ebm)"));
    if (!path.isEmpty())
        checkpointPath_->setText(path.endsWith(QLatin1String(".ebm")) ? path : path + QStringLiteral(".ebm"));
}

void TrainView::startTraining()
{
    const TrainingSettings s = settings();
    if (s.datasetKind != DatasetKind::FashionMnist && s.datasetPath.isEmpty()) {
        Q_EMIT problem(tr("Choose where the data set is (the Location field)."));
        return;
    }
    if (s.sigmaMin > s.sigmaMax) {
        Q_EMIT problem(tr("σ min is larger than σ max."));
        return;
    }
    if (engine_->startTraining(s))
        status_->setText(tr("Opening the data set…"));
}

void TrainView::resumeFrom(const QString& checkpointPath)
{
    if (engine_->resumeTrainingFrom(checkpointPath, settings()))
        status_->setText(tr("Resuming %1…").arg(QFileInfo(checkpointPath).fileName()));
}

void TrainView::chooseCheckpointToResume()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Resume a checkpoint"), checkpointPath_->text(),
                                                      tr("EBM checkpoints (*.ebm)"));
    if (!path.isEmpty())
        resumeFrom(path);
}

void TrainView::togglePause()
{
    if (!engine_->isTraining())
        return;
    if (engine_->isTrainingPaused())
        engine_->continueTraining();
    else
        engine_->pauseTraining();
}

void TrainView::stepOnce()
{
    if (engine_->isTraining())
        engine_->stepTraining();
}

void TrainView::stop()
{
    if (engine_->isTraining())
        engine_->stopTraining();
}

void TrainView::saveNow()
{
    QString path = checkpointPath_->text().trimmed();
    if (path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Save checkpoint"), QString(), tr("EBM checkpoints (*.ebm)"));
        if (path.isEmpty())
            return;
    }
    engine_->saveTrainingCheckpoint(path);
}

void TrainView::onStarted(const TrainingRunInfo& info)
{
    totalSteps_ = info.totalSteps;
    lastStep_ = info.startStep;
    chart_->reset(info.totalSteps);
    chart_->addPoints(info.history);
    previews_->clear();
    previewLarge_->setImages({});
    runInfo_->setText(tr("<b>%1</b> on %2 (%3 items)%4")
                          .arg(info.modelDescription.toHtmlEscaped(), info.datasetName.toHtmlEscaped())
                          .arg(info.datasetSize)
                          .arg(info.startStep > 0 ? tr(", resumed at step %1").arg(info.startStep) : QString()));
    status_->setText(tr("Training…"));
    paused_ = false;
    measuredFor_ = shapeKey(settings());
    progress_->setValue(static_cast<int>(1000 * lastStep_ / qMax<qint64>(1, totalSteps_)));
    progress_->setFormat(tr("step %1 / %2").arg(lastStep_).arg(totalSteps_));
    Q_EMIT statusMessage(tr("Training %1").arg(info.modelDescription));
}

void TrainView::onProgress(const TrainProgressBatch& batch)
{
    if (batch.points.isEmpty())
        return;
    chart_->addPoints(batch.points);
    const TrainPoint& p = batch.points.last();
    lastStep_ = p.step;
    totalSteps_ = batch.totalSteps;
    lastLoss_ = p.loss;
    lastSmoothed_ = p.smoothedLoss;
    lastRate_ = p.learningRate;
    stepsPerSecond_ = batch.stepsPerSecond;
    eta_ = batch.etaSeconds;
    if (stepsPerSecond_ > 0.0)
        measuredSecondsPerStep_ = 1.0 / stepsPerSecond_;
    showStep();
}

void TrainView::onPreview(const TrainingPreview& preview)
{
    auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(preview.grid.scaled(
                                         kPreviewIconSide, kPreviewIconSide, Qt::KeepAspectRatio,
                                         Qt::SmoothTransformation))),
                                     tr("step %1").arg(preview.step));
    item->setData(Qt::UserRole, QVariant::fromValue(preview.grid));
    previews_->addItem(item);
    while (previews_->count() > kMaxPreviews)
        delete previews_->takeItem(0);
    previews_->setCurrentItem(item);
    previews_->scrollToItem(item);
}

void TrainView::onFinished(const TrainingOutcome& outcome)
{
    paused_ = false;
    if (outcome.step > 0) {
        lastStep_ = outcome.step;  // the step the run ended on, shown everywhere alike
        showStep();
    }
    updateEstimate();
    if (outcome.failed) {
        status_->setText(tr("<span style=\"color:#c62828\">%1</span>").arg(outcome.message.toHtmlEscaped()));
        Q_EMIT problem(outcome.message);
    } else {
        status_->setText(outcome.message);
        Q_EMIT statusMessage(outcome.message);
    }
    updateControls();
}

void TrainView::updateControls()
{
    const bool training = engine_->isTraining();
    const bool paused = engine_->isTrainingPaused();
    runControls_->setState(canStart(), training, paused);
    resume_->setEnabled(canStart());
    save_->setEnabled(training);
    sampleNow_->setEnabled(training && !engine_->isSampling());
    Q_EMIT runStateChanged();
}

}  // namespace ebm::studio
