#include "pages/sample/sweep_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontMetrics>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QShowEvent>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <memory>

#include "ebm/base/json.h"
#include "jobs/job_handle.h"
#include "jobs/job_runner.h"
#include "worker/studio_engine.h"
#include "widgets/file_dialogs.h"
#include "widgets/run_controls.h"
#include "widgets/safe_save.h"
#include "annealing/picture_settings.h"

namespace ebm::studio {
namespace {

// An estimate a moment after the last edit, not at every key.
constexpr int kEstimateDelayMs = 400;
constexpr int kProgressSteps = 1000;
constexpr int kDefaultSamplesPerCell = 8;
// The grid as it fills: space around it and between two cells, the least side of a cell box (to
// hold its grey box's word), and the colours of a box without samples.
constexpr int kGridMargin = 8;
constexpr int kGridGap = 6;
constexpr int kMinCellSide = 48;
const QColor kEmptyCellColour(220, 220, 220);
const QColor kEmptyCellTextColour(90, 90, 90);

/// Values to start from when a person picks a setting whose values the field does not hold.
QString exampleValues(const QString& setting)
{
    static const QHash<QString, QString> examples{
        {QStringLiteral("step-size"), QStringLiteral("0.01, 0.02, 0.04")},
        {QStringLiteral("steps"), QStringLiteral("300, 1000, 2700")},
        {QStringLiteral("temperature-scale"), QStringLiteral("0.5, 1, 2")},
        {QStringLiteral("seed"), QStringLiteral("1, 2, 3")},
        {QStringLiteral("sampler"), QStringLiteral("langevin, mala")},
        {QStringLiteral("precision"), QStringLiteral("float32, bf16")},
        {QStringLiteral("model"), QString()},  // files: the person names them
    };
    return examples.value(setting);
}

QString cellsText(int cells) { return cells == 1 ? QObject::tr("1 cell") : QObject::tr("%1 cells").arg(cells); }

QString settingToolTip(const QString& setting)
{
    if (setting == QLatin1String("temperature-scale"))
        return QObject::tr("Every temperature of the schedule multiplied by each value");
    if (setting == QLatin1String("steps"))
        return QObject::tr("The schedule's length: its shape stretched to each number of steps");
    if (setting == QLatin1String("model"))
        return QObject::tr("Model files (.ebm or .pt), separated by commas");
    return QString();
}

}  // namespace

SweepDialog::SweepDialog(StudioEngine* engine, QWidget* parent) : QDialog(parent), engine_(engine)
{
    setWindowTitle(tr("Sweep"));
    setObjectName(QStringLiteral("sweepDialog"));

    auto* form = new QFormLayout;
    form->addRow(tr("Columns:"), buildAxisRow(0));
    form->addRow(tr("Rows:"), buildAxisRow(1));
    samples_ = new QSpinBox(this);
    samples_->setRange(1, kMaxSweepSamplesPerCell);
    samples_->setValue(kDefaultSamplesPerCell);
    samples_->setToolTip(tr("Samples in each cell of the grid"));
    form->addRow(tr("Samples per cell:"), samples_);
    baseSummary_ = new QLabel(this);
    baseSummary_->setWordWrap(true);
    baseSummary_->setTextFormat(Qt::PlainText);
    form->addRow(tr("Every cell:"), baseSummary_);
    estimate_ = new QLabel(this);
    estimate_->setObjectName(QStringLiteral("sweepEstimate"));
    estimate_->setWordWrap(true);
    estimate_->setTextFormat(Qt::PlainText);
    form->addRow(tr("Estimated time:"), estimate_);

    runControls_ = new RunControls(tr("Start"), tr("Sample every cell of the grid"), false, RunControls::Layout::Row,
                                   this);
    export_ = new QPushButton(tr("Export PNG…"), this);
    export_->setToolTip(tr("Write the picture as a PNG that keeps the sweep's settings"));
    auto* close = new QPushButton(tr("Close"), this);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(runControls_);
    buttons->addStretch(1);
    buttons->addWidget(export_);
    buttons->addWidget(close);

    progress_ = new QProgressBar(this);
    progress_->setRange(0, kProgressSteps);
    progress_->setValue(0);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("sweepStatus"));
    status_->setWordWrap(true);
    status_->setTextFormat(Qt::PlainText);

    picture_ = new QLabel(this);
    picture_->setAlignment(Qt::AlignCenter);
    pictureArea_ = new QScrollArea(this);
    pictureArea_->setWidget(picture_);
    pictureArea_->setWidgetResizable(true);
    pictureArea_->setMinimumSize(480, 320);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(progress_);
    layout->addWidget(status_);
    layout->addWidget(pictureArea_, 1);

    estimateDelay_ = new QTimer(this);
    estimateDelay_->setSingleShot(true);
    estimateDelay_->setInterval(kEstimateDelayMs);
    connect(estimateDelay_, &QTimer::timeout, this, &SweepDialog::updateEstimate);
    connect(samples_, &QSpinBox::valueChanged, this, &SweepDialog::fieldsChanged);
    connect(runControls_, &RunControls::startRequested, this, &SweepDialog::startSweep);
    connect(runControls_, &RunControls::stopRequested, this, &SweepDialog::stopSweep);
    connect(export_, &QPushButton::clicked, this, [this] {
        const QString path = askSavePath(this, store_, kExportFolderPurpose, tr("Export sweep"), tr("PNG images (*.png)"),
                                         QStringLiteral(".png"));
        if (path.isEmpty())
            return;
        QString error;
        status_->setText(exportPng(path, error) ? tr("Wrote %1").arg(path) : error);
    });
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(engine_, &StudioEngine::activityChanged, this, &SweepDialog::updateControls);
    connect(engine_, &StudioEngine::modelLoaded, this, &SweepDialog::fieldsChanged);

    updateBaseSummary();
    updateControls();
}

QWidget* SweepDialog::buildAxisRow(int axis)
{
    auto* setting = new QComboBox(this);
    setting->setObjectName(axis == 0 ? QStringLiteral("sweepColumnsSetting") : QStringLiteral("sweepRowsSetting"));
    if (axis == 1)
        setting->addItem(tr("none"), QString());
    for (const QString& name : sweepSettingNames()) {
        setting->addItem(name, name);
        setting->setItemData(setting->count() - 1, settingToolTip(name), Qt::ToolTipRole);
    }
    auto* values = new QLineEdit(this);
    values->setObjectName(axis == 0 ? QStringLiteral("sweepColumnsValues") : QStringLiteral("sweepRowsValues"));
    values->setToolTip(tr("The values, separated by commas"));
    settings_[axis] = setting;
    values_[axis] = values;
    if (axis == 0) {
        setting->setCurrentIndex(setting->findData(QStringLiteral("step-size")));
        values->setText(exampleValues(QStringLiteral("step-size")));
    }
    values->setEnabled(axis == 0);
    connect(setting, &QComboBox::currentIndexChanged, this, [this, axis] {
        const QString name = settings_[axis]->currentData().toString();
        values_[axis]->setEnabled(!name.isEmpty());
        values_[axis]->setPlaceholderText(exampleValues(name));
        // Values of another setting would only be refused: start from this one's example.
        if (!name.isEmpty() && !sweepAxisProblem(name, values_[axis]->text()).isEmpty())
            values_[axis]->setText(exampleValues(name));
        fieldsChanged();
    });
    connect(values, &QLineEdit::textChanged, this, &SweepDialog::fieldsChanged);
    auto* row = new QWidget(this);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(setting);
    layout->addWidget(values, 1);
    return row;
}

QComboBox* SweepDialog::axisSetting(int axis) const { return settings_[axis == 0 ? 0 : 1]; }

QLineEdit* SweepDialog::axisValues(int axis) const { return values_[axis == 0 ? 0 : 1]; }

void SweepDialog::setBaseSettings(const SamplingSettings& settings)
{
    base_ = settings;
    updateBaseSummary();
    fieldsChanged();
}

void SweepDialog::updateBaseSummary()
{
    const SamplingSettings& s = base_;
    baseSummary_->setText(tr("the Sample page's settings unless an axis varies them: %1 schedule of %2 steps, step "
                             "size %3, seed %4, %5, %6%7, from noise")
                              .arg(s.schedulePreset == kEditedSchedulePreset ? tr("the edited") : s.schedulePreset)
                              .arg(s.steps)
                              .arg(s.stepSize)
                              .arg(s.seed)
                              .arg(s.sampler, s.precision,
                                   s.denoiseJump ? tr(", denoising jump at the end") : QString()));
}

SweepRequest SweepDialog::request() const
{
    SweepRequest request;
    request.base = base_;
    request.samplesPerCell = samples_->value();
    for (int axis = 0; axis < 2; ++axis) {
        const QString setting = settings_[axis]->currentData().toString();
        if (!setting.isEmpty())
            request.axes.push_back({setting, values_[axis]->text()});
    }
    return request;
}

QString SweepDialog::requestProblem() const
{
    const SweepRequest r = request();
    if (r.axes.isEmpty())
        return tr("Choose the setting of the columns.");
    if (r.axes.size() == 2 && r.axes[0].setting == r.axes[1].setting)
        return tr("The rows vary %1 like the columns: choose another setting for them.").arg(r.axes[0].setting);
    for (const SweepAxisRequest& axis : r.axes)
        if (const QString problem = sweepAxisProblem(axis.setting, axis.values); !problem.isEmpty())
            return problem;
    return {};
}

bool SweepDialog::isRunning() const { return run_ && run_->isActive(); }

void SweepDialog::showEvent(QShowEvent* event)
{
    QDialog::showEvent(event);
    fieldsChanged();
}

void SweepDialog::fieldsChanged()
{
    updateControls();
    if (!isRunning())
        estimateDelay_->start();
}

void SweepDialog::updateEstimate()
{
    estimateDelay_->stop();
    if (isRunning())
        return;
    const QString problem = requestProblem();
    const QString noModel = engine_->hasModel() ? QString() : tr("No model is loaded yet.");
    if (!problem.isEmpty() || !noModel.isEmpty()) {
        estimateOutcome_ = SweepEstimateOutcome{};
        estimateOutcome_.failed = true;
        estimateOutcome_.message = problem.isEmpty() ? noModel : problem;
        estimate_->setText(estimateOutcome_.message);
        Q_EMIT estimateReady(estimateOutcome_);
        return;
    }
    estimate_->setText(engine_->isBusy() ? tr("Estimating when the running job ends…") : tr("Estimating…"));
    JobHandle* run = engine_->start(std::make_unique<SweepEstimateJob>(request()), JobRunner::StartPolicy::Replace);
    estimateRun_ = run;
    if (!run)
        return;
    connect(run, &JobHandle::finished, this, [this, run](const QVariant& result) {
        if (run == estimateRun_.data())
            onEstimate(result);
    });
}

void SweepDialog::onEstimate(const QVariant& result)
{
    estimateRun_ = nullptr;
    if (!result.isValid())
        return;  // replaced by a newer estimate, or dropped for a sweep
    estimateOutcome_ = result.value<SweepEstimateOutcome>();
    if (estimateOutcome_.failed)
        estimate_->setText(estimateOutcome_.message);
    else
        estimate_->setText(tr("about %1 for %2, %3 steps in all")
                               .arg(formatDuration(estimateOutcome_.seconds), cellsText(estimateOutcome_.cells))
                               .arg(estimateOutcome_.totalSteps));
    Q_EMIT estimateReady(estimateOutcome_);
}

void SweepDialog::startSweep()
{
    if (isRunning())
        return;
    if (const QString problem = requestProblem(); !problem.isEmpty()) {
        status_->setText(problem);
        return;
    }
    if (!engine_->hasModel()) {
        status_->setText(tr("No model is loaded yet."));
        return;
    }
    if (estimateRun_)
        estimateRun_->cancel();
    estimateDelay_->stop();
    runModel_ = engine_->modelKeptForSampling() ? *engine_->modelKeptForSampling() : engine_->model();
    const bool waits = engine_->isBusy();
    JobHandle* run = engine_->start(std::make_unique<SweepJob>(request()), JobRunner::StartPolicy::Queue);
    if (!run) {
        status_->setText(tr("The sweep could not start; try again when the running job has ended."));
        return;
    }
    run_ = run;
    connect(run, &JobHandle::progress, this, &SweepDialog::onProgress);
    connect(run, &JobHandle::finished, this, &SweepDialog::onFinished);
    // A new sweep: the last one's picture and cells go (its export with them).
    outcome_ = SweepOutcome{};
    grid_ = SweepGridInfo{};
    endedCells_.clear();
    runningCell_ = -1;
    lastCellText_.clear();
    cellRects_.clear();
    showPicture(QImage());
    progress_->setValue(0);
    status_->setText(waits ? tr("Waiting for the running job to end…") : tr("Sweeping…"));
    updateControls();
}

void SweepDialog::stopSweep()
{
    if (run_)
        run_->cancel();
}

void SweepDialog::onProgress(const QVariant& value)
{
    if (value.metaType() == QMetaType::fromType<SweepGridInfo>()) {
        grid_ = value.value<SweepGridInfo>();
        drawFillingGrid();
        return;
    }
    if (value.metaType() != QMetaType::fromType<SweepProgressInfo>())
        return;
    const SweepProgressInfo p = value.value<SweepProgressInfo>();
    if (p.totalSteps > 0)
        progress_->setValue(static_cast<int>(std::lround(double(kProgressSteps) * p.stepsDone / p.totalSteps)));
    for (const SweepCellInfo& cell : p.cellsEnded) {
        endedCells_.push_back(cell);
        if (std::isfinite(cell.meanFinalEnergy))
            lastCellText_ = tr("; cell %1 ended at a mean energy of %2").arg(cell.index + 1).arg(cell.meanFinalEnergy, 0, 'g', 5);
    }
    const QString left = p.secondsLeft >= 0 ? tr(", about %1 left").arg(formatDuration(p.secondsLeft)) : QString();
    status_->setText(tr("Cell %1 of %2, step %3 of %4%5%6")
                         .arg(p.cell + 1)
                         .arg(p.cells)
                         .arg(p.step)
                         .arg(p.steps)
                         .arg(left, lastCellText_));
    const bool movedOn = p.cell != runningCell_;
    runningCell_ = p.cell;
    if (movedOn || !p.cellsEnded.isEmpty())
        drawFillingGrid();
    for (const SweepCellInfo& cell : p.cellsEnded)
        Q_EMIT cellShown(cell);
}

void SweepDialog::onFinished(const QVariant& result)
{
    run_ = nullptr;
    if (!result.isValid()) {
        status_->setText(tr("Stopped before it started."));
        updateControls();
        return;
    }
    outcome_ = result.value<SweepOutcome>();
    runningCell_ = -1;
    showResult();
    updateControls();
    Q_EMIT sweepFinished(outcome_);
}

void SweepDialog::showResult()
{
    // The picture Export writes; without one (the sweep failed) the cells that ended stay in view.
    if (!outcome_.grid.isNull())
        showPicture(outcome_.grid);
    else
        drawFillingGrid();
    if (outcome_.failed) {
        status_->setText(tr("The sweep failed: %1").arg(outcome_.message));
        return;
    }
    if (!outcome_.stopped)
        progress_->setValue(kProgressSteps);
    const int cells = outcome_.columns * outcome_.rows;
    const int drawn = static_cast<int>(std::count(outcome_.cellNotes.begin(), outcome_.cellNotes.end(), QString()));
    QString text = outcome_.stopped
                       ? tr("Stopped with %1 of %2 cells done%3.")
                             .arg(drawn)
                             .arg(cells)
                             .arg(drawn > 0 && !outcome_.grid.isNull() ? tr("; Export PNG keeps them") : QString())
                       : tr("%1 in %2.").arg(cellsText(cells), formatDuration(outcome_.seconds));
    if (!outcome_.message.isEmpty())
        text += QLatin1Char(' ') + outcome_.message;
    if (!outcome_.labelsDrawn)
        text += QLatin1Char(' ') + tr("The picture has no labels: the font DejaVu Sans (fonts-dejavu-core) is missing.");
    status_->setText(text);
}

void SweepDialog::drawFillingGrid()
{
    cellRects_.clear();
    if (grid_.columns <= 0 || grid_.rows <= 0) {
        showPicture(QImage());
        return;
    }
    // The layout of core's labelled picture: the columns' title and labels on top, the rows' at
    // the left, every cell a box of one size with its samples centred in it.
    const QImage imageDevice(1, 1, QImage::Format_RGB888);  // text measured as it is drawn: in an image
    const QFontMetrics metrics(font(), &imageDevice);
    const int line = metrics.height();
    QSize cell = grid_.cellSize.expandedTo(QSize(kMinCellSide, kMinCellSide));
    for (const SweepCellInfo& ended : endedCells_)
        cell = cell.expandedTo(ended.picture.size());
    for (const QString& label : grid_.columnLabels)
        cell.setWidth(qMax(cell.width(), metrics.horizontalAdvance(label) + kGridGap));
    int rowLabelWidth = 0;
    for (const QString& label : grid_.rowLabels + QStringList{grid_.rowTitle})
        rowLabelWidth = qMax(rowLabelWidth, metrics.horizontalAdvance(label));
    const int left = kGridMargin + (rowLabelWidth > 0 ? rowLabelWidth + kGridGap : 0);
    const int top = kGridMargin + 2 * line + kGridGap;
    const int cellsWidth = grid_.columns * cell.width() + (grid_.columns - 1) * kGridGap;
    const int cellsHeight = grid_.rows * cell.height() + (grid_.rows - 1) * kGridGap;
    QImage image(left + cellsWidth + kGridMargin, top + cellsHeight + kGridMargin, QImage::Format_RGB888);
    image.fill(Qt::white);
    const auto box = [&](int column, int row) {
        return QRect(left + column * (cell.width() + kGridGap), top + row * (cell.height() + kGridGap), cell.width(),
                     cell.height());
    };

    QPainter painter(&image);
    painter.setFont(font());
    painter.setPen(Qt::black);
    painter.drawText(QRect(left, kGridMargin, cellsWidth, line), Qt::AlignCenter, grid_.columnTitle);
    for (int column = 0; column < grid_.columns && column < grid_.columnLabels.size(); ++column) {
        const QRect under = box(column, 0);
        painter.drawText(QRect(under.left(), kGridMargin + line, under.width(), line), Qt::AlignCenter,
                         grid_.columnLabels[column]);
    }
    if (!grid_.rowTitle.isEmpty())
        painter.drawText(QRect(kGridMargin, kGridMargin + line, rowLabelWidth, line), Qt::AlignLeft | Qt::AlignVCenter,
                         grid_.rowTitle);
    for (int row = 0; row < grid_.rows && row < grid_.rowLabels.size(); ++row) {
        const QRect beside = box(0, row);
        painter.drawText(QRect(kGridMargin, beside.top(), rowLabelWidth, beside.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, grid_.rowLabels[row]);
    }

    QVector<const SweepCellInfo*> ended(grid_.columns * grid_.rows, nullptr);
    for (const SweepCellInfo& cellEnded : endedCells_)
        if (cellEnded.index >= 0 && cellEnded.index < ended.size())
            ended[cellEnded.index] = &cellEnded;
    for (int index = 0; index < ended.size(); ++index) {
        const QRect place = box(index % grid_.columns, index / grid_.columns);
        if (ended[index] && !ended[index]->picture.isNull()) {
            QRect samples(QPoint(), ended[index]->picture.size());
            samples.moveCenter(place.center());
            painter.drawImage(samples.topLeft(), ended[index]->picture);
            cellRects_.insert(index, samples);
            continue;
        }
        const QString word = ended[index] ? ended[index]->note
                             : index == runningCell_ ? tr("sampling…")
                                                     : tr("waiting");
        painter.fillRect(place, kEmptyCellColour);
        painter.setPen(kEmptyCellTextColour);
        painter.drawText(place, Qt::AlignCenter | Qt::TextWordWrap, word);
        painter.setPen(Qt::black);
    }
    painter.end();
    showPicture(image);
}

void SweepDialog::showPicture(const QImage& picture)
{
    shown_ = picture;
    picture_->setPixmap(picture.isNull() ? QPixmap() : QPixmap::fromImage(picture));
}

void SweepDialog::updateControls()
{
    const bool running = isRunning();
    runControls_->setState(!running && engine_->hasModel() && requestProblem().isEmpty(), running, false);
    export_->setEnabled(!running && !outcome_.grid.isNull());
    for (int axis = 0; axis < 2; ++axis) {
        settings_[axis]->setEnabled(!running);
        values_[axis]->setEnabled(!running && !settings_[axis]->currentData().toString().isEmpty());
    }
    samples_->setEnabled(!running);
}

std::string SweepDialog::exportSettings() const
{
    ebm::Json details = ebm::Json::object();
    try {
        details["sweep"] = ebm::Json::parse(outcome_.axesJson.toStdString());
    } catch (const std::exception&) {
        // the job wrote it: nothing to add when it is not there
    }
    // A stopped (or partly diverged) sweep's picture lacks cells: say which, as ebm sweep's JSON
    // names a cell (its column and row).
    ebm::Json missing = ebm::Json::array();
    for (int index = 0; outcome_.columns > 0 && index < outcome_.cellNotes.size(); ++index)
        if (!outcome_.cellNotes[index].isEmpty())
            missing.push_back(ebm::Json{{"column", index % outcome_.columns},
                                        {"row", index / outcome_.columns},
                                        {"why", outcome_.cellNotes[index].toStdString()}});
    if (!missing.empty())
        details["missing_cells"] = missing;
    return studioPictureSettings(kStudioSweepCommand, runModel_, outcome_.run, details);
}

bool SweepDialog::exportPng(const QString& path, QString& error) const
{
    if (outcome_.grid.isNull()) {
        error = tr("There is no sweep to export yet: start one first.");
        return false;
    }
    return saveImage(outcome_.grid, path, "PNG", tr("sweep picture"), error, exportSettings());
}

}  // namespace ebm::studio
