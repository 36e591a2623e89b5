#include "pages/landscape/path_chart.h"

#include "widgets/qcustomplot_include.h"

#include <QMouseEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebm::studio {
namespace {

const QColor kLineColor(70, 110, 200);
const QColor kRelaxedColor(225, 120, 30);
const QColor kSaddleColor(200, 30, 30);
const QColor kCursorColor(90, 90, 90, 160);
constexpr double kMarkerSize = 6.0;
constexpr double kSaddleSize = 14.0;
constexpr double kRangeMargin = 0.06;  // of the energies' span, above and below

}  // namespace

PathChart::PathChart(QWidget* parent) : PlotPanel(tr("Energy along the path"), QStringLiteral("energy-path"), parent)
{
    QCustomPlot* plot = this->plot();
    plot->setInteractions(QCP::Interactions());   // the mouse moves the cursor
    lineGraph_ = plot->addGraph();
    lineGraph_->setName(tr("straight line"));
    lineGraph_->setPen(QPen(kLineColor, 1.5));
    lineGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kLineColor, kMarkerSize));
    relaxedGraph_ = plot->addGraph();
    relaxedGraph_->setName(tr("relaxed path (NEB)"));
    relaxedGraph_->setPen(QPen(kRelaxedColor, 2.0));
    relaxedGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kRelaxedColor, kMarkerSize));
    saddleGraph_ = plot->addGraph();
    saddleGraph_->setName(tr("saddle"));
    saddleGraph_->setLineStyle(QCPGraph::lsNone);
    saddleGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, QPen(kSaddleColor, 2.0), Qt::NoBrush, kSaddleSize));
    saddleText_ = new QCPItemText(plot);
    saddleText_->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    saddleText_->setColor(kSaddleColor);
    saddleText_->setPadding(QMargins(0, 0, 0, 8));
    saddleText_->setVisible(false);
    cursorLine_ = new QCPItemStraightLine(plot);
    cursorLine_->setPen(QPen(kCursorColor, 1.0, Qt::DashLine));
    cursorLine_->setVisible(false);
    plot->xAxis->setLabel(tr("position along the path (fraction of its length)"));
    plot->yAxis->setLabel(tr("energy E"));
    plot->xAxis->setRange(0.0, 1.0);
    setLegendPlacement(LegendPlacement::InsideTopRight);
    plot->setMouseTracking(true);   // the cursor follows the mouse without a button held
    connect(plot, &QCustomPlot::mousePress, this, &PathChart::followMouse);
    connect(plot, &QCustomPlot::mouseMove, this, &PathChart::followMouse);
    clear();
}

QCPGraph* PathChart::graph(Series series) const { return series == Series::Line ? lineGraph_ : relaxedGraph_; }

const LandscapeProfile& PathChart::profile(Series series) const { return series == Series::Line ? line_ : relaxed_; }

PathChart::Series PathChart::cursorSeries() const { return relaxed_.isEmpty() ? Series::Line : Series::Relaxed; }

void PathChart::clear()
{
    line_ = {};
    relaxed_ = {};
    lineGraph_->data()->clear();
    relaxedGraph_->data()->clear();
    cursor_ = -1;
    refreshSaddle();
    refreshCursor();
    requestReplot();
}

void PathChart::setProfile(Series series, const LandscapeProfile& values)
{
    (series == Series::Line ? line_ : relaxed_) = values;
    graph(series)->setData(values.fractions(), values.energies, true);
    graph(series)->setVisible(!values.isEmpty());
    // The energies' range, both series together, with a margin for the saddle's label.
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (const LandscapeProfile* shown : {&line_, &relaxed_})
        for (double e : shown->energies)
            if (std::isfinite(e)) {
                low = std::min(low, e);
                high = std::max(high, e);
            }
    if (low <= high) {
        const double margin = std::max(kRangeMargin * (high - low), 1e-9 * (1.0 + std::abs(high)));
        plot()->yAxis->setRange(low - margin, high + 2.0 * margin);
    }
    const int points = int(profile(cursorSeries()).energies.size());
    if (cursor_ >= points)
        cursor_ = points - 1;
    refreshSaddle();
    refreshCursor();
    requestReplot();
}

void PathChart::refreshSaddle()
{
    markedSeries_ = cursorSeries();
    const LandscapeProfile& marked = profile(markedSeries_);
    saddle_ = marked.energies.size() >= 3 ? marked.saddleIndex : -1;
    if (saddle_ < 0 || saddle_ >= marked.energies.size()) {
        saddle_ = -1;
        saddleGraph_->data()->clear();
        saddleText_->setVisible(false);
        return;
    }
    const double x = marked.fractions()[saddle_], y = marked.energies[saddle_];
    saddleGraph_->setData(QVector<double>{x}, QVector<double>{y});
    saddleText_->position->setCoords(x, y);
    saddleText_->setText(marked.barrier > 0.0 ? tr("saddle: ΔE = %1").arg(marked.barrier, 0, 'g', 4)
                                              : tr("highest point: no barrier"));
    saddleText_->setVisible(true);
}

void PathChart::refreshCursor()
{
    const QVector<double> positions = profile(cursorSeries()).fractions();
    if (cursor_ < 0 || cursor_ >= positions.size()) {
        cursorLine_->setVisible(false);
        return;
    }
    cursorLine_->point1->setCoords(positions[cursor_], 0.0);
    cursorLine_->point2->setCoords(positions[cursor_], 1.0);
    cursorLine_->setVisible(true);
}

int PathChart::nearestPoint(double fraction) const
{
    const QVector<double> positions = profile(cursorSeries()).fractions();
    int nearest = -1;
    double distance = std::numeric_limits<double>::infinity();
    for (int i = 0; i < positions.size(); ++i)
        if (std::abs(positions[i] - fraction) < distance) {
            distance = std::abs(positions[i] - fraction);
            nearest = i;
        }
    return nearest;
}

void PathChart::setCursorIndex(int index)
{
    const int points = int(profile(cursorSeries()).energies.size());
    const int clamped = points == 0 ? -1 : std::clamp(index, 0, points - 1);
    if (clamped == cursor_)
        return;
    cursor_ = clamped;
    refreshCursor();
    requestReplot();
    Q_EMIT cursorMoved(cursor_);
}

void PathChart::followMouse(QMouseEvent* event)
{
    if (profile(cursorSeries()).isEmpty())
        return;
    const int index = nearestPoint(plot()->xAxis->pixelToCoord(event->position().x()));
    if (index >= 0)
        setCursorIndex(index);
}

QVector<double> PathChart::shownPositions(Series series) const
{
    QVector<double> out;
    const auto data = graph(series)->data();
    for (auto it = data->constBegin(); it != data->constEnd(); ++it)
        out << it->key;
    return out;
}

QVector<double> PathChart::shownEnergies(Series series) const
{
    QVector<double> out;
    const auto data = graph(series)->data();
    for (auto it = data->constBegin(); it != data->constEnd(); ++it)
        out << it->value;
    return out;
}

}  // namespace ebm::studio
