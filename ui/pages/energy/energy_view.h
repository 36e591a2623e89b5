#pragma once
// The Energy page (energy inspector): named image sets (a picture, folder or .npy; a
// Fashion-MNIST split, some classes, a count; a transformed copy of another set), each scored on
// the worker with its energy averaged over K noise draws, their spread and optionally the
// denoising residual; overlaid histograms, a sortable table of the images, and the AUROC and
// ROC curve of the energy telling a second set (outliers) from a first. Exports: CSV, PNG.
// The image of the table's selected row is offered to other pages through the AnnealingHub.
#include <QPointer>
#include <QVector>

#include "widgets/studio_page.h"
#include "pages/energy/energy_job.h"
#include "pages/energy/energy_sets.h"

class QGroupBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace ebm::studio {

class AnnealingHub;
class EnergyComparisonPanel;
class EnergyHistogramChart;
class EnergyImagePreview;
class EnergyImageTable;
class EnergySetEditor;
class JobHandle;
class RocChart;
class RunControls;
template <class S>
class SettingsForm;
class StudioEngine;
class UndoFieldBinder;

class EnergyView : public StudioPage {
    Q_OBJECT
public:
    using SetState = EnergySetState;
    using ImageSet = EnergyImageSet;

    /// `undo` (may be null) records the measurement fields' edits; `picks` (may be null) gets
    /// the image of the table's selected row for other pages (selectedTableImage()).
    EnergyView(StudioEngine* engine, AnnealingHub* picks, UndoFieldBinder* undo, QWidget* parent = nullptr);
    /// Without undo for the measurement fields.
    explicit EnergyView(StudioEngine* engine, QWidget* parent = nullptr);

    // StudioPage
    void start() override { scoreAll(); }
    void stop() override;
    bool canStart() const override;
    bool isRunning() const override;

    EnergyMeasureSettings measureSettings() const;
    void setMeasureSettings(const EnergyMeasureSettings& settings);
    /// Adds a set and queues its scoring; false (and `error`, one line) for a name in use or an
    /// unknown base set or transform.
    bool addSet(const EnergySetSource& source, QString& error);
    /// A copy of set `base` with the transform chain appended (e.g. "invert", "noise:0.3").
    bool addTransformedSet(const QString& name, const QString& base, const QString& transforms, QString& error);
    void removeSet(int index);
    const QVector<ImageSet>& sets() const { return sets_.items(); }
    /// Compares two scored sets (the second as outliers) on the worker.
    void compareSets(const QString& inlier, const QString& outlier);
    const EnergyComparison& comparison() const;
    bool exportCsv(const QString& path, QString& error) const;

    RunControls* runControls() const { return runControls_; }
    QProgressBar* progressBar() const { return progress_; }
    QTableWidget* table() const;
    QListWidget* setList() const { return setList_; }
    QLabel* status() const { return status_; }
    QLabel* aurocLabel() const;
    QLabel* preview() const;
    /// The clicked image with N(noise std) noise and after one denoising step (eq. 9).
    const QImage& noisyView() const;
    const QImage& denoisedView() const;
    /// Table rows shown (the histogram's selected range hides the others).
    int visibleRows() const;
    /// The image of the table's selected row, as the model read it; null when none is selected.
    QImage selectedTableImage() const;
    EnergyHistogramChart* histogram() const { return histogram_; }
    RocChart* rocChart() const;
    SettingsForm<EnergyMeasureSettings>* measureForm() const { return form_; }

public Q_SLOTS:
    /// Scores every set again with the current settings.
    void scoreAll();

private:
    /// The image sets' sources (a session part's, not remembered between runs); they come back
    /// unscored.
    void restoreSets(const QJsonObject& part);
    /// The settings column at a fixed width: Score all / Stop on top (as on every page), the
    /// scrolled forms and sets, the progress and a status line that wraps inside the column.
    QWidget* buildLeftColumn(UndoFieldBinder* undo);
    /// Shows `message` in the status line, breakable after every '/' so a long path wraps.
    void setStatus(const QString& message);
    QGroupBox* buildSetsBox();
    QWidget* buildResults();
    void addFromForm();
    void scoreNext();
    void onScored(int setId, const QVariant& result);
    void reportScoring(const ImageSet& set);
    /// Everything that shows the sets: the list, the table, the histogram, the comparison.
    void refreshAll();
    void refreshSets();
    void refreshTable();
    void refreshCharts();
    void showImage(int setId, int imageIndex);
    void applyRangeFilter();
    void updateControls();

    StudioEngine* engine_;
    EnergySetList sets_;
    RunControls* runControls_;
    SettingsForm<EnergyMeasureSettings>* form_;
    EnergySetEditor* editor_;
    QListWidget* setList_;
    QPushButton* remove_;
    QPushButton* exportCsv_;
    QProgressBar* progress_;
    QLabel* status_;
    EnergyHistogramChart* histogram_;
    EnergyImageTable* imageTable_;
    EnergyImagePreview* preview_;
    EnergyComparisonPanel* comparison_;
    QPointer<JobHandle> scoring_;
};

}  // namespace ebm::studio
