#pragma once
// Writing LibTorch archives (checkpoints, classifiers) with the engine's atomic file guarantee.
#include <string>

namespace torch::serialize {
class OutputArchive;
}

namespace ebm::internal {

/// Saves `archive` beside `path` as a temporary file, flushes it to disk and renames it over
/// `path`, so a crash at any moment leaves either the old file or the new one, never a torn one.
/// `what` names the content in errors ("checkpoint", "classifier"). Throws ebm::Error.
void saveArchiveAtomically(torch::serialize::OutputArchive& archive, const std::string& path, const std::string& what);

}  // namespace ebm::internal
