// Folders of pictures as data sets: every PNG/JPEG in the folder, read at one size.
#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "ebm/base/error.h"
#include "ebm/io/image_file.h"

namespace ebm {
namespace fs = std::filesystem;

Dataset loadImageFolder(const std::string& folder, int channels, int size, std::vector<std::string>* skipped)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error(folder + ": no such folder");
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        // An entry's own error (a link to a missing file) is that entry's, not the listing's.
        std::error_code entryError;
        const bool regular = entry.is_regular_file(entryError);
        if (regular && isImageFileName(name))
            names.push_back(name);
        else if (entryError && isImageFileName(name)) {
            const std::string why = entryError.message();
            std::error_code linkError;
            spdlog::warn("{}: skipped: {} ({}); the other pictures are read", (fs::path(folder) / name).string(),
                         entry.is_symlink(linkError) ? "a link to a file that does not exist" : "cannot be read", why);
        }
    }
    if (ec)
        throw Error(folder + ": cannot list it: " + ec.message());
    if (names.empty())
        throw Error(folder + ": holds no PNG or JPEG pictures");
    std::sort(names.begin(), names.end());
    std::vector<torch::Tensor> images;
    images.reserve(names.size());
    for (const std::string& name : names) {
        try {
            images.push_back(readImage((fs::path(folder) / name).string(), channels, size));
        } catch (const Error& e) {
            if (!skipped)
                throw;
            skipped->push_back(e.what());
        }
    }
    if (images.empty())
        throw Error(folder + ": none of its " + std::to_string(names.size()) + " pictures could be read");
    Dataset data;
    data.name = fs::path(folder).filename().string();
    data.data = torch::stack(images);
    return data;
}

}  // namespace ebm
