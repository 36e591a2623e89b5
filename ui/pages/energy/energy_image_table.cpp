#include "pages/energy/energy_image_table.h"

#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace ebm::studio {
namespace {

constexpr int kThumbnailSide = 32;  // pixels in the table
constexpr int kSetIdRole = Qt::UserRole;
constexpr int kImageRole = Qt::UserRole + 1;

QTableWidgetItem* numberItem(double value)
{
    auto* item = new QTableWidgetItem;
    item->setData(Qt::DisplayRole, value);  // a number: sorts numerically
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

}  // namespace

EnergyImageTable::EnergyImageTable(QWidget* parent) : QWidget(parent)
{
    table_ = new QTableWidget(0, ColumnCount);
    table_->setHorizontalHeaderLabels(
        {tr("Image"), tr("Set"), tr("Index"), tr("Energy"), tr("Spread"), tr("Residual")});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setIconSize(QSize(kThumbnailSide, kThumbnailSide));
    table_->verticalHeader()->setDefaultSectionSize(kThumbnailSide + 4);
    table_->verticalHeader()->hide();
    // The set's name takes the width the numbers leave, so the columns fill the table.
    table_->horizontalHeader()->setSectionResizeMode(SetColumn, QHeaderView::Stretch);
    table_->setSortingEnabled(true);
    connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) {
        const QTableWidgetItem* item = row >= 0 ? table_->item(row, ImageColumn) : nullptr;
        if (!item)
            return;
        chosenSet_ = item->data(kSetIdRole).toInt();
        chosenImage_ = item->data(kImageRole).toInt();
        Q_EMIT imageChosen(chosenSet_, chosenImage_);
    });
    // A sort moves the chosen row (the selection follows it): bring it back in sight, after the
    // view has sorted.
    connect(table_->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this] { QTimer::singleShot(0, this, &EnergyImageTable::revealCurrentRow); });
    filterNote_ = new QLabel;
    filterNote_->setObjectName(QStringLiteral("energyFilterNote"));
    filterNote_->setStyleSheet(QStringLiteral("color: gray"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(filterNote_);
    layout->addWidget(table_, 1);
}

void EnergyImageTable::showSets(const QVector<EnergyImageSet>& sets)
{
    table_->setSortingEnabled(false);
    table_->clearContents();
    int rows = 0;
    for (const EnergyImageSet& set : sets)
        if (set.state == EnergySetState::Scored)
            rows += set.result.energy.size();
    table_->setRowCount(rows);
    int row = 0;
    for (const EnergyImageSet& set : sets) {
        if (set.state != EnergySetState::Scored)
            continue;
        const EnergySetResult& r = set.result;
        for (int i = 0; i < r.energy.size(); ++i, ++row) {
            auto* image = new QTableWidgetItem;
            if (i < r.images.size())
                image->setIcon(QIcon(QPixmap::fromImage(r.images[i].scaled(kThumbnailSide, kThumbnailSide))));
            image->setToolTip(tr("%1, image %2: energy %3")
                                  .arg(set.source.name)
                                  .arg(r.rows.value(i, i))
                                  .arg(r.energy[i], 0, 'g', 6));
            image->setData(kSetIdRole, set.id);
            image->setData(kImageRole, i);
            table_->setItem(row, ImageColumn, image);
            table_->setItem(row, SetColumn, new QTableWidgetItem(set.source.name));
            auto* index = numberItem(static_cast<double>(r.rows.value(i, i)));
            if (i < r.files.size())
                index->setToolTip(r.files[i]);
            table_->setItem(row, IndexColumn, index);
            table_->setItem(row, EnergyColumn, numberItem(r.energy[i]));
            table_->setItem(row, SpreadColumn, numberItem(r.spread.value(i)));
            table_->setItem(row, ResidualColumn,
                            i < r.residual.size() ? numberItem(r.residual[i]) : new QTableWidgetItem);
        }
    }
    table_->setSortingEnabled(true);   // sorts the new rows as the header says
    // The image chosen before stays chosen (without announcing it again: the preview shows it).
    const int chosenRow = rowOf(chosenSet_, chosenImage_);
    if (chosenRow >= 0) {
        const QSignalBlocker quiet(table_);
        table_->setCurrentCell(chosenRow, ImageColumn);
        table_->selectRow(chosenRow);
        revealCurrentRow();
    }
}

int EnergyImageTable::rowOf(int setId, int imageIndex) const
{
    if (setId < 0)
        return -1;
    for (int row = 0; row < table_->rowCount(); ++row) {
        const QTableWidgetItem* item = table_->item(row, ImageColumn);
        if (item && item->data(kSetIdRole).toInt() == setId && item->data(kImageRole).toInt() == imageIndex)
            return row;
    }
    return -1;
}

void EnergyImageTable::revealCurrentRow()
{
    if (const QTableWidgetItem* current = table_->currentItem())
        table_->scrollToItem(current);
}

void EnergyImageTable::filterEnergies(bool filtering, double low, double high)
{
    int shown = 0;
    for (int row = 0; row < table_->rowCount(); ++row) {
        const QTableWidgetItem* energy = table_->item(row, EnergyColumn);
        const double e = energy ? energy->data(Qt::DisplayRole).toDouble() : 0.0;
        const bool inside = !filtering || (e >= low && e <= high);
        table_->setRowHidden(row, !inside);
        shown += inside;
    }
    filterNote_->setText(filtering ? tr("Energies %1 to %2: %3 of %4 images (click the histogram to show all)")
                                         .arg(low, 0, 'g', 6)
                                         .arg(high, 0, 'g', 6)
                                         .arg(shown)
                                         .arg(table_->rowCount())
                                   : tr("Drag across the histogram to list only those energies"));
}

int EnergyImageTable::visibleRows() const
{
    int shown = 0;
    for (int row = 0; row < table_->rowCount(); ++row)
        shown += !table_->isRowHidden(row);
    return shown;
}

int EnergyImageTable::rowCount() const { return table_->rowCount(); }

bool EnergyImageTable::selectedImage(int& setId, int& imageIndex) const
{
    if (rowOf(chosenSet_, chosenImage_) < 0)
        return false;
    setId = chosenSet_;
    imageIndex = chosenImage_;
    return true;
}

}  // namespace ebm::studio
