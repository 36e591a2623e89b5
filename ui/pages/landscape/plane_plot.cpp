#include "pages/landscape/plane_plot.h"

#include "widgets/heat_map_arrows.h"
#include "widgets/qcustomplot_include.h"

#include <QLabel>
#include <QMouseEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebm::studio {
namespace {

constexpr int kArrowsPerSide = 16;            // score arrows on a coarser grid than the map's
// The colour range stops at this quantile: far corners of a plane through images reach
// energies that would wash out the part around the images.
constexpr double kEnergyQuantile = 0.95;
const QColor kSetPointColor(235, 235, 235, 170);
const QColor kNamedPointColor(255, 255, 255);
const QColor kChainColor(40, 220, 255, 200);
const double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

PlanePlot::PlanePlot(QWidget* parent) : PlotPanel(tr("Energy on the plane"), QStringLiteral("energy-plane"), parent)
{
    QCustomPlot* plot = this->plot();
    plot->setInteractions(QCP::Interactions());   // the mouse reads the map
    setLegendPlacement(LegendPlacement::Hidden);
    QCPColorGradient gradient(QCPColorGradient::gpThermal);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);   // rows a stopped map did not reach
    const HeatMap heatMap = addHeatMap(plot, tr("energy E"), gradient, false);
    map_ = heatMap.map;
    scale_ = heatMap.scale;
    arrowCurve_ = addArrowCurve(plot);
    chains_ = new QCPCurve(plot->xAxis, plot->yAxis);
    chains_->setPen(QPen(kChainColor, 1.2));
    chainEnds_ = plot->addGraph();
    chainEnds_->setLineStyle(QCPGraph::lsNone);
    chainEnds_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 0.5), QBrush(kChainColor), 6));
    setPoints_ = plot->addGraph();
    setPoints_->setLineStyle(QCPGraph::lsNone);
    setPoints_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kSetPointColor, 3));
    setPoints_->setAdaptiveSampling(false);
    namedPoints_ = plot->addGraph();
    namedPoints_->setLineStyle(QCPGraph::lsNone);
    namedPoints_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.5), QBrush(kNamedPointColor), 9));
    plot->xAxis->setLabel(tr("s (the plane's first direction)"));
    plot->yAxis->setLabel(tr("t (its second direction)"));
    readout_ = addMouseReadout(this, QStringLiteral("planeReadout"),
                               tr("The energy, the length of the score −∂E/∂x and of its part in the plane under the "
                                  "mouse, from the computed grid"));
    connect(plot, &QCustomPlot::mouseMove, this, &PlanePlot::onMouseMove);
}

void PlanePlot::clear() { setPlane(LandscapePlaneResult{}); }

void PlanePlot::setPlane(const LandscapePlaneResult& plane)
{
    plane_ = plane;
    if (plane.resolution >= 2) {
        plot()->xAxis->setRange(plane.uMin, plane.uMax);
        plot()->yAxis->setRange(plane.vMin, plane.vMax);
    }
    refreshMap();
    refreshArrows();
    refreshPoints();
    refreshTrajectories();
    readout_->clear();
    requestReplot();
}

void PlanePlot::refreshMap()
{
    const int r = plane_.resolution;
    if (r < 2 || plane_.energies.size() != qsizetype(r) * r) {
        clearHeatMap(map_);
        return;
    }
    map_->data()->setSize(r, r);
    map_->data()->setRange(QCPRange(plane_.uMin, plane_.uMax), QCPRange(plane_.vMin, plane_.vMax));
    QVector<double> finite;
    for (int row = 0; row < r; ++row)
        for (int column = 0; column < r; ++column) {
            // Row 0 is at vMin: the value axis points up, as the plane's t does.
            const double e = plane_.energies[row * r + column];
            map_->data()->setCell(column, row, e);
            if (std::isfinite(e))
                finite << e;
        }
    if (finite.isEmpty()) {
        map_->setDataRange(QCPRange(0.0, 1.0));
    } else {
        std::sort(finite.begin(), finite.end());
        const double low = finite.front();
        const double top = finite[std::min<qsizetype>(finite.size() - 1, static_cast<qsizetype>(kEnergyQuantile * finite.size()))];
        map_->setDataRange(QCPRange(low, std::max(top, low + 1e-9 * (1.0 + std::abs(low)))));
    }
    map_->setVisible(true);
}

void PlanePlot::refreshArrows()
{
    const int r = plane_.resolution;
    const qsizetype cells = qsizetype(r) * r;
    ArrowField field;
    if (r >= 2 && plane_.gradU.size() == cells && plane_.gradV.size() == cells) {
        field.resolution = r;
        field.extent = QRectF(QPointF(plane_.uMin, plane_.vMin), QPointF(plane_.uMax, plane_.vMax));
        field.vectorAt = [this, r](int row, int column) {
            return QPointF(plane_.gradU[row * r + column], plane_.gradV[row * r + column]);
        };
    }
    arrows_ = drawArrows(arrowCurve_, field, kArrowsPerSide);
}

void PlanePlot::refreshPoints()
{
    for (QCPItemText* label : labels_)
        plot()->removeItem(label);
    labels_.clear();
    QVector<double> setX, setY, namedX, namedY;
    for (int i = 0; i < plane_.points.size(); ++i) {
        const QPointF p = plane_.points[i];
        const QString name = plane_.pointLabels.value(i);
        if (name.isEmpty()) {
            setX << p.x();
            setY << p.y();
            continue;
        }
        namedX << p.x();
        namedY << p.y();
        auto* label = new QCPItemText(plot());
        label->position->setCoords(p.x(), p.y());
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->setPadding(QMargins(6, 0, 0, 4));
        label->setText(name);
        label->setColor(Qt::white);
        QFont font = label->font();
        font.setBold(true);
        label->setFont(font);
        labels_ << label;
    }
    setPoints_->setData(setX, setY);
    namedPoints_->setData(namedX, namedY);
}

void PlanePlot::refreshTrajectories()
{
    QVector<double> t, xs, ys, endX, endY;
    for (const QVector<QPointF>& chain : plane_.trajectories) {
        for (const QPointF& p : chain) {
            t << double(t.size());
            xs << p.x();
            ys << p.y();
        }
        t << double(t.size());
        xs << kNaN;
        ys << kNaN;
        if (!chain.isEmpty()) {
            endX << chain.last().x();
            endY << chain.last().y();
        }
    }
    chains_->setData(t, xs, ys, true);
    chainEnds_->setData(endX, endY);
}

double PlanePlot::cellEnergy(int row, int column) const
{
    const int r = mapResolution();
    if (row < 0 || column < 0 || row >= r || column >= r)
        return kNaN;
    return map_->data()->cell(column, row);
}

int PlanePlot::mapResolution() const { return map_->visible() ? map_->data()->keySize() : 0; }

QRectF PlanePlot::mapRect() const
{
    const QCPRange u = map_->data()->keyRange(), v = map_->data()->valueRange();
    return QRectF(QPointF(u.lower, v.lower), QPointF(u.upper, v.upper));
}

QStringList PlanePlot::pointLabels() const
{
    QStringList names;
    for (const QCPItemText* label : labels_)
        names << label->text();
    return names;
}

int PlanePlot::markedPoints() const { return setPoints_->dataCount() + namedPoints_->dataCount(); }

PlanePlot::Readout PlanePlot::readoutAt(const QPointF& point) const
{
    Readout readout;
    const int r = plane_.resolution;
    const qsizetype cells = qsizetype(r) * r;
    if (r < 2 || plane_.energies.size() != cells || !(plane_.uMax > plane_.uMin) || !(plane_.vMax > plane_.vMin))
        return readout;
    // Node (row, column) sits at (uMin + du column, vMin + dv row), as the heat map's cells do.
    const double gx = (point.x() - plane_.uMin) / (plane_.uMax - plane_.uMin) * (r - 1);
    const double gy = (point.y() - plane_.vMin) / (plane_.vMax - plane_.vMin) * (r - 1);
    if (!(gx >= 0.0 && gx <= r - 1 && gy >= 0.0 && gy <= r - 1))
        return readout;
    const int x0 = std::min(static_cast<int>(gx), r - 2), y0 = std::min(static_cast<int>(gy), r - 2);
    const double fx = gx - x0, fy = gy - y0;
    auto bilinear = [&](const QVector<double>& grid) {
        if (grid.size() != cells)
            return kNaN;
        const auto node = [&](int column, int row) { return grid[row * r + column]; };
        return (1 - fy) * ((1 - fx) * node(x0, y0) + fx * node(x0 + 1, y0)) +
               fy * ((1 - fx) * node(x0, y0 + 1) + fx * node(x0 + 1, y0 + 1));
    };
    readout.energy = bilinear(plane_.energies);
    readout.score = bilinear(plane_.scoreNorm);
    // The projected score interpolated as a vector, then measured.
    readout.inPlane = std::hypot(bilinear(plane_.gradU), bilinear(plane_.gradV));
    readout.inside = std::isfinite(readout.energy);
    return readout;
}

void PlanePlot::showReadout(const QPointF& at)
{
    const Readout readout = readoutAt(at);
    readout_->setText(readout.inside ? tr("(s, t) = (%1, %2)   E = %3   |score| = %4   in the plane %5")
                                           .arg(at.x(), 0, 'g', 3)
                                           .arg(at.y(), 0, 'g', 3)
                                           .arg(readout.energy, 0, 'g', 5)
                                           .arg(readout.score, 0, 'g', 4)
                                           .arg(readout.inPlane, 0, 'g', 4)
                                     : QString());
}

void PlanePlot::onMouseMove(QMouseEvent* event)
{
    const QPointF pixel = event->position();
    showReadout(QPointF(plot()->xAxis->pixelToCoord(pixel.x()), plot()->yAxis->pixelToCoord(pixel.y())));
}

}  // namespace ebm::studio
