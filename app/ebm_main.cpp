// ebm: the command-line face of the engine, with no Qt, for laptops, cluster and GPU nodes.
// Each subcommand lives in its own file under cli/; this file only dispatches and reports errors.
#include <fcntl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"
#include "cli/cli_args.h"
#include "cli/commands.h"
#include "cli/distributed_launch.h"

namespace {

namespace cli = ebm::cli;

void printUsage()
{
    std::cout << "usage: ebm COMMAND [options]   (ebm COMMAND --help for details)\n\n"
                 "Energy-based models trained with multiscale denoising score matching.\n\n"
                 "commands:\n"
                 "  train     train a model (MDSM) on a data set\n"
                 "  sample    annealed Langevin sampling to a PNG grid, .npy and CSV trace\n"
                 "  sweep     a labelled grid of sampling runs over one or two settings (step size, steps, seed, ...)\n"
                 "  inpaint   complete masked images\n"
                 "  energy    energies of images (with sigma0 noise); compare two sets (AUROC)\n"
                 "  path      energy along the straight line and the relaxed (NEB) path between two images\n"
                 "  denoise   single-step denoising jump\n"
                 "  info      describe a checkpoint\n"
                 "  export    write a model as a PyTorch state_dict (reference keys) or native checkpoint\n"
                 "  eval      sample quality (FID-like, IS-like, classes), nearest neighbours, AIS likelihood\n"
                 "  train-classifier  train the feature network that eval uses\n"
                 "  bench     training and sampling speed, text or JSON\n"
                 "  schedule  an annealing schedule (curve file or preset) as JSON or step,temperature CSV\n";
}

/// A rank started by `--nproc` also hands its error line to the launcher, which reports it.
void handErrorToLauncher(const std::string& line)
{
    if (const char* path = std::getenv(cli::kRankErrorFileVariable); path && *path)
        std::ofstream(path) << line << '\n';
}

/// A closed standard descriptor is taken by the next file the program opens, and what is printed
/// would land in that file (a model, a PNG): hold it with /dev/null opened read-only, so that
/// printing there fails and is reported.
void holdClosedStandardDescriptors()
{
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd)
        if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            const int held = ::open("/dev/null", O_RDONLY);  // the lowest free descriptor: fd
            if (held >= 0 && held != fd) {
                ::dup2(held, fd);
                ::close(held);
            }
        }
}

/// Whether all that went to standard output (std::cout and printf share stdout's buffer) reached
/// it. A command whose output is lost (a full disk, a closed descriptor) has failed, as in coreutils.
bool standardOutputWritten()
{
    errno = 0;
    std::cout.flush();
    int error = errno;
    const bool flushed = std::fflush(stdout) == 0;
    if (error == 0)
        error = errno;
    if (flushed && !std::cout.fail() && !std::ferror(stdout))
        return true;
    // A write that failed while the command ran (its buffer filled) left the error flag, not
    // its errno: say so rather than guess a reason.
    const std::string reason =
        error != 0 ? std::strerror(error) : "a write failed while the command ran (a full disk, a closed pipe?)";
    std::cerr << "ebm: writing to standard output failed: " << reason << '\n';
    return false;
}

/// Runs the command, turning its errors into one line on standard error and exit status 1.
int runCommand(const std::string& command, int (*run)(int, char**), int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const cli::HelpShown&) {
        return 0;
    } catch (const ebm::Error& e) {
        std::cerr << "ebm " << command << ": " << e.what() << '\n';
        handErrorToLauncher(e.what());
        return 1;
    } catch (const std::exception& e) {
        std::string text = e.what();
        std::cerr << "ebm " << command << ": unexpected error: " << text.substr(0, text.find('\n')) << '\n';
        handErrorToLauncher("unexpected error: " + text.substr(0, text.find('\n')));
        return 1;
    }
}

/// Dispatches to the command named by argv[1]; the exit status.
int dispatch(int argc, char** argv)
{
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        printUsage();
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    const std::map<std::string, int (*)(int, char**)> commands{
        {"train", cli::runTrain},   {"sample", cli::runSample}, {"inpaint", cli::runInpaint},
        {"energy", cli::runEnergy}, {"denoise", cli::runDenoise}, {"info", cli::runInfo},
        {"bench", cli::runBench},   {"eval", cli::runEval},     {"train-classifier", cli::runTrainClassifier},
        {"schedule", cli::runSchedule}, {"export", cli::runExport}, {"path", cli::runPath},
        {"sweep", cli::runSweep}};
    auto it = commands.find(command);
    if (it == commands.end()) {
        std::cerr << "ebm: unknown command '" << command << "'\n";
        printUsage();
        return 2;
    }
    return runCommand(command, it->second, argc - 2, argv + 2);
}

}  // namespace

int main(int argc, char** argv)
{
    holdClosedStandardDescriptors();
    // Logs go to stderr so that --json output on stdout stays machine-readable.
    spdlog::set_default_logger(spdlog::stderr_color_mt("ebm"));
    spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
    ebm::keepFreedMemoryForReuse();
    const int status = dispatch(argc, argv);
    if (!standardOutputWritten())
        return status == 0 ? 1 : status;
    return status;
}
