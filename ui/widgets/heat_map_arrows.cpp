#include "widgets/heat_map_arrows.h"

#include "widgets/plot_panel.h"
#include "widgets/qcustomplot_include.h"

#include <QEvent>
#include <QLabel>
#include <QVector>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebm::studio {
namespace {

constexpr int kColourBarWidth = 10;
constexpr double kArrowFill = 0.85;   // the longest arrow spans this much of the spacing between arrows
constexpr double kArrowHead = 0.3;    // head length as a fraction of the arrow
const QColor kArrowColor(255, 255, 255, 170);

/// Empties a readout when the mouse leaves the widget it watches.
class ClearOnLeave : public QObject {
public:
    explicit ClearOnLeave(QLabel* readout) : QObject(readout), readout_(readout) {}

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() == QEvent::Leave)
            readout_->clear();
        return QObject::eventFilter(watched, event);
    }

private:
    QLabel* readout_;
};

}  // namespace

HeatMap addHeatMap(QCustomPlot* plot, const QString& scaleLabel, const QCPColorGradient& gradient, bool interpolate)
{
    HeatMap heatMap;
    QCPColorMap* map = heatMap.map = new QCPColorMap(plot->xAxis, plot->yAxis);
    map->setInterpolate(interpolate);
    map->setTightBoundary(false);   // cells centred on the grid's nodes, corners included
    // A new QCPColorMap holds a 10x10 grid of zeros over [0, 5]^2, drawn as a dark square:
    // nothing is drawn until data arrives.
    clearHeatMap(map);
    QCPColorScale* scale = heatMap.scale = new QCPColorScale(plot);
    scale->setType(QCPAxis::atRight);
    scale->setBarWidth(kColourBarWidth);
    scale->axis()->setLabel(scaleLabel);
    scale->axis()->setTickLabelFont(plot->xAxis->tickLabelFont());
    scale->axis()->setLabelFont(plot->xAxis->labelFont());
    plot->plotLayout()->addElement(0, 1, scale);
    auto* margins = new QCPMarginGroup(plot);   // the scale as tall as the axes
    plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    map->setColorScale(scale);   // the map's data range and gradient are the scale's from now on
    map->setGradient(gradient);  // (binding took the scale's)
    return heatMap;
}

void clearHeatMap(QCPColorMap* map)
{
    map->data()->clear();
    map->setVisible(false);
}

QCPCurve* addArrowCurve(QCustomPlot* plot)
{
    auto* curve = new QCPCurve(plot->xAxis, plot->yAxis);
    curve->setPen(QPen(kArrowColor, 1));
    return curve;
}

int drawArrows(QCPCurve* curve, const ArrowField& field, int arrowsPerSide)
{
    curve->data()->clear();
    const int r = field.resolution;
    if (r < 2 || !field.vectorAt)
        return 0;
    const int stride = std::max(1, r / arrowsPerSide);
    double longest = 0.0;
    for (int row = stride / 2; row < r; row += stride)
        for (int column = stride / 2; column < r; column += stride) {
            const QPointF v = field.vectorAt(row, column);
            const double norm = std::hypot(v.x(), v.y());
            if (std::isfinite(norm))
                longest = std::max(longest, norm);
        }
    if (!(longest > 0.0))
        return 0;
    const QRectF& extent = field.extent;
    const double cell = std::min(extent.width(), extent.height()) * stride / (r - 1);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    QVector<double> t, xs, ys;
    auto add = [&](double x, double y) {
        t.push_back(double(t.size()));
        xs.push_back(x);
        ys.push_back(y);
    };
    int arrows = 0;
    for (int row = stride / 2; row < r; row += stride)
        for (int column = stride / 2; column < r; column += stride) {
            const QPointF v = field.vectorAt(row, column);
            const double norm = std::hypot(v.x(), v.y());
            if (!(norm > 0.0) || !std::isfinite(norm))
                continue;
            const double x = extent.left() + extent.width() * column / (r - 1);
            const double y = extent.top() + extent.height() * row / (r - 1);
            // Square-root lengths: a score is steep far from the data and gentle near it.
            const double length = kArrowFill * cell * std::sqrt(norm / longest);
            const double ux = v.x() / norm, uy = v.y() / norm;
            const double tipX = x + length * ux, tipY = y + length * uy;
            const double head = kArrowHead * length;
            // The shaft and one half of the head, then the other half; NaN breaks the curve.
            add(x, y);
            add(tipX, tipY);
            add(tipX - head * (ux - 0.5 * uy), tipY - head * (uy + 0.5 * ux));
            add(nan, nan);
            add(tipX, tipY);
            add(tipX - head * (ux + 0.5 * uy), tipY - head * (uy - 0.5 * ux));
            add(nan, nan);
            ++arrows;
        }
    curve->setData(t, xs, ys, true);
    return arrows;
}

QLabel* addMouseReadout(PlotPanel* panel, const QString& objectName, const QString& toolTip)
{
    auto* readout = new QLabel(panel);
    readout->setObjectName(objectName);
    readout->setToolTip(toolTip);
    panel->addTitleBarWidget(readout);
    panel->plot()->setMouseTracking(true);
    panel->plot()->installEventFilter(new ClearOnLeave(readout));
    return readout;
}

}  // namespace ebm::studio
