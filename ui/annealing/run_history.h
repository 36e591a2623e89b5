#pragma once
// The recorded moments of one sampling run (every k steps, plus pauses and single steps), kept
// on the GUI side so that the timeline can replay any of them without asking the worker: images,
// energies and, for MALA runs, the step's acceptance (SampleSnapshot).
#include <QVector>

#include "worker/studio_types.h"
#include "annealing/sampling_types.h"

namespace ebm::studio {

class RunHistory {
public:
    void start(const SamplingRunInfo& info);
    /// Appends a batch of the current run; batches of other runs are ignored. Returns how many
    /// snapshots were added.
    int append(const SampleFrameBatch& batch);
    void clear();
    /// An edited schedule took over the run: its new temperatures and length.
    void updateSchedule(const QVector<double>& temperatures);

    bool isEmpty() const { return snapshots_.isEmpty(); }
    int size() const { return static_cast<int>(snapshots_.size()); }
    const SampleSnapshot& at(int index) const { return snapshots_.at(index); }
    const SampleSnapshot& last() const { return snapshots_.last(); }
    const SamplingRunInfo& info() const { return info_; }
    int runId() const { return info_.runId; }

    /// Images at a moment: the denoised preview when asked for and recorded, else the raw state.
    const QVector<QImage>& imagesAt(int index, bool denoised) const;
    bool hasDenoisedAt(int index) const;
    /// The latest moment at or before `index` with a denoised preview; -1 when none. Runs record
    /// the preview every few steps (the sampling job's kDenoisedPreviewEverySteps), not at every
    /// recorded moment.
    int denoisedIndexAtOrBefore(int index) const;
    /// What a view shows at a moment: with `denoised`, the latest denoised preview recorded up to
    /// it (denoisedIndexAtOrBefore), else the raw state.
    const QVector<QImage>& shownImagesAt(int index, bool denoised) const;
    /// One sample through every recorded moment up to `untilIndex` (inclusive; -1 = all), as
    /// shownImagesAt gives it.
    QVector<QImage> trajectory(int sample, bool denoised, int untilIndex = -1) const;
    /// Index of the last snapshot with step <= `step` (0 when none).
    int indexForStep(int step) const;

private:
    SamplingRunInfo info_;
    QVector<SampleSnapshot> snapshots_;
};

}  // namespace ebm::studio
