#pragma once
// The Learn page's plane: the energy E(x) as a heat map, the score field -dE/dx as arrows, the
// data points, and particles with short trails. The mouse paints data points (a brush whose
// density follows how long it is held), erases them, or drops particles, depending on the tool.
// Each stroke ends in one strokeFinished(before, after) that the page pushes as an undo command.
// A colour scale beside the plane reads the heat map's colours; under the mouse a readout gives
// E(x) and |grad E| interpolated from the computed grid.
#include <QElapsedTimer>
#include <QPointF>
#include <QVector>

#include "widgets/plot_panel.h"
#include "pages/learn/learn_jobs.h"

class QCPColorMap;
class QCPColorScale;
class QCPCurve;
class QCPGraph;
class QLabel;
class QMouseEvent;
class QTimer;

namespace ebm::studio {

class LandscapePlot : public PlotPanel {
    Q_OBJECT
public:
    enum class Tool { None, Draw, Erase, DropParticles };

    LandscapePlot(const QString& title, const QString& fileStem, QWidget* parent = nullptr);

    /// E(x) and |grad E| at a point of the plane, bilinear between the grid's nodes.
    struct Readout {
        bool inside = false;   // false: no landscape, or the point is off its grid
        double energy = 0.0;
        double gradient = 0.0;
    };
    Readout readoutAt(const QPointF& plane) const;
    /// The readout of the point under the mouse (title bar); empty away from the landscape.
    QLabel* readoutLabel() const { return readout_; }
    QCPColorScale* colourScale() const { return scale_; }

    void setExtent(double extent);
    double extent() const { return extent_; }
    void setLandscape(const LearnLandscape& landscape);
    const LearnLandscape& landscape() const { return landscape_; }
    void setDataPoints(const QVector<QPointF>& points);
    const QVector<QPointF>& dataPoints() const { return points_; }
    /// Particles now and their recent positions (oldest first) for the trails.
    void setParticles(const QVector<QPointF>& positions, const QVector<QVector<QPointF>>& trail = {});
    int particleCount() const;
    void setArrowsVisible(bool visible);
    void setDataVisible(bool visible);

    void setTool(Tool tool) { tool_ = tool; }
    Tool tool() const { return tool_; }
    void setBrushRadius(double radius) { brushRadius_ = radius; }
    /// Plot coordinates of a point of the plot widget.
    QPointF toPlane(const QPoint& pixel) const;
    QPoint toPixel(const QPointF& plane) const;

Q_SIGNALS:
    void strokeFinished(const QVector<QPointF>& before, const QVector<QPointF>& after, const QString& text);
    void particlesDropped(const QVector<QPointF>& points);

private:
    void onPress(QMouseEvent* event);
    void onMove(QMouseEvent* event);
    void onRelease(QMouseEvent* event);
    void dab();
    void refreshData();
    void refreshArrows();
    void showReadout(const QPointF& plane);

    double extent_ = 3.0;
    LearnLandscape landscape_;
    QVector<QPointF> points_;
    QVector<QPointF> strokeStart_;
    bool stroking_ = false;
    QPointF cursor_;
    Tool tool_ = Tool::None;
    double brushRadius_ = 0.2;
    quint32 dabSeed_ = 1;
    QTimer* dabTimer_;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QLabel* readout_;
    QCPGraph* data_;
    QCPCurve* arrows_;
    QCPCurve* trails_;
    QCPGraph* particles_;
    bool arrowsVisible_ = true;
};

}  // namespace ebm::studio
