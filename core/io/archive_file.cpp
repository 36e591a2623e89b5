#include "io/archive_file.h"

#include <torch/serialize/output-archive.h>

#include <sstream>

#include "base/file_util.h"

namespace ebm::internal {

void saveArchiveAtomically(torch::serialize::OutputArchive& archive, const std::string& path, const std::string& what)
{
    // Into memory first: LibTorch's zip writer finishes the file in its destructor, and a write
    // that fails there (a full disk) throws from that destructor and aborts the program.
    std::ostringstream buffer;
    archive.save_to(buffer);
    writeBytesAtomically(path, buffer.str(), what);
}

}  // namespace ebm::internal
