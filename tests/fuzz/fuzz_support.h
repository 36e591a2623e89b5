#pragma once
// What every fuzz target shares: the engine's parsers take paths, so each input is written to a
// file in a private temporary folder; a parser may only answer bad bytes with ebm::Error.
// Anything else that escapes (std::bad_alloc, c10::Error, std::out_of_range...) aborts, so
// libFuzzer keeps the input as a finding, like a crash or a sanitizer report.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>
#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>
#include "ebm/base/error.h"

namespace ebm::fuzz {

/// Set once per process, before the first input: the parsers' warnings about accepted but odd
/// data would flood the log and slow the fuzzer, and the inputs are too small for threads.
inline const bool kQuietAndSingleThreaded = [] {
    spdlog::set_level(spdlog::level::err);
    at::set_num_threads(1);
    return true;
}();

constexpr const char* kScratchPrefix = "ebm-fuzz-";

/// One folder per fuzzing process (libFuzzer's -fork and -jobs run several), named after the
/// process: removed at exit, and by the next process when it crashed (the fork children of
/// ./dev fuzz's long runs end by a signal or _Exit and never get to remove their own).
inline const std::filesystem::path& scratchFolder() {
    namespace fs = std::filesystem;
    static const fs::path folder = [] {
        std::error_code ignored;
        for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ignored)) {
            const std::string name = entry.path().filename().string();
            if (name.rfind(kScratchPrefix, 0) != 0) continue;
            const std::string pid = name.substr(std::strlen(kScratchPrefix));
            if (!pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos &&
                !fs::exists("/proc/" + pid, ignored))
                fs::remove_all(entry.path(), ignored);
        }
        const fs::path path = fs::temp_directory_path() / (kScratchPrefix + std::to_string(getpid()));
        fs::remove_all(path, ignored);
        fs::create_directories(path);
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all(scratchFolder(), ignored);
        });
        return path;
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
