#pragma once
// Small pieces the engine's file readers and writers share (not part of the public API).
#include <cstdint>
#include <string>

namespace ebm::internal {

/// The last component of a path, for error messages that name the file, not the folder.
std::string fileName(const std::string& path);

/// The first line of a message: torch's exception texts carry back-traces after it.
std::string firstLine(const std::string& text);

/// A whole file's bytes. Refuses, naming `path`: a missing file, a folder, an unreadable file,
/// and (when maxBytes > 0) a file larger than maxBytes, before reading any of it.
std::string readFileBytes(const std::string& path, uintmax_t maxBytes = 0);

/// A number as people read it in messages ("0.02", "-1", "nan").
std::string numberText(double value);

/// The same guarantee for bytes already in memory (pictures, JSON, CSV).
void writeBytesAtomically(const std::string& path, const std::string& bytes, const std::string& what);

}  // namespace ebm::internal
