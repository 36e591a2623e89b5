#pragma once
// The Learn page's jobs (2D teaching demos, ebm/toy/toy_lab.h): make or open a point set, train an
// MLP energy with MDSM while reporting the landscape, anneal particles over it (Langevin or MALA),
// compare one noise level with many, Langevin with MALA at one large step size, the
// measure-concentration statistics, and a few points of every toy for the data set gallery.
// Values are plain: the page
// never sees a tensor; a model travels as its flat weights, so the session file can hold it.
#include <QMetaType>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>

#include "ebm/base/defaults.h"
#include "ebm/schedule/sampling_options.h"
#include "ebm/schedule/schedule_feed.h"
#include "jobs/job.h"

namespace ebm::studio {

inline const QString kLearnTrainJobKind = QStringLiteral("learn-train");
inline const QString kLearnSampleJobKind = QStringLiteral("learn-sample");
inline const QString kLearnCompareJobKind = QStringLiteral("learn-compare");
inline const QString kLearnSamplerCompareJobKind = QStringLiteral("learn-sampler-compare");
inline const QString kLearnDataJobKind = QStringLiteral("learn-data");
inline const QString kLearnGalleryJobKind = QStringLiteral("learn-gallery");
inline const QString kLearnConcentrationJobKind = QStringLiteral("learn-concentration");

/// An MLP energy as its parameters, flattened in the network's parameter order.
struct LearnModel {
    int width = 128;
    int depth = 3;
    QVector<float> weights;   // empty: no model yet
    // How the weights came about, shown again when a session brings the model back (set by the
    // page when a run ends; the jobs leave them at zero).
    qint64 trainedSteps = 0;  // every run on these weights together; 0: not recorded
    double finalLoss = std::numeric_limits<double>::quiet_NaN();  // the last step's loss; NaN: not recorded
    bool isEmpty() const { return weights.isEmpty(); }
};

struct LearnTrainSettings {
    int width = 128;
    int depth = 3;
    double sigmaMin = 0.05;
    double sigmaMax = 2.0;
    bool geometric = true;       // spread of the sigmas; false = linear
    bool singleSigma = false;    // every row at sigmaMin (the single-level baseline)
    double sigma0 = 0.1;
    double learningRate = 1e-3;
    int batchSize = 256;
    int steps = 2000;
    quint64 seed = 1;
};

/// E(x) and the score -dE/dx on a square grid [-extent, extent]^2, rows with y rising.
struct LearnLandscape {
    int resolution = 0;
    double extent = 3.0;
    QVector<float> energies;     // resolution^2
    QVector<float> scoreX, scoreY;
    bool isEmpty() const { return resolution == 0; }
};

/// What a training run shows, at most 25 times a second.
struct LearnTrainReport {
    qint64 step = 0;
    qint64 totalSteps = 0;
    QVector<float> losses;       // the steps since the previous report
    LearnLandscape landscape;    // the newest (empty when none was computed for this report)
    double learningRate = 0.0;   // what the trainer uses now (changed live by the page)
    double sigmaMin = 0.0;
    double sigmaMax = 0.0;
};

struct LearnTrainResult {
    bool ok = false;
    bool cancelled = false;
    QString error;
    LearnModel model;
    qint64 steps = 0;
    LearnLandscape landscape;
};

/// The settings a person may change while the model trains.
struct LearnLiveTraining {
    double learningRate = 1e-3;
    double sigmaMin = 0.05;
    double sigmaMax = 2.0;
};

/// What the GUI changes while the model trains: posted by the page, taken by the worker before
/// the next step (the newest post wins).
class LearnTrainControls {
public:
    void post(const LearnLiveTraining& values)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ = values;
    }
    std::optional<LearnLiveTraining> take()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::optional<LearnLiveTraining> taken;
        taken.swap(pending_);
        return taken;
    }

private:
    std::mutex mutex_;
    std::optional<LearnLiveTraining> pending_;
};

/// Trains on `points` from `start` (empty: fresh weights). Progress: LearnTrainReport.
/// Result: LearnTrainResult (also after a stop, with the weights reached). With `live`, the
/// learning rate and the noise range posted there apply from the next step on.
class LearnTrainJob : public Job {
public:
    LearnTrainJob(QVector<QPointF> points, LearnTrainSettings settings, LearnModel start, int gridResolution,
                  double extent, std::shared_ptr<LearnTrainControls> live = nullptr)
        : points_(std::move(points)), settings_(settings), start_(std::move(start)), gridResolution_(gridResolution),
          extent_(extent), live_(std::move(live)) {}
    QString kind() const override { return kLearnTrainJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QVector<QPointF> points_;
    LearnTrainSettings settings_;
    LearnModel start_;
    int gridResolution_;
    double extent_;
    std::shared_ptr<LearnTrainControls> live_;
};

/// What the GUI changes while particles run: read by the worker before every frame.
struct LearnSampleControls {
    std::atomic<double> temperature{1.0};   // hand-driven annealing
    std::atomic<int> stepsPerFrame{2};      // the speed
    std::shared_ptr<ebm::ScheduleFeed> scheduleFeed = std::make_shared<ebm::ScheduleFeed>();

    void dropParticles(const QVector<QPointF>& points)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        drops_ += points;
    }
    QVector<QPointF> takeDrops()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        QVector<QPointF> taken;
        taken.swap(drops_);
        return taken;
    }

private:
    std::mutex mutex_;
    QVector<QPointF> drops_;
};

struct LearnSampleSettings {
    int particles = 500;
    double stepSize = ebm::kDefaultLangevinStepSize;
    double sigma0 = 0.1;
    double extent = 3.0;          // start spread over [-extent, extent]^2
    bool useSchedule = true;      // false: the temperature slider drives the run until stopped
    QVector<double> temperatures; // the schedule (one per step); empty: the toy default
    bool finalDenoise = true;
    quint64 seed = 1;
    QVector<QPointF> start;       // empty: spread start
    ebm::Sampler sampler = ebm::kDefaultSampler;   // Mala: each move accepted or refused (Metropolis)
};

struct LearnSampleFrame {
    int step = 0;
    int totalSteps = 0;           // 0 for hand-driven runs
    double temperature = 0.0;
    bool final = false;           // after the denoising jump
    QVector<QPointF> positions;
    /// The share of the particles' moves taken over the steps since the previous frame (MALA's
    /// acceptance); Langevin takes every move: 1.
    double acceptance = 1.0;
};

struct LearnSampleResult {
    bool ok = false;
    bool cancelled = false;
    QString error;
    QVector<QPointF> positions;
    int steps = 0;
    double meanAcceptance = 1.0;  // over every step run (1 for Langevin)
};

/// Annealed Langevin (or MALA) for particles, one frame every 40 ms at most. Progress: LearnSampleFrame.
class LearnSampleJob : public Job {
public:
    LearnSampleJob(LearnModel model, LearnSampleSettings settings, std::shared_ptr<LearnSampleControls> controls)
        : model_(std::move(model)), settings_(std::move(settings)), controls_(std::move(controls)) {}
    QString kind() const override { return kLearnSampleJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    LearnModel model_;
    LearnSampleSettings settings_;
    std::shared_ptr<LearnSampleControls> controls_;
};

struct LearnCompareSettings {
    LearnTrainSettings train;     // the multiscale model's (and the common) settings
    double singleSigma = 0.1;     // the single-level model's one sigma
    int steps = 800;
    LearnSampleSettings sampling;
    QString mixture;              // a toy mixture's name ("weighted8"): its modes are measured
};

struct LearnCompareSide {
    QString label;
    LearnLandscape landscape;
    QVector<QPointF> samples;
    bool hasModes = false;
    int modesCovered = 0;
    int modes = 0;
    double weightTv = 0.0;
    double unassigned = 0.0;
    QVector<double> sampleWeights;
    double mmd = 0.0;
    double meanAcceptance = 1.0;  // the share of moves taken over the run (MALA); 1 for Langevin
};

struct LearnCompareProgress {
    int done = 0;                 // training steps of both models, then sampling steps
    int total = 0;
    QString phase;
};

struct LearnCompareResult {
    bool ok = false;
    bool cancelled = false;
    QString error;
    LearnCompareSide single, multiscale;
    QVector<double> trueWeights;
    double mmdBandwidth = 0.0;
};

/// Trains a single-sigma and an MDSM model on the same points, samples both and measures them.
class LearnCompareJob : public Job {
public:
    LearnCompareJob(QVector<QPointF> points, LearnCompareSettings settings, int gridResolution, double extent)
        : points_(std::move(points)), settings_(std::move(settings)), gridResolution_(gridResolution), extent_(extent) {}
    QString kind() const override { return kLearnCompareJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QVector<QPointF> points_;
    LearnCompareSettings settings_;
    int gridResolution_;
    double extent_;
};

struct LearnSamplerCompareSettings {
    /// Both runs': the same start (spread from `sampling.seed`), schedule, step size (a large
    /// one shows the difference) and seed; `sampling.sampler` is not read.
    LearnSampleSettings sampling;
    QString mixture;              // a toy mixture's name ("weighted8"): its modes are measured
};

struct LearnSamplerCompareResult {
    bool ok = false;
    bool cancelled = false;
    QString error;
    LearnCompareSide langevin, mala;   // the same landscape (the model's) on both
    QVector<double> trueWeights;       // empty when the data are no known mixture
    double modeRadius = 0.0;           // a sample belongs to the nearest mode within it
    double stepSize = 0.0;
    double mmdBandwidth = 0.0;
};

/// Anneals the same start over `model` twice at one step size, with Langevin and with MALA, and
/// measures both sample sets against the data (mode weights when the data are a known mixture).
/// Progress: LearnCompareProgress (the steps of both runs). Result: LearnSamplerCompareResult.
class LearnSamplerCompareJob : public Job {
public:
    LearnSamplerCompareJob(LearnModel model, QVector<QPointF> points, LearnSamplerCompareSettings settings,
                           int gridResolution, double extent)
        : model_(std::move(model)), points_(std::move(points)), settings_(std::move(settings)),
          gridResolution_(gridResolution), extent_(extent) {}
    QString kind() const override { return kLearnSamplerCompareJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    LearnModel model_;
    QVector<QPointF> points_;
    LearnSamplerCompareSettings settings_;
    int gridResolution_;
    double extent_;
};

struct LearnDataResult {
    QString error;
    QString name;
    QVector<QPointF> points;
};

/// A named toy ("weighted8", "toy:moons", ...) or a .npy of [N, 2] points. Result: LearnDataResult.
class LearnDataJob : public Job {
public:
    LearnDataJob(QString spec, int count, quint64 seed) : spec_(std::move(spec)), count_(count), seed_(seed) {}
    QString kind() const override { return kLearnDataJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QString spec_;
    int count_;
    quint64 seed_;
};

/// One thumbnail of the data set gallery: a data set's name and a few of its points.
struct LearnGalleryItem {
    QString spec;
    QVector<QPointF> points;
};

struct LearnGalleryResult {
    QString error;
    bool cancelled = false;
    QVector<LearnGalleryItem> items;   // in the order of the specs asked for
};

/// A few points of each named toy (no .npy paths), for the gallery's thumbnails: quick and
/// model-free, so it may also run between two steps of a training run. Result: LearnGalleryResult.
class LearnGalleryJob : public Job {
public:
    LearnGalleryJob(QStringList specs, int count, quint64 seed) : specs_(std::move(specs)), count_(count), seed_(seed) {}
    QString kind() const override { return kLearnGalleryJobKind; }
    bool canRunAsGuest() const override { return true; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    QStringList specs_;
    int count_;
    quint64 seed_;
};

struct LearnHistogram {
    double lo = 0.0, hi = 1.0;
    QVector<double> counts;       // fractions of all draws per bin
    double mean = 0.0, stddev = 0.0;
};

struct LearnConcentrationSettings {
    int dimension = 1024;
    double sigma = 0.3;
    QVector<double> spread;       // the sigmas of a multiscale spread
    int draws = 2000;
};

struct LearnConcentrationResult {
    QString error;
    double expectedDistance = 0.0;
    LearnHistogram distance, angle;          // one sigma
    LearnHistogram singleBand, spreadBand;   // one sigma and the spread, on a common range
};

class LearnConcentrationJob : public Job {
public:
    explicit LearnConcentrationJob(LearnConcentrationSettings settings) : settings_(std::move(settings)) {}
    QString kind() const override { return kLearnConcentrationJobKind; }
    QVariant run(JobContext* context, JobControl& control, JobReporter& report) override;

private:
    LearnConcentrationSettings settings_;
};

/// The data names offered by the page (ebm::toy::toyDataNames, no torch needed to list them).
QStringList learnDataNames();

/// Registers the values above for queued connections (the page calls it once).
void registerLearnTypes();

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::LearnTrainReport)
Q_DECLARE_METATYPE(ebm::studio::LearnTrainResult)
Q_DECLARE_METATYPE(ebm::studio::LearnSampleFrame)
Q_DECLARE_METATYPE(ebm::studio::LearnSampleResult)
Q_DECLARE_METATYPE(ebm::studio::LearnCompareProgress)
Q_DECLARE_METATYPE(ebm::studio::LearnCompareResult)
Q_DECLARE_METATYPE(ebm::studio::LearnSamplerCompareResult)
Q_DECLARE_METATYPE(ebm::studio::LearnDataResult)
Q_DECLARE_METATYPE(ebm::studio::LearnGalleryResult)
Q_DECLARE_METATYPE(ebm::studio::LearnConcentrationResult)
