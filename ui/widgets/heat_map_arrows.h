#pragma once
// What the studio's 2-D energy charts (the Learn page's plane, the Landscape page's plane) draw
// alike: the energy on a grid as a heat map with its colour scale beside the axes, a vector
// field on the same grid (the score) as arrows on a coarser grid, and a readout of the point
// under the mouse. Each chart keeps its own data, colour range and readout text; these only
// build and fill the QCustomPlot parts.
#include <QPointF>
#include <QRectF>
#include <QString>

#include <functional>

class QCPColorGradient;
class QCPColorMap;
class QCPColorScale;
class QCPCurve;
class QCustomPlot;
class QLabel;

namespace ebm::studio {

class PlotPanel;

struct HeatMap {
    QCPColorMap* map = nullptr;
    QCPColorScale* scale = nullptr;
};

/// Adds to `plot`'s axes a heat map whose cells are centred on the grid's nodes (corners
/// included), empty and hidden until it gets data, and right of the axes, as tall as them, a
/// colour scale labelled `scaleLabel` that the map is bound to and that draws with `gradient`.
/// `interpolate` false: each node a cell of one colour, what was measured and not a blend.
HeatMap addHeatMap(QCustomPlot* plot, const QString& scaleLabel, const QCPColorGradient& gradient, bool interpolate);

/// Empties and hides a heat map (a chart with nothing to show).
void clearHeatMap(QCPColorMap* map);

/// A curve on `plot`'s axes in the arrows' pen, for drawArrows.
QCPCurve* addArrowCurve(QCustomPlot* plot);

/// A vector field sampled on a square grid of `resolution` nodes per side that span `extent`,
/// corners included: node (row, column) sits at x = left + width column / (resolution - 1),
/// y = top + height row / (resolution - 1), and `vectorAt(row, column)` is its vector.
struct ArrowField {
    int resolution = 0;   // below 2: no field
    QRectF extent;
    std::function<QPointF(int row, int column)> vectorAt;
};

/// Replaces what `curve` shows with `field` as arrows on every stride-th node, the stride making
/// about `arrowsPerSide` arrows a side. The longest arrow spans most of the spacing between
/// arrows; the lengths follow the square root of the vectors' (a field steep in some places and
/// gentle in others reads in both). A node whose vector is zero or not finite gets no arrow.
/// Returns the number of arrows drawn.
int drawArrows(QCPCurve* curve, const ArrowField& field, int arrowsPerSide);

/// A label in `panel`'s title bar for the readout of the point under the mouse, which the chart
/// writes as the mouse moves over the plot (mouse tracking on: no button needs to be held), and
/// which is emptied when the mouse leaves the plot, so that no stale numbers stay.
QLabel* addMouseReadout(PlotPanel* panel, const QString& objectName, const QString& toolTip);

}  // namespace ebm::studio
