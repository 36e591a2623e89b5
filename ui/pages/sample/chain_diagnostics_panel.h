#pragma once
// The Sample page's chain diagnostics (issue 25): Stan's split R-hat, rank-normalized R-hat and
// bulk ESS of the energy and of a few random projections, over the longest stretch of steps
// the run's schedule holds at one temperature, with each verdict coloured by Stan's
// thresholds; a hint when the schedule holds no temperature. Plain values in (the run's
// ChainDiagnosticsReport): no torch.
#include <QColor>
#include <QWidget>

#include "ebm/base/chain_diagnostics.h"
#include "annealing/sampling_types.h"

class QLabel;
class QTableWidget;

namespace ebm::studio {

class ChainDiagnosticsPanel : public QWidget {
    Q_OBJECT
public:
    enum Column { QuantityColumn, SplitRhatColumn, RankRhatColumn, BulkEssColumn, VerdictColumn, ColumnCount };

    explicit ChainDiagnosticsPanel(QWidget* parent = nullptr);

    /// Shows a run's report: the table when it was measured, the hint when the schedule holds
    /// no temperature, the reason otherwise.
    void showReport(const ChainDiagnosticsReport& report);
    /// Back to the text shown before a run has ended (a new run starts).
    void clear();
    const ChainDiagnosticsReport& report() const { return report_; }

    /// The background of a verdict cell for what the rank R-hat says.
    static QColor verdictColour(ebm::Mixing mixing);

    QLabel* title() const { return title_; }
    QTableWidget* table() const { return table_; }
    /// The energy's lag-1 autocorrelation and the thresholds, under the table.
    QLabel* footer() const { return footer_; }
    /// Why there are no figures: no hold in the schedule (and how to add one), a stopped run...
    QLabel* hint() const { return hint_; }

private:
    void showFigures(const ChainDiagnosticsReport& report);

    ChainDiagnosticsReport report_;
    QLabel* title_;
    QTableWidget* table_;
    QLabel* footer_;
    QLabel* hint_;
};

}  // namespace ebm::studio
