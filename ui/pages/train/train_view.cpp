#include "pages/train/train_view.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>
#include <utility>

#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/run_controls.h"
#include "widgets/file_dialogs.h"
#include "widgets/safe_save.h"
#include "widgets/sample_grid_widget.h"
#include "widgets/scientific_spin_box.h"
#include "widgets/settings_form.h"
#include "widgets/undo_fields.h"
#include "pages/train/loss_chart.h"
#include "pages/train/multiprocess_training_job.h"
#include "pages/train/training_fields.h"
#include "pages/train/training_job.h"

namespace ebm::studio {
namespace {

constexpr int kPreviewIconSide = 128;
constexpr int kMaxPreviews = 200;  // oldest previews go first on very long runs
const QString kLossLogScaleKey = QStringLiteral("view/lossLogScale");
const QString kLossSmoothingKey = QStringLiteral("view/lossSmoothing");
const QString kLossWallTimeKey = QStringLiteral("view/lossWallTime");
// The speed of the last run, kept between runs of the studio with what it was measured on.
const QString kSecondsPerStepKey = QStringLiteral("trainingSpeed/secondsPerStep");
const QString kSpeedShapeKey = QStringLiteral("trainingSpeed/shape");
// The page's kept runs in its session part (snake case, as the fields' keys).
const QString kRunsSessionKey = QStringLiteral("loss_runs");
constexpr int kRunSwatchSide = 12;  // the colour of a run in the Runs list
// Above this estimated duration the page warns before a long run.
constexpr double kLongRunSeconds = 3600.0;
// Cost model of one MDSM step when no run has been measured: seconds per step of res12 at
// width 16, batch 64, 32x32 images on one CPU thread. `ebm bench` measures 0.27-0.32 s for
// batch 128 on 2 threads (README, Speed), so about 0.15 s for batch 64 on 2 threads, 0.3 s on
// one; the run of 1500 default steps took 44 s where 0.6 had promised 1:30. Cost grows
// with batch, pixels and width squared; the first steps of a real run replace the model.
constexpr double kSecondsPerReferenceStep = 0.3;
constexpr double kCudaSpeedup = 20.0;  // not measured yet: no GPU figures in the project
// Steps a run takes before its speed counts. The first steps allocate and warm the caches, and
// the trainer's speed is a moving average (weight 0.9) that starts at the first step's: after 30
// steps that step weighs 0.9^29 = 5%.
constexpr qint64 kCalibrationSteps = 30;

double depthFactor(const QString& architecture)
{
    if (architecture == QLatin1String("res6"))
        return 0.5;
    if (architecture == QLatin1String("res18"))
        return 1.7;
    return 1.0;
}

/// What the measured speed of a run depends on: the network, the batch and where it runs.
QString shapeKey(const TrainingSettings& s, const RuntimeInfo& runtime)
{
    return QStringLiteral("%1-%2-%3-%4 x%5 %6 %7/%8")
        .arg(s.architecture)
        .arg(s.width)
        .arg(s.imageSize)
        .arg(s.batchSize)
        .arg(s.processes)
        .arg(s.precision, runtime.device)
        .arg(runtime.threads);
}

}  // namespace

TrainView::TrainView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent)
    : StudioPage(tr("&Train"), QStringLiteral("training"), parent), engine_(engine)
{
    // --- settings form: one declaration (training_fields.cpp) -------------------------------
    form_ = new SettingsForm<TrainingSettings>(trainingFields(), undo, this);
    keepFields<TrainingSettings>(
        trainingFields(), [this] { return settings(); }, [this](const TrainingSettings& s) { setSettings(s); });
    connect(form_, &SettingsFormWidget::valuesChanged, this, &TrainView::updateEstimate);

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
    // The Sample page samples the weights being trained, between two training steps.
    connect(sampleNow_, &QPushButton::clicked, this, [this] { Q_EMIT startPageRequested(QStringLiteral("sampling")); });
    auto* buttons = new QGridLayout;
    buttons->addWidget(runControls_, 0, 0, 1, 2);
    buttons->addWidget(save_, 1, 0);
    buttons->addWidget(resume_, 1, 1);
    buttons->addWidget(sampleNow_, 2, 0, 1, 2);
    buttons->addWidget(estimate_, 3, 0, 1, 2);

    auto* form = new QWidget(this);
    auto* formLayout = new QVBoxLayout(form);
    formLayout->addWidget(form_);
    formLayout->addStretch(1);
    auto* formScroll = new QScrollArea(this);
    formScroll->setWidget(form);
    formScroll->setWidgetResizable(true);
    formScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    formScroll->setMinimumWidth(form->minimumSizeHint().width() + formScroll->verticalScrollBar()->sizeHint().width());
    formScroll->setFrameShape(QFrame::NoFrame);
    // The run buttons stay above the scrolling form, always in view.
    auto* leftColumn = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(leftColumn);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(formScroll, 1);

    QWidget* right = buildProgressColumn();
    keepInStore([this](QSettings& store) { saveView(store); }, [this](QSettings& store) { restoreView(store); });
    keepInSession([this](QJsonObject& part) { part.insert(kRunsSessionKey, runs_.toJson()); },
                  [this](const QJsonObject& part) { restoreRuns(part); });
    exportLossCsv_ = new QAction(tr("Export Loss as CSV…"), this);
    exportLossCsv_->setToolTip(tr("Write the loss of every recorded step of the runs shown on the chart (raw and "
                                  "smoothed, one row per step with its run's name) and the learning rate"));
    exportLossCsv_->setEnabled(false);
    connect(exportLossCsv_, &QAction::triggered, this, &TrainView::askExportLossCsv);

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
    connect(engine_, &StudioEngine::activityChanged, this, &TrainView::updateControls);
    connect(engine_, &StudioEngine::checkpointSaved, this, [this](const QString& path, qint64 step) {
        status_->setText(tr("Checkpoint of step %1 written to %2").arg(step).arg(path));
    });
    connect(engine_, &StudioEngine::runtimeChanged, this, &TrainView::updateEstimate);
    updateEstimate();
    updateControls();
}

QWidget* TrainView::buildProgressColumn()
{
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
    connect(chart_, &LossChart::viewChanged, this, &StudioPage::settingsChanged);

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
    // Beside the chart: the runs it overlays, above the preview picked below.
    auto* runsAndPreview = new QSplitter(Qt::Vertical, this);
    runsAndPreview->addWidget(buildRunsBox());
    runsAndPreview->addWidget(previewLarge_);
    runsAndPreview->setStretchFactor(0, 1);
    runsAndPreview->setStretchFactor(1, 2);
    runsAndPreview->setChildrenCollapsible(false);
    auto* chartAndPreview = new QSplitter(Qt::Horizontal, this);
    chartAndPreview->addWidget(chart_);
    chartAndPreview->addWidget(runsAndPreview);
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
    return right;
}

QWidget* TrainView::buildRunsBox()
{
    runsList_ = new QListWidget(this);
    runsList_->setObjectName(QStringLiteral("trainingRuns"));
    runsList_->setIconSize(QSize(kRunSwatchSide, kRunSwatchSide));
    runsList_->setToolTip(tr("The last %1 runs of this session, overlaid on the loss chart (the current one in "
                             "blue, on top); untick a run to hide it")
                              .arg(TrainingRuns::kMaxRuns));
    connect(runsList_, &QListWidget::itemChanged, this, &TrainView::onRunToggled);
    clearOldRuns_ = new QPushButton(tr("Clear old runs"), this);
    clearOldRuns_->setObjectName(QStringLiteral("clearOldRuns"));
    clearOldRuns_->setToolTip(tr("Forget every run but the current one"));
    clearOldRuns_->setEnabled(false);
    connect(clearOldRuns_, &QPushButton::clicked, this, &TrainView::clearOldRuns);
    auto* box = new QWidget(this);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>Runs</b>"), box));
    layout->addWidget(runsList_, 1);
    layout->addWidget(clearOldRuns_);
    return box;
}

void TrainView::showRunsOnChart()
{
    chart_->setEarlierRuns(runs_.earlier());
    if (const TrainingRun* latest = runs_.latest())
        chart_->setCurrentRun(latest->number, latest->name(), latest->shown);
    else
        chart_->setCurrentRun(0, QString(), true);
    updateExportAction();
}

void TrainView::refreshRunsList(bool refreshLatestOnly)
{
    const QSignalBlocker quiet(runsList_);  // itemChanged means a toggle by the person
    const QVector<TrainingRun>& runs = runs_.runs();
    const bool rebuild = !refreshLatestOnly || runsList_->count() != runs.size();
    if (rebuild)
        runsList_->clear();
    for (int i = rebuild ? 0 : static_cast<int>(runs.size()) - 1; i < runs.size(); ++i) {
        const TrainingRun& run = runs[i];
        QListWidgetItem* item = rebuild ? new QListWidgetItem(runsList_) : runsList_->item(i);
        const bool current = i + 1 == runs.size();
        QPixmap swatch(kRunSwatchSide, kRunSwatchSide);
        swatch.fill(current ? LossChart::currentRunColor() : LossChart::runColor(run.number));
        item->setIcon(QIcon(swatch));
        const double loss = run.finalLoss();
        item->setText(std::isfinite(loss) ? tr("%1   loss %2").arg(run.name()).arg(loss, 0, 'g', 4) : run.name());
        item->setToolTip(tr("%1\n%2, %3 points").arg(run.settings.text(), run.endText()).arg(run.points.size()));
        item->setData(Qt::UserRole, run.number);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(run.shown ? Qt::Checked : Qt::Unchecked);
    }
    clearOldRuns_->setEnabled(runs.size() > 1);
}

void TrainView::onRunToggled(QListWidgetItem* item)
{
    if (runs_.setShown(item->data(Qt::UserRole).toInt(), item->checkState() == Qt::Checked))
        showRunsOnChart();
}

void TrainView::clearOldRuns()
{
    runs_.clearOld();
    showRunsOnChart();
    refreshRunsList();
}

void TrainView::restoreRuns(const QJsonObject& part)
{
    if (!part.contains(kRunsSessionKey))
        return;
    QString error;
    if (!part.value(kRunsSessionKey).isArray())
        error = tr("they are not a list");
    else if (runs_.restore(part.value(kRunsSessionKey).toArray(), error))
        error.clear();
    if (!error.isEmpty()) {
        Q_EMIT problem(tr("The session's training runs were left out: %1").arg(error));
        return;
    }
    if (!runs_.hasRunning()) {
        // The session's last run is the current one on the chart; a run going on stays so.
        chart_->reset(0);
        if (const TrainingRun* latest = runs_.latest())
            chart_->addPoints(latest->points);
    }
    showRunsOnChart();
    refreshRunsList();
}

void TrainView::updateExportAction()
{
    if (exportLossCsv_)  // null while the constructor builds the chart
        exportLossCsv_->setEnabled(chart_->exportedPointCount() > 0);
}

QPushButton* TrainView::startButton() const { return runControls_->startButton(); }
QPushButton* TrainView::pauseButton() const { return runControls_->pauseButton(); }
QPushButton* TrainView::stepButton() const { return runControls_->stepButton(); }
QPushButton* TrainView::stopButton() const { return runControls_->stopButton(); }

bool TrainView::runsInOtherProcesses() const { return isRunning() && runProcesses_ > 1; }

bool TrainView::canStart() const { return !engine_->isBusy(); }

QList<QAction*> TrainView::menuActions(Menu menu) const
{
    return menu == Menu::File ? QList<QAction*>{exportLossCsv_} : QList<QAction*>{};
}

void TrainView::saveView(QSettings& store) const
{
    store.setValue(kLossLogScaleKey, chart_->logScale());
    store.setValue(kLossSmoothingKey, chart_->smoothing());
    store.setValue(kLossWallTimeKey, chart_->xAxis() == LossChart::XAxis::WallTime);
    if (measuredSecondsPerStep_ > 0.0) {
        store.setValue(kSecondsPerStepKey, measuredSecondsPerStep_);
        store.setValue(kSpeedShapeKey, measuredFor_);
    }
}

void TrainView::restoreView(QSettings& store)
{
    store_ = &store;  // for the export dialog's folder
    chart_->setLogScale(store.value(kLossLogScaleKey, true).toBool());
    chart_->setSmoothing(store.value(kLossSmoothingKey, chart_->smoothing()).toDouble());
    chart_->setXAxis(store.value(kLossWallTimeKey, false).toBool() ? LossChart::XAxis::WallTime
                                                                   : LossChart::XAxis::Step);
    const double secondsPerStep = store.value(kSecondsPerStepKey, 0.0).toDouble();
    const QString shape = store.value(kSpeedShapeKey).toString();
    if (secondsPerStep > 0.0 && std::isfinite(secondsPerStep) && !shape.isEmpty()) {
        measuredSecondsPerStep_ = secondsPerStep;
        measuredFor_ = shape;
    }
    updateEstimate();
}

bool TrainView::exportLossCsv(const QString& path, QString& error) const
{
    if (chart_->exportedPointCount() == 0) {
        error = runs_.isEmpty() && chart_->pointCount() == 0
                    ? tr("There is no loss to export yet: start a training run first.")
                    : tr("No run with a loss is shown on the chart: tick one in the Runs list to export it.");
        return false;
    }
    return saveBytes(path, chart_->toCsv(), tr("loss CSV table"), error);
}

void TrainView::askExportLossCsv()
{
    const QString suggestion = QDir(lastFolder(store_, kExportFolderPurpose)).filePath(QStringLiteral("loss.csv"));
    const QString path = askSavePath(this, store_, kExportFolderPurpose, tr("Export loss as CSV"),
                                     tr("CSV tables (*.csv)"), QStringLiteral(".csv"), suggestion);
    if (path.isEmpty())
        return;
    QString error;
    if (exportLossCsv(path, error))
        Q_EMIT statusMessage(
            tr("Loss of %1 steps (the runs shown) written to %2").arg(chart_->exportedPointCount()).arg(path));
    else
        Q_EMIT problem(error);
}

bool TrainView::hasMeasuredSpeed(const TrainingSettings& s) const
{
    return measuredSecondsPerStep_ > 0.0 && measuredFor_ == shapeKey(s, engine_->runtime());
}

double TrainView::estimatedSeconds(const TrainingSettings& s) const
{
    double perStep = 0.0;
    if (hasMeasuredSpeed(s)) {
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
    const QString basis = hasMeasuredSpeed(settings())
                              ? tr("measured %1 s/step on this machine").arg(measuredSecondsPerStep_, 0, 'g', 3)
                              : tr("rough estimate for this machine");
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
    // Images/s counts every process of a data-parallel run: the speed of the whole run.
    const QString imagesPerSecond =
        runBatch_ > 0 ? tr("   %1 images/s").arg(stepsPerSecond_ * runBatch_, 0, 'f', 0) : QString();
    stats_->setText(tr("step %1 / %2   loss %3 (smoothed %4)   lr %5   %6 steps/s%7   ETA %8")
                        .arg(lastStep_)
                        .arg(totalSteps_)
                        .arg(lastLoss_, 0, 'g', 4)
                        .arg(lastSmoothed_, 0, 'g', 4)
                        .arg(lastRate_, 0, 'g', 3)
                        .arg(stepsPerSecond_, 0, 'f', 2)
                        .arg(imagesPerSecond)
                        .arg(formatDuration(eta_)));
    if (paused_ && isRunning())
        status_->setText(tr("Paused at step %1.").arg(lastStep_));
}

TrainingSettings TrainView::settings() const { return form_->settings(); }

void TrainView::setSettings(const TrainingSettings& s) { form_->setSettings(s); }

void TrainView::startTraining()
{
    TrainingSettings s = settings();
    if (s.datasetKind != DatasetKind::FashionMnist && s.datasetPath.isEmpty()) {
        Q_EMIT problem(tr("Choose where the data set is (the Location field)."));
        return;
    }
    if (s.sigmaMin > s.sigmaMax) {
        Q_EMIT problem(tr("σ min is larger than σ max."));
        return;
    }
    // The processes of a data-parallel run hand their weights back through a checkpoint.
    if (s.processes > 1 && s.checkpointPath.isEmpty())
        s.checkpointPath = defaultTrainingCheckpointPath();
    // Known before the engine announces the run, so that its buttons come up right.
    const int previousProcesses = std::exchange(runProcesses_, s.processes);
    runShape_ = shapeKey(s, engine_->runtime());
    if (startRun(QString(), s))
        status_->setText(s.processes > 1 ? tr("Starting %1 training processes…").arg(s.processes)
                                         : tr("Opening the data set…"));
    else
        runProcesses_ = previousProcesses;
}

bool TrainView::startRun(const QString& checkpointPath, const TrainingSettings& s)
{
    if (engine_->isBusy()) {
        Q_EMIT problem(tr("Wait for the running job to end (or stop it) before training."));
        return false;
    }
    runLearningRate_ = checkpointPath.isEmpty() ? s.learningRate : 0.0;  // a resume keeps the checkpoint's
    std::unique_ptr<Job> job;
    if (s.processes > 1)  // data-parallel, in processes of its own
        job = checkpointPath.isEmpty() ? std::make_unique<MultiProcessTrainingJob>(s)
                                       : std::make_unique<MultiProcessTrainingJob>(checkpointPath, s);
    else
        job = checkpointPath.isEmpty() ? std::make_unique<TrainingJob>(s)
                                       : std::make_unique<TrainingJob>(checkpointPath, s);
    JobHandle* run = engine_->start(std::move(job), JobRunner::StartPolicy::RefuseIfBusy);
    if (!run)
        return false;
    followRun(run);
    connect(run, &JobHandle::progress, this, &TrainView::onRunProgress);
    connect(run, &JobHandle::pausedChanged, this, [this](bool paused) {
        paused_ = paused;
        status_->setText(paused_ ? tr("Paused at step %1.").arg(lastStep_) : tr("Training…"));
    });
    connect(run, &JobHandle::finished, this, [this](const QVariant& result) {
        TrainingOutcome dropped;  // a run dropped before it started
        dropped.stopped = true;
        onFinished(result.isValid() ? result.value<TrainingOutcome>() : dropped);
    });
    updateControls();
    return true;
}

void TrainView::onRunProgress(const QVariant& value)
{
    const QMetaType type = value.metaType();
    if (type == QMetaType::fromType<TrainProgressBatch>())
        onProgress(value.value<TrainProgressBatch>());
    else if (type == QMetaType::fromType<TrainingRunInfo>())
        onStarted(value.value<TrainingRunInfo>());
    else if (type == QMetaType::fromType<TrainingPreview>())
        onPreview(value.value<TrainingPreview>());
}

void TrainView::resumeFrom(const QString& checkpointPath)
{
    const int previousProcesses = std::exchange(runProcesses_, settings().processes);
    runShape_.clear();  // the checkpoint's network, not necessarily the form's: not measured
    if (startRun(checkpointPath, settings()))
        status_->setText(tr("Resuming %1…").arg(QFileInfo(checkpointPath).fileName()));
    else
        runProcesses_ = previousProcesses;
}

void TrainView::chooseCheckpointToResume()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Resume a checkpoint"), settings().checkpointPath,
                                                      tr("EBM checkpoints (*.ebm)"));
    if (!path.isEmpty())
        resumeFrom(path);
}

void TrainView::togglePause()
{
    if (runsInOtherProcesses()) {
        status_->setText(tr("A multi-process run cannot pause: Stop writes a checkpoint, and Resume checkpoint… "
                            "goes on from it."));
        return;
    }
    StudioPage::togglePause();
}

void TrainView::stepOnce()
{
    if (runsInOtherProcesses())
        return togglePause();  // says why not
    StudioPage::stepOnce();
}

void TrainView::stop()
{
    if (!isRunning())
        return;
    StudioPage::stop();
    if (JobHandle* sampling = engine_->activeJob(kSamplingJobKind))
        sampling->cancel();  // a run interjected into training ends with it
}

void TrainView::saveNow()
{
    QString path = settings().checkpointPath;
    if (path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Save checkpoint"), QString(), tr("EBM checkpoints (*.ebm)"));
        if (path.isEmpty())
            return;
    }
    engine_->saveModel(path);  // while training: between two of its steps
}

void TrainView::onStarted(const TrainingRunInfo& info)
{
    totalSteps_ = info.totalSteps;
    lastStep_ = info.startStep;
    runProcesses_ = info.processes;
    runBatch_ = info.batchSize;
    runStartStep_ = info.startStep;
    calibratedThisRun_ = false;
    chart_->reset(info.totalSteps);
    chart_->addPoints(info.history);
    runs_.begin(TrainingRunSummary{info.modelDescription, info.batchSize, runLearningRate_, info.totalSteps,
                                   info.startStep});
    runs_.append(info.history);
    showRunsOnChart();  // the run ended last joins the earlier runs
    refreshRunsList();
    previews_->clear();
    previewLarge_->setImages({});
    runInfo_->setText(tr("<b>%1</b> on %2 (%3 items)%4")
                          .arg(info.modelDescription.toHtmlEscaped(), info.datasetName.toHtmlEscaped())
                          .arg(info.datasetSize)
                          .arg(info.startStep > 0 ? tr(", resumed at step %1").arg(info.startStep) : QString()));
    status_->setText(tr("Training…"));
    paused_ = false;
    progress_->setValue(static_cast<int>(1000 * lastStep_ / qMax<qint64>(1, totalSteps_)));
    progress_->setFormat(tr("step %1 / %2").arg(lastStep_).arg(totalSteps_));
    Q_EMIT statusMessage(tr("Training %1").arg(info.modelDescription));
}

void TrainView::onProgress(const TrainProgressBatch& batch)
{
    if (batch.points.isEmpty())
        return;
    runs_.append(batch.points);
    chart_->addPoints(batch.points);
    refreshRunsList(true);
    const TrainPoint& p = batch.points.last();
    lastStep_ = p.step;
    totalSteps_ = batch.totalSteps;
    lastLoss_ = p.loss;
    lastSmoothed_ = p.smoothedLoss;
    lastRate_ = p.learningRate;
    stepsPerSecond_ = batch.stepsPerSecond;
    eta_ = batch.etaSeconds;
    updateExportAction();
    calibrate();
    showStep();
}

void TrainView::calibrate()
{
    // The trainer's steps per second after the first steps: the estimate uses it at once, and
    // the studio keeps it for the next start.
    if (runShape_.isEmpty() || stepsPerSecond_ <= 0.0 || lastStep_ - runStartStep_ < kCalibrationSteps)
        return;
    const bool first = !calibratedThisRun_;
    measuredSecondsPerStep_ = 1.0 / stepsPerSecond_;
    measuredFor_ = runShape_;
    calibratedThisRun_ = true;
    if (first) {
        updateEstimate();
        Q_EMIT settingsChanged();
    }
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
    if (runs_.hasRunning()) {  // kept, as it ended
        runs_.end(outcome.failed      ? TrainingRunEnd::Failed
                  : outcome.completed ? TrainingRunEnd::Finished
                                      : TrainingRunEnd::Stopped);
        refreshRunsList(true);
    }
    paused_ = false;
    if (outcome.step > 0) {
        lastStep_ = outcome.step;  // the step the run ended on, shown everywhere alike
        showStep();
    }
    if (calibratedThisRun_)
        Q_EMIT settingsChanged();  // the speed of the whole run, kept for the next start
    calibratedThisRun_ = false;
    updateEstimate();
    if (outcome.failed) {
        status_->setText(tr("<span style=\"color:#c62828\">%1</span>").arg(outcome.message.toHtmlEscaped()));
        Q_EMIT problem(outcome.message);
    } else {
        status_->setText(outcome.message);
        Q_EMIT statusMessage(outcome.message);
        // The model in use changed; the Sample page keeps sampling the model it had until the
        // person takes the new weights there.
        if (outcome.step > 0)
            Q_EMIT notice(tr("%1 The Sample page offers the training run's weights (step %2) beside the model it "
                             "samples; save them with Ctrl+S.")
                              .arg(outcome.message)
                              .arg(outcome.step));
    }
    updateControls();
}

void TrainView::updateControls()
{
    const bool training = isRunning();
    const bool paused = isPaused();
    runControls_->setState(canStart(), training, paused);
    resume_->setEnabled(canStart());
    const bool elsewhere = runsInOtherProcesses();
    save_->setEnabled(training && !elsewhere);
    sampleNow_->setEnabled(training && !elsewhere && !engine_->activeJob(kSamplingJobKind));
    if (elsewhere) {
        pauseButton()->setEnabled(false);
        stepButton()->setEnabled(false);
    }
    const QString otherProcesses = tr("The weights of a multi-process run live in its processes until it ends");
    save_->setToolTip(elsewhere ? tr("%1; it writes its checkpoint every N steps and when stopped").arg(otherProcesses)
                                : tr("Write a checkpoint of the current weights between two steps"));
    sampleNow_->setToolTip(elsewhere ? tr("%1; sample from them when it has ended").arg(otherProcesses)
                                     : tr("Run the sampler on the weights as they are now (training waits meanwhile)"));
    Q_EMIT runStateChanged();
}

}  // namespace ebm::studio
