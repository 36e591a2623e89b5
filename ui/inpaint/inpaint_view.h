#pragma once
// The Inpaint page: an image as the model gets it (a data set image, a picture or array file, or
// the Sample page's selected sample), a mask painted on a zoomable canvas (brush, eraser,
// rectangle, fill, presets, clear, invert; every stroke one undo step), N completions annealed
// live with the temperature/energy chart and pause / step / stop, then side by side with their
// errors over the generated pixels. Exports: completions (PNG grid, .npy), mask, side by side.
#include <QImage>
#include <QPointer>

#include <functional>
#include <optional>

#include "ebm/schedule_curve.h"
#include "engine/jobs/inpaint_job.h"
#include "sample/run_history.h"
#include "widgets/studio_page.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;
class QToolButton;

namespace ebm::studio {

class ComparisonPanel;
class EnergyChart;
class JobHandle;
class MaskCanvas;
class RunControls;
class SampleGridWidget;
class StudioEngine;
class UndoFieldBinder;
struct InpaintSettings;
template <class S>
class SettingsForm;

class InpaintView : public StudioPage {
    Q_OBJECT
public:
    enum class Source { DataSet, File, Sample };

    InpaintView(StudioEngine* engine, UndoFieldBinder* undo, QWidget* parent = nullptr);

    // StudioPage
    QString pageTitle() const override { return tr("&Inpaint"); }
    QString sessionKey() const override { return QStringLiteral("inpainting"); }
    void start() override { startInpainting(); }
    void togglePause() override;
    void stepOnce() override;
    void stop() override;
    bool canStart() const override;
    bool isRunning() const override;
    bool isPaused() const override;
    QJsonObject sessionSettings() const override;
    void applySessionSettings(const QJsonObject& settings) override;

    MaskCanvas* canvas() const { return canvas_; }
    RunControls* runControls() const { return runControls_; }
    SampleGridWidget* grid() const { return grid_; }
    ComparisonPanel* comparison() const { return comparison_; }
    EnergyChart* chart() const { return chart_; }
    QLabel* status() const { return status_; }
    QLabel* imageNote() const { return imageNote_; }
    const RunHistory& history() const { return history_; }
    const InpaintImage& inputImage() const { return input_; }
    const std::optional<InpaintOutcome>& lastOutcome() const { return outcome_; }
    InpaintSettings settings() const;
    void setSettings(const InpaintSettings& settings);

    /// Opens image `index` of `spec` (a data set, picture or .npy) on the worker.
    void openImage(Source source, const QString& spec, int index);
    /// Where the Sample page's selected sample comes from (the window wires it).
    void setSampleSource(std::function<QImage()> source) { sampleSource_ = std::move(source); }
    void setEditedSchedule(const ebm::ScheduleCurve& curve, bool) { editedSchedule_ = curve; }

    /// Mask edits, each one undo step.
    void applyPresetMask(const QString& name, double fraction = 0.5);
    void clearMask();
    void invertMask();
    bool loadMask(const QString& path, QString& error);
    bool saveMask(const QString& path, QString& error) const;
    bool exportCompletionsPng(const QString& path, QString& error) const;
    bool exportSideBySide(const QString& path, QString& error) const;
    /// Written on the worker; the status bar says when it is done.
    bool exportCompletionsNpy(const QString& path, QString& error);

public Q_SLOTS:
    void startInpainting();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void onProgress(int runId, const QVariant& value);
    void onFinished(int runId, const QVariant& result);
    void onImageOpened(const InpaintImage& image);
    void setMaskAsEdit(const QImage& mask, const QString& text);
    void updateControls();
    void updateSourceFields();
    QString askSave(const QString& title, const QString& filter, const QString& suffix, const QString& name);

    StudioEngine* engine_;
    UndoFieldBinder* undo_;
    MaskCanvas* canvas_;
    RunControls* runControls_;
    SettingsForm<InpaintSettings>* form_;
    QComboBox* source_;
    QLineEdit* path_;
    QToolButton* browse_;
    QSpinBox* index_;
    QLabel* imageNote_;
    QComboBox* tool_;
    QSlider* brushSize_;
    QSlider* hardness_;
    QSlider* opacity_;
    QComboBox* preset_;
    QDoubleSpinBox* fraction_;
    QLabel* zoomLabel_;
    QTabWidget* results_;
    SampleGridWidget* grid_;
    EnergyChart* chart_;
    ComparisonPanel* comparison_;
    QLabel* status_;
    QPushButton* exportPng_;
    QPushButton* exportNpy_;
    QPushButton* exportPanel_;

    InpaintImage input_;
    QImage inputMaskAtRun_;
    std::optional<InpaintOutcome> outcome_;
    std::optional<ebm::ScheduleCurve> editedSchedule_;
    std::function<QImage()> sampleSource_;
    QPointer<JobHandle> run_;
    QPointer<JobHandle> opening_;
    RunHistory history_;
    int runId_ = 0;
};

}  // namespace ebm::studio
