#pragma once
// The values of an evaluation of the loaded model (the Evaluate page's, and the Schedule page's
// "Evaluate Curve"): what is asked, where it is, and the figures. No torch: moc reads this header.
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include "worker/studio_types.h"

namespace ebm::studio {

/// What the Evaluate page asks for (core/include/ebm/eval/evaluation_pipeline.h says what each figure means).
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

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::EvaluationSettings)
Q_DECLARE_METATYPE(ebm::studio::EvaluationProgressInfo)
Q_DECLARE_METATYPE(ebm::studio::EvaluationOutcome)
