#include "widgets/settings_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonValue>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

#include "widgets/clamping_spin_box.h"
#include "widgets/wheel_guard.h"
#include "undo_fields.h"

namespace ebm::studio {
namespace {

bool hasRange(const FieldSpec& spec) { return spec.maximum > spec.minimum; }

QString valueText(const QVariant& value) { return value.toString(); }

/// The value a choice field stores for `raw` (compared as text: QSettings gives "3", JSON 3.0).
QVariant matchChoice(const FieldSpec& spec, const QVariant& raw)
{
    const QString wanted = raw.typeId() == QMetaType::Double && std::floor(raw.toDouble()) == raw.toDouble()
                               ? QString::number(raw.toLongLong())
                               : valueText(raw);
    for (const FieldChoice& choice : spec.choices)
        if (valueText(choice.value) == wanted)
            return choice.value;
    return {};
}

QVariant fallbackValue(const FieldSpec& spec, const FieldValues& soFar)
{
    return spec.defaultFrom ? spec.defaultFrom(soFar) : soFar.value(spec.key);
}

/// The defaults without derived fields: a derived default would overwrite what was loaded.
FieldValues storedDefaults(const std::vector<FieldSpec>& specs, const FieldValues& defaults)
{
    FieldValues out = defaults;
    for (const FieldSpec& spec : specs)
        if (spec.derived)
            out.remove(spec.key);
    return out;
}

}  // namespace

QVariant FieldSpec::normalized(const QVariant& raw, QString* refusal) const
{
    if (!raw.isValid())
        return {};
    QVariant value;
    bool clamp = false;
    switch (kind) {
    case FieldKind::Integer: {
        bool ok = false;
        qint64 number = raw.toLongLong(&ok);
        if (!ok && !clampOnLoad) {
            const quint64 big = raw.toULongLong(&ok);  // a 64-bit seed above the signed range
            if (ok) {
                value = big;
                break;
            }
        }
        if (!ok) {
            const double real = raw.toDouble(&ok);
            if (!ok || !std::isfinite(real) || std::abs(real) > 9e18)
                return {};
            number = std::llround(real);
        }
        value = number;
        clamp = clampOnLoad && hasRange(*this);
        break;
    }
    case FieldKind::Real:
    case FieldKind::Scientific: {
        bool ok = false;
        double number = raw.toDouble(&ok);
        if (!ok || !std::isfinite(number))
            return {};
        value = number;
        clamp = clampOnLoad && hasRange(*this);
        break;
    }
    case FieldKind::Flag:
        if (raw.typeId() == QMetaType::Bool)
            value = raw.toBool();
        else if (const QString word = raw.toString().trimmed().toLower(); word == QLatin1String("true") || word == QLatin1String("1"))
            value = true;
        else if (word == QLatin1String("false") || word == QLatin1String("0"))
            value = false;
        else
            return {};
        break;
    case FieldKind::Text:
        value = raw.toString();
        break;
    case FieldKind::Choice:
        value = matchChoice(*this, raw);
        if (!value.isValid()) {
            if (refusal)
                *refusal = QObject::tr("unknown %1 \"%2\"").arg(jsonKey.isEmpty() ? key : jsonKey, raw.toString());
            return {};
        }
        break;
    }
    // Checked before clamping: a refused value (a step size <= 0) must not pass as the minimum.
    if (check) {
        const QString why = check(value);
        if (!why.isEmpty()) {
            if (refusal)
                *refusal = why;
            return {};
        }
    }
    if (clamp && value.typeId() == QMetaType::Double)
        value = qBound(minimum, value.toDouble(), maximum);
    else if (clamp)
        value = qBound(static_cast<qint64>(std::ceil(minimum)), value.toLongLong(), static_cast<qint64>(std::floor(maximum)));
    return value;
}

namespace field_storage {

QString snakeCase(const QString& camelCase)
{
    QString out;
    for (const QChar c : camelCase) {
        if (c.isUpper() && !out.isEmpty())
            out += QLatin1Char('_');
        out += c.toLower();
    }
    return out;
}

FieldValues load(const std::vector<FieldSpec>& specs, const FieldValues& defaults, QSettings& settings,
                 const QString& group)
{
    FieldValues out = storedDefaults(specs, defaults);
    settings.beginGroup(group);
    for (const FieldSpec& spec : specs) {
        if (spec.derived || spec.settingsKey.isEmpty())
            continue;
        // A stored value that is not one of this field's values falls back to the default.
        const QVariant value = spec.normalized(settings.value(spec.settingsKey));
        out.set(spec.key, value.isValid() ? value : fallbackValue(spec, out));
    }
    settings.endGroup();
    return out;
}

void save(const std::vector<FieldSpec>& specs, const FieldValues& values, QSettings& settings, const QString& group)
{
    settings.beginGroup(group);
    for (const FieldSpec& spec : specs)
        if (!spec.derived && !spec.settingsKey.isEmpty())
            settings.setValue(spec.settingsKey, values.value(spec.key));
    settings.endGroup();
}

QJsonObject toJson(const std::vector<FieldSpec>& specs, const FieldValues& values)
{
    QJsonObject json;
    for (const FieldSpec& spec : specs) {
        if (spec.derived || spec.jsonKey.isEmpty())
            continue;
        const QVariant value = values.value(spec.key);
        QJsonValue out = QJsonValue::fromVariant(value);
        for (const auto& [named, word] : spec.jsonNames)
            if (valueText(named) == valueText(value))
                out = word;
        if (spec.jsonAsText)
            out = value.toString();
        json.insert(spec.jsonKey, out);
    }
    return json;
}

bool fromJson(const std::vector<FieldSpec>& specs, const FieldValues& defaults, const QJsonObject& json,
              FieldValues& out, QString& error)
{
    out = storedDefaults(specs, defaults);
    for (const FieldSpec& spec : specs) {
        if (spec.derived || spec.jsonKey.isEmpty())
            continue;
        const QJsonValue j = json.value(spec.jsonKey);
        QVariant raw;
        if (!spec.jsonNames.isEmpty()) {
            for (const auto& [named, word] : spec.jsonNames)
                if (j.toString() == word)
                    raw = named;
        } else if (spec.jsonAsText && (j.isString() || j.isDouble())) {
            raw = j.toVariant();
        } else {
            switch (spec.kind) {
            case FieldKind::Integer:
            case FieldKind::Real:
            case FieldKind::Scientific:
                if (j.isDouble())
                    raw = j.toDouble();
                break;
            case FieldKind::Flag:
                if (j.isBool())
                    raw = j.toBool();
                break;
            case FieldKind::Text:
                if (j.isString())
                    raw = j.toString();
                break;
            case FieldKind::Choice:
                if (!j.isUndefined() && !j.isNull())
                    raw = j.toVariant();
                break;
            }
        }
        if (!raw.isValid()) {  // absent or of another JSON type: the default, as before
            out.set(spec.key, fallbackValue(spec, out));
            continue;
        }
        QString refusal;
        QVariant value = spec.normalized(raw, &refusal);
        if (!refusal.isEmpty()) {
            error = refusal;
            return false;
        }
        if (!value.isValid())  // not a value of this kind (text in a number field): the default
            value = fallbackValue(spec, out);
        out.set(spec.key, value);
    }
    return true;
}

}  // namespace field_storage

FieldAction openFileAction(const QString& title, const QString& filter)
{
    return [title, filter](QWidget* parent, const QVariant& current, const FieldValues&) -> QVariant {
        const QString path = QFileDialog::getOpenFileName(parent, title, current.toString(), filter);
        return path.isEmpty() ? QVariant() : QVariant(path);
    };
}

FieldAction saveFileAction(const QString& title, const QString& filter, const QString& suffix)
{
    return [title, filter, suffix](QWidget* parent, const QVariant& current, const FieldValues&) -> QVariant {
        QString path = QFileDialog::getSaveFileName(parent, title, current.toString(), filter);
        if (path.isEmpty())
            return {};
        if (!suffix.isEmpty() && !path.endsWith(suffix))
            path += suffix;
        return path;
    };
}

FieldAction folderAction(const QString& title)
{
    return [title](QWidget* parent, const QVariant& current, const FieldValues&) -> QVariant {
        const QString path = QFileDialog::getExistingDirectory(parent, title, current.toString());
        return path.isEmpty() ? QVariant() : QVariant(path);
    };
}

std::function<QString(const QVariant&)> mustBePositive(const QString& message)
{
    return [message](const QVariant& value) { return value.toDouble() > 0.0 ? QString() : message; };
}

SettingsFormWidget::SettingsFormWidget(const std::vector<FieldSpec>& specs, UndoFieldBinder* undo, QWidget* parent)
    : QWidget(parent), specs_(specs), undo_(undo)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    QHash<QString, QFormLayout*> forms;
    rows_.reserve(specs_.size());
    for (const FieldSpec& spec : specs_) {
        QFormLayout*& form = forms[spec.group];
        if (!form) {
            if (!spec.group.isEmpty()) {
                auto* box = new QGroupBox(spec.group, this);
                layout->addWidget(box);
                form = new QFormLayout(box);
            } else {
                form = new QFormLayout;
                layout->addLayout(form);
            }
        }
        Row row;
        row.spec = &spec;
        row.form = form;
        row.editor = makeEditor(spec);
        if (spec.buttonAction) {
            row.button = new QToolButton(this);
            row.button->setText(spec.buttonText);
            row.button->setToolTip(spec.buttonToolTip);
            row.button->setObjectName(spec.key + QStringLiteral("Button"));
        }
        QLayout* line = nullptr;
        if (row.button) {
            auto* box = new QHBoxLayout;
            box->addWidget(row.editor, 1);
            box->addWidget(row.button);
            line = box;
        }
        row.formRow = form->rowCount();
        if (spec.kind == FieldKind::Flag && !line)
            form->addRow(row.editor);
        else if (line)
            form->addRow(spec.label, line);
        else
            form->addRow(spec.label, row.editor);
        rows_.push_back(row);
    }
    layout->addStretch(1);

    for (Row& row : rows_) {
        if (row.button)
            connect(row.button, &QToolButton::clicked, this, [this, &row] {
                const QVariant chosen = row.spec->buttonAction(this, read(row), values());
                if (chosen.isValid())
                    write(row, chosen);  // a person's edit: the widget's signal records it
            });
        bindUndo(row);
    }
    updateConditions();
}

QWidget* SettingsFormWidget::makeEditor(const FieldSpec& spec)
{
    QWidget* editor = nullptr;
    const QString suffix = spec.unit.isEmpty() ? QString() : QStringLiteral(" ") + spec.unit;
    switch (spec.kind) {
    case FieldKind::Integer: {
        auto* spin = new ClampingSpinBox(this);  // a typed 500 in a field of at most 256 becomes 256, not 50
        constexpr double kIntMax = std::numeric_limits<int>::max();
        spin->setRange(hasRange(spec) ? int(qMax(-kIntMax, spec.minimum)) : 0,
                       hasRange(spec) ? int(qMin(kIntMax, spec.maximum)) : int(kIntMax));
        spin->setSingleStep(qMax(1, int(spec.singleStep)));
        spin->setSuffix(suffix);
        spin->setSpecialValueText(spec.specialValueText);
        spin->setGroupSeparatorShown(spec.groupSeparator);
        editor = spin;
        break;
    }
    case FieldKind::Real:
    case FieldKind::Scientific: {
        QDoubleSpinBox* spin = spec.kind == FieldKind::Scientific
                                   ? static_cast<QDoubleSpinBox*>(new ClampingScientificSpinBox(this))
                                   : new ClampingDoubleSpinBox(this);
        if (spec.kind == FieldKind::Real) {
            spin->setDecimals(spec.decimals);
            spin->setSingleStep(spec.singleStep);
        }
        if (hasRange(spec))
            spin->setRange(spec.minimum, spec.maximum);
        spin->setSuffix(suffix);
        spin->setSpecialValueText(spec.specialValueText);
        editor = spin;
        break;
    }
    case FieldKind::Choice: {
        auto* combo = new QComboBox(this);
        for (const FieldChoice& choice : spec.choices)
            combo->addItem(choice.label, choice.value);
        editor = combo;
        break;
    }
    case FieldKind::Flag:
        editor = new QCheckBox(spec.label, this);
        break;
    case FieldKind::Text: {
        auto* line = new QLineEdit(this);
        line->setPlaceholderText(spec.placeholder);
        editor = line;
        break;
    }
    }
    editor->setObjectName(spec.objectName);
    editor->setToolTip(spec.toolTip);
    // The range is in the tooltip: a typed value outside it is brought to the nearest end.
    if (auto* spin = qobject_cast<QAbstractSpinBox*>(editor); spin && hasRange(spec)) {
        const QString range = tr("From %1 to %2.").arg(spin->property("minimum").toString(),
                                                      spin->property("maximum").toString());
        editor->setToolTip(spec.toolTip.isEmpty() ? range : spec.toolTip + QStringLiteral("\n") + range);
    }
    if (qobject_cast<QAbstractSpinBox*>(editor) || qobject_cast<QComboBox*>(editor))
        guardWheel(editor);
    return editor;
}

QVariant SettingsFormWidget::read(const Row& row) const
{
    switch (row.spec->kind) {
    case FieldKind::Integer:
        return static_cast<qint64>(static_cast<QSpinBox*>(row.editor)->value());
    case FieldKind::Real:
    case FieldKind::Scientific:
        return static_cast<QDoubleSpinBox*>(row.editor)->value();
    case FieldKind::Choice:
        return static_cast<QComboBox*>(row.editor)->currentData();
    case FieldKind::Flag:
        return static_cast<QCheckBox*>(row.editor)->isChecked();
    case FieldKind::Text:
        return static_cast<QLineEdit*>(row.editor)->text().trimmed();
    }
    return {};
}

void SettingsFormWidget::write(const Row& row, const QVariant& value)
{
    switch (row.spec->kind) {
    case FieldKind::Integer: {
        constexpr qint64 kMin = std::numeric_limits<int>::min(), kMax = std::numeric_limits<int>::max();
        static_cast<QSpinBox*>(row.editor)->setValue(static_cast<int>(qBound(kMin, value.toLongLong(), kMax)));
        break;
    }
    case FieldKind::Real:
    case FieldKind::Scientific:
        static_cast<QDoubleSpinBox*>(row.editor)->setValue(value.toDouble());
        break;
    case FieldKind::Choice: {
        auto* combo = static_cast<QComboBox*>(row.editor);
        const QVariant match = matchChoice(*row.spec, value);
        int index = 0;
        for (int i = 0; i < combo->count() && match.isValid(); ++i)
            if (valueText(combo->itemData(i)) == valueText(match))
                index = i;
        combo->setCurrentIndex(index);
        break;
    }
    case FieldKind::Flag:
        static_cast<QCheckBox*>(row.editor)->setChecked(value.toBool());
        break;
    case FieldKind::Text: {
        QString text = value.toString();
        if (text.isEmpty() && row.spec->emptyShowsAs)
            text = row.spec->emptyShowsAs();
        static_cast<QLineEdit*>(row.editor)->setText(text);
        break;
    }
    }
}

void SettingsFormWidget::bindUndo(Row& row)
{
    const Row* r = &row;
    auto changed = [this, r] { afterChange(*r); };
    const QString undoText = row.spec->undoText.isEmpty() ? row.spec->label : row.spec->undoText;
    switch (row.spec->kind) {
    case FieldKind::Integer: {
        auto* spin = static_cast<QSpinBox*>(row.editor);
        if (undo_)
            undo_->bind(spin, undoText);
        connect(spin, &QSpinBox::valueChanged, this, changed);
        break;
    }
    case FieldKind::Real:
    case FieldKind::Scientific: {
        auto* spin = static_cast<QDoubleSpinBox*>(row.editor);
        if (undo_)
            undo_->bind(spin, undoText);
        connect(spin, &QDoubleSpinBox::valueChanged, this, changed);
        break;
    }
    case FieldKind::Choice: {
        auto* combo = static_cast<QComboBox*>(row.editor);
        if (undo_) {
            // The binder runs the hook after a person's change only, inside the same undo step.
            std::function<void()> follow;
            if (row.spec->onEdit)
                follow = [this, r] { runEditHook(*r); };
            undo_->bind(combo, undoText, follow);
        }
        connect(combo, &QComboBox::currentIndexChanged, this, changed);
        break;
    }
    case FieldKind::Flag: {
        auto* box = static_cast<QCheckBox*>(row.editor);
        if (undo_)
            undo_->bind(box, undoText);
        connect(box, &QCheckBox::toggled, this, changed);
        break;
    }
    case FieldKind::Text: {
        auto* line = static_cast<QLineEdit*>(row.editor);
        if (undo_)
            undo_->bind(line, undoText);
        connect(line, &QLineEdit::textChanged, this, changed);
        break;
    }
    }
}

void SettingsFormWidget::afterChange(const Row& row)
{
    // Edit hooks of choices run through the undo binder when there is one (see bindUndo).
    const bool hookRunsHere = !(undo_ && row.spec->kind == FieldKind::Choice);
    if (applying_ == 0 && row.spec->onEdit && hookRunsHere)
        runEditHook(row);
    updateConditions();
    Q_EMIT valuesChanged();
}

void SettingsFormWidget::runEditHook(const Row& row)
{
    const FieldValues before = values();
    FieldValues after = before;
    row.spec->onEdit(after);
    for (const Row& other : rows_)
        if (&other != &row && after.value(other.spec->key) != before.value(other.spec->key))
            write(other, after.value(other.spec->key));
}

void SettingsFormWidget::updateConditions()
{
    const FieldValues now = values();
    for (const Row& row : rows_) {
        if (row.spec->enabledWhen) {
            const bool enabled = row.spec->enabledWhen(now);
            row.editor->setEnabled(enabled);
            if (row.button)
                row.button->setEnabled(enabled);
        }
        if (row.spec->visibleWhen)
            row.form->setRowVisible(row.formRow, row.spec->visibleWhen(now));
    }
}

QWidget* SettingsFormWidget::field(const QString& key) const
{
    for (const Row& row : rows_)
        if (row.spec->key == key)
            return row.editor;
    return nullptr;
}

QToolButton* SettingsFormWidget::fieldButton(const QString& key) const
{
    for (const Row& row : rows_)
        if (row.spec->key == key)
            return row.button;
    return nullptr;
}

FieldValues SettingsFormWidget::values() const
{
    FieldValues out;
    for (const Row& row : rows_)
        out.set(row.spec->key, read(row));
    return out;
}

void SettingsFormWidget::setValues(const FieldValues& values)
{
    auto show = [&] {
        ++applying_;
        for (const Row& row : rows_)
            if (values.contains(row.spec->key))
                write(row, values.value(row.spec->key));
        --applying_;
    };
    if (undo_)
        undo_->withoutUndo(show);
    else
        show();
    updateConditions();
    Q_EMIT valuesChanged();
}

}  // namespace ebm::studio
