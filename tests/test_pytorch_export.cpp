// PyTorch export: the written state_dict has exactly the reference code's keys and shapes (the
// fixture saved by that code is the judge), Python's dict layout, and comes back with identical
// weights and energies for every architecture.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <filesystem>

#include "ebm/base/error.h"
#include "ebm/nn/model.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/pytorch_export.h"
#include "ebm/io/pytorch_import.h"

using namespace ebm;

namespace {

const std::string kReference = std::string(EBM_FIXTURES_DIR) + "/reference-res12-c8.pt";

void expectSameKeysAndShapes(const std::map<std::string, torch::Tensor>& got,
                             const std::map<std::string, torch::Tensor>& expected)
{
    QCOMPARE(got.size(), expected.size());
    for (const auto& [name, tensor] : expected) {
        auto it = got.find(name);
        QVERIFY2(it != got.end(), ("missing key " + name).c_str());
        QVERIFY2(it->second.sizes() == tensor.sizes(), ("shape of " + name).c_str());
    }
}

Checkpoint checkpointOf(EnergyNetImpl& net, const std::string& source)
{
    Checkpoint cp;
    cp.model = net.config();
    cp.weights = collectWeights(net);
    cp.sourcePath = source;
    return cp;
}

torch::Tensor energies(EnergyNetImpl& net, const torch::Tensor& x)
{
    torch::NoGradGuard noGrad;
    return net.forward(x);
}

}  // namespace

class TestPytorchExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keysAndShapesAreTheReferenceCodes()
    {
        const auto fixture = readPytorchStateDict(kReference);
        // A network built here, never saved by PyTorch, exports the fixture's exact layout.
        ModelConfig config = loadCheckpoint(kReference).model;
        torch::manual_seed(3);
        EnergyNet fresh = makeEnergyNet(config);
        expectSameKeysAndShapes(referenceStateDict(checkpointOf(*fresh, "fresh")), fixture);
        // And so does the fixture itself after import.
        expectSameKeysAndShapes(referenceStateDict(loadCheckpoint(kReference)), fixture);
    }

    void exportedFileReadsBackAsTheSameWeights()
    {
        QTemporaryDir dir;
        const std::string out = dir.filePath("exported.pt").toStdString();
        const Checkpoint reference = loadCheckpoint(kReference);
        writePytorchStateDict(referenceStateDict(reference), out);
        QVERIFY(!std::filesystem::exists(out + ".partial"));
        QVERIFY(looksLikeZip(out));

        // Read by the same reader that opens files saved by Python's torch.save.
        const auto back = readPytorchStateDict(out);
        const auto fixture = readPytorchStateDict(kReference);
        expectSameKeysAndShapes(back, fixture);
        // Tensor for tensor, the LayerNorms the network does not use included.
        for (const auto& [name, tensor] : fixture)
            QVERIFY2(torch::equal(back.at(name), tensor), name.c_str());

        const Checkpoint reopened = loadCheckpoint(out);
        QCOMPARE(reopened.format, std::string("pytorch-state-dict"));
        QVERIFY(reopened.model == reference.model);
        const torch::Tensor x = torch::rand({3, 1, 32, 32});
        QVERIFY(torch::equal(energies(*instantiate(reopened), x), energies(*instantiate(reference), x)));
    }

    void everyArchitectureRoundTrips_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("size");
        QTest::newRow("res6-4 gray 32") << "res6" << 4 << 1 << 32;
        QTest::newRow("res12-6 rgb 32") << "res12" << 6 << 3 << 32;
        QTest::newRow("res18-4 gray 28") << "res18" << 4 << 1 << 28;
        QTest::newRow("res12-4 linear head 64") << "res12" << 4 << 1 << 64;
        QTest::newRow("mlp 2d") << "mlp" << 16 << 0 << 0;
    }

    void everyArchitectureRoundTrips()
    {
        QFETCH(QString, arch);
        QFETCH(int, width);
        QFETCH(int, channels);
        QFETCH(int, size);
        ModelConfig config;
        if (arch == "mlp") {
            config = ModelConfig::mlp(2, width, 3);
        } else {
            config.arch = parseArchitecture(arch.toStdString());
            config.baseWidth = width;
            config.inChannels = channels;
            config.imageSize = size;
            if (size == 64)
                config.head = HeadKind::Linear;
        }
        torch::manual_seed(11);
        EnergyNet net = makeEnergyNet(config);
        QTemporaryDir dir;
        const std::string out = dir.filePath("model.pt").toStdString();
        writePytorchStateDict(referenceStateDict(checkpointOf(*net, "net")), out);
        const Checkpoint back = loadCheckpoint(out);
        QVERIFY2(back.model == config, back.model.describe().c_str());
        std::vector<int64_t> shape{5};
        for (int64_t d : config.sampleShape())
            shape.push_back(d);
        const torch::Tensor x = torch::rand(shape);
        QVERIFY(torch::equal(energies(*instantiate(back), x), energies(*net, x)));
        // The LayerNorms the reference blocks hold unused are written as PyTorch initialises them.
        for (const auto& [name, normShape] : referenceUnusedNormShapes(config)) {
            const torch::Tensor t = readPytorchStateDict(out).at(name);
            QVERIFY(t.sizes() == c10::IntArrayRef(normShape));
            QCOMPARE(t.sum().item<double>(), name.find(".weight") != std::string::npos ? double(t.numel()) : 0.0);
        }
        if (config.isImageModel())
            QVERIFY(!referenceUnusedNormShapes(config).empty());
        else
            QVERIFY(referenceUnusedNormShapes(config).empty());
    }

    void averagedWeightsAreExportedUnlessRawAreAsked()
    {
        torch::manual_seed(5);
        EnergyNet net = makeEnergyNet(ModelConfig::mlp(2, 8, 2));
        Checkpoint cp = checkpointOf(*net, "net");
        for (const auto& [name, tensor] : cp.weights)
            cp.averagedWeights[name] = tensor + 1.0;
        const auto averaged = referenceStateDict(cp);
        const auto raw = referenceStateDict(cp, WeightChoice::Raw);
        for (const auto& [name, tensor] : cp.weights) {
            QVERIFY(torch::equal(raw.at(name), tensor));
            QVERIFY(torch::equal(averaged.at(name), tensor + 1.0));
        }
    }

    void unwritableTargetFailsInOneLine()
    {
        QTemporaryDir dir;
        const std::string out = dir.filePath("no/such/folder/model.pt").toStdString();
        try {
            writePytorchStateDict(referenceStateDict(loadCheckpoint(kReference)), out);
            QFAIL("wrote into a missing folder");
        } catch (const Error& e) {
            const std::string message = e.what();
            QVERIFY2(message.find("model.pt") != std::string::npos, message.c_str());
            QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
        }
        QVERIFY(!std::filesystem::exists(out + ".partial"));
    }
};

QTEST_APPLESS_MAIN(TestPytorchExport)
#include "test_pytorch_export.moc"
