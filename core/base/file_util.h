#pragma once
// Small pieces the engine's file readers and writers share (not part of the public API).
#include <cstdint>
#include <string>

namespace ebm::internal {

/// The last component of a path, for error messages that name the file, not the folder.
std::string fileName(const std::string& path);

/// The first line of a message: torch's exception texts carry back-traces after it.
std::string firstLine(const std::string& text);

/// Refuses, naming `path`, something that exists but is not a regular file once links are
/// followed (a pipe, a device, a socket or a folder): reading a pipe waits for a writer forever.
/// Checked with stat, never by opening it. A missing path passes: callers word that themselves.
void refuseNonRegularFile(const std::string& path);

/// A whole file's bytes. Refuses, naming `path`: a missing file, a folder, a pipe or device, an
/// unreadable file, and (when maxBytes > 0) a file larger than maxBytes, before reading any of it.
std::string readFileBytes(const std::string& path, uintmax_t maxBytes = 0);

/// A number as people read it in messages ("0.02", "-1", "nan").
std::string numberText(double value);

/// Replaces the file at `path` with `bytes` so that a reader sees the old file or the new one,
/// never half of one, and a failure (a full disk) leaves the old file as it was. The bytes go to a
/// temporary file with an unguessable name beside the file, created exclusively (a link planted
/// there is never followed), then renamed over it. A symbolic link at `path` stays a link: the
/// file it points to is replaced. A device, pipe, socket or folder at `path` is refused untouched.
/// `what` names the contents in messages ("checkpoint", "picture").
void writeBytesAtomically(const std::string& path, const std::string& bytes, const std::string& what);

}  // namespace ebm::internal
