#pragma once
// What every fuzz target shares: the engine's parsers take paths, so each input is written to a
// file in a private temporary folder; a parser may only answer bad bytes with ebm::Error.
// Anything else that escapes (std::bad_alloc, c10::Error, std::out_of_range...) aborts, so
// libFuzzer keeps the input as a finding, like a crash or a sanitizer report.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>
#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>
#include "ebm/error.h"

namespace ebm::fuzz {

/// Set once per process, before the first input: the parsers' warnings about accepted but odd
/// data would flood the log and slow the fuzzer, and the inputs are too small for threads.
inline const bool kQuietAndSingleThreaded = [] {
    spdlog::set_level(spdlog::level::err);
    at::set_num_threads(1);
    return true;
}();

/// One folder per fuzzing process (libFuzzer's -jobs/-fork run several), removed at exit.
inline const std::filesystem::path& scratchFolder() {
    static const std::filesystem::path folder = [] {
        std::string pattern = (std::filesystem::temp_directory_path() / "ebm-fuzz-XXXXXX").string();
        if (!mkdtemp(pattern.data())) {
            std::perror("ebm fuzz: mkdtemp");
            std::abort();
        }
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(scratchFolder(), ignored);
        });
        return std::filesystem::path(pattern);
    }();
    return folder;
}

/// Writes the bytes to scratchFolder()/name (relative names may hold subfolders) and returns the path.
inline std::string writeInput(const std::string& name, const uint8_t* data, size_t size) {
    const std::filesystem::path path = scratchFolder() / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
        std::fprintf(stderr, "ebm fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path.string();
}

/// An empty subfolder of scratchFolder(), for readers that open a folder layout.
inline std::string freshFolder(const std::string& name) {
    const std::filesystem::path path = scratchFolder() / name;
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    return path.string();
}

/// Runs `parse`; ebm::Error is the expected answer to bad bytes, anything else is a finding.
template <class Parse>
void expectCleanError(Parse&& parse) {
    try {
        parse();
    } catch (const ebm::Error&) {
        // A clear refusal: what a parser must do with bytes it cannot use.
    } catch (const std::exception& other) {
        std::fprintf(stderr, "ebm fuzz: escaped a parser as something other than ebm::Error: %s\n",
                     other.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "ebm fuzz: a non-std exception escaped a parser\n");
        std::abort();
    }
}

}  // namespace ebm::fuzz
