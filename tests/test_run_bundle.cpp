// Run files (issue 27, part 4): a recorded run written as NAME.ebmrun and read back bit for bit,
// in arrays numpy reads as they are; a truncated array, arrays whose shapes disagree and claims
// beyond the caps refused in one line; an older run replaced whole, without leftovers; and no
// symbolic link followed: not at the names a writer might use for its temporary folder, not at
// the target, and no folder of someone else's files replaced.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "ebm/base/atomic_file.h"
#include "ebm/base/error.h"
#include "ebm/io/dataset.h"
#include "ebm/io/run_bundle.h"
#include "error_support.h"

using namespace ebm;
using ebm::testing::refusal;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kMoments = 4;
constexpr int64_t kSamples = 3;
constexpr int64_t kHeight = 5;
constexpr int64_t kWidth = 6;
const char* const kSettings = R"({"command":"studio sample","seed":7,"samples":3})";

/// A small run: random pixels, steps 0, 10, 20 and the final moment at 20, its own energies.
RunBundle syntheticRun(int64_t channels, uint64_t seed)
{
    torch::manual_seed(seed);
    RunBundle run;
    run.frames = torch::randint(0, 256, {kMoments, kSamples, channels, kHeight, kWidth}, torch::kUInt8);
    run.steps = torch::tensor({0, 10, 20, 20}, torch::kInt);
    run.temperatures = torch::tensor({1.0, 0.5, 0.01, 0.01}, torch::kDouble);
    run.energies = torch::randn({kMoments, kSamples}, torch::kDouble);
    run.finalFlags = torch::tensor({0, 0, 0, 1}, torch::kUInt8);
    run.settingsJson = kSettings;
    return run;
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Through the engine's one safe writer: a fixture that cannot be written fails the test.
void writeBytes(const std::string& path, const std::string& bytes)
{
    ebm::writeFileAtomically(path, bytes, "test file");
}

/// The names in a folder, links and leftovers included, as one line.
QString listed(const std::string& folder)
{
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder))
        names.insert(entry.path().filename().string());
    QStringList list;
    for (const auto& name : names)
        list << QString::fromStdString(name);
    return list.join(", ");
}

bool isLink(const std::string& path) { return fs::is_symlink(fs::symlink_status(path)); }

bool sameRun(const RunBundle& a, const RunBundle& b)
{
    return torch::equal(a.frames, b.frames) && torch::equal(a.steps, b.steps) &&
           torch::equal(a.temperatures, b.temperatures) && torch::equal(a.energies, b.energies) &&
           torch::equal(a.finalFlags, b.finalFlags) && a.settingsJson == b.settingsJson;
}

}  // namespace

class RunBundleTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aRunComesBackBitForBit()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.ebmrun").toStdString();
        for (const int64_t channels : {1, 3}) {  // gray, then RGB replacing it
            const RunBundle written = syntheticRun(channels, 5 + uint64_t(channels));
            QCOMPARE(refusal([&] { writeRunBundle(path, written); }), QString());
            RunBundle read;
            QCOMPARE(refusal([&] { read = readRunBundle(path); }), QString());
            QVERIFY(sameRun(read, written));
            QVERIFY(read.frames.scalar_type() == torch::kUInt8);
            QVERIFY(read.steps.scalar_type() == torch::kInt);
            QVERIFY(read.temperatures.scalar_type() == torch::kDouble);
            QCOMPARE(read.moments(), kMoments);
            QCOMPARE(read.samples(), kSamples);
            // The folder holds the run's files only, and the old run left nothing behind.
            QCOMPARE(listed(path), QString("energies.npy, final.npy, frames.npy, settings.json, steps.npy, "
                                           "temperatures.npy"));
            QCOMPARE(listed(dir.path().toStdString()), QString("run.ebmrun"));
        }
        // The arrays are numpy's own: the header names the dtype and shape numpy.load reads.
        const std::string frames = readBytes(path + "/frames.npy");
        QVERIFY(frames.find("'descr': '|u1'") != std::string::npos);
        QVERIFY(frames.find("'shape': (4, 3, 3, 5, 6)") != std::string::npos);
        QVERIFY(readBytes(path + "/steps.npy").find("'descr': '<i4', 'fortran_order': False, 'shape': (4,)") !=
                std::string::npos);
        QVERIFY(readBytes(path + "/energies.npy").find("'descr': '<f8'") != std::string::npos);
        QCOMPARE(readBytes(path + "/settings.json"), std::string(kSettings));
        // A path with a trailing slash names the same folder.
        QCOMPARE(refusal([&] { writeRunBundle(path + "/", syntheticRun(1, 9)); }), QString());
        QVERIFY(sameRun(readRunBundle(path), syntheticRun(1, 9)));
    }

    void aTruncatedArrayIsRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.ebmrun").toStdString();
        writeRunBundle(path, syntheticRun(1, 3));
        const std::string frames = path + "/frames.npy";
        fs::resize_file(frames, fs::file_size(frames) - 7);
        const QString error = refusal([&] { readRunBundle(path); });
        QVERIFY2(error.contains("frames.npy") && error.contains("truncated"), qPrintable(error));
        QVERIFY(!error.contains('\n'));

        // A header that claims far more than the file holds is refused before anything is allocated.
        writeRunBundle(path, syntheticRun(1, 3));
        std::string energies = readBytes(path + "/energies.npy");
        const size_t shape = energies.find("(4, 3)");
        QVERIFY(shape != std::string::npos);
        energies.replace(shape, 6, "(4, 9)");  // same length: the header keeps its size
        writeBytes(path + "/energies.npy", energies);
        const QString claim = refusal([&] { readRunBundle(path); });
        QVERIFY2(claim.contains("energies.npy") && claim.contains("truncated"), qPrintable(claim));

        // A file missing: said so, naming it.
        writeRunBundle(path, syntheticRun(1, 3));
        fs::remove(path + "/final.npy");
        const QString missing = refusal([&] { readRunBundle(path); });
        QVERIFY2(missing.contains("final.npy"), qPrintable(missing));
    }

    void arraysWhoseShapesDisagreeAreRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.ebmrun").toStdString();
        writeRunBundle(path, syntheticRun(1, 4));
        // One sample too many in the energies, one moment too few in the temperatures.
        writeNpyAsStored(path + "/energies.npy", torch::zeros({kMoments, kSamples + 1}, torch::kDouble));
        QString error = refusal([&] { readRunBundle(path); });
        QVERIFY2(error.contains("energies.npy") && error.contains("disagree"), qPrintable(error));
        writeRunBundle(path, syntheticRun(1, 4));
        writeNpyAsStored(path + "/temperatures.npy", torch::zeros({kMoments - 1}, torch::kDouble));
        error = refusal([&] { readRunBundle(path); });
        QVERIFY2(error.contains("temperatures.npy") && error.contains("disagree"), qPrintable(error));
        // Frames of another number of moments than the steps.
        writeRunBundle(path, syntheticRun(1, 4));
        writeNpyAsStored(path + "/frames.npy", torch::zeros({kMoments + 1, kSamples, 1, kHeight, kWidth}, torch::kUInt8));
        error = refusal([&] { readRunBundle(path); });
        QVERIFY2(error.contains("frames.npy") && error.contains("disagree"), qPrintable(error));
        // Another dtype than the format's: float frames.
        writeRunBundle(path, syntheticRun(1, 4));
        writeNpyAsStored(path + "/frames.npy", torch::zeros({kMoments, kSamples, 1, kHeight, kWidth}));
        error = refusal([&] { readRunBundle(path); });
        QVERIFY2(error.contains("frames.npy") && error.contains("uint8"), qPrintable(error));

        // The writer refuses the same before it creates anything.
        RunBundle wrong = syntheticRun(1, 4);
        wrong.energies = torch::zeros({kMoments, kSamples + 1}, torch::kDouble);
        const std::string other = dir.filePath("other.ebmrun").toStdString();
        error = refusal([&] { writeRunBundle(other, wrong); });
        QVERIFY2(error.contains("energies.npy"), qPrintable(error));
        QVERIFY(!fs::exists(other));
        // Steps that go back, and settings that are no JSON object.
        RunBundle back = syntheticRun(1, 4);
        back.steps = torch::tensor({0, 10, 5, 20}, torch::kInt);
        QVERIFY(refusal([&] { writeRunBundle(other, back); }).contains("goes back"));
        RunBundle text = syntheticRun(1, 4);
        text.settingsJson = "[1, 2]";
        QVERIFY(refusal([&] { writeRunBundle(other, text); }).contains("settings.json"));
        QCOMPARE(listed(dir.path().toStdString()), QString("run.ebmrun"));
    }

    void moreMomentsThanTheCapAreRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("run.ebmrun").toStdString();
        writeRunBundle(path, syntheticRun(1, 6));
        writeNpyAsStored(path + "/steps.npy", torch::zeros({kMaxRunBundleFrames + 1}, torch::kInt));
        const QString error = refusal([&] { readRunBundle(path); });
        QVERIFY2(error.contains(QString::number(kMaxRunBundleFrames + 1)) && error.contains("steps.npy"),
                 qPrintable(error));
        // A file far larger than its neighbours allow is refused by its size, unread.
        writeRunBundle(path, syntheticRun(1, 6));
        writeNpyAsStored(path + "/final.npy", torch::zeros({int64_t(1) << 20}, torch::kUInt8));
        const QString large = refusal([&] { readRunBundle(path); });
        QVERIFY2(large.contains("final.npy") && large.contains("bytes"), qPrintable(large));
    }

    /// Every name a writer might use for its temporary or set-aside folder holds a link to
    /// someone else's folder: none is followed, and none is removed.
    void linksAtTemporaryNamesAreNotFollowed()
    {
        QTemporaryDir dir, elsewhere;
        const std::string victim = elsewhere.path().toStdString();
        writeBytes(victim + "/precious.txt", "the victim's bytes");
        const std::string path = dir.filePath("run.ebmrun").toStdString();
        std::set<std::string> planted;
        for (const std::string suffix : {".tmp", ".new", ".old", ".partial", "~", ".bak"})
            for (const std::string prefix : {"", "."}) {
                const std::string name = prefix + "run.ebmrun" + suffix;
                fs::create_directory_symlink(victim, dir.filePath(QString::fromStdString(name)).toStdString());
                planted.insert(name);
            }
        for (const uint64_t seed : {1, 2}) {  // new, then replacing the old run
            QCOMPARE(refusal([&] { writeRunBundle(path, syntheticRun(3, seed)); }), QString());
            QVERIFY(sameRun(readRunBundle(path), syntheticRun(3, seed)));
            QCOMPARE(listed(victim), QString("precious.txt"));
            QCOMPARE(readBytes(victim + "/precious.txt"), std::string("the victim's bytes"));
            for (const auto& name : planted)
                QVERIFY(isLink(dir.filePath(QString::fromStdString(name)).toStdString()));
            QStringList expected;
            std::set<std::string> all = planted;
            all.insert("run.ebmrun");
            for (const auto& name : all)
                expected << QString::fromStdString(name);
            QCOMPARE(listed(dir.path().toStdString()), expected.join(", "));  // no temporary left behind
        }
    }

    /// A link at the target is refused (the folder would replace it, not what it points to), as
    /// are a file and a folder of other files; each stays as it was.
    void aLinkOrSomeoneElsesFolderAtTheTargetIsRefused()
    {
        QTemporaryDir dir, elsewhere;
        const std::string victim = elsewhere.path().toStdString();
        writeBytes(victim + "/precious.txt", "the victim's bytes");
        const std::string link = dir.filePath("link.ebmrun").toStdString();
        fs::create_directory_symlink(victim, link);
        QString error = refusal([&] { writeRunBundle(link, syntheticRun(1, 1)); });
        QVERIFY2(error.contains("symbolic link"), qPrintable(error));
        QVERIFY(isLink(link));
        QCOMPARE(listed(victim), QString("precious.txt"));

        const std::string notes = dir.filePath("notes.ebmrun").toStdString();
        fs::create_directory(notes);
        writeBytes(notes + "/notes.txt", "notes");
        error = refusal([&] { writeRunBundle(notes, syntheticRun(1, 1)); });
        QVERIFY2(error.contains("notes.txt"), qPrintable(error));
        QCOMPARE(readBytes(notes + "/notes.txt"), std::string("notes"));

        const std::string file = dir.filePath("file.ebmrun").toStdString();
        writeBytes(file, "a file");
        QVERIFY(refusal([&] { writeRunBundle(file, syntheticRun(1, 1)); }).contains("not a run folder"));
        QCOMPARE(readBytes(file), std::string("a file"));
        QCOMPARE(listed(dir.path().toStdString()), QString("file.ebmrun, link.ebmrun, notes.ebmrun"));

        // Reading a file or a missing folder is refused in one line too.
        QVERIFY(refusal([&] { readRunBundle(file); }).contains("not a run folder"));
        QVERIFY(refusal([&] { readRunBundle(dir.filePath("none.ebmrun").toStdString()); }).contains("no such"));
    }
};

QTEST_APPLESS_MAIN(RunBundleTest)
#include "test_run_bundle.moc"
