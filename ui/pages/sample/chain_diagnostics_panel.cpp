#include "pages/sample/chain_diagnostics_panel.h"

#include <QFont>
#include <QFrame>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace ebm::studio {
namespace {

/// A number as `ebm sample --diagnostics` prints it: fixed decimals, "inf" for an R-hat of
/// chains that each stayed constant.
QString figure(double value, int decimals)
{
    if (std::isnan(value))
        return QStringLiteral("nan");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    return QString::number(value, 'f', decimals);
}

QString steps(int count)
{
    return count == 1 ? ChainDiagnosticsPanel::tr("1 step") : ChainDiagnosticsPanel::tr("%1 steps").arg(count);
}

QTableWidgetItem* cell(const QString& text, Qt::Alignment alignment = Qt::AlignRight | Qt::AlignVCenter)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled);
    item->setTextAlignment(alignment);
    return item;
}

}  // namespace

ChainDiagnosticsPanel::ChainDiagnosticsPanel(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("chainDiagnosticsPanel"));
    title_ = new QLabel(this);
    title_->setObjectName(QStringLiteral("chainDiagnosticsTitle"));
    title_->setTextFormat(Qt::PlainText);
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    table_ = new QTableWidget(0, ColumnCount, this);
    table_->setObjectName(QStringLiteral("chainDiagnosticsTable"));
    table_->setHorizontalHeaderLabels({tr("quantity"), tr("split R-hat"), tr("rank R-hat"), tr("bulk ESS"),
                                       tr("verdict")});
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->setFocusPolicy(Qt::NoFocus);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);  // the table is as tall as its rows
    footer_ = new QLabel(this);
    footer_->setObjectName(QStringLiteral("chainDiagnosticsFooter"));
    footer_->setWordWrap(true);
    footer_->setTextFormat(Qt::PlainText);
    hint_ = new QLabel(this);
    hint_->setObjectName(QStringLiteral("chainDiagnosticsHint"));
    hint_->setWordWrap(true);
    hint_->setTextFormat(Qt::PlainText);

    // The panel sits under the chart: a scroll area keeps its minimum height small, so the
    // page's minimum size does not grow with the table.
    auto* content = new QWidget;
    auto* contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(title_);
    contentLayout->addWidget(table_);
    contentLayout->addWidget(footer_);
    contentLayout->addWidget(hint_);
    contentLayout->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("chainDiagnosticsScroll"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);
    clear();
}

QColor ChainDiagnosticsPanel::verdictColour(ebm::Mixing mixing)
{
    switch (mixing) {
    case ebm::Mixing::Good:
        return QColor(0xa5, 0xd6, 0xa7);  // green
    case ebm::Mixing::Doubtful:
        return QColor(0xff, 0xd5, 0x4f);  // amber
    case ebm::Mixing::NotMixed:
        break;
    }
    return QColor(0xef, 0x9a, 0x9a);  // red
}

void ChainDiagnosticsPanel::clear()
{
    report_ = ChainDiagnosticsReport();
    title_->setText(tr("Chain diagnostics"));
    table_->clearSpans();
    table_->setRowCount(0);
    table_->hide();
    footer_->clear();
    footer_->hide();
    hint_->setText(tr("When a run ends: R-hat and bulk ESS of its chains over the longest stretch of steps its "
                      "schedule holds at one temperature."));
    hint_->show();
}

void ChainDiagnosticsPanel::showReport(const ChainDiagnosticsReport& report)
{
    using Status = ChainDiagnosticsReport::Status;
    if (report.status == Status::NotRecorded) {
        clear();
        return;
    }
    report_ = report;
    table_->clearSpans();
    table_->setRowCount(0);
    table_->hide();
    footer_->clear();
    footer_->hide();
    const QString note = report.note.isEmpty() ? QString() : QStringLiteral(" ") + report.note;
    switch (report.status) {
    case Status::Measured:
        showFigures(report);
        hint_->setText(report.note);
        hint_->setVisible(!report.note.isEmpty());
        return;
    case Status::NoHold:
        title_->setText(tr("Chain diagnostics"));
        hint_->setText(tr("The schedule holds no temperature for %1 or more (its longest hold is %2), so the "
                          "chains were not diagnosed. To add a hold, put two points of equal temperature at least "
                          "%1 apart on the Schedule page's curve, and sample with “Edited curve”.")
                           .arg(steps(report.minHoldSteps), steps(report.longestHold)) +
                       note);
        break;
    case Status::Skipped:
        title_->setText(report.lastStep > 0
                            ? tr("Chain diagnostics over steps %1-%2 at T = %3")
                                  .arg(report.firstStep)
                                  .arg(report.lastStep)
                                  .arg(QString::number(report.temperature))
                            : tr("Chain diagnostics"));
        hint_->setText(report.note);
        break;
    case Status::NotRecorded:
        break;
    }
    hint_->show();
}

void ChainDiagnosticsPanel::showFigures(const ChainDiagnosticsReport& report)
{
    title_->setText(tr("Chain diagnostics over steps %1-%2 at T = %3 (%4 chains)")
                        .arg(report.firstStep)
                        .arg(report.lastStep)
                        .arg(QString::number(report.temperature))
                        .arg(report.chains));
    table_->setRowCount(static_cast<int>(report.rows.size()));
    for (int r = 0; r < report.rows.size(); ++r) {
        const ChainDiagnosticsRow& row = report.rows[r];
        table_->setItem(r, QuantityColumn, cell(row.name, Qt::AlignLeft | Qt::AlignVCenter));
        if (!row.measured) {
            // No figures (a quantity that never changed, a NaN): the reason across the row.
            table_->setItem(r, SplitRhatColumn, cell(row.problem, Qt::AlignLeft | Qt::AlignVCenter));
            table_->setSpan(r, SplitRhatColumn, 1, ColumnCount - SplitRhatColumn);
            continue;
        }
        table_->setItem(r, SplitRhatColumn, cell(figure(row.splitRhat, 4)));
        table_->setItem(r, RankRhatColumn, cell(figure(row.rankRhat, 4)));
        table_->setItem(r, BulkEssColumn, cell(figure(row.bulkEss, 1)));
        QTableWidgetItem* verdict = cell(row.verdict, Qt::AlignCenter);
        if (!std::isnan(row.rankRhat)) {
            verdict->setBackground(verdictColour(ebm::mixingOf(row.rankRhat)));
            verdict->setForeground(QColor(Qt::black));  // readable on the light colours in a dark theme too
        }
        table_->setItem(r, VerdictColumn, verdict);
    }
    table_->setFixedHeight(table_->horizontalHeader()->sizeHint().height() + table_->verticalHeader()->length() +
                           2 * table_->frameWidth());
    table_->show();
    const QString lag1 = std::isnan(report.energyLag1Autocorrelation)
                             ? tr("none (no chain's energy changed)")
                             : figure(report.energyLag1Autocorrelation, 4);
    footer_->setText(tr("Energy lag-1 autocorrelation, mean over chains: %1. Verdict (rank R-hat): good below %2, "
                        "not mixed above %3.")
                         .arg(lag1)
                         .arg(ebm::kRhatGood)
                         .arg(ebm::kRhatNotMixed));
    footer_->show();
}

}  // namespace ebm::studio
