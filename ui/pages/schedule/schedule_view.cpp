#include "pages/schedule/schedule_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QSettings>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

#include "ebm/base/defaults.h"
#include "jobs/job_handle.h"
#include "worker/studio_engine.h"
#include "widgets/file_dialogs.h"
#include "widgets/run_controls.h"
#include "widgets/safe_save.h"
#include "widgets/sample_grid_widget.h"
#include "annealing/annealing_hub.h"
#include "annealing/sampling_job.h"
#include "pages/schedule/control_point_table.h"
#include "pages/schedule/curve_evaluation_panel.h"
#include "pages/schedule/schedule_document.h"

namespace ebm::studio {
namespace {

const QString kCurveKey = QStringLiteral("schedule/curve");
const QString kUserPresetsGroup = QStringLiteral("schedulePresets");
const QString kDialogPurpose = QStringLiteral("schedule");  // file dialogs remember their folder by it

// A preview shows the curve's effect within seconds on the bundled model: few chains, and a
// copy of the curve rescaled to a few hundred steps.
constexpr int kDefaultPreviewSamples = 8;
constexpr int kMaxPreviewSamples = 64;
constexpr int kDefaultPreviewSteps = 200;
constexpr int kMinPreviewSteps = 10;
constexpr int kMaxPreviewSteps = 5000;
// Edits closer together than this (a drag) restart the preview once.
constexpr int kPreviewDelayMs = 150;
// The curve gets the room: the settings column is as narrow as its buttons allow.
constexpr int kLeftColumnWidth = 340;
const QString kUserPresetPrefix = QStringLiteral("user:");
}  // namespace

ScheduleView::ScheduleView(StudioEngine* engine, AnnealingHub* annealing, QUndoStack* undo, QWidget* parent)
    : StudioPage(tr("Sc&hedule"), QStringLiteral("schedule"), parent), engine_(engine), annealing_(annealing)
{
    document_ = new ScheduleDocument(undo, this);
    keepInSession([this](QJsonObject& part) { writeSession(part); }, [this](const QJsonObject& part) { readSession(part); });
    keepInStore([this](QSettings& store) { saveCurveAndPresets(store); },
                [this](QSettings& store) { restoreCurveAndPresets(store); });
    editor_ = new ScheduleCurveEditor(document_, this);
    table_ = new ControlPointTable(document_, this);
    connect(editor_, &ScheduleCurveEditor::selectionChanged, this, [this] { table_->selectPoints(editor_->selection()); });
    connect(table_, &ControlPointTable::pointsSelected, editor_, &ScheduleCurveEditor::setSelection);
    connect(editor_, &ScheduleCurveEditor::problem, this, &StudioPage::problem);
    connect(table_, &ControlPointTable::problem, this, &StudioPage::problem);

    // --- left: preview run, curve, files ----------------------------------------------------
    runControls_ = new RunControls(tr("Preview"), tr("Anneal a few samples on a short copy of this curve"), false,
                                   RunControls::Layout::Row, this);
    runControls_->startButton()->setObjectName(QStringLiteral("previewButton"));
    connect(runControls_, &RunControls::startRequested, this, &ScheduleView::startPreview);
    connect(runControls_, &RunControls::stopRequested, this, &ScheduleView::stop);

    QGroupBox* curveBox = buildCurveBox();
    QGroupBox* previewBox = buildPreviewBox();

    auto* hint = new QLabel(tr("The Sample page samples with this curve (preset “Edited curve”); an edit reaches a "
                               "running or paused run from its next step. Ctrl+Z undoes every edit."),
                            this);
    hint->setWordWrap(true);
    hint->setStyleSheet(QStringLiteral("color: gray"));

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(runControls_);
    leftLayout->addWidget(curveBox);
    leftLayout->addWidget(previewBox, 1);
    leftLayout->addWidget(hint);
    left->setFixedWidth(kLeftColumnWidth);

    evaluation_ = new CurveEvaluationPanel(
        engine_, [this] { return document_->curve(); }, [this] { return curveName(); }, this);
    connect(evaluation_, &CurveEvaluationPanel::problem, this, &StudioPage::problem);
    connect(evaluation_, &CurveEvaluationPanel::statusMessage, this, &StudioPage::statusMessage);

    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(editor_);
    right->addWidget(table_);
    right->addWidget(evaluation_);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 1);
    right->setStretchFactor(2, 1);
    right->setChildrenCollapsible(false);
    right->setSizes({540, 140, 240});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(left);
    layout->addWidget(right, 1);

    previewDelay_ = new QTimer(this);
    previewDelay_->setSingleShot(true);
    previewDelay_->setInterval(kPreviewDelayMs);
    connect(previewDelay_, &QTimer::timeout, this, &ScheduleView::startPreview);
    connect(document_, &ScheduleDocument::curveChanged, this, &ScheduleView::onCurveChanged);
    connect(engine_, &StudioEngine::activityChanged, this, [this] {
        if (previewWaiting_ && !engine_->isBusy())
            startPreview();
        updateControls();
    });
    // The last run of another page is drawn over the curve too.
    connect(annealing_, &AnnealingHub::runAnnounced, this, &ScheduleView::traceRun);
    // Settings taken from a picture bring their curve: one edit of this curve, inside their undo step.
    connect(annealing_, &AnnealingHub::curveRequested, this,
            [this](const ebm::ScheduleCurve& curve, const QString& undoText) { document_->edit(curve, undoText); });
    refillPresets();
    onCurveChanged(false);
    updateControls();
}

QGroupBox* ScheduleView::buildCurveBox()
{
    presets_ = new QComboBox(this);
    presets_->setObjectName(QStringLiteral("schedulePresetBox"));
    presets_->setToolTip(tr("Load a preset as the curve (an undoable edit)"));
    connect(presets_, &QComboBox::activated, this, [this](int index) {
        const QString name = presets_->itemData(index).toString();
        if (!name.isEmpty())
            loadPreset(name);
        presets_->setCurrentIndex(0);
    });
    auto* savePreset = new QPushButton(tr("Save as Preset…"), this);
    connect(savePreset, &QPushButton::clicked, this, &ScheduleView::askSavePreset);
    deletePreset_ = new QPushButton(tr("Delete Preset…"), this);
    connect(deletePreset_, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getItem(this, tr("Delete Preset"), tr("Preset:"), userPresetNames(), 0, false, &ok);
        if (ok && !name.isEmpty())
            deleteUserPreset(name);
    });
    length_ = new QSpinBox(this);
    length_->setObjectName(QStringLiteral("scheduleLength"));
    length_->setRange(1, ebm::kMaxScheduleSteps);
    length_->setSingleStep(100);
    length_->setKeyboardTracking(false);
    length_->setSuffix(tr(" steps"));
    length_->setToolTip(tr("Total length: every control point's step scales with it"));
    connect(length_, &QSpinBox::valueChanged, this, [this](int steps) {
        if (steps == document_->curve().steps())
            return;
        if (lengthKey_ == 0)
            lengthKey_ = document_->newMergeKey();
        document_->edit(document_->curve().rescaled(steps), tr("Schedule length"), lengthKey_);
    });
    auto* importButton = new QPushButton(tr("Import…"), this);
    importButton->setToolTip(tr("Open an ebm-schedule JSON file"));
    connect(importButton, &QPushButton::clicked, this, &ScheduleView::askImport);
    auto* exportJson = new QPushButton(tr("Export JSON…"), this);
    exportJson->setToolTip(tr("Save the curve as ebm-schedule JSON (ebm sample --schedule FILE.json reads it)"));
    connect(exportJson, &QPushButton::clicked, this, [this] { askExport(false); });
    auto* exportCsvButton = new QPushButton(tr("Export CSV…"), this);
    exportCsvButton->setToolTip(tr("step,temperature for every step, for spreadsheets and scripts"));
    connect(exportCsvButton, &QPushButton::clicked, this, [this] { askExport(true); });

    auto* curveBox = new QGroupBox(tr("Curve"), this);
    auto* curveForm = new QFormLayout(curveBox);
    curveForm->addRow(tr("Preset"), presets_);
    auto* buttons = new QGridLayout;
    buttons->addWidget(savePreset, 0, 0);
    buttons->addWidget(deletePreset_, 0, 1);
    buttons->addWidget(importButton, 1, 0);
    buttons->addWidget(exportJson, 1, 1);
    buttons->addWidget(exportCsvButton, 2, 1);
    curveForm->addRow(tr("Length"), length_);
    curveForm->addRow(buttons);
    return curveBox;
}

QGroupBox* ScheduleView::buildPreviewBox()
{
    livePreview_ = new QCheckBox(tr("Restart on every edit"), this);
    livePreview_->setObjectName(QStringLiteral("livePreview"));
    livePreview_->setToolTip(tr("Every edit of the curve starts the preview again with the newest curve"));
    previewSamples_ = new QSpinBox(this);
    previewSamples_->setRange(1, kMaxPreviewSamples);
    previewSamples_->setValue(kDefaultPreviewSamples);
    previewSteps_ = new QSpinBox(this);
    previewSteps_->setRange(kMinPreviewSteps, kMaxPreviewSteps);
    previewSteps_->setSingleStep(50);
    previewSteps_->setValue(kDefaultPreviewSteps);
    previewSteps_->setToolTip(tr("The preview runs the curve rescaled to this many steps"));
    previewGrid_ = new SampleGridWidget(this);
    previewGrid_->setObjectName(QStringLiteral("previewGrid"));
    previewGrid_->setPlaceholder(tr("Preview samples appear here"));
    previewGrid_->setMinimumSize(160, 120);
    previewStatus_ = new QLabel(this);
    previewStatus_->setObjectName(QStringLiteral("previewStatus"));
    previewStatus_->setWordWrap(true);
    auto* previewBox = new QGroupBox(tr("Preview"), this);
    auto* previewLayout = new QVBoxLayout(previewBox);
    auto* previewForm = new QFormLayout;
    previewForm->addRow(livePreview_);
    previewForm->addRow(tr("Samples"), previewSamples_);
    previewForm->addRow(tr("Steps"), previewSteps_);
    previewLayout->addLayout(previewForm);
    previewLayout->addWidget(previewStatus_);
    previewLayout->addWidget(previewGrid_, 1);
    return previewBox;
}

QString ScheduleView::curveName() const
{
    const std::string json = document_->curve().toJson();
    for (const QString& name : schedulePresets())
        if (ebm::ScheduleCurve::preset(name.toStdString()).toJson() == json)
            return presetLabel(name);
    return tr("Edited curve (%1 points, %2 steps)")
        .arg(document_->curve().points().size())
        .arg(document_->curve().steps());
}

void ScheduleView::onCurveChanged(bool byPerson)
{
    const ebm::ScheduleCurve& curve = document_->curve();
    {
        const QSignalBlocker block(length_);
        length_->setValue(curve.steps());
    }
    if (!byPerson || !length_->hasFocus())
        lengthKey_ = 0;
    annealing_->publishCurve(curve, byPerson);
    Q_EMIT curveChanged(curve, byPerson);
    Q_EMIT settingsChanged();  // the curve is kept at once, as the person shapes it
    if (byPerson && livePreview_->isChecked())
        previewDelay_->start();
}

QList<StudioPage::ShortcutHelp> ScheduleView::pageShortcuts() const
{
    // As ScheduleCurveEditor's event filter and mouse handlers do them, on the focused curve.
    return {
        {tr("Delete or Backspace"), tr("removes the selected points (one undo step)")},
        {tr("Left / Right"), tr("moves the selected points one step earlier / later (with Shift: 10)")},
        {tr("Up / Down"), tr("raises / lowers the selected points' temperature (with Shift: 10 times as far)")},
        {tr("Ctrl+A"), tr("selects every point of the curve")},
        {tr("Click on the curve"), tr("adds a point there (keep the button down to drag it)")},
        {tr("Shift+click or Ctrl+click"), tr("adds a point to the selection, or takes it out")},
        {tr("Drag on empty space"), tr("selects the points inside the rectangle (with Shift or Ctrl: adds them)")},
        {tr("Right-click"), tr("sets the segment's mode: constant, linear or exponential")},
    };
}

bool ScheduleView::canStart() const
{
    return engine_->hasModel() && engine_->model().imageModel && (!engine_->isBusy() || isRunning());
}

bool ScheduleView::isRunning() const { return (preview_ && preview_->isActive()) || evaluation_->isRunning(); }

void ScheduleView::stop()
{
    previewWaiting_ = false;
    previewDelay_->stop();
    if (preview_)
        preview_->cancel();
    evaluation_->stop();
}

void ScheduleView::startPreview()
{
    if (!engine_->hasModel() || !engine_->model().imageModel) {
        previewStatus_->setText(tr("Open an image model to preview the schedule."));
        return;
    }
    if (engine_->isBusy() && !(preview_ && preview_->isActive())) {
        // Another job (another page's, or this page's evaluation) has the worker: the preview
        // follows once it ends.
        previewWaiting_ = true;
        previewStatus_->setText(tr("The preview starts when the running job ends."));
        return;
    }
    previewWaiting_ = false;
    SamplingSettings s;
    s.schedulePreset = kEditedSchedulePreset;
    s.scheduleCurve = QString::fromStdString(document_->curve().toJson());
    s.steps = previewSteps_->value();
    s.numSamples = previewSamples_->value();
    s.stepSize = ebm::kDefaultLangevinStepSize;
    s.seed = 1;  // the same chains every time: differences come from the curve
    s.denoiseJump = true;
    const int id = ++previewRunId_;
    // Newest request wins: a running preview stops at its next step, a queued one is dropped.
    JobHandle* handle = engine_->start(
        std::make_unique<SamplingJob>(s, id, DenoisedPreview::NotRecorded, nullptr, kSchedulePreviewJobKind),
        JobRunner::StartPolicy::Replace);
    if (!handle)
        return;
    ++previewsStarted_;
    preview_ = handle;
    connect(handle, &JobHandle::progress, this, [this, id](const QVariant& value) { onPreviewProgress(id, value); });
    connect(handle, &JobHandle::finished, this, [this, id](const QVariant& result) {
        if (id == previewRunId_ && result.isValid()) {
            const SamplingOutcome outcome = result.value<SamplingOutcome>();
            if (outcome.failed)
                previewStatus_->setText(tr("Preview failed: %1").arg(outcome.message));
            else if (!outcome.stopped)
                previewStatus_->setText(tr("Preview: %1 steps in %2 s").arg(outcome.stepsDone).arg(outcome.seconds, 0, 'f', 1));
            else
                previewStatus_->setText(tr("Preview stopped at step %1").arg(outcome.stepsDone));
        }
        updateControls();
    });
    previewStatus_->setText(tr("Preview starting…"));
    updateControls();
}

void ScheduleView::onPreviewProgress(int runId, const QVariant& value)
{
    if (runId != previewRunId_)
        return;  // a replaced preview's last frames
    if (value.metaType() == QMetaType::fromType<SamplingRunInfo>()) {
        const SamplingRunInfo info = value.value<SamplingRunInfo>();
        startTrace(tr("preview, %1 steps").arg(info.totalSteps), info.totalSteps);
        previewStatus_->setText(tr("Preview: %1 samples, %2 steps…").arg(info.numSamples).arg(info.totalSteps));
    } else if (value.metaType() == QMetaType::fromType<SampleFrameBatch>()) {
        addToTrace(value.value<SampleFrameBatch>(), true);
    }
}

void ScheduleView::startTrace(const QString& source, int totalSteps)
{
    trace_ = EnergyTrace{};
    trace_.source = source;
    traceTotalSteps_ = qMax(1, totalSteps);
    editor_->setEnergyTrace(trace_);
}

void ScheduleView::addToTrace(const SampleFrameBatch& batch, bool showImages)
{
    // The run's steps drawn on the curve's own step axis (a preview runs a rescaled copy).
    const double scale = double(document_->curve().steps()) / traceTotalSteps_;
    for (const SampleSnapshot& s : batch.snapshots) {
        if (s.energies.isEmpty())
            continue;
        if (!s.final) {
            double sum = 0.0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
            for (double e : s.energies) {
                sum += e;
                lo = std::min(lo, e);
                hi = std::max(hi, e);
            }
            trace_.steps.push_back(s.step * scale);
            trace_.mean.push_back(sum / s.energies.size());
            trace_.min.push_back(lo);
            trace_.max.push_back(hi);
        }
    }
    if (showImages && !batch.snapshots.isEmpty())
        previewGrid_->setImages(batch.snapshots.last().raw);
    editor_->setEnergyTrace(trace_);
}

void ScheduleView::updateControls()
{
    runControls_->setState(canStart(), isRunning(), false);
    Q_EMIT runStateChanged();
}

bool ScheduleView::loadPreset(const QString& name)
{
    try {
        ebm::ScheduleCurve curve;
        QString label;
        if (name.startsWith(kUserPresetPrefix)) {
            const QString user = name.mid(kUserPresetPrefix.size());
            const QMap<QString, QString>& presets = userPresets_;
            if (!presets.contains(user)) {
                Q_EMIT problem(tr("There is no preset called %1.").arg(user));
                return false;
            }
            curve = ebm::ScheduleCurve::fromJson(presets.value(user).toStdString(), "the preset " + user.toStdString());
            label = user;
        } else {
            curve = ebm::ScheduleCurve::preset(name.toStdString());
            label = presetLabel(name);
            evaluation_->setStepSize(defaultStepSizeForPreset(name));  // the fast preset's larger steps
        }
        editor_->setSelection({});
        document_->edit(curve, tr("Load preset %1").arg(label));
        Q_EMIT statusMessage(tr("Schedule: %1").arg(label));
        return true;
    } catch (const std::exception& e) {
        Q_EMIT problem(QString::fromUtf8(e.what()));
        return false;
    }
}

QStringList ScheduleView::userPresetNames() const
{
    return userPresets_.keys();
}

bool ScheduleView::saveUserPreset(const QString& rawName, QString& error)
{
    const QString name = rawName.trimmed();
    if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\'))) {
        error = tr("A preset name must not be empty or contain / or \\.");
        return false;
    }
    userPresets_.insert(name, QString::fromStdString(document_->curve().toJson()));
    Q_EMIT settingsChanged();
    refillPresets();
    Q_EMIT statusMessage(tr("Saved the schedule as preset %1").arg(name));
    return true;
}

bool ScheduleView::deleteUserPreset(const QString& name)
{
    if (userPresets_.remove(name) == 0)
        return false;
    Q_EMIT settingsChanged();
    refillPresets();
    return true;
}

void ScheduleView::refillPresets()
{
    const QSignalBlocker block(presets_);
    presets_->clear();
    presets_->addItem(tr("Load a preset…"), QString());
    for (const QString& name : schedulePresets())
        presets_->addItem(presetLabel(name), name);
    const QStringList own = userPresetNames();
    if (!own.isEmpty())
        presets_->insertSeparator(presets_->count());
    for (const QString& name : own)
        presets_->addItem(tr("%1 (yours)").arg(name), kUserPresetPrefix + name);
    presets_->setCurrentIndex(0);
    deletePreset_->setEnabled(!own.isEmpty());
}

void ScheduleView::askSavePreset()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save as Preset"), tr("Name of the preset:"), QLineEdit::Normal,
                                               QString(), &ok);
    if (!ok)
        return;
    QString error;
    if (!saveUserPreset(name, error))
        Q_EMIT problem(error);
}

bool ScheduleView::importCurve(const QString& path, QString& error)
{
    try {
        const ebm::ScheduleCurve curve = ebm::ScheduleCurve::load(path.toStdString());
        editor_->setSelection({});
        document_->edit(curve, tr("Import %1").arg(QFileInfo(path).fileName()));
        return true;
    } catch (const std::exception& e) {
        error = QString::fromUtf8(e.what());
        return false;
    }
}

bool ScheduleView::exportCurve(const QString& path, QString& error) const
{
    return saveBytes(path, QByteArray::fromStdString(document_->curve().toJson()), tr("schedule curve"), error);
}

bool ScheduleView::exportCsv(const QString& path, QString& error) const
{
    return saveBytes(path, QByteArray::fromStdString(document_->curve().toCsv()), tr("schedule CSV table"), error);
}

void ScheduleView::askImport()
{
    const QString path = askOpenPath(this, store_, kDialogPurpose, tr("Import Schedule"),
                                     tr("Schedules (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (importCurve(path, error))
        Q_EMIT statusMessage(tr("Imported %1").arg(path));
    else
        Q_EMIT problem(error);
}

void ScheduleView::askExport(bool csv)
{
    const QString suffix = csv ? QStringLiteral(".csv") : QStringLiteral(".json");
    const QString suggestion = QDir(lastFolder(store_, kDialogPurpose))
                                   .filePath(QStringLiteral("schedule-%1-steps%2").arg(document_->curve().steps()).arg(suffix));
    QString path = askSavePath(this, store_, kDialogPurpose, csv ? tr("Export Schedule as CSV") : tr("Export Schedule"),
                               csv ? tr("CSV files (*.csv)") : tr("Schedules (*.json)"), suffix, suggestion);
    if (path.isEmpty())
        return;
    if (!path.endsWith(suffix, Qt::CaseInsensitive))
        path += suffix;
    QString error;
    if (csv ? exportCsv(path, error) : exportCurve(path, error))
        Q_EMIT statusMessage(tr("Wrote %1").arg(path));
    else
        Q_EMIT problem(error);
}

void ScheduleView::writeSession(QJsonObject& part) const
{
    part.insert(QStringLiteral("curve"),
                QJsonDocument::fromJson(QByteArray::fromStdString(document_->curve().toJson())).object());
    part.insert(QStringLiteral("livePreview"), livePreview_->isChecked());
    part.insert(QStringLiteral("previewSamples"), previewSamples_->value());
    part.insert(QStringLiteral("previewSteps"), previewSteps_->value());
}

void ScheduleView::readSession(const QJsonObject& settings)
{
    if (settings.contains(QStringLiteral("curve"))) {
        const QByteArray json = QJsonDocument(settings.value(QStringLiteral("curve")).toObject()).toJson();
        try {
            const ebm::ScheduleCurve curve = ebm::ScheduleCurve::fromJson(json.toStdString(), "the session's schedule");
            editor_->setSelection({});
            document_->reset(curve);
        } catch (const std::exception& e) {
            Q_EMIT problem(tr("The session's schedule was not applied: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    livePreview_->setChecked(settings.value(QStringLiteral("livePreview")).toBool(livePreview_->isChecked()));
    previewSamples_->setValue(settings.value(QStringLiteral("previewSamples")).toInt(previewSamples_->value()));
    previewSteps_->setValue(settings.value(QStringLiteral("previewSteps")).toInt(previewSteps_->value()));
}

void ScheduleView::saveCurveAndPresets(QSettings& store) const
{
    store.setValue(kCurveKey, QString::fromStdString(document_->curve().toJson()));
    store.remove(kUserPresetsGroup);
    store.beginGroup(kUserPresetsGroup);
    for (auto it = userPresets_.begin(); it != userPresets_.end(); ++it)
        store.setValue(it.key(), it.value());
    store.endGroup();
}

void ScheduleView::restoreCurveAndPresets(QSettings& store)
{
    store_ = &store;
    userPresets_.clear();
    store.beginGroup(kUserPresetsGroup);
    for (const QString& name : store.childKeys())
        userPresets_.insert(name, store.value(name).toString());
    store.endGroup();
    refillPresets();
    const QString saved = store.value(kCurveKey).toString();
    if (saved.isEmpty())
        return;
    try {
        document_->reset(ebm::ScheduleCurve::fromJson(saved.toStdString(), "the saved schedule"));
    } catch (const std::exception& e) {
        // A damaged saved curve: keep the default preset and say so once the window listens.
        const QString why = QString::fromUtf8(e.what());
        QTimer::singleShot(0, this, [this, why] {
            Q_EMIT problem(tr("The schedule kept from the last run could not be read (%1); the preset “%2” is "
                              "loaded instead.").arg(why, presetLabel(defaultSchedulePreset())));
        });
    }
}

void ScheduleView::traceRun(const QString& source, JobHandle* run)
{
    connect(run, &JobHandle::progress, this, [this, source, run](const QVariant& value) {
        if (value.metaType() == QMetaType::fromType<SamplingRunInfo>()) {
            const SamplingRunInfo info = value.value<SamplingRunInfo>();
            if (!info.scheduleUpdate) {
                tracedRun_ = run;
                startTrace(source, info.totalSteps);
            } else if (tracedRun_ == run && trace_.source == source) {
                traceTotalSteps_ = qMax(1, info.totalSteps);  // later steps map by the new length
            }
        } else if (value.metaType() == QMetaType::fromType<SampleFrameBatch>()) {
            if (tracedRun_ == run && trace_.source == source)
                addToTrace(value.value<SampleFrameBatch>(), false);
        }
    });
}

}  // namespace ebm::studio
