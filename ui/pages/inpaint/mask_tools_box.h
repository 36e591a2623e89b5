#pragma once
// The Inpaint page's "Mask" box: the canvas's tool, brush size and hardness, the overlay's
// opacity and colour, and the mask edits (presets, clear, invert) on its document. A preset is
// applied when it is chosen (and again with Apply beside it, or when the random fraction
// changes), one undo step; replacing a painted mask is said in the status. Loading and saving
// need the page's file dialogs and messages: the box asks for them.
#include <QGroupBox>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QSlider;

namespace ebm::studio {

class MaskCanvas;

class MaskToolsBox : public QGroupBox {
    Q_OBJECT
public:
    explicit MaskToolsBox(MaskCanvas* canvas, QWidget* parent = nullptr);

Q_SIGNALS:
    void loadRequested();
    void saveRequested();
    /// A line for the page's status (a preset replaced the painted mask).
    void statusMessage(const QString& text);

private:
    void addBrushRows(QFormLayout* form);
    void addPresetRows(QFormLayout* form);
    void addEditButtons(QFormLayout* form);
    void applyChosenPreset();

    MaskCanvas* canvas_;
    QComboBox* tool_;
    QSlider* brushSize_;
    QSlider* hardness_;
    QSlider* opacity_;
    QComboBox* preset_;
    QDoubleSpinBox* fraction_;
};

}  // namespace ebm::studio
