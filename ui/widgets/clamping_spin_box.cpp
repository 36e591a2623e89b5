#include "widgets/clamping_spin_box.h"

#include <QLocale>
#include <QRegularExpression>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>

namespace ebm::studio {
namespace {

/// The number part of a spin box's text: without prefix, suffix, spaces and group separators.
QString numberPart(const QAbstractSpinBox* box, const QString& prefix, const QString& suffix, QString text)
{
    if (!prefix.isEmpty() && text.startsWith(prefix))
        text.remove(0, prefix.size());
    if (!suffix.isEmpty() && text.endsWith(suffix))
        text.chop(suffix.size());
    text = text.trimmed();
    text.remove(box->locale().groupSeparator());
    return text;
}

/// The typed whole number, saturated to qint64 when it has more digits than that holds.
std::optional<qint64> typedInteger(const QSpinBox* box, const QString& text)
{
    const QString number = numberPart(box, box->prefix(), box->suffix(), text);
    static const QRegularExpression digits(QStringLiteral("^[+-]?[0-9]+$"));
    bool ok = false;
    const qint64 value = box->locale().toLongLong(number, &ok);
    if (ok)
        return value;
    if (!digits.match(number).hasMatch())
        return std::nullopt;
    return number.startsWith(QLatin1Char('-')) ? std::numeric_limits<qint64>::min()
                                               : std::numeric_limits<qint64>::max();
}

std::optional<double> typedReal(const QDoubleSpinBox* box, const QString& text)
{
    const QString number = numberPart(box, box->prefix(), box->suffix(), text);
    bool ok = false;
    double value = box->locale().toDouble(number, &ok);
    if (!ok)
        value = QLocale::c().toDouble(number, &ok);   // "1e-4" in the scientific fields
    if (!ok || std::isnan(value))
        return std::nullopt;
    return value;
}

/// Says, next to the field, that the typed value was out of range and what it became.
void tellClamped(const QAbstractSpinBox* box, const QString& typed, const QString& kept, const QString& low,
                 const QString& high)
{
    QToolTip::showText(box->mapToGlobal(QPoint(0, box->height())),
                       QObject::tr("%1 is outside %2 to %3: set to %4").arg(typed, low, high, kept),
                       const_cast<QAbstractSpinBox*>(box));
}

/// Brings an out-of-range real in `input` to the nearest end of the range (`format`: the box's
/// textFromValue, protected in Qt); false when it is in range or no number.
bool clampReal(const QDoubleSpinBox* box, const std::function<QString(double)>& format, QString& input)
{
    const std::optional<double> typed = typedReal(box, input);
    if (!typed || (*typed >= box->minimum() && *typed <= box->maximum()))
        return false;
    const double clamped = qBound(box->minimum(), *typed, box->maximum());
    const QString typedText = numberPart(box, box->prefix(), box->suffix(), input);
    input = box->prefix() + format(clamped) + box->suffix();
    tellClamped(box, typedText, format(clamped), format(box->minimum()), format(box->maximum()));
    return true;
}

}  // namespace

QValidator::State ClampingSpinBox::validate(QString& text, int& pos) const
{
    const QValidator::State state = QSpinBox::validate(text, pos);
    if (state != QValidator::Invalid)
        return state;
    // Qt refuses a keystroke that leaves the range; let it through, fixup() clamps at the end.
    const std::optional<qint64> typed = typedInteger(this, text);
    return typed && (*typed < minimum() || *typed > maximum()) ? QValidator::Intermediate : QValidator::Invalid;
}

void ClampingSpinBox::fixup(QString& input) const
{
    const std::optional<qint64> typed = typedInteger(this, input);
    if (!typed || (*typed >= minimum() && *typed <= maximum())) {
        QSpinBox::fixup(input);
        return;
    }
    const int clamped = int(std::clamp<qint64>(*typed, minimum(), maximum()));
    const QString typedText = numberPart(this, prefix(), suffix(), input);
    input = prefix() + textFromValue(clamped) + suffix();
    tellClamped(this, typedText, textFromValue(clamped), textFromValue(minimum()), textFromValue(maximum()));
}

QValidator::State ClampingDoubleSpinBox::validate(QString& text, int& pos) const
{
    const QValidator::State state = QDoubleSpinBox::validate(text, pos);
    if (state != QValidator::Invalid)
        return state;
    const std::optional<double> typed = typedReal(this, text);
    return typed && (*typed < minimum() || *typed > maximum()) ? QValidator::Intermediate : QValidator::Invalid;
}

void ClampingDoubleSpinBox::fixup(QString& input) const
{
    if (!clampReal(this, [this](double v) { return textFromValue(v); }, input))
        QDoubleSpinBox::fixup(input);
}

void ClampingScientificSpinBox::fixup(QString& input) const
{
    if (!clampReal(this, [this](double v) { return textFromValue(v); }, input))
        ScientificSpinBox::fixup(input);
}

}  // namespace ebm::studio
