#pragma once
#include <QDoubleSpinBox>

namespace ebm::studio {

/// A spin box for values spanning decades (learning rates): shows "1e-04" style text and steps
/// by doubling or halving instead of adding a fixed amount.
class ScientificSpinBox : public QDoubleSpinBox {
    Q_OBJECT
public:
    explicit ScientificSpinBox(QWidget* parent = nullptr);

    QString textFromValue(double value) const override;
    double valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& pos) const override;
    void stepBy(int steps) override;
};

}  // namespace ebm::studio
