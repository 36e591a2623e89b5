#pragma once
// What the pages share while the studio runs, so that they never talk to each other directly:
// the sampling pages' edited temperature curve (the Schedule page publishes it, every sampling
// page can sample with it) and the annealing runs in progress, and the images pages pick for
// others (the Sample page's selected sample, the Energy page's selected table row). A run
// announced here with a schedule feed follows every later edit of the curve from its next step
// on: the one link from the curve editor to any running run. Pages that draw other pages' runs
// (the Schedule page traces the Sample page's) hear of them here and follow their JobHandles.
// No torch: the feed is core's schedule library.
#include <QMetaMethod>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QVector>

#include <QImage>

#include <functional>
#include <memory>
#include <optional>

#include "ebm/schedule/schedule_curve.h"

namespace ebm {
class ScheduleFeed;
}

namespace ebm::studio {

class JobHandle;

class AnnealingHub : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /// The curve the person shapes; nullopt until the Schedule page has published one.
    const std::optional<ebm::ScheduleCurve>& editedCurve() const { return editedCurve_; }
    /// `edited`: the person changed it (not a restore), so pages may switch to it. Runs that
    /// follow the edited curve get it, rescaled to their length, before their next step.
    void publishCurve(const ebm::ScheduleCurve& curve, bool edited);

    /// `run` samples with the edited curve at `steps` steps when `feed` is set (it then follows
    /// edits); `source` names the page ("Sample page run"). Forgotten when the run finishes.
    void announceRun(const QString& source, JobHandle* run, std::shared_ptr<ebm::ScheduleFeed> feed, int steps);

    /// Whether a curve editor (the Schedule page) takes requestCurve.
    bool hasCurveEditor() const
    {
        return isSignalConnected(QMetaMethod::fromSignal(&AnnealingHub::curveRequested));
    }
    /// Asks the curve editor to make `curve` the edited curve, as one edit named `undoText` on the
    /// window's undo stack (settings taken from a picture); it is then published as any edit is.
    void requestCurve(const ebm::ScheduleCurve& curve, const QString& undoText)
    {
        Q_EMIT curveRequested(curve, undoText);
    }

    /// The sample the Sample page shows selected, for pages that start from it (Inpaint's
    /// "From the Sample page"); null when there is none.
    QImage selectedSample() const { return selectedSample_ ? selectedSample_() : QImage(); }
    void setSelectedSampleSource(std::function<QImage()> source) { selectedSample_ = std::move(source); }

    /// The image of the row the Energy page's image table shows selected (as the model read it
    /// when its set was scored), for pages that start from it (Landscape's "Energy table's
    /// selected row"); null when no row is selected.
    QImage selectedTableImage() const { return selectedTableImage_ ? selectedTableImage_() : QImage(); }
    void setSelectedTableImageSource(std::function<QImage()> source) { selectedTableImage_ = std::move(source); }

Q_SIGNALS:
    void editedCurveChanged(const ebm::ScheduleCurve& curve, bool edited);
    /// A page started an annealing run: observers connect to the handle's progress.
    void runAnnounced(const QString& source, ebm::studio::JobHandle* run);
    /// See requestCurve.
    void curveRequested(const ebm::ScheduleCurve& curve, const QString& undoText);

private:
    struct Run {
        QPointer<JobHandle> handle;
        std::shared_ptr<ebm::ScheduleFeed> feed;
        int steps = 0;
    };
    std::optional<ebm::ScheduleCurve> editedCurve_;
    QVector<Run> runs_;
    std::function<QImage()> selectedSample_;
    std::function<QImage()> selectedTableImage_;
};

}  // namespace ebm::studio
