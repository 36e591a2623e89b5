#pragma once
// Undo for settings people edit: every bound field pushes a command onto a QUndoStack when it
// changes, and consecutive edits of the same field merge into one step.
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QVariant>

#include <functional>

class QAbstractButton;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QUndoStack;
class QWidget;

namespace ebm::studio {

class UndoFieldBinder : public QObject {
    Q_OBJECT
public:
    UndoFieldBinder(QUndoStack* stack, QObject* parent = nullptr);

    void bind(QSpinBox* field, const QString& label);
    void bind(QDoubleSpinBox* field, const QString& label);
    /// `follow` runs after a person's change and may change other bound fields: all of it
    /// becomes one undo step (e.g. a schedule preset also sets its length).
    void bind(QComboBox* field, const QString& label, std::function<void()> follow = {});
    void bind(QAbstractButton* checkable, const QString& label);
    void bind(QLineEdit* field, const QString& label);

    /// Runs programmatic changes (loading settings or a session) without undo entries.
    void withoutUndo(const std::function<void()>& change);
    QUndoStack* stack() const { return stack_; }

    // Used by the commands.
    void apply(QWidget* field, const QVariant& value);

private:
    void track(QWidget* field, const QString& label);
    void changed(QWidget* field);
    QVariant read(QWidget* field) const;

    QUndoStack* stack_;
    QHash<QWidget*, QVariant> last_;
    QHash<QWidget*, QString> labels_;
    QHash<QWidget*, std::function<void()>> follows_;
    int applying_ = 0;
};

/// Ctrl+Z and Ctrl+Shift+Z in `page` do what Edit > Undo and Redo say, whichever field has focus.
/// Qt's spin boxes and text fields take those keys for their own typing, which undoes nothing on
/// the Edit menu's stack (a value set with the arrows leaves no typing) while the menu names a
/// step. A line edit that is not on the stack keeps its own typing's undo while it has some.
void routeUndoKeysToEditMenu(QWidget* page);

}  // namespace ebm::studio
