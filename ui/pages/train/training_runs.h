#pragma once
// The runs the Train page keeps to overlay on its loss chart, as TensorBoard keeps runs: the run
// going on, appended to as its loss arrives, and the last few that ended (finished, stopped or
// failed) in this session. Plain values, no torch: the page, its chart and its session part hold
// them.
#include <QDateTime>
#include <QJsonArray>
#include <QString>
#include <QVector>

#include "pages/train/training_types.h"

namespace ebm::studio {

/// What a run was started with, as the Runs list describes it.
struct TrainingRunSummary {
    QString modelDescription;
    int batchSize = 0;
    double learningRate = 0.0;  // 0: not known here (a resumed run keeps its checkpoint's)
    qint64 totalSteps = 0;
    qint64 startStep = 0;       // above 0: resumed at that step

    /// "res6 … · batch 16 · lr 0.0001 · 1000 steps", the parts that are known.
    QString text() const;
};

enum class TrainingRunEnd { Running, Finished, Stopped, Failed };

struct TrainingRun {
    int number = 0;             // 1, 2, … in the order the runs of this session started
    QDateTime started;
    TrainingRunSummary settings;
    QVector<TrainPoint> points; // as the chart received them: a resumed run's history first
    TrainingRunEnd end = TrainingRunEnd::Running;
    bool shown = true;

    /// "run 1 · 12:04"
    QString name() const;
    /// The trainer's smoothed loss at the last point (its raw loss where that is not finite);
    /// NaN before the first point.
    double finalLoss() const;
    /// "running", "finished", "stopped" or "failed".
    QString endText() const;
};

/// The kept runs, oldest first; the last is the current one (running or ended last).
class TrainingRuns {
public:
    /// Runs kept at most, the current one included: the chart stays readable.
    static constexpr int kMaxRuns = 6;
    /// Points per run a session file holds at most; longer runs keep every n-th point and the last.
    static constexpr int kMaxSavedPoints = 2000;

    /// Appends a running run numbered after the last one; the oldest beyond kMaxRuns goes. A run
    /// still running then ends as stopped (the engine runs one training at a time).
    const TrainingRun& begin(const TrainingRunSummary& settings,
                             const QDateTime& started = QDateTime::currentDateTime());
    /// Appends loss points to the running run; nothing when none runs.
    void append(const QVector<TrainPoint>& points);
    /// The running run ended `how`; nothing when none runs.
    void end(TrainingRunEnd how);

    bool hasRunning() const { return !runs_.isEmpty() && runs_.back().end == TrainingRunEnd::Running; }
    const QVector<TrainingRun>& runs() const { return runs_; }
    int size() const { return static_cast<int>(runs_.size()); }
    bool isEmpty() const { return runs_.isEmpty(); }
    /// The current run: the last one; null when there is none.
    const TrainingRun* latest() const { return runs_.isEmpty() ? nullptr : &runs_.back(); }
    /// Every run but the latest, oldest first.
    QVector<TrainingRun> earlier() const;
    /// Null when no kept run has that number.
    const TrainingRun* find(int number) const;

    /// False when no kept run has that number or it already was so.
    bool setShown(int number, bool shown);
    /// Keeps only the current run.
    void clearOld();

    /// Every run, each thinned to kMaxSavedPoints; a run still running is written as it stands.
    QJsonArray toJson() const;
    /// Replaces the ended runs with those of `json` (toJson's form); a running run stays, last,
    /// and numbers go on after the highest. False with `error` set, and nothing changed, when
    /// `json` holds something else.
    bool restore(const QJsonArray& json, QString& error);

    /// Every n-th point and the last, at most `maxPoints` of them (at least 2).
    static QVector<TrainPoint> thinned(const QVector<TrainPoint>& points, int maxPoints);

private:
    void dropOldest();

    QVector<TrainingRun> runs_;
    int nextNumber_ = 1;
};

}  // namespace ebm::studio
