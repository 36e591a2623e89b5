// Data-parallel training: the slices of a batch add up to the whole batch's loss and gradient;
// two ranks (threads over Gloo, and the ebm tool's processes) train to the weights of one rank;
// a two-rank checkpoint resumes on one rank; a rank that dies or was started with other
// settings ends the run with one clear line. Everything binds free ports on 127.0.0.1 only.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "ebm/base/error.h"
#include "ebm/io/checkpoint.h"
#include "ebm/train/distributed.h"
#include "ebm/train/mdsm.h"
#include "ebm/train/trainer.h"
#include "test_support.h"

using namespace ebm;

namespace {

constexpr double kWeightTolerance = 1e-5;     // relative, per tensor (the bound)
constexpr double kTestTimeoutSeconds = 5.0;   // --dist-timeout of the failure tests
constexpr int kProcessWaitMs = 120000;        // a whole tool run, start-up included
constexpr int kToolSteps = 20;

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

DistributedOptions rankOptions(int rank, int world, int port)
{
    DistributedOptions o;
    o.rank = rank;
    o.worldSize = world;
    o.masterPort = port;
    o.timeoutSeconds = 20.0;
    return o;
}

/// The largest relative difference ||a - b|| / ||b|| over the tensors of two weight maps.
double largestRelativeDifference(const std::map<std::string, torch::Tensor>& a,
                                 const std::map<std::string, torch::Tensor>& b)
{
    double worst = 0.0;
    for (const auto& [name, tensor] : b) {
        const torch::Tensor other = a.at(name).to(torch::kFloat64), reference = tensor.to(torch::kFloat64);
        const double scale = std::max(reference.norm().item<double>(), 1e-12);
        worst = std::max(worst, (other - reference).norm().item<double>() / scale);
    }
    return worst;
}

std::map<std::string, torch::Tensor> weightsOf(Trainer& trainer) { return collectWeights(*trainer.net()); }

TrainConfig tinyImageConfig()
{
    TrainConfig config;
    config.batchSize = 12;
    config.steps = kToolSteps;
    config.learningRate = 2e-3;
    config.cosineDecay = false;
    config.randomFlip = true;  // the flips must be the whole batch's too
    config.checkpointEvery = 0;
    config.seed = 7;
    return config;
}

ModelConfig tinyImageModel() { return testing::resNetConfig(Architecture::Res6, 4, 8); }

Dataset tinyImages()
{
    torch::manual_seed(3);
    Dataset d;
    d.data = torch::rand({40, 1, 8, 8});
    return d;
}

// --- the ebm tool as ranks -----------------------------------------------------------------

const QString kTool = EBM_TOOL;

QStringList toolTrainArguments(const QString& out, int steps)
{
    return {"train", "--data", "toy:moons:512", "--arch", "mlp", "--width", "16", "--layers", "2",
            "--batch", "64", "--steps", QString::number(steps), "--lr", "2e-3", "--lr-schedule", "constant",
            "--checkpoint-every", "0", "--threads", "1", "--out", out};
}

struct ToolRun {
    int exitCode = -1;
    QString errors;
};

ToolRun runTool(const QStringList& arguments, const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(kTool, arguments);
    ToolRun run;
    if (!process.waitForFinished(kProcessWaitMs)) {
        process.kill();
        process.waitForFinished();
        run.errors = "did not finish";
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.errors = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QProcessEnvironment rankEnvironment(int rank, int world, int port)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("RANK", QString::number(rank));
    environment.insert("WORLD_SIZE", QString::number(world));
    environment.insert("MASTER_ADDR", "127.0.0.1");
    environment.insert("MASTER_PORT", QString::number(port));
    return environment;
}

/// Waits until `process` has written `text` to stderr (collected into `seen`).
bool waitForOutput(QProcess& process, QString& seen, const QString& text, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!seen.contains(text) && timer.elapsed() < timeoutMs && process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(200);
        seen += QString::fromUtf8(process.readAllStandardError());
    }
    return seen.contains(text);
}

std::vector<pid_t> childrenOf(qint64 pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    std::vector<pid_t> children;
    for (pid_t child; in >> child;)
        children.push_back(child);
    return children;
}

}  // namespace

class TestDistributed : public QObject {
    Q_OBJECT
private:
    QTemporaryDir folder_;
    QString path(const QString& name) const { return folder_.filePath(name); }

private Q_SLOTS:
    void theRanksSlicesCoverTheBatchInOrder()
    {
        for (int world : {1, 2, 3, 5}) {
            int64_t next = 0;
            for (int rank = 0; rank < world; ++rank) {
                const RowSlice slice = rowsOfRank(7, rank, world);
                QCOMPARE(slice.begin, next);
                QVERIFY(slice.size() == 7 / world || slice.size() == 7 / world + 1);
                next = slice.end;
            }
            QCOMPARE(next, int64_t(7));
        }
    }

    void theSlicesLossesAndGradientsAddUpToTheWholeBatchs()
    {
        torch::manual_seed(11);
        // Double precision: the check is of the arithmetic, not of float32 summation order (which
        // the BLAS build decides).
        EnergyNet net = makeEnergyNet(ModelConfig::mlp(2, 16, 2));
        net->to(torch::kFloat64);
        torch::Tensor x = torch::randn({10, 2}).to(torch::kFloat64), noise = torch::randn({10, 2}).to(torch::kFloat64);
        NoiseConfig noiseConfig;
        noiseConfig.spread = NoiseSpread::Linear;  // every row a different sigma: the slices must keep theirs

        auto gradients = [&] {
            std::vector<torch::Tensor> g;
            for (const auto& p : net->parameters())
                g.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
            return g;
        };
        net->zero_grad();
        MdsmLoss whole = mdsmLoss(*net, x, noise, noiseConfig);
        whole.loss.backward();
        const std::vector<torch::Tensor> wholeGradients = gradients();

        net->zero_grad();
        double sliced = 0.0;
        for (const auto [begin, end] : {std::pair<int64_t, int64_t>{0, 3}, {3, 10}}) {
            MdsmLoss part = mdsmLossOfRows(*net, x.slice(0, begin, end), noise.slice(0, begin, end), noiseConfig, begin, 10);
            part.loss.backward();  // accumulates: the sum of the slices' gradients
            sliced += part.normalised;
        }
        QVERIFY2(std::abs(sliced - whole.normalised) < 1e-12 * std::abs(whole.normalised),
                 qPrintable(QString("slices %1, whole %2").arg(sliced).arg(whole.normalised)));
        const std::vector<torch::Tensor> slicedGradients = gradients();
        for (size_t i = 0; i < wholeGradients.size(); ++i)
            QVERIFY2(torch::allclose(slicedGradients[i], wholeGradients[i], 1e-10, 1e-14),
                     qPrintable(QString("parameter %1: largest difference %2").arg(i)
                                    .arg((slicedGradients[i] - wholeGradients[i]).abs().max().item<double>())));

        // Each slice computed as a batch of its own (its own sigmas, its own mean) is not the same.
        MdsmLoss naive = mdsmLoss(*net, x.slice(0, 3, 10), noise.slice(0, 3, 10), noiseConfig);
        MdsmLoss right = mdsmLossOfRows(*net, x.slice(0, 3, 10), noise.slice(0, 3, 10), noiseConfig, 3, 10);
        QVERIFY2(std::abs(naive.normalised * 7.0 / 10.0 - right.normalised) > 1e-3 * std::abs(right.normalised),
                 qPrintable(QString("naive %1, right %2").arg(naive.normalised).arg(right.normalised)));
    }

    void theLauncherVariablesAndMasterAreReadOrRefused()
    {
        DistributedOptions o;
        parseMasterAddress("10.1.2.3:1234", o);
        QCOMPARE(o.masterAddress, std::string("10.1.2.3"));
        QCOMPARE(o.masterPort, 1234);
        for (const char* bad : {"10.1.2.3", "host:", ":80", "host:0", "host:70000", "host:12x"})
            QVERIFY_THROWS_EXCEPTION(Error, parseMasterAddress(bad, o));

        ::setenv("WORLD_SIZE", "4", 1);
        ::setenv("RANK", "3", 1);
        ::setenv("MASTER_PORT", "4567", 1);
        o = distributedOptionsFromEnvironment();
        QCOMPARE(o.worldSize, 4);
        QCOMPARE(o.rank, 3);
        QCOMPARE(o.masterPort, 4567);
        ::setenv("RANK", "three", 1);
        try {
            distributedOptionsFromEnvironment();
            QFAIL("RANK=three was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("RANK") != std::string::npos, e.what());
        }
        for (const char* name : {"WORLD_SIZE", "RANK", "MASTER_PORT"})
            ::unsetenv(name);

        o = DistributedOptions();
        o.worldSize = 2;
        o.rank = 2;
        QVERIFY_THROWS_EXCEPTION(Error, validate(o));
        o.rank = 1;
        o.backend = "mpi";
        QVERIFY_THROWS_EXCEPTION(Error, validate(o));
        o.backend = "gloo";
        o.timeoutSeconds = 0;
        QVERIFY_THROWS_EXCEPTION(Error, validate(o));
    }

    void twoThreadRanksSumAcrossBucketsAndDtypes()
    {
        const int port = freePort();
        auto rankWork = [port](int rank) {
            auto group = Distributed::join(rankOptions(rank, 2, port));
            // Two dtypes and a non-contiguous tensor: three buckets, copied back in place.
            torch::Tensor a = torch::full({3, 4}, float(rank + 1)), b = torch::full({5}, double(10 * (rank + 1)));
            torch::Tensor c = torch::arange(6, torch::kFloat32).view({2, 3}).t() * float(rank + 1);
            group->sumInPlace({a, b, c}, "the test tensors");
            return std::vector<torch::Tensor>{a, b, c};
        };
        auto other = std::async(std::launch::async, rankWork, 1);
        const std::vector<torch::Tensor> mine = rankWork(0);
        const std::vector<torch::Tensor> theirs = other.get();
        for (const auto& result : {mine, theirs}) {
            QVERIFY(torch::equal(result[0], torch::full({3, 4}, 3.0f)));
            QVERIFY(torch::equal(result[1], torch::full({5}, 30.0, torch::kFloat64)));
            QVERIFY(torch::equal(result[2], torch::arange(6, torch::kFloat32).view({2, 3}).t() * 3.0f));
        }
    }

    void twoThreadRanksTrainToTheOneRankWeights()
    {
        Trainer single(tinyImageModel(), tinyImageConfig(), tinyImages());
        single.run();

        // Built one after the other: the weight initialisation draws from the global generator.
        Trainer rank0(tinyImageModel(), tinyImageConfig(), tinyImages());
        Trainer rank1(tinyImageModel(), tinyImageConfig(), tinyImages());
        const int port = freePort();
        auto train = [port](Trainer* trainer, int rank) {
            trainer->setDistributed(Distributed::join(rankOptions(rank, 2, port)));
            trainer->run();
        };
        auto other = std::async(std::launch::async, train, &rank1, 1);
        train(&rank0, 0);
        other.get();

        const double difference = largestRelativeDifference(weightsOf(rank0), weightsOf(single));
        qInfo("two thread ranks against one: largest relative weight difference %g", difference);
        QVERIFY2(difference < kWeightTolerance, qPrintable(QString("relative difference %1").arg(difference)));
        QVERIFY(largestRelativeDifference(weightsOf(rank1), weightsOf(rank0)) == 0.0);  // one Adam step everywhere

        // The comparison can fail: without the flips (other rows seen) the weights differ.
        TrainConfig unflipped = tinyImageConfig();
        unflipped.randomFlip = false;
        Trainer different(tinyImageModel(), unflipped, tinyImages());
        different.run();
        QVERIFY(largestRelativeDifference(weightsOf(different), weightsOf(single)) > 100 * kWeightTolerance);
    }

    void ranksWithDifferentSettingsAreRefusedOnEveryRank()
    {
        TrainConfig other = tinyImageConfig();
        other.batchSize = 10;
        Trainer rank0(tinyImageModel(), tinyImageConfig(), tinyImages());
        Trainer rank1(tinyImageModel(), other, tinyImages());
        const int port = freePort();
        auto start = [port](Trainer* trainer, int rank) -> std::string {
            try {
                trainer->setDistributed(Distributed::join(rankOptions(rank, 2, port)));
            } catch (const Error& e) {
                return e.what();
            }
            return "accepted";
        };
        auto second = std::async(std::launch::async, start, &rank1, 1);
        const std::string first = start(&rank0, 0);
        const std::string secondMessage = second.get();
        for (const std::string& message : {first, secondMessage})
            QVERIFY2(message.find("batch is 10 on rank 1 but 12 on rank 0") != std::string::npos, message.c_str());
    }

    void aBatchSmallerThanTheWorldIsRefused()
    {
        TrainConfig config = tinyImageConfig();
        config.batchSize = 1;
        Trainer trainer(tinyImageModel(), config, tinyImages());
        const int port = freePort();
        auto joinOther = std::async(std::launch::async, [port] { return Distributed::join(rankOptions(1, 2, port)); });
        auto group = Distributed::join(rankOptions(0, 2, port));
        joinOther.get();
        QVERIFY_THROWS_EXCEPTION(Error, trainer.setDistributed(group));
    }

    // --- the ebm tool: processes, the launcher, checkpoints --------------------------------

    void twoToolRanksEqualOneAndTheirCheckpointResumesOnOne()
    {
        QVERIFY(folder_.isValid());
        const ToolRun one = runTool(toolTrainArguments(path("one.ebm"), kToolSteps));
        QVERIFY2(one.exitCode == 0, qPrintable(one.errors));
        ToolRun two = runTool(toolTrainArguments(path("two.ebm"), kToolSteps) << "--nproc" << "2" << "--log-every" << "5");
        QVERIFY2(two.exitCode == 0, qPrintable(two.errors));
        QVERIFY2(two.errors.contains("data-parallel over 2 ranks (gloo)"), qPrintable(two.errors));
        QVERIFY2(two.errors.contains("images/s"), qPrintable(two.errors));
        const Checkpoint a = loadCheckpoint(path("one.ebm").toStdString());
        const Checkpoint b = loadCheckpoint(path("two.ebm").toStdString());
        QCOMPARE(b.step, int64_t(kToolSteps));
        const double difference = largestRelativeDifference(b.weights, a.weights);
        qInfo("two tool ranks against one: largest relative weight difference %g", difference);
        QVERIFY2(difference < kWeightTolerance, qPrintable(QString("relative difference %1").arg(difference)));

        // Half the run on two ranks, the rest on one, ends where the uninterrupted run ends.
        two = runTool(toolTrainArguments(path("half.ebm"), kToolSteps / 2) << "--nproc" << "2");
        QVERIFY2(two.exitCode == 0, qPrintable(two.errors));
        const ToolRun resumed = runTool({"train", "--resume", path("half.ebm"), "--steps", QString::number(kToolSteps),
                                         "--threads", "1", "--out", path("resumed.ebm")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.errors));
        const Checkpoint c = loadCheckpoint(path("resumed.ebm").toStdString());
        QCOMPARE(c.step, int64_t(kToolSteps));
        const double resumedDifference = largestRelativeDifference(c.weights, a.weights);
        QVERIFY2(resumedDifference < kWeightTolerance, qPrintable(QString("relative difference %1").arg(resumedDifference)));
        const Checkpoint half = loadCheckpoint(path("half.ebm").toStdString());
        QVERIFY(largestRelativeDifference(half.weights, a.weights) > 100 * kWeightTolerance);
    }

    void toolRanksWithDifferentOptionsAreRefusedAtStart()
    {
        const int port = freePort();
        QProcess rank0, rank1;
        rank0.setProcessEnvironment(rankEnvironment(0, 2, port));
        rank1.setProcessEnvironment(rankEnvironment(1, 2, port));
        QStringList other = toolTrainArguments(path("never1.ebm"), kToolSteps);
        other[other.indexOf("--lr") + 1] = "1e-3";
        rank0.start(kTool, toolTrainArguments(path("never0.ebm"), kToolSteps) << "--dist-timeout" << "20");
        rank1.start(kTool, other << "--dist-timeout" << "20");
        QVERIFY(rank0.waitForFinished(kProcessWaitMs) && rank1.waitForFinished(kProcessWaitMs));
        for (QProcess* rank : {&rank0, &rank1}) {
            const QString errors = QString::fromUtf8(rank->readAllStandardError());
            QCOMPARE(rank->exitCode(), 1);
            QVERIFY2(errors.contains("learning rate is 0.001 constant 1e-06 on rank 1 but 0.002") && errors.contains("on rank 1 but") &&
                         errors.contains("start every rank with the same options"),
                     qPrintable(errors));
        }
        QVERIFY(!QFile::exists(path("never0.ebm")));
    }

    void killingARankEndsTheOtherWithinTheTimeout()
    {
        const int port = freePort();
        QProcess rank0, rank1;
        rank0.setProcessEnvironment(rankEnvironment(0, 2, port));
        rank1.setProcessEnvironment(rankEnvironment(1, 2, port));
        const QStringList arguments = toolTrainArguments(path("killed.ebm"), 1000000)
                                      << "--log-every" << "1" << "--dist-timeout" << QString::number(kTestTimeoutSeconds);
        rank0.start(kTool, arguments);
        rank1.start(kTool, arguments);
        QString seen;
        QVERIFY2(waitForOutput(rank0, seen, "step 3/", kProcessWaitMs), qPrintable(seen));
        ::kill(static_cast<pid_t>(rank1.processId()), SIGKILL);
        QElapsedTimer ending;
        ending.start();
        QVERIFY(rank0.waitForFinished(static_cast<int>(kTestTimeoutSeconds * 1000 * 3)));
        QVERIFY(ending.elapsed() < kTestTimeoutSeconds * 1000 * 2);
        rank1.waitForFinished();
        seen += QString::fromUtf8(rank0.readAllStandardError());
        QCOMPARE(rank0.exitCode(), 1);
        QVERIFY2(seen.contains("rank 0 of 2: the all-reduce of step") && seen.contains("another rank stopped"),
                 qPrintable(seen));
    }

    void theLauncherNamesTheRankThatDied()
    {
        QProcess launcher;
        launcher.start(kTool, toolTrainArguments(path("launched.ebm"), 1000000)
                                  << "--nproc" << "2" << "--log-every" << "1" << "--dist-timeout"
                                  << QString::number(kTestTimeoutSeconds));
        QString seen;
        QVERIFY2(waitForOutput(launcher, seen, "step 3/", kProcessWaitMs), qPrintable(seen));
        const std::vector<pid_t> ranks = childrenOf(launcher.processId());
        QCOMPARE(ranks.size(), size_t(2));  // started in rank order
        ::kill(ranks[1], SIGKILL);
        QVERIFY(launcher.waitForFinished(static_cast<int>(kTestTimeoutSeconds * 1000 * 3)));
        seen += QString::fromUtf8(launcher.readAllStandardError());
        QCOMPARE(launcher.exitCode(), 1);
        QVERIFY2(seen.contains("ebm train: rank 1 of 2 was killed by signal 9"), qPrintable(seen));
        QVERIFY2(seen.contains("the other ranks were stopped"), qPrintable(seen));
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "test_distributed.moc"
