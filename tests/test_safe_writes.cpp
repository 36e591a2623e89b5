// Outputs that never destroy what they should not (issue 24): a symbolic link planted at a
// temporary name is never followed, a link at the output path stays a link, a device, pipe or
// folder at the output path is refused untouched, a failed write keeps the old file, and a pipe
// given as input is refused instead of waiting for a writer forever.
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <set>

#include "ebm/base/error.h"
#include "ebm/io/checkpoint.h"
#include "ebm/io/dataset.h"
// The routine under test is private to the engine; the relative path spares this test an include
// folder of its own.
#include "../core/base/file_util.h"

using namespace ebm;
namespace fs = std::filesystem;

namespace {

constexpr auto kBlockedAfter = std::chrono::seconds(10);  // reading a refused pipe takes microseconds

void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The names in a folder, links and leftovers included.
std::set<std::string> entries(const QTemporaryDir& dir)
{
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.path().toStdString()))
        names.insert(entry.path().filename().string());
    return names;
}

QString listed(const std::set<std::string>& names)
{
    QStringList list;
    for (const auto& name : names)
        list << QString::fromStdString(name);
    return list.join(", ");
}

/// The ebm::Error message of `action`, or a text saying that it did not fail.
std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("not an ebm::Error: ") + e.what();
    }
    return "(no error)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const QString kWritten = "(no error)";

/// What writing `bytes` to `path` said: kWritten, or the error (a QCOMPARE shows it, where an
/// exception would end the whole run).
QString written(const std::string& path, const std::string& bytes)
{
    return QString::fromStdString(errorOf([&] { internal::writeBytesAtomically(path, bytes, "test data"); }));
}

mode_t typeOf(const std::string& path)
{
    struct stat info {};
    return ::lstat(path.c_str(), &info) == 0 ? (info.st_mode & S_IFMT) : 0;
}

mode_t permissionsOf(const std::string& path)
{
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 ? (info.st_mode & 07777) : 0;
}

/// The error of `read` on `fifo`, which nobody writes to. Should the reader open the pipe and
/// wait, a writer that opens and closes at once ends the wait: the test fails instead of hanging.
std::string errorReadingPipe(const std::string& fifo, const std::function<void()>& read)
{
    auto pending = std::async(std::launch::async, [&read] { return errorOf(read); });
    if (pending.wait_for(kBlockedAfter) == std::future_status::timeout) {
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0)
            ::close(writer);
        pending.wait();
        return "(waited on the pipe)";
    }
    return pending.get();
}

}  // namespace

class SafeWritesTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    /// Every name the engine's writers ever used or might use for a temporary file holds a link
    /// to someone else's file (as another user could plant in /tmp): none of them is followed.
    void linksPlantedAtTemporaryNamesAreNotFollowed()
    {
        QTemporaryDir dir, elsewhere;
        const std::string victim = elsewhere.filePath("victim").toStdString();
        writeBytes(victim, "the victim's bytes");
        const std::string out = dir.filePath("out.pt").toStdString();
        std::set<std::string> planted;
        for (const std::string suffix : {".partial", ".tmp", ".new", "~"})
            for (const std::string prefix : {"", "."}) {
                const std::string name = prefix + "out.pt" + suffix;
                fs::create_symlink(victim, dir.filePath(QString::fromStdString(name)).toStdString());
                planted.insert(name);
            }
        for (const std::string bytes : {"the first bytes", "the second, longer bytes"}) {  // new, then replaced
            QCOMPARE(written(out, bytes), kWritten);
            QCOMPARE(readBytes(victim), std::string("the victim's bytes"));
            QCOMPARE(readBytes(out), bytes);
            QCOMPARE(typeOf(out), mode_t(S_IFREG));
            std::set<std::string> expected = planted;
            expected.insert("out.pt");
            QCOMPARE(listed(entries(dir)), listed(expected));  // no temporary left behind
        }
        for (const auto& name : planted)
            QCOMPARE(typeOf(dir.filePath(QString::fromStdString(name)).toStdString()), mode_t(S_IFLNK));

        // The .npy writer used OUT.tmp: it goes through the same routine now.
        const std::string npy = dir.filePath("array.npy").toStdString();
        fs::create_symlink(victim, npy + ".tmp");
        QCOMPARE(QString::fromStdString(errorOf([&] { writeNpy(npy, torch::ones({3})); })), kWritten);
        QCOMPARE(readBytes(victim), std::string("the victim's bytes"));
        QCOMPARE(readNpy(npy).sum().item<float>(), 3.0f);
    }

    /// A link at the output path stays a link, and the file it points to gets the bytes; so do
    /// a chain of links and a link to a file not there yet.
    void aLinkAtTheOutputStaysALink()
    {
        QTemporaryDir dir;
        const auto at = [&](const char* name) { return dir.filePath(name).toStdString(); };
        writeBytes(at("real.bin"), "old");
        fs::create_symlink("real.bin", at("link.bin"));
        fs::create_symlink("link.bin", at("chain.bin"));
        fs::create_symlink("later.bin", at("dangling.bin"));

        QCOMPARE(written(at("link.bin"), "through the link"), kWritten);
        QCOMPARE(typeOf(at("link.bin")), mode_t(S_IFLNK));
        QCOMPARE(fs::read_symlink(at("link.bin")).string(), std::string("real.bin"));
        QCOMPARE(readBytes(at("real.bin")), std::string("through the link"));

        QCOMPARE(written(at("chain.bin"), "through the chain"), kWritten);
        QCOMPARE(typeOf(at("chain.bin")), mode_t(S_IFLNK));
        QCOMPARE(typeOf(at("link.bin")), mode_t(S_IFLNK));
        QCOMPARE(readBytes(at("real.bin")), std::string("through the chain"));

        QCOMPARE(written(at("dangling.bin"), "a new file"), kWritten);
        QCOMPARE(typeOf(at("dangling.bin")), mode_t(S_IFLNK));
        QCOMPARE(readBytes(at("later.bin")), std::string("a new file"));
        QCOMPARE(listed(entries(dir)), QString("chain.bin, dangling.bin, later.bin, link.bin, real.bin"));
    }

    /// A device, a pipe or a folder at the output path: one line, nothing written, nothing
    /// replaced (a rename over a device as root used to replace the device itself).
    void devicesPipesAndFoldersAreRefusedUntouched()
    {
        QTemporaryDir dir;
        const auto at = [&](const char* name) { return dir.filePath(name).toStdString(); };
        const std::string refusal = ": is not a regular file (a device, pipe or folder); write to a file instead";

        QCOMPARE(::mkfifo(at("pipe").c_str(), 0644), 0);
        fs::create_directory(at("folder"));
        fs::create_symlink("/dev/full", at("full"));
        std::vector<std::pair<std::string, mode_t>> outputs = {
            {"pipe", S_IFIFO}, {"folder", S_IFDIR}, {"full", S_IFLNK}};
        // A copy of /dev/null where this test may make one; /dev/full itself where it cannot (and
        // so could not replace it either).
        if (::geteuid() == 0 && ::mknod(at("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0)
            outputs.push_back({"null", S_IFCHR});
        else if (::geteuid() != 0)
            outputs.push_back({"/dev/full", S_IFCHR});
        for (const auto& [name, type] : outputs) {
            const std::string path = name[0] == '/' ? name : at(name.c_str());
            QCOMPARE(written(path, "bytes"), QString::fromStdString(path + refusal));
            QCOMPARE(typeOf(path), type);
        }
        QCOMPARE(typeOf("/dev/full"), mode_t(S_IFCHR));
        QVERIFY(fs::is_empty(at("folder")));
        std::set<std::string> expected = {"pipe", "folder", "full"};
        if (typeOf(at("null")) == S_IFCHR)
            expected.insert("null");
        QCOMPARE(listed(entries(dir)), listed(expected));
    }

    /// A pipe given as input (`ebm info --model PIPE`) is refused with one line, without opening
    /// it: opening it for reading waits for a writer that never comes.
    void pipesAsInputAreRefusedWithoutBlocking()
    {
        QTemporaryDir dir;
        const std::string fifo = dir.filePath("pipe").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0644), 0);
        const std::string refusal = fifo + ": is not a regular file";
        for (const auto& [what, read] : std::vector<std::pair<std::string, std::function<void()>>>{
                 {"readFileBytes", [&] { internal::readFileBytes(fifo); }},
                 {"loadCheckpoint", [&] { loadCheckpoint(fifo); }},
                 {"readNpy", [&] { readNpy(fifo); }}}) {
            const std::string message = errorReadingPipe(fifo, read);
            QVERIFY2(contains(message, refusal) && !contains(message, "\n"), (what + ": " + message).c_str());
        }
    }

    /// A name so long that ".NAME.random" would pass the 255 bytes a file name may have.
    void longNamesWriteFine()
    {
        QTemporaryDir dir;
        const std::string name = std::string(246, 'n') + ".bin";
        QCOMPARE(name.size(), size_t(250));
        const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
        QCOMPARE(written(path, "new"), kWritten);
        QCOMPARE(written(path, "replaced"), kWritten);
        QCOMPARE(readBytes(path), std::string("replaced"));
        // One byte more than a name may have: said so, not "check the folder's permissions".
        const std::string tooLong = dir.filePath(QString(256, 'n')).toStdString();
        const std::string message = written(tooLong, "x").toStdString();
        QVERIFY2(contains(message, ": the name or its path is longer than the system allows (255 bytes a name") &&
                     contains(message, "choose a shorter one"),
                 message.c_str());
        QCOMPARE(listed(entries(dir)), QString::fromStdString(name));
    }

    /// A new file gets what any new file gets (0666 less the umask, not a temporary file's 0600);
    /// a replaced file keeps its own mode.
    void permissionsAreThoseOfANewOrTheReplacedFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("out.bin").toStdString();
        const mode_t previous = ::umask(027);
        const QString result = written(path, "new");
        ::umask(previous);
        QCOMPARE(result, kWritten);
        QCOMPARE(permissionsOf(path), mode_t(0640));

        QCOMPARE(::chmod(path.c_str(), 0604), 0);
        QCOMPARE(written(path, "replaced"), kWritten);
        QCOMPARE(permissionsOf(path), mode_t(0604));
        QCOMPARE(readBytes(path), std::string("replaced"));
    }

    /// A write that fails half-way (the file-size limit stands in for a full disk, for root too):
    /// one line naming the file, the old file intact, no temporary left.
    void aFailedWriteKeepsTheOldFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("out.bin").toStdString();
        writeBytes(path, "the old bytes");
        rlimit limit {};
        QCOMPARE(::getrlimit(RLIMIT_FSIZE, &limit), 0);
        rlimit small = limit;
        small.rlim_cur = 16;
        const auto previousHandler = ::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of the signal
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        const std::string message = written(path, std::string(4096, 'x')).toStdString();
        ::setrlimit(RLIMIT_FSIZE, &limit);
        ::signal(SIGXFSZ, previousHandler);
        QVERIFY2(contains(message, "out.bin: could not write the test data: writing failed (") &&
                     contains(message, "disk has space") && !contains(message, "\n"),
                 message.c_str());
        QCOMPARE(readBytes(path), std::string("the old bytes"));
        QCOMPARE(listed(entries(dir)), QString("out.bin"));
    }

    /// A folder that may not be written: the temporary cannot be made, the old file stays.
    void aReadOnlyFolderKeepsTheOldFile()
    {
        if (::geteuid() == 0)
            QSKIP("root may write into a read-only folder; aFailedWriteKeepsTheOldFile covers root");
        QTemporaryDir dir;
        const std::string path = dir.filePath("out.bin").toStdString();
        writeBytes(path, "the old bytes");
        QCOMPARE(::chmod(dir.path().toLocal8Bit().constData(), 0555), 0);
        const std::string message = written(path, "new").toStdString();
        ::chmod(dir.path().toLocal8Bit().constData(), 0755);
        QVERIFY2(contains(message, "out.bin: could not write the test data: cannot create a file in ") &&
                     contains(message, "Permission denied"),
                 message.c_str());
        QCOMPARE(readBytes(path), std::string("the old bytes"));
        QCOMPARE(listed(entries(dir)), QString("out.bin"));
    }
};

QTEST_APPLESS_MAIN(SafeWritesTest)
#include "test_safe_writes.moc"
