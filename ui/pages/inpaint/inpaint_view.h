#pragma once
// The Inpaint page: an image as the model gets it (a data set image, a picture or array file, or
// the Sample page's selected sample), a mask (MaskDocument) painted on a zoomable canvas (brush,
// eraser, rectangle, fill, presets, clear, invert; every stroke one undo step), N completions
// annealed live with the temperature/energy chart and pause / step / stop, then side by side
// with their errors over the generated pixels; a completion can become the image to complete
// next. A picture dropped on the canvas is opened. Exports: completions (PNG grid, .npy), mask,
// side by side, the run as a video.
#include <QImage>
#include <QPointer>

#include <functional>
#include <optional>
#include <string>

#include "ebm/schedule/schedule_curve.h"
#include "widgets/studio_page.h"
#include "annealing/run_history.h"
#include "pages/inpaint/inpaint_job.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QSpinBox;
class QTabWidget;
class QToolButton;

namespace ebm::studio {

class AnnealingHub;
class ComparisonPanel;
class EnergyChart;
class JobHandle;
class MaskCanvas;
class MaskDocument;
class RunControls;
class RunVideoExporter;
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

    InpaintView(StudioEngine* engine, AnnealingHub* annealing, UndoFieldBinder* undo, QWidget* parent = nullptr);

    // StudioPage
    void start() override { startInpainting(); }
    bool canStart() const override;
    /// Settings of a picture the page or `ebm inpaint` wrote: the completion fields, and the
    /// curve when it is no preset's (through the hub, to the Schedule page), as one undo step.
    /// The mask is not among them (a picture keeps its fingerprint): the status bar says when the
    /// one painted now differs.
    bool applyPictureSettings(const std::string& json, const QString& source, QUndoStack* undo,
                              QString* error) override;
    /// The canvas's own keys and gestures (painting, panning, zooming, dropping a file).
    QList<ShortcutHelp> pageShortcuts() const override;

    MaskDocument* maskDocument() const { return document_; }
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

    /// A mask picture as one undo step; the status bar says when it was scaled to the image.
    bool loadMask(const QString& path, QString& error);
    bool exportCompletionsPng(const QString& path, QString& error) const;
    bool exportSideBySide(const QString& path, QString& error) const;
    /// Written on the worker; the status bar says when it is done.
    bool exportCompletionsNpy(const QString& path, QString& error);
    /// The run's video (the Export box's Video… button): its dialog, job and progress.
    RunVideoExporter* videoExporter() const { return videoExporter_; }
    QPushButton* videoButton() const { return exportVideo_; }
    /// The completion selected in the grid (the first when none is) becomes the image to
    /// complete, as the model produced it; the mask stays. False when there is none.
    bool useCompletionAsInput();
    /// The settings a saved mask keeps (Save Mask): the image it was painted for, its hash and size.
    std::string maskSettings() const;

public Q_SLOTS:
    void startInpainting();

protected:
    void showEvent(QShowEvent* event) override;

private:
    // The session part beyond the form's fields: the image's source and the painted mask.
    void writeImageAndMask(QJsonObject& part) const;
    void readImageAndMask(const QJsonObject& part);
    // The parts of the page, built once by the constructor.
    QWidget* buildImageBox();
    QWidget* buildExportBox();
    QWidget* buildSettingsColumn(const QList<QWidget*>& boxes);
    QWidget* buildCanvasColumn();
    QWidget* buildResultColumn();
    void connectRunControls();
    void connectEngine();

    Source chosenSource() const;
    void openChosenImage();
    void browseImageFile();
    void browseThumbnails();
    void onImageOpened(const InpaintImage& image);
    void onProgress(int runId, const QVariant& value);
    void onFinished(int runId, const QVariant& result);
    void updateControls();
    void updateSourceFields();
    /// What the exports of the last run's completions keep of it (issue 27).
    std::string exportSettings() const;
    /// "inpainting-run.mp4" in the last export folder (else Videos).
    QString suggestedVideoPath() const;
    QString askSave(const QString& title, const QString& filter, const QString& suffix, const QString& name);
    /// Asks for a path and writes to it with `write`; a failure becomes a problem message.
    void saveAs(const QString& title, const QString& filter, const QString& suffix, const QString& name,
                const std::function<bool(const QString& path, QString& error)>& write);

    StudioEngine* engine_;
    UndoFieldBinder* undo_;
    MaskDocument* document_;
    MaskCanvas* canvas_;
    RunControls* runControls_;
    SettingsForm<InpaintSettings>* form_;
    QComboBox* source_;
    QLineEdit* path_;
    QToolButton* browse_;
    QSpinBox* index_;
    QLabel* imageNote_;
    QTabWidget* results_;
    SampleGridWidget* grid_;
    EnergyChart* chart_;
    ComparisonPanel* comparison_;
    QLabel* status_;
    QPushButton* exportPng_;
    QPushButton* exportNpy_;
    QPushButton* exportPanel_;
    QPushButton* exportVideo_;
    QPushButton* saveRun_;
    RunVideoExporter* videoExporter_;
    QSettings* store_ = nullptr;  // the studio's settings, once restored: the video dialog's values
    QPushButton* useCompletion_;

    InpaintImage input_;
    QImage inputMaskAtRun_;
    /// What else the last run took from the page, for its exports' settings (the page may change since).
    struct RunInputs {
        QString image;
        bool referenceNoise = false;
        int maskFeather = 0;
    } runInputs_;
    std::optional<InpaintOutcome> outcome_;
    AnnealingHub* annealing_;  // the edited curve, the Sample page's selected sample
    QPointer<JobHandle> opening_;
    RunHistory history_;
    int runId_ = 0;
};

}  // namespace ebm::studio
