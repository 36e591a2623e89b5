#pragma once
// Run files in the studio (issue 27, part 4): a sampling page's recorded run (RunHistory) saved
// as a NAME.ebmrun folder (the engine's run bundle: .npy arrays and the run's settings JSON), and
// a saved run read back as plain values a page shows. Both convert on the worker; the GUI thread
// never touches the arrays. No torch here: moc and the pages read this header.
#include <QMetaType>
#include <QSize>
#include <QString>
#include <QVector>

#include <functional>
#include <string>

#include "jobs/job.h"
#include "annealing/sampling_types.h"

class QObject;

namespace ebm::studio {

class JobHandle;
class RunHistory;
class StudioEngine;

inline const QString kRunBundleJobKind = QStringLiteral("run-file");

/// What a run folder's name ends with (".ebmrun", the engine's), and the file dialogs' filter.
QString runBundleSuffix();
QString runBundleFilter();

/// Moments converted so far; done == total while the files are written (saving) or shown.
struct RunBundleProgress {
    int done = 0;
    int total = 0;
};

struct RunBundleSaved {
    bool ok = false;
    bool cancelled = false;
    QString path;
    int moments = 0;
    QString error;  // one line naming the folder
};

/// Converts `snapshots` (each moment's raw samples, its step, temperature, energies and final
/// flag; every moment the same samples of one image shape) to a run bundle and writes it to
/// `path` with `settingsJson` (the JSON of studioPictureSettings; empty: "{}"). Progress:
/// RunBundleProgress every 100 ms; result: RunBundleSaved. Stops between two moments when cancelled.
class SaveRunBundleJob : public Job {
public:
    SaveRunBundleJob(QString path, QVector<SampleSnapshot> snapshots, std::string settingsJson)
        : path_(std::move(path)), snapshots_(std::move(snapshots)), settingsJson_(std::move(settingsJson))
    {
    }
    QString kind() const override { return kRunBundleJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString path_;
    QVector<SampleSnapshot> snapshots_;
    std::string settingsJson_;
};

/// A saved run as a page shows it.
struct LoadedRunBundle {
    bool ok = false;
    bool cancelled = false;
    QString error;        // one line naming the folder or its file
    QString path;
    QString name;         // the folder's name without ".ebmrun"
    QVector<SampleSnapshot> snapshots;  // raw images (Grayscale8 or RGB888), steps, temperatures, energies, final
    QString settingsJson; // the run's settings, a JSON object
    int samples = 0;
    int channels = 0;     // 1 gray, 3 RGB
    QSize imageSize;
};

/// Reads the run folder `path` (ebm::readRunBundle: every size checked before it is read) into
/// LoadedRunBundle. Progress: RunBundleProgress; result: LoadedRunBundle.
class LoadRunBundleJob : public Job {
public:
    explicit LoadRunBundleJob(QString path) : path_(std::move(path)) {}
    QString kind() const override { return kRunBundleJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString path_;
};

/// File > Save Run… of a sampling page, once it has a `path`: saves every recorded moment of
/// `history` with `settingsJson` (the page's picture settings of the whole run) on the worker,
/// queued behind the job running now. `done` runs on the GUI thread, in `receiver`'s lifetime,
/// with one line for the person: ok (the status bar) or not (a problem), also when there is
/// nothing to save. Returns the job's handle (progress: RunBundleProgress), null when none started.
JobHandle* saveRunBundle(StudioEngine* engine, const QString& path, const RunHistory& history,
                         const std::string& settingsJson, QObject* receiver,
                         const std::function<void(bool ok, const QString& message)>& done);

/// Registers the values above for queued connections (a page calls it once).
void registerRunBundleTypes();

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::RunBundleProgress)
Q_DECLARE_METATYPE(ebm::studio::RunBundleSaved)
Q_DECLARE_METATYPE(ebm::studio::LoadedRunBundle)
