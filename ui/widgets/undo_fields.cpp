#include "undo_fields.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QKeyEvent>
#include <QKeySequence>
#include <QLineEdit>
#include <QSpinBox>
#include <QUndoCommand>
#include <QUndoStack>

namespace ebm::studio {
namespace {

constexpr int kFieldEditId = 0x45424d31;  // any fixed id: lets edits of one field merge

class FieldEditCommand : public QUndoCommand {
public:
    FieldEditCommand(UndoFieldBinder* binder, QWidget* field, QVariant before, QVariant after, const QString& label)
        : binder_(binder), field_(field), before_(std::move(before)), after_(std::move(after))
    {
        setText(QObject::tr("change %1").arg(label));
    }

    void undo() override
    {
        if (field_)
            binder_->apply(field_, before_);
    }

    void redo() override
    {
        // The first redo happens on push, when the field already shows the new value.
        if (firstRedo_) {
            firstRedo_ = false;
            return;
        }
        if (field_)
            binder_->apply(field_, after_);
    }

    int id() const override { return kFieldEditId; }

    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* next = static_cast<const FieldEditCommand*>(other);
        if (next->field_ != field_)
            return false;
        after_ = next->after_;
        setObsolete(after_ == before_);  // typed back to where it started: nothing to undo
        return true;
    }

private:
    UndoFieldBinder* binder_;
    QPointer<QWidget> field_;
    QVariant before_, after_;
    bool firstRedo_ = true;
};

}  // namespace

UndoFieldBinder::UndoFieldBinder(QUndoStack* stack, QObject* parent) : QObject(parent), stack_(stack) {}

void UndoFieldBinder::track(QWidget* field, const QString& label)
{
    last_.insert(field, read(field));
    labels_.insert(field, label);
    connect(field, &QObject::destroyed, this, [this, field] {
        last_.remove(field);
        labels_.remove(field);
        follows_.remove(field);
    });
}

void UndoFieldBinder::bind(QSpinBox* field, const QString& label)
{
    track(field, label);
    connect(field, &QSpinBox::valueChanged, this, [this, field] { changed(field); });
}

void UndoFieldBinder::bind(QDoubleSpinBox* field, const QString& label)
{
    track(field, label);
    connect(field, &QDoubleSpinBox::valueChanged, this, [this, field] { changed(field); });
}

void UndoFieldBinder::bind(QComboBox* field, const QString& label, std::function<void()> follow)
{
    track(field, label);
    if (follow)
        follows_.insert(field, std::move(follow));
    connect(field, &QComboBox::currentIndexChanged, this, [this, field] { changed(field); });
}

void UndoFieldBinder::bind(QAbstractButton* checkable, const QString& label)
{
    track(checkable, label);
    connect(checkable, &QAbstractButton::toggled, this, [this, checkable] { changed(checkable); });
}

void UndoFieldBinder::bind(QLineEdit* field, const QString& label)
{
    track(field, label);
    connect(field, &QLineEdit::textChanged, this, [this, field] { changed(field); });
}

QVariant UndoFieldBinder::read(QWidget* field) const
{
    if (auto* spin = qobject_cast<QSpinBox*>(field))
        return spin->value();
    if (auto* spin = qobject_cast<QDoubleSpinBox*>(field))
        return spin->value();
    if (auto* combo = qobject_cast<QComboBox*>(field))
        return combo->currentIndex();
    if (auto* button = qobject_cast<QAbstractButton*>(field))
        return button->isChecked();
    if (auto* line = qobject_cast<QLineEdit*>(field))
        return line->text();
    return {};
}

void UndoFieldBinder::apply(QWidget* field, const QVariant& value)
{
    ++applying_;
    if (auto* spin = qobject_cast<QSpinBox*>(field))
        spin->setValue(value.toInt());
    else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(field))
        dspin->setValue(value.toDouble());
    else if (auto* combo = qobject_cast<QComboBox*>(field))
        combo->setCurrentIndex(value.toInt());
    else if (auto* button = qobject_cast<QAbstractButton*>(field))
        button->setChecked(value.toBool());
    else if (auto* line = qobject_cast<QLineEdit*>(field))
        line->setText(value.toString());
    last_[field] = read(field);
    --applying_;
}

void UndoFieldBinder::changed(QWidget* field)
{
    const QVariant now = read(field);
    const QVariant before = last_.value(field);
    last_[field] = now;
    if (applying_ > 0 || now == before)
        return;
    const auto follow = follows_.find(field);
    if (follow == follows_.end()) {
        stack_->push(new FieldEditCommand(this, field, before, now, labels_.value(field)));
        return;
    }
    stack_->beginMacro(QObject::tr("change %1").arg(labels_.value(field)));
    stack_->push(new FieldEditCommand(this, field, before, now, labels_.value(field)));
    follow.value()();
    stack_->endMacro();
}

void UndoFieldBinder::withoutUndo(const std::function<void()>& change)
{
    ++applying_;
    change();
    --applying_;
    for (auto it = last_.begin(); it != last_.end(); ++it)
        it.value() = read(it.key());
}

namespace {

class UndoKeysToEditMenu : public QObject {
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() != QEvent::ShortcutOverride)
            return false;
        const auto* key = static_cast<QKeyEvent*>(event);
        const bool undo = key->matches(QKeySequence::Undo);
        if (!undo && !key->matches(QKeySequence::Redo))
            return false;
        if (const auto* line = qobject_cast<QLineEdit*>(watched))
            if (undo ? line->isUndoAvailable() : line->isRedoAvailable())
                return false;
        event->ignore();  // not overridden: the window's Undo / Redo action takes the key
        return true;
    }
};

}  // namespace

void routeUndoKeysToEditMenu(QWidget* page)
{
    auto* filter = new UndoKeysToEditMenu(page);
    for (QAbstractSpinBox* field : page->findChildren<QAbstractSpinBox*>())
        field->installEventFilter(filter);
    for (QLineEdit* field : page->findChildren<QLineEdit*>())
        if (!qobject_cast<QAbstractSpinBox*>(field->parentWidget()))  // a spin box's own editor: the box has focus
            field->installEventFilter(filter);
}

}  // namespace ebm::studio
