#pragma once
// The Learn page's "Measure concentration" tab (section 2): in d dimensions Gaussian noise moves
// a point by almost exactly sqrt(d)·sigma at almost a right angle to any fixed direction; one
// sigma's thin shell against the distances a spread of sigmas reaches.
#include <QPointer>
#include <QVector>
#include <QWidget>

#include "pages/learn/learn_jobs.h"

class QLabel;
class QPushButton;

namespace ebm::studio {

class JobHandle;
class PlotPanel;
class SettingsFormWidget;
class StudioEngine;
struct LearnSettings;

class ConcentrationTab : public QWidget {
    Q_OBJECT
public:
    ConcentrationTab(StudioEngine* engine, QWidget* parent = nullptr);

    /// Draws the noise of the tab's dimension and sigma, and of the training spread (sigma min
    /// to sigma max) of `settings`.
    void start(const LearnSettings& settings);

    const LearnConcentrationResult& result() const { return result_; }
    /// The forms of its settings in the bar (dimension, sigma): the page reads and writes them.
    QVector<SettingsFormWidget*> settingsForms() const { return forms_; }
    PlotPanel* distancePlot() const { return distancePlot_; }
    PlotPanel* anglePlot() const { return anglePlot_; }
    PlotPanel* bandPlot() const { return bandPlot_; }
    QLabel* summary() const { return summary_; }

Q_SIGNALS:
    void startRequested();
    void problem(const QString& message);

private:
    void buildPlots();
    void onFinished(const QVariant& value);

    StudioEngine* engine_;
    QVector<SettingsFormWidget*> forms_;
    QPushButton* concentrate_;
    PlotPanel* distancePlot_;
    PlotPanel* anglePlot_;
    PlotPanel* bandPlot_;
    QLabel* summary_;
    LearnConcentrationResult result_;
    QPointer<JobHandle> concentrating_;
};

}  // namespace ebm::studio
