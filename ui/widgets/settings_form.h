#pragma once
// One declaration per setting, and that one declaration drives everything the setting needs:
// its widget (with label, tooltip, range, unit, enabled/visible conditions and a side button),
// reading and writing the plain settings struct, QSettings, the session JSON and undo.
//
//     FieldSet<SamplingSettings> fields(QStringLiteral("sampling"));   // QSettings group
//     fields.integer(QStringLiteral("steps"), &SamplingSettings::steps)
//         .label(tr("Steps")).range(3, 100000).step(50).group(tr("Schedule"));
//     auto* form = new SettingsForm<SamplingSettings>(fields, undoBinder, parent);
//     SamplingSettings s = form->settings();
//
// Keys: `key` names the field in FieldValues and the widget ("<key>Field" unless objectName()
// says otherwise); the QSettings key defaults to `key`, the session JSON key to its snake_case
// ("stepSize" → "step_size").
#include <QJsonObject>
#include <QHash>
#include <QString>
#include <QVariant>
#include <QVector>
#include <QWidget>

#include <functional>
#include <type_traits>
#include <vector>

class QFormLayout;
class QSettings;
class QToolButton;

namespace ebm::studio {

class UndoFieldBinder;

enum class FieldKind {
    Integer,     // QSpinBox
    Real,        // QDoubleSpinBox
    Scientific,  // ScientificSpinBox: values spanning decades
    Choice,      // QComboBox of labelled values
    Flag,        // QCheckBox; the label is its text
    Text,        // QLineEdit (trimmed)
};

/// The values of a form's fields by key: what conditions, edit hooks and actions look at.
class FieldValues {
public:
    QVariant value(const QString& key) const { return values_.value(key); }
    bool flag(const QString& key) const { return values_.value(key).toBool(); }
    qint64 integer(const QString& key) const { return values_.value(key).toLongLong(); }
    double real(const QString& key) const { return values_.value(key).toDouble(); }
    QString text(const QString& key) const { return values_.value(key).toString(); }
    bool contains(const QString& key) const { return values_.contains(key); }
    void set(const QString& key, const QVariant& value) { values_.insert(key, value); }
    void remove(const QString& key) { values_.remove(key); }
    bool operator==(const FieldValues& other) const { return values_ == other.values_; }

private:
    QHash<QString, QVariant> values_;
};

struct FieldChoice {
    QString label;
    QVariant value;
};

/// A button beside a field ("…" to browse, "New" seed): returns the field's new value, or an
/// invalid QVariant to leave it as it is.
using FieldAction = std::function<QVariant(QWidget* parent, const QVariant& current, const FieldValues& values)>;
FieldAction openFileAction(const QString& title, const QString& filter);
FieldAction saveFileAction(const QString& title, const QString& filter, const QString& suffix);
FieldAction folderAction(const QString& title);

/// A check refusing numbers <= 0 with `message`.
std::function<QString(const QVariant&)> mustBePositive(const QString& message);

struct FieldSpec {
    FieldKind kind = FieldKind::Text;
    QString key;
    QString objectName;
    QString settingsKey;   // empty: not remembered in QSettings
    QString jsonKey;       // empty: not in session files
    QString label;
    QString toolTip;
    QString group;         // fields of one group share a titled box, in declaration order
    QString undoText;      // "change <undoText>" in the Edit menu; the label when empty
    QString unit;          // spin box suffix, e.g. "steps"
    QString specialValueText;  // shown at the minimum, e.g. "automatic" for 0
    QString placeholder;
    double minimum = 0.0, maximum = 0.0;  // maximum <= minimum: no range declared
    double singleStep = 1.0;
    int decimals = 3;
    bool groupSeparator = false;
    bool clampOnLoad = true;     // false: keep stored values outside the widget's range (seeds)
    bool jsonAsText = false;     // 64-bit integers: JSON numbers are doubles
    bool derived = false;        // a view on other fields: never stored, applied after them
    QVector<FieldChoice> choices;
    QVector<QPair<QVariant, QString>> jsonNames;  // value ↔ word in JSON ("images" for true)
    std::function<QString(const QVariant&)> check;            // message when a value is refused
    std::function<QVariant(const FieldValues&)> defaultFrom;  // default depending on earlier fields
    std::function<bool(const FieldValues&)> enabledWhen;
    std::function<bool(const FieldValues&)> visibleWhen;
    // After a person's edit; may change other fields. On a choice with an undo binder the
    // follow-up changes join the edit's undo step; on other kinds they are steps of their own.
    std::function<void(FieldValues&)> onEdit;
    std::function<QString()> emptyShowsAs;     // text fields: what an empty value is shown as
    QString buttonText, buttonToolTip;
    FieldAction buttonAction;

    /// `raw` (from QSettings, JSON or a widget) as this field's value type, in range; invalid
    /// when it is not a value of this field. `refusal` says why when a value of the right kind
    /// is refused (unknown choice, failed check); it stays empty for values of another kind.
    QVariant normalized(const QVariant& raw, QString* refusal = nullptr) const;
};

/// Fluent setters for one FieldSpec; FieldSet's adders return one.
class FieldBuilder {
public:
    explicit FieldBuilder(FieldSpec& spec) : spec_(spec) {}
    FieldBuilder& label(const QString& text) { spec_.label = text; return *this; }
    FieldBuilder& tip(const QString& text) { spec_.toolTip = text; return *this; }
    FieldBuilder& group(const QString& title) { spec_.group = title; return *this; }
    FieldBuilder& undoText(const QString& text) { spec_.undoText = text; return *this; }
    FieldBuilder& unit(const QString& text) { spec_.unit = text; return *this; }
    FieldBuilder& special(const QString& text) { spec_.specialValueText = text; return *this; }
    FieldBuilder& placeholder(const QString& text) { spec_.placeholder = text; return *this; }
    FieldBuilder& objectName(const QString& name) { spec_.objectName = name; return *this; }
    FieldBuilder& choices(const QVector<FieldChoice>& choices) { spec_.choices = choices; return *this; }
    FieldBuilder& range(double minimum, double maximum) { spec_.minimum = minimum; spec_.maximum = maximum; return *this; }
    FieldBuilder& step(double step) { spec_.singleStep = step; return *this; }
    FieldBuilder& decimals(int digits) { spec_.decimals = digits; return *this; }
    FieldBuilder& groupSeparator() { spec_.groupSeparator = true; return *this; }
    FieldBuilder& keepOutOfRange() { spec_.clampOnLoad = false; return *this; }
    FieldBuilder& settingsKey(const QString& key) { spec_.settingsKey = key; return *this; }
    FieldBuilder& jsonKey(const QString& key) { spec_.jsonKey = key; return *this; }
    FieldBuilder& notRemembered() { spec_.settingsKey.clear(); return *this; }
    FieldBuilder& notInSessions() { spec_.jsonKey.clear(); return *this; }
    FieldBuilder& jsonAsText() { spec_.jsonAsText = true; return *this; }
    FieldBuilder& jsonNames(const QVector<QPair<QVariant, QString>>& names) { spec_.jsonNames = names; return *this; }
    FieldBuilder& check(std::function<QString(const QVariant&)> check) { spec_.check = std::move(check); return *this; }
    FieldBuilder& defaultFrom(std::function<QVariant(const FieldValues&)> f) { spec_.defaultFrom = std::move(f); return *this; }
    FieldBuilder& enabledWhen(std::function<bool(const FieldValues&)> f) { spec_.enabledWhen = std::move(f); return *this; }
    FieldBuilder& visibleWhen(std::function<bool(const FieldValues&)> f) { spec_.visibleWhen = std::move(f); return *this; }
    FieldBuilder& onEdit(std::function<void(FieldValues&)> f) { spec_.onEdit = std::move(f); return *this; }
    FieldBuilder& emptyShowsAs(std::function<QString()> f) { spec_.emptyShowsAs = std::move(f); return *this; }
    FieldBuilder& button(const QString& text, const QString& toolTip, FieldAction action)
    {
        spec_.buttonText = text;
        spec_.buttonToolTip = toolTip;
        spec_.buttonAction = std::move(action);
        return *this;
    }

private:
    FieldSpec& spec_;
};

/// Storage of FieldValues, shared by every FieldSet: what the declarations mean for QSettings
/// and JSON. `defaults` are the values of a default-constructed struct. Loaded values hold no
/// derived fields: those follow from the stored ones.
namespace field_storage {
FieldValues load(const std::vector<FieldSpec>& specs, const FieldValues& defaults, QSettings& settings,
                 const QString& group);
void save(const std::vector<FieldSpec>& specs, const FieldValues& values, QSettings& settings, const QString& group);
QJsonObject toJson(const std::vector<FieldSpec>& specs, const FieldValues& values);
/// False with `error` set when a value is refused (unknown choice, failed check).
bool fromJson(const std::vector<FieldSpec>& specs, const FieldValues& defaults, const QJsonObject& json,
              FieldValues& out, QString& error);
QString snakeCase(const QString& camelCase);
}  // namespace field_storage

/// The declarations of one settings struct S.
template <class S>
class FieldSet {
public:
    using Read = std::function<QVariant(const S&)>;
    using Write = std::function<void(S&, const QVariant&)>;

    /// `settingsGroup`: the QSettings group the fields live in.
    explicit FieldSet(const QString& settingsGroup) : group_(settingsGroup) {}

    /// Any field whose struct member has another form than the widget value (enums, derived).
    FieldBuilder add(FieldKind kind, const QString& key, Read read, Write write)
    {
        FieldSpec spec;
        spec.kind = kind;
        spec.key = key;
        spec.objectName = key + QStringLiteral("Field");
        spec.settingsKey = key;
        spec.jsonKey = field_storage::snakeCase(key);
        specs_.push_back(std::move(spec));
        reads_.push_back(std::move(read));
        writes_.push_back(std::move(write));
        return FieldBuilder(specs_.back());
    }

    template <class T>
    FieldBuilder integer(const QString& key, T S::*member)
    {
        static_assert(std::is_integral_v<T>, "integer fields hold integers");
        return add(FieldKind::Integer, key, reader(member), [member](S& s, const QVariant& v) {
            if constexpr (std::is_unsigned_v<T>)
                s.*member = static_cast<T>(v.toULongLong());
            else
                s.*member = static_cast<T>(v.toLongLong());
        });
    }
    FieldBuilder real(const QString& key, double S::*member) { return add(FieldKind::Real, key, reader(member), writer(member)); }
    FieldBuilder scientific(const QString& key, double S::*member)
    {
        return add(FieldKind::Scientific, key, reader(member), writer(member));
    }
    FieldBuilder flag(const QString& key, bool S::*member) { return add(FieldKind::Flag, key, reader(member), writer(member)); }
    FieldBuilder text(const QString& key, QString S::*member) { return add(FieldKind::Text, key, reader(member), writer(member)); }
    template <class T>
    FieldBuilder choice(const QString& key, T S::*member, const QVector<FieldChoice>& choices)
    {
        return add(FieldKind::Choice, key, reader(member), writer(member)).choices(choices);
    }
    FieldBuilder choice(const QString& key, Read read, Write write, const QVector<FieldChoice>& choices)
    {
        return add(FieldKind::Choice, key, std::move(read), std::move(write)).choices(choices);
    }
    /// A field that only presents other fields (e.g. "source: model or file" over a path): it
    /// is stored nowhere and written after the stored fields.
    FieldBuilder derived(FieldKind kind, const QString& key, Read read, Write write)
    {
        FieldBuilder builder = add(kind, key, std::move(read), std::move(write));
        FieldSpec& spec = specs_.back();
        spec.derived = true;
        spec.settingsKey.clear();
        spec.jsonKey.clear();
        return builder;
    }

    const std::vector<FieldSpec>& specs() const { return specs_; }
    const QString& settingsGroup() const { return group_; }

    FieldValues values(const S& s) const
    {
        FieldValues out;
        for (size_t i = 0; i < specs_.size(); ++i)
            out.set(specs_[i].key, reads_[i](s));
        return out;
    }
    /// `base` with every field present in `values` written into it; members without a field
    /// keep their value.
    S apply(const FieldValues& values, S base = S()) const
    {
        for (bool derivedPass : {false, true})
            for (size_t i = 0; i < specs_.size(); ++i)
                if (specs_[i].derived == derivedPass && values.contains(specs_[i].key))
                    writes_[i](base, values.value(specs_[i].key));
        return base;
    }

    /// `base` with the stored fields written into it (keys not stored keep base's values).
    S load(QSettings& settings, const S& base = S()) const
    {
        return apply(field_storage::load(specs_, values(base), settings, group_), base);
    }
    void save(QSettings& settings, const S& s) const { field_storage::save(specs_, values(s), settings, group_); }
    QJsonObject toJson(const S& s) const { return field_storage::toJson(specs_, values(s)); }
    /// `base` with the fields of `json` written into it; false with `error` when a value is refused.
    bool fromJson(const QJsonObject& json, S& out, QString& error, const S& base = S()) const
    {
        FieldValues loaded;
        if (!field_storage::fromJson(specs_, values(base), json, loaded, error))
            return false;
        out = apply(loaded, base);
        return true;
    }

private:
    template <class T>
    static Read reader(T S::*member)
    {
        return [member](const S& s) { return QVariant::fromValue(s.*member); };
    }
    template <class T>
    static Write writer(T S::*member)
    {
        return [member](S& s, const QVariant& v) { s.*member = v.value<T>(); };
    }

    QString group_;
    std::vector<FieldSpec> specs_;
    std::vector<Read> reads_;
    std::vector<Write> writes_;
};

/// The widgets of a list of declarations: a form of titled boxes, bound to undo when a binder
/// is given. Works on FieldValues; SettingsForm<S> adds the struct.
class SettingsFormWidget : public QWidget {
    Q_OBJECT
public:
    SettingsFormWidget(const std::vector<FieldSpec>& specs, UndoFieldBinder* undo, QWidget* parent = nullptr);

    /// The editor of a field (QSpinBox, QComboBox, …); nullptr for an unknown key.
    QWidget* field(const QString& key) const;
    /// The side button of a field, if it has one.
    QToolButton* fieldButton(const QString& key) const;
    FieldValues values() const;
    /// Shows `values` without undo entries (keys not present keep their widget value).
    void setValues(const FieldValues& values);


Q_SIGNALS:
    /// Any change of a value, by a person, by undo or by setValues.
    void valuesChanged();

private:
    struct Row {
        const FieldSpec* spec = nullptr;
        QWidget* editor = nullptr;
        QToolButton* button = nullptr;
        QFormLayout* form = nullptr;
        int formRow = -1;  // its row in `form`: an editor with a button sits in a layout there
    };

    QWidget* makeEditor(const FieldSpec& spec);
    QVariant read(const Row& row) const;
    void write(const Row& row, const QVariant& value);
    void bindUndo(Row& row);
    void afterChange(const Row& row);
    void runEditHook(const Row& row);
    void updateConditions();

    std::vector<FieldSpec> specs_;
    std::vector<Row> rows_;
    UndoFieldBinder* undo_;
    int applying_ = 0;
};

/// A SettingsFormWidget that reads and shows a settings struct.
template <class S>
class SettingsForm : public SettingsFormWidget {
public:
    SettingsForm(const FieldSet<S>& fields, UndoFieldBinder* undo, QWidget* parent = nullptr)
        : SettingsFormWidget(fields.specs(), undo, parent), fields_(fields)
    {
        setSettings(base_);
    }

    /// The struct shown; members without a field keep what setSettings gave them.
    S settings() const { return fields_.apply(values(), base_); }
    /// Shows `s` without undo entries.
    void setSettings(const S& s)
    {
        base_ = s;
        setValues(fields_.values(s));
    }
    const FieldSet<S>& fields() const { return fields_; }

private:
    FieldSet<S> fields_;
    S base_{};
};

}  // namespace ebm::studio
