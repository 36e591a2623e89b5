#pragma once
// Traps for the studio's Save and Export commands: what an unsafe writer would damage. Each trap
// is built so that a direct write (QImage::save, QFile) or QSaveFile shows in its state instead
// of hanging the test: a FIFO's reading end is held open, so a writer that opens the FIFO gets
// through and leaves its bytes in the pipe; a linked file remembers its inode, so a file written
// into in place (not replaced by a finished temporary) shows.
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QStringList>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ebm::testing {

/// A regular file with old content and a symbolic link to it: the path an export is given.
struct LinkedFile {
    QString link;  // what the export is told to write
    QString real;  // where the link points (a relative link, as people make them)
    ino_t oldInode = 0;

    static LinkedFile make(const QString& folder, const QString& linkName, const QString& realName)
    {
        LinkedFile f;
        f.link = QDir(folder).filePath(linkName);
        f.real = QDir(folder).filePath(realName);
        QFile old(f.real);
        if (old.open(QIODevice::WriteOnly))
            old.write("old content");
        old.close();
        if (::symlink(QFile::encodeName(realName).constData(), QFile::encodeName(f.link).constData()) != 0)
            f.link.clear();
        struct stat info {};
        if (::stat(QFile::encodeName(f.real).constData(), &info) == 0)
            f.oldInode = info.st_ino;
        return f;
    }
    bool ok() const { return !link.isEmpty() && oldInode != 0; }
    /// Still a link, pointing where it did.
    bool linkKept() const
    {
        return QFileInfo(link).isSymLink() && QFileInfo(link).symLinkTarget() == QFileInfo(real).absoluteFilePath();
    }
    /// A finished file was renamed over the target (a writer that truncates the old file and
    /// writes into it leaves the same inode: a crash there leaves half a file).
    bool replacedWhole() const
    {
        struct stat info {};
        return ::stat(QFile::encodeName(real).constData(), &info) == 0 && S_ISREG(info.st_mode) &&
               info.st_ino != oldInode;
    }
    QByteArray realBytes() const
    {
        QFile file(real);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
};

/// A FIFO whose reading end this test holds (non-blocking): a writer that opens the FIFO does
/// not block but leaves its bytes in the pipe; one that renames over it leaves no FIFO.
class HeldFifo {
public:
    explicit HeldFifo(const QString& path) : path_(path)
    {
        const QByteArray name = QFile::encodeName(path);
        if (::mkfifo(name.constData(), 0600) != 0)
            return;
        readEnd_ = ::open(name.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        // Room for a whole small PNG, so that a direct writer finishes instead of waiting.
        if (readEnd_ >= 0)
            ::fcntl(readEnd_, F_SETPIPE_SZ, 1 << 20);
    }
    ~HeldFifo()
    {
        if (readEnd_ >= 0)
            ::close(readEnd_);
    }
    HeldFifo(const HeldFifo&) = delete;
    HeldFifo& operator=(const HeldFifo&) = delete;

    const QString& path() const { return path_; }
    bool ok() const { return readEnd_ >= 0; }
    bool stillAFifo() const
    {
        struct stat info {};
        return ::lstat(QFile::encodeName(path_).constData(), &info) == 0 && S_ISFIFO(info.st_mode);
    }
    /// The bytes a writer left in the pipe (read now, so a second call counts only new ones).
    qint64 bytesInPipe()
    {
        qint64 total = 0;
        char buffer[4096];
        for (ssize_t got; (got = ::read(readEnd_, buffer, sizeof buffer)) > 0;)
            total += got;
        return total;
    }

private:
    QString path_;
    int readEnd_ = -1;
};

/// Links planted beside `target` under the names a writer with a predictable temporary would use
/// (target.tmp, .target.tmp, target~, target.new, target.part), each pointing at `victim`.
inline QStringList plantTemporaryLookingLinks(const QString& target, const QString& victim)
{
    const QFileInfo info(target);
    const QString name = info.fileName();
    QStringList links;
    for (const QString& planted : {name + QStringLiteral(".tmp"), QStringLiteral(".") + name + QStringLiteral(".tmp"),
                                   name + QStringLiteral("~"), name + QStringLiteral(".new"),
                                   name + QStringLiteral(".part")}) {
        const QString link = info.dir().filePath(planted);
        if (::symlink(QFile::encodeName(victim).constData(), QFile::encodeName(link).constData()) == 0)
            links << link;
    }
    return links;
}

/// Whether every planted link is still a link to `victim`, and `victim` still holds `content`.
inline bool plantedLinksUntouched(const QStringList& links, const QString& victim, const QByteArray& content)
{
    for (const QString& link : links)
        if (!QFileInfo(link).isSymLink() || QFileInfo(link).symLinkTarget() != QFileInfo(victim).absoluteFilePath())
            return false;
    QFile file(victim);
    return file.open(QIODevice::ReadOnly) && file.readAll() == content;
}

}  // namespace ebm::testing
