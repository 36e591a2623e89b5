#include "widgets/wheel_guard.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QWidget>

namespace ebm::studio {
namespace {

class WheelGuard : public QObject {
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        auto* field = qobject_cast<QWidget*>(watched);
        if (event->type() != QEvent::Wheel || !field || field->hasFocus() || !field->parentWidget())
            return false;
        // Hand the wheel to the form around the field, which passes it on to its scroll area.
        QApplication::sendEvent(field->parentWidget(), event);
        return true;
    }
};

}  // namespace

void guardWheelUnderForm(QWidget* root)
{
    auto* guard = new WheelGuard(root);
    const auto guardField = [guard](QWidget* field) {
        field->setFocusPolicy(Qt::StrongFocus);  // the wheel alone does not focus it
        field->installEventFilter(guard);
    };
    for (QAbstractSpinBox* spin : root->findChildren<QAbstractSpinBox*>())
        guardField(spin);
    for (QComboBox* combo : root->findChildren<QComboBox*>())
        guardField(combo);
}

}  // namespace ebm::studio
