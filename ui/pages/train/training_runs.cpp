#include "pages/train/training_runs.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace ebm::studio {
namespace {

// The keys of a run in a session file.
const QString kNumberKey = QStringLiteral("number");
const QString kStartedKey = QStringLiteral("started");
const QString kModelKey = QStringLiteral("model");
const QString kBatchKey = QStringLiteral("batch");
const QString kLearningRateKey = QStringLiteral("learning_rate");
const QString kStepsKey = QStringLiteral("steps");
const QString kStartStepKey = QStringLiteral("start_step");
const QString kEndKey = QStringLiteral("end");
const QString kShownKey = QStringLiteral("shown");
// Each point as [step, wall time (s, -1: none), loss, smoothed loss, learning rate].
const QString kPointsKey = QStringLiteral("points");
constexpr int kPointFields = 5;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// JSON has no NaN or infinity: a non-finite loss is written as null and read back as NaN.
QJsonValue finiteOrNull(double value) { return std::isfinite(value) ? QJsonValue(value) : QJsonValue(); }

const QList<std::pair<TrainingRunEnd, QString>>& endNames()
{
    static const QList<std::pair<TrainingRunEnd, QString>> names{
        {TrainingRunEnd::Running, QStringLiteral("running")},
        {TrainingRunEnd::Finished, QStringLiteral("finished")},
        {TrainingRunEnd::Stopped, QStringLiteral("stopped")},
        {TrainingRunEnd::Failed, QStringLiteral("failed")},
    };
    return names;
}

QJsonObject runToJson(const TrainingRun& run)
{
    QJsonArray points;
    for (const TrainPoint& p : TrainingRuns::thinned(run.points, TrainingRuns::kMaxSavedPoints))
        points.append(QJsonArray{static_cast<double>(p.step), p.wallSeconds >= 0.0 ? p.wallSeconds : -1.0,
                                 finiteOrNull(p.loss), finiteOrNull(p.smoothedLoss), finiteOrNull(p.learningRate)});
    return QJsonObject{
        {kNumberKey, run.number},
        {kStartedKey, run.started.toString(Qt::ISODate)},
        {kModelKey, run.settings.modelDescription},
        {kBatchKey, run.settings.batchSize},
        {kLearningRateKey, run.settings.learningRate},
        {kStepsKey, static_cast<double>(run.settings.totalSteps)},
        {kStartStepKey, static_cast<double>(run.settings.startStep)},
        {kEndKey, run.endText()},
        {kShownKey, run.shown},
        {kPointsKey, points},
    };
}

bool runFromJson(const QJsonValue& value, TrainingRun& run, QString& error)
{
    const QJsonObject o = value.toObject();
    const double number = o.value(kNumberKey).toDouble(0.0);
    if (!value.isObject() || number < 1 || number != std::floor(number) || !o.value(kPointsKey).isArray()) {
        error = QObject::tr("a training run is not an object with a number (1, 2, …) and a list of points");
        return false;
    }
    run.number = static_cast<int>(number);
    run.started = QDateTime::fromString(o.value(kStartedKey).toString(), Qt::ISODate);
    run.settings.modelDescription = o.value(kModelKey).toString();
    run.settings.batchSize = o.value(kBatchKey).toInt();
    run.settings.learningRate = o.value(kLearningRateKey).toDouble();
    run.settings.totalSteps = static_cast<qint64>(o.value(kStepsKey).toDouble());
    run.settings.startStep = static_cast<qint64>(o.value(kStartStepKey).toDouble());
    // A run saved while it was going on ended there, for whoever opens the session.
    run.end = TrainingRunEnd::Stopped;
    for (const auto& [end, name] : endNames())
        if (name == o.value(kEndKey).toString() && end != TrainingRunEnd::Running)
            run.end = end;
    run.shown = o.value(kShownKey).toBool(true);
    const QJsonArray points = o.value(kPointsKey).toArray();
    run.points.reserve(points.size());
    for (const QJsonValue& entry : points) {
        const QJsonArray fields = entry.toArray();
        if (fields.size() != kPointFields || !fields[0].isDouble()) {
            error = QObject::tr("a point of training run %1 is not [step, wall time, loss, smoothed loss, "
                                "learning rate]")
                        .arg(run.number);
            return false;
        }
        TrainPoint p;
        p.step = static_cast<qint64>(fields[0].toDouble());
        p.wallSeconds = fields[1].toDouble(-1.0);
        p.loss = fields[2].toDouble(kNaN);
        p.smoothedLoss = fields[3].toDouble(kNaN);
        p.learningRate = fields[4].toDouble(0.0);
        run.points.push_back(p);
    }
    return true;
}

}  // namespace

QString TrainingRunSummary::text() const
{
    QStringList parts;
    if (!modelDescription.isEmpty())
        parts << modelDescription;
    if (batchSize > 0)
        parts << QObject::tr("batch %1").arg(batchSize);
    if (learningRate > 0.0)
        parts << QObject::tr("lr %1").arg(learningRate, 0, 'g', 3);
    if (totalSteps > 0)
        parts << QObject::tr("%1 steps").arg(totalSteps);
    if (startStep > 0)
        parts << QObject::tr("resumed at step %1").arg(startStep);
    return parts.join(QStringLiteral(" · "));
}

QString TrainingRun::name() const
{
    return started.isValid() ? QObject::tr("run %1 · %2").arg(number).arg(started.toString(QStringLiteral("HH:mm")))
                             : QObject::tr("run %1").arg(number);
}

double TrainingRun::finalLoss() const
{
    if (points.isEmpty())
        return kNaN;
    const TrainPoint& last = points.back();
    return std::isfinite(last.smoothedLoss) ? last.smoothedLoss : last.loss;
}

QString TrainingRun::endText() const
{
    for (const auto& [kind, name] : endNames())
        if (kind == end)
            return name;
    return QString();
}

const TrainingRun& TrainingRuns::begin(const TrainingRunSummary& settings, const QDateTime& started)
{
    end(TrainingRunEnd::Stopped);
    TrainingRun run;
    run.number = nextNumber_++;
    run.started = started;
    run.settings = settings;
    runs_.push_back(std::move(run));
    while (runs_.size() > kMaxRuns)
        dropOldest();
    return runs_.back();
}

void TrainingRuns::append(const QVector<TrainPoint>& points)
{
    if (hasRunning())
        runs_.back().points += points;
}

void TrainingRuns::end(TrainingRunEnd how)
{
    if (hasRunning() && how != TrainingRunEnd::Running)
        runs_.back().end = how;
}

QVector<TrainingRun> TrainingRuns::earlier() const
{
    return runs_.isEmpty() ? QVector<TrainingRun>{} : runs_.mid(0, runs_.size() - 1);
}

const TrainingRun* TrainingRuns::find(int number) const
{
    for (const TrainingRun& run : runs_)
        if (run.number == number)
            return &run;
    return nullptr;
}

bool TrainingRuns::setShown(int number, bool shown)
{
    for (TrainingRun& run : runs_)
        if (run.number == number) {
            if (run.shown == shown)
                return false;
            run.shown = shown;
            return true;
        }
    return false;
}

void TrainingRuns::clearOld()
{
    if (runs_.size() > 1)
        runs_.remove(0, runs_.size() - 1);
}

void TrainingRuns::dropOldest()
{
    if (!runs_.isEmpty())
        runs_.removeFirst();
}

QJsonArray TrainingRuns::toJson() const
{
    QJsonArray runs;
    for (const TrainingRun& run : runs_)
        runs.append(runToJson(run));
    return runs;
}

bool TrainingRuns::restore(const QJsonArray& json, QString& error)
{
    QVector<TrainingRun> loaded;
    QSet<int> numbers;
    for (const QJsonValue& value : json) {
        TrainingRun run;
        if (!runFromJson(value, run, error))
            return false;
        if (numbers.contains(run.number)) {
            error = QObject::tr("two training runs are numbered %1").arg(run.number);
            return false;
        }
        numbers.insert(run.number);
        loaded.push_back(std::move(run));
    }
    int highest = 0;
    for (const TrainingRun& run : loaded)
        highest = std::max(highest, run.number);
    if (hasRunning()) {
        // The run going on keeps its place, last; a loaded run with its number gives way.
        TrainingRun running = runs_.back();
        loaded.erase(std::remove_if(loaded.begin(), loaded.end(),
                                    [&](const TrainingRun& run) { return run.number == running.number; }),
                     loaded.end());
        loaded.push_back(std::move(running));
    }
    runs_ = std::move(loaded);
    while (runs_.size() > kMaxRuns)
        dropOldest();
    nextNumber_ = std::max(nextNumber_, highest + 1);
    return true;
}

QVector<TrainPoint> TrainingRuns::thinned(const QVector<TrainPoint>& points, int maxPoints)
{
    maxPoints = std::max(2, maxPoints);
    if (points.size() <= maxPoints)
        return points;
    // Multiples of the stride below the last index, then the last: at most maxPoints in all.
    const qsizetype last = points.size() - 1;
    const qsizetype stride = (last + maxPoints - 2) / (maxPoints - 1);
    QVector<TrainPoint> kept;
    kept.reserve(maxPoints);
    for (qsizetype i = 0; i < last; i += stride)
        kept.push_back(points[i]);
    kept.push_back(points[last]);
    return kept;
}

}  // namespace ebm::studio
