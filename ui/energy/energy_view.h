#pragma once
// The Energy page (energy inspector): named image sets (a picture, folder or .npy; a
// Fashion-MNIST split, some classes, a count; a transformed copy of another set), each scored on
// the worker with its energy averaged over K noise draws, their spread and optionally the
// denoising residual; overlaid histograms, a sortable table of the images, and the AUROC and
// ROC curve of the energy telling a second set (outliers) from a first. Exports: CSV, PNG.
#include <QPointer>
#include <QVector>

#include "engine/jobs/energy_job.h"
#include "widgets/studio_page.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace ebm::studio {

class EnergyHistogramChart;
class JobHandle;
class RocChart;
class RunControls;
class StudioEngine;

class EnergyView : public StudioPage {
    Q_OBJECT
public:
    enum class SetState { NotScored, Pending, Scoring, Scored, Failed, Cancelled };
    struct ImageSet {
        int id = 0;  // stays when sets before it are removed
        EnergySetSource source;
        SetState state = SetState::NotScored;
        EnergySetResult result;
    };
    enum class SourceKind { Path, DataSet, Transformed, LastSamples };

    explicit EnergyView(StudioEngine* engine, QWidget* parent = nullptr);

    // StudioPage
    QString pageTitle() const override { return tr("E&nergy"); }
    QString sessionKey() const override { return QStringLiteral("energy"); }
    void start() override { scoreAll(); }
    void stop() override;
    bool canStart() const override;
    bool isRunning() const override;
    QJsonObject sessionSettings() const override;
    void applySessionSettings(const QJsonObject& settings) override;

    EnergyMeasureSettings measureSettings() const;
    void setMeasureSettings(const EnergyMeasureSettings& settings);
    /// Adds a set and queues its scoring; false (and `error`, one line) for a name in use or an
    /// unknown base set or transform.
    bool addSet(const EnergySetSource& source, QString& error);
    /// A copy of set `base` with the transform chain appended (e.g. "invert", "noise:0.3").
    bool addTransformedSet(const QString& name, const QString& base, const QString& transforms, QString& error);
    void removeSet(int index);
    const QVector<ImageSet>& sets() const { return sets_; }
    /// Compares two scored sets (the second as outliers) on the worker.
    void compareSets(const QString& inlier, const QString& outlier);
    const EnergyComparison& comparison() const { return comparison_; }
    bool exportCsv(const QString& path, QString& error) const;

    RunControls* runControls() const { return runControls_; }
    QProgressBar* progressBar() const { return progress_; }
    QTableWidget* table() const { return table_; }
    QListWidget* setList() const { return setList_; }
    QLabel* status() const { return status_; }
    QLabel* aurocLabel() const { return auroc_; }
    QLabel* preview() const { return preview_; }
    /// The clicked image with N(noise std) noise and after one denoising step (eq. 9).
    const QImage& noisyView() const { return noisyView_; }
    const QImage& denoisedView() const { return denoisedView_; }
    /// Table rows shown (the histogram's selected range hides the others).
    int visibleRows() const;
    EnergyHistogramChart* histogram() const { return histogram_; }
    RocChart* rocChart() const { return roc_; }

public Q_SLOTS:
    /// Scores every set again with the current settings.
    void scoreAll();

private:
    void addFromForm();
    void scoreNext();
    void onScored(int setId, const QVariant& result);
    void refreshSets();
    void refreshTable();
    void refreshCharts();
    void refreshComparisonChoices();
    void requestComparison();
    void showImage(int row);
    void applyRangeFilter();
    void showViews(const QImage& image);
    void updateControls();
    void updateSourceFields();
    int indexOf(const QString& name) const;

    StudioEngine* engine_;
    RunControls* runControls_;
    QDoubleSpinBox* noiseStd_;
    QSpinBox* draws_;
    QSpinBox* seed_;
    QCheckBox* residual_;
    QLineEdit* name_;
    QComboBox* kind_;
    QLineEdit* path_;
    QPushButton* browse_;
    QComboBox* split_;
    QLineEdit* classes_;
    QSpinBox* limit_;
    QComboBox* base_;
    QLineEdit* transform_;
    QPushButton* add_;
    QListWidget* setList_;
    QPushButton* remove_;
    QPushButton* exportCsv_;
    QProgressBar* progress_;
    QLabel* status_;
    EnergyHistogramChart* histogram_;
    QTableWidget* table_;
    QLabel* preview_;
    QLabel* previewNote_;
    QLabel* filterNote_;
    QImage shownImage_;
    QImage noisyView_;
    QImage denoisedView_;
    QPointer<JobHandle> viewing_;
    QComboBox* inlier_;
    QComboBox* outlier_;
    QLabel* auroc_;
    QLabel* summary_;
    RocChart* roc_;

    QVector<ImageSet> sets_;
    QPointer<JobHandle> scoring_;
    QPointer<JobHandle> comparing_;
    int nextSetId_ = 1;
    EnergyComparison comparison_;
};

}  // namespace ebm::studio
