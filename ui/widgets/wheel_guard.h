#pragma once
// Scrolling a long settings form must not change the fields the pointer passes over: a spin
// box or combo box only takes the mouse wheel once it has the focus (a click or Tab); until
// then the wheel scrolls the form.
class QWidget;

namespace ebm::studio {

/// Applies the rule to one field (a spin box or combo box); the form builds every field with it.
void guardWheel(QWidget* field);

}  // namespace ebm::studio
