#pragma once
// Multi-process (data-parallel) runs of the ebm tool: the options a rank is started with, and
// the local launcher behind --nproc N, which starts N ranks of this same program on 127.0.0.1.
#include <string>
#include <vector>

#include "cli_args.h"

namespace ebm {
struct DistributedOptions;  // ebm/train/distributed.h: kept out so that ebm_main stays torch-free
}

namespace ebm::cli {

/// The environment variable through which a rank started by the launcher hands its one-line
/// error back (ebm_main writes it); the launcher reports the first failed rank's line.
constexpr const char* kRankErrorFileVariable = "EBM_RANK_ERROR_FILE";

/// Adds --nproc, --rank, --world-size, --master, --backend and --dist-timeout.
void addDistributedOptions(CliArgs& args);

/// The rank's options: the launcher variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
/// MASTER_PORT), overridden by the flags; validated.
DistributedOptions distributedOptionsFrom(const CliArgs& args);

/// --nproc, checked against --rank and --world-size (a launcher starts ranks; it is not one).
int localProcessCount(const CliArgs& args);

/// Runs `processes` ranks of this program with `arguments` (what follows the program's name,
/// --nproc removed here), each with the launcher variables on a free 127.0.0.1 port and, unless
/// --threads is among the arguments, an equal share of the cores. Waits for all. When one
/// fails the others are stopped (SIGTERM, then SIGKILL after a grace period) and ebm::Error
/// names the rank that failed first and its message. Ctrl-C or SIGTERM here is passed on.
/// Returns 0, or 130 when the ranks were interrupted.
int runLocalRanks(std::vector<std::string> arguments, int processes);

/// Command-line arguments back as strings (argv after the subcommand).
std::vector<std::string> argumentList(const std::string& command, int argc, char** argv);

}  // namespace ebm::cli
