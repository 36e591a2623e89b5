#include "pages/schedule/control_point_table.h"

#include <QComboBox>
#include <QHeaderView>

#include <cmath>

#include "ebm/schedule/schedule_curve.h"
#include "pages/schedule/schedule_document.h"

namespace ebm::studio {
namespace {

const ebm::SegmentMode kModes[] = {ebm::SegmentMode::Constant, ebm::SegmentMode::Linear, ebm::SegmentMode::Exponential};

int modeIndex(ebm::SegmentMode mode)
{
    for (int i = 0; i < 3; ++i)
        if (kModes[i] == mode)
            return i;
    return 1;
}

QString number(double v) { return QString::number(v, 'g', 6); }

}  // namespace

ControlPointTable::ControlPointTable(ScheduleDocument* document, QWidget* parent)
    : QTableWidget(parent), document_(document)
{
    setObjectName(QStringLiteral("controlPointTable"));
    setColumnCount(3);
    setHorizontalHeaderLabels({tr("Step"), tr("Temperature"), tr("To next point")});
    horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                    QAbstractItemView::AnyKeyPressed);
    setToolTip(tr("Type a step or a temperature; the mode says how the curve goes on to the next point"));
    connect(this, &QTableWidget::itemChanged, this, &ControlPointTable::onItemChanged);
    connect(this, &QTableWidget::itemSelectionChanged, this, [this] {
        if (!rebuilding_)
            Q_EMIT pointsSelected(selectedPoints());
    });
    connect(document_, &ScheduleDocument::curveChanged, this, &ControlPointTable::rebuild);
    rebuild();
}

QVector<int> ControlPointTable::selectedPoints() const
{
    QVector<int> rows;
    for (const QModelIndex& index : selectionModel()->selectedRows())
        rows.push_back(index.row());
    std::sort(rows.begin(), rows.end());
    return rows;
}

void ControlPointTable::selectPoints(const QVector<int>& points)
{
    if (points == selectedPoints())
        return;
    rebuilding_ = true;
    clearSelection();
    for (int row : points)
        if (row >= 0 && row < rowCount())
            selectionModel()->select(model()->index(row, 0),
                                     QItemSelectionModel::Select | QItemSelectionModel::Rows);
    if (!points.isEmpty() && points.front() < rowCount())
        scrollToItem(item(points.front(), 0));
    rebuilding_ = false;
}

void ControlPointTable::rebuild()
{
    const QVector<int> selected = selectedPoints();
    rebuilding_ = true;
    const auto& points = document_->curve().points();
    setRowCount(static_cast<int>(points.size()));
    for (int row = 0; row < rowCount(); ++row) {
        const ebm::CurvePoint& p = points[static_cast<size_t>(row)];
        auto* step = new QTableWidgetItem(number(p.step));
        auto* temperature = new QTableWidgetItem(number(p.temperature));
        step->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        temperature->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        setItem(row, StepColumn, step);
        setItem(row, TemperatureColumn, temperature);
        const bool last = row + 1 == rowCount();
        if (last) {
            removeCellWidget(row, ModeColumn);
            auto* end = new QTableWidgetItem(tr("(last point)"));
            end->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
            end->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            setItem(row, ModeColumn, end);
            continue;
        }
        setItem(row, ModeColumn, new QTableWidgetItem);
        auto* mode = qobject_cast<QComboBox*>(cellWidget(row, ModeColumn));
        if (!mode) {
            mode = new QComboBox(this);
            mode->addItems({tr("constant"), tr("linear"), tr("exponential")});
            mode->setFocusPolicy(Qt::StrongFocus);
            connect(mode, &QComboBox::activated, this, [this, mode](int index) {
                for (int r = 0; r < rowCount(); ++r)
                    if (cellWidget(r, ModeColumn) == mode)
                        setMode(r, index);
            });
            setCellWidget(row, ModeColumn, mode);
        }
        mode->setCurrentIndex(modeIndex(p.toNext));
    }
    rebuilding_ = false;
    selectPoints(selected);
}

void ControlPointTable::onItemChanged(QTableWidgetItem* item)
{
    if (rebuilding_ || item->column() == ModeColumn)
        return;
    const int row = item->row();
    std::vector<ebm::CurvePoint> points = document_->curve().points();
    if (row < 0 || row >= static_cast<int>(points.size()))
        return;
    bool ok = false;
    const double value = item->text().trimmed().toDouble(&ok);
    const bool isStep = item->column() == StepColumn;
    QString error;
    if (!ok || !std::isfinite(value))
        error = tr("'%1' is not a number").arg(item->text());
    else if (isStep)
        points[row].step = value;
    else
        points[row].temperature = value;
    if (error.isEmpty()) {
        try {
            document_->edit(ebm::ScheduleCurve(document_->curve().steps(), points),
                            isStep ? tr("Point step") : tr("Point temperature"));
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
    }
    if (!error.isEmpty()) {
        Q_EMIT problem(tr("Point %1 was not changed: %2").arg(row + 1).arg(error));
        rebuild();  // back to what the curve holds
    }
}

void ControlPointTable::setMode(int row, int index)
{
    std::vector<ebm::CurvePoint> points = document_->curve().points();
    if (row < 0 || row + 1 >= static_cast<int>(points.size()) || index < 0 || index > 2)
        return;
    points[row].toNext = kModes[index];
    try {
        document_->edit(ebm::ScheduleCurve(document_->curve().steps(), points), tr("Segment mode"));
    } catch (const std::exception& e) {
        Q_EMIT problem(tr("Point %1 keeps its mode: %2").arg(row + 1).arg(QString::fromUtf8(e.what())));
        rebuild();
    }
}

}  // namespace ebm::studio
