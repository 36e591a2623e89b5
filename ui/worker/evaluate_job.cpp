// The evaluation job: the same stages as `ebm eval` (core/include/ebm/eval/evaluation_pipeline.h), with throttled
// progress, cancellation between batches, and results handed over as values.
#include "worker/evaluate_job.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>

#include "ebm/base/error.h"
#include "ebm/schedule/schedule_curve.h"
#include "ebm/eval/evaluation.h"
#include "ebm/eval/evaluation_pipeline.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"
#include "worker/tensor_images.h"

namespace ebm::studio {
namespace {

using Clock = std::chrono::steady_clock;

// Progress a person can read without flooding the GUI thread's queue.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
// The samples shown beside the figures: a readable grid, not all of them.
constexpr int64_t kShownSamples = 64;

ebm::EvaluationRequest toRequest(const EvaluationSettings& s, torch::Device device)
{
    ebm::EvaluationRequest r;
    r.fid = s.fid;
    r.inceptionLike = s.inceptionLike;
    r.neighbours = s.neighbours;
    r.ais = s.likelihood;
    r.samplesPath = s.samplesPath.toStdString();
    r.sampleCount = s.numSamples;
    r.sampling.schedule = s.schedulePreset.toStdString();
    r.sampling.scheduleSteps = s.steps;
    if (s.schedulePreset == kEditedSchedulePreset) {
        r.sampling.curve = ebm::ScheduleCurve::fromJson(s.scheduleCurve.toStdString(), "the edited schedule");
        r.sampling.scheduleSteps = 0;  // the curve's own length
    }
    r.sampling.stepSize = s.stepSize;
    r.sampling.precision = ebm::parsePrecision(s.precision.toStdString());
    r.sampling.seed = s.seed;
    r.referenceLimit = s.referenceLimit;
    r.classifierPath = s.classifierPath.toStdString();
    r.neighbourQueries = s.neighbourQueries;
    r.neighboursPerQuery = s.neighboursPerQuery;
    r.aisForward = s.aisForward;
    r.aisReverse = s.aisReverse;
    r.aisConfig.steps = s.aisSteps;
    r.aisConfig.chains = s.aisChains;
    r.aisConfig.transition = ebm::parseAisTransition(s.aisTransition.toStdString());
    r.aisConfig.leapfrogSteps = s.aisLeapfrog;
    r.aisImages = s.aisImages;
    r.device = device;
    return r;
}

QVector<qint64> toCounts(const std::vector<int64_t>& counts)
{
    return QVector<qint64>(counts.begin(), counts.end());
}

EvaluationOutcome runEvaluation(JobContext& c, const EvaluationSettings& settings, JobControl& control,
                                JobReporter& report)
{
    EvaluationOutcome outcome;
    const auto started = Clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
    try {
        const ebm::EvaluationRequest request = toRequest(settings, c.model.device);
        ebm::EvaluationModel model;
        if (c.model.net) {
            model.net = c.model.net;
            model.sigma0 = c.model.info.sigma0;
            model.path = c.model.info.path.isEmpty() ? c.model.info.description.toStdString()
                                                     : c.model.info.path.toStdString();
            c.model.net->eval();
        }

        int currentStage = -1;
        auto stageStarted = Clock::now();
        auto lastSent = Clock::time_point{};
        auto progress = [&](ebm::EvaluationStage stage, int index, int count, double fraction,
                            const std::string& detail) {
            const auto now = Clock::now();
            if (index != currentStage) {
                currentStage = index;
                stageStarted = now;
                lastSent = Clock::time_point{};  // a new stage shows at once
            }
            if (now - lastSent >= kProgressInterval) {
                lastSent = now;
                EvaluationProgressInfo p;
                p.stage = QString::fromStdString(ebm::stageName(stage));
                p.stageIndex = index;
                p.stageCount = count;
                p.fraction = fraction;
                p.detail = QString::fromStdString(detail);
                const double inStage = std::chrono::duration<double>(now - stageStarted).count();
                p.stageEtaSeconds = fraction > 0.01 ? inStage * (1.0 - fraction) / fraction : -1.0;
                p.elapsedSeconds = elapsed();
                report.progress(QVariant::fromValue(p));
            }
            return !control.cancelRequested();
        };
        const ebm::EvaluationReport report = ebm::runEvaluation(request, model, progress);

        outcome.completed = true;
        outcome.modelDescription = QString::fromStdString(report.modelDescription);
        outcome.samplesSource = QString::fromStdString(report.samplesSource);
        outcome.samplingSteps = report.sampling.steps;
        outcome.samplingSeconds = report.sampling.seconds;
        const ebm::QualityFigures& quality = report.quality;
        outcome.features = QString::fromStdString(quality.extractor);
        outcome.haveFid = quality.haveFid;
        outcome.fid = quality.fid;
        outcome.fidFloor = quality.fidFloor;
        outcome.referenceCount = quality.referenceCount;
        outcome.floorCount = quality.floorCount;
        outcome.haveInceptionLike = quality.haveInceptionLike;
        if (quality.haveInceptionLike) {
            outcome.inceptionLike = quality.inceptionLike.score;
            outcome.inceptionLikeReal = quality.inceptionLikeReal.score;
            outcome.classesCovered = quality.classes.covered;
            outcome.classCounts = toCounts(quality.classes.counts);
            outcome.realClassCounts = toCounts(quality.classesReal.counts);
            for (const std::string& name : quality.classNames)
                outcome.classNames << QString::fromStdString(name);
        }
        if (report.neighbours.present) {
            outcome.haveNeighbours = true;
            outcome.neighbourGrid = tensorToImage(report.neighbours.grid);
            const torch::Tensor nearest = report.neighbours.neighbours.distances.select(1, 0).contiguous();
            for (int64_t i = 0; i < nearest.numel(); ++i)
                outcome.nearestDistances << nearest[i].item<double>();
        }
        const ebm::LikelihoodFigures& ais = report.likelihood;
        if (ais.present) {
            outcome.haveLikelihood = true;
            outcome.aisForward = ais.forward;
            outcome.aisReverse = ais.reverse;
            outcome.forwardBitsPerDim = ais.forwardDensity.bitsPerDim;
            outcome.forwardBitsPerDimStdErr = ais.forwardDensity.bitsPerDimStdErr;
            outcome.reverseBitsPerDim = ais.reverseDensity.bitsPerDim;
            outcome.reverseBitsPerDimStdErr = ais.reverseDensity.bitsPerDimStdErr;
            if (ais.forward && ais.reverse)
                outcome.logZGap = ais.reverseResult.logZ - ais.forwardResult.logZ;
        }
        if (report.samples.defined())
            outcome.samplesGrid = tensorGridImage(report.samples.slice(0, 0, kShownSamples));
        outcome.reportText = QString::fromStdString(ebm::evaluationText(report));
        outcome.reportJson = QString::fromStdString(ebm::evaluationJson(report));
        outcome.message = QObject::tr("Evaluated in %1 s").arg(report.seconds, 0, 'f', 1);
        spdlog::info("evaluation finished in {:.1f} s", report.seconds);
    } catch (const ebm::Cancelled&) {
        outcome.stopped = true;
        outcome.message = QObject::tr("Evaluation stopped; nothing was measured.");
    } catch (const std::exception& e) {
        outcome.failed = true;
        outcome.message = QObject::tr("Evaluation failed: %1").arg(firstLine(e.what()));
        spdlog::warn("evaluation failed: {}", firstLine(e.what()).toStdString());
    }
    outcome.seconds = elapsed();
    return outcome;
}

}  // namespace

QVariant EvaluateJob::run(JobContext* context, JobControl& control, JobReporter& report)
{
    return QVariant::fromValue(runEvaluation(*context, settings_, control, report));
}

}  // namespace ebm::studio
