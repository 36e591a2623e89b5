// The Learn page's jobs: the toy lab of the core (ebm/toy/toy_lab.h) behind plain values.
#include "pages/learn/learn_jobs.h"

#include <torch/torch.h>

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>

#include "ebm/base/error.h"
#include "ebm/io/dataset.h"
#include "ebm/toy/toy_lab.h"
#include "jobs/job_control.h"
#include "worker/job_context.h"

namespace ebm::studio {
namespace {

constexpr qint64 kFrameIntervalMs = 40;          // 25 reports a second: what the screen shows
constexpr qint64 kLandscapeIntervalMs = 120;     // a landscape refresh costs a few ms: not every frame
constexpr double kModeRadiusFraction = 0.25;     // a sample belongs to a mode within a quarter of the circle's radius
constexpr int kMaxLearnPoints = 200000;

QString errorText(const std::exception& e) { return firstLine(e.what()); }

/// The toy models' products are small: a second thread costs more than it brings, and on a busy
/// machine far more. One thread for the job's time, then the studio's count again (OpenMP's count
/// belongs to the calling thread, the worker).
class OneThreadWhileRunning {
public:
    OneThreadWhileRunning() : previous_(at::get_num_threads()) { at::set_num_threads(1); }
    ~OneThreadWhileRunning() { at::set_num_threads(previous_); }
    OneThreadWhileRunning(const OneThreadWhileRunning&) = delete;
    OneThreadWhileRunning& operator=(const OneThreadWhileRunning&) = delete;

private:
    int previous_;
};

torch::Tensor pointsTensor(const QVector<QPointF>& points)
{
    torch::Tensor t = torch::empty({points.size(), 2}, torch::kFloat32);
    float* out = t.data_ptr<float>();
    for (int i = 0; i < points.size(); ++i) {
        out[2 * i] = static_cast<float>(points[i].x());
        out[2 * i + 1] = static_cast<float>(points[i].y());
    }
    return t;
}

QVector<QPointF> pointsOf(const torch::Tensor& tensor)
{
    const torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    QVector<QPointF> points(static_cast<int>(t.size(0)));
    const float* v = t.data_ptr<float>();
    for (int i = 0; i < points.size(); ++i)
        points[i] = QPointF(v[2 * i], v[2 * i + 1]);
    return points;
}

ebm::ModelConfig configOf(int width, int depth) { return ebm::ModelConfig::mlp(2, width, depth); }

LearnModel modelOf(const ebm::EnergyNet& net)
{
    LearnModel model;
    model.width = net->config().hiddenWidth;
    model.depth = net->config().hiddenLayers;
    for (const torch::Tensor& p : net->parameters()) {
        const torch::Tensor flat = p.detach().to(torch::kCPU).contiguous().view({-1});
        model.weights += QVector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    }
    return model;
}

/// Copies flat weights into `net`; throws when their number does not fit its shape.
void loadInto(ebm::EnergyNet& net, const LearnModel& model)
{
    torch::NoGradGuard noGrad;
    int64_t offset = 0;
    for (torch::Tensor& p : net->parameters()) {
        if (offset + p.numel() > model.weights.size())
            throw ebm::Error("the Learn model's weights do not fit a " + std::to_string(model.depth) + "x" +
                             std::to_string(model.width) + " MLP");
        p.copy_(torch::from_blob(const_cast<float*>(model.weights.constData()) + offset, p.sizes(), torch::kFloat32));
        offset += p.numel();
    }
    if (offset != model.weights.size())
        throw ebm::Error("the Learn model's weights do not fit a " + std::to_string(model.depth) + "x" +
                         std::to_string(model.width) + " MLP");
}

ebm::EnergyNet netOf(const LearnModel& model)
{
    ebm::EnergyNet net = ebm::makeEnergyNet(configOf(model.width, model.depth));
    loadInto(net, model);
    return net;
}

LearnLandscape landscapeOf(ebm::toy::FastMlp& fast, int resolution, double extent)
{
    ebm::toy::LandscapeGrid grid;
    grid.resolution = resolution;
    grid.xMin = grid.yMin = -extent;
    grid.xMax = grid.yMax = extent;
    const ebm::toy::Landscape computed = ebm::toy::computeLandscape(fast, grid);
    LearnLandscape landscape;
    landscape.resolution = resolution;
    landscape.extent = extent;
    const torch::Tensor e = computed.energies.contiguous();
    landscape.energies = QVector<float>(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
    const torch::Tensor sx = computed.scores.select(2, 0).contiguous(), sy = computed.scores.select(2, 1).contiguous();
    landscape.scoreX = QVector<float>(sx.data_ptr<float>(), sx.data_ptr<float>() + sx.numel());
    landscape.scoreY = QVector<float>(sy.data_ptr<float>(), sy.data_ptr<float>() + sy.numel());
    return landscape;
}

ebm::toy::ToyTrainConfig trainConfigOf(const LearnTrainSettings& s)
{
    ebm::toy::ToyTrainConfig config;
    config.model = configOf(s.width, s.depth);
    config.noise.sigmaMin = s.sigmaMin;
    config.noise.sigmaMax = s.singleSigma ? s.sigmaMin : s.sigmaMax;
    config.noise.spread = s.singleSigma ? ebm::NoiseSpread::Single
                                        : (s.geometric ? ebm::NoiseSpread::Geometric : ebm::NoiseSpread::Linear);
    config.noise.sigma0 = s.sigma0;
    config.learningRate = s.learningRate;
    config.batchSize = s.batchSize;
    config.seed = s.seed;
    return config;
}

/// The learning rate and noise range a person changed during the run, from the next step on.
void applyLiveChange(ebm::toy::ToyTrainer& trainer, const LearnTrainSettings& settings, const LearnLiveTraining& live)
{
    LearnTrainSettings changed = settings;
    changed.learningRate = live.learningRate;
    changed.sigmaMin = live.sigmaMin;
    changed.sigmaMax = std::max(live.sigmaMin, live.sigmaMax);
    const ebm::toy::ToyTrainConfig config = trainConfigOf(changed);
    if (config.learningRate != trainer.config().learningRate)
        trainer.setLearningRate(config.learningRate);
    const ebm::NoiseConfig& now = trainer.config().noise;
    if (config.noise.sigmaMin != now.sigmaMin || config.noise.sigmaMax != now.sigmaMax)
        trainer.setNoise(config.noise);
}

void checkPoints(const QVector<QPointF>& points)
{
    if (points.isEmpty())
        throw ebm::Error("there are no data points: choose a data set or draw some");
    if (points.size() > kMaxLearnPoints)
        throw ebm::Error("at most " + std::to_string(kMaxLearnPoints) + " data points");
}

/// The run's temperatures: the settings' schedule, or the toy default when they give none.
ebm::Schedule scheduleOf(const LearnSampleSettings& sampling)
{
    return sampling.temperatures.isEmpty()
               ? ebm::toy::defaultToySchedule()
               : ebm::Schedule(std::vector<double>(sampling.temperatures.begin(), sampling.temperatures.end()));
}

/// A sample belongs to the nearest of the mixture's modes within this distance.
double modeRadiusOf(const ebm::toy::GaussianMixture& mixture)
{
    return kModeRadiusFraction * std::hypot(mixture.means[0][0], mixture.means[0][1]);
}

/// The samples' mode counts and weights against the mixture's, into `side`.
void measureModes(const torch::Tensor& samples, const ebm::toy::GaussianMixture& mixture, LearnCompareSide& side)
{
    const ebm::toy::ModeMatch match =
        ebm::toy::matchModes(samples, mixture.meansTensor(), mixture.normalisedWeights(), modeRadiusOf(mixture));
    side.hasModes = true;
    side.modesCovered = match.modesCovered;
    side.modes = match.modes;
    side.weightTv = match.weightTv;
    side.unassigned = match.unassignedFraction;
    side.sampleWeights = QVector<double>(match.sampleWeights.begin(), match.sampleWeights.end());
}

/// The final samples into `side`, measured against the data (MMD) and, for a known mixture, its modes.
void measureSamples(const torch::Tensor& samples, const torch::Tensor& data,
                    const std::optional<ebm::toy::GaussianMixture>& mixture, LearnCompareSide& side)
{
    side.samples = pointsOf(samples);
    side.mmd = ebm::toy::sampleMmd(samples, data);
    if (mixture)
        measureModes(samples, *mixture, side);
}

QVector<double> trueWeightsOf(const ebm::toy::GaussianMixture& mixture)
{
    const std::vector<double> weights = mixture.normalisedWeights();
    return QVector<double>(weights.begin(), weights.end());
}

void requireModel(const LearnModel& model)
{
    if (model.isEmpty())
        throw ebm::Error("train a model first: there is nothing to sample from");
}

/// The particles' settings as `sampling` gives them, without snapshots: the page keeps the frames
/// it shows, and a hand-driven run has no end.
ebm::toy::ParticleConfig particleConfigOf(const LearnSampleSettings& sampling)
{
    ebm::toy::ParticleConfig config;
    config.stepSize = sampling.stepSize;
    config.sigma0 = sampling.sigma0;
    config.seed = sampling.seed;
    config.sampler = sampling.sampler;
    config.recordSnapshots = false;
    return config;
}

/// A comparison's progress (LearnCompareProgress): a phase at every step, reported at the
/// screen's pace.
class CompareProgressReporter {
public:
    CompareProgressReporter(JobReporter& report, int total) : report_(report)
    {
        progress_.total = total;
        sinceReport_.start();
    }
    void step(const QString& phase)
    {
        ++progress_.done;
        tell(phase, false);
    }
    void done() { tell(QStringLiteral("done"), true); }

private:
    void tell(const QString& phase, bool force)
    {
        progress_.phase = phase;
        if (force || sinceReport_.elapsed() >= kFrameIntervalMs) {
            report_.progress(QVariant::fromValue(progress_));
            sinceReport_.restart();
        }
    }

    JobReporter& report_;
    LearnCompareProgress progress_;
    QElapsedTimer sinceReport_;
};

/// Every job's frame: `body` fills `result`; an exception ends the job with its message as the
/// result's error.
template <typename Result, typename Body>
QVariant resultOf(Result result, Body&& body)
{
    try {
        body(result);
    } catch (const std::exception& e) {
        result.error = errorText(e);
    }
    return QVariant::fromValue(result);
}

}  // namespace

QStringList learnDataNames()
{
    QStringList names;
    for (const std::string& name : ebm::toy::toyDataNames())
        names << QString::fromStdString(name);
    return names;
}

void registerLearnTypes()
{
    qRegisterMetaType<LearnTrainReport>();
    qRegisterMetaType<LearnTrainResult>();
    qRegisterMetaType<LearnSampleFrame>();
    qRegisterMetaType<LearnSampleResult>();
    qRegisterMetaType<LearnCompareProgress>();
    qRegisterMetaType<LearnCompareResult>();
    qRegisterMetaType<LearnSamplerCompareResult>();
    qRegisterMetaType<LearnDataResult>();
    qRegisterMetaType<LearnGalleryResult>();
    qRegisterMetaType<LearnConcentrationResult>();
}

QVariant LearnTrainJob::run(JobContext*, JobControl& control, JobReporter& report)
{
    const OneThreadWhileRunning oneThread;
    return resultOf(LearnTrainResult{}, [&](LearnTrainResult& result) {
        checkPoints(points_);
        ebm::toy::ToyTrainer trainer(trainConfigOf(settings_), pointsTensor(points_));
        if (!start_.isEmpty()) {
            ebm::EnergyNet net = trainer.net();
            loadInto(net, start_);   // go on training the model the page holds
        }
        LearnTrainReport pending;
        pending.totalSteps = settings_.steps;
        QElapsedTimer sinceReport, sinceLandscape;
        sinceReport.start();
        sinceLandscape.start();
        auto flush = [&](bool withLandscape) {
            pending.step = trainer.completedSteps();
            pending.learningRate = trainer.config().learningRate;
            pending.sigmaMin = trainer.config().noise.sigmaMin;
            pending.sigmaMax = trainer.config().noise.sigmaMax;
            if (withLandscape) {
                pending.landscape = landscapeOf(trainer.fast(), gridResolution_, extent_);
                sinceLandscape.restart();
            }
            report.progress(QVariant::fromValue(pending));
            pending.losses.clear();
            pending.landscape = LearnLandscape{};
            sinceReport.restart();
        };
        flush(true);   // the untrained landscape first
        while (trainer.completedSteps() < settings_.steps) {
            if (!control.awaitNextStep(report, [&] { flush(true); })) {
                result.cancelled = true;
                break;
            }
            if (live_)
                if (const std::optional<LearnLiveTraining> change = live_->take())
                    applyLiveChange(trainer, settings_, *change);
            pending.losses.push_back(static_cast<float>(trainer.step()));
            const bool stepping = control.pauseRequested();
            if (stepping || sinceReport.elapsed() >= kFrameIntervalMs)
                flush(stepping || sinceLandscape.elapsed() >= kLandscapeIntervalMs);
        }
        if (!pending.losses.isEmpty())
            flush(false);
        result.model = modelOf(trainer.net());
        result.steps = trainer.completedSteps();
        result.landscape = landscapeOf(trainer.fast(), gridResolution_, extent_);
        result.ok = true;
    });
}

QVariant LearnSampleJob::run(JobContext*, JobControl& control, JobReporter& report)
{
    const OneThreadWhileRunning oneThread;
    return resultOf(LearnSampleResult{}, [&](LearnSampleResult& result) {
        requireModel(model_);
        const ebm::toy::ParticleConfig config = particleConfigOf(settings_);
        const torch::Tensor start = settings_.start.isEmpty()
                                        ? ebm::toy::ParticleSampler::spreadStart(settings_.particles, settings_.extent, settings_.seed)
                                        : pointsTensor(settings_.start);
        ebm::toy::ParticleSampler sampler(netOf(model_), config, start);
        if (settings_.useSchedule) {
            sampler.setSchedule(scheduleOf(settings_));
            sampler.setScheduleFeed(controls_->scheduleFeed);
        }
        // MALA's acceptance: per frame (the mean over its steps, steadier than the newest step's)
        // and over the whole run.
        double frameAccepted = 0.0, runAccepted = 0.0, shownAcceptance = 1.0;
        int frameSteps = 0, runSteps = 0;
        auto frame = [&](bool final) {
            if (frameSteps > 0) {
                shownAcceptance = frameAccepted / frameSteps;
                frameAccepted = 0.0;
                frameSteps = 0;
            }
            LearnSampleFrame f;
            f.step = sampler.stepsTaken();
            f.totalSteps = sampler.totalSteps();
            f.temperature = sampler.lastTemperature();
            f.final = final;
            f.positions = pointsOf(sampler.positions());
            f.acceptance = shownAcceptance;
            report.progress(QVariant::fromValue(f));
        };
        frame(false);
        QElapsedTimer sinceFrame;
        sinceFrame.start();
        int stepsInFrame = 0;
        bool finished = false;
        while (!finished) {
            if (!control.awaitNextStep(report, [&] { frame(false); })) {
                result.cancelled = true;
                break;
            }
            const QVector<QPointF> drops = controls_->takeDrops();
            if (!drops.isEmpty())
                sampler.addParticles(pointsTensor(drops));
            if (settings_.useSchedule)
                finished = !sampler.stepScheduled();
            else
                sampler.step(std::max(0.0, controls_->temperature.load()));
            if (!finished) {
                frameAccepted += sampler.lastAcceptance();
                runAccepted += sampler.lastAcceptance();
                ++frameSteps;
                ++runSteps;
            }
            ++stepsInFrame;
            const bool stepping = control.pauseRequested();
            if (finished || stepping || stepsInFrame >= std::max(1, controls_->stepsPerFrame.load())) {
                // Paced to the screen: the speed is steps per frame, not as fast as the cores go.
                const qint64 wait = kFrameIntervalMs - sinceFrame.elapsed();
                if (wait > 0 && !stepping && !finished)
                    control.waitForChange(static_cast<unsigned long>(wait));
                if (!finished)
                    frame(false);
                sinceFrame.restart();
                stepsInFrame = 0;
            }
        }
        if (!result.cancelled && settings_.finalDenoise && settings_.useSchedule)
            sampler.denoiseJump();
        frame(!result.cancelled);
        result.positions = pointsOf(sampler.positions());
        result.steps = sampler.stepsTaken();
        result.meanAcceptance = runSteps > 0 ? runAccepted / runSteps : 1.0;
        result.ok = true;
    });
}

QVariant LearnCompareJob::run(JobContext*, JobControl& control, JobReporter& report)
{
    const OneThreadWhileRunning oneThread;
    return resultOf(LearnCompareResult{}, [&](LearnCompareResult& result) {
        checkPoints(points_);
        const torch::Tensor data = pointsTensor(points_);
        const std::optional<ebm::toy::GaussianMixture> mixture = ebm::toy::mixtureFor(settings_.mixture.toStdString());
        const ebm::Schedule schedule = scheduleOf(settings_.sampling);
        CompareProgressReporter progress(report, 2 * settings_.steps + 2 * schedule.size());
        auto side = [&](bool single, LearnCompareSide& out) -> bool {
            LearnTrainSettings settings = settings_.train;
            settings.singleSigma = single;
            if (single)
                settings.sigmaMin = settings_.singleSigma;
            out.label = single ? QStringLiteral("single sigma %1").arg(settings_.singleSigma)
                               : QStringLiteral("MDSM sigma %1..%2").arg(settings.sigmaMin).arg(settings.sigmaMax);
            ebm::toy::ToyTrainer trainer(trainConfigOf(settings), data);
            for (int i = 0; i < settings_.steps; ++i) {
                if (!control.awaitNextStep(report, {}))
                    return false;
                trainer.step();
                progress.step(QStringLiteral("training the %1 model").arg(out.label));
            }
            out.landscape = landscapeOf(trainer.fast(), gridResolution_, extent_);
            ebm::toy::ParticleConfig config = particleConfigOf(settings_.sampling);
            config.sigma0 = settings.sigma0;   // the model's own, for its denoising jump
            ebm::toy::ParticleSampler sampler(trainer.net(), config,
                                              ebm::toy::ParticleSampler::spreadStart(settings_.sampling.particles,
                                                                                     settings_.sampling.extent,
                                                                                     settings_.sampling.seed));
            sampler.setSchedule(schedule);
            while (sampler.stepScheduled()) {
                if (control.cancelRequested())
                    return false;
                progress.step(QStringLiteral("sampling the %1 model").arg(out.label));
            }
            sampler.denoiseJump();
            measureSamples(sampler.positions(), data, mixture, out);
            return true;
        };
        if (!side(true, result.single) || !side(false, result.multiscale)) {
            result.cancelled = true;
            return;
        }
        if (mixture)
            result.trueWeights = trueWeightsOf(*mixture);
        result.mmdBandwidth = ebm::toy::kDefaultMmdBandwidth;
        progress.done();
        result.ok = true;
    });
}

QVariant LearnSamplerCompareJob::run(JobContext*, JobControl& control, JobReporter& report)
{
    const OneThreadWhileRunning oneThread;
    return resultOf(LearnSamplerCompareResult{}, [&](LearnSamplerCompareResult& result) {
        requireModel(model_);
        checkPoints(points_);
        const LearnSampleSettings& sampling = settings_.sampling;
        const torch::Tensor data = pointsTensor(points_);
        const std::optional<ebm::toy::GaussianMixture> mixture = ebm::toy::mixtureFor(settings_.mixture.toStdString());
        const ebm::Schedule schedule = scheduleOf(sampling);
        ebm::EnergyNet net = netOf(model_);
        LearnLandscape landscape;
        {
            ebm::toy::FastMlp fast(net);
            landscape = landscapeOf(fast, gridResolution_, extent_);
        }
        // One start for both: whatever differs afterwards is the sampler's doing.
        const torch::Tensor start =
            ebm::toy::ParticleSampler::spreadStart(sampling.particles, sampling.extent, sampling.seed);
        CompareProgressReporter progress(report, 2 * schedule.size());
        auto side = [&](ebm::Sampler sampler, LearnCompareSide& out) -> bool {
            out.label = sampler == ebm::Sampler::Mala ? QStringLiteral("MALA") : QStringLiteral("Langevin");
            out.landscape = landscape;
            ebm::toy::ParticleConfig config = particleConfigOf(sampling);
            config.sampler = sampler;   // not the settings': this side's
            ebm::toy::ParticleSampler particles(net, config, start);
            particles.setSchedule(schedule);
            double accepted = 0.0;
            while (particles.stepsTaken() < particles.totalSteps()) {
                if (!control.awaitNextStep(report, {}))
                    return false;
                particles.stepScheduled();
                accepted += particles.lastAcceptance();
                progress.step(
                    QStringLiteral("%1, step %2 of %3").arg(out.label).arg(particles.stepsTaken()).arg(schedule.size()));
            }
            out.meanAcceptance = schedule.size() > 0 ? accepted / schedule.size() : 1.0;
            if (sampling.finalDenoise)
                particles.denoiseJump();
            measureSamples(particles.positions(), data, mixture, out);
            return true;
        };
        if (!side(ebm::Sampler::Langevin, result.langevin) || !side(ebm::Sampler::Mala, result.mala)) {
            result.cancelled = true;
            return;
        }
        if (mixture) {
            result.trueWeights = trueWeightsOf(*mixture);
            result.modeRadius = modeRadiusOf(*mixture);
        }
        result.stepSize = sampling.stepSize;
        result.mmdBandwidth = ebm::toy::kDefaultMmdBandwidth;
        progress.done();
        result.ok = true;
    });
}

QVariant LearnDataJob::run(JobContext*, JobControl&, JobReporter&)
{
    LearnDataResult named;
    named.name = spec_;
    return resultOf(std::move(named), [&](LearnDataResult& result) {
        torch::Tensor points;
        if (spec_.endsWith(QStringLiteral(".npy"), Qt::CaseInsensitive)) {
            points = ebm::readNpy(spec_.toStdString());
            if (points.dim() != 2 || points.size(1) != 2)
                throw ebm::Error(spec_.toStdString() + ": holds an array of shape " + c10::str(points.sizes()) +
                                 "; the Learn page needs points of shape [N, 2]");
            if (points.size(0) > kMaxLearnPoints)
                points = points.slice(0, 0, kMaxLearnPoints);
            points = points.to(torch::kFloat32);
            if (!torch::isfinite(points).all().item<bool>())
                throw ebm::Error(spec_.toStdString() + ": holds a non-finite coordinate");
        } else {
            points = ebm::toy::makeToyData(spec_.toStdString(), std::clamp(count_, 1, kMaxLearnPoints), seed_).data;
        }
        result.points = pointsOf(points);
    });
}

QVariant LearnGalleryJob::run(JobContext*, JobControl& control, JobReporter&)
{
    return resultOf(LearnGalleryResult{}, [&](LearnGalleryResult& result) {
        for (const QString& spec : specs_) {
            if (control.cancelRequested()) {
                result.cancelled = true;
                return;
            }
            const torch::Tensor points =
                ebm::toy::makeToyData(spec.toStdString(), std::clamp(count_, 1, kMaxLearnPoints), seed_).data;
            result.items.push_back({spec, pointsOf(points)});
        }
    });
}

QVariant LearnConcentrationJob::run(JobContext*, JobControl&, JobReporter&)
{
    const OneThreadWhileRunning oneThread;
    auto copy = [](const ebm::toy::Histogram& h) {
        LearnHistogram out;
        out.lo = h.lo;
        out.hi = h.hi;
        out.counts = QVector<double>(h.counts.begin(), h.counts.end());
        out.mean = h.mean;
        out.stddev = h.stddev;
        return out;
    };
    return resultOf(LearnConcentrationResult{}, [&](LearnConcentrationResult& result) {
        constexpr int kBins = 60, kBandBins = 80;
        const ebm::toy::ConcentrationStats stats =
            ebm::toy::concentration(settings_.dimension, settings_.sigma, settings_.draws, kBins);
        result.expectedDistance = stats.expectedDistance();
        result.distance = copy(stats.distance);
        result.angle = copy(stats.angleDegrees);
        std::vector<double> spread(settings_.spread.begin(), settings_.spread.end());
        if (spread.empty())
            spread = {settings_.sigma};
        const double largest = *std::max_element(spread.begin(), spread.end());
        const double root = std::sqrt(static_cast<double>(settings_.dimension));
        const double hi = 1.15 * std::max(largest, settings_.sigma) * (root + 3.0);
        const int64_t perSigma = std::max<int64_t>(1, settings_.draws / static_cast<int64_t>(spread.size()));
        result.singleBand = copy(ebm::toy::distanceHistogram(settings_.dimension, {settings_.sigma}, settings_.draws, kBandBins, 0.0, hi));
        result.spreadBand = copy(ebm::toy::distanceHistogram(settings_.dimension, spread, perSigma, kBandBins, 0.0, hi, 2));
    });
}

}  // namespace ebm::studio
