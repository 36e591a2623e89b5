// Run files (ebm/io/run_bundle.h): a folder of .npy arrays and the run's settings, written into a
// new folder beside the target and renamed into place, read with every size checked first.
#include "ebm/io/run_bundle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "ebm/base/error.h"
#include "ebm/base/json.h"
#include "ebm/io/dataset.h"
#include "base/file_util.h"

namespace ebm {
namespace fs = std::filesystem;

namespace {

constexpr char kFramesFile[] = "frames.npy";
constexpr char kStepsFile[] = "steps.npy";
constexpr char kTemperaturesFile[] = "temperatures.npy";
constexpr char kEnergiesFile[] = "energies.npy";
constexpr char kFinalFile[] = "final.npy";
constexpr char kSettingsFile[] = "settings.json";

/// Room for a .npy file's preamble and header beside its data (numpy's are under 200 bytes).
constexpr uintmax_t kNpyHeaderAllowance = 64 << 10;
constexpr int kGray = 1, kRgb = 3;
constexpr int kMaxFolderNameTries = 100;  // names already taken by chance before giving up
constexpr size_t kRandomNameChars = 10;   // 62^10 names: nobody plants a link at each of them
constexpr mode_t kNewFolderMode = 0777;   // narrowed by the umask, as for any new folder

const std::set<std::string>& bundleFileNames()
{
    static const std::set<std::string> names = {kFramesFile, kStepsFile,   kTemperaturesFile,
                                                kEnergiesFile, kFinalFile, kSettingsFile};
    return names;
}

[[noreturn]] void refuse(const std::string& where, const std::string& problem)
{
    throw Error(where + ": " + problem);
}

std::string shapeText(const torch::Tensor& tensor)
{
    std::string text = "[";
    for (int64_t d = 0; d < tensor.dim(); ++d)
        text += (d ? ", " : "") + std::to_string(tensor.size(d));
    return text + "]";
}

/// Refuses `array` (the file `name` of the run `where`) unless it has `dtype` and `dims` dimensions.
void expectArray(const torch::Tensor& array, const std::string& where, const std::string& name, torch::Dtype dtype,
                 const char* dtypeName, int64_t dims)
{
    if (!array.defined())
        refuse(where, name + " is missing");
    if (array.scalar_type() != dtype)
        refuse(where, name + " holds " + c10::toString(array.scalar_type()) + " values; a run file keeps " +
                          dtypeName + " there");
    if (array.dim() != dims)
        refuse(where, name + " has the shape " + shapeText(array) + "; a run file keeps " + std::to_string(dims) +
                          " dimension" + (dims == 1 ? "" : "s") + " there");
}

/// Refuses `array` unless its leading sizes are `expected` (the run's moments, and samples).
void expectLeadingSizes(const torch::Tensor& array, const std::string& where, const std::string& name,
                        const std::vector<int64_t>& expected)
{
    for (size_t d = 0; d < expected.size(); ++d)
        if (array.size(int64_t(d)) != expected[d]) {
            std::string wanted = "[";
            for (size_t e = 0; e < expected.size(); ++e)
                wanted += (e ? ", " : "") + std::to_string(expected[e]);
            refuse(where, name + " has the shape " + shapeText(array) + " where the run's other arrays need " + wanted +
                              (expected.size() < size_t(array.dim()) ? ", ...]" : "]") +
                              "; the arrays disagree, the run folder is damaged");
        }
}

std::string randomChars(std::random_device& source)
{
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
    std::string chars(kRandomNameChars, ' ');
    for (char& c : chars)
        c = kAlphabet[pick(source)];
    return chars;
}

/// A new empty folder beside `targetName` in `parent`, hidden and under a name nobody can guess:
/// mkdir fails on anything already there (a planted link included), so nothing is followed.
fs::path createHiddenFolder(const fs::path& parent, const std::string& targetName)
{
    std::random_device source;  // getrandom(2): not predictable from the time or the process id
    bool shortName = false;
    for (int tries = 1;; ++tries) {
        const std::string random = randomChars(source);
        const fs::path candidate = parent / (shortName ? ".ebmrun-" + random : "." + targetName + "." + random);
        if (::mkdir(candidate.c_str(), kNewFolderMode) == 0)
            return candidate;
        const int error = errno;
        if (error == ENAMETOOLONG && !shortName) {
            shortName = true;  // the target's name leaves no room for the random part
            continue;
        }
        if (error != EEXIST || tries == kMaxFolderNameTries)
            throw std::runtime_error("cannot create a folder in " + parent.string() + " (" + std::strerror(error) +
                                     ")");
    }
}

/// Removes a run folder this writer made or moved aside: its files (links are removed, never
/// followed), then the folder. Something it did not expect (a folder inside) stays, with a warning.
void removeRunFolder(const fs::path& folder)
{
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
        std::error_code typeError;
        if (entry.is_directory(typeError) && !entry.is_symlink(typeError))
            continue;
        ::unlink(entry.path().c_str());
    }
    if (::rmdir(folder.c_str()) != 0)
        spdlog::warn("{}: could not remove this leftover of a saved run ({}); remove it by hand", folder.string(),
                     std::strerror(errno));
}

/// A folder made by createHiddenFolder, removed with what it holds unless kept.
class TemporaryRunFolder {
public:
    TemporaryRunFolder(const fs::path& parent, const std::string& targetName)
        : path_(createHiddenFolder(parent, targetName))
    {
    }
    TemporaryRunFolder(const TemporaryRunFolder&) = delete;
    TemporaryRunFolder& operator=(const TemporaryRunFolder&) = delete;
    ~TemporaryRunFolder()
    {
        if (!path_.empty())
            removeRunFolder(path_);
    }
    const fs::path& path() const { return path_; }
    /// After the rename the folder is the target: nothing left to remove.
    void keep() { path_.clear(); }

private:
    fs::path path_;
};

/// Renames live in the folder that holds them: flush it, or a crash may bring the old state back.
void syncFolder(const fs::path& folder)
{
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

/// Refuses to replace a folder that holds anything but a run's files: its files would be lost.
void refuseUnlessRunFolder(const std::string& path)
{
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(path, ec)) {
        const std::string name = entry.path().filename().string();
        if (!bundleFileNames().count(name))
            refuse(path, "is a folder that holds " + name + ", which is no part of a saved run; it is not replaced: "
                         "choose another name");
    }
    if (ec)
        refuse(path, "cannot look into the folder to replace it (" + ec.message() + ")");
}

}  // namespace

void checkRunBundle(const RunBundle& bundle, const std::string& where)
{
    expectArray(bundle.frames, where, kFramesFile, torch::kUInt8, "uint8", 5);
    const int64_t moments = bundle.frames.size(0), samples = bundle.frames.size(1);
    const int64_t channels = bundle.frames.size(2);
    if (moments < 1 || moments > kMaxRunBundleFrames)
        refuse(where, std::to_string(moments) + " recorded moments; a run file holds 1 to " +
                          std::to_string(kMaxRunBundleFrames));
    if (samples < 1 || samples > kMaxRunBundleSamples)
        refuse(where, std::to_string(samples) + " samples a moment; a run file holds 1 to " +
                          std::to_string(kMaxRunBundleSamples));
    if (channels != kGray && channels != kRgb)
        refuse(where, std::string(kFramesFile) + " has " + std::to_string(channels) +
                          " channels; a run's images are gray (1) or RGB (3)");
    if (bundle.frames.size(3) < 1 || bundle.frames.size(4) < 1)
        refuse(where, std::string(kFramesFile) + " has the shape " + shapeText(bundle.frames) + ": images without pixels");
    if (bundle.frames.numel() > kMaxRunBundleFrameBytes)
        refuse(where, "its frames take " + std::to_string(bundle.frames.numel()) + " bytes, more than the " +
                          std::to_string(kMaxRunBundleFrameBytes) + " a run file may hold");

    expectArray(bundle.steps, where, kStepsFile, torch::kInt, "int32", 1);
    expectLeadingSizes(bundle.steps, where, kStepsFile, {moments});
    expectArray(bundle.temperatures, where, kTemperaturesFile, torch::kDouble, "float64", 1);
    expectLeadingSizes(bundle.temperatures, where, kTemperaturesFile, {moments});
    expectArray(bundle.energies, where, kEnergiesFile, torch::kDouble, "float64", 2);
    expectLeadingSizes(bundle.energies, where, kEnergiesFile, {moments, samples});
    expectArray(bundle.finalFlags, where, kFinalFile, torch::kUInt8, "uint8", 1);
    expectLeadingSizes(bundle.finalFlags, where, kFinalFile, {moments});

    // The timeline finds a moment by its step: steps never go back.
    const torch::Tensor steps = bundle.steps.to(torch::kCPU).contiguous();
    const int32_t* step = steps.data_ptr<int32_t>();
    for (int64_t i = 0; i < moments; ++i) {
        if (step[i] < 0)
            refuse(where, std::string(kStepsFile) + " holds the step " + std::to_string(step[i]) +
                              "; steps are counted from 0");
        if (i > 0 && step[i] < step[i - 1])
            refuse(where, std::string(kStepsFile) + " goes back from step " + std::to_string(step[i - 1]) + " to " +
                              std::to_string(step[i]) + " at moment " + std::to_string(i) +
                              "; a run's moments are in the order they were recorded");
    }
    const torch::Tensor finals = bundle.finalFlags.to(torch::kCPU).contiguous();
    const uint8_t* flag = finals.data_ptr<uint8_t>();
    for (int64_t i = 0; i < moments; ++i)
        if (flag[i] > 1)
            refuse(where, std::string(kFinalFile) + " holds " + std::to_string(int(flag[i])) + " at moment " +
                              std::to_string(i) + "; its values are 0 or 1");

    const Json settings = parseJsonDocument(bundle.settingsJson, where + "/" + kSettingsFile);
    if (!settings.is_object())
        refuse(where, std::string(kSettingsFile) + " holds no JSON object; a run's settings are one");
}

void writeRunBundle(const std::string& path, const RunBundle& bundle)
{
    checkRunBundle(bundle, path);
    fs::path target(path);
    if (target.filename().empty())  // "run.ebmrun/"
        target = target.parent_path();
    if (target.empty())
        refuse(path, "names no folder to save the run in");

    struct stat existing {};
    const bool replacing = ::lstat(target.c_str(), &existing) == 0;
    if (!replacing && errno == ENAMETOOLONG)
        refuse(path, "the name or its path is longer than the system allows; choose a shorter one");
    if (replacing && S_ISLNK(existing.st_mode))
        refuse(path, "is a symbolic link; a run is never saved through one (its folder would replace what the link "
                     "points to): choose another name");
    if (replacing && !S_ISDIR(existing.st_mode))
        refuse(path, "is a file, not a run folder; it is not replaced: choose another name");
    if (replacing)
        refuseUnlessRunFolder(target.string());

    const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string name = target.filename().string();
    std::unique_ptr<TemporaryRunFolder> temporary;
    try {
        temporary = std::make_unique<TemporaryRunFolder>(parent, name);
        const auto file = [&](const char* fileName) { return (temporary->path() / fileName).string(); };
        // Each file goes in through the engine's safe writer, in the new folder no one else knows yet.
        writeNpyAsStored(file(kStepsFile), bundle.steps);
        writeNpyAsStored(file(kTemperaturesFile), bundle.temperatures);
        writeNpyAsStored(file(kEnergiesFile), bundle.energies);
        writeNpyAsStored(file(kFinalFile), bundle.finalFlags);
        writeNpyAsStored(file(kFramesFile), bundle.frames);
        internal::writeBytesAtomically(file(kSettingsFile), bundle.settingsJson, "run settings");
        if (replacing && ::chmod(temporary->path().c_str(), existing.st_mode & 07777) != 0)
            throw std::runtime_error(std::string("cannot give it the old run's permissions (") + std::strerror(errno) +
                                     ")");
    } catch (const std::exception& e) {
        refuse(path, "could not write the run: " + internal::firstLine(e.what()) +
                         " (check that the folder exists and is writable, and that the disk has space)");
    }

    // The old run goes aside (onto an empty folder of ours, which a rename may replace), the new
    // one in, then the old one is removed: a failure in between puts the old one back.
    fs::path aside;
    if (replacing) {
        try {
            aside = createHiddenFolder(parent, name);
        } catch (const std::exception& e) {
            refuse(path, std::string("could not replace the old run: ") + e.what());
        }
        if (::rename(target.c_str(), aside.c_str()) != 0) {
            const int error = errno;
            ::rmdir(aside.c_str());
            refuse(path, std::string("could not move the old run aside: ") + std::strerror(error) +
                             " (check the folder's permissions)");
        }
    }
    if (::rename(temporary->path().c_str(), target.c_str()) != 0) {
        const int error = errno;
        if (replacing && ::rename(aside.c_str(), target.c_str()) != 0)
            spdlog::warn("{}: the old run could not be put back; it is in {}", path, aside.string());
        refuse(path, std::string("could not put the run in place: ") + std::strerror(error) +
                         " (check the folder's permissions)");
    }
    temporary->keep();
    syncFolder(parent);
    if (replacing)
        removeRunFolder(aside);
}

RunBundle readRunBundle(const std::string& path)
{
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status))
        refuse(path, "no such run folder");
    if (!fs::is_directory(status))
        refuse(path, std::string("is not a run folder (a NAME") + kRunBundleSuffix + " folder that EBM Studio saved)");
    const auto file = [&](const char* name) {
        const std::string filePath = (fs::path(path) / name).string();
        std::error_code missing;
        if (!fs::exists(fs::symlink_status(filePath, missing)))
            refuse(path, std::string("holds no ") + name + "; it is no run saved by EBM Studio, or an incomplete one");
        return filePath;
    };

    // The small arrays first: they say how many moments and samples the frames may hold, and no
    // file is read whole before its size is known to fit what the others declare.
    RunBundle bundle;
    bundle.steps = readNpyAsStored(file(kStepsFile), kNpyHeaderAllowance + sizeof(int32_t) * kMaxRunBundleFrames);
    expectArray(bundle.steps, path, kStepsFile, torch::kInt, "int32", 1);
    const int64_t moments = bundle.steps.size(0);
    if (moments < 1 || moments > kMaxRunBundleFrames)
        refuse(path, std::string(kStepsFile) + " holds " + std::to_string(moments) +
                         " recorded moments; a run file holds 1 to " + std::to_string(kMaxRunBundleFrames));
    const uintmax_t perMoment = uintmax_t(moments);
    bundle.temperatures = readNpyAsStored(file(kTemperaturesFile), kNpyHeaderAllowance + sizeof(double) * perMoment);
    expectArray(bundle.temperatures, path, kTemperaturesFile, torch::kDouble, "float64", 1);
    expectLeadingSizes(bundle.temperatures, path, kTemperaturesFile, {moments});
    bundle.finalFlags = readNpyAsStored(file(kFinalFile), kNpyHeaderAllowance + perMoment);
    expectArray(bundle.finalFlags, path, kFinalFile, torch::kUInt8, "uint8", 1);
    expectLeadingSizes(bundle.finalFlags, path, kFinalFile, {moments});
    bundle.energies = readNpyAsStored(file(kEnergiesFile),
                                      kNpyHeaderAllowance + sizeof(double) * perMoment * kMaxRunBundleSamples);
    expectArray(bundle.energies, path, kEnergiesFile, torch::kDouble, "float64", 2);
    const int64_t samples = bundle.energies.size(1);
    if (samples < 1 || samples > kMaxRunBundleSamples)
        refuse(path, std::string(kEnergiesFile) + " holds " + std::to_string(samples) +
                         " samples a moment; a run file holds 1 to " + std::to_string(kMaxRunBundleSamples));
    expectLeadingSizes(bundle.energies, path, kEnergiesFile, {moments});
    bundle.frames = readNpyAsStored(file(kFramesFile), kNpyHeaderAllowance + uintmax_t(kMaxRunBundleFrameBytes));
    expectArray(bundle.frames, path, kFramesFile, torch::kUInt8, "uint8", 5);
    if (bundle.frames.size(0) != moments || bundle.frames.size(1) != samples)
        refuse(path, std::string(kFramesFile) + " has the shape " + shapeText(bundle.frames) + " where " + kStepsFile +
                         " and " + kEnergiesFile + " need [" + std::to_string(moments) + ", " +
                         std::to_string(samples) + ", ...]; the arrays disagree, the run folder is damaged");
    bundle.settingsJson = internal::readFileBytes(file(kSettingsFile), kMaxRunBundleSettingsBytes);
    checkRunBundle(bundle, path);
    return bundle;
}

}  // namespace ebm
