#pragma once
// What several ebm subcommands share: runtime and model options, Ctrl-C and the exit status it
// leaves, input data, seeds, sampling options and the sampling progress display, --json reports,
// argument lists for a command that starts itself again, and the check that no output destroys
// an input or another output.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "ebm/base/json.h"
#include "ebm/nn/model.h"
#include "ebm/io/dataset.h"
#include "ebm/io/model_file.h"
#include "ebm/sample/sampler.h"
#include "cli_args.h"

namespace ebm::cli {

/// Raised by SIGINT/SIGTERM once stopOnInterrupt() has been called; long loops poll it.
extern std::atomic<bool> g_interrupted;
void stopOnInterrupt();
/// The exit status of a command that Ctrl-C (SIGINT) stopped early, after it wrote what it had:
/// 128 + the signal's number, as a shell reports a command the signal killed.
constexpr int kInterruptedExitStatus = 130;
/// The same for SIGTERM (kill's default signal, what a job scheduler or a launcher sends).
constexpr int kTerminatedExitStatus = 143;
/// The exit status of a command stopped early: kTerminatedExitStatus when SIGTERM stopped it,
/// else kInterruptedExitStatus (Ctrl-C, or a stop that came from elsewhere, such as another rank).
int interruptedExitStatus();

/// An exclusive lock on OUTPUT.lock (flock, not waited for), held for the life of the object, so
/// that two runs never write one output at once. The lock file keeps the holder's process id
/// (for the refusal) and is removed when the lock is given up.
class OutputLock {
public:
    /// Throws ebm::Error in one line when another process holds the lock or the lock file
    /// cannot be made; `option` names the option that gave `output` (for the message).
    OutputLock(const std::string& output, const std::string& option);
    ~OutputLock();
    OutputLock(const OutputLock&) = delete;
    OutputLock& operator=(const OutputLock&) = delete;
    const std::string& path() const { return lockPath_; }

private:
    std::string lockPath_;
    int descriptor_ = -1;
};

/// Adds --threads and --device, parses argv and sets the runtime up.
torch::Device parseWithRuntime(CliArgs& args, int argc, char** argv);

/// A command that works on one model: the device and the model given by --model.
struct ModelCommand {
    torch::Device device{torch::kCPU};
    OpenedModel model;
};
/// --raw-weights: the file's raw weights even when it holds averaged ones.
WeightChoice weightChoiceFrom(const CliArgs& args);
/// The model named by --model (the bundled one when it is not given), with --raw-weights, on `device`.
OpenedModel openModelOption(const CliArgs& args, torch::Device device);

/// Adds --model and --raw-weights (for a command that opens the model only in some of its uses).
void addModelOptions(CliArgs& args);

/// Adds --model, --raw-weights and the runtime options, parses argv and opens the model (the bundled one when
/// --model is not given).
ModelCommand startModelCommand(CliArgs& args, int argc, char** argv);

/// The file --model names, or the bundled model's when it is not given.
std::string modelFileOption(const CliArgs& args);

/// A file that a command reads or writes, with the option that names it ({"model", "m.ebm"}).
struct NamedFile {
    std::string option;  // without the dashes, as CliArgs names it
    std::string path;     // empty: not given, nothing to check
};

/// The files of the options `names` that were given a value, for refuseSharedFiles.
std::vector<NamedFile> namedFiles(const CliArgs& args, const std::vector<std::string>& names);

/// Refuses, before any work, a command whose outputs would overwrite one of its inputs or one
/// another: one line naming both options and the file. Existing files are compared by identity
/// (device and inode, so that ./m.ebm, m.ebm and a link to it are one file); outputs not yet
/// written, by their canonical names. Devices and folders (/dev/null twice) never clash.
void refuseSharedFiles(const std::vector<NamedFile>& inputs, const std::vector<NamedFile>& outputs);

/// Whether `a` and `b` name one existing regular file, however each is spelled or linked.
bool sameExistingFile(const std::string& a, const std::string& b);
/// Whether `path` names an existing regular file (through links).
bool isExistingFile(const std::string& path);

/// Images (or points) for a model: a .npy, a picture file or folder, a data set.
Dataset openInput(const std::string& spec, const ModelConfig& model, bool train = false);
/// The first `limit` rows (all when limit <= 0).
torch::Tensor limitRows(const torch::Tensor& x, long long limit);

/// --precision: the network's arithmetic while sampling or measuring energies.
void addPrecisionOption(CliArgs& args);
Precision precisionFrom(const CliArgs& args);
/// --sampler: langevin or mala (the option's error names it).
Sampler samplerFrom(const CliArgs& args);

/// Exit status when some energies are NaN or infinite: the output is written, but its figures
/// are not numbers a script should take (0 would pass them on as results).
constexpr int kNonFiniteExitStatus = 3;

/// --schedule, --steps, --step-size, --seed, --every, --no-denoise, --reference-inpaint-noise,
/// --precision.
void addSamplingOptions(CliArgs& args);
SamplingOptions samplingOptionsFrom(const CliArgs& args);

/// Draws the progress bar with ETA, keeps the frames (temperature and energies, not the
/// states) when `keep` is given, stops on Ctrl-C.
FrameCallback progressCallback(ProgressBar& bar, std::vector<SampleFrame>* keep);

/// Option --name as a random seed: a whole number from 0 up.
uint64_t seedFrom(const CliArgs& args, const std::string& name = "seed");

/// A --json report: one object on one line of standard output (logs go to standard error).
void printJsonLine(const Json& report);

/// `arguments` without the options `names` (given as --name VALUE or --name=VALUE), for a
/// command that starts itself again with other values of them.
std::vector<std::string> withoutOptions(const std::vector<std::string>& arguments,
                                        const std::vector<std::string>& names);

/// Comma-separated items, blanks trimmed, empty items dropped.
std::vector<std::string> splitList(const std::string& text);

/// The comma-separated whole numbers of option --name, each in [lowest, highest]; anything
/// else (an empty list, "0,x", a number out of range) is refused with one line naming the option.
std::vector<long long> integerList(const CliArgs& args, const std::string& name, long long lowest, long long highest);

}  // namespace ebm::cli
