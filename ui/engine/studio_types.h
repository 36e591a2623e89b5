#pragma once
// Plain values that travel between the GUI thread and the worker thread through queued
// signals. No torch here: moc reads this header, and the GUI must never touch tensors.
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include "ebm/defaults.h"

namespace ebm::studio {

/// Schedule length a preset has when the person has not changed it.
int defaultStepsForPreset(const QString& preset);
/// Langevin step size a preset runs with at its own length (larger for "fast").
double defaultStepSizeForPreset(const QString& preset);
/// Human label of a preset name, e.g. "Paper, exponential cooling (2700 steps)".
QString presetLabel(const QString& preset);
/// Core's presets by name, the default first.
QStringList schedulePresets();
QString defaultSchedulePreset();
/// core's default sampling arithmetic by name ("float32", "bf16").
QString defaultPrecisionName();

/// What a person chooses on the sampling panel; also stored in settings and session files.
struct SamplingSettings {
    QString schedulePreset = defaultSchedulePreset();  // a core preset name, or "custom"
    int steps = defaultStepsForPreset(defaultSchedulePreset());  // schedule length
    /// With the "custom" preset: the edited curve as "ebm-schedule" JSON, rescaled to `steps`.
    /// Not a setting of the form: the Sample page fills it in from the Schedule page's curve.
    QString scheduleCurve;
    double stepSize = defaultStepSizeForPreset(defaultSchedulePreset());  // eps of eq. 8
    int numSamples = 64;
    quint64 seed = 1;
    bool startFromImages = false;    // false: 0.5 + N(0, I)
    QString startImages;             // .npy, image file or folder, data set folder
    bool denoiseJump = true;         // eq. 9 after annealing
    int recordEvery = 0;             // history period in steps; 0 = automatic (about 150 frames)
    QString precision = defaultPrecisionName();  // the network's arithmetic: "float32" or "bf16"

    bool operator==(const SamplingSettings& other) const;
    bool operator!=(const SamplingSettings& other) const { return !(*this == other); }
};

/// The sampling preset that means "the curve of the Schedule page".
inline const QString kEditedSchedulePreset = QStringLiteral("custom");

/// Kinds of data set the train view offers; the spec string is what the engine opens.
enum class DatasetKind { FashionMnist, MnistFolder, Cifar10, ImageFolder, Npy };

struct TrainingSettings {
    DatasetKind datasetKind = DatasetKind::FashionMnist;
    QString datasetPath;             // unused for FashionMnist
    int imageSize = 32;
    int imageChannels = 1;           // image folders only: 1 gray, 3 RGB
    QString architecture = QStringLiteral("res12");
    int width = 16;                  // the paper uses 64; 16 keeps CPU training usable
    QString head = QStringLiteral("quadratic");
    QString initialWeights;          // fine-tuning: start from this checkpoint (its architecture);
                                     // empty: fresh random weights of the shape above
    double sigmaMin = 0.1;
    double sigmaMax = 3.0;
    QString spread = QStringLiteral("geometric");
    double sigma0 = 0.1;
    double learningRate = 1e-4;
    bool cosineDecay = true;
    double finalLearningRate = 1e-6;
    int batchSize = 64;
    // A first run that ends in minutes on a CPU; the paper's MNIST run is 100,000 steps of
    // batch 128 at width 64 (the train page estimates the duration and warns when it is long).
    qint64 steps = 1500;
    quint64 seed = 1;
    int previewEvery = 250;          // 0 = no previews
    int previewSamples = 16;
    int previewSteps = 100;          // length of the short preview schedule
    int checkpointEvery = 500;       // 0 = only at the end and on demand
    QString checkpointPath;          // empty: no automatic checkpoints
    // Data-parallel ranks: above 1 the run is `ebm train --nproc N` in processes of its own
    // (the same run as one process; no previews, pause or sampling from it while it runs).
    int processes = 1;
    // Arithmetic of each step: "float32", "bf16" (bfloat16 autocast) or "tf32" (CUDA only).
    QString precision = QStringLiteral("float32");

    /// The string handed to the data loader ("fashion-mnist" or a path).
    QString datasetSpec() const;
    bool operator==(const TrainingSettings& other) const;
};

QString datasetKindName(DatasetKind kind);      // stable identifier for files
DatasetKind parseDatasetKind(const QString& name);

/// The model the worker holds, described for people.
struct ModelInfo {
    QString path;                    // file it came from; empty for fallback/trained models
    QString description;             // e.g. "res12-8 (1x32x32, quadratic head)"
    QString format;                  // "ebm-native-1", "pytorch-state-dict", "untrained", "training"
    qint64 parameters = 0;
    int channels = 1;
    int imageSize = 32;
    bool imageModel = true;
    double sigma0 = 0.1;
    qint64 trainedSteps = 0;
    bool fromTraining = false;       // weights of the studio's own training run
    bool fallback = false;           // bundled model missing: an untrained stand-in
    bool averagedWeights = false;    // the network holds the file's moving average (EMA) of the weights
    QString weights;                 // which weights are in use, for people ("averaged weights (EMA 0.999)")
};

struct RuntimeInfo {
    QString device = QStringLiteral("cpu");   // "cpu" or "cuda"
    QString description;                      // e.g. "CPU, 2 threads"
    int threads = 1;
    int cores = 1;
    bool cudaAvailable = false;
};

/// One recorded moment of a sampling run.
struct SampleSnapshot {
    int step = 0;                    // completed Langevin steps
    double temperature = 0.0;
    QVector<double> energies;        // one per sample
    QVector<QImage> raw;             // current noisy state, clipped to [0, 1]
    QVector<QImage> denoised;        // eq. 9 preview; empty when not requested
    bool final = false;              // after the denoising jump
};

/// Snapshots recorded since the previous batch; the worker sends at most ~25 batches a second.
struct SampleFrameBatch {
    int runId = 0;
    QVector<SampleSnapshot> snapshots;
};

struct SamplingRunInfo {
    int runId = 0;
    int totalSteps = 0;
    int numSamples = 0;
    int recordEvery = 1;
    QVector<double> temperatures;    // schedule, one per step
    /// Sent again during the run when an edited schedule took over: temperatures and
    /// totalSteps are then the schedule from here on, steps up to scheduleChangedAtStep ran.
    bool scheduleUpdate = false;
    int scheduleChangedAtStep = 0;
    QString modelDescription;
    bool fromTrainingWeights = false;
    SamplingSettings settings;
};

struct SamplingOutcome {
    int runId = 0;
    bool stopped = false;            // cancelled by the person
    bool failed = false;
    QString message;                 // failure reason or summary
    double seconds = 0.0;
    int stepsDone = 0;
};

/// One training step as the loss chart shows it.
struct TrainPoint {
    qint64 step = 0;
    double loss = 0.0;
    double smoothedLoss = 0.0;
    double learningRate = 0.0;
};

struct TrainProgressBatch {
    QVector<TrainPoint> points;
    qint64 totalSteps = 0;
    double stepsPerSecond = 0.0;
    double etaSeconds = 0.0;
};

struct TrainingRunInfo {
    QString modelDescription;
    QString datasetName;
    qint64 datasetSize = 0;
    qint64 startStep = 0;
    qint64 totalSteps = 0;
    QVector<TrainPoint> history;     // earlier steps of a resumed run (thinned)
    QString checkpointPath;
    int processes = 1;               // data-parallel ranks of a multi-process run
    int batchSize = 0;               // images per step, all processes together
};

struct TrainingPreview {
    qint64 step = 0;
    QImage grid;
};

struct TrainingOutcome {
    bool completed = false;          // reached the planned number of steps
    bool stopped = false;            // stopped by the person
    bool failed = false;             // e.g. non-finite loss: message says what to do
    QString message;
    qint64 step = 0;
};

/// What the Evaluate page asks for (see app/kit/evaluation_job.h for what each figure means).
struct EvaluationSettings {
    bool fid = true;                 // Frechet distance to the test images (FID-like)
    bool inceptionLike = true;       // inception-like score and class histogram
    bool neighbours = true;          // nearest training images of the first samples
    bool likelihood = false;         // AIS log-likelihood (slow)
    int numSamples = 256;
    QString schedulePreset = defaultSchedulePreset();  // or "custom": scheduleCurve
    int steps = defaultStepsForPreset(defaultSchedulePreset());
    /// With the "custom" preset: a curve as "ebm-schedule" JSON, run at its own length (the
    /// Schedule page's "Evaluate this curve"). Not a field of the Evaluate page's form.
    QString scheduleCurve;
    double stepSize = defaultStepSizeForPreset(defaultSchedulePreset());
    QString precision = defaultPrecisionName();
    quint64 seed = 1;
    QString samplesPath;             // judge these images instead of drawing samples
    int referenceLimit = 0;          // at most this many test images (0 = all 10000)
    QString classifierPath;          // empty: the bundled Fashion-MNIST classifier
    int neighbourQueries = 8;
    int neighboursPerQuery = 8;
    int aisSteps = 1000;             // intermediate distributions
    int aisImages = 32;              // test images (reverse AIS: one chain each)
    int aisChains = 32;              // forward AIS chains
    QString aisTransition = QStringLiteral("hmc");
    int aisLeapfrog = 5;
    bool aisForward = true;
    bool aisReverse = true;
};

/// Where a running evaluation is.
struct EvaluationProgressInfo {
    QString stage;                   // "sampling", "features", ...
    int stageIndex = 0;
    int stageCount = 1;
    double fraction = 0.0;           // within the stage
    QString detail;
    double stageEtaSeconds = -1.0;   // < 0: not known yet
    double elapsedSeconds = 0.0;
};

/// The figures of a finished evaluation, ready to show.
struct EvaluationOutcome {
    bool completed = false;
    bool stopped = false;            // cancelled by the person
    bool failed = false;
    QString message;                 // failure reason or summary
    double seconds = 0.0;
    QString modelDescription;
    QString samplesSource;
    int samplingSteps = 0;           // 0: the samples came from a file
    double samplingSeconds = 0.0;    // wall time of the sampling stage
    QString features;
    bool haveFid = false;
    double fid = 0.0;
    double fidFloor = 0.0;           // real training images against the same test images
    qint64 referenceCount = 0;
    qint64 floorCount = 0;
    bool haveInceptionLike = false;
    double inceptionLike = 0.0;
    double inceptionLikeReal = 0.0;
    int classesCovered = 0;
    QVector<qint64> classCounts;     // samples per predicted class
    QVector<qint64> realClassCounts; // training images per predicted class (same count)
    QStringList classNames;
    bool haveNeighbours = false;
    QImage neighbourGrid;            // a row per sample: the sample, then its neighbours
    QVector<double> nearestDistances;
    bool haveLikelihood = false;
    bool aisForward = false;
    bool aisReverse = false;
    double forwardBitsPerDim = 0.0;
    double forwardBitsPerDimStdErr = 0.0;
    double reverseBitsPerDim = 0.0;
    double reverseBitsPerDimStdErr = 0.0;
    double logZGap = 0.0;            // reverse - forward log Z, nats
    QImage samplesGrid;
    QString reportText;              // as `ebm eval` prints it
    QString reportJson;              // as `ebm eval --json` prints it
};

enum class JobKind { Sampling, Training, Evaluation };
enum class JobState { Running, Paused };

/// h:mm:ss for an ETA or elapsed time; "–" when unknown (negative or absurd).
QString formatDuration(double seconds);

/// Registers every type above for queued connections. Call once before starting the worker.
void registerStudioMetaTypes();

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::SamplingSettings)
Q_DECLARE_METATYPE(ebm::studio::TrainingSettings)
Q_DECLARE_METATYPE(ebm::studio::ModelInfo)
Q_DECLARE_METATYPE(ebm::studio::RuntimeInfo)
Q_DECLARE_METATYPE(ebm::studio::SampleFrameBatch)
Q_DECLARE_METATYPE(ebm::studio::SamplingRunInfo)
Q_DECLARE_METATYPE(ebm::studio::SamplingOutcome)
Q_DECLARE_METATYPE(ebm::studio::TrainProgressBatch)
Q_DECLARE_METATYPE(ebm::studio::TrainingRunInfo)
Q_DECLARE_METATYPE(ebm::studio::TrainingPreview)
Q_DECLARE_METATYPE(ebm::studio::TrainingOutcome)
Q_DECLARE_METATYPE(ebm::studio::EvaluationSettings)
Q_DECLARE_METATYPE(ebm::studio::EvaluationProgressInfo)
Q_DECLARE_METATYPE(ebm::studio::EvaluationOutcome)
Q_DECLARE_METATYPE(ebm::studio::JobKind)
Q_DECLARE_METATYPE(ebm::studio::JobState)
