#pragma once
// The Energy page's table of the scored sets' images: a thumbnail (named by its set, index and
// energy in its tooltip), the set, the image's index (its file as a tooltip), energy, spread and
// residual, sortable, the set column taking the width left; the chosen image stays chosen when
// the rows are sorted or filled again; rows outside an energy range can be hidden (the
// histogram's drag), with a note saying how many are shown.
#include <QVector>
#include <QWidget>

#include "pages/energy/energy_sets.h"

class QLabel;
class QTableWidget;

namespace ebm::studio {

class EnergyImageTable : public QWidget {
    Q_OBJECT
public:
    enum Column { ImageColumn, SetColumn, IndexColumn, EnergyColumn, SpreadColumn, ResidualColumn, ColumnCount };

    explicit EnergyImageTable(QWidget* parent = nullptr);

    /// One row per image of every scored set; the chosen image, when still there, stays chosen.
    void showSets(const QVector<EnergyImageSet>& sets);
    /// Hides the rows whose energy is outside [low, high] while `filtering`; shows all otherwise.
    void filterEnergies(bool filtering, double low, double high);
    /// Rows not hidden by the filter.
    int visibleRows() const;
    int rowCount() const;
    QTableWidget* table() const { return table_; }
    /// The image of the selected row (its set's id and its index in the set); false when no row
    /// is selected or the chosen image is no longer listed (its set removed or not scored).
    bool selectedImage(int& setId, int& imageIndex) const;

Q_SIGNALS:
    /// The current row became image `imageIndex` of the set with id `setId`.
    void imageChosen(int setId, int imageIndex);

private:
    /// The row showing image `imageIndex` of set `setId`, -1 when none does.
    int rowOf(int setId, int imageIndex) const;
    /// Keeps the current row in sight (after a sort moved it).
    void revealCurrentRow();

    QTableWidget* table_;
    QLabel* filterNote_;
    int chosenSet_ = -1;     // the image chosen last: found again after a sort or a refill
    int chosenImage_ = -1;
};

}  // namespace ebm::studio
