#pragma once
// Number fields that take a typed value outside their range and bring it to the nearest end
// when editing ends (Enter, focus out), with a tooltip that says so. Qt's own spin boxes refuse
// the keystroke that leaves the range, so typing 500 into a field of at most 256 silently
// gave 50.
#include <QDoubleSpinBox>
#include <QSpinBox>

#include "widgets/scientific_spin_box.h"

namespace ebm::studio {

class ClampingSpinBox : public QSpinBox {
public:
    using QSpinBox::QSpinBox;
    QValidator::State validate(QString& text, int& pos) const override;
    void fixup(QString& input) const override;
};

class ClampingDoubleSpinBox : public QDoubleSpinBox {
public:
    using QDoubleSpinBox::QDoubleSpinBox;
    QValidator::State validate(QString& text, int& pos) const override;
    void fixup(QString& input) const override;
};

/// ScientificSpinBox already lets out-of-range text through; this brings it into range.
class ClampingScientificSpinBox : public ScientificSpinBox {
public:
    using ScientificSpinBox::ScientificSpinBox;
    void fixup(QString& input) const override;
};

}  // namespace ebm::studio
