#pragma once
// The Plane view's chart: the energy on a plane through image space as a heat map with its
// colour scale, the score -dE/dx projected onto the plane as arrows on a coarser grid, the
// images that made the plane marked and labelled (or a set's points and its mean), and Langevin
// chains as lines where they fall on the plane. Under the mouse a readout gives the energy and
// the score's length there, interpolated from the computed grid. (The heat map and the arrows
// are drawn as the Learn page draws its 2-D landscape, through widgets/heat_map_arrows.h; this
// chart reads a plane's coordinates and cell layout instead.)
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QStringList>
#include <QVector>

#include "widgets/plot_panel.h"
#include "pages/landscape/landscape_jobs.h"

class QCPColorMap;
class QCPColorScale;
class QCPCurve;
class QCPGraph;
class QCPItemText;
class QLabel;
class QMouseEvent;

namespace ebm::studio {

class PlanePlot : public PlotPanel {
    Q_OBJECT
public:
    explicit PlanePlot(QWidget* parent = nullptr);

    /// Shows a computed plane: its map (rows not measured stay blank), points and chains.
    void setPlane(const LandscapePlaneResult& plane);
    void clear();
    const LandscapePlaneResult& plane() const { return plane_; }

    /// The value the heat map holds for grid point (row, column); NaN outside the grid.
    double cellEnergy(int row, int column) const;
    /// Cells per side of the heat map (0: none).
    int mapResolution() const;
    /// The heat map's extent in plane coordinates.
    QRectF mapRect() const;
    int arrowCount() const { return arrows_; }
    /// Labelled points (A, B, C or the mean) and all marked points.
    QStringList pointLabels() const;
    int markedPoints() const;
    int trajectoryCount() const { return plane_.trajectories.size(); }

    /// E, ||dE/dx|| and the length of its projection on the plane at a point of the plane,
    /// bilinear between the grid's nodes.
    struct Readout {
        bool inside = false;   // false: no map, or the point is off it or on a row not measured
        double energy = 0.0;
        double score = 0.0;
        double inPlane = 0.0;
    };
    Readout readoutAt(const QPointF& plane) const;
    QLabel* readoutLabel() const { return readout_; }
    QCPColorScale* colourScale() const { return scale_; }
    /// Shows the readout of a point of the plane (what the mouse does).
    void showReadout(const QPointF& plane);

private:
    void refreshMap();
    void refreshArrows();
    void refreshPoints();
    void refreshTrajectories();
    void onMouseMove(QMouseEvent* event);

    LandscapePlaneResult plane_;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QCPCurve* arrowCurve_;
    QCPGraph* setPoints_;
    QCPGraph* namedPoints_;
    QCPCurve* chains_;
    QCPGraph* chainEnds_;
    QList<QCPItemText*> labels_;
    QLabel* readout_;
    int arrows_ = 0;
};

}  // namespace ebm::studio
