#include "annealing/run_history.h"

#include <algorithm>

namespace ebm::studio {

void RunHistory::start(const SamplingRunInfo& info)
{
    info_ = info;
    snapshots_.clear();
}

int RunHistory::append(const SampleFrameBatch& batch)
{
    if (batch.runId != info_.runId)
        return 0;
    snapshots_ += batch.snapshots;
    return static_cast<int>(batch.snapshots.size());
}

void RunHistory::updateSchedule(const QVector<double>& temperatures)
{
    info_.temperatures = temperatures;
    info_.totalSteps = static_cast<int>(temperatures.size());
}

void RunHistory::clear()
{
    info_ = SamplingRunInfo{};
    snapshots_.clear();
}

const QVector<QImage>& RunHistory::imagesAt(int index, bool denoised) const
{
    const SampleSnapshot& s = snapshots_.at(index);
    return denoised && !s.denoised.isEmpty() ? s.denoised : s.raw;
}

bool RunHistory::hasDenoisedAt(int index) const
{
    return index >= 0 && index < snapshots_.size() && !snapshots_.at(index).denoised.isEmpty();
}

int RunHistory::denoisedIndexAtOrBefore(int index) const
{
    for (int i = qMin(index, size() - 1); i >= 0; --i)
        if (!snapshots_.at(i).denoised.isEmpty())
            return i;
    return -1;
}

const QVector<QImage>& RunHistory::shownImagesAt(int index, bool denoised) const
{
    const int preview = denoised ? denoisedIndexAtOrBefore(index) : -1;
    return preview >= 0 ? snapshots_.at(preview).denoised : snapshots_.at(index).raw;
}

QVector<QImage> RunHistory::trajectory(int sample, bool denoised, int untilIndex) const
{
    QVector<QImage> frames;
    const int end = untilIndex < 0 ? size() : qMin(size(), untilIndex + 1);
    for (int i = 0; i < end; ++i) {
        const QVector<QImage>& images = shownImagesAt(i, denoised);
        if (sample >= 0 && sample < images.size())
            frames.push_back(images[sample]);
    }
    return frames;
}

int RunHistory::indexForStep(int step) const
{
    auto it = std::upper_bound(snapshots_.begin(), snapshots_.end(), step,
                               [](int value, const SampleSnapshot& s) { return value < s.step; });
    return it == snapshots_.begin() ? 0 : static_cast<int>(std::distance(snapshots_.begin(), it)) - 1;
}

}  // namespace ebm::studio
