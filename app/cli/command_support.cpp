#include "command_support.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <torch/torch.h>

#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <climits>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"
#include "ebm/io/dataset.h"
#include "ebm/io/model_file.h"

namespace ebm::cli {

std::atomic<bool> g_interrupted{false};

namespace {

// The signal that stopped the command (0: none); lock-free, so the handler may store it.
std::atomic<int> g_interruptSignal{0};

constexpr long long kMaxThreads = 1 << 16;  // configureThreads bounds it by the cores anyway

void onInterrupt(int signal)
{
    g_interruptSignal.store(signal);
    g_interrupted.store(true);
}

std::string numberText(double value)
{
    std::ostringstream text;
    text << value;
    return text.str();
}

/// What tells files apart: an existing file's device and inode (whatever its spelling or the
/// links to it), else, for a file not written yet, the canonical form of its name.
struct FileIdentity {
    bool exists = false;
    bool regular = false;  // only a regular file holds something an output could destroy
    dev_t device = 0;
    ino_t inode = 0;
    std::string canonicalName;
};

FileIdentity identify(const std::string& path)
{
    FileIdentity identity;
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
        identity.exists = true;
        identity.regular = S_ISREG(info.st_mode);
        identity.device = info.st_dev;
        identity.inode = info.st_ino;
        return identity;
    }
    // Absolute first: weakly_canonical leaves a relative name none of whose parts exist as it is.
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(absolute, ec);
    identity.canonicalName = ec ? absolute.lexically_normal().string() : canonical.string();
    return identity;
}

/// Whether writing `output` would destroy `other`: the same existing regular file, or, when
/// `other` is an output too and neither exists yet, the same name.
bool clashes(const FileIdentity& output, const FileIdentity& other, bool otherIsOutput)
{
    if (output.exists || other.exists)
        return output.regular && other.regular && output.device == other.device && output.inode == other.inode;
    return otherIsOutput && output.canonicalName == other.canonicalName;
}

[[noreturn]] void refuseClash(const NamedFile& output, const NamedFile& other)
{
    const std::string spelled = output.path == other.path ? output.path : output.path + " and " + other.path;
    throw Error("--" + output.option + " and --" + other.option + " name the same file (" + spelled +
                "); choose another file for --" + output.option);
}

}  // namespace

void stopOnInterrupt()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

int interruptedExitStatus()
{
    return g_interruptSignal.load() == SIGTERM ? kTerminatedExitStatus : kInterruptedExitStatus;
}

namespace {

/// The process id a lock holder wrote into its lock file, or "" when it cannot be read.
std::string lockHolder(const std::string& lockPath)
{
    std::ifstream in(lockPath);
    long long pid = 0;
    return in >> pid && pid > 0 ? std::to_string(pid) : std::string();
}

/// Whether `descriptor` is still the file at `path`: a holder that gave the lock up removed its
/// file, and a lock on the removed file would keep nobody out.
bool stillNamedBy(int descriptor, const std::string& path)
{
    struct stat opened {}, named {};
    return ::fstat(descriptor, &opened) == 0 && ::stat(path.c_str(), &named) == 0 && opened.st_dev == named.st_dev &&
           opened.st_ino == named.st_ino;
}

/// OUTPUT.lock beside the output; for a name too long to take ".lock" (255 bytes a name), a
/// shorter name derived from it, so that every run on that output still finds the same file.
std::string lockPathFor(const std::string& output)
{
    const std::filesystem::path path(output);
    const std::string name = path.filename().string() + ".lock";
    if (name.size() <= NAME_MAX)
        return output + ".lock";
    std::ostringstream shortName;
    shortName << ".ebm-lock-" << std::hex << std::hash<std::string>{}(path.filename().string());
    return (path.parent_path() / shortName.str()).string();
}

}  // namespace

OutputLock::OutputLock(const std::string& output, const std::string& option) : lockPath_(lockPathFor(output))
{
    constexpr int kAttempts = 5;  // a holder removing its file between our open and flock: try again
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        const int descriptor = ::open(lockPath_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (descriptor < 0)
            throw Error(lockPath_ + ": cannot make the lock file that keeps other runs off --" + option + " " +
                        output + " (" + std::strerror(errno) + "); choose an --" + option +
                        " in a folder you can write");
        if (::flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            ::close(descriptor);
            if (error != EWOULDBLOCK)
                throw Error(lockPath_ + ": cannot lock it (" + std::string(std::strerror(error)) + ")");
            const std::string holder = lockHolder(lockPath_);
            throw Error(output + " is being written by another run" +
                        (holder.empty() ? std::string() : " (process " + holder + ")") + ", which holds " +
                        lockPath_ + "; wait for it to end, or choose another --" + option);
        }
        if (!stillNamedBy(descriptor, lockPath_)) {
            ::close(descriptor);
            continue;
        }
        descriptor_ = descriptor;
        const std::string pid = std::to_string(::getpid()) + "\n";
        if (::ftruncate(descriptor_, 0) != 0 || ::write(descriptor_, pid.data(), pid.size()) < 0)
            spdlog::debug("{}: cannot note this process in the lock file", lockPath_);
        return;
    }
    throw Error(lockPath_ + ": the lock file keeps being replaced; is another run starting on --" + option + " " +
                output + "?");
}

OutputLock::~OutputLock()
{
    if (descriptor_ < 0)
        return;
    // Removed while still held, so a run waiting on this file finds it gone and makes a new one.
    ::unlink(lockPath_.c_str());
    ::close(descriptor_);
}

torch::Device parseWithRuntime(CliArgs& args, int argc, char** argv)
{
    args.options(R"(
--threads=0    intra-op CPU threads (0 = one per core; more than the cores are not used)
--device=auto  auto, cpu or cuda
)");
    args.parse(argc, argv);
    configureThreads(static_cast<int>(args.integerIn("threads", 0, kMaxThreads)));
    torch::Device device = chooseDevice(args.text("device"));
    spdlog::debug("running on {}", describeDevice(device));
    return device;
}

WeightChoice weightChoiceFrom(const CliArgs& args)
{
    return args.isSet("raw-weights") ? WeightChoice::Raw : WeightChoice::PreferAveraged;
}

void addModelOptions(CliArgs& args)
{
    args.options(R"(
--model=      checkpoint: native .ebm or a reference PyTorch .pt (default: bundled model)
--raw-weights  use the trained weights even when the file holds their moving average (EMA)
)");
}

ModelCommand startModelCommand(CliArgs& args, int argc, char** argv)
{
    addModelOptions(args);
    const torch::Device device = parseWithRuntime(args, argc, argv);
    return ModelCommand{device, openModelOption(args, device)};
}

OpenedModel openModelOption(const CliArgs& args, torch::Device device)
{
    return openModel(args.text("model"), device, weightChoiceFrom(args));
}

std::string modelFileOption(const CliArgs& args)
{
    return args.text("model").empty() ? bundledModelPath() : args.text("model");
}

std::vector<NamedFile> namedFiles(const CliArgs& args, const std::vector<std::string>& names)
{
    std::vector<NamedFile> files;
    for (const std::string& name : names)
        if (!args.text(name).empty())
            files.push_back({name, args.text(name)});
    return files;
}

void refuseSharedFiles(const std::vector<NamedFile>& inputs, const std::vector<NamedFile>& outputs)
{
    std::vector<FileIdentity> inputIds, outputIds;
    for (const NamedFile& input : inputs)
        inputIds.push_back(identify(input.path));
    for (const NamedFile& output : outputs)
        outputIds.push_back(identify(output.path));
    for (size_t i = 0; i < outputs.size(); ++i) {
        if (outputs[i].path.empty())
            continue;
        for (size_t k = 0; k < inputs.size(); ++k)
            if (!inputs[k].path.empty() && clashes(outputIds[i], inputIds[k], false))
                refuseClash(outputs[i], inputs[k]);
        for (size_t k = 0; k < i; ++k)
            if (!outputs[k].path.empty() && clashes(outputIds[i], outputIds[k], true))
                refuseClash(outputs[i], outputs[k]);
    }
}

bool sameExistingFile(const std::string& a, const std::string& b)
{
    return !a.empty() && !b.empty() && clashes(identify(a), identify(b), false);
}

bool isExistingFile(const std::string& path)
{
    return !path.empty() && identify(path).regular;
}

Dataset openInput(const std::string& spec, const ModelConfig& model, bool train)
{
    if (spec.empty())
        throw Error("give the images with --input (a .npy file, PNG/JPEG file or folder, "
                    "an MNIST/CIFAR folder, or fashion-mnist)");
    Dataset data = model.isImageModel() ? openAnyDataset(spec, model.inChannels, model.imageSize, train)
                                        : openDataset(spec, train, 0);
    // Before the network sees them: a shape it cannot take would end in LibTorch's words
    // ("Expected 3D ... conv2d", "mat1 and mat2 shapes"), without the file's name.
    const std::vector<int64_t> expected = model.sampleShape();
    const std::vector<int64_t> got(data.data.sizes().begin() + 1, data.data.sizes().end());
    if (got != expected) {
        std::ostringstream msg;
        msg << spec << ": holds ";
        if (got.size() == 1)
            msg << got[0] << "-dimensional points";
        else
            msg << "items of shape " << c10::IntArrayRef(got);
        msg << ", but the model (" << model.describe() << ") takes ";
        if (model.isImageModel())
            msg << "images of shape " << c10::IntArrayRef(expected)
                << (got.size() == 3 && got[0] != expected[0] ? "; convert the channels (gray or RGB) to match"
                                                             : "; give images, not points");
        else
            msg << model.inputDim << "-dimensional points; give points of that dimension, not images";
        throw Error(msg.str());
    }
    // A NaN or infinite value makes every figure of its item NaN (null in JSON): refuse it
    // here, naming the file and the first such item.
    const torch::Tensor nonFinite = data.size() > 0 ? (~torch::isfinite(data.data.flatten(1))).any(1) : torch::Tensor();
    if (nonFinite.defined() && nonFinite.any().item<bool>()) {
        const int64_t first = nonFinite.nonzero()[0][0].item<int64_t>();
        const int64_t count = nonFinite.sum().item<int64_t>();
        throw Error(spec + ": item " + std::to_string(first) +
                    (count > 1 ? " and " + std::to_string(count - 1) + " more hold" : " holds") +
                    " NaN or infinite values, which give no energy; replace or drop them");
    }
    return data;
}

torch::Tensor limitRows(const torch::Tensor& x, long long limit)
{
    return limit > 0 && x.size(0) > limit ? x.slice(0, 0, limit) : x;
}

void addSamplingOptions(CliArgs& args)
{
    const SamplingOptions defaults;
    args.option("schedule", defaults.schedule,
                "fast, paper (2700-step exponential), paper-linear, quick, or a schedule curve FILE.json")
        .option("steps", std::to_string(defaults.scheduleSteps), "schedule length (0 = the schedule's own)")
        .option("step-size", numberText(defaults.stepSize),
                "Langevin step size eps (0 = the schedule's own: " + numberText(kDefaultLangevinStepSize) +
                    ", or " + numberText(schedulePresetStepSize("fast")) + " for fast)")
        .option("seed", std::to_string(defaults.seed), "random seed")
        .option("every", std::to_string(defaults.reportEvery), "record the trace every N steps")
        .flag("no-denoise", "skip the final denoising jump (eq. 9)")
        .flag("reference-inpaint-noise", "use the reference code's 0.1*T^(1/4) noise on known pixels");
    addPrecisionOption(args);
}

void addPrecisionOption(CliArgs& args)
{
    args.option("precision", toString(defaultSamplingPrecision()),
                "the network's arithmetic: float32, or bf16 (bfloat16 convolutions; the default on CPUs with "
                "AVX-512 BF16 or AMX, which have it natively)");
}

Precision precisionFrom(const CliArgs& args)
{
    try {
        return parsePrecision(args.text("precision"));
    } catch (const Error& e) {
        throw Error(std::string("--precision: ") + e.what());
    }
}

Sampler samplerFrom(const CliArgs& args)
{
    try {
        return parseSampler(args.text("sampler"));
    } catch (const Error& e) {
        throw Error(std::string("--sampler: ") + e.what());
    }
}

SamplingOptions samplingOptionsFrom(const CliArgs& args)
{
    SamplingOptions options;
    options.schedule = args.text("schedule");
    options.scheduleSteps = static_cast<int>(args.integerIn("steps", 0, kMaxScheduleSteps));
    options.stepSize = args.real("step-size");
    options.seed = seedFrom(args);
    options.reportEvery = static_cast<int>(args.integerIn("every", 1, kMaxScheduleSteps));
    options.finalDenoise = !args.isSet("no-denoise");
    options.referenceInpaintNoise = args.isSet("reference-inpaint-noise");
    options.precision = precisionFrom(args);
    return options;
}

FrameCallback progressCallback(ProgressBar& bar, std::vector<SampleFrame>* keep)
{
    const auto started = std::chrono::steady_clock::now();
    return [&bar, keep, started](const SampleFrame& f) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const double eta = f.step > 0 ? elapsed * (f.totalSteps - f.step) / f.step : 0.0;
        char detail[80];
        std::snprintf(detail, sizeof detail, "T %.3g  E %.4g", f.temperature, f.energies.mean().item<double>());
        bar.update(static_cast<double>(f.step) / f.totalSteps, detail, eta);
        if (keep) {
            keep->push_back(f);
            keep->back().state = torch::Tensor();  // statistics only: a frame's images would add up to gigabytes
        }
        return !g_interrupted.load();
    };
}

uint64_t seedFrom(const CliArgs& args, const std::string& name)
{
    return static_cast<uint64_t>(args.integerIn(name, 0, std::numeric_limits<long long>::max()));
}

void printJsonLine(const Json& report)
{
    std::cout << report.dump() << '\n';
}

std::vector<std::string> withoutOptions(const std::vector<std::string>& arguments,
                                        const std::vector<std::string>& names)
{
    std::vector<std::string> kept;
    for (size_t i = 0; i < arguments.size(); ++i) {
        const std::string& a = arguments[i];
        bool dropped = false;
        for (const std::string& name : names) {
            if (a == "--" + name) {
                ++i;  // and its value
                dropped = true;
                break;
            }
            if (a.rfind("--" + name + "=", 0) == 0) {
                dropped = true;
                break;
            }
        }
        if (!dropped)
            kept.push_back(a);
    }
    return kept;
}

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty())
            items.push_back(item);
    }
    return items;
}

std::vector<long long> integerList(const CliArgs& args, const std::string& name, long long lowest, long long highest)
{
    const std::string text = args.text(name);
    const std::string expected = "--" + name + " needs whole numbers between " + std::to_string(lowest) + " and " +
                                 std::to_string(highest) + " separated by commas, ";
    std::vector<long long> values;
    for (const std::string& item : splitList(text)) {
        long long value = 0;
        size_t used = 0;
        try {
            value = std::stoll(item, &used);
        } catch (const std::logic_error&) {
            used = 0;
        }
        if (used != item.size() || used == 0)
            throw Error(expected + "not '" + text + "' ('" + item + "' is not a whole number)");
        if (value < lowest || value > highest)
            throw Error(expected + "not '" + text + "' (" + item + " is out of range)");
        values.push_back(value);
    }
    if (values.empty())
        throw Error(expected + "not '" + text + "'");
    return values;
}

}  // namespace ebm::cli
