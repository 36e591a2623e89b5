#pragma once
// Writing a whole file the one safe way (the engine's writers and the studio's exports alike):
// an exclusive temporary beside the target under an unpredictable name, never through a link
// planted there, flushed to disk and renamed over the target; a link at the target is followed
// and stays a link; a device, pipe or folder is refused untouched. No torch.
#include <string>

namespace ebm {

/// Writes `bytes` to `path`; `what` names the content in errors ("mask", "CSV table").
/// Throws ebm::Error with one line that names the file and says what to do.
void writeFileAtomically(const std::string& path, const std::string& bytes, const std::string& what);

}  // namespace ebm
