#include "annealing/sampling_panel.h"

#include <QLabel>
#include <QVBoxLayout>

#include "widgets/settings_form.h"
#include "annealing/edited_curve_length.h"
#include "annealing/sampling_fields.h"

namespace ebm::studio {

SamplingPanel::SamplingPanel(UndoFieldBinder* undo, QWidget* parent) : QWidget(parent)
{
    model_ = new QLabel(tr("Loading the model…"), this);
    model_->setWordWrap(true);
    model_->setObjectName(QStringLiteral("modelLabel"));
    model_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form_ = new SettingsForm<SamplingSettings>(samplingFields(), undo, this);
    // First the steps follow the curve, then the page hears of the settings.
    curveLength_ = new EditedCurveLength(form_);
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

void SamplingPanel::setEditedCurveSteps(int steps) { curveLength_->setCurveSteps(steps); }

}  // namespace ebm::studio
