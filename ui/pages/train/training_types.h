#pragma once
// The values of a training run: what the Train page asks for (TrainingSettings, also kept in
// settings and sessions) and what the run reports (its start, loss batches, previews, outcome).
// No torch: moc reads this header.
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QVector>

namespace ebm::studio {

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

/// One training step as the loss chart shows it.
struct TrainPoint {
    qint64 step = 0;
    double loss = 0.0;
    double smoothedLoss = 0.0;
    double learningRate = 0.0;
    double wallSeconds = -1.0;       // since this run started; negative for earlier runs' history
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

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::TrainingSettings)
Q_DECLARE_METATYPE(ebm::studio::TrainProgressBatch)
Q_DECLARE_METATYPE(ebm::studio::TrainingRunInfo)
Q_DECLARE_METATYPE(ebm::studio::TrainingPreview)
Q_DECLARE_METATYPE(ebm::studio::TrainingOutcome)
