#pragma once
// The Energy page's "Add a set" box: a name and where the images come from (a picture, folder
// or .npy; a Fashion-MNIST split, some classes, a count; a transformed copy of another set; the
// Sample page's last samples). The page turns what it holds into a set.
#include <QGroupBox>
#include <QStringList>

#include "pages/energy/energy_job.h"

class QComboBox;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace ebm::studio {

class EnergySetEditor : public QGroupBox {
    Q_OBJECT
public:
    enum class SourceKind { Path, DataSet, Transformed, LastSamples };

    explicit EnergySetEditor(QWidget* parent = nullptr);

    SourceKind sourceKind() const;
    /// The name as typed (the page trims it).
    QString setName() const;
    void clearName();
    /// A transformed copy: the set it copies and the chain appended to it.
    QString baseName() const;
    QString transforms() const;
    /// The source described by the fields (not for a transformed copy); false (and `error`) for
    /// classes that are not class numbers.
    bool readSource(EnergySetSource& out, QString& error) const;
    /// The sets a transformed copy can start from; the chosen one stays chosen.
    void setSetNames(const QStringList& names);

Q_SIGNALS:
    /// "Add and score" was pressed.
    void addRequested();

private:
    void updateSourceFields();

    QLineEdit* name_;
    QComboBox* kind_;
    QLineEdit* path_;
    QPushButton* browse_;
    QComboBox* split_;
    QLineEdit* classes_;
    QSpinBox* limit_;
    QComboBox* base_;
    QLineEdit* transform_;
    QPushButton* add_;
};

}  // namespace ebm::studio
