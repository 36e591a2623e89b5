#include "evaluate/evaluate_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTabWidget>
#include <QVBoxLayout>

#include "engine/studio_engine.h"
#include "evaluate/class_histogram_chart.h"
#include "evaluate/evaluation_fields.h"
#include "widgets/undo_fields.h"
#include "widgets/run_controls.h"
#include "widgets/wheel_guard.h"

namespace ebm::studio {
namespace {

// Small images are enlarged with whole pixels so that a 32x32 sample stays crisp.
constexpr int kImageScale = 3;
constexpr int kProgressSteps = 1000;
constexpr int kMaxSamples = 20000;
constexpr int kMaxAisSteps = 100000;

enum FigureColumn { kMeasureColumn = 0, kValueColumn, kReferenceColumn, kColumnCount };

QSpinBox* countSpin(int minimum, int maximum, int step, const QString& tip, QWidget* parent)
{
    auto* spin = new QSpinBox(parent);
    spin->setRange(minimum, maximum);
    spin->setSingleStep(step);
    spin->setToolTip(tip);
    return spin;
}

QLabel* pictureLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setAlignment(Qt::AlignCenter);
    label->setBackgroundRole(QPalette::Base);
    return label;
}

QPixmap enlarged(const QImage& image)
{
    return QPixmap::fromImage(image.scaled(image.size() * kImageScale, Qt::IgnoreAspectRatio, Qt::FastTransformation));
}

QScrollArea* scrolled(QWidget* content, QWidget* parent)
{
    auto* area = new QScrollArea(parent);
    area->setWidget(content);
    area->setWidgetResizable(true);
    area->setAlignment(Qt::AlignCenter);
    return area;
}

}  // namespace

EvaluateView::EvaluateView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent)
    : StudioPage(parent), engine_(engine), undo_(undo)
{
    // ---- what to measure
    auto* measure = new QGroupBox(tr("Measure"), this);
    fid_ = new QCheckBox(tr("FID-like distance to test images"), measure);
    fid_->setToolTip(tr("Frechet distance between the classifier features of the samples and of the test images. "
                        "Real training images give the floor."));
    inceptionLike_ = new QCheckBox(tr("Inception-like score and classes"), measure);
    inceptionLike_->setToolTip(tr("How confidently and how evenly the classifier recognises the samples; "
                                  "the class histogram shows which garments the model makes."));
    neighbours_ = new QCheckBox(tr("Nearest training images"), measure);
    neighbours_->setToolTip(tr("For the first samples, the closest training images in pixel distance: "
                               "a model that copies its data shows twins here (paper, appendix C)."));
    likelihood_ = new QCheckBox(tr("Log-likelihood by AIS (slow)"), measure);
    likelihood_->setToolTip(tr("Annealed importance sampling from a Gaussian (a lower bound on log Z) and back "
                               "from test images (an upper bound when they are model samples), in bits per dimension."));
    auto* measureLayout = new QVBoxLayout(measure);
    for (QCheckBox* box : {fid_, inceptionLike_, neighbours_, likelihood_})
        measureLayout->addWidget(box);

    // ---- samples
    auto* samples = new QGroupBox(tr("Samples"), this);
    source_ = new QComboBox(samples);
    source_->addItem(tr("Draw from the loaded model"));
    source_->addItem(tr("Images from a file or folder"));
    samplesPath_ = new QLineEdit(samples);
    samplesPath_->setPlaceholderText(tr(".npy [N, C, H, W] in [0, 1], image, or folder"));
    browseSamples_ = new QPushButton(tr("Browse…"), samples);
    connect(browseSamples_, &QPushButton::clicked, this, &EvaluateView::browseSamples);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(samplesPath_, 1);
    pathRow->addWidget(browseSamples_);
    numSamples_ = countSpin(2, kMaxSamples, 64, tr("Samples to draw; more give steadier figures (the FID-like "
                                                    "distance is biased upwards for small sets)"), samples);
    schedule_ = new QComboBox(samples);
    for (const QString& preset : schedulePresets())
        schedule_->addItem(presetLabel(preset), preset);
    steps_ = countSpin(10, 100000, 100, tr("Length of the annealing schedule"), samples);
    stepSize_ = new QDoubleSpinBox(samples);
    stepSize_->setRange(0.001, 0.5);
    stepSize_->setDecimals(3);
    stepSize_->setSingleStep(0.005);
    stepSize_->setToolTip(tr("Langevin step size eps (eq. 8)"));
    seed_ = countSpin(0, 1000000, 1, tr("Random seed of the sampler"), samples);
    referenceLimit_ = countSpin(0, 1000000, 1000, tr("Test images the samples are compared with (0 = all)"), samples);
    referenceLimit_->setSpecialValueText(tr("all"));
    auto* samplesForm = new QFormLayout(samples);
    samplesForm->addRow(tr("Source"), source_);
    samplesForm->addRow(tr("File"), pathRow);
    samplesForm->addRow(tr("Count"), numSamples_);
    samplesForm->addRow(tr("Schedule"), schedule_);
    samplesForm->addRow(tr("Steps"), steps_);
    samplesForm->addRow(tr("Step size"), stepSize_);
    samplesForm->addRow(tr("Seed"), seed_);
    samplesForm->addRow(tr("Test images"), referenceLimit_);
    neighbourQueries_ = countSpin(1, 64, 1, tr("Samples whose nearest training images are shown (one row each)"), samples);
    neighboursPerQuery_ = countSpin(1, 32, 1, tr("Training images shown beside each sample, nearest first"), samples);
    samplesForm->addRow(tr("Neighbour rows"), neighbourQueries_);
    samplesForm->addRow(tr("Neighbours each"), neighboursPerQuery_);

    // ---- likelihood
    auto* aisBox = new QGroupBox(tr("Likelihood (AIS)"), this);
    aisSteps_ = countSpin(10, kMaxAisSteps, 500, tr("Intermediate distributions; the paper uses 10000. More "
                                                     "narrow the gap between the two bounds."), aisBox);
    aisImages_ = countSpin(1, 10000, 8, tr("Test images whose log density is estimated (reverse AIS runs one "
                                           "chain from each)"), aisBox);
    aisChains_ = countSpin(1, 10000, 8, tr("Chains of forward AIS from the Gaussian"), aisBox);
    aisTransition_ = new QComboBox(aisBox);
    aisTransition_->addItem(tr("HMC (Metropolis-corrected)"), QStringLiteral("hmc"));
    aisTransition_->addItem(tr("MALA (Metropolis-corrected Langevin)"), QStringLiteral("mala"));
    aisTransition_->addItem(tr("ULA (unadjusted Langevin, biased)"), QStringLiteral("ula"));
    aisLeapfrog_ = countSpin(1, 100, 1, tr("Leapfrog steps per HMC move"), aisBox);
    auto* aisForm = new QFormLayout(aisBox);
    aisForm->addRow(tr("Distributions"), aisSteps_);
    aisForm->addRow(tr("Test images"), aisImages_);
    aisForm->addRow(tr("Forward chains"), aisChains_);
    aisForm->addRow(tr("Transition"), aisTransition_);
    aisForm->addRow(tr("Leapfrog steps"), aisLeapfrog_);

    // ---- run controls
    runControls_ = new RunControls(tr("Evaluate"), tr("Measure the model with the ticked measures"), false,
                                   RunControls::Layout::Row, this);
    runControls_->startButton()->setObjectName(QStringLiteral("evaluateButton"));
    saveReport_ = new QPushButton(tr("Save Report…"), this);
    saveReport_->setToolTip(tr("Write the figures as JSON, the format of `ebm eval --json`"));
    connect(runControls_, &RunControls::startRequested, this, &EvaluateView::startEvaluation);
    connect(runControls_, &RunControls::stopRequested, this, &EvaluateView::stop);
    connect(saveReport_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Evaluation Report"),
                                                          QStringLiteral("evaluation.json"), tr("JSON (*.json)"));
        if (!path.isEmpty())
            saveReport(path);
    });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(runControls_);
    buttons->addStretch(1);
    buttons->addWidget(saveReport_);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, kProgressSteps);
    progress_->setValue(0);
    status_ = new QLabel(tr("Choose what to measure and press Evaluate."), this);
    status_->setWordWrap(true);

    auto* settingsPane = new QWidget(this);
    auto* settingsLayout = new QVBoxLayout(settingsPane);
    settingsLayout->setContentsMargins(0, 0, 0, 0);
    settingsLayout->addWidget(measure);
    settingsLayout->addWidget(samples);
    settingsLayout->addWidget(aisBox);
    settingsLayout->addStretch(1);
    guardWheelUnderForm(settingsPane);

    // ---- results
    figures_ = new QTableWidget(0, kColumnCount, this);
    figures_->setObjectName(QStringLiteral("evaluationFigures"));
    figures_->setHorizontalHeaderLabels({tr("Measure"), tr("Model"), tr("Reference")});
    figures_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    figures_->horizontalHeader()->setStretchLastSection(true);
    figures_->verticalHeader()->setVisible(false);
    figures_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    figures_->setSelectionBehavior(QAbstractItemView::SelectRows);
    figures_->setWordWrap(true);

    classChart_ = new ClassHistogramChart(this);
    classChart_->setObjectName(QStringLiteral("classChart"));
    classChart_->setMinimumHeight(180);
    classCountNote_ = new QLabel(this);
    classCountNote_->setObjectName(QStringLiteral("classCountNote"));
    classCountNote_->setWordWrap(true);
    auto* classPane = new QWidget(this);
    auto* classLayout = new QVBoxLayout(classPane);
    classLayout->setContentsMargins(0, 0, 0, 0);
    classLayout->addWidget(classChart_, 1);
    classLayout->addWidget(classCountNote_);

    samplesImage_ = pictureLabel(this);
    neighbourImage_ = pictureLabel(this);
    neighbourImage_->setObjectName(QStringLiteral("neighbourImage"));
    reportText_ = new QPlainTextEdit(this);
    reportText_->setReadOnly(true);
    reportText_->setLineWrapMode(QPlainTextEdit::NoWrap);
    reportText_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    pictures_ = new QTabWidget(this);
    pictures_->addTab(scrolled(samplesImage_, this), tr("Samples"));
    pictures_->addTab(scrolled(neighbourImage_, this), tr("Nearest training images"));
    pictures_->addTab(reportText_, tr("Report"));

    auto* resultsSplit = new QSplitter(Qt::Vertical, this);
    resultsSplit->addWidget(figures_);
    resultsSplit->addWidget(classPane);
    resultsSplit->addWidget(pictures_);
    resultsSplit->setStretchFactor(0, 2);
    resultsSplit->setStretchFactor(1, 2);
    resultsSplit->setStretchFactor(2, 3);

    // The settings scroll (both ways on small or scaled screens); the run controls, progress and
    // status sit above them and stay in view. Both columns may shrink, so nothing is cut off.
    QScrollArea* settingsScroll = scrolled(settingsPane, this);
    settingsScroll->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    const int settingsWidth = settingsPane->sizeHint().width() +
                              settingsScroll->verticalScrollBar()->sizeHint().width() + 2 * settingsScroll->frameWidth();
    settingsScroll->setMinimumWidth(qMin(settingsWidth, 16 * fontMetrics().averageCharWidth()));
    auto* leftColumn = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(leftColumn);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(progress_);
    leftLayout->addWidget(status_);
    leftLayout->addWidget(settingsScroll, 1);
    figures_->setMinimumWidth(12 * fontMetrics().averageCharWidth());
    classChart_->setMinimumWidth(12 * fontMetrics().averageCharWidth());
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setChildrenCollapsible(false);
    split->addWidget(leftColumn);
    split->addWidget(resultsSplit);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({settingsWidth, 3 * settingsWidth});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    undo->bind(fid_, tr("FID-like"));
    undo->bind(inceptionLike_, tr("inception-like score"));
    undo->bind(neighbours_, tr("nearest neighbours"));
    undo->bind(likelihood_, tr("AIS log-likelihood"));
    undo->bind(source_, tr("sample source"));
    undo->bind(samplesPath_, tr("samples file"));
    undo->bind(numSamples_, tr("sample count"));
    undo->bind(schedule_, tr("evaluation schedule"),
               [this] { steps_->setValue(defaultStepsForPreset(schedule_->currentData().toString())); });
    undo->bind(steps_, tr("evaluation schedule length"));
    undo->bind(stepSize_, tr("evaluation step size"));
    undo->bind(seed_, tr("evaluation seed"));
    undo->bind(referenceLimit_, tr("test image count"));
    undo->bind(neighbourQueries_, tr("neighbour rows"));
    undo->bind(neighboursPerQuery_, tr("neighbours per row"));
    undo->bind(aisSteps_, tr("AIS distributions"));
    undo->bind(aisImages_, tr("AIS test images"));
    undo->bind(aisChains_, tr("AIS chains"));
    undo->bind(aisTransition_, tr("AIS transition"));
    undo->bind(aisLeapfrog_, tr("leapfrog steps"));
    setSettings(EvaluationSettings());

    for (QCheckBox* box : {fid_, inceptionLike_, neighbours_, likelihood_})
        connect(box, &QCheckBox::toggled, this, &EvaluateView::updateControls);
    connect(source_, &QComboBox::currentIndexChanged, this, &EvaluateView::updateControls);
    connect(aisTransition_, &QComboBox::currentIndexChanged, this, &EvaluateView::updateControls);
    connect(engine_, &StudioEngine::activityChanged, this, &EvaluateView::updateControls);
    connect(engine_, &StudioEngine::evaluationProgress, this, &EvaluateView::onProgress);
    connect(engine_, &StudioEngine::evaluationFinished, this, &EvaluateView::onFinished);
    updateControls();
}

QPushButton* EvaluateView::evaluateButton() const { return runControls_->startButton(); }
QPushButton* EvaluateView::stopButton() const { return runControls_->stopButton(); }

bool EvaluateView::canStart() const
{
    return !engine_->isBusy() && (engine_->hasModel() || source_->currentIndex() == kSamplesFromFile);
}

bool EvaluateView::isRunning() const { return engine_->isEvaluating(); }
QJsonObject EvaluateView::sessionSettings() const { return evaluationFields().toJson(settings()); }
void EvaluateView::applySessionSettings(const QJsonObject& json)
{
    EvaluationSettings loaded;
    QString error;
    if (evaluationFields().fromJson(json, loaded, error))
        setSettings(loaded);
    else
        Q_EMIT problem(tr("The session's evaluation settings were left as they were: %1").arg(error));
}

EvaluationSettings EvaluateView::settings() const
{
    EvaluationSettings s;
    s.fid = fid_->isChecked();
    s.inceptionLike = inceptionLike_->isChecked();
    s.neighbours = neighbours_->isChecked();
    s.likelihood = likelihood_->isChecked();
    s.samplesPath = source_->currentIndex() == kSamplesFromFile ? samplesPath_->text().trimmed() : QString();
    s.numSamples = numSamples_->value();
    s.schedulePreset = schedule_->currentData().toString();
    s.steps = steps_->value();
    s.stepSize = stepSize_->value();
    s.seed = static_cast<quint64>(seed_->value());
    s.referenceLimit = referenceLimit_->value();
    s.neighbourQueries = neighbourQueries_->value();
    s.neighboursPerQuery = neighboursPerQuery_->value();
    s.aisSteps = aisSteps_->value();
    s.aisImages = aisImages_->value();
    s.aisChains = aisChains_->value();
    s.aisTransition = aisTransition_->currentData().toString();
    s.aisLeapfrog = aisLeapfrog_->value();
    return s;
}

void EvaluateView::setSettings(const EvaluationSettings& s)
{
    undo_->withoutUndo([this, &s] { applySettings(s); });
    updateControls();
}

void EvaluateView::applySettings(const EvaluationSettings& s)
{
    fid_->setChecked(s.fid);
    inceptionLike_->setChecked(s.inceptionLike);
    neighbours_->setChecked(s.neighbours);
    likelihood_->setChecked(s.likelihood);
    source_->setCurrentIndex(s.samplesPath.isEmpty() ? kDrawFromModel : kSamplesFromFile);
    samplesPath_->setText(s.samplesPath);
    numSamples_->setValue(s.numSamples);
    schedule_->setCurrentIndex(qMax(0, schedule_->findData(s.schedulePreset)));
    steps_->setValue(s.steps);
    stepSize_->setValue(s.stepSize);
    seed_->setValue(static_cast<int>(s.seed));
    referenceLimit_->setValue(s.referenceLimit);
    neighbourQueries_->setValue(s.neighbourQueries);
    neighboursPerQuery_->setValue(s.neighboursPerQuery);
    aisSteps_->setValue(s.aisSteps);
    aisImages_->setValue(s.aisImages);
    aisChains_->setValue(s.aisChains);
    aisTransition_->setCurrentIndex(qMax(0, aisTransition_->findData(s.aisTransition)));
    aisLeapfrog_->setValue(s.aisLeapfrog);
}

void EvaluateView::startEvaluation()
{
    const EvaluationSettings s = settings();
    if (!s.fid && !s.inceptionLike && !s.neighbours && !s.likelihood) {
        Q_EMIT problem(tr("Nothing to measure: tick at least one of the measures."));
        return;
    }
    if (source_->currentIndex() == kSamplesFromFile && s.samplesPath.isEmpty() && (s.fid || s.inceptionLike || s.neighbours)) {
        Q_EMIT problem(tr("Choose the file or folder of samples to evaluate, or draw them from the model."));
        return;
    }
    if (!engine_->startEvaluation(s))
        return;
    progress_->setValue(0);
    status_->setText(tr("Starting…"));
}

void EvaluateView::stop()
{
    engine_->stopEvaluation();
    status_->setText(tr("Stopping after the current batch…"));
}

void EvaluateView::saveReport(const QString& path)
{
    if (!outcome_.completed) {
        Q_EMIT problem(tr("No report yet: run an evaluation first."));
        return;
    }
    // Written whole or not at all, so an old report is never half overwritten.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(outcome_.reportJson.toUtf8()) < 0 ||
        !file.commit()) {
        Q_EMIT problem(tr("Could not write %1: %2. Choose a folder you can write to.").arg(path, file.errorString()));
        return;
    }
    Q_EMIT statusMessage(tr("Wrote the evaluation report to %1").arg(path));
}

void EvaluateView::onProgress(const EvaluationProgressInfo& p)
{
    // The bar covers the whole run: each stage takes an equal share of it.
    const double overall = (p.stageIndex + qBound(0.0, p.fraction, 1.0)) / qMax(1, p.stageCount);
    progress_->setValue(static_cast<int>(overall * kProgressSteps));
    QString text = tr("Stage %1 of %2: %3 · %4%").arg(p.stageIndex + 1).arg(p.stageCount).arg(p.stage)
                       .arg(qRound(100 * p.fraction));
    if (!p.detail.isEmpty())
        text += QStringLiteral(" · ") + p.detail;
    text += tr(" · stage ETA %1 · elapsed %2").arg(formatDuration(p.stageEtaSeconds), formatDuration(p.elapsedSeconds));
    status_->setText(text);
}

void EvaluateView::onFinished(const EvaluationOutcome& outcome)
{
    status_->setText(outcome.message);
    if (!outcome.completed) {
        if (outcome.failed)
            Q_EMIT problem(outcome.message);
        progress_->setValue(0);
        updateControls();
        return;  // the figures of the previous run stay
    }
    outcome_ = outcome;
    progress_->setValue(kProgressSteps);
    showFigures(outcome);
    showClasses(outcome);
    qint64 realImages = 0, samples = 0;
    for (qint64 n : outcome.realClassCounts)
        realImages += n;
    for (qint64 n : outcome.classCounts)
        samples += n;
    classCountNote_->setText(outcome.haveInceptionLike
                                 ? tr("Blue: %1 samples · grey: %2 real training images (shares, so both fit one "
                                      "scale; %2 real images give only a rough reference)")
                                       .arg(samples)
                                       .arg(realImages)
                                 : QString());
    samplesImage_->setPixmap(outcome.samplesGrid.isNull() ? QPixmap() : enlarged(outcome.samplesGrid));
    neighbourImage_->setPixmap(outcome.neighbourGrid.isNull() ? QPixmap() : enlarged(outcome.neighbourGrid));
    reportText_->setPlainText(outcome.reportText);
    Q_EMIT statusMessage(outcome.message);
    updateControls();
}

void EvaluateView::showFigures(const EvaluationOutcome& o)
{
    figures_->setRowCount(0);
    auto addRow = [this](const QString& measure, const QString& value, const QString& reference, const QString& tip) {
        const int row = figures_->rowCount();
        figures_->insertRow(row);
        const QStringList cells = {measure, value, reference};
        for (int column = 0; column < kColumnCount; ++column) {
            auto* item = new QTableWidgetItem(cells[column]);
            item->setToolTip(tip);
            figures_->setItem(row, column, item);
        }
    };
    if (!o.samplesSource.isEmpty())
        addRow(tr("Samples"), o.samplesSource, QString(), o.samplesSource);
    if (o.haveFid)
        addRow(tr("FID-like (lower is better)"), QString::number(o.fid, 'g', 4),
               tr("%1 (floor: %2 training images)").arg(QString::number(o.fidFloor, 'g', 4)).arg(o.floorCount),
               tr("Frechet distance to %1 test images in the classifier's feature space; the floor is what real "
                  "images reach with the same number of images.")
                   .arg(o.referenceCount));
    if (o.haveInceptionLike) {
        addRow(tr("Inception-like (higher is better)"), QString::number(o.inceptionLike, 'g', 4),
               tr("%1 (real training images)").arg(QString::number(o.inceptionLikeReal, 'g', 4)),
               tr("exp of the mean KL divergence between the classifier's prediction for a sample and the "
                  "average prediction; at most the number of classes."));
        addRow(tr("Classes covered"), tr("%1 of %2").arg(o.classesCovered).arg(o.classCounts.size()), QString(),
               tr("Classes the classifier predicts for at least one sample."));
    }
    if (o.haveNeighbours && !o.nearestDistances.isEmpty()) {
        double sum = 0.0;
        for (double d : o.nearestDistances)
            sum += d;
        addRow(tr("Nearest training image (L2)"),
               tr("mean %1 over %2 samples").arg(QString::number(sum / o.nearestDistances.size(), 'g', 4))
                   .arg(o.nearestDistances.size()),
               tr("0 would be a copy"), tr("Pixel distance from each sample to its closest training image."));
    }
    if (o.haveLikelihood) {
        if (o.aisForward)
            addRow(tr("Bits/dim, forward AIS"),
                   tr("%1 ± %2").arg(QString::number(o.forwardBitsPerDim, 'f', 4), QString::number(o.forwardBitsPerDimStdErr, 'g', 2)),
                   tr("optimistic (lower bound on log Z)"),
                   tr("From a Gaussian towards the model: its log Z is a stochastic lower bound, so these bits/dim "
                      "are optimistic."));
        if (o.aisReverse)
            addRow(tr("Bits/dim, reverse AIS"),
                   tr("%1 ± %2").arg(QString::number(o.reverseBitsPerDim, 'f', 4), QString::number(o.reverseBitsPerDimStdErr, 'g', 2)),
                   tr("the paper's convention"),
                   tr("From test images back to the Gaussian: an upper bound on log Z when the images are model "
                      "samples."));
        if (o.aisForward && o.aisReverse)
            addRow(tr("log Z gap (reverse − forward)"), tr("%1 nats").arg(QString::number(o.logZGap, 'g', 3)),
                   o.logZGap < 0 ? tr("crossed: the bounds bound nothing here") : tr("≥ 0 expected"),
                   tr("The two estimates bracket log Z only when the test images are typical model samples."));
    }
    addRow(tr("Time"), tr("%1 s").arg(o.seconds, 0, 'f', 1), QString(), o.features);
    figures_->resizeRowsToContents();
}

void EvaluateView::showClasses(const EvaluationOutcome& o)
{
    if (!o.haveInceptionLike || o.classCounts.isEmpty()) {
        classChart_->clear();
        return;
    }
    qint64 realImages = 0;
    for (qint64 n : o.realClassCounts)
        realImages += n;
    QStringList names;
    for (int k = 0; k < o.classCounts.size(); ++k)
        names << o.classNames.value(k, tr("class %1").arg(k));
    classChart_->setCounts(o.classCounts, o.realClassCounts, names, realImages);
}

void EvaluateView::updateControls()
{
    const bool running = engine_->isEvaluating();
    const bool busy = engine_->isBusy() && !running;
    const bool fromFile = source_->currentIndex() == kSamplesFromFile;
    const bool needsSamples = fid_->isChecked() || inceptionLike_->isChecked() || neighbours_->isChecked();
    runControls_->setState(canStart(), running, false);
    evaluateButton()->setToolTip(busy && !running ? tr("Another job is running; evaluation waits for the cores")
                                                  : tr("Measure the model with the ticked measures (F5)"));
    saveReport_->setEnabled(outcome_.completed && !running);
    samplesPath_->setEnabled(fromFile && needsSamples);
    browseSamples_->setEnabled(fromFile && needsSamples);
    for (QWidget* w : std::initializer_list<QWidget*>{numSamples_, schedule_, steps_, stepSize_, seed_})
        w->setEnabled(!fromFile && needsSamples);
    for (QWidget* w : std::initializer_list<QWidget*>{neighbourQueries_, neighboursPerQuery_})
        w->setEnabled(neighbours_->isChecked());
    for (QWidget* w : std::initializer_list<QWidget*>{aisSteps_, aisImages_, aisChains_, aisTransition_, aisLeapfrog_})
        w->setEnabled(likelihood_->isChecked());
    aisLeapfrog_->setEnabled(likelihood_->isChecked() && aisTransition_->currentData().toString() == QLatin1String("hmc"));
    Q_EMIT runStateChanged();
}

void EvaluateView::browseSamples()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Samples to Evaluate"), samplesPath_->text(),
                                                      tr("Samples (*.npy *.png *.jpg *.jpeg);;All files (*)"));
    if (!path.isEmpty())
        samplesPath_->setText(path);
}

}  // namespace ebm::studio
