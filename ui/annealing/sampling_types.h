#pragma once
// The values of an annealing run: what the person asks for (SamplingSettings, also kept in
// settings and sessions) and what the run reports to the page (its start, frame batches,
// schedule changes, outcome). No torch: moc reads this header.
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <limits>

#include "ebm/schedule/sampling_options.h"
#include "worker/studio_types.h"

namespace ebm::studio {

/// The running acceptance the sampling job reports and the energy chart draws: the mean over
/// this many steps up to each recorded one.
inline constexpr int kAcceptanceWindowSteps = 50;

/// Whether a run records the eq. 9 denoised preview. The Sample page's runs always do, so the
/// person can switch the view to it at any moment of any run; the Schedule page's short previews
/// and inpainting do not.
enum class DenoisedPreview { Recorded, NotRecorded };
/// Steps between two recorded denoised previews (rounded up to a whole number of the history's
/// periods), besides the first step, the end and every moment the person stops at: one extra
/// gradient in 20 steps, about 5% of a run's time, whatever its length.
inline constexpr int kDenoisedPreviewEverySteps = 20;

/// The core's name of a sampler ("langevin", "mala"): the settings' and sessions' word for it.
QString samplerName(ebm::Sampler sampler);
/// The sampler runs use unless a person chooses another.
QString defaultSamplerName();

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
    QString sampler = defaultSamplerName();      // "langevin" (eq. 8) or "mala" (Metropolis-adjusted)

    bool operator==(const SamplingSettings& other) const;
    bool operator!=(const SamplingSettings& other) const { return !(*this == other); }
};

/// One recorded moment of a sampling run.
struct SampleSnapshot {
    int step = 0;                    // completed Langevin steps
    double temperature = 0.0;
    QVector<double> energies;        // one per sample
    QVector<QImage> raw;             // current noisy state, clipped to [0, 1]
    QVector<QImage> denoised;        // eq. 9 preview; empty when not requested
    bool final = false;              // after the denoising jump
    /// Fraction of the chains whose move was accepted at this step: MALA's; 1 with Langevin,
    /// which takes every step, and on the final frame (the jump is not a step).
    double acceptance = 1.0;
    /// The same averaged over the last kAcceptanceWindowSteps steps up to this one, and over
    /// every step so far: every step counts, recorded or not.
    double recentAcceptance = 1.0;
    double meanAcceptance = 1.0;
};

/// Snapshots recorded since the previous batch; the job sends at most ~10 batches a second.
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

/// One quantity's chain diagnostics, as plain values (core's ebm::QuantityDiagnostics).
struct ChainDiagnosticsRow {
    QString name;              // "energy", "projection 1", ...
    bool measured = false;     // false: no figures, `problem` says why
    double splitRhat = 0.0;
    double rankRhat = 0.0;
    double bulkEss = 0.0;
    QString verdict;           // measured: "good", "doubtful", "not mixed" or "undefined"
    QString problem;           // not measured: a quantity that never changed, a NaN
};

/// What a Sample page run says about the mixing of its chains (issue 25): Stan's R-hat and bulk
/// ESS over the longest stretch of steps its schedule holds at one temperature.
struct ChainDiagnosticsReport {
    enum class Status {
        NotRecorded,  // no run has ended, the run failed, or it was no Sample page run
        NoHold,       // the schedule holds no temperature for minHoldSteps steps or more
        Skipped,      // a hold, but no figures: `note` says why (memory, stopped early, edited)
        Measured,     // the hold's rows and figures below
    };
    Status status = Status::NotRecorded;
    int minHoldSteps = 0;      // the fewest steps a hold needs (core's kMinSegmentSteps)
    int longestHold = 0;       // NoHold: the longest hold the schedule has, in steps
    int firstStep = 0;         // the hold: steps firstStep..lastStep (1-based) at `temperature`
    int lastStep = 0;
    double temperature = 0.0;
    int chains = 0;
    QVector<ChainDiagnosticsRow> rows;  // the energy first, then the projections
    double energyLag1Autocorrelation = std::numeric_limits<double>::quiet_NaN();  // mean over chains
    QString note;              // why there are no figures, or what changed the hold
};

struct SamplingOutcome {
    int runId = 0;
    bool stopped = false;            // cancelled by the person
    bool failed = false;
    QString message;                 // failure reason or summary
    double seconds = 0.0;
    int stepsDone = 0;
    /// The steps whose acceptance the sampler measured (MALA; 0 with Langevin) and their mean.
    int acceptanceSteps = 0;
    double meanAcceptance = 1.0;
    /// The Sample page's runs: the chains' mixing over the schedule's longest hold.
    ChainDiagnosticsReport chainDiagnostics;
};

/// Whether the run accepts or rejects its moves (MALA), so that its acceptance says something.
bool measuresAcceptance(const SamplingSettings& settings);

/// The engine's sampling options for these settings, as a run takes them: every step reported
/// (the job decides what to record), at most 256 chains, the edited curve read from its JSON.
/// Throws ebm::Error when a name or the curve cannot be read.
ebm::SamplingOptions toSamplingOptions(const SamplingSettings& settings);

}  // namespace ebm::studio

Q_DECLARE_METATYPE(ebm::studio::SamplingSettings)
Q_DECLARE_METATYPE(ebm::studio::SampleFrameBatch)
Q_DECLARE_METATYPE(ebm::studio::SamplingRunInfo)
Q_DECLARE_METATYPE(ebm::studio::SamplingOutcome)
