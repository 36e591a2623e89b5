#pragma once
// One curve, one length: with the "Edited curve" preset chosen in an annealing form (Sample,
// Inpaint), the form's steps field shows the Schedule page's curve length and is read-only.
#include <QObject>
#include <QString>

namespace ebm::studio {

class SettingsFormWidget;

class EditedCurveLength : public QObject {
    Q_OBJECT
public:
    /// Watches `form`'s annealing fields (declareAnnealingFields' "schedule" and "steps"). Made
    /// before the page listens to the form, so that the page hears of the length already set.
    explicit EditedCurveLength(SettingsFormWidget* form);

    /// The length of the Schedule page's curve (AnnealingHub::editedCurveChanged).
    void setCurveSteps(int steps);
    int curveSteps() const { return curveSteps_; }

private:
    void follow();

    SettingsFormWidget* form_;
    int curveSteps_ = 0;  // 0: no curve published yet
    QString stepsToolTip_;
};

}  // namespace ebm::studio
