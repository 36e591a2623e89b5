#include "pages/schedule/schedule_curve_editor.h"

#include <QActionGroup>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "widgets/qcustomplot_include.h"
#include "pages/schedule/schedule_document.h"

namespace ebm::studio {
namespace {

constexpr double kPickRadius = 8.0;         // pixels: a press this close grabs a point
constexpr double kCurvePickDistance = 6.0;  // pixels: a press this close to the curve adds a point
constexpr double kClickSlop = 3.0;          // pixels: a rubber band smaller than this is a click
constexpr double kDefaultLogFloor = 1e-2;   // T = 0 is drawn here on the log axis
constexpr double kSmallestLogFloor = 1e-6;
constexpr double kNudgeDecades = 0.02;      // one arrow key on the log axis: x1.047
constexpr double kNudgeLinearFraction = 0.01;  // one arrow key on the linear axis: 1% of the top
constexpr int kBigNudge = 10;               // with Shift
constexpr double kStepMargin = 0.02;        // of the length, left and right of the curve

const QColor kCurveColor(230, 120, 20);
const QColor kPointColor(120, 60, 0);
const QColor kSelectedColor(30, 100, 220);
const QColor kEnergyColor(25, 90, 200, 170);
const QColor kEnergyBandColor(25, 90, 200, 35);

QString number(double v) { return QString::number(v, 'g', 4); }

}  // namespace

ScheduleCurveEditor::ScheduleCurveEditor(ScheduleDocument* document, QWidget* parent)
    : PlotPanel(tr("Annealing schedule"), QStringLiteral("schedule"), parent), document_(document)
{
    QCustomPlot* plot = this->plot();
    plot->setObjectName(QStringLiteral("scheduleEditorPlot"));
    plot->setInteractions(QCP::Interactions());  // the editor handles the mouse itself
    plot->setMouseTracking(true);                // for the readout
    plot->setFocusPolicy(Qt::StrongFocus);
    plot->installEventFilter(this);
    plot->setToolTip(tr("Drag points (Shift or Ctrl adds to the selection, drag on empty space selects several); "
                        "click the curve to add a point; Delete removes; arrows nudge; right-click for segment modes"));
    plot->xAxis->setLabel(tr("Langevin step"));
    plot->yAxis->setLabel(tr("temperature T"));
    plot->yAxis->setLabelColor(kCurveColor.darker(120));
    plot->yAxis2->setLabel(tr("energy of the last run"));
    plot->yAxis2->setLabelColor(kEnergyColor);
    plot->yAxis2->setTickLabelColor(kEnergyColor);

    energyMin_ = plot->addGraph(plot->xAxis, plot->yAxis2);
    energyMin_->setPen(Qt::NoPen);
    energyMin_->removeFromLegend();
    energyMax_ = plot->addGraph(plot->xAxis, plot->yAxis2);
    energyMax_->setPen(Qt::NoPen);
    energyMax_->setBrush(kEnergyBandColor);
    energyMax_->setChannelFillGraph(energyMin_);
    energyMax_->setName(tr("energy min–max"));
    energyMean_ = plot->addGraph(plot->xAxis, plot->yAxis2);
    energyMean_->setPen(QPen(kEnergyColor, 1.5));
    energyMean_->setName(tr("mean energy"));

    curveGraph_ = plot->addGraph();
    curveGraph_->setPen(QPen(kCurveColor, 2));
    curveGraph_->setName(tr("temperature"));
    curveGraph_->setAdaptiveSampling(true);
    pointsGraph_ = plot->addGraph();
    pointsGraph_->setLineStyle(QCPGraph::lsNone);
    pointsGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kPointColor, Qt::white, 9));
    pointsGraph_->setName(tr("control points"));
    selectedGraph_ = plot->addGraph();
    selectedGraph_->setLineStyle(QCPGraph::lsNone);
    selectedGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kSelectedColor, kSelectedColor, 11));
    selectedGraph_->removeFromLegend();

    rubberBand_ = new QCPItemRect(plot);
    rubberBand_->setPen(QPen(kSelectedColor, 1, Qt::DashLine));
    rubberBand_->setBrush(QColor(30, 100, 220, 30));
    rubberBand_->topLeft->setType(QCPItemPosition::ptAbsolute);
    rubberBand_->bottomRight->setType(QCPItemPosition::ptAbsolute);
    rubberBand_->setVisible(false);
    rubberBand_->setSelectable(false);

    auto* readout = new QLabel(this);
    readout->setObjectName(QStringLiteral("scheduleReadout"));
    readout->setStyleSheet(QStringLiteral("color: gray"));
    readout->setMinimumWidth(readout->fontMetrics().horizontalAdvance(QStringLiteral("step 100000 · T = 0.0001 (curve 0.0001)")));
    addTitleBarWidget(readout);
    connect(plot, &QCustomPlot::mousePress, this, &ScheduleCurveEditor::onPress);
    connect(plot, &QCustomPlot::mouseMove, this, [this, readout](QMouseEvent* event) {
        onMove(event);
        readout->setText(readout_);
    });
    connect(plot, &QCustomPlot::mouseRelease, this, &ScheduleCurveEditor::onRelease);

    setLegendPlacement(LegendPlacement::AboveAxes);
    setLogScaleAvailable(true, tr("Logarithmic temperature axis (T = 0 is drawn on the axis floor)"));
    connect(document_, &ScheduleDocument::curveChanged, this, &ScheduleCurveEditor::refresh);
    setLogScale(true);
    drawEnergyTrace();  // none yet: its axis and legend entries stay hidden
    refresh();
}

double ScheduleCurveEditor::axisValue(double temperature) const
{
    return logScale() ? std::log10(std::max(temperature, floor_)) : temperature;
}

double ScheduleCurveEditor::temperatureFromAxisValue(double value) const
{
    if (!logScale())
        return std::max(0.0, value);
    const double t = std::pow(10.0, value);
    return t <= floor_ * (1.0 + 1e-9) ? 0.0 : t;  // the floor is T = 0
}

double ScheduleCurveEditor::stepAt(double x) const { return plot()->xAxis->pixelToCoord(x); }

QPointF ScheduleCurveEditor::pixelOf(double step, double temperature) const
{
    const double shown = logScale() ? std::max(temperature, floor_) : temperature;
    return {plot()->xAxis->coordToPixel(step), plot()->yAxis->coordToPixel(shown)};
}

QPointF ScheduleCurveEditor::pointPixel(int index) const
{
    const ebm::CurvePoint& p = document_->curve().points().at(static_cast<size_t>(index));
    return pixelOf(p.step, p.temperature);
}

QString ScheduleCurveEditor::readout() const { return readout_; }

void ScheduleCurveEditor::setSelection(QVector<int> points)
{
    const int count = static_cast<int>(document_->curve().points().size());
    points.erase(std::remove_if(points.begin(), points.end(), [count](int i) { return i < 0 || i >= count; }),
                 points.end());
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    if (points == selection_)
        return;
    selection_ = points;
    nudgeKey_ = 0;  // a new selection starts a new undo step for nudges
    refresh();
    Q_EMIT selectionChanged();
}

void ScheduleCurveEditor::setEnergyTrace(const EnergyTrace& trace)
{
    trace_ = trace;
    drawEnergyTrace();
    requestReplot();
}

void ScheduleCurveEditor::drawEnergyTrace()
{
    QCustomPlot* plot = this->plot();
    energyMean_->setData(trace_.steps, trace_.mean, true);
    energyMin_->setData(trace_.steps, trace_.min, true);
    energyMax_->setData(trace_.steps, trace_.max, true);
    const bool show = !trace_.isEmpty();
    plot->yAxis2->setVisible(show);
    if (!show) {
        energyMean_->removeFromLegend();
        energyMax_->removeFromLegend();
        return;
    }
    energyMean_->setName(tr("mean energy (%1)").arg(trace_.source));
    energyMean_->addToLegend();
    energyMax_->addToLegend();
    double lo = *std::min_element(trace_.min.begin(), trace_.min.end());
    double hi = *std::max_element(trace_.max.begin(), trace_.max.end());
    if (!std::isfinite(lo) || !std::isfinite(hi))
        lo = 0.0, hi = 1.0;
    const double span = std::max(1e-9, hi - lo);
    plot->yAxis2->setRange(lo - 0.05 * span, hi + 0.05 * span);
}

void ScheduleCurveEditor::fitTemperatureAxis()
{
    double highest = 0.0, smallestPositive = std::numeric_limits<double>::infinity();
    for (const ebm::CurvePoint& p : document_->curve().points()) {
        highest = std::max(highest, p.temperature);
        if (p.temperature > 0)
            smallestPositive = std::min(smallestPositive, p.temperature);
    }
    highest = std::max(highest, 1e-3);
    floor_ = kDefaultLogFloor;
    while (floor_ > smallestPositive / 1.5 && floor_ > kSmallestLogFloor)
        floor_ /= 10.0;
    if (logScale())
        plot()->yAxis->setRange(floor_, highest * 3.0);
    else
        plot()->yAxis->setRange(-0.03 * highest, highest * 1.1);
}

void ScheduleCurveEditor::applyScales()
{
    setAxisLogarithmic(plot()->yAxis, logScale());
    plot()->yAxis->setLabel(logScale() ? tr("temperature T (log; 0 on the floor)") : tr("temperature T"));
    refresh();
}

void ScheduleCurveEditor::refresh()
{
    const ebm::ScheduleCurve& curve = document_->curve();
    // Keep the axes still under a dragging mouse: they follow when the button is released.
    if (gesture_ != Gesture::Drag)
        fitTemperatureAxis();
    const std::vector<double> t = curve.expand().temperatures();
    const bool log = logScale();
    auto shown = [&](double v) { return log ? std::max(v, floor_) : v; };
    QVector<double> x, y;
    x.reserve(static_cast<int>(t.size()) + 1);
    y.reserve(static_cast<int>(t.size()) + 1);
    x.push_back(0.0);
    y.push_back(shown(curve.temperatureAt(0.0)));
    for (size_t k = 0; k < t.size(); ++k) {
        x.push_back(static_cast<double>(k + 1));
        y.push_back(shown(t[k]));
    }
    curveGraph_->setData(x, y, true);

    QVector<double> px, py, sx, sy;
    const auto& points = curve.points();
    for (size_t i = 0; i < points.size(); ++i) {
        px.push_back(points[i].step);
        py.push_back(shown(points[i].temperature));
    }
    QVector<int> kept;
    for (int i : selection_)
        if (i < static_cast<int>(points.size())) {
            kept.push_back(i);
            sx.push_back(px[i]);
            sy.push_back(py[i]);
        }
    const bool selectionShrank = kept.size() != selection_.size();
    selection_ = kept;
    pointsGraph_->setData(px, py);  // sorted by step already
    selectedGraph_->setData(sx, sy);
    const double margin = kStepMargin * curve.steps();
    plot()->xAxis->setRange(-margin, curve.steps() + margin);
    requestReplot();
    if (selectionShrank)
        Q_EMIT selectionChanged();
}

int ScheduleCurveEditor::pointAt(const QPointF& pixel) const
{
    int best = -1;
    double bestDistance = kPickRadius;
    const auto& points = document_->curve().points();
    for (int i = 0; i < static_cast<int>(points.size()); ++i) {
        const QPointF p = pointPixel(i);
        const double d = std::hypot(p.x() - pixel.x(), p.y() - pixel.y());
        // On ties (points on one spot) the selected one wins, then the later one.
        if (d < bestDistance || (d <= bestDistance && (selection_.contains(i) || best < 0))) {
            best = i;
            bestDistance = d;
        }
    }
    return best;
}

int ScheduleCurveEditor::segmentNear(const QPointF& pixel) const
{
    const ebm::ScheduleCurve& curve = document_->curve();
    const double step = std::round(stepAt(pixel.x()));
    if (step < 0 || step > curve.steps())
        return -1;
    const double y = pixelOf(step, curve.temperatureAt(step)).y();
    if (std::abs(y - pixel.y()) > kCurvePickDistance)
        return -1;
    const auto& points = curve.points();
    return static_cast<int>(std::lower_bound(points.begin(), points.end(), step,
                                             [](const ebm::CurvePoint& p, double s) { return p.step < s; }) -
                            points.begin());
}

int ScheduleCurveEditor::segmentAtStep(double step) const
{
    const auto& points = document_->curve().points();
    for (size_t i = 0; i + 1 < points.size(); ++i)
        if (step >= points[i].step && step <= points[i + 1].step)
            return static_cast<int>(i);
    return -1;
}

bool ScheduleCurveEditor::commit(std::vector<ebm::CurvePoint> points, const QString& text, int mergeKey)
{
    // A point dragged onto the floor of the log axis means T = 0, which an exponential segment
    // cannot reach: there it stays on the floor, the smallest temperature drawn.
    for (size_t i = 0; i + 1 < points.size(); ++i)
        if (points[i].toNext == ebm::SegmentMode::Exponential) {
            points[i].temperature = std::max(points[i].temperature, floor_);
            points[i + 1].temperature = std::max(points[i + 1].temperature, floor_);
        }
    try {
        document_->edit(ebm::ScheduleCurve(document_->curve().steps(), std::move(points)), text, mergeKey);
        return true;
    } catch (const std::exception&) {
        return false;  // a move that breaks the curve is not taken; the points stay
    }
}

namespace {

/// The selected points of `from` moved by dStep (snapped to whole steps, never past an
/// unselected neighbour or the ends) and by dAxis on the temperature axis.
std::vector<ebm::CurvePoint> moved(const std::vector<ebm::CurvePoint>& from, const QVector<int>& selection,
                                   int steps, double dStep, double dAxis,
                                   const std::function<double(double)>& toAxis,
                                   const std::function<double(double)>& fromAxis)
{
    std::vector<ebm::CurvePoint> points = from;
    const int count = static_cast<int>(from.size());
    for (int i : selection) {
        double lo = 0.0, hi = steps;
        for (int j = i - 1; j >= 0; --j)
            if (!selection.contains(j)) {
                lo = from[j].step;
                break;
            }
        for (int j = i + 1; j < count; ++j)
            if (!selection.contains(j)) {
                hi = from[j].step;
                break;
            }
        // Rounding and clamping keep the order of the selected points among themselves.
        points[i].step = std::clamp(std::round(from[i].step + dStep), lo, hi);
        points[i].temperature = fromAxis(toAxis(from[i].temperature) + dAxis);
    }
    return points;
}

}  // namespace

void ScheduleCurveEditor::dragTo(const QPointF& pixel)
{
    const double dStep = stepAt(pixel.x()) - pressStep_;
    const double value = logScale() ? std::log10(std::max(plot()->yAxis->pixelToCoord(pixel.y()), 1e-300))
                                    : plot()->yAxis->pixelToCoord(pixel.y());
    const double dAxis = value - pressAxisValue_;
    commit(moved(pressPoints_, selection_, document_->curve().steps(), dStep, dAxis,
                 [this](double t) { return axisValue(t); }, [this](double v) { return temperatureFromAxisValue(v); }),
           selection_.size() > 1 ? tr("Move %1 points").arg(selection_.size()) : tr("Move point"), dragKey_);
}

void ScheduleCurveEditor::nudgeSelected(int steps, int temperatureTicks)
{
    if (selection_.isEmpty())
        return;
    if (nudgeKey_ == 0)
        nudgeKey_ = document_->newMergeKey();
    double highest = 0.0;
    for (const ebm::CurvePoint& p : document_->curve().points())
        highest = std::max(highest, p.temperature);
    const double dAxis = logScale() ? temperatureTicks * kNudgeDecades
                                    : temperatureTicks * kNudgeLinearFraction * std::max(highest, 1e-3);
    commit(moved(document_->curve().points(), selection_, document_->curve().steps(), steps, dAxis,
                 [this](double t) { return axisValue(t); },
                 [this](double v) {
                     // Up from the floor leaves T = 0; down onto it returns there.
                     return temperatureFromAxisValue(v);
                 }),
           tr("Nudge points"), nudgeKey_);
}

void ScheduleCurveEditor::deleteSelected()
{
    if (selection_.isEmpty())
        return;
    const auto& points = document_->curve().points();
    if (selection_.size() >= static_cast<int>(points.size())) {
        Q_EMIT problem(tr("A schedule keeps at least one control point: select fewer points to delete."));
        return;
    }
    std::vector<ebm::CurvePoint> kept;
    for (int i = 0; i < static_cast<int>(points.size()); ++i)
        if (!selection_.contains(i))
            kept.push_back(points[i]);
    const int removed = selection_.size();
    selection_.clear();
    if (!commit(kept, removed > 1 ? tr("Delete %1 points").arg(removed) : tr("Delete point"), 0))
        Q_EMIT problem(tr("Deleting these points would leave an exponential segment ending at T = 0; "
                          "make that segment linear first."));
    Q_EMIT selectionChanged();
}

void ScheduleCurveEditor::setSegmentMode(int segment, ebm::SegmentMode mode)
{
    std::vector<ebm::CurvePoint> points = document_->curve().points();
    if (segment < 0 || segment + 1 >= static_cast<int>(points.size()))
        return;
    if (mode == ebm::SegmentMode::Exponential &&
        !(points[segment].temperature > 0 && points[segment + 1].temperature > 0)) {
        Q_EMIT problem(tr("An exponential segment needs a positive temperature at both ends; this one "
                          "reaches T = 0. Use linear to reach 0."));
        return;
    }
    points[segment].toNext = mode;
    commit(points, tr("Segment mode"), 0);
}

void ScheduleCurveEditor::onPress(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;  // the right button opens the menu
    plot()->setFocus(Qt::MouseFocusReason);
    nudgeKey_ = 0;
    const QPointF pixel = event->position();
    const bool adds = event->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier);
    pressPixel_ = pixel;
    pressStep_ = stepAt(pixel.x());
    pressAxisValue_ = logScale() ? std::log10(std::max(plot()->yAxis->pixelToCoord(pixel.y()), 1e-300))
                                 : plot()->yAxis->pixelToCoord(pixel.y());
    int point = pointAt(pixel);
    if (point < 0) {
        const int insertAt = segmentNear(pixel);
        if (insertAt >= 0) {
            // A click on the curve adds a point there and keeps it in hand for a drag: the add
            // and the drag are one undo step.
            const ebm::ScheduleCurve& curve = document_->curve();
            std::vector<ebm::CurvePoint> points = curve.points();
            ebm::CurvePoint added;
            added.step = std::clamp(std::round(pressStep_), 0.0, double(curve.steps()));
            added.temperature = curve.temperatureAt(added.step);
            added.toNext = insertAt > 0 ? points[insertAt - 1].toNext
                                        : (insertAt < static_cast<int>(points.size()) ? ebm::SegmentMode::Constant
                                                                                       : ebm::SegmentMode::Linear);
            points.insert(points.begin() + insertAt, added);
            dragKey_ = document_->newMergeKey();
            selection_.clear();
            if (!commit(points, tr("Add point"), dragKey_))
                return;
            point = insertAt;
            selection_ = {point};
            refresh();
            Q_EMIT selectionChanged();
            pressPoints_ = document_->curve().points();
            gesture_ = Gesture::Drag;
            return;
        }
        gesture_ = Gesture::RubberBand;
        rubberBandAdds_ = adds;
        rubberBand_->topLeft->setCoords(pixel);
        rubberBand_->bottomRight->setCoords(pixel);
        return;
    }
    if (adds) {
        QVector<int> next = selection_;
        if (next.contains(point)) {
            next.removeAll(point);
            setSelection(next);
            return;  // a point taken out of the selection is not dragged
        }
        next.push_back(point);
        setSelection(next);
    } else if (!selection_.contains(point)) {
        setSelection({point});
    }
    pressPoints_ = document_->curve().points();
    dragKey_ = document_->newMergeKey();
    gesture_ = Gesture::Drag;
}

void ScheduleCurveEditor::onMove(QMouseEvent* event)
{
    const QPointF pixel = event->position();
    const double step = std::round(stepAt(pixel.x()));
    const ebm::ScheduleCurve& curve = document_->curve();
    const double value = plot()->yAxis->pixelToCoord(pixel.y());
    const double t = logScale() ? (value <= floor_ ? 0.0 : value) : std::max(0.0, value);
    readout_ = step >= 0 && step <= curve.steps()
                   ? tr("step %1 · T = %2 (curve %3)").arg(step).arg(number(t), number(curve.temperatureAt(step)))
                   : QString();
    if (gesture_ == Gesture::Drag) {
        dragTo(pixel);
    } else if (gesture_ == Gesture::RubberBand) {
        rubberBand_->setVisible(true);
        rubberBand_->topLeft->setCoords(QPointF(std::min(pressPixel_.x(), pixel.x()), std::min(pressPixel_.y(), pixel.y())));
        rubberBand_->bottomRight->setCoords(QPointF(std::max(pressPixel_.x(), pixel.x()), std::max(pressPixel_.y(), pixel.y())));
        replotNow();
    }
}

void ScheduleCurveEditor::onRelease(QMouseEvent* event)
{
    const Gesture gesture = gesture_;
    gesture_ = Gesture::None;
    if (gesture == Gesture::Drag) {
        refresh();  // the axes may follow the moved points now
        return;
    }
    if (gesture != Gesture::RubberBand)
        return;
    rubberBand_->setVisible(false);
    const QPointF pixel = event->position();
    const QRectF band = QRectF(pressPixel_, pixel).normalized();
    QVector<int> picked = rubberBandAdds_ ? selection_ : QVector<int>{};
    if (band.width() >= kClickSlop || band.height() >= kClickSlop) {
        for (int i = 0; i < static_cast<int>(document_->curve().points().size()); ++i)
            if (band.contains(pointPixel(i)))
                picked.push_back(i);
    }
    setSelection(picked);  // a click on empty space clears the selection
    replotNow();
}

void ScheduleCurveEditor::addContextMenuActions(QMenu& menu, const QPoint& position)
{
    const int point = pointAt(position);
    const auto& points = document_->curve().points();
    int segment = -1;
    if (point >= 0) {
        if (!selection_.contains(point))
            setSelection({point});
        menu.addAction(selection_.size() > 1 ? tr("Delete %1 points").arg(selection_.size()) : tr("Delete point"),
                       this, &ScheduleCurveEditor::deleteSelected);
        segment = point + 1 < static_cast<int>(points.size()) ? point : -1;
    } else {
        segment = segmentAtStep(stepAt(position.x()));
        if (segment >= 0 || points.empty()) {
            const double step = std::round(stepAt(position.x()));
            menu.addAction(tr("Add point at step %1").arg(step), this, [this, step] {
                const ebm::ScheduleCurve& curve = document_->curve();
                std::vector<ebm::CurvePoint> next = curve.points();
                const auto at = std::lower_bound(next.begin(), next.end(), step,
                                                 [](const ebm::CurvePoint& p, double s) { return p.step < s; });
                ebm::CurvePoint added{step, curve.temperatureAt(step), at == next.begin() ? ebm::SegmentMode::Constant : (at - 1)->toNext};
                next.insert(at, added);
                commit(next, tr("Add point"), 0);
            });
        }
    }
    if (segment < 0)
        return;
    menu.addSeparator();
    QAction* header = menu.addAction(tr("Segment from step %1 to %2:").arg(number(points[segment].step), number(points[segment + 1].step)));
    header->setEnabled(false);
    auto* modes = new QActionGroup(&menu);
    const bool positiveEnds = points[segment].temperature > 0 && points[segment + 1].temperature > 0;
    const std::pair<ebm::SegmentMode, QString> choices[] = {
        {ebm::SegmentMode::Constant, tr("Constant (stays at the first point's T)")},
        {ebm::SegmentMode::Linear, tr("Linear in T")},
        {ebm::SegmentMode::Exponential, positiveEnds ? tr("Exponential (linear in log T)")
                                                     : tr("Exponential (needs T > 0 at both ends)")}};
    for (const auto& [mode, text] : choices) {
        QAction* action = menu.addAction(text);
        action->setCheckable(true);
        action->setChecked(points[segment].toNext == mode);
        action->setEnabled(mode != ebm::SegmentMode::Exponential || positiveEnds);
        modes->addAction(action);
        const ebm::SegmentMode chosen = mode;
        connect(action, &QAction::triggered, this, [this, segment, chosen] { setSegmentMode(segment, chosen); });
    }
}

bool ScheduleCurveEditor::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != plot() || event->type() != QEvent::KeyPress)
        return PlotPanel::eventFilter(watched, event);
    auto* key = static_cast<QKeyEvent*>(event);
    const int amount = key->modifiers() & Qt::ShiftModifier ? kBigNudge : 1;
    switch (key->key()) {
    case Qt::Key_Delete:
    case Qt::Key_Backspace: deleteSelected(); return true;
    case Qt::Key_Left: nudgeSelected(-amount, 0); return true;
    case Qt::Key_Right: nudgeSelected(amount, 0); return true;
    case Qt::Key_Up: nudgeSelected(0, amount); return true;
    case Qt::Key_Down: nudgeSelected(0, -amount); return true;
    case Qt::Key_A:
        if (key->modifiers() & Qt::ControlModifier) {
            QVector<int> all;
            for (int i = 0; i < static_cast<int>(document_->curve().points().size()); ++i)
                all.push_back(i);
            setSelection(all);
            return true;
        }
        break;
    default: break;
    }
    return PlotPanel::eventFilter(watched, event);
}

}  // namespace ebm::studio
