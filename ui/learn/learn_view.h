#pragma once
// The Learn page: 2D teaching demos of energies, scores and annealed Langevin sampling (issue 13).
// A point set (a toy, a weighted mixture, a .npy or points painted with the brush) and an MLP
// energy trained live with MDSM: its landscape E(x) as a heat map with the score arrows and the
// loss curve; particles annealed over it with short trails and a timeline; a single noise level
// against many, side by side with the numbers; and the measure concentration of section 2.
// Every job runs on the worker (engine/jobs/learn_jobs.*); the page holds plain values only.
#include <QPointer>
#include <QVector>

#include <memory>
#include <optional>

#include "ebm/schedule_curve.h"
#include "engine/jobs/learn_jobs.h"
#include "widgets/studio_page.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;
class QUndoStack;

namespace ebm::studio {

class JobHandle;
class LandscapePlot;
class PlotPanel;
class RunControls;
class StudioEngine;

class LearnView : public StudioPage {
    Q_OBJECT
public:
    LearnView(StudioEngine* engine, QUndoStack* undo, QWidget* parent = nullptr);

    // StudioPage: the run keys act on the particles while they run, else on training.
    QString pageTitle() const override { return tr("&Learn"); }
    QString sessionKey() const override { return QStringLiteral("learn"); }
    void start() override { startTraining(); }
    void togglePause() override;
    void stepOnce() override;
    void stop() override;
    bool canStart() const override;
    bool isRunning() const override;
    bool isPaused() const override;
    QJsonObject sessionSettings() const override;
    void applySessionSettings(const QJsonObject& settings) override;

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
    const LearnLandscape& landscape() const { return landscape_; }
    int landscapeUpdates() const { return landscapeUpdates_; }
    const QVector<float>& losses() const { return losses_; }
    bool isTraining() const;

    // Sampling
    enum class Annealing { ToyDefault, SchedulePage, TemperatureSlider };
    LearnSampleSettings sampleSettings() const;
    void setSampleSettings(const LearnSampleSettings& settings);
    void setAnnealing(Annealing annealing);
    void startSampling();
    bool isSampling() const;
    const QVector<LearnSampleFrame>& frames() const { return frames_; }
    /// The frame on screen (the newest unless the timeline was moved back).
    int shownFrame() const { return shownFrame_; }
    void showFrame(int index);
    /// Adds particles: to the running run, or to the start of the next one.
    void dropParticles(const QVector<QPointF>& points);
    const QVector<QPointF>& pendingDrops() const { return pendingDrops_; }

    // Comparison and concentration
    void startComparison();
    const LearnCompareResult& comparison() const { return comparison_; }
    void startConcentration();
    const LearnConcentrationResult& concentrationResult() const { return concentration_; }

    // Widgets, for tests and screenshots
    LandscapePlot* landscapePlot() const { return landscapePlot_; }
    LandscapePlot* singlePlot() const { return singlePlot_; }
    LandscapePlot* multiscalePlot() const { return multiscalePlot_; }
    PlotPanel* lossPlot() const { return lossPlot_; }
    PlotPanel* distancePlot() const { return distancePlot_; }
    PlotPanel* anglePlot() const { return anglePlot_; }
    PlotPanel* bandPlot() const { return bandPlot_; }
    QComboBox* toolBox() const { return tool_; }
    QComboBox* dataBox() const { return dataName_Box_; }
    QSlider* timeline() const { return timeline_; }
    QSlider* temperatureSlider() const { return temperature_; }
    QTabWidget* tabs() const { return tabs_; }
    QLabel* comparisonNumbers() const { return compareNumbers_; }
    QLabel* concentrationSummary() const { return concentrationSummary_; }
    RunControls* trainControls() const { return trainControls_; }
    RunControls* sampleControls() const { return sampleControls_; }

Q_SIGNALS:
    /// A new landscape is on screen (from a training report, a finished run or a session).
    void landscapeUpdated();

private:
    QWidget* buildSidePanel();
    QWidget* buildLandscapeTab();
    QWidget* buildCompareTab();
    QWidget* buildConcentrationTab();
    void onTrainReport(const QVariant& value);
    void onTrainFinished(const QVariant& value);
    void onSampleFrame(const QVariant& value);
    void onSampleFinished(const QVariant& value);
    void onCompareFinished(const QVariant& value);
    void onConcentrationFinished(const QVariant& value);
    void showLoss();
    void updateControls();
    void updateTemperatureLabel();
    QVector<double> scheduleTemperatures() const;
    double sliderTemperature() const;
    JobHandle* activeHandle() const;

    StudioEngine* engine_;
    QUndoStack* undo_;

    // Side panel
    QComboBox* dataName_Box_;
    QSpinBox* count_;
    QSpinBox* seed_;
    QPushButton* make_;
    QPushButton* openNpy_;
    QComboBox* tool_;
    QDoubleSpinBox* brush_;
    QPushButton* clear_;
    QLabel* dataSummary_;
    QSpinBox* width_;
    QSpinBox* depth_;
    QDoubleSpinBox* sigmaMin_;
    QDoubleSpinBox* sigmaMax_;
    QComboBox* spread_;
    QDoubleSpinBox* sigma0_;
    QDoubleSpinBox* learningRate_;
    QSpinBox* batch_;
    QSpinBox* steps_;
    QCheckBox* continueTraining_;
    RunControls* trainControls_;
    QSpinBox* particles_;
    QDoubleSpinBox* stepSize_;
    QComboBox* annealing_;
    QSpinBox* sampleSteps_;
    QSlider* temperature_;
    QLabel* temperatureLabel_;
    QSpinBox* speed_;
    QCheckBox* arrows_;
    RunControls* sampleControls_;

    // Tabs
    QTabWidget* tabs_;
    LandscapePlot* landscapePlot_;
    PlotPanel* lossPlot_;
    QSlider* timeline_;
    QLabel* timelineLabel_;
    QLabel* trainStatus_;
    LandscapePlot* singlePlot_;
    LandscapePlot* multiscalePlot_;
    QSpinBox* compareSteps_;
    QDoubleSpinBox* singleSigma_;
    QPushButton* compare_;
    QProgressBar* compareProgress_;
    QLabel* compareNumbers_;
    QSpinBox* dimension_;
    QDoubleSpinBox* concentrationSigma_;
    QPushButton* concentrate_;
    PlotPanel* distancePlot_;
    PlotPanel* anglePlot_;
    PlotPanel* bandPlot_;
    QLabel* concentrationSummary_;

    // State
    QVector<QPointF> points_;
    QString dataName_;
    LearnModel model_;
    LearnLandscape landscape_;
    int landscapeUpdates_ = 0;
    QVector<float> losses_;
    QVector<LearnSampleFrame> frames_;
    int shownFrame_ = -1;
    bool followLive_ = true;
    QVector<QPointF> pendingDrops_;
    std::shared_ptr<LearnSampleControls> liveControls_;
    std::optional<ebm::ScheduleCurve> editedCurve_;
    LearnCompareResult comparison_;
    LearnConcentrationResult concentration_;
    QPointer<JobHandle> training_, sampling_, comparing_, loading_, concentrating_;
};

}  // namespace ebm::studio
