#include "base/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "ebm/base/error.h"

namespace ebm::internal {
namespace {

void syncToDisk(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

std::string readFileBytes(const std::string& path, uintmax_t maxBytes)
{
    namespace fs = std::filesystem;
    std::error_code code;
    const fs::file_status status = fs::status(path, code);
    if (!fs::exists(status))
        throw Error(path + ": no such file");
    if (fs::is_directory(status))
        throw Error(path + ": is a folder, expected a file");
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

std::string fileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

std::string firstLine(const std::string& text)
{
    const auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

namespace {

/// Writes the temporary file with `write`, then flushes and renames it over `path`.
template <typename WriteTemporary>
void replaceAtomically(const std::string& path, const std::string& what, WriteTemporary write)
{
    namespace fs = std::filesystem;
    const fs::path target(path);
    const fs::path temporary = target.string() + ".partial";
    try {
        write(temporary.string());
    } catch (const std::exception& e) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw Error(fileName(path) + ": could not write the " + what + ": " + firstLine(e.what()) +
                    " (check that the folder exists and is writable, and that the disk has space)");
    }
    syncToDisk(temporary.string());
    std::error_code ec;
    fs::rename(temporary, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw Error(fileName(path) + ": could not replace the " + what + " file: " + ec.message() +
                    " (check the folder's permissions)");
    }
    // The rename itself lives in the folder: flush it too.
    syncToDisk((target.has_parent_path() ? target.parent_path() : fs::path(".")).string());
}

}  // namespace

void writeBytesAtomically(const std::string& path, const std::string& bytes, const std::string& what)
{
    replaceAtomically(path, what, [&](const std::string& temporary) {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot create " + temporary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out)
            throw std::runtime_error("the write failed");
    });
}

}  // namespace ebm::internal
