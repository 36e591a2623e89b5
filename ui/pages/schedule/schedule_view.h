#pragma once
#include <QMap>
// The Schedule page: the annealing schedule as a curve to shape (editor and table of control
// points), presets (the paper's, the quick one, the person's own), its total length, import
// and export (ebm-schedule JSON, step,temperature CSV), and a live preview: a few samples
// annealed on a short rescaled copy of the curve, restarted on every edit (newest request
// wins), whose energies are drawn over the curve, and "Evaluate Curve" (the evaluation
// protocol on the curve, with a table of the curves tried). The Sample page samples with this curve.
#include <QPointer>

#include <atomic>
#include <memory>

#include "ebm/schedule/schedule_curve.h"
#include "widgets/studio_page.h"
#include "annealing/sampling_types.h"
#include "pages/schedule/schedule_curve_editor.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTimer;
class QUndoStack;

class QGroupBox;
class QSettings;

namespace ebm::studio {

class ControlPointTable;
class CurveEvaluationPanel;
class JobHandle;
class RunControls;
class SampleGridWidget;
class ScheduleDocument;
class StudioEngine;
class AnnealingHub;
struct SampleFrameBatch;
struct SamplingRunInfo;

class ScheduleView : public StudioPage {
    Q_OBJECT
public:
    /// `settings` (may be null) keeps the curve and the person's presets between runs.
    ScheduleView(StudioEngine* engine, AnnealingHub* annealing, QUndoStack* undo, QWidget* parent = nullptr);

    // StudioPage
    void start() override { startPreview(); }
    void stop() override;
    bool canStart() const override;
    bool isRunning() const override;
    /// What the curve editor does with the keys and the mouse (its keyPressEvent and clicks).
    QList<ShortcutHelp> pageShortcuts() const override;

    ScheduleDocument* document() const { return document_; }
    ScheduleCurveEditor* editor() const { return editor_; }
    ControlPointTable* table() const { return table_; }
    QComboBox* presetBox() const { return presets_; }
    QSpinBox* lengthField() const { return length_; }
    QCheckBox* livePreviewBox() const { return livePreview_; }
    QSpinBox* previewStepsField() const { return previewSteps_; }
    QSpinBox* previewSamplesField() const { return previewSamples_; }
    SampleGridWidget* previewGrid() const { return previewGrid_; }
    QLabel* previewStatus() const { return previewStatus_; }
    CurveEvaluationPanel* curveEvaluation() const { return evaluation_; }
    /// The curve's name in the evaluation table: a preset's label when it is one, else "Edited curve".
    QString curveName() const;
    /// Preview runs started so far (each edit with live preview on starts one).
    int previewsStarted() const { return previewsStarted_; }

    /// Loads a preset (core's, such as "fast" or "paper", or one of the person's) as an edit.
    bool loadPreset(const QString& name);
    /// Saves the curve as the person's own preset; false with `error` set when refused.
    bool saveUserPreset(const QString& name, QString& error);
    bool deleteUserPreset(const QString& name);
    QStringList userPresetNames() const;

    // Files; false with `error` set (one line naming the file and the problem).
    bool importCurve(const QString& path, QString& error);
    bool exportCurve(const QString& path, QString& error) const;
    bool exportCsv(const QString& path, QString& error) const;

public Q_SLOTS:
    void startPreview();

Q_SIGNALS:
    /// The curve changed; `byPerson` for edits, undo and redo (not for a restore).
    void curveChanged(const ebm::ScheduleCurve& curve, bool byPerson);

private:
    // The session part: the curve and the preview's settings.
    void writeSession(QJsonObject& part) const;
    void readSession(const QJsonObject& part);
    // Remembered between runs: the curve and the person's own presets.
    void saveCurveAndPresets(QSettings& store) const;
    void restoreCurveAndPresets(QSettings& store);
    void onCurveChanged(bool byPerson);
    void onPreviewProgress(int runId, const QVariant& value);
    // Builders of the constructor's left column.
    QGroupBox* buildCurveBox();
    QGroupBox* buildPreviewBox();
    /// Draws the run `source` announced over the curve, step by step.
    void traceRun(const QString& source, JobHandle* run);
    void startTrace(const QString& source, int totalSteps);
    void addToTrace(const SampleFrameBatch& batch, bool showImages);
    void updateControls();
    void refillPresets();
    void askSavePreset();
    void askImport();
    void askExport(bool csv);

    StudioEngine* engine_;
    AnnealingHub* annealing_;
    QMap<QString, QString> userPresets_;  // name -> "ebm-schedule" JSON
    QSettings* store_ = nullptr;          // where it was restored from: its file dialogs' folders
    ScheduleDocument* document_;
    ScheduleCurveEditor* editor_;
    ControlPointTable* table_;
    RunControls* runControls_;
    QComboBox* presets_;
    QPushButton* deletePreset_;
    QSpinBox* length_;
    QCheckBox* livePreview_;
    QSpinBox* previewSamples_;
    QSpinBox* previewSteps_;
    SampleGridWidget* previewGrid_;
    QLabel* previewStatus_;
    QTimer* previewDelay_;
    CurveEvaluationPanel* evaluation_;

    QPointer<JobHandle> preview_;
    int previewRunId_ = 0;
    int previewsStarted_ = 0;
    bool previewWaiting_ = false;
    int lengthKey_ = 0;
    // The energy trace being drawn over the curve: a preview or a Sample page run.
    EnergyTrace trace_;
    int traceTotalSteps_ = 1;
    QPointer<JobHandle> tracedRun_;  // another page's run drawn over the curve
};

}  // namespace ebm::studio
