#include "pages/schedule/schedule_document.h"

#include <QUndoCommand>
#include <QUndoStack>

namespace ebm::studio {

/// Before and after of one edit; merges with the next edit of the same drag.
class CurveEditCommand : public QUndoCommand {
public:
    static constexpr int kId = 0x5c4e;

    CurveEditCommand(ScheduleDocument* document, ebm::ScheduleCurve before, ebm::ScheduleCurve after,
                     const QString& text, int mergeKey)
        : document_(document), before_(std::move(before)), after_(std::move(after)), mergeKey_(mergeKey)
    {
        setText(text);
    }

    void undo() override { document_->apply(before_); }
    void redo() override { document_->apply(after_); }
    int id() const override { return mergeKey_ > 0 ? kId : -1; }
    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* next = static_cast<const CurveEditCommand*>(other);
        if (next->document_ != document_ || next->mergeKey_ != mergeKey_)
            return false;
        after_ = next->after_;
        return true;
    }

private:
    ScheduleDocument* document_;
    ebm::ScheduleCurve before_;
    ebm::ScheduleCurve after_;
    int mergeKey_;
};

ScheduleDocument::ScheduleDocument(QUndoStack* stack, QObject* parent)
    : QObject(parent), stack_(stack), curve_(ebm::ScheduleCurve::preset(ebm::defaultSchedulePreset()))
{
}

bool ScheduleDocument::same(const ebm::ScheduleCurve& a, const ebm::ScheduleCurve& b)
{
    if (a.steps() != b.steps() || a.points().size() != b.points().size())
        return false;
    for (size_t i = 0; i < a.points().size(); ++i) {
        const ebm::CurvePoint &p = a.points()[i], &q = b.points()[i];
        if (p.step != q.step || p.temperature != q.temperature || p.toNext != q.toNext)
            return false;
    }
    return true;
}

bool ScheduleDocument::edit(const ebm::ScheduleCurve& next, const QString& text, int mergeKey)
{
    if (same(next, curve_))
        return false;
    stack_->push(new CurveEditCommand(this, curve_, next, text, mergeKey));
    return true;
}

void ScheduleDocument::reset(const ebm::ScheduleCurve& curve)
{
    curve_ = curve;
    Q_EMIT curveChanged(false);
}

void ScheduleDocument::apply(const ebm::ScheduleCurve& curve)
{
    curve_ = curve;
    Q_EMIT curveChanged(true);
}

}  // namespace ebm::studio
