#pragma once
// What the Compare page computes from two recorded runs, as plain values: the one timeline both
// step along (every moment either run recorded, ordered by step), which moment of a run a
// point of it shows, whether the runs followed the same schedule, and the per-sample difference
// of two images. Qt only, on the GUI thread: a few thousand pixels a sample.
#include <QImage>
#include <QString>
#include <QVector>

#include "ebm/base/json.h"
#include "annealing/sampling_types.h"

namespace ebm::studio {

/// A point of the timeline: a step, and whether it is the moment after the final denoising jump
/// (which shares the last step's number and comes after it).
struct TimelineMoment {
    int step = 0;
    bool final = false;

    bool operator<(const TimelineMoment& other) const
    {
        return step != other.step ? step < other.step : (!final && other.final);
    }
    bool operator==(const TimelineMoment& other) const { return step == other.step && final == other.final; }
    bool operator<=(const TimelineMoment& other) const { return !(other < *this); }
};

/// Every moment `a` or `b` recorded, once each, in order.
QVector<TimelineMoment> mergedTimeline(const QVector<SampleSnapshot>& a, const QVector<SampleSnapshot>& b);

/// The index of the last moment of `run` at or before `moment`; -1 when the run has none so early.
int momentIndexAt(const QVector<SampleSnapshot>& run, const TimelineMoment& moment);

/// |a - b| per pixel and channel: 8-bit gray when both are, else RGB888; null when the sizes differ.
QImage absoluteDifference(const QImage& a, const QImage& b);

/// The mean of the finite energies of a moment; NaN when it has none.
double meanEnergy(const QVector<double>& energies);

/// The settings JSON of a run file, or an empty object when they cannot be read.
ebm::Json parsedRunSettings(const QString& settingsJson);

/// The length of a run's schedule: its settings' "schedule" steps, else the last step it recorded.
int scheduleSteps(const ebm::Json& settings, const QVector<SampleSnapshot>& run);

/// Why two runs' schedules differ ("A: 500 steps, B: 1000 steps", "the same length, other
/// temperatures"); empty when they agree: the same schedule in their settings, or (without
/// settings) the same length and the same temperature wherever both recorded a step.
QString scheduleDifference(const ebm::Json& settingsA, const QVector<SampleSnapshot>& a, const ebm::Json& settingsB,
                           const QVector<SampleSnapshot>& b);

}  // namespace ebm::studio
