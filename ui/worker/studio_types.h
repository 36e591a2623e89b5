#pragma once
// Plain values that every part of the studio shares: the model and runtime the worker
// announces (through queued signals), core's schedule presets by their names in the UI, and
// durations as people read them. No torch here: moc reads this header. The values of each kind
// of work live with that work (annealing/sampling_types.h, pages/train/training_types.h,
// worker/evaluation_types.h).
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include "ebm/base/defaults.h"

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

/// The sampling preset that means "the curve of the Schedule page".
inline const QString kEditedSchedulePreset = QStringLiteral("custom");

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
    qint64 trainedSteps = 0;         // steps of the run that wrote the file (a fine-tune counts afresh)
    qint64 totalSteps = 0;           // with the earlier runs its history records (fineTuneHistoryEntry)
    QString trainingHistory;         // the file's TrainConfig history, as `ebm info` prints it
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

/// h:mm:ss for an ETA or elapsed time; "–" when unknown (negative or absurd).
QString formatDuration(double seconds);

/// Registers the types above for queued connections. Call once before starting the worker.
void registerStudioMetaTypes();

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::ModelInfo)
Q_DECLARE_METATYPE(ebm::studio::RuntimeInfo)
