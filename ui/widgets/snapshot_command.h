#pragma once
// One undo step that swaps a whole value (a mask image, a set of 2D points) between its state
// before and after an edit. The edit has already happened when the command is pushed, so the
// first redo() writes the value it already holds. The target is guarded: a command outliving its
// page does nothing.
#include <QPointer>
#include <QUndoCommand>

#include <functional>
#include <utility>

namespace ebm::studio {

template <typename Value, typename Target>
class SnapshotCommand : public QUndoCommand {
public:
    using Apply = std::function<void(Target&, const Value&)>;

    SnapshotCommand(Target* target, Apply apply, Value before, Value after, const QString& text)
        : QUndoCommand(text), target_(target), apply_(std::move(apply)), before_(std::move(before)),
          after_(std::move(after))
    {
    }
    void undo() override { set(before_); }
    void redo() override { set(after_); }

private:
    void set(const Value& value)
    {
        if (target_)
            apply_(*target_, value);
    }

    QPointer<Target> target_;
    Apply apply_;
    Value before_;
    Value after_;
};

/// The command for a target whose setter takes the value, e.g. `&MaskCanvas::setMask`.
template <typename Value, typename Target>
QUndoCommand* snapshotCommand(Target* target, void (Target::*setter)(const Value&), Value before, Value after,
                              const QString& text)
{
    return new SnapshotCommand<Value, Target>(
        target, [setter](Target& t, const Value& v) { (t.*setter)(v); }, std::move(before), std::move(after), text);
}

}  // namespace ebm::studio
