#include "pages/learn/landscape_plot.h"

#include "widgets/heat_map_arrows.h"
#include "widgets/qcustomplot_include.h"

#include <QLabel>
#include <QMouseEvent>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebm::studio {
namespace {

constexpr int kArrowsPerSide = 17;            // score arrows on a coarse grid over the landscape
constexpr int kDabIntervalMs = 30;            // a held brush keeps painting: density follows time
constexpr int kPointsPerDab = 3;
constexpr int kParticlesPerDrop = 12;
constexpr double kEnergyQuantile = 0.9;       // the colour range stops here: the far corners would wash it out
const QColor kDataColor(235, 235, 235, 150);
const QColor kParticleColor(40, 220, 255);
const QColor kTrailColor(40, 220, 255, 70);

}  // namespace

LandscapePlot::LandscapePlot(const QString& title, const QString& fileStem, QWidget* parent)
    : PlotPanel(title, fileStem, parent)
{
    QCustomPlot* plot = this->plot();
    plot->setInteractions(QCP::Interactions());   // the mouse is the brush's
    setLegendPlacement(LegendPlacement::Hidden);
    // The colours' key reads energy above the lowest on the grid; nothing is drawn until a
    // landscape arrives.
    const HeatMap heatMap = addHeatMap(plot, tr("E − min E"), QCPColorGradient(QCPColorGradient::gpThermal), true);
    map_ = heatMap.map;
    scale_ = heatMap.scale;
    readout_ = addMouseReadout(this, QStringLiteral("landscapeReadout"),
                               tr("The energy and the length of its gradient under the mouse, from the computed grid"));
    data_ = plot->addGraph();
    data_->setLineStyle(QCPGraph::lsNone);
    data_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kDataColor, 3));
    data_->setAdaptiveSampling(false);
    arrows_ = addArrowCurve(plot);
    trails_ = new QCPCurve(plot->xAxis, plot->yAxis);
    trails_->setPen(QPen(kTrailColor, 1));
    particles_ = plot->addGraph();
    particles_->setLineStyle(QCPGraph::lsNone);
    particles_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 0.5), QBrush(kParticleColor), 5));
    particles_->setAdaptiveSampling(false);
    plot->xAxis->setLabel(QStringLiteral("x₁"));
    plot->yAxis->setLabel(QStringLiteral("x₂"));
    dabTimer_ = new QTimer(this);
    dabTimer_->setInterval(kDabIntervalMs);
    connect(dabTimer_, &QTimer::timeout, this, &LandscapePlot::dab);
    connect(plot, &QCustomPlot::mousePress, this, &LandscapePlot::onPress);
    connect(plot, &QCustomPlot::mouseMove, this, &LandscapePlot::onMove);
    connect(plot, &QCustomPlot::mouseRelease, this, &LandscapePlot::onRelease);
    setExtent(3.0);
}

void LandscapePlot::setExtent(double extent)
{
    extent_ = extent;
    plot()->xAxis->setRange(-extent, extent);
    plot()->yAxis->setRange(-extent, extent);
    requestReplot();
}

void LandscapePlot::setLandscape(const LearnLandscape& landscape)
{
    landscape_ = landscape;
    const int r = landscape.resolution;
    if (r < 2 || landscape.energies.size() != r * r) {
        clearHeatMap(map_);
        arrows_->data()->clear();
        requestReplot();
        return;
    }
    map_->data()->setSize(r, r);
    map_->data()->setRange(QCPRange(-landscape.extent, landscape.extent), QCPRange(-landscape.extent, landscape.extent));
    QVector<float> sorted = landscape.energies;
    std::sort(sorted.begin(), sorted.end());
    const double lowest = sorted.front();
    const double top = sorted[std::min<int>(sorted.size() - 1, static_cast<int>(kEnergyQuantile * sorted.size()))];
    for (int iy = 0; iy < r; ++iy)
        for (int ix = 0; ix < r; ++ix)
            map_->data()->setCell(ix, iy, landscape.energies[iy * r + ix] - lowest);
    map_->setDataRange(QCPRange(0.0, std::max(1e-9, top - lowest)));
    map_->setVisible(true);
    refreshArrows();
    requestReplot();
}

void LandscapePlot::refreshArrows()
{
    const int r = landscape_.resolution;
    ArrowField field;
    if (arrowsVisible_ && r >= 2 && landscape_.scoreX.size() == r * r && landscape_.scoreY.size() == r * r) {
        field.resolution = r;
        field.extent = QRectF(-landscape_.extent, -landscape_.extent, 2.0 * landscape_.extent, 2.0 * landscape_.extent);
        field.vectorAt = [this, r](int row, int column) {
            return QPointF(landscape_.scoreX[row * r + column], landscape_.scoreY[row * r + column]);
        };
    }
    drawArrows(arrows_, field, kArrowsPerSide);
}

void LandscapePlot::setDataPoints(const QVector<QPointF>& points)
{
    points_ = points;
    refreshData();
}

void LandscapePlot::refreshData()
{
    QVector<double> xs, ys;
    xs.reserve(points_.size());
    ys.reserve(points_.size());
    for (const QPointF& p : points_) {
        xs.push_back(p.x());
        ys.push_back(p.y());
    }
    data_->setData(xs, ys);
    requestReplot();
}

void LandscapePlot::setParticles(const QVector<QPointF>& positions, const QVector<QVector<QPointF>>& trail)
{
    QVector<double> xs, ys;
    for (const QPointF& p : positions) {
        xs.push_back(p.x());
        ys.push_back(p.y());
    }
    particles_->setData(xs, ys);
    QVector<double> t, tx, ty;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int i = 0; i < positions.size() && !trail.isEmpty(); ++i) {
        for (const QVector<QPointF>& frame : trail)
            if (i < frame.size()) {
                t.push_back(t.size());
                tx.push_back(frame[i].x());
                ty.push_back(frame[i].y());
            }
        t.push_back(t.size());
        tx.push_back(positions[i].x());
        ty.push_back(positions[i].y());
        t.push_back(t.size());
        tx.push_back(nan);
        ty.push_back(nan);
    }
    trails_->setData(t, tx, ty, true);
    requestReplot();
}

int LandscapePlot::particleCount() const { return particles_->dataCount(); }

void LandscapePlot::setArrowsVisible(bool visible)
{
    arrowsVisible_ = visible;
    refreshArrows();
    requestReplot();
}

void LandscapePlot::setDataVisible(bool visible)
{
    data_->setVisible(visible);
    requestReplot();
}

QPointF LandscapePlot::toPlane(const QPoint& pixel) const
{
    return QPointF(plot()->xAxis->pixelToCoord(pixel.x()), plot()->yAxis->pixelToCoord(pixel.y()));
}

QPoint LandscapePlot::toPixel(const QPointF& plane) const
{
    return QPoint(static_cast<int>(std::lround(plot()->xAxis->coordToPixel(plane.x()))),
                  static_cast<int>(std::lround(plot()->yAxis->coordToPixel(plane.y()))));
}

void LandscapePlot::onPress(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || tool_ == Tool::None)
        return;
    cursor_ = toPlane(event->position().toPoint());
    if (tool_ == Tool::DropParticles) {
        QVector<QPointF> drop;
        for (int i = 0; i < kParticlesPerDrop; ++i) {
            const double angle = 2.0 * M_PI * QRandomGenerator::global()->generateDouble();
            const double radius = brushRadius_ * std::sqrt(QRandomGenerator::global()->generateDouble());
            drop.push_back(cursor_ + QPointF(radius * std::cos(angle), radius * std::sin(angle)));
        }
        Q_EMIT particlesDropped(drop);
        return;
    }
    stroking_ = true;
    strokeStart_ = points_;
    dab();
    dabTimer_->start();
}

void LandscapePlot::onMove(QMouseEvent* event)
{
    const QPointF plane = toPlane(event->position().toPoint());
    showReadout(plane);
    if (!stroking_)
        return;
    cursor_ = plane;
    dab();
}

LandscapePlot::Readout LandscapePlot::readoutAt(const QPointF& plane) const
{
    Readout readout;
    const int r = landscape_.resolution;
    if (r < 2 || landscape_.energies.size() != r * r || !(landscape_.extent > 0.0))
        return readout;
    // Node (ix, iy) sits at -extent + 2 extent i / (r - 1), as the heat map's cells do.
    const double spacing = 2.0 * landscape_.extent / (r - 1);
    const double gx = (plane.x() + landscape_.extent) / spacing, gy = (plane.y() + landscape_.extent) / spacing;
    if (!(gx >= 0.0 && gx <= r - 1 && gy >= 0.0 && gy <= r - 1))
        return readout;
    const int x0 = std::min(static_cast<int>(gx), r - 2), y0 = std::min(static_cast<int>(gy), r - 2);
    const double fx = gx - x0, fy = gy - y0;
    auto bilinear = [&](const QVector<float>& grid) {
        const auto at = [&](int ix, int iy) { return double(grid[iy * r + ix]); };
        return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
               fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
    };
    readout.inside = true;
    readout.energy = bilinear(landscape_.energies);
    // The score is -grad E: its length is |grad E| (interpolated as a vector, then measured).
    if (landscape_.scoreX.size() == r * r && landscape_.scoreY.size() == r * r)
        readout.gradient = std::hypot(bilinear(landscape_.scoreX), bilinear(landscape_.scoreY));
    return readout;
}

void LandscapePlot::showReadout(const QPointF& plane)
{
    const Readout readout = readoutAt(plane);
    readout_->setText(readout.inside ? tr("x = (%1, %2)   E = %3   |∇E| = %4")
                                           .arg(plane.x(), 0, 'f', 2)
                                           .arg(plane.y(), 0, 'f', 2)
                                           .arg(readout.energy, 0, 'g', 4)
                                           .arg(readout.gradient, 0, 'g', 4)
                                     : QString());
}

void LandscapePlot::onRelease(QMouseEvent* event)
{
    if (!stroking_ || event->button() != Qt::LeftButton)
        return;
    stroking_ = false;
    dabTimer_->stop();
    if (points_ != strokeStart_)
        Q_EMIT strokeFinished(strokeStart_, points_, tool_ == Tool::Erase ? tr("Erase points") : tr("Draw points"));
}

void LandscapePlot::dab()
{
    if (!stroking_)
        return;
    if (tool_ == Tool::Erase) {
        const double r2 = brushRadius_ * brushRadius_;
        points_.erase(std::remove_if(points_.begin(), points_.end(),
                                     [&](const QPointF& p) {
                                         const QPointF d = p - cursor_;
                                         return d.x() * d.x() + d.y() * d.y() <= r2;
                                     }),
                      points_.end());
    } else {
        // A seeded stream: the same strokes give the same points (tests, and no surprises).
        QRandomGenerator random(dabSeed_++);
        for (int i = 0; i < kPointsPerDab; ++i) {
            const double angle = 2.0 * M_PI * random.generateDouble();
            const double radius = brushRadius_ * std::sqrt(random.generateDouble());
            points_.push_back(cursor_ + QPointF(radius * std::cos(angle), radius * std::sin(angle)));
        }
    }
    refreshData();
}

}  // namespace ebm::studio
