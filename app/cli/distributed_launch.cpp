#include "distributed_launch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ebm/base/error.h"
#include "ebm/train/distributed.h"
#include "command_support.h"

extern char** environ;

namespace ebm::cli {
namespace {

constexpr int kMaxLocalProcesses = 256;
constexpr double kShutdownGraceSeconds = 10.0;  // after a failure, the others get this long to end
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr size_t kMaxMessageBytes = 4096;
const char* const kLauncherVariables[] = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT",
                                          kRankErrorFileVariable};

int usableCores()
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

/// A port nobody listens on now: the kernel's pick for port 0 on 127.0.0.1. Rank 0 binds it a
/// moment later; another program taking it in between makes rank 0 fail with a clear line.
int freeLocalPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw Error(std::string("cannot open a socket to find a free port: ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    const int error = errno;
    ::close(fd);
    if (!ok)
        throw Error(std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(error));
    return ntohs(address.sin_port);
}

std::string programPath()
{
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error)
        throw Error("cannot find this program's own file (/proc/self/exe) to start the ranks: " + error.message());
    return self.string();
}

std::string firstLineOfFile(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    if (line.size() > kMaxMessageBytes)
        line.resize(kMaxMessageBytes);
    return line;
}

std::string describeStatus(int status)
{
    if (WIFSIGNALED(status)) {
        const int signal = WTERMSIG(status);
        return "was killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    }
    return "ended with exit status " + std::to_string(WEXITSTATUS(status));
}

bool failed(int status)
{
    const int code = WIFSIGNALED(status) ? -1 : WEXITSTATUS(status);
    return code != 0 && code != kInterruptedExitStatus && code != kTerminatedExitStatus;
}

struct Rank {
    int rank = 0;
    pid_t pid = -1;
    bool running = false;
    int status = 0;
    bool killedFromOutside = false;  // by a signal the launcher did not send
    std::string errorFile;
};

/// Sends `signal` to every rank still running.
void signalRunning(const std::vector<Rank>& ranks, int signal)
{
    for (const Rank& r : ranks)
        if (r.running)
            ::kill(r.pid, signal);
}

/// The ranks get the same arguments without --nproc, and a share of the cores each.
std::vector<std::string> rankArgumentsFrom(const std::vector<std::string>& arguments, int processes)
{
    std::vector<std::string> rankArguments = withoutOptions(arguments, {"nproc"});
    const bool threadsGiven = std::any_of(rankArguments.begin(), rankArguments.end(), [](const std::string& a) {
        return a == "--threads" || a.rfind("--threads=", 0) == 0;
    });
    if (!threadsGiven) {
        rankArguments.push_back("--threads");
        rankArguments.push_back(std::to_string(std::max(1, usableCores() / processes)));
    }
    return rankArguments;
}

/// A new folder for the ranks' error files.
std::string makeMessageFolder()
{
    char folderTemplate[] = "/tmp/ebm-ranks-XXXXXX";
    if (!::mkdtemp(folderTemplate))
        throw Error(std::string("cannot make a temporary folder for the ranks' messages: ") + std::strerror(errno));
    return folderTemplate;
}

/// This process's environment without the launcher variables: each rank gets its own.
std::vector<std::string> environmentWithoutLauncherVariables()
{
    std::vector<std::string> baseEnvironment;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        bool ours = false;
        for (const char* name : kLauncherVariables)
            ours = ours || entry.rfind(std::string(name) + "=", 0) == 0;
        if (!ours)
            baseEnvironment.push_back(entry);
    }
    return baseEnvironment;
}

/// What every rank is started with.
struct RankLaunch {
    int processes = 0;
    std::string program;
    std::vector<std::string> arguments;
    std::vector<std::string> environment;  // without the launcher variables
    int port = 0;                          // rank 0's rendezvous on 127.0.0.1
    std::string folder;                    // of the ranks' error files
};

/// Starts rank `rank` with its launcher variables. When it cannot be started the ranks started
/// before it are killed and reaped, the folder is removed, and ebm::Error says why.
void startRank(const RankLaunch& launch, std::vector<Rank>& ranks, int rank)
{
    Rank& r = ranks[static_cast<size_t>(rank)];
    r.rank = rank;
    r.errorFile = launch.folder + "/rank" + std::to_string(rank) + ".error";
    std::vector<std::string> environment = launch.environment;
    environment.push_back("RANK=" + std::to_string(rank));
    environment.push_back("LOCAL_RANK=" + std::to_string(rank));
    environment.push_back("WORLD_SIZE=" + std::to_string(launch.processes));
    environment.push_back("MASTER_ADDR=127.0.0.1");
    environment.push_back("MASTER_PORT=" + std::to_string(launch.port));
    environment.push_back(std::string(kRankErrorFileVariable) + "=" + r.errorFile);
    std::vector<std::string> arguments = launch.arguments;
    std::vector<char*> argv{const_cast<char*>(launch.program.c_str())};
    for (std::string& a : arguments)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (std::string& e : environment)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    const int error = ::posix_spawn(&r.pid, launch.program.c_str(), nullptr, nullptr, argv.data(), envp.data());
    if (error != 0) {
        signalRunning(ranks, SIGKILL);
        for (Rank& started : ranks)
            if (started.running)
                ::waitpid(started.pid, nullptr, 0);
        std::filesystem::remove_all(launch.folder);
        throw Error("cannot start rank " + std::to_string(rank) + " (" + launch.program + "): " + std::strerror(error));
    }
    r.running = true;
}

/// Notes how rank `r` ended (`killed`: the launcher has sent SIGKILL; `forwardedInterrupt`: it
/// has passed Ctrl-C on). True when the rank failed.
bool recordExit(Rank& r, int status, bool killed, bool forwardedInterrupt)
{
    r.running = false;
    r.status = status;
    // The launcher sends SIGTERM, and SIGKILL only after the grace period.
    r.killedFromOutside = WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM &&
                          !(killed && WTERMSIG(status) == SIGKILL);
    // A rank that the passed-on Ctrl-C ended before it could catch it was interrupted.
    const bool interruptedByUs = forwardedInterrupt && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
    return failed(status) && !interruptedByUs;
}

/// How the ranks ended, as the launcher saw it.
struct RanksEnd {
    int firstFailure = -1;            // the index of the first rank that failed; -1: none did
    bool forwardedInterrupt = false;  // Ctrl-C or SIGTERM here was passed on to the ranks
};

/// Waits for every rank. Ctrl-C here is passed on; after the first failure the others get
/// SIGTERM, and SIGKILL once the grace period is over.
RanksEnd waitForRanks(std::vector<Rank>& ranks)
{
    RanksEnd end;
    int running = static_cast<int>(ranks.size());
    bool stopping = false, killed = false;
    auto deadline = std::chrono::steady_clock::time_point::max();
    while (running > 0) {
        if (g_interrupted.load() && !end.forwardedInterrupt) {
            signalRunning(ranks, SIGTERM);  // the ranks stop together after the same step and rank 0 saves
            end.forwardedInterrupt = true;
        }
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            for (size_t i = 0; i < ranks.size(); ++i) {
                Rank& r = ranks[i];
                if (r.pid != pid || !r.running)
                    continue;
                --running;
                if (recordExit(r, status, killed, end.forwardedInterrupt) && end.firstFailure < 0) {
                    end.firstFailure = static_cast<int>(i);
                    stopping = true;
                    signalRunning(ranks, SIGTERM);
                    deadline = std::chrono::steady_clock::now() +
                               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   std::chrono::duration<double>(kShutdownGraceSeconds));
                }
            }
            continue;
        }
        if (pid < 0 && errno != EINTR)
            break;  // no children left to wait for
        if (stopping && !killed && std::chrono::steady_clock::now() > deadline) {
            signalRunning(ranks, SIGKILL);
            killed = true;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    return end;
}

/// The launcher's one line about a failed run.
std::string failureReport(const std::vector<Rank>& ranks, int firstFailure, int processes)
{
    // The cause: a rank killed from outside (its peers fail only because it vanished), else
    // the first rank that failed.
    int cause = firstFailure;
    for (const Rank& r : ranks)
        if (r.killedFromOutside) {
            cause = r.rank;
            break;
        }
    const Rank& r = ranks[static_cast<size_t>(cause)];
    std::string message = firstLineOfFile(r.errorFile);
    const std::string ownPrefix = "rank " + std::to_string(r.rank) + " of " + std::to_string(processes) + ": ";
    if (message.rfind(ownPrefix, 0) == 0)
        message = message.substr(ownPrefix.size());
    return "rank " + std::to_string(r.rank) + " of " + std::to_string(processes) + " " +
           (message.empty() ? describeStatus(r.status) : "failed: " + message) +
           (processes > 1 ? "; the other ranks were stopped" : "");
}

}  // namespace

void addDistributedOptions(CliArgs& args)
{
    args.options(R"(
--nproc=1          run N local ranks (processes) data-parallel on 127.0.0.1; each gets an equal share
                   of the cores unless --threads is given
--rank=            this process's rank in a multi-process run (default: RANK, else 0)
--world-size=      ranks in the run (default: WORLD_SIZE, else 1)
--master=          HOST:PORT of rank 0's rendezvous (default: MASTER_ADDR and MASTER_PORT, else
                   127.0.0.1:29500)
--backend=auto     gradient all-reduce: auto (NCCL for CUDA when built in, else Gloo), gloo or nccl
--dist-timeout=60  seconds a rank waits for the others (joining, the settings check, each all-reduce)
                   before it gives up
)");
}

DistributedOptions distributedOptionsFrom(const CliArgs& args)
{
    DistributedOptions o = distributedOptionsFromEnvironment();
    const char* localRank = std::getenv("LOCAL_RANK");
    if (args.isSet("world-size"))
        o.worldSize = static_cast<int>(args.integerIn("world-size", 1, INT_MAX));
    if (args.isSet("rank"))
        o.rank = static_cast<int>(args.integerIn("rank", 0, INT_MAX));
    if (!localRank || !*localRank)
        o.localRank = o.rank;  // one machine: ranks and local ranks are the same
    if (args.isSet("master"))
        parseMasterAddress(args.text("master"), o, "--master");
    o.backend = args.text("backend");
    o.timeoutSeconds = args.real("dist-timeout");
    validate(o);
    return o;
}

int localProcessCount(const CliArgs& args)
{
    const int processes = static_cast<int>(args.integerIn("nproc", 1, kMaxLocalProcesses));
    if (processes > 1)
        for (const char* option : {"rank", "world-size", "master"})
            if (args.isSet(option))
                throw Error(std::string("--nproc starts its own ranks on 127.0.0.1; leave out --") + option +
                            " (or start each rank yourself with --rank, --world-size and --master)");
    return processes;
}

std::vector<std::string> argumentList(const std::string& command, int argc, char** argv)
{
    std::vector<std::string> arguments{command};
    for (int i = 0; i < argc; ++i)
        arguments.emplace_back(argv[i]);
    return arguments;
}

int runLocalRanks(std::vector<std::string> arguments, int processes)
{
    RankLaunch launch;
    launch.processes = processes;
    launch.arguments = rankArgumentsFrom(arguments, processes);
    launch.program = programPath();
    launch.port = freeLocalPort();
    launch.folder = makeMessageFolder();
    launch.environment = environmentWithoutLauncherVariables();

    stopOnInterrupt();
    std::vector<Rank> ranks(static_cast<size_t>(processes));
    for (int rank = 0; rank < processes; ++rank)
        startRank(launch, ranks, rank);
    const RanksEnd end = waitForRanks(ranks);
    const std::string report = end.firstFailure >= 0 ? failureReport(ranks, end.firstFailure, processes) : "";
    std::error_code ignored;
    std::filesystem::remove_all(launch.folder, ignored);
    if (!report.empty())
        throw Error(report);
    return end.forwardedInterrupt ? interruptedExitStatus() : 0;
}

}  // namespace ebm::cli
