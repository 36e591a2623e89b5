// The sampling job: annealed Langevin (or MALA) with live frames, a recorded history with each
// step's acceptance, pause / single step / stop between steps, and the eq. 9 denoised preview on request.
#include "annealing/sampling_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <numeric>
#include <optional>
#include <vector>

#include "ebm/base/error.h"
#include "ebm/schedule/schedule.h"
#include "ebm/io/dataset.h"
#include "ebm/sample/chain_recorder.h"
#include "ebm/sample/inpainting.h"
#include "ebm/sample/sampler.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"
#include "worker/tensor_images.h"
#include "annealing/annealing_run.h"

namespace ebm::studio {
namespace {

using Clock = std::chrono::steady_clock;

// A person follows a grid of samples at a few updates a second; each batch repaints the grid,
// the chart and the timeline on the GUI thread, whose time on a 2-core machine comes out of the
// sampler's. 10 batches a second (every recorded frame still arrives, in the batch) left the
// studio's sampling within the machine's run-to-run spread of `ebm sample`'s; 25 a second did not.
constexpr auto kFrameInterval = std::chrono::milliseconds(100);
// Automatic history period: about this many recorded moments per run, whatever its length.
constexpr int kTargetHistoryFrames = 150;
// The GUI keeps every recorded frame for the timeline; bound that memory whatever the person
// asks for (256 samples of 2700 steps recorded at every step would need gigabytes).
constexpr double kHistoryBudgetBytes = 256.0 * 1024 * 1024;
constexpr int kMaxHistoryFrames = 2000;
constexpr int kMinHistoryFrames = 100;

torch::Tensor startImages(const QString& spec, const ebm::ModelConfig& config, int64_t count)
{
    if (spec.trimmed().isEmpty())
        throw ebm::Error("choose the start images (a .npy file, an image or a folder of images)");
    torch::Tensor images =
        ebm::openAnyDataset(spec.toStdString(), config.inChannels, config.imageSize, false).data;
    if (images.dim() != 4 || images.size(1) != config.inChannels || images.size(2) != config.imageSize ||
        images.size(3) != config.imageSize)
        throw ebm::Error(spec.toStdString() + ": the start images do not have the model's shape " +
                         std::to_string(config.inChannels) + "x" + std::to_string(config.imageSize) + "x" +
                         std::to_string(config.imageSize));
    // Fewer images than samples: repeat them, so each image seeds several chains.
    const torch::Tensor rows = torch::arange(count, torch::kLong).remainder(images.size(0));
    return images.index_select(0, rows).to(torch::kFloat32);
}

/// The acceptance of every step the sampler takes (MALA's fraction of chains accepted; 1 for
/// Langevin): what each recorded snapshot carries besides its own step's.
class AcceptanceTally {
public:
    void add(double acceptance)
    {
        recent_.push_back(acceptance);
        if (static_cast<int>(recent_.size()) > kAcceptanceWindowSteps)
            recent_.pop_front();
        total_ += acceptance;
        ++steps_;
    }
    /// Over the last kAcceptanceWindowSteps steps (summed afresh: no drift over long runs).
    double recent() const
    {
        return recent_.empty() ? 1.0 : std::accumulate(recent_.begin(), recent_.end(), 0.0) / recent_.size();
    }
    double mean() const { return steps_ == 0 ? 1.0 : total_ / steps_; }

private:
    std::deque<double> recent_;
    double total_ = 0.0;
    long long steps_ = 0;
};

/// Turns the sampler's per-step callbacks into recorded snapshots, throttled batches and the
/// pause / step / stop protocol.
class FrameRelay {
public:
    FrameRelay(JobReporter& report, JobControl& control, DenoisedPreview denoisedPreview, ebm::EnergyNetImpl& model,
               double sigma0, SamplingRunInfo info)
        : report_(report), control_(control), denoisedPreview_(denoisedPreview == DenoisedPreview::Recorded),
          model_(model), sigma0_(sigma0), recordEvery_(info.recordEvery),
          denoiseEvery_(recordEvery_ * ((kDenoisedPreviewEverySteps + recordEvery_ - 1) / recordEvery_)),
          info_(std::move(info))
    {
        batch_.runId = info_.runId;
    }

    bool onFrame(const ebm::SampleFrame& frame)
    {
        lastStep_ = frame.step;
        if (!frame.final)  // the jump is not a step
            acceptance_.add(frame.acceptance);
        if (frame.scheduleChanged) {
            // The frames so far belong to the old schedule: they go first.
            flush();
            info_.totalSteps = frame.totalSteps;
            info_.temperatures = QVector<double>(frame.temperatures.begin(), frame.temperatures.end());
            info_.scheduleUpdate = true;
            info_.scheduleChangedAtStep = frame.step - 1;
            report_.progress(QVariant::fromValue(info_));
        }
        // Record the regular history, the very first step, the moment a pause takes effect,
        // every single step and the step a stop ends on, so that the step the person is told
        // about is always the last one in the timeline.
        const bool stopsHere = control_.pauseRequested() || control_.cancelRequested();
        const bool record = frame.final || frame.step == 1 || frame.step % recordEvery_ == 0 || stopsHere;
        if (record)
            batch_.snapshots.push_back(
                snapshot(frame, frame.step == 1 || frame.step % denoiseEvery_ == 0 || stopsHere));
        if (frame.final) {
            flush();
            return true;
        }
        if (!batch_.snapshots.isEmpty() && (control_.pauseRequested() || Clock::now() - lastEmit_ >= kFrameInterval))
            flush();
        return gate();
    }

    void flush()
    {
        if (batch_.snapshots.isEmpty())
            return;
        report_.progress(QVariant::fromValue(batch_));
        batch_.snapshots.clear();
        lastEmit_ = Clock::now();
    }

    int lastStep() const { return lastStep_; }

private:
    /// `denoise`: with the eq. 9 preview, which costs one gradient (the final frame's is free).
    SampleSnapshot snapshot(const ebm::SampleFrame& frame, bool denoise)
    {
        SampleSnapshot s;
        s.step = frame.step;
        s.temperature = frame.temperature;
        s.final = frame.final;
        s.acceptance = frame.acceptance;
        s.recentAcceptance = acceptance_.recent();
        s.meanAcceptance = acceptance_.mean();
        s.energies = tensorToDoubles(frame.energies);
        s.raw = tensorToImages(frame.state);
        if (denoisedPreview_ && (denoise || frame.final)) {
            if (frame.final) {
                s.denoised = s.raw;  // the final frame is already after the jump
            } else {
                const torch::Device device = ebm::deviceOf(model_);
                s.denoised = tensorToImages(ebm::denoise(model_, frame.state.to(device), sigma0_).to(torch::kCPU));
            }
        }
        return s;
    }

    /// Between two steps: returns false to stop; blocks (on the worker thread) while paused.
    /// Sampling hosts no interjections: stray ones are dropped.
    bool gate()
    {
        return control_.awaitNextStep(report_, [this] { flush(); });
    }

    JobReporter& report_;
    JobControl& control_;
    bool denoisedPreview_;
    ebm::EnergyNetImpl& model_;
    double sigma0_;
    int recordEvery_;
    int denoiseEvery_;  // a multiple of recordEvery_, so previews fall on recorded steps
    SamplingRunInfo info_;
    SampleFrameBatch batch_;
    AcceptanceTally acceptance_;
    Clock::time_point lastEmit_{};
    int lastStep_ = 0;
};

/// The chain diagnostics of a Sample page run (issue 25): records the longest hold of the run's
/// schedule, as `ebm sample --diagnostics` does, and picks the hold again when an edited schedule
/// changes it. Everything runs on the worker thread: observe() from the sampler, the rest from
/// the frame callback and after the run.
class ChainWatch {
public:
    ChainWatch(const std::vector<double>& temperatures, int64_t chains) : chains_(chains)
    {
        pick(temperatures, 1);
    }

    /// SamplerConfig::onStep.
    void observe(const ebm::StepObservation& step)
    {
        if (recorder_)
            recorder_->observe(step);
    }

    /// An edited schedule took over; `step`, the first at its temperatures, has been observed.
    void scheduleChanged(int step, const std::vector<double>& temperatures)
    {
        if (recorder_ && holds(*recorder_, temperatures))
            return;  // the edit left the hold alone (a record of the steps before it stays valid)
        pick(temperatures, step + 1);
        pending_.note = QObject::tr("The schedule was edited at step %1; the hold was picked again from step %2 on.")
                            .arg(step)
                            .arg(step + 1);
    }

    ChainDiagnosticsReport report(int stepsDone) const
    {
        ChainDiagnosticsReport r = pending_;
        if (!recorder_)
            return r;
        r.status = ChainDiagnosticsReport::Status::Skipped;
        if (recorder_->disturbed()) {
            r.note = QObject::tr("The temperature of steps %1-%2 changed during the run: no figures.")
                         .arg(r.firstStep)
                         .arg(r.lastStep);
            return r;
        }
        if (!recorder_->complete()) {
            r.note = stepsDone > 0
                         ? QObject::tr("The run ended at step %1, before the end of the hold (step %2): no figures.")
                               .arg(stepsDone)
                               .arg(r.lastStep)
                         : QObject::tr("The run ended before the end of the hold (step %1): no figures.")
                               .arg(r.lastStep);
            return r;
        }
        const ebm::ChainReport figures = ebm::chainReport(*recorder_);
        r.status = ChainDiagnosticsReport::Status::Measured;
        r.chains = static_cast<int>(figures.chains);
        r.energyLag1Autocorrelation = figures.energyLag1Autocorrelation;
        for (const ebm::QuantityDiagnostics& q : figures.quantities) {
            ChainDiagnosticsRow row;
            row.name = QString::fromStdString(q.name);
            row.measured = q.figures.has_value();
            if (q.figures) {
                row.splitRhat = q.figures->splitRhat;
                row.rankRhat = q.figures->rankRhat;
                row.bulkEss = q.figures->bulkEss;
                row.verdict = QString::fromStdString(q.verdict);
            } else {
                row.problem = firstLine(q.problem.c_str());
            }
            r.rows.push_back(row);
        }
        return r;
    }

private:
    /// Whether `temperatures` still hold the recorder's segment at its temperature.
    static bool holds(const ebm::ChainRecorder& recorder, const std::vector<double>& temperatures)
    {
        const ebm::ConstantSegment& segment = recorder.segment();
        if (segment.lastStep > static_cast<int>(temperatures.size()))
            return false;
        for (int step = segment.firstStep; step <= segment.lastStep; ++step)
            if (temperatures[static_cast<size_t>(step - 1)] != segment.temperature)
                return false;
        return true;
    }

    /// The longest hold among steps fromStep.. (1-based); no recorder when it is too short or
    /// its record would take more than the memory allowed.
    void pick(const std::vector<double>& temperatures, int fromStep)
    {
        recorder_.reset();
        pending_ = ChainDiagnosticsReport();
        pending_.minHoldSteps = ebm::kMinSegmentSteps;
        pending_.chains = static_cast<int>(chains_);
        const ebm::ConstantSegment segment = ebm::longestConstantSegment(temperatures, fromStep);
        if (segment.steps() < ebm::kMinSegmentSteps) {
            pending_.status = ChainDiagnosticsReport::Status::NoHold;
            pending_.longestHold = std::max(0, segment.steps());
            return;
        }
        pending_.firstStep = segment.firstStep;
        pending_.lastStep = segment.lastStep;
        pending_.temperature = segment.temperature;
        const int64_t bytes = ebm::chainRecordBytes(chains_, segment);
        if (bytes > ebm::kMaxChainRecordMiB * 1024 * 1024) {
            pending_.status = ChainDiagnosticsReport::Status::Skipped;
            pending_.note = QObject::tr("Not recorded: %1 chains over the %2 steps of the hold would take %3 MiB, over "
                                        "the %4 MiB allowed. Sample fewer images or hold the temperature for fewer "
                                        "steps.")
                                .arg(chains_)
                                .arg(segment.steps())
                                .arg(bytes >> 20)
                                .arg(ebm::kMaxChainRecordMiB);
            return;
        }
        recorder_.emplace(segment);
    }

    int64_t chains_;
    std::optional<ebm::ChainRecorder> recorder_;
    ChainDiagnosticsReport pending_;  // the hold picked, and the status while it has no figures
};

/// The watch's figures after the run, logged; a failure computing them costs the run nothing.
ChainDiagnosticsReport chainDiagnosticsOf(const ChainWatch& watch, int stepsDone)
{
    try {
        ChainDiagnosticsReport r = watch.report(stepsDone);
        if (r.status == ChainDiagnosticsReport::Status::Measured && !r.rows.isEmpty() && r.rows.front().measured)
            spdlog::info("chain diagnostics over steps {}-{} at T = {} ({} chains): energy rank R-hat {:.4f} ({}), "
                         "bulk ESS {:.1f}",
                         r.firstStep, r.lastStep, r.temperature, r.chains, r.rows.front().rankRhat,
                         r.rows.front().verdict.toStdString(), r.rows.front().bulkEss);
        else if (!r.note.isEmpty())
            spdlog::info("chain diagnostics: {}", r.note.toStdString());
        return r;
    } catch (const std::exception& e) {
        ChainDiagnosticsReport r;
        r.status = ChainDiagnosticsReport::Status::Skipped;
        r.note = QObject::tr("No chain diagnostics: %1").arg(firstLine(e.what()));
        spdlog::warn("{}", r.note.toStdString());
        return r;
    }
}

/// Every annealed run; `recordChains`: the Sample page's, which report their chains' mixing.
SamplingOutcome anneal(const AnnealingRun& run, JobControl& control, JobReporter& report, bool recordChains);

}  // namespace

QVariant SamplingJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    // As a guest of a training job, this samples from the weights being trained. The Sample
    // page's runs keep the model a finished training run replaced until the page takes its weights.
    AnnealingRun run;
    run.model = kind_ == kSamplingJobKind ? context->samplePageModel() : context->modelInUse();
    if (!run.model.net) {
        SamplingOutcome outcome;
        outcome.runId = runId_;
        outcome.failed = true;
        outcome.message = QObject::tr("No model is loaded yet.");
        return QVariant::fromValue(outcome);
    }
    run.settings = settings_;
    run.runId = runId_;
    run.denoisedPreview = denoisedPreview_;
    run.scheduleFeed = scheduleFeed_;
    run.samples = &context->model.lastSamples;
    // The Schedule page's previews are short looks at a curve: no diagnostics there.
    return QVariant::fromValue(anneal(run, control, report, kind_ == kSamplingJobKind));
}

SamplingOutcome runAnnealing(const AnnealingRun& run, JobControl& control, JobReporter& report)
{
    return anneal(run, control, report, false);
}

namespace {

SamplingOutcome anneal(const AnnealingRun& run, JobControl& control, JobReporter& report, bool recordChains)
{
    const SamplingSettings& settings = run.settings;
    ebm::EnergyNetImpl& model = *run.model.net;
    const double sigma0 = run.model.sigma0;
    const InpaintInput* inpaint = run.inpaint;
    SamplingOutcome outcome;
    outcome.runId = run.runId;
    const auto started = Clock::now();
    std::optional<ChainWatch> chainWatch;
    try {
        if (!model.config().isImageModel())
            throw ebm::Error("this model draws 2-D points; the sample view shows image models");
        ebm::SamplingOptions options = toSamplingOptions(settings);
        options.referenceInpaintNoise = inpaint && inpaint->referenceNoise;
        ebm::SamplerConfig config = ebm::makeSamplerConfig(options, sigma0);
        config.scheduleFeed = run.scheduleFeed;
        if (inpaint) {
            const ebm::ModelConfig& m = model.config();
            const auto& shape = inpaint->images.sizes();
            if (inpaint->images.dim() != 4 || shape[1] != m.inChannels || shape[2] != m.imageSize ||
                shape[3] != m.imageSize)
                throw ebm::Error("the image was prepared for another model; open it again for " + m.describe());
            config.numSamples = inpaint->images.size(0);
        }
        if (recordChains && !inpaint) {
            chainWatch.emplace(config.schedule.temperatures(), config.numSamples);
            config.onStep = [&chainWatch](const ebm::StepObservation& step) { chainWatch->observe(step); };
        }
        torch::Tensor start;
        if (settings.startFromImages)
            start = startImages(settings.startImages, model.config(), config.numSamples);

        const int total = config.schedule.size();
        const ebm::ModelConfig& shape = model.config();
        const double frameBytes = static_cast<double>(config.numSamples) *
                                  (shape.inChannels * shape.imageSize * shape.imageSize + 256.0) * 2.0;  // raw, and room for a preview as often
        const int maxFrames = std::clamp(static_cast<int>(kHistoryBudgetBytes / frameBytes), kMinHistoryFrames,
                                         kMaxHistoryFrames);
        const int fewestSteps = std::max(1, (total + maxFrames - 1) / maxFrames);
        int every = settings.recordEvery > 0
                        ? settings.recordEvery
                        : std::max(1, (total + kTargetHistoryFrames - 1) / kTargetHistoryFrames);
        if (every < fewestSteps) {
            spdlog::info("recording every {} steps instead of {} to keep the timeline's memory bounded",
                         fewestSteps, every);
            every = fewestSteps;
        }
        SamplingRunInfo info;
        info.runId = run.runId;
        info.totalSteps = total;
        info.numSamples = static_cast<int>(config.numSamples);
        info.recordEvery = every;
        info.temperatures = QVector<double>(config.schedule.temperatures().begin(),
                                            config.schedule.temperatures().end());
        info.modelDescription = QString::fromStdString(model.config().describe());
        info.fromTrainingWeights = run.model.fromTraining;
        info.settings = settings;
        report.progress(QVariant::fromValue(info));
        spdlog::info("sampling {} images, {} steps ({}), step size {}, {}, {}, seed {}", config.numSamples, total,
                     settings.schedulePreset.toStdString(), config.stepSize, ebm::toString(config.sampler),
                     ebm::toString(config.precision), config.seed);

        FrameRelay relay(report, control, run.denoisedPreview, model, sigma0, info);
        const auto onFrame = [&relay, &chainWatch](const ebm::SampleFrame& f) {
            if (chainWatch && f.scheduleChanged)
                chainWatch->scheduleChanged(f.step, f.temperatures);
            return relay.onFrame(f);
        };
        ebm::SampleResult result =
            inpaint ? ebm::inpaint(model, config, inpaint->images, inpaint->mask, onFrame, control.cancelFlag())
                    : ebm::annealedLangevin(model, config, start, onFrame, control.cancelFlag());
        relay.flush();
        if (run.samples)
            *run.samples = result.samples.detach().to(torch::kCPU);
        outcome.stopped = result.stopped;
        outcome.stepsDone = relay.lastStep();
        outcome.acceptanceSteps = static_cast<int>(result.acceptanceRates.size());
        outcome.meanAcceptance = result.meanAcceptance;
    } catch (const ebm::Cancelled&) {
        outcome.stopped = true;
    } catch (const std::exception& e) {
        outcome.failed = true;
        outcome.message = firstLine(e.what());
        spdlog::error("sampling failed: {}", outcome.message.toStdString());
    }
    outcome.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (!outcome.failed)
        spdlog::info("sampling {} after {} steps in {:.1f} s", outcome.stopped ? "stopped" : "finished",
                     outcome.stepsDone, outcome.seconds);
    if (chainWatch && !outcome.failed)
        outcome.chainDiagnostics = chainDiagnosticsOf(*chainWatch, outcome.stepsDone);
    return outcome;
}

}  // namespace

}  // namespace ebm::studio
