// ebm: the command-line face of the engine, with no Qt, for laptops, cluster and GPU nodes.
// Each subcommand lives in its own file under cli/; this file only dispatches and reports errors.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "cli/cli_args.h"
#include "cli/commands.h"
#include "cli/distributed_launch.h"
#include "ebm/base/error.h"
#include "ebm/nn/runtime.h"

namespace {

namespace cli = ebm::cli;

void printUsage()
{
    std::cout << "usage: ebm COMMAND [options]   (ebm COMMAND --help for details)\n\n"
                 "Energy-based models trained with multiscale denoising score matching.\n\n"
                 "commands:\n"
                 "  train     train a model (MDSM) on a data set\n"
                 "  sample    annealed Langevin sampling to a PNG grid, .npy and CSV trace\n"
                 "  inpaint   complete masked images\n"
                 "  energy    energies of images (with sigma0 noise); compare two sets (AUROC)\n"
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

}  // namespace

int main(int argc, char** argv)
{
    // Logs go to stderr so that --json output on stdout stays machine-readable.
    spdlog::set_default_logger(spdlog::stderr_color_mt("ebm"));
    spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
    ebm::keepFreedMemoryForReuse();
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        printUsage();
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    const std::map<std::string, int (*)(int, char**)> commands{
        {"train", cli::runTrain},   {"sample", cli::runSample}, {"inpaint", cli::runInpaint},
        {"energy", cli::runEnergy}, {"denoise", cli::runDenoise}, {"info", cli::runInfo},
        {"bench", cli::runBench},   {"eval", cli::runEval},     {"train-classifier", cli::runTrainClassifier},
        {"schedule", cli::runSchedule}, {"export", cli::runExport}};
    auto it = commands.find(command);
    if (it == commands.end()) {
        std::cerr << "ebm: unknown command '" << command << "'\n";
        printUsage();
        return 2;
    }
    try {
        return it->second(argc - 2, argv + 2);
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
