#pragma once
// The annealing schedule as a curve people shape with the mouse: temperature against Langevin
// step, control points to drag (several at once after a rubber-band selection), a click on
// the curve adds a point, Delete or the context menu removes one, the context menu sets how
// each segment goes on (constant, linear, exponential). Steps snap to whole numbers. The
// temperature axis is logarithmic by default, with T = 0 drawn on the axis floor. A second axis
// shows the last run's mean energy with its min-max band (the paper's figure F.1B).
#include <QPointF>
#include <QString>
#include <QVector>

#include "ebm/schedule/schedule_curve.h"
#include "widgets/plot_panel.h"

class QCPGraph;
class QCPItemRect;
class QMouseEvent;

namespace ebm::studio {

class ScheduleDocument;

/// Mean, min and max energy of a run at its recorded steps, on the curve's step axis.
struct EnergyTrace {
    QString source;           // "preview", "Sample page run"
    QVector<double> steps;
    QVector<double> mean, min, max;
    bool isEmpty() const { return steps.isEmpty(); }
};

class ScheduleCurveEditor : public PlotPanel {
    Q_OBJECT
public:
    explicit ScheduleCurveEditor(ScheduleDocument* document, QWidget* parent = nullptr);

    const QVector<int>& selection() const { return selection_; }
    void setSelection(QVector<int> points);
    void setEnergyTrace(const EnergyTrace& trace);
    const EnergyTrace& energyTrace() const { return trace_; }

    /// Where control point `index` is drawn, in the plot widget's pixels (tests, tooltips).
    QPointF pointPixel(int index) const;
    /// Where (step, temperature) is drawn, in the plot widget's pixels.
    QPointF pixelOf(double step, double temperature) const;
    /// "step 1234 · T = 3.21" for the position under the mouse.
    QString readout() const;
    /// The temperature the log axis draws T = 0 at.
    double temperatureFloor() const { return floor_; }

    // Edits of the selection, as the keys and menus do them.
    void deleteSelected();
    void setSegmentMode(int segment, ebm::SegmentMode mode);
    /// Moves the selected points by `steps` and multiplies (log axis) or shifts (linear axis)
    /// their temperatures by `temperatureTicks` small amounts; one undo step per burst.
    void nudgeSelected(int steps, int temperatureTicks);

Q_SIGNALS:
    void selectionChanged();
    /// Something the person tried that cannot be done (e.g. deleting the last point).
    void problem(const QString& message);

protected:
    void applyScales() override;
    void addContextMenuActions(QMenu& menu, const QPoint& position) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void refresh();
    void fitTemperatureAxis();
    void drawEnergyTrace();
    int pointAt(const QPointF& pixel) const;
    /// Segment (from point i to i + 1) whose drawn curve passes near the pixel, -1 when none.
    int segmentNear(const QPointF& pixel) const;
    int segmentAtStep(double step) const;
    double stepAt(double x) const;
    /// The axis value of a drawn temperature (log10 T on a log axis).
    double axisValue(double temperature) const;
    double temperatureFromAxisValue(double value) const;
    void onPress(QMouseEvent* event);
    void onMove(QMouseEvent* event);
    void onRelease(QMouseEvent* event);
    void dragTo(const QPointF& pixel);
    /// Replaces the points, fixing what a move cannot mean (a zero end of an exponential
    /// segment sits on the floor instead). Returns false when no runnable curve results.
    bool commit(std::vector<ebm::CurvePoint> points, const QString& text, int mergeKey);

    ScheduleDocument* document_;
    QCPGraph* curveGraph_ = nullptr;
    QCPGraph* pointsGraph_ = nullptr;
    QCPGraph* selectedGraph_ = nullptr;
    QCPGraph* energyMean_ = nullptr;
    QCPGraph* energyMin_ = nullptr;
    QCPGraph* energyMax_ = nullptr;
    QCPItemRect* rubberBand_ = nullptr;
    QVector<int> selection_;
    EnergyTrace trace_;
    double floor_ = 1e-2;
    QString readout_;

    enum class Gesture { None, Drag, RubberBand };
    Gesture gesture_ = Gesture::None;
    QPointF pressPixel_;
    double pressStep_ = 0.0, pressAxisValue_ = 0.0;
    std::vector<ebm::CurvePoint> pressPoints_;
    bool rubberBandAdds_ = false;
    int dragKey_ = 0;
    int nudgeKey_ = 0;
};

}  // namespace ebm::studio
