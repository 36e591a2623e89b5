#pragma once
// The control points of the edited schedule as a table: step, temperature and how the curve
// goes on to the next point, typed in exactly. Synced both ways with the curve editor: the
// table shows every change of the curve and selects the points the editor selects.
#include <QTableWidget>
#include <QVector>

namespace ebm::studio {

class ScheduleDocument;

class ControlPointTable : public QTableWidget {
    Q_OBJECT
public:
    enum Column { StepColumn, TemperatureColumn, ModeColumn };

    explicit ControlPointTable(ScheduleDocument* document, QWidget* parent = nullptr);

    QVector<int> selectedPoints() const;
    void selectPoints(const QVector<int>& points);

Q_SIGNALS:
    /// The person selected rows.
    void pointsSelected(const QVector<int>& points);
    void problem(const QString& message);

private:
    void rebuild();
    void onItemChanged(QTableWidgetItem* item);
    void setMode(int row, int modeIndex);

    ScheduleDocument* document_;
    bool rebuilding_ = false;
};

}  // namespace ebm::studio
