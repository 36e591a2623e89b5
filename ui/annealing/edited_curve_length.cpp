#include "annealing/edited_curve_length.h"

#include <QSpinBox>

#include "widgets/settings_form.h"
#include "worker/studio_types.h"

namespace ebm::studio {

EditedCurveLength::EditedCurveLength(SettingsFormWidget* form) : QObject(form), form_(form)
{
    if (QWidget* steps = form_->field(QStringLiteral("steps")))
        stepsToolTip_ = steps->toolTip();
    connect(form_, &SettingsFormWidget::valuesChanged, this, &EditedCurveLength::follow);
}

void EditedCurveLength::setCurveSteps(int steps)
{
    curveSteps_ = steps;
    follow();
}

void EditedCurveLength::follow()
{
    auto* steps = qobject_cast<QSpinBox*>(form_->field(QStringLiteral("steps")));
    if (!steps)
        return;
    const bool followsCurve =
        curveSteps_ > 0 && form_->values().text(QStringLiteral("schedule")) == kEditedSchedulePreset;
    steps->setReadOnly(followsCurve);
    steps->setButtonSymbols(followsCurve ? QAbstractSpinBox::NoButtons : QAbstractSpinBox::UpDownArrows);
    steps->setToolTip(followsCurve ? tr("The length of the edited curve: change it on the Schedule page")
                                   : stepsToolTip_);
    if (followsCurve && steps->value() != curveSteps_) {
        FieldValues length;
        length.set(QStringLiteral("steps"), curveSteps_);
        form_->setValues(length);  // not an undo step: the preset or the curve edit is
    }
}

}  // namespace ebm::studio
