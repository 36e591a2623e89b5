#pragma once
// The Path view's chart: the energy along the straight line and along the relaxed path on one
// set of axes (x: where each point lies along its path, as a fraction of the path's length), the
// saddle marked, and a vertical cursor that follows the mouse (hovering or dragging) to the
// nearest point, whose image the view shows large.
#include <QPointF>
#include <QVector>

#include "widgets/plot_panel.h"
#include "pages/landscape/landscape_jobs.h"

class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QMouseEvent;

namespace ebm::studio {

class PathChart : public PlotPanel {
    Q_OBJECT
public:
    enum class Series { Line, Relaxed };

    explicit PathChart(QWidget* parent = nullptr);

    /// Draws a series (its energies at its points' fractions of length); an empty profile
    /// removes it. The saddle is marked on the relaxed path when there is one, else on the line.
    void setProfile(Series series, const LandscapeProfile& profile);
    void clear();

    /// The point under the cursor (of the path drawn last: the relaxed one when there is one);
    /// -1 when nothing is drawn.
    int cursorIndex() const { return cursor_; }
    void setCursorIndex(int index);
    /// The point nearest a position along the path (a fraction of its length); -1 when empty.
    int nearestPoint(double fraction) const;

    /// What the chart draws, read back from its graphs (tests, exports).
    QVector<double> shownPositions(Series series) const;
    QVector<double> shownEnergies(Series series) const;
    /// The point the saddle marker stands on (-1: none) and the series it marks.
    int markedSaddle() const { return saddle_; }
    Series markedSeries() const { return markedSeries_; }

Q_SIGNALS:
    void cursorMoved(int index);

private:
    QCPGraph* graph(Series series) const;
    const LandscapeProfile& profile(Series series) const;
    Series cursorSeries() const;
    void refreshSaddle();
    void refreshCursor();
    void followMouse(QMouseEvent* event);

    LandscapeProfile line_;
    LandscapeProfile relaxed_;
    QCPGraph* lineGraph_;
    QCPGraph* relaxedGraph_;
    QCPGraph* saddleGraph_;
    QCPItemText* saddleText_;
    QCPItemStraightLine* cursorLine_;
    int cursor_ = -1;
    int saddle_ = -1;
    Series markedSeries_ = Series::Line;
};

}  // namespace ebm::studio
