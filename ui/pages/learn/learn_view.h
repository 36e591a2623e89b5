#pragma once
// The Learn page: 2D teaching demos of energies, scores and annealed Langevin sampling (issue 13).
// A point set (a toy, a weighted mixture, a .npy or points painted with the brush) and an MLP
// energy trained live with MDSM: its landscape E(x) as a heat map with the score arrows and the
// loss curve (TrainingLab); particles annealed over it with short trails and a timeline
// (ParticlesDemo), by Langevin or MALA; a single noise level against many, side by side with the
// numbers (ComparisonTab); Langevin against MALA at one large step size (SamplerComparisonTab);
// and the measure concentration of section 2 (ConcentrationTab).
// The page holds the tabs, the side panel of settings (learn_fields.h), the gallery of the
// built-in data sets above the tabs (data_gallery.h), the data points (their edits and loads are
// undo steps) and the trained model. Every job runs on the worker (learn_jobs.*); the
// page holds plain values only.
#include <QPointer>
#include <QVector>

#include <optional>

#include "ebm/schedule/schedule_curve.h"
#include "widgets/studio_page.h"
#include "pages/learn/learn_fields.h"
#include "pages/learn/learn_jobs.h"

class QComboBox;
class QLabel;
class QSlider;
class QTabWidget;
class QToolButton;
class QUndoStack;

namespace ebm::studio {

class AnnealingHub;
class ComparisonTab;
class ConcentrationTab;
class DataGallery;
class JobHandle;
class LandscapePlot;
class PlotPanel;
class RunControls;
class SamplerComparisonTab;
class SettingsFormWidget;
class StudioEngine;
class TrainingLab;

class LearnView : public StudioPage {
    Q_OBJECT
public:
    LearnView(StudioEngine* engine, AnnealingHub* annealing, QUndoStack* undo, QWidget* parent = nullptr);

    // StudioPage: the run keys act on the particles while they run, else on training.
    void start() override { startTraining(); }
    void togglePause() override;
    void stepOnce() override;
    void stop() override;
    bool canStart() const override;
    bool isRunning() const override;
    bool isPaused() const override;
    /// The plane's mouse gestures (the tool chosen under "Mouse" decides what a drag does).
    QList<ShortcutHelp> pageShortcuts() const override;

    /// The settings as the side panel and the tabs' bars show them.
    LearnSettings settings() const;
    /// Shows `settings` (no undo step).
    void setSettings(const LearnSettings& settings);

    /// The Schedule page's curve, for the "Schedule page curve" annealing (live edits reach a run).
    void setEditedSchedule(const ebm::ScheduleCurve& curve, bool edited);

    // Data
    /// Makes the named toy (or reads a .npy path) on the worker; the points arrive later.
    void loadData(const QString& spec);
    /// Replaces the data points as one undo step.
    void editPoints(const QVector<QPointF>& points, const QString& text);
    /// Sets the points without an undo step (undo commands and sessions use it).
    void setPoints(const QVector<QPointF>& points);
    const QVector<QPointF>& points() const { return points_; }
    QString dataName() const { return dataName_; }

    // Training
    LearnTrainSettings trainSettings() const;
    void setTrainSettings(const LearnTrainSettings& settings);
    void startTraining();
    /// "Go on from the current model" (same width and depth) instead of fresh weights.
    void setContinueTraining(bool on);
    const LearnModel& model() const { return model_; }
    const LearnLandscape& landscape() const;
    int landscapeUpdates() const;
    const QVector<float>& losses() const;
    bool isTraining() const;

    // Sampling
    using Annealing = LearnAnnealing;
    LearnSampleSettings sampleSettings() const;
    void setSampleSettings(const LearnSampleSettings& settings);
    void setAnnealing(Annealing annealing);
    void startSampling();
    bool isSampling() const;
    const QVector<LearnSampleFrame>& frames() const;
    /// The frame on screen (the newest unless the timeline was moved back).
    int shownFrame() const;
    void showFrame(int index);
    /// Adds particles: to the running run, or to the start of the next one.
    void dropParticles(const QVector<QPointF>& points);
    const QVector<QPointF>& pendingDrops() const;

    // Comparisons and concentration
    void startComparison();
    const LearnCompareResult& comparison() const;
    /// Langevin against MALA on the trained model, at the tab's step size.
    void startSamplerComparison();
    const LearnSamplerCompareResult& samplerComparison() const;
    void startConcentration();
    const LearnConcentrationResult& concentrationResult() const;

    // Widgets, for tests and screenshots
    LandscapePlot* landscapePlot() const;
    LandscapePlot* singlePlot() const;
    LandscapePlot* multiscalePlot() const;
    LandscapePlot* langevinPlot() const;
    LandscapePlot* malaPlot() const;
    PlotPanel* lossPlot() const;
    PlotPanel* distancePlot() const;
    PlotPanel* anglePlot() const;
    PlotPanel* bandPlot() const;
    QComboBox* toolBox() const { return tool_; }
    QComboBox* dataBox() const { return dataBox_; }
    /// The thumbnails of the built-in data sets above the tabs (a click chooses one in dataBox()).
    DataGallery* dataGallery() const { return gallery_; }
    /// Shows or hides the gallery (the tabs' corner; remembered between runs).
    QToolButton* dataGalleryToggle() const { return galleryToggle_; }
    QSlider* timeline() const;
    QSlider* temperatureSlider() const { return temperature_; }
    QTabWidget* tabs() const { return tabs_; }
    QLabel* comparisonNumbers() const;
    QLabel* samplerComparisonNumbers() const;
    /// Beside the particles' timeline: the frame's step, temperature and MALA's acceptance.
    QLabel* particleFrameLabel() const;
    QLabel* concentrationSummary() const;
    RunControls* trainControls() const;
    RunControls* sampleControls() const;

Q_SIGNALS:
    /// A new landscape is on screen (from a training report, a finished run or a session).
    void landscapeUpdated();

private:
    /// What a load replaces as one undo step: the points and the set they came from.
    struct LoadedData {
        QString name;
        QVector<QPointF> points;
    };

    // The session part: the settings (nested by tab), the data points and the trained model.
    void writeSession(QJsonObject& root) const;
    void readSession(const QJsonObject& root);
    QWidget* buildSidePanel();
    void addDataRows();
    void addSamplingRows();
    QToolButton* buildGalleryToggle();
    void connectGallery();
    /// A set chosen in the gallery: chosen in the Set box, as a person chooses it there.
    void chooseData(const QString& name);
    /// Undo and redo of a load: the set's name (shown in the Set box) and its points.
    void setLoadedData(const LoadedData& data);
    void connectTabs();
    void connectSidePanel();
    void restoreModel(const QJsonObject& json);
    void updateControls();
    void updateTemperatureLabel();

    StudioEngine* engine_;
    AnnealingHub* annealing_;  // the edited curve, and the link that takes its edits to a run
    QUndoStack* undo_;

    // Side panel: the settings form with the page's own widgets in its boxes
    SettingsFormWidget* panelForm_;
    QComboBox* dataBox_;
    QComboBox* tool_;
    QLabel* dataSummary_;
    DataGallery* gallery_;
    QToolButton* galleryToggle_;
    QSlider* temperature_;
    QLabel* temperatureLabel_;
    /// Every form of the settings: the side panel's and those of the tabs' bars.
    QVector<SettingsFormWidget*> forms_;

    // Tabs
    QTabWidget* tabs_;
    TrainingLab* lab_;
    ComparisonTab* comparison_;
    SamplerComparisonTab* samplerComparison_;
    ConcentrationTab* concentration_;

    // What the tabs share
    QVector<QPointF> points_;
    QString dataName_;
    LearnModel model_;
    std::optional<ebm::ScheduleCurve> editedCurve_;
    QPointer<JobHandle> loading_;
};

}  // namespace ebm::studio
