#include "pages/evaluate/evaluate_view.h"

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
#include <QScrollArea>
#include <QSettings>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTabWidget>
#include <QVBoxLayout>

#include "worker/evaluate_job.h"
#include "worker/studio_engine.h"
#include "widgets/run_controls.h"
#include "widgets/safe_save.h"
#include "widgets/settings_form.h"
#include "widgets/undo_fields.h"
#include "pages/evaluate/class_histogram_chart.h"
#include "pages/evaluate/evaluation_fields.h"

namespace ebm::studio {
namespace {

// Small images are enlarged with whole pixels so that a 32x32 sample stays crisp.
constexpr int kImageScale = 3;
constexpr int kProgressSteps = 1000;

enum FigureColumn { kMeasureColumn = 0, kValueColumn, kReferenceColumn, kColumnCount };

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
    : StudioPage(tr("&Evaluate"), QStringLiteral("evaluation"), parent), engine_(engine)
{
    // ---- what to measure, the samples, the likelihood: one declaration (evaluation_fields.cpp)
    form_ = new SettingsForm<EvaluationSettings>(evaluationFields(), undo, this);
    keepFields<EvaluationSettings>(
        evaluationFields(), [this] { return settings(); }, [this](const EvaluationSettings& s) { setSettings(s); });
    connect(form_, &SettingsFormWidget::valuesChanged, this, &EvaluateView::updateControls);

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
    settingsLayout->addWidget(form_);
    settingsLayout->addStretch(1);

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
    // No minimum of its own here: the panel's (its plot's 180 pixels and its title) holds; a lower
    // one let the splitter cut the plot's axis off at 1024x700.
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
    resultsSplit->setChildrenCollapsible(false);  // no pane below its minimum
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

    connect(engine_, &StudioEngine::activityChanged, this, &EvaluateView::updateControls);
    updateControls();
}

QPushButton* EvaluateView::evaluateButton() const { return runControls_->startButton(); }
QPushButton* EvaluateView::stopButton() const { return runControls_->stopButton(); }

bool EvaluateView::canStart() const
{
    return !engine_->isBusy() && (engine_->hasModel() || samplesFromFile());
}

EvaluationSettings EvaluateView::settings() const { return form_->settings(); }

void EvaluateView::setSettings(const EvaluationSettings& s)
{
    form_->setSettings(s);
    updateControls();
}

bool EvaluateView::samplesFromFile() const
{
    return form_->values().integer(QStringLiteral("source")) == kSamplesFromFile;
}

void EvaluateView::startEvaluation()
{
    const EvaluationSettings s = settings();
    if (!s.fid && !s.inceptionLike && !s.neighbours && !s.likelihood) {
        Q_EMIT problem(tr("Nothing to measure: tick at least one of the measures."));
        return;
    }
    if (samplesFromFile() && s.samplesPath.isEmpty() && (s.fid || s.inceptionLike || s.neighbours)) {
        Q_EMIT problem(tr("Choose the file or folder of samples to evaluate, or draw them from the model."));
        return;
    }
    if (!canStart()) {
        Q_EMIT problem(engine_->isBusy()
                           ? tr("Wait for the running job to end (or stop it) before evaluating.")
                           : tr("No model is loaded yet: open one, or evaluate a file of samples."));
        return;
    }
    JobHandle* run = engine_->start(std::make_unique<EvaluateJob>(s), JobRunner::StartPolicy::RefuseIfBusy);
    if (!run)
        return;
    followRun(run, false);  // an evaluation has no pause or single step
    connect(run, &JobHandle::progress, this, [this](const QVariant& value) {
        if (value.metaType() == QMetaType::fromType<EvaluationProgressInfo>())
            onProgress(value.value<EvaluationProgressInfo>());
    });
    connect(run, &JobHandle::finished, this, [this](const QVariant& result) {
        EvaluationOutcome stopped;  // dropped before it started
        stopped.stopped = true;
        stopped.message = tr("Evaluation stopped; nothing was measured.");
        onFinished(result.isValid() ? result.value<EvaluationOutcome>() : stopped);
    });
    updateControls();
    progress_->setValue(0);
    status_->setText(tr("Starting…"));
}

void EvaluateView::stop()
{
    StudioPage::stop();
    status_->setText(tr("Stopping after the current batch…"));
}

void EvaluateView::saveReport(const QString& path)
{
    if (!outcome_.completed) {
        Q_EMIT problem(tr("No report yet: run an evaluation first."));
        return;
    }
    // Written whole or not at all, so an old report is never half overwritten.
    QString error;
    if (!saveBytes(path, outcome_.reportJson.toUtf8(), tr("evaluation report"), error)) {
        Q_EMIT problem(error);
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
    // Which fields are enabled is part of their declaration; this is the page's own state.
    const bool running = isRunning();
    const bool busy = engine_->isBusy() && !running;
    runControls_->setState(canStart(), running, false);
    evaluateButton()->setToolTip(busy && !running ? tr("Another job is running; evaluation waits for the cores")
                                                  : tr("Measure the model with the ticked measures (F5)"));
    saveReport_->setEnabled(outcome_.completed && !running);
    Q_EMIT runStateChanged();
}

}  // namespace ebm::studio
