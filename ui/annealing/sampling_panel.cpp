#include "annealing/sampling_panel.h"

#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include "widgets/settings_form.h"
#include "annealing/sampling_fields.h"

namespace ebm::studio {

SamplingPanel::SamplingPanel(UndoFieldBinder* undo, QWidget* parent) : QWidget(parent)
{
    model_ = new QLabel(tr("Loading the model…"), this);
    model_->setWordWrap(true);
    model_->setObjectName(QStringLiteral("modelLabel"));
    model_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form_ = new SettingsForm<SamplingSettings>(samplingFields(), undo, this);
    stepsToolTip_ = stepsField()->toolTip();
    // First the steps follow the curve, then the page hears of the settings.
    connect(form_, &SettingsFormWidget::valuesChanged, this, &SamplingPanel::followEditedCurve);
    connect(form_, &SettingsFormWidget::valuesChanged, this, &SamplingPanel::settingsChanged);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(model_);
    layout->addWidget(form_);
    layout->addStretch(1);
}

SamplingSettings SamplingPanel::settings() const { return form_->settings(); }

void SamplingPanel::setSettings(const SamplingSettings& settings) { form_->setSettings(settings); }

void SamplingPanel::setModelText(const QString& text, const QString& tooltip)
{
    model_->setText(text);
    model_->setToolTip(tooltip);
}

QWidget* SamplingPanel::stepsField() const { return form_->field(QStringLiteral("steps")); }

void SamplingPanel::setEditedCurveSteps(int steps)
{
    editedCurveSteps_ = steps;
    followEditedCurve();
}

void SamplingPanel::followEditedCurve()
{
    auto* steps = qobject_cast<QSpinBox*>(stepsField());
    if (!steps)
        return;
    const bool followsCurve =
        editedCurveSteps_ > 0 && form_->values().text(QStringLiteral("schedule")) == kEditedSchedulePreset;
    steps->setReadOnly(followsCurve);
    steps->setButtonSymbols(followsCurve ? QAbstractSpinBox::NoButtons : QAbstractSpinBox::UpDownArrows);
    steps->setToolTip(followsCurve ? tr("The length of the edited curve: change it on the Schedule page")
                                   : stepsToolTip_);
    if (followsCurve && steps->value() != editedCurveSteps_) {
        FieldValues length;
        length.set(QStringLiteral("steps"), editedCurveSteps_);
        form_->setValues(length);  // not an undo step: the preset or the curve edit is
    }
}

}  // namespace ebm::studio
