// Folders of pictures as data sets: every PNG/JPEG in the folder, read at one size.
#include <algorithm>
#include <filesystem>

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
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec))
        if (entry.is_regular_file(ec) && isImageFileName(entry.path().filename().string()))
            names.push_back(entry.path().filename().string());
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
