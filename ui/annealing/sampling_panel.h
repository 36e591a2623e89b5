#pragma once
// The Sample page's settings: the model in use and the sampling form, built from the one
// declaration of the sampling fields (sample/sampling_fields.cpp). The run buttons are the
// page's RunControls.
#include <QWidget>

#include "worker/studio_types.h"
#include "annealing/sampling_types.h"

class QLabel;

namespace ebm::studio {

class EditedCurveLength;
template <class S>
class SettingsForm;
class UndoFieldBinder;

class SamplingPanel : public QWidget {
    Q_OBJECT
public:
    SamplingPanel(UndoFieldBinder* undo, QWidget* parent = nullptr);

    SamplingSettings settings() const;
    /// Shows the given settings without creating undo steps.
    void setSettings(const SamplingSettings& settings);
    void setModelText(const QString& text, const QString& tooltip);
    /// The length of the Schedule page's curve. With the "Edited curve" preset the steps field
    /// shows it and is read-only: one curve, one length (the Schedule page changes it).
    void setEditedCurveSteps(int steps);
    /// The steps field (tests).
    QWidget* stepsField() const;

Q_SIGNALS:
    void settingsChanged();

private:
    QLabel* model_;
    SettingsForm<SamplingSettings>* form_;
    EditedCurveLength* curveLength_;
};

}  // namespace ebm::studio
