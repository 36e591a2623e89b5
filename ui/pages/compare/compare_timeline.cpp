#include "pages/compare/compare_timeline.h"

#include <QObject>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

namespace ebm::studio {
namespace {

/// Two temperatures the same, give or take the rounding of a value that went through files.
constexpr double kSameTemperature = 1e-9;

TimelineMoment momentOf(const SampleSnapshot& snapshot) { return {snapshot.step, snapshot.final}; }

/// The temperature each run recorded at each of its steps (the annealing moments only).
std::map<int, double> temperaturesByStep(const QVector<SampleSnapshot>& run)
{
    std::map<int, double> byStep;
    for (const SampleSnapshot& moment : run)
        if (!moment.final)
            byStep[moment.step] = moment.temperature;
    return byStep;
}

}  // namespace

QVector<TimelineMoment> mergedTimeline(const QVector<SampleSnapshot>& a, const QVector<SampleSnapshot>& b)
{
    QVector<TimelineMoment> moments;
    moments.reserve(a.size() + b.size());
    for (const QVector<SampleSnapshot>* run : {&a, &b})
        for (const SampleSnapshot& snapshot : *run)
            moments.push_back(momentOf(snapshot));
    std::sort(moments.begin(), moments.end());
    moments.erase(std::unique(moments.begin(), moments.end()), moments.end());
    return moments;
}

int momentIndexAt(const QVector<SampleSnapshot>& run, const TimelineMoment& moment)
{
    // Moments are recorded in order (the run file refuses steps that go back).
    const auto after = std::upper_bound(run.begin(), run.end(), moment, [](const TimelineMoment& value,
                                                                             const SampleSnapshot& snapshot) {
        return value < momentOf(snapshot);
    });
    return static_cast<int>(std::distance(run.begin(), after)) - 1;
}

QImage absoluteDifference(const QImage& a, const QImage& b)
{
    if (a.isNull() || a.size() != b.size())
        return {};
    const QImage::Format format = a.format() == QImage::Format_Grayscale8 && b.format() == QImage::Format_Grayscale8
                                      ? QImage::Format_Grayscale8
                                      : QImage::Format_RGB888;
    const QImage left = a.convertToFormat(format), right = b.convertToFormat(format);
    QImage difference(a.size(), format);
    const int bytesPerRow = a.width() * (format == QImage::Format_Grayscale8 ? 1 : 3);
    for (int y = 0; y < a.height(); ++y) {
        const uchar* l = left.constScanLine(y);
        const uchar* r = right.constScanLine(y);
        uchar* out = difference.scanLine(y);
        for (int i = 0; i < bytesPerRow; ++i)
            out[i] = static_cast<uchar>(std::abs(int(l[i]) - int(r[i])));
    }
    return difference;
}

double meanEnergy(const QVector<double>& energies)
{
    double sum = 0.0;
    int count = 0;
    for (double energy : energies)
        if (std::isfinite(energy)) {
            sum += energy;
            ++count;
        }
    return count > 0 ? sum / count : std::nan("");
}

ebm::Json parsedRunSettings(const QString& settingsJson)
{
    const ebm::Json settings = ebm::Json::parse(settingsJson.toStdString(), nullptr, false);
    return settings.is_object() ? settings : ebm::Json::object();
}

int scheduleSteps(const ebm::Json& settings, const QVector<SampleSnapshot>& run)
{
    const auto schedule = settings.find("schedule");
    if (schedule != settings.end() && schedule->is_object()) {
        const auto steps = schedule->find("steps");
        if (steps != schedule->end() && steps->is_number_integer())
            return steps->get<int>();
    }
    return run.isEmpty() ? 0 : run.last().step;
}

QString scheduleDifference(const ebm::Json& settingsA, const QVector<SampleSnapshot>& a, const ebm::Json& settingsB,
                           const QVector<SampleSnapshot>& b)
{
    const int stepsA = scheduleSteps(settingsA, a), stepsB = scheduleSteps(settingsB, b);
    if (stepsA != stepsB)
        return QObject::tr("A: %1 steps, B: %2 steps").arg(stepsA).arg(stepsB);
    const auto scheduleA = settingsA.find("schedule"), scheduleB = settingsB.find("schedule");
    if (scheduleA != settingsA.end() && scheduleB != settingsB.end())
        return *scheduleA == *scheduleB ? QString()
                                        : QObject::tr("both %1 steps, other temperatures").arg(stepsA);
    // Without both settings, what the runs recorded tells: a temperature at a step both recorded.
    const std::map<int, double> byStepA = temperaturesByStep(a), byStepB = temperaturesByStep(b);
    for (const auto& [step, temperature] : byStepA) {
        const auto other = byStepB.find(step);
        if (other != byStepB.end() &&
            std::abs(other->second - temperature) > kSameTemperature * std::max(1.0, std::abs(temperature)))
            return QObject::tr("both %1 steps, other temperatures (at step %2: %3 and %4)")
                .arg(stepsA)
                .arg(step)
                .arg(temperature, 0, 'g', 4)
                .arg(other->second, 0, 'g', 4);
    }
    return {};
}

}  // namespace ebm::studio
