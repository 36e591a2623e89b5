#include "pages/schedule/curve_evaluation_panel.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "jobs/job_handle.h"
#include "worker/evaluate_job.h"
#include "worker/studio_engine.h"
#include "widgets/run_controls.h"

namespace ebm::studio {
namespace {

// The protocol's sample count (docs/evaluation.md); fewer give a first idea sooner, but FID-like
// figures compare only at the same count.
constexpr int kProtocolSamples = 256;
constexpr int kMinSamples = 16;
constexpr int kMaxSamples = 4096;
constexpr int kProgressSteps = 1000;

enum Column { Name, Steps, StepSize, Seconds, Fid, InceptionLike, Classes, Samples, ColumnCount };

/// A number cell that sorts by value.
class NumberSortedItem : public QTableWidgetItem {
public:
    using QTableWidgetItem::QTableWidgetItem;
    bool operator<(const QTableWidgetItem& other) const override
    {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};

}  // namespace

CurveEvaluationPanel::CurveEvaluationPanel(StudioEngine* engine, std::function<ebm::ScheduleCurve()> curve,
                                           std::function<QString()> curveName, QWidget* parent)
    : QWidget(parent), engine_(engine), curve_(std::move(curve)), curveName_(std::move(curveName))
{
    runControls_ = new RunControls(tr("Evaluate Curve"),
                                   tr("Sample with this curve and measure the samples as `ebm eval` does: FID-like "
                                      "distance, inception-like score and classes (seed 1)"),
                                   false, RunControls::Layout::Row, this);
    runControls_->startButton()->setObjectName(QStringLiteral("evaluateCurveButton"));
    connect(runControls_, &RunControls::startRequested, this, &CurveEvaluationPanel::evaluate);
    connect(runControls_, &RunControls::stopRequested, this, &CurveEvaluationPanel::stop);
    samples_ = new QSpinBox(this);
    samples_->setObjectName(QStringLiteral("evaluateCurveSamples"));
    samples_->setRange(kMinSamples, kMaxSamples);
    samples_->setValue(kProtocolSamples);
    samples_->setSingleStep(64);
    samples_->setSuffix(tr(" samples"));
    samples_->setToolTip(tr("The protocol uses 256; compare FID-like figures only at the same count"));
    stepSize_ = new QDoubleSpinBox(this);
    stepSize_->setObjectName(QStringLiteral("evaluateCurveStepSize"));
    stepSize_->setRange(0.001, 0.2);
    stepSize_->setDecimals(4);
    stepSize_->setSingleStep(0.005);
    stepSize_->setPrefix(tr("ε "));
    stepSize_->setValue(defaultStepSizeForPreset(defaultSchedulePreset()));
    stepSize_->setToolTip(tr("Langevin step size of the evaluation. Loading a preset sets its own (0.02 for the "
                             "paper's; the fast preset takes larger steps, keeping ε² × steps the paper's)"));
    progress_ = new QProgressBar(this);
    progress_->setRange(0, kProgressSteps);
    progress_->setValue(0);
    progress_->setTextVisible(true);
    progress_->setFormat(QString());
    status_ = new QLabel(tr("Evaluate Curve samples with this curve and measures the samples (FID-like, "
                            "inception-like, classes), to see what an edit is worth."),
                         this);
    status_->setObjectName(QStringLiteral("evaluateCurveStatus"));
    status_->setWordWrap(true);

    results_ = new QTableWidget(0, ColumnCount, this);
    results_->setObjectName(QStringLiteral("curveResults"));
    results_->setHorizontalHeaderLabels({tr("Curve"), tr("Steps"), tr("ε"), tr("Sampling"), tr("FID-like ↓"),
                                         tr("Inception-like ↑"), tr("Classes"), tr("Samples")});
    results_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    results_->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
    results_->verticalHeader()->hide();
    results_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    results_->setSelectionBehavior(QAbstractItemView::SelectRows);
    results_->setSortingEnabled(true);
    results_->setToolTip(tr("Every curve evaluated in this session; click a header to sort"));

    // The progress bar on a line of its own: the page is narrow at large scale factors.
    auto* row = new QHBoxLayout;
    row->addWidget(runControls_);
    row->addWidget(samples_);
    row->addWidget(stepSize_);
    row->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(progress_);
    layout->addWidget(status_);
    layout->addWidget(results_, 1);

    connect(engine_, &StudioEngine::activityChanged, this, &CurveEvaluationPanel::updateControls);
    updateControls();
}

bool CurveEvaluationPanel::isRunning() const { return run_ && run_->isActive(); }

void CurveEvaluationPanel::stop()
{
    if (run_)
        run_->cancel();
}

void CurveEvaluationPanel::updateControls()
{
    const bool canStart = engine_->hasModel() && engine_->model().imageModel && !engine_->isBusy();
    runControls_->setState(canStart, isRunning(), false);
    samples_->setEnabled(!isRunning());
    stepSize_->setEnabled(!isRunning());
}

void CurveEvaluationPanel::setStepSize(double stepSize) { stepSize_->setValue(stepSize); }

void CurveEvaluationPanel::evaluate()
{
    if (isRunning())
        return;
    if (!engine_->hasModel() || !engine_->model().imageModel) {
        Q_EMIT problem(tr("Load a model that draws images before evaluating a curve."));
        return;
    }
    if (engine_->isBusy()) {
        Q_EMIT problem(tr("Wait for the running job to end (or stop it) before evaluating the curve."));
        return;
    }
    const ebm::ScheduleCurve curve = curve_();
    EvaluationSettings settings;
    settings.fid = true;
    settings.inceptionLike = true;
    settings.neighbours = false;
    settings.likelihood = false;
    settings.numSamples = samples_->value();
    settings.schedulePreset = kEditedSchedulePreset;
    settings.scheduleCurve = QString::fromStdString(curve.toJson());
    settings.steps = curve.steps();
    settings.stepSize = stepSize_->value();
    run_ = engine_->start(std::make_unique<EvaluateJob>(settings), JobRunner::StartPolicy::RefuseIfBusy);
    if (!run_) {
        Q_EMIT problem(tr("Wait for the running job to end (or stop it) before evaluating the curve."));
        return;
    }
    runName_ = curveName_();
    connect(run_, &JobHandle::progress, this, &CurveEvaluationPanel::onProgress);
    connect(run_, &JobHandle::finished, this, &CurveEvaluationPanel::onFinished);
    progress_->setValue(0);
    progress_->setFormat(tr("starting"));
    runStepSize_ = settings.stepSize;
    status_->setText(tr("Evaluating %1: %2 samples, %3 steps of ε %4…")
                         .arg(runName_)
                         .arg(settings.numSamples)
                         .arg(curve.steps())
                         .arg(settings.stepSize));
    updateControls();
}

void CurveEvaluationPanel::onProgress(const QVariant& value)
{
    if (!value.canConvert<EvaluationProgressInfo>())
        return;
    const auto info = value.value<EvaluationProgressInfo>();
    const double overall = (info.stageIndex + info.fraction) / std::max(1, info.stageCount);
    progress_->setValue(static_cast<int>(overall * kProgressSteps));
    QString text = tr("%1 %2%").arg(info.stage).arg(qRound(info.fraction * 100));
    if (info.stageEtaSeconds >= 0)
        text += tr(" · %1 left").arg(formatDuration(info.stageEtaSeconds));
    progress_->setFormat(text);
}

void CurveEvaluationPanel::onFinished(const QVariant& result)
{
    const auto outcome = result.value<EvaluationOutcome>();
    progress_->setFormat(QString());
    progress_->setValue(outcome.completed ? kProgressSteps : 0);
    if (outcome.completed) {
        addResult(runName_, outcome);
        status_->setText(tr("%1: FID-like %2 (real images %3), inception-like %4, %5 of 10 classes, in %6 of sampling.")
                             .arg(runName_)
                             .arg(outcome.fid, 0, 'f', 1)
                             .arg(outcome.fidFloor, 0, 'f', 1)
                             .arg(outcome.inceptionLike, 0, 'f', 2)
                             .arg(outcome.classesCovered)
                             .arg(formatDuration(outcome.samplingSeconds)));
        Q_EMIT statusMessage(tr("Evaluated %1: FID-like %2").arg(runName_).arg(outcome.fid, 0, 'f', 1));
    } else if (outcome.stopped) {
        status_->setText(tr("Stopped; the table keeps the curves measured before."));
    } else {
        status_->setText(tr("The evaluation failed: %1").arg(outcome.message));
        Q_EMIT problem(tr("Evaluating the curve failed: %1").arg(outcome.message));
    }
    updateControls();
}

void CurveEvaluationPanel::addResult(const QString& name, const EvaluationOutcome& outcome)
{
    results_->setSortingEnabled(false);
    const int row = results_->rowCount();
    results_->insertRow(row);
    auto* nameItem = new QTableWidgetItem(name);
    nameItem->setToolTip(outcome.samplesSource);
    results_->setItem(row, Name, nameItem);
    auto number = [](double value, const QString& text) {
        auto* item = new NumberSortedItem(text);
        item->setData(Qt::UserRole, value);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    results_->setItem(row, Steps, number(outcome.samplingSteps, QString::number(outcome.samplingSteps)));
    results_->setItem(row, StepSize, number(runStepSize_, QString::number(runStepSize_)));
    results_->setItem(row, Seconds, number(outcome.samplingSeconds, formatDuration(outcome.samplingSeconds)));
    QTableWidgetItem* fid = number(outcome.fid, QString::number(outcome.fid, 'f', 1));
    fid->setToolTip(tr("Real training images at this sample count: %1").arg(outcome.fidFloor, 0, 'f', 1));
    results_->setItem(row, Fid, fid);
    QTableWidgetItem* is = number(outcome.inceptionLike, QString::number(outcome.inceptionLike, 'f', 2));
    is->setToolTip(tr("Real training images: %1").arg(outcome.inceptionLikeReal, 0, 'f', 2));
    results_->setItem(row, InceptionLike, is);
    results_->setItem(row, Classes, number(outcome.classesCovered, tr("%1 of %2").arg(outcome.classesCovered).arg(outcome.classCounts.size())));
    results_->setItem(row, Samples, number(static_cast<double>(outcome.floorCount), QString::number(outcome.floorCount)));
    results_->setSortingEnabled(true);
    results_->scrollToItem(nameItem);
}

}  // namespace ebm::studio
