#pragma once
// What the Learn page's comparison tabs share: a bar (their settings, a start button, a progress
// bar), two landscape plots side by side and a label for the numbers under them. One comparison
// job at a time (progress: LearnCompareProgress); when it ends, both sides are drawn and the tab
// writes its numbers. Each tab starts its own job and reads its own result.
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <memory>

#include "pages/learn/learn_jobs.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace ebm::studio {

class JobHandle;
class LandscapePlot;
class SettingsFormWidget;
class StudioEngine;

/// The words and names of a comparison tab's widgets (the tab translates them).
struct TwoPlotComparisonLayout {
    QStringList settingKeys;      // the bar's settings (learn_fields.h keys)
    QString startText;
    QString startToolTip;         // empty: none
    QString leftTitle, leftName;  // the plots' titles and object names
    QString rightTitle, rightName;
    QString introduction;         // the numbers' label until the first result
};

/// Weights as a row of numbers with two decimals.
QString comparisonWeightList(const QVector<double>& weights);

/// A side's cells of a comparison's numbers table: modes covered, weight TV, MMD, sample weights.
struct ComparisonSideCells {
    QString modes, weightTv, mmd, weights;
};
ComparisonSideCells comparisonSideCells(const LearnCompareSide& side);

class TwoPlotComparisonTab : public QWidget {
    Q_OBJECT
public:
    bool isRunning() const;
    void stop();
    void setArrowsVisible(bool visible);

    /// The forms of its settings in the bar: the page reads and writes them.
    QVector<SettingsFormWidget*> settingsForms() const { return forms_; }
    QLabel* numbers() const { return numbers_; }

Q_SIGNALS:
    void startRequested();
    void problem(const QString& message);
    void runStateChanged();

protected:
    TwoPlotComparisonTab(StudioEngine* engine, const TwoPlotComparisonLayout& layout, QWidget* parent);

    /// The landscapes' grid: half the trained landscape's 128^2, as there are two to draw.
    static constexpr int kGrid = 64;
    /// Both comparisons anneal with the schedule, and with enough particles: mode weights from
    /// fewer samples are mostly sampling noise (TV ~ 0.05 at 600).
    static void applySamplingRules(LearnSampleSettings& sampling);
    /// The bar's progress follows `job`'s; false when the worker refused it.
    bool startJob(std::unique_ptr<Job> job);
    /// The button needs `canStart` and waits for a comparison to end.
    void setStartEnabled(bool canStart);
    LandscapePlot* leftPlot() const { return leftPlot_; }
    LandscapePlot* rightPlot() const { return rightPlot_; }

    /// A finished job's value as the tab keeps it: what the plots draw points into its result.
    struct Outcome {
        bool ok = false;
        QString error;
        const LearnCompareSide* left = nullptr;
        const LearnCompareSide* right = nullptr;
    };
    virtual Outcome takeResult(const QVariant& value) = 0;
    /// Writes the numbers of the result kept last (an ok one) into numbers().
    virtual void showNumbers() = 0;

private:
    void onProgress(const QVariant& value);
    void onFinished(const QVariant& value);

    StudioEngine* engine_;
    QVector<SettingsFormWidget*> forms_;
    QPushButton* start_;
    QProgressBar* progress_;
    LandscapePlot* leftPlot_;
    LandscapePlot* rightPlot_;
    QLabel* numbers_;
    QPointer<JobHandle> comparing_;
};

}  // namespace ebm::studio
