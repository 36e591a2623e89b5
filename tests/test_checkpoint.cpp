// Checkpoints: the reference PyTorch fixture reproduces its published energies; native files
// round-trip everything; bad files fail with one clear line and never crash.
#include <QtTest/QtTest>
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "ebm/base/error.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
#include "ebm/io/pytorch_export.h"
#include "ebm/io/pytorch_import.h"
#include "ebm/train/trainer.h"

using namespace ebm;

namespace {

const std::string kFixtures = EBM_FIXTURES_DIR;
const std::string kReference = kFixtures + "/reference-res12-c8.pt";

// Published by the reference PyTorch code (reference-res12-c8.json).
const double kEnergies[] = {-28.059040069580078, -78.72457885742188, -123.25360870361328, -165.02468872070312};
const double kGradNorms[] = {100.76671600341797, 95.54190826416016, 91.46060943603516, 92.5183334350586};
const double kDenoisedMeans[] = {0.5057805776596069, 0.5124485492706299, 0.5178777575492859, 0.5210373401641846};
constexpr double kRelativeTolerance = 1e-4;

torch::Tensor referenceInputs()
{
    // The fixture's own formula, so the test does not depend on the .npy reader.
    torch::Tensor x = torch::empty({4, 1, 32, 32});
    auto a = x.accessor<float, 4>();
    for (int n = 0; n < 4; ++n)
        for (int h = 0; h < 32; ++h)
            for (int w = 0; w < 32; ++w)
                a[n][0][h][w] = static_cast<float>(0.5 + 0.5 * std::sin(0.37 * (n + 1) + 0.21 * h - 0.17 * w + 0.013 * h * w));
    return x;
}

void expectReferenceValues(EnergyNetImpl& net)
{
    EnergyAndGrad eg = energyAndGrad(net, referenceInputs());
    torch::Tensor denoised = referenceInputs() - 0.01 * eg.grad;
    for (int i = 0; i < 4; ++i) {
        const double e = eg.energy[i].item<double>();
        const double g = eg.grad[i].norm().item<double>();
        const double d = denoised[i].mean().item<double>();
        QVERIFY2(std::abs(e - kEnergies[i]) <= kRelativeTolerance * std::abs(kEnergies[i]),
                 qPrintable(QString("energy %1: %2 vs %3").arg(i).arg(e).arg(kEnergies[i])));
        QVERIFY2(std::abs(g - kGradNorms[i]) <= kRelativeTolerance * kGradNorms[i],
                 qPrintable(QString("grad norm %1: %2 vs %3").arg(i).arg(g).arg(kGradNorms[i])));
        QVERIFY2(std::abs(d - kDenoisedMeans[i]) <= kRelativeTolerance * kDenoisedMeans[i],
                 qPrintable(QString("denoised mean %1: %2 vs %3").arg(i).arg(d).arg(kDenoisedMeans[i])));
    }
}

void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Runs loadCheckpoint and expects one ebm::Error line that names the file.
void expectCleanFailure(const std::string& path, const std::string& name)
{
    try {
        Checkpoint cp = loadCheckpoint(path);
        instantiate(cp);
        QFAIL(qPrintable(QString::fromStdString(name + ": loaded without error")));
    } catch (const Error& e) {
        const std::string message = e.what();
        QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
        QVERIFY2(message.find(std::filesystem::path(path).filename().string()) != std::string::npos, message.c_str());
    }
}

Dataset toyData()
{
    Dataset d;
    d.data = torch::randn({256, 2});
    return d;
}

ModelConfig tinyMlp() { return ModelConfig::mlp(2, 16, 2); }

/// Flips `count` bytes of `file` at `offset` past the first occurrence of `needle` (the raw bytes
/// of a record): the damage a bad disk or a careless edit does, with the zip container intact.
void flipBytesOf(const std::string& file, const std::string& needle, size_t offset, size_t count)
{
    std::string bytes = readBytes(file);
    const size_t at = bytes.find(needle);
    QVERIFY2(at != std::string::npos, "the record's bytes are not stored as they are");
    QVERIFY(at + offset + count <= bytes.size());
    for (size_t i = 0; i < count; ++i)
        bytes[at + offset + i] = static_cast<char>(bytes[at + offset + i] ^ 0x5A);
    writeBytes(file, bytes);
}

/// Rewrites a weights-only native file through LibTorch's own writer, so that the zip is
/// consistent, with weight record `index` changed by four bytes and everything else (the record
/// checksums included) as it was: what a careless tool or a deliberate edit leaves.
void rewriteWithChangedWeight(const std::string& path, int index)
{
    torch::serialize::InputArchive in;
    in.load_from(path);
    torch::serialize::OutputArchive out;
    for (const char* key : {"ebm_format", "model", "weight_names", "has_averaged", "has_training", "checksums"}) {
        c10::IValue value;
        QVERIFY2(in.try_read(key, value), key);
        out.write(key, value);
    }
    c10::IValue names;
    in.try_read("weight_names", names);
    const auto count = std::count(names.toStringRef().begin(), names.toStringRef().end(), '\n');
    for (int i = 0; i < count; ++i) {
        torch::Tensor t;
        QVERIFY(in.try_read("w" + std::to_string(i), t));
        if (i == index) {
            t = t.clone();
            auto* bytes = static_cast<unsigned char*>(t.data_ptr());
            for (int b = 0; b < 4; ++b)
                bytes[40 + b] ^= 0x5A;
        }
        out.write("w" + std::to_string(i), t);
    }
    out.save_to(path + ".rewritten");
    std::filesystem::rename(path + ".rewritten", path);
}

std::string rawBytes(const torch::Tensor& tensor)
{
    const torch::Tensor t = tensor.contiguous();
    return std::string(static_cast<const char*>(t.data_ptr()), static_cast<size_t>(t.numel()) * t.element_size());
}

/// Damage is caught by the zip's CRCs (what a flipped bit on disk trips) or, when those were
/// made consistent, by the checkpoint's own record checksums.
void expectChecksumFailure(const std::string& path, const char* expected = "fails its CRC check")
{
    try {
        loadCheckpoint(path);
        QFAIL("a damaged record loaded without a word");
    } catch (const Error& e) {
        const std::string message = e.what();
        QVERIFY2(message.find(expected) != std::string::npos, message.c_str());
        QVERIFY2(message.find(std::filesystem::path(path).filename().string()) != std::string::npos, message.c_str());
        QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
    }
}

}  // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(std::filesystem::exists(kReference),
                 qPrintable(QString::fromStdString(kReference) + " is missing: the fixture lives in tests/data"));
    }

    void historyCountsTheStepsBeforeAFineTune()
    {
        QCOMPARE(stepsBeforeThisRun(""), int64_t(0));
        QCOMPARE(stepsBeforeThisRun("step 5000: --lr 0.0001 -> 5e-05"), int64_t(0));
        const std::string first = fineTuneHistoryEntry("base.ebm", 10000);
        QCOMPARE(first, std::string("fine-tuned from base.ebm, which had 10000 steps"));
        QCOMPARE(stepsBeforeThisRun(first), int64_t(10000));
        // A second fine-tune's entry counts the first one's steps too; the last entry wins.
        const std::string both = appendHistory(appendHistory(first, "step 3: --lr 1 -> 2"),
                                               fineTuneHistoryEntry("ft.ebm", 26000));
        QCOMPARE(both, first + "; step 3: --lr 1 -> 2; fine-tuned from ft.ebm, which had 26000 steps");
        QCOMPARE(stepsBeforeThisRun(both), int64_t(26000));
        // A file name cannot break the history into lines or entries.
        QCOMPARE(fineTuneHistoryEntry("a;b\nc.ebm", 1), std::string("fine-tuned from a b c.ebm, which had 1 steps"));
        QCOMPARE(stepsBeforeThisRun("fine-tuned from x, which had 12 apples"), int64_t(0));
    }

    void referenceFixtureMatchesPyTorch()
    {
        Checkpoint cp = loadCheckpoint(kReference);
        QVERIFY(cp.model.arch == Architecture::Res12);
        QCOMPARE(cp.model.inChannels, 1);
        QCOMPARE(cp.model.baseWidth, 8);
        QCOMPARE(cp.model.imageSize, 32);
        QVERIFY(cp.model.head == HeadKind::Quadratic);
        QVERIFY(!cp.hasTraining);
        EnergyNet net = instantiate(cp);
        expectReferenceValues(*net);
    }

    void dataParallelPrefixIsStripped()
    {
        Checkpoint cp = loadCheckpoint(std::string(EBM_SOURCE_DIR) + "/tests/data/reference-res12-c8-dataparallel.pt");
        QVERIFY(cp.weights.count("conv1.conv.weight") == 1);
        EnergyNet net = instantiate(cp);
        expectReferenceValues(*net);
    }

    void nativeRoundTripKeepsEverything()
    {
        QTemporaryDir dir;
        Checkpoint cp = loadCheckpoint(kReference);
        EnergyNet net = instantiate(cp);
        Checkpoint native;
        native.model = cp.model;
        native.weights = collectWeights(*net);
        native.hasTraining = true;
        native.train.dataset = "fashion-mnist";
        native.train.learningRate = 3e-4;
        native.train.noise.spread = NoiseSpread::Linear;
        native.step = 1234;
        native.lossHistory = {3.0f, 2.5f, 2.25f};
        native.optimizerState = std::string("\0\1\2opaque", 9);
        native.rngState = "counter";
        const std::string path = dir.filePath("model.ebm").toStdString();
        saveCheckpoint(native, path);
        QVERIFY(!std::filesystem::exists(path + ".partial"));

        Checkpoint back = loadCheckpoint(path);
        QCOMPARE(back.format, std::string("ebm-native-1"));
        QVERIFY(back.model == cp.model);
        QVERIFY(back.hasTraining);
        QCOMPARE(back.step, int64_t(1234));
        QCOMPARE(back.train.learningRate, 3e-4);
        QVERIFY(back.train.noise.spread == NoiseSpread::Linear);
        QCOMPARE(back.train.dataset, std::string("fashion-mnist"));
        QCOMPARE(back.lossHistory, native.lossHistory);
        QCOMPARE(back.optimizerState, native.optimizerState);
        QCOMPARE(back.weights.size(), native.weights.size());
        for (const auto& [name, t] : native.weights)
            QVERIFY(torch::equal(back.weights.at(name), t));
        expectReferenceValues(*instantiate(back));
    }

    void savingOverAFileReplacesItWhole()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.ebm").toStdString();
        Checkpoint cp = loadCheckpoint(kReference);
        saveCheckpoint(cp, path);
        const auto firstSize = std::filesystem::file_size(path);
        cp.hasTraining = true;
        cp.lossHistory.assign(1000, 1.0f);
        saveCheckpoint(cp, path);
        QVERIFY(std::filesystem::file_size(path) > firstSize);
        QCOMPARE(loadCheckpoint(path).lossHistory.size(), size_t(1000));
        // A save into a folder that does not exist fails cleanly and leaves nothing behind.
        const std::string missing = dir.filePath("no/such/folder/model.ebm").toStdString();
        QVERIFY_THROWS_EXCEPTION(Error, saveCheckpoint(cp, missing));
        QVERIFY(!std::filesystem::exists(missing + ".partial"));
    }

    void badFilesFailCleanly()
    {
        QTemporaryDir dir;
        auto at = [&](const char* name) { return dir.filePath(name).toStdString(); };
        expectCleanFailure(at("missing.pt"), "missing file");
        writeBytes(at("empty.pt"), "");
        expectCleanFailure(at("empty.pt"), "empty file");
        writeBytes(at("text.pt"), "this is not a checkpoint\n");
        expectCleanFailure(at("text.pt"), "text file");
        std::string random(4096, '\0');
        for (size_t i = 0; i < random.size(); ++i)
            random[i] = static_cast<char>((i * 2654435761u) >> 13);
        writeBytes(at("random.pt"), "PK\x03\x04" + random);
        expectCleanFailure(at("random.pt"), "random bytes after a zip magic");

        const std::string reference = readBytes(kReference);
        for (double fraction : {0.1, 0.5, 0.9, 0.999}) {
            const std::string name = "truncated-" + std::to_string(int(fraction * 1000)) + ".pt";
            writeBytes(at(name.c_str()), reference.substr(0, size_t(reference.size() * fraction)));
            expectCleanFailure(at(name.c_str()), name);
        }

        // A native file cut short.
        const std::string native = at("native.ebm");
        saveCheckpoint(loadCheckpoint(kReference), native);
        const std::string bytes = readBytes(native);
        writeBytes(at("native-cut.ebm"), bytes.substr(0, bytes.size() / 2));
        expectCleanFailure(at("native-cut.ebm"), "truncated native file");
    }

    void fuzzFindingsFailCleanly()
    {
        // Inputs the fuzzer (tests/fuzz, ./dev fuzz) found; tests/data/README.md says what each did.
        const std::filesystem::path folder = kFixtures + "/fuzz-regressions";
        int checked = 0;
        for (const auto& entry : std::filesystem::directory_iterator(folder)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("checkpoint-", 0) != 0) continue;
            expectCleanFailure(entry.path().string(), name);
            ++checked;
        }
        QVERIFY2(checked > 0, "no tests/data/fuzz-regressions/checkpoint-* inputs");
    }

    void flippedBytesInAWeightAreCaught()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.ebm").toStdString();
        const Checkpoint cp = loadCheckpoint(kReference);
        saveCheckpoint(cp, path);
        loadCheckpoint(path);  // intact: loads
        const torch::Tensor& weight = cp.weights.at("rbc3.conv_1.conv.weight");
        flipBytesOf(path, rawBytes(weight).substr(0, 64), 1000, 4);
        expectChecksumFailure(path);
        // The same damage in a zip whose CRCs were made consistent: the record checksum.
        saveCheckpoint(cp, path);
        rewriteWithChangedWeight(path, 5);
        expectChecksumFailure(path, "does not match its checksum");
    }

    void flippedBytesInTheOptimizerStateAreCaught()
    {
        QTemporaryDir dir;
        TrainConfig config;
        config.batchSize = 32;
        config.steps = 3;
        torch::manual_seed(0);
        Trainer trainer(tinyMlp(), config, toyData());
        trainer.run();
        const std::string path = dir.filePath("run.ebm").toStdString();
        trainer.saveCheckpoint(path);
        const std::string optimizer = loadCheckpoint(path).optimizerState;
        QVERIFY(optimizer.size() > 400);
        flipBytesOf(path, optimizer.substr(optimizer.size() / 2, 64), 100, 4);
        expectChecksumFailure(path);
    }

    void averagedWeightsRoundTrip()
    {
        QTemporaryDir dir;
        torch::manual_seed(2);
        EnergyNet net = makeEnergyNet(tinyMlp());
        Checkpoint cp;
        cp.model = tinyMlp();
        cp.weights = collectWeights(*net);
        for (const auto& [name, t] : cp.weights)
            cp.averagedWeights[name] = t * 0.5;
        cp.hasTraining = true;
        cp.train.emaDecay = 0.999;
        const std::string path = dir.filePath("ema.ebm").toStdString();
        saveCheckpoint(cp, path);
        const Checkpoint back = loadCheckpoint(path);
        QVERIFY(back.hasAveragedWeights);
        QCOMPARE(back.train.emaDecay, 0.999);
        for (const auto& [name, t] : cp.averagedWeights)
            QVERIFY(torch::equal(back.averagedWeights.at(name), t));
        // Sampling wants the average, resuming the raw weights.
        auto averaged = collectWeights(*instantiate(back, WeightChoice::PreferAveraged));
        auto raw = collectWeights(*instantiate(back));
        for (const auto& [name, t] : cp.weights) {
            QVERIFY(torch::equal(averaged.at(name), t * 0.5));
            QVERIFY(torch::equal(raw.at(name), t));
        }
        // A damaged average is caught like a damaged weight.
        flipBytesOf(path, rawBytes(cp.averagedWeights.at("fc1.weight")).substr(0, 64), 8, 4);
        expectChecksumFailure(path);
    }

    /// A full disk while saving: one clear error, no crash (LibTorch's zip writer used to throw
    /// from a destructor and abort), no .partial file left to trip the next run, the old file kept.
    void fullDiskFailsCleanlyAndKeepsTheOldFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.ebm").toStdString();
        const Checkpoint cp = loadCheckpoint(kReference);
        saveCheckpoint(cp, path);
        const std::string before = readBytes(path);
        // A file-size limit stands in for a full disk: the write fails part way (a link planted at
        // a temporary name, the earlier way to fake it, is never followed now).
        rlimit limit{};
        QCOMPARE(::getrlimit(RLIMIT_FSIZE, &limit), 0);
        rlimit small = limit;
        small.rlim_cur = 4096;
        const auto previousHandler = ::signal(SIGXFSZ, SIG_IGN);
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        std::string message = "saved onto a full disk";
        try {
            saveCheckpoint(cp, path);
        } catch (const Error& e) {
            message = e.what();
        }
        ::setrlimit(RLIMIT_FSIZE, &limit);
        ::signal(SIGXFSZ, previousHandler);
        QVERIFY2(message.find("disk has space") != std::string::npos, message.c_str());
        // Nothing left beside the old file, which is intact.
        QCOMPARE(std::distance(std::filesystem::directory_iterator(dir.path().toStdString()), {}), 1);
        QCOMPARE(readBytes(path), before);
    }

    /// A weight record emptied or cut in half, the zip's CRCs made consistent (files kept in
    /// tests/data/damaged/): refused by the record-size check before LibTorch's reader, which
    /// trusts the sizes and read past the record (a crash, or garbage caught by the checksum).
    void shortenedRecordsAreRefusedBeforeLibTorchReadsThem()
    {
        for (const char* name : {"native-emptied-record.ebm", "native-shortened-record.ebm"}) {
            const std::string path = kFixtures + "/damaged/" + name;
            QVERIFY2(std::filesystem::exists(path), path.c_str());
            expectCleanFailure(path, name);
            try {
                loadCheckpoint(path);
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find("which does not fit its 64 elements") != std::string::npos, e.what());
            }
        }
    }

    /// Native files are read by the engine's own zip and pickle reader, not by LibTorch's module
    /// loader, which compiled the archive's TorchScript code and trusted its other pickles (a CI
    /// fuzz run found one more input that got past the checks made before it). This file's code
    /// and constants records are garbage (CRCs consistent): what a checkpoint needs still loads.
    void nativeFilesAreReadWithoutLibTorchsModuleLoader()
    {
        const std::string path = kFixtures + "/damaged/native-garbled-code.ebm";
        QVERIFY2(std::filesystem::exists(path), path.c_str());
        const Checkpoint cp = loadCheckpoint(path);
        QCOMPARE(cp.format, std::string(kNativeCheckpointFormat));
        QVERIFY(cp.model.arch == Architecture::Mlp);
        QCOMPARE(cp.model.hiddenWidth, 4);
        QCOMPARE(static_cast<int>(cp.weights.size()), 10);
        QCOMPARE(cp.weights.at("fc0.weight").sizes(), (torch::IntArrayRef{4, 2}));
        EnergyNet net = instantiate(cp, WeightChoice::PreferAveraged);
        QVERIFY(torch::isfinite(net->forward(torch::zeros({3, 2}))).all().item<bool>());
    }

    /// Sizes in a file are checked before anything is built from them.
    void absurdArchitecturesAreRefusedBeforeAllocating()
    {
        QTemporaryDir dir;
        // A .pt whose first layer has no filters (was a division by zero while inferring).
        const std::string empty = dir.filePath("width0.pt").toStdString();
        writePytorchStateDict({{"conv1.conv.weight", torch::zeros({0, 1, 3, 3})}, {"conv1.conv.bias", torch::zeros({0})}}, empty);
        try {
            loadCheckpoint(empty);
            QFAIL("a first layer without filters was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("conv1.conv.weight has shape [0, 1, 3, 3]") != std::string::npos, e.what());
        }
        // Native metadata beyond the limits, or naming another network than its weights, would
        // build a network of gigabytes before the weights are compared.
        Checkpoint cp = loadCheckpoint(kReference);
        cp.model.baseWidth = 4000;
        const std::string wide = dir.filePath("wide.ebm").toStdString();
        saveCheckpoint(cp, wide);
        try {
            loadCheckpoint(wide);
            QFAIL("a base width of 4000 was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("base width (filters of the first layer) 4000 is outside 1..512") != std::string::npos,
                     e.what());
        }
        cp.model.baseWidth = 256;
        saveCheckpoint(cp, wide);
        try {
            loadCheckpoint(wide);
            QFAIL("metadata of another width than the weights was accepted");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("the metadata describes a res12-256") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("weights are those of a res12-8") != std::string::npos, e.what());
        }
        Checkpoint mlp;
        mlp.model = ModelConfig::mlp(2, 16, 100000000);
        torch::manual_seed(1);
        mlp.weights = collectWeights(*makeEnergyNet(tinyMlp()));
        const std::string deep = dir.filePath("deep.ebm").toStdString();
        saveCheckpoint(mlp, deep);
        QVERIFY_THROWS_EXCEPTION(Error, loadCheckpoint(deep));
    }

    void weightsOfAnotherArchitectureAreRejected()
    {
        Checkpoint cp = loadCheckpoint(kReference);
        ModelConfig other = cp.model;
        other.baseWidth = 16;
        EnergyNet net = makeEnergyNet(other);
        const torch::Tensor before = net->named_parameters()["conv1.conv.weight"].clone();
        try {
            loadWeights(*net, cp.weights, "reference-res12-c8.pt");
            QFAIL("loaded width-8 weights into a width-16 network");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("shape") != std::string::npos);
        }
        // Nothing was copied: the network is untouched.
        QVERIFY(torch::equal(before, net->named_parameters()["conv1.conv.weight"]));

        other = cp.model;
        other.arch = Architecture::Res18;
        QVERIFY_THROWS_EXCEPTION(Error, loadWeights(*makeEnergyNet(other), cp.weights, "x.pt"));
    }

    void nonFiniteWeightsAreRefusedNamingTheWeight()
    {
        // Issue 10, finding 7: a file whose weights are already NaN (saved with valid checksums,
        // as a diverged run would) used to load, and `ebm energy` printed nan with exit status 0.
        Checkpoint cp = loadCheckpoint(kReference);
        cp.weights["rbc1.conv_2.conv.weight"][0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
        QTemporaryDir dir;
        const std::string path = dir.filePath("diverged.ebm").toStdString();
        saveCheckpoint(cp, path);
        const Checkpoint reopened = loadCheckpoint(path);  // the file itself is intact
        try {
            instantiate(reopened);
            QFAIL("a network was built from NaN weights");
        } catch (const Error& e) {
            const std::string message = e.what();
            QVERIFY2(message.find("diverged.ebm: weight '") != std::string::npos, message.c_str());
            QVERIFY2(message.find("' holds NaN or infinite values") != std::string::npos, message.c_str());
        }
    }

    void resumeIsExact()
    {
        QTemporaryDir dir;
        TrainConfig config;
        config.batchSize = 32;
        config.steps = 12;
        config.learningRate = 1e-3;
        config.noise.sigmaMin = 0.1;
        config.noise.sigmaMax = 1.0;
        config.seed = 9;
        torch::manual_seed(0);
        Dataset data = toyData();

        Trainer straight(tinyMlp(), config, data);
        straight.run();

        Trainer first(tinyMlp(), config, data);
        first.run([](const TrainProgress& p) { return p.step < 5; });  // stop as a user would
        const std::string path = dir.filePath("half.ebm").toStdString();
        first.saveCheckpoint(path);
        Checkpoint cp = loadCheckpoint(path);
        QCOMPARE(cp.step, int64_t(5));
        QCOMPARE(cp.train.steps, int64_t(12));
        Trainer resumed(cp, data);
        resumed.run();
        QCOMPARE(resumed.completedSteps(), int64_t(12));
        auto a = collectWeights(*straight.net());
        auto b = collectWeights(*resumed.net());
        for (const auto& [name, t] : a)
            QVERIFY2(torch::equal(t, b.at(name)), name.c_str());
        QCOMPARE(loadCheckpoint(path).lossHistory.size(), size_t(5));
    }

    /// Issue 24 (resume, finding 3): run settings a checkpoint stored broken (batch 0, sigma or
    /// learning rate NaN) are refused naming the file and the stored value; the trainer said only
    /// "the batch size must be at least 1".
    void brokenStoredRunSettingsNameTheFileAndTheValue()
    {
        auto refusal = [](const TrainConfig& config) {
            try {
                checkStoredTrainConfig(config, "dir/run.ebm");
            } catch (const Error& e) {
                return std::string(e.what());
            }
            return std::string();
        };
        QVERIFY(refusal(TrainConfig{}).empty());
        TrainConfig batch;
        batch.batchSize = 0;
        const std::string batchRefusal = refusal(batch);
        QVERIFY2(batchRefusal.rfind("dir/run.ebm: the stored training setting 'batch' is 0 (a batch holds at least "
                                    "1 item); the file's run settings are damaged, so the run cannot be resumed",
                                    0) == 0,
                 batchRefusal.c_str());
        TrainConfig sigma;
        sigma.noise.sigmaMax = std::nan("");
        QVERIFY2(refusal(sigma).rfind("dir/run.ebm: the stored training setting 'sigma_max' is nan (", 0) == 0,
                 refusal(sigma).c_str());
        TrainConfig rate;
        rate.learningRate = std::nan("");
        QVERIFY2(refusal(rate).rfind("dir/run.ebm: the stored training setting 'lr' is nan (", 0) == 0,
                 refusal(rate).c_str());
        TrainConfig beta;
        beta.beta2 = 1.0;
        QVERIFY2(refusal(beta).rfind("dir/run.ebm: the stored training setting 'beta2' is 1 (", 0) == 0,
                 refusal(beta).c_str());
    }

    /// Issue 24 (messages, finding 1): a file torch.save wrote in the pre-1.6 pickle format is
    /// named as such, with how to save it again; a zip file passes.
    void legacyTorchSaveFilesAreNamed()
    {
        QTemporaryDir dir;
        const std::string legacy = dir.filePath("old.pt").toStdString();
        std::ofstream(legacy, std::ios::binary) << std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8"
                                                               "\x50\x19\x2e", 15);
        try {
            refuseLegacyTorchSave(legacy);
            QFAIL("a legacy torch.save file passed");
        } catch (const Error& e) {
            const std::string message = e.what();
            QVERIFY2(message.rfind("old.pt: saved by torch.save in PyTorch's legacy format (before 1.6", 0) == 0 &&
                         message.find("torch.save(torch.load(\"old.pt\"), \"new.pt\")") != std::string::npos,
                     message.c_str());
        }
        refuseLegacyTorchSave(kReference);  // the zip format: no refusal
        const std::string pickle = dir.filePath("other.pkl").toStdString();
        std::ofstream(pickle, std::ios::binary) << std::string("\x80\x02}q\x00.", 6);  // a plain pickle
        refuseLegacyTorchSave(pickle);
    }
};

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
