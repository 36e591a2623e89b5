#include "widgets/scientific_spin_box.h"

#include <QLocale>

#include <cmath>

namespace ebm::studio {

ScientificSpinBox::ScientificSpinBox(QWidget* parent) : QDoubleSpinBox(parent)
{
    setDecimals(12);  // the value keeps full precision; the text is formatted below
    setRange(1e-9, 1.0);
    setKeyboardTracking(false);
}

QString ScientificSpinBox::textFromValue(double value) const
{
    return QLocale::c().toString(value, 'g', 4);
}

double ScientificSpinBox::valueFromText(const QString& text) const
{
    return QLocale::c().toDouble(text.trimmed());
}

QValidator::State ScientificSpinBox::validate(QString& text, int&) const
{
    const QString t = text.trimmed();
    if (t.isEmpty() || t.endsWith(QLatin1Char('e')) || t.endsWith(QLatin1Char('-')) || t == QLatin1String("."))
        return QValidator::Intermediate;
    bool ok = false;
    const double v = QLocale::c().toDouble(t, &ok);
    if (!ok)
        return QValidator::Invalid;
    return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
}

void ScientificSpinBox::stepBy(int steps)
{
    setValue(value() * std::pow(2.0, steps));
}

}  // namespace ebm::studio
