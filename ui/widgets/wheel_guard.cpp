#include "widgets/wheel_guard.h"

#include <QApplication>
#include <QEvent>
#include <QWidget>

namespace ebm::studio {
namespace {

class WheelGuard : public QObject {
public:
    explicit WheelGuard(QWidget* field) : QObject(field) { field->installEventFilter(this); }

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

void guardWheel(QWidget* field)
{
    field->setFocusPolicy(Qt::StrongFocus);  // the wheel alone does not focus it
    new WheelGuard(field);
}

}  // namespace ebm::studio
