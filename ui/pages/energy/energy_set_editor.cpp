#include "pages/energy/energy_set_editor.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

#include "pages/energy/energy_sets.h"

namespace ebm::studio {
namespace {

constexpr int kDefaultLimit = 1000;  // table rows with thumbnails stay quick
constexpr int kMaxLimit = 100000;

}  // namespace

EnergySetEditor::EnergySetEditor(QWidget* parent) : QGroupBox(tr("Add a set"), parent)
{
    auto* addForm = new QFormLayout(this);
    name_ = new QLineEdit;
    name_->setPlaceholderText(tr("e.g. test, inverted"));
    kind_ = new QComboBox;
    kind_->addItem(tr("Picture, folder or .npy"), int(SourceKind::Path));
    kind_->addItem(tr("Fashion-MNIST split"), int(SourceKind::DataSet));
    kind_->addItem(tr("Transformed copy of a set"), int(SourceKind::Transformed));
    kind_->addItem(tr("The Sample page's last samples"), int(SourceKind::LastSamples));
    path_ = new QLineEdit;
    browse_ = new QPushButton(tr("Browse…"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse_);
    split_ = new QComboBox;
    split_->addItem(tr("test"), false);
    split_->addItem(tr("train"), true);
    classes_ = new QLineEdit;
    classes_->setPlaceholderText(tr("all; or e.g. 0,2,5"));
    limit_ = new QSpinBox;
    limit_->setRange(0, kMaxLimit);
    limit_->setValue(kDefaultLimit);
    limit_->setSpecialValueText(tr("all"));
    base_ = new QComboBox;
    transform_ = new QLineEdit;
    transform_->setPlaceholderText(tr("invert, flip, noise:STD, shift:K (comma-separated)"));
    add_ = new QPushButton(tr("Add and score"));
    add_->setObjectName(QStringLiteral("addEnergySet"));
    addForm->addRow(tr("Name"), name_);
    addForm->addRow(tr("Source"), kind_);
    addForm->addRow(tr("Path"), pathRow);
    addForm->addRow(tr("Split"), split_);
    addForm->addRow(tr("Classes"), classes_);
    addForm->addRow(tr("Limit"), limit_);
    addForm->addRow(tr("Copy of"), base_);
    addForm->addRow(tr("Transform"), transform_);
    addForm->addRow(add_);
    connect(kind_, &QComboBox::currentIndexChanged, this, &EnergySetEditor::updateSourceFields);
    connect(add_, &QPushButton::clicked, this, &EnergySetEditor::addRequested);
    connect(browse_, &QPushButton::clicked, this, [this] {
        const QString filter = tr("Images and arrays (*.png *.jpg *.jpeg *.npy);;All files (*)");
        const QString file = QFileDialog::getOpenFileName(this, tr("Image set"), path_->text(), filter);
        if (!file.isEmpty())
            path_->setText(file);
    });
    updateSourceFields();
}

EnergySetEditor::SourceKind EnergySetEditor::sourceKind() const { return SourceKind(kind_->currentData().toInt()); }
QString EnergySetEditor::setName() const { return name_->text(); }
void EnergySetEditor::clearName() { name_->clear(); }
QString EnergySetEditor::baseName() const { return base_->currentText(); }
QString EnergySetEditor::transforms() const { return transform_->text(); }

bool EnergySetEditor::readSource(EnergySetSource& s, QString& error) const
{
    const SourceKind kind = sourceKind();
    s.name = name_->text();
    s.spec = kind == SourceKind::DataSet       ? kFashionMnistSpec
             : kind == SourceKind::LastSamples ? kLastSamplesSpec
                                               : path_->text().trimmed();
    s.train = split_->currentData().toBool();
    s.limit = limit_->value();
    s.transforms = transform_->text().trimmed();
    for (const QString& part : classes_->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int c = part.trimmed().toInt(&ok);
        if (!ok || c < 0) {
            error = tr("Classes: '%1' is not a class number (e.g. 0,2,5).").arg(part.trimmed());
            return false;
        }
        s.classes << c;
    }
    return true;
}

void EnergySetEditor::setSetNames(const QStringList& names)
{
    const QString previousBase = base_->currentText();
    base_->clear();
    base_->addItems(names);
    if (const int b = base_->findText(previousBase); b >= 0)
        base_->setCurrentIndex(b);
}

void EnergySetEditor::updateSourceFields()
{
    const SourceKind kind = sourceKind();
    path_->setEnabled(kind == SourceKind::Path);
    browse_->setEnabled(kind == SourceKind::Path);
    split_->setEnabled(kind == SourceKind::DataSet);
    classes_->setEnabled(kind == SourceKind::Path || kind == SourceKind::DataSet);
    limit_->setEnabled(kind != SourceKind::Transformed);
    base_->setEnabled(kind == SourceKind::Transformed);
}

}  // namespace ebm::studio
