#pragma once
// Plain values that travel between the GUI thread and the worker thread through queued
// signals. No torch here: moc reads this header, and the GUI must never touch tensors.
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace ebm::studio {

/// What a person chooses on the sampling panel; also stored in settings and session files.
struct SamplingSettings {
    QString schedulePreset = QStringLiteral("quick");  // "quick", "paper", "paper-linear"
    int steps = 300;                 // schedule length
    double stepSize = 0.02;          // eps of eq. 8
    int numSamples = 64;
    quint64 seed = 1;
    bool startFromImages = false;    // false: 0.5 + N(0, I)
    QString startImages;             // .npy, image file or folder, data set folder
    bool denoiseJump = true;         // eq. 9 after annealing
    int recordEvery = 0;             // history period in steps; 0 = automatic (about 150 frames)

    bool operator==(const SamplingSettings& other) const;
    bool operator!=(const SamplingSettings& other) const { return !(*this == other); }
};

/// Schedule length a preset has when the person has not changed it.
int defaultStepsForPreset(const QString& preset);
/// Human label of a preset name, e.g. "Paper, exponential (2700 steps)".
QString presetLabel(const QString& preset);
QStringList schedulePresets();

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
    double sigmaMin = 0.1;
    double sigmaMax = 3.0;
    QString spread = QStringLiteral("geometric");
    double sigma0 = 0.1;
    double learningRate = 1e-4;
    bool cosineDecay = true;
    double finalLearningRate = 1e-6;
    int batchSize = 128;
    qint64 steps = 100000;
    quint64 seed = 1;
    int previewEvery = 500;          // 0 = no previews
    int previewSamples = 16;
    int previewSteps = 100;          // length of the short preview schedule
    int checkpointEvery = 1000;      // 0 = only at the end and on demand
    QString checkpointPath;          // empty: no automatic checkpoints

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

enum class JobKind { Sampling, Training };
enum class JobState { Running, Paused };

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
Q_DECLARE_METATYPE(ebm::studio::JobKind)
Q_DECLARE_METATYPE(ebm::studio::JobState)
