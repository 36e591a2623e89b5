#pragma once
// The schedule curve being edited, shared by the Schedule page's curve editor and its table of
// control points. Every change goes through edit(), one QUndoCommand each; edits with the same
// merge key (one drag, one burst of arrow-key nudges) become one undo step.
#include <QObject>
#include <QString>

#include "ebm/schedule/schedule_curve.h"

class QUndoStack;

namespace ebm::studio {

class ScheduleDocument : public QObject {
    Q_OBJECT
public:
    ScheduleDocument(QUndoStack* stack, QObject* parent = nullptr);

    const ebm::ScheduleCurve& curve() const { return curve_; }
    QUndoStack* undoStack() const { return stack_; }

    /// One edit of the curve, undoable; `mergeKey` > 0 merges it into the previous edit of the
    /// same key. Returns false (and changes nothing) when `next` equals the curve.
    bool edit(const ebm::ScheduleCurve& next, const QString& text, int mergeKey = 0);
    /// Replaces the curve without an undo step (start-up, a session file).
    void reset(const ebm::ScheduleCurve& curve);
    /// A key no edit has used yet, for a drag or a run of nudges.
    int newMergeKey() { return ++lastMergeKey_; }

    static bool same(const ebm::ScheduleCurve& a, const ebm::ScheduleCurve& b);

Q_SIGNALS:
    /// `byPerson`: an edit, undo or redo; false for reset().
    void curveChanged(bool byPerson);

private:
    friend class CurveEditCommand;
    void apply(const ebm::ScheduleCurve& curve);

    QUndoStack* stack_;
    ebm::ScheduleCurve curve_;
    int lastMergeKey_ = 0;
};

}  // namespace ebm::studio
