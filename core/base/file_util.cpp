#include "base/file_util.h"

#include "ebm/base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "ebm/base/error.h"

namespace ebm::internal {
namespace fs = std::filesystem;

void refuseNonRegularFile(const std::string& path)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
        throw Error(path + ": is not a regular file (a pipe, device or folder); read from a file instead");
}

std::string readFileBytes(const std::string& path, uintmax_t maxBytes)
{
    std::error_code code;
    const fs::file_status status = fs::status(path, code);
    if (!fs::exists(status))
        throw Error(path + ": no such file");
    if (fs::is_directory(status))
        throw Error(path + ": is a folder, expected a file");
    refuseNonRegularFile(path);
    const uintmax_t size = fs::file_size(path, code);
    if (code)
        throw Error(path + ": cannot determine its size (" + code.message() + ")");
    if (maxBytes > 0 && size > maxBytes)
        throw Error(path + ": " + std::to_string(size) + " bytes is more than the " + std::to_string(maxBytes) +
                    " bytes such a file may have here");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open it for reading (check the permissions)");
    std::string bytes(static_cast<size_t>(size), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (static_cast<uintmax_t>(in.gcount()) != size)
        throw Error(path + ": could not read the whole file (was it changed while reading?)");
    return bytes;
}

std::string numberText(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

std::string fileName(const std::string& path) { return fs::path(path).filename().string(); }

std::string firstLine(const std::string& text)
{
    const auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

namespace {

constexpr int kMaxLinkHops = 40;             // the kernel's own limit before ELOOP
constexpr int kMaxTemporaryNameTries = 100;  // names already taken by chance before giving up
constexpr size_t kRandomNameChars = 10;      // 62^10 names: nobody plants a link at each of them
constexpr mode_t kNewFileMode = 0666;        // narrowed by the umask (and a default ACL) as for any new file

/// The file a write to `path` lands on: `path`, or the end of its chain of symbolic links (which
/// may not exist yet). Replacing that file, not the link, keeps every link a link.
fs::path followLinks(const std::string& path)
{
    fs::path target(path);
    for (int hops = 0;; ++hops) {
        std::error_code ec;
        if (!fs::is_symlink(fs::symlink_status(target, ec)))
            return target;
        if (hops == kMaxLinkHops)
            throw Error(path + ": too many symbolic links (a loop?); write to a file instead");
        const fs::path next = fs::read_symlink(target, ec);
        if (ec)
            throw Error(path + ": cannot read the symbolic link (" + ec.message() + ")");
        target = next.is_absolute() ? next : target.parent_path() / next;
    }
}

/// `what` and the reason errno gives, taken before anything else can change errno.
std::runtime_error systemFailure(const char* what)
{
    const int error = errno;
    return std::runtime_error(std::string(what) + " (" + std::strerror(error) + ")");
}

std::string randomChars()
{
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device source;  // getrandom(2): not predictable from the time or the process id
    std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
    std::string chars(kRandomNameChars, ' ');
    for (char& c : chars)
        c = kAlphabet[pick(source)];
    return chars;
}

/// ".<name>.<random>" beside the file, hidden and traceable to it; ".ebm-<random>" where that
/// would be longer than the folder's file system allows a name to be.
fs::path temporaryName(const fs::path& folder, const std::string& targetName)
{
    const std::string random = randomChars();
    std::string name = "." + targetName + "." + random;
    long nameMax = ::pathconf(folder.c_str(), _PC_NAME_MAX);
    if (nameMax <= 0)
        nameMax = NAME_MAX;
    if (name.size() > static_cast<size_t>(nameMax))
        name = ".ebm-" + random;
    return folder / name;
}

/// A new file under a name nobody can guess, removed again unless kept.
class TemporaryFile {
public:
    TemporaryFile() = default;
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    ~TemporaryFile()
    {
        if (fd_ >= 0)
            ::close(fd_);
        if (!path_.empty())
            ::unlink(path_.c_str());
    }

    /// O_CREAT|O_EXCL fails on anything already at the name, a planted symbolic link included,
    /// so the bytes never land in someone else's file.
    void create(const fs::path& folder, const std::string& targetName)
    {
        for (int tries = 1;; ++tries) {
            const fs::path candidate = temporaryName(folder, targetName);
            fd_ = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kNewFileMode);
            if (fd_ >= 0) {
                path_ = candidate.string();
                return;
            }
            const int error = errno;
            if (error != EEXIST || tries == kMaxTemporaryNameTries)
                throw std::runtime_error("cannot create a file in " + folder.string() + " (" + std::strerror(error) +
                                         ")");
        }
    }

    int fd() const { return fd_; }
    const std::string& path() const { return path_; }

    /// Flushes the bytes to the disk and closes: both report write errors (a full disk, NFS).
    void syncAndClose()
    {
        if (::fsync(fd_) != 0)
            throw systemFailure("flushing it to the disk failed");
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0)
            throw systemFailure("closing it failed");
    }

    /// After the rename the name is the target's: nothing left to remove.
    void keep() { path_.clear(); }

private:
    std::string path_;
    int fd_ = -1;
};

void writeAll(int fd, const std::string& bytes)
{
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote < 0)
            throw systemFailure("writing failed");
        if (wrote == 0)
            throw std::runtime_error("the disk took no more bytes");
        done += static_cast<size_t>(wrote);
    }
}

/// A replaced file keeps its owner and permissions (a new one gets the umask's, from open).
void takeOverOwnerAndMode(int fd, const struct stat& existing)
{
    if (::fchown(fd, existing.st_uid, existing.st_gid) != 0) {
        // Only root may give a file to someone else; anyone else's new file is theirs anyway.
    }
    if (::fchmod(fd, existing.st_mode & 07777) != 0)
        throw systemFailure("cannot give it the old file's permissions");
}

/// The rename lives in the folder: flush it too, or a crash may bring the old file back.
void syncFolder(const fs::path& folder)
{
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

void writeBytesAtomically(const std::string& path, const std::string& bytes, const std::string& what)
{
    const fs::path target = followLinks(path);
    struct stat existing {};
    const bool replacing = ::lstat(target.c_str(), &existing) == 0;
    if (!replacing && errno == ENAMETOOLONG)
        throw Error(path + ": the name or its path is longer than the system allows (" + std::to_string(NAME_MAX) +
                    " bytes a name, " + std::to_string(PATH_MAX) + " a path); choose a shorter one");
    // A rename over a device or pipe would destroy it (as root, /dev/null itself); one over a
    // folder fails with a puzzling message.
    if (replacing && !S_ISREG(existing.st_mode))
        throw Error(path + ": is not a regular file (a device, pipe or folder); write to a file instead");
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    TemporaryFile temporary;
    try {
        temporary.create(folder, target.filename().string());
        if (replacing)
            takeOverOwnerAndMode(temporary.fd(), existing);
        writeAll(temporary.fd(), bytes);
        temporary.syncAndClose();
    } catch (const std::exception& e) {
        throw Error(path + ": could not write the " + what + ": " + firstLine(e.what()) +
                    " (check that the folder exists and is writable, and that the disk has space)");
    }
    if (::rename(temporary.path().c_str(), target.c_str()) != 0) {
        const int error = errno;
        throw Error(path + ": could not replace the " + what + " file: " + std::strerror(error) +
                    " (check the folder's permissions)");
    }
    temporary.keep();
    syncFolder(folder);
}

}  // namespace ebm::internal

namespace ebm {

void writeFileAtomically(const std::string& path, const std::string& bytes, const std::string& what)
{
    internal::writeBytesAtomically(path, bytes, what);
}

}  // namespace ebm
