// The trainer: a short MDSM run on a 2D mixture learns the smoothed score, the learning-rate
// schedule, and the guard against non-finite losses; the --progress-json events round-trip.
#include <QtTest/QtTest>
#include <map>
#include <tuple>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <variant>

#include "ebm/base/error.h"
#include "ebm/io/checkpoint.h"
#include "ebm/train/progress_events.h"
#include "ebm/train/trainer.h"
#include "test_support.h"

using namespace ebm;

namespace {

// Four Gaussian blobs on the corners of a square: an analytic score to compare with.
const double kCentres[4][2] = {{-2, -2}, {-2, 2}, {2, -2}, {2, 2}};
constexpr double kBlobStd = 0.3;

Dataset mixture(int64_t count, uint64_t seed)
{
    torch::manual_seed(seed);
    torch::Tensor which = torch::randint(0, 4, {count});
    torch::Tensor centres = torch::tensor({-2.0f, -2.0f, -2.0f, 2.0f, 2.0f, -2.0f, 2.0f, 2.0f}).view({4, 2});
    Dataset d;
    d.data = centres.index_select(0, which) + kBlobStd * torch::randn({count, 2});
    return d;
}

/// grad log p_sigma0(y) of the mixture smoothed by N(0, sigma0^2): blobs of variance s^2 + sigma0^2.
torch::Tensor smoothedScore(const torch::Tensor& y, double sigma0)
{
    const double var = kBlobStd * kBlobStd + sigma0 * sigma0;
    std::vector<torch::Tensor> logWeights, pulls;
    for (const auto& c : kCentres) {
        torch::Tensor d = torch::tensor({float(c[0]), float(c[1])}).view({1, 2}) - y;
        logWeights.push_back(-d.pow(2).sum(1) / (2 * var));
        pulls.push_back(d / var);
    }
    torch::Tensor w = torch::softmax(torch::stack(logWeights, 1), 1);  // [N, 4]
    return (w.unsqueeze(2) * torch::stack(pulls, 1)).sum(1);
}

ModelConfig mlp() { return ModelConfig::mlp(2, 64, 3); }

// Every field of each progress event, in declaration order.
auto fieldsOf(const TrainStartEvent& e)
{
    return std::tie(e.model, e.dataset, e.items, e.startStep, e.totalSteps, e.batch, e.ranks, e.checkpoint);
}
auto fieldsOf(const TrainStepEvent& e)
{
    return std::tie(e.step, e.loss, e.smoothedLoss, e.learningRate, e.stepsPerSecond, e.etaSeconds);
}
auto fieldsOf(const TrainCheckpointEvent& e) { return std::tie(e.step, e.path); }
auto fieldsOf(const TrainEndEvent& e) { return std::tie(e.step, e.interrupted, e.path); }

/// Checks that `line` parses to an event of `written`'s kind with the same fields: one QCOMPARE
/// a field (doubles fuzzily, as QCOMPARE compares them), up to the first that differs.
template <class Event>
void checkParsesBack(const std::string& line, const Event& written)
{
    const auto parsed = parseProgressEvent(line);
    QVERIFY(parsed && std::holds_alternative<Event>(*parsed));
    std::apply(
        [&](const auto&... got) {
            std::apply(
                [&](const auto&... sent) {
                    (QTest::qCompare(got, sent, "parsed", "written", __FILE__, __LINE__) && ...);
                },
                fieldsOf(written));
        },
        fieldsOf(std::get<Event>(*parsed)));
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void learnsTheSmoothedScoreOfA2dMixture()
    {
        TrainConfig config;
        config.batchSize = 128;
        config.steps = 1500;
        config.learningRate = 3e-3;
        config.finalLearningRate = 1e-4;
        config.noise.sigmaMin = 0.05;
        config.noise.sigmaMax = 1.5;
        config.noise.spread = NoiseSpread::Linear;
        config.noise.sigma0 = 0.3;
        config.seed = 4;
        config.checkpointEvery = 0;
        Trainer trainer(mlp(), config, mixture(4096, 1));
        TrainProgress first = trainer.step();
        TrainProgress last = trainer.run();
        QCOMPARE(last.step, int64_t(1500));
        QVERIFY2(last.smoothedLoss < 0.6 * first.loss,
                 qPrintable(QString("loss %1 -> %2").arg(first.loss).arg(last.smoothedLoss)));

        // Near the data (within ~1 noise std), -dE/dx must point along the analytic score.
        Dataset probe = mixture(2000, 2);
        torch::Tensor y = probe.data + 0.5 * torch::randn({2000, 2});
        torch::Tensor learned = -energyAndGrad(*trainer.net(), y).grad;
        torch::Tensor truth = smoothedScore(y, config.noise.sigma0);
        const double cosine = torch::cosine_similarity(learned, truth, 1).mean().item<double>();
        QVERIFY2(cosine > 0.9, qPrintable(QString("mean cosine similarity %1").arg(cosine)));

        // An untrained network of the same shape does not (the test can fail).
        Trainer untrained(mlp(), config, mixture(256, 3));
        torch::Tensor random = -energyAndGrad(*untrained.net(), y).grad;
        QVERIFY(torch::cosine_similarity(random, truth, 1).mean().item<double>() < 0.5);
    }

    void cosineLearningRate()
    {
        TrainConfig config;
        config.learningRate = 1e-4;
        config.finalLearningRate = 1e-6;
        config.steps = 100;
        QCOMPARE(learningRateAt(config, 0), 1e-4);
        QVERIFY(std::abs(learningRateAt(config, 50) - (1e-6 + 0.5 * (1e-4 - 1e-6))) < 1e-15);
        QVERIFY(std::abs(learningRateAt(config, 100) - 1e-6) < 1e-15);
        config.cosineDecay = false;
        QCOMPARE(learningRateAt(config, 77), 1e-4);
    }

    void nonFiniteLossStopsWithoutTouchingWeights()
    {
        TrainConfig config;
        config.batchSize = 16;
        config.steps = 10;
        Dataset data = mixture(64, 5);
        data.data[3][0] = std::numeric_limits<float>::quiet_NaN();  // poisons the batches that hold row 3
        Trainer trainer(mlp(), config, data);
        bool failed = false;
        for (int i = 0; i < 8 && !failed; ++i) {
            auto before = trainer.net()->parameters()[0].clone();
            const int64_t steps = trainer.completedSteps();
            try {
                trainer.step();
            } catch (const Error& e) {
                failed = true;
                QVERIFY(std::string(e.what()).find("NaN") != std::string::npos);
                QVERIFY(torch::equal(before, trainer.net()->parameters()[0]));
                QCOMPARE(trainer.completedSteps(), steps);
            }
        }
        QVERIFY(failed);
        for (const auto& p : trainer.net()->parameters())
            QVERIFY(p.isfinite().all().item<bool>());
    }

    void refusesAbsurdOptimizerSettingsInOneLine()
    {
        auto refused = [this](const TrainConfig& config, const char* needle) {
            try {
                Trainer trainer(mlp(), config, mixture(64, 1));
            } catch (const Error& e) {
                return QString::fromUtf8(e.what()).contains(QLatin1String(needle));
            }
            return false;
        };
        TrainConfig config;
        config.batchSize = 8;
        config.learningRate = 1e39;
        QVERIFY(refused(config, "learning rate must be above 0 and at most 1"));
        config.learningRate = std::nan("");
        QVERIFY(refused(config, "learning rate"));
        config.learningRate = 1e-3;
        config.finalLearningRate = -1e-6;
        QVERIFY(refused(config, "final learning rate"));
        config.finalLearningRate = 0.0;
        config.beta1 = 1.0;
        QVERIFY(refused(config, "beta1 must be at least 0 and below 1"));
        config.beta1 = 0.9;
        config.beta2 = -0.1;
        QVERIFY(refused(config, "beta2"));
        config.beta2 = 0.95;
        Trainer fine(mlp(), config, mixture(64, 1));  // the values around them are accepted
        QCOMPARE(fine.config().learningRate, 1e-3);
    }

    void rejectsDataOfTheWrongShape()
    {
        TrainConfig config;
        config.batchSize = 8;
        Dataset images;
        images.data = torch::rand({32, 1, 28, 28});
        ModelConfig model;  // Res12 expects 1x32x32
        model.baseWidth = 4;
        QVERIFY_THROWS_EXCEPTION(Error, Trainer(model, config, images));
        Dataset tiny;
        tiny.data = torch::rand({4, 2});
        QVERIFY_THROWS_EXCEPTION(Error, Trainer(mlp(), config, tiny));
    }

    /// Fine-tuning starts from the given weights, trains them (the optimizer must hold the very
    /// tensors that were overwritten), and refuses another architecture or a run already begun.
    void fineTuningStartsFromTheGivenWeights()
    {
        TrainConfig config;
        config.batchSize = 32;
        config.steps = 3;
        config.seed = 11;
        Trainer source(mlp(), config, mixture(256, 1));
        source.run();
        const Checkpoint trained = source.checkpoint();

        config.seed = 12;  // different initial weights, so equality below means they were replaced
        Trainer tuned(mlp(), config, mixture(256, 2));
        tuned.startFromWeights(trained);
        const auto start = collectWeights(*tuned.net());
        for (const auto& [name, tensor] : trained.weights)
            QVERIFY2(torch::equal(start.at(name), tensor), name.c_str());
        tuned.step();
        const auto after = collectWeights(*tuned.net());
        double moved = 0.0;
        for (const auto& [name, tensor] : trained.weights)
            moved += (after.at(name) - tensor).abs().sum().item<double>();
        QVERIFY(moved > 0.0);
        QVERIFY_THROWS_EXCEPTION(Error, tuned.startFromWeights(trained));  // a step has run

        ModelConfig wider = mlp();
        wider.hiddenWidth = 32;
        Trainer other(wider, config, mixture(256, 3));
        QVERIFY_THROWS_EXCEPTION(Error, other.startFromWeights(trained));
    }

    /// The moving average after k steps is the hand-computed one: it starts at the initial
    /// weights and takes (1 - decay) of each step's weights.
    void weightAverageEqualsTheHandComputation()
    {
        constexpr double kDecay = 0.8;
        constexpr int kSteps = 6;
        TrainConfig config;
        config.batchSize = 32;
        config.steps = kSteps;
        config.learningRate = 1e-2;
        config.emaDecay = kDecay;
        Trainer trainer(mlp(), config, mixture(256, 4));
        std::map<std::string, torch::Tensor> expected = collectWeights(*trainer.net());
        for (auto& [name, tensor] : expected)
            tensor = tensor.to(torch::kFloat64);
        for (int k = 0; k < kSteps; ++k) {
            trainer.step();
            for (const auto& [name, tensor] : collectWeights(*trainer.net()))
                expected[name] = kDecay * expected[name] + (1.0 - kDecay) * tensor.to(torch::kFloat64);
        }
        const auto averaged = trainer.averagedWeights();
        QCOMPARE(averaged.size(), expected.size());
        double largestGap = 0.0, moved = 0.0;
        const auto raw = collectWeights(*trainer.net());
        for (const auto& [name, tensor] : averaged) {
            largestGap = std::max(largestGap, (tensor.to(torch::kFloat64) - expected.at(name)).abs().max().item<double>());
            moved += (tensor - raw.at(name)).abs().sum().item<double>();
        }
        QVERIFY2(largestGap < 1e-6, qPrintable(QString::number(largestGap)));
        QVERIFY(moved > 0.0);  // the average lags the weights: it is not a copy

        // Off by default; refused outside [0, 1).
        TrainConfig plainConfig;
        plainConfig.batchSize = 32;
        Trainer plain(mlp(), plainConfig, mixture(256, 4));
        QVERIFY(plain.averagedWeights().empty());
        QVERIFY_THROWS_EXCEPTION(Error, plain.setAveraging(1.0));
        QVERIFY_THROWS_EXCEPTION(Error, plain.setAveraging(-0.5));
        plain.setAveraging(0.5);  // switched on mid-run: starts from the current weights
        const auto start = collectWeights(*plain.net());
        for (const auto& [name, tensor] : plain.averagedWeights())
            QVERIFY(torch::equal(tensor, start.at(name)));
    }

    /// A run with averaging stopped and resumed ends with the same weights and the same average.
    void resumeWithWeightAverageIsExact()
    {
        TrainConfig config;
        config.batchSize = 32;
        config.steps = 10;
        config.learningRate = 1e-2;
        config.emaDecay = 0.9;
        config.seed = 21;
        const Dataset data = mixture(256, 5);
        Trainer straight(mlp(), config, data);
        straight.run();

        Trainer first(mlp(), config, data);
        first.run([](const TrainProgress& p) { return p.step < 4; });
        QTemporaryDir dir;
        const std::string path = dir.filePath("half.ebm").toStdString();
        first.saveCheckpoint(path);
        Trainer resumed(loadCheckpoint(path), data);
        resumed.run();
        const auto a = straight.averagedWeights(), b = resumed.averagedWeights();
        QCOMPARE(a.size(), b.size());
        for (const auto& [name, tensor] : a)
            QVERIFY2(torch::equal(tensor, b.at(name)), name.c_str());
        const auto wa = collectWeights(*straight.net()), wb = collectWeights(*resumed.net());
        for (const auto& [name, tensor] : wa)
            QVERIFY2(torch::equal(tensor, wb.at(name)), name.c_str());
    }

    /// bfloat16 autocast: the first step's gradients are within bfloat16's rounding of float32's
    /// but not equal to them (the convolutions did run in bfloat16), the weights stay float32,
    /// and nothing of the mode leaks out of the step. (The loss itself hardly shows it: at the
    /// start it is nearly all the noise term, which does not pass through the network.)
    void bfloat16StepIsCloseToFloat32AndStaysInside()
    {
        const ModelConfig model = testing::resNetConfig(Architecture::Res6, 8, 28);
        TrainConfig config;
        config.batchSize = 16;
        config.steps = 3;
        config.seed = 3;
        torch::manual_seed(2);
        Dataset data;
        data.data = torch::rand({16, 1, 28, 28});
        Trainer full(model, config, data);
        config.precision = Precision::BFloat16;
        Trainer reduced(model, config, data);
        const TrainProgress fullStep = full.step(), reducedStep = reduced.step();
        QVERIFY(std::abs(reducedStep.loss - fullStep.loss) < 1e-3 * fullStep.loss);
        double differenceSquared = 0.0, normSquared = 0.0;
        const auto fullParameters = full.net()->parameters(), reducedParameters = reduced.net()->parameters();
        for (size_t i = 0; i < fullParameters.size(); ++i) {
            if (!fullParameters[i].grad().defined())
                continue;
            differenceSquared += (reducedParameters[i].grad() - fullParameters[i].grad()).pow(2).sum().item<double>();
            normSquared += fullParameters[i].grad().pow(2).sum().item<double>();
        }
        const double relative = std::sqrt(differenceSquared / normSquared);
        // bfloat16 keeps 8 mantissa bits (2^-9 = 2e-3 relative rounding per operand).
        QVERIFY2(relative < 0.1, qPrintable(QString("bf16 gradients differ from float32's by %1").arg(relative)));
        QVERIFY2(relative > 1e-4, qPrintable(QString("bf16 gradients equal float32's (%1): autocast did not take effect").arg(relative)));
        qInfo("bf16 against float32, first step: loss %.7g vs %.7g, gradients %.2e relative", reducedStep.loss,
              fullStep.loss, relative);
        for (const auto& p : reduced.net()->parameters())
            QCOMPARE(p.scalar_type(), torch::kFloat32);
        QVERIFY(std::isfinite(reduced.step().loss));
        // Outside the step a convolution is float32 again.
        const torch::Tensor outside = torch::conv2d(torch::rand({1, 1, 5, 5}), torch::rand({1, 1, 3, 3}));
        QCOMPARE(outside.scalar_type(), torch::kFloat32);

        // The mode is part of the run: saved, and resumed with it.
        QTemporaryDir dir;
        const std::string path = dir.filePath("bf16.ebm").toStdString();
        reduced.saveCheckpoint(path);
        const Checkpoint saved = loadCheckpoint(path);
        QVERIFY(saved.train.precision == Precision::BFloat16);
        Trainer resumed(saved, data);
        QVERIFY(resumed.config().precision == Precision::BFloat16);
    }

    void progressEventsRoundTripThroughTheirJsonLines()
    {
        // `ebm train --progress-json` is read by other programs: names and order stay as they are.
        const TrainStartEvent start{"mlp 2x8 (2D, quadratic head)", "toy:moons", 20000, 5, 100, 16, 2,
                                    "/tmp/a run.ebm"};
        QCOMPARE(toJsonLine(start), std::string(R"j({"event":"start","model":"mlp 2x8 (2D, quadratic head)",)j"
                                                R"j("dataset":"toy:moons","items":20000,"start_step":5,)j"
                                                R"j("total_steps":100,"batch":16,"ranks":2,)j"
                                                R"j("checkpoint":"/tmp/a run.ebm"})j"));
        const TrainStepEvent step{7, 0.125, 0.25, 1e-4, 12.5, 3.0};
        QCOMPARE(toJsonLine(step), std::string(R"({"event":"step","step":7,"loss":0.125,"smoothed":0.25,)"
                                               R"("lr":0.0001,"steps_per_s":12.5,"eta_s":3.0})"));
        const TrainCheckpointEvent checkpoint{10, "r\u00e9sum\u00e9/\"q\".ebm"};
        QCOMPARE(toJsonLine(TrainCheckpointEvent{10, "m.ebm"}),
                 std::string(R"({"event":"checkpoint","step":10,"path":"m.ebm"})"));
        const TrainEndEvent end{12, true, "m.ebm"};
        QCOMPARE(toJsonLine(end), std::string(R"({"event":"end","step":12,"interrupted":true,"path":"m.ebm"})"));

        checkParsesBack(toJsonLine(start), start);
        checkParsesBack(toJsonLine(step) + "\n", step);  // as read, with its newline
        checkParsesBack(toJsonLine(checkpoint), checkpoint);
        checkParsesBack(toJsonLine(TrainProgressEvent(end)), end);
        if (QTest::currentTestFailed())
            return;

        // A diverged loss is written as null (JSON has no NaN) and read back as NaN.
        TrainStepEvent diverged = step;
        diverged.loss = std::numeric_limits<double>::quiet_NaN();
        QVERIFY(toJsonLine(diverged).find(R"("loss":null)") != std::string::npos);
        const auto d = parseProgressEvent(toJsonLine(diverged));
        QVERIFY(d && std::holds_alternative<TrainStepEvent>(*d));
        QVERIFY(std::isnan(std::get<TrainStepEvent>(*d).loss));
        QCOMPARE(std::get<TrainStepEvent>(*d).smoothedLoss, step.smoothedLoss);

        // Anything else is not an event, and never an exception.
        for (const char* line : {"", "not json", "[hi] ebm train: a log line", R"({"event":"step")", "[1,2]", "42",
                                 R"({"event":"pause","step":3})", R"({"step":3})", R"({"event":7})",
                                 "\xff\xfe{", R"({"event":"end"} trailing)"})
            QVERIFY2(!parseProgressEvent(line), line);
    }

    void precisionsAreRefusedWhereTheyCannotRun()
    {
        TrainConfig config;
        config.batchSize = 8;
        config.precision = Precision::TF32;
        try {
            Trainer trainer(mlp(), config, mixture(64, 1));
            QFAIL("tf32 was accepted on the CPU");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("tf32") && QString(e.what()).contains("use float32"), e.what());
        }
        QVERIFY(parsePrecision("fp32") == Precision::Float32);
        QVERIFY(parsePrecision("bfloat16") == Precision::BFloat16);
        QCOMPARE(toString(parsePrecision(toString(Precision::TF32))), std::string("tf32"));
        QVERIFY_THROWS_EXCEPTION(Error, parsePrecision("fp16"));
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer.moc"
