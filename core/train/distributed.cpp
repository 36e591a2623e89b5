#include "ebm/train/distributed.h"

// The only file that sees c10d: its Gloo headers need USE_C10D_GLOO, which core/CMakeLists.txt
// defines for this source alone (with EBM_WITH_GLOO, when Gloo's headers were found).
#ifdef EBM_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef EBM_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/torch.h>
#include <torch/version.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <sstream>

#include "ebm/base/error.h"
#include "base/file_util.h"

namespace ebm {
namespace {

constexpr int kMaxWorldSize = 1 << 16;
constexpr int kMaxPort = 65535;
constexpr double kMaxTimeoutSeconds = 24 * 3600.0;  // a day: beyond it a hang is not a wait
[[maybe_unused]] constexpr int kGlooThreads = 2;    // DistributedDataParallel's Gloo default (Gloo builds only)
const char* const kSettingsKey = "ebm/settings/";
const char* const kSettingsReadKey = "ebm/settings-read/";

int environmentInteger(const char* name, int fallback, int lowest, int highest)
{
    const char* value = std::getenv(name);
    if (!value || !*value)
        return fallback;
    char* end = nullptr;
    errno = 0;
    const long long parsed = std::strtoll(value, &end, 10);
    if (*end != '\0' || errno != 0 || parsed < lowest || parsed > highest)
        throw Error(std::string("the environment variable ") + name + " must be a whole number between " +
                    std::to_string(lowest) + " and " + std::to_string(highest) + ", not '" + value + "'");
    return static_cast<int>(parsed);
}

[[maybe_unused]] bool isLoopback(const std::string& host)
{
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

std::string whoAmI(const DistributedOptions& o)
{
    return "rank " + std::to_string(o.rank) + " of " + std::to_string(o.worldSize);
}

std::string masterText(const DistributedOptions& o) { return o.masterAddress + ":" + std::to_string(o.masterPort); }

std::string secondsText(double seconds)
{
    char text[32];
    std::snprintf(text, sizeof text, seconds < 10.0 ? "%.2f s" : "%.0f s", seconds);
    return text;
}

/// name=value lines as a map, keeping the order of the first appearance for messages.
std::vector<std::pair<std::string, std::string>> settingLines(const std::string& text)
{
    std::vector<std::pair<std::string, std::string>> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const size_t equals = line.find('=');
        lines.emplace_back(line.substr(0, equals), equals == std::string::npos ? "" : line.substr(equals + 1));
    }
    return lines;
}

/// The first setting in which `other` differs from `reference`, as "NAME is X on rank R but Y on rank 0".
std::string firstDifference(const std::string& reference, const std::string& other, int otherRank)
{
    const auto mine = settingLines(reference), theirs = settingLines(other);
    std::map<std::string, std::string> theirMap(theirs.begin(), theirs.end());
    for (const auto& [name, value] : mine) {
        auto it = theirMap.find(name);
        const std::string theirValue = it == theirMap.end() ? "(not set)" : it->second;
        if (theirValue != value)
            return name + " is " + theirValue + " on rank " + std::to_string(otherRank) + " but " + value + " on rank 0";
    }
    return "rank " + std::to_string(otherRank) + " has settings that rank 0 does not";
}

}  // namespace

DistributedOptions distributedOptionsFromEnvironment(DistributedOptions o)
{
    o.worldSize = environmentInteger("WORLD_SIZE", o.worldSize, 1, kMaxWorldSize);
    o.rank = environmentInteger("RANK", o.rank, 0, kMaxWorldSize - 1);
    o.localRank = environmentInteger("LOCAL_RANK", o.localRank, 0, kMaxWorldSize - 1);
    if (const char* address = std::getenv("MASTER_ADDR"); address && *address)
        o.masterAddress = address;
    o.masterPort = environmentInteger("MASTER_PORT", o.masterPort, 1, kMaxPort);
    return o;
}

void parseMasterAddress(const std::string& text, DistributedOptions& o, const std::string& option)
{
    const size_t colon = text.rfind(':');
    const std::string usage = option + " needs HOST:PORT, such as 10.0.0.1:29500, not '" + text + "'";
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw Error(usage);
    const std::string portText = text.substr(colon + 1);
    char* end = nullptr;
    const long port = std::strtol(portText.c_str(), &end, 10);
    if (*end != '\0' || port < 1 || port > kMaxPort)
        throw Error(usage + " (the port must be 1 to 65535)");
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')  // [::1]:29500
        host = host.substr(1, host.size() - 2);
    o.masterAddress = host;
    o.masterPort = static_cast<int>(port);
}

void validate(const DistributedOptions& o)
{
    if (o.worldSize < 1 || o.worldSize > kMaxWorldSize)
        throw Error("the world size must be between 1 and " + std::to_string(kMaxWorldSize) + ", not " +
                    std::to_string(o.worldSize));
    if (o.rank < 0 || o.rank >= o.worldSize)
        throw Error("the rank must be between 0 and the world size - 1 (" + std::to_string(o.worldSize - 1) +
                    "), not " + std::to_string(o.rank) + "; check --rank/RANK and --world-size/WORLD_SIZE");
    if (o.masterPort < 1 || o.masterPort > kMaxPort)
        throw Error("the master port must be between 1 and 65535, not " + std::to_string(o.masterPort));
    if (o.masterAddress.empty())
        throw Error("the master address is empty; give --master HOST:PORT or MASTER_ADDR");
    if (o.backend != "auto" && o.backend != "gloo" && o.backend != "nccl")
        throw Error("--backend must be auto, gloo or nccl, not '" + o.backend + "'");
    if (!(o.timeoutSeconds > 0.0 && o.timeoutSeconds <= kMaxTimeoutSeconds))
        throw Error("--dist-timeout must be above 0 and at most " + internal::numberText(kMaxTimeoutSeconds) +
                    " seconds, not " + internal::numberText(o.timeoutSeconds));
}

RowSlice rowsOfRank(int64_t rows, int rank, int worldSize)
{
    return RowSlice{rows * rank / worldSize, rows * (rank + 1) / worldSize};
}

uint64_t hashTensorBytes(const torch::Tensor& tensor, uint64_t seed)
{
    const torch::Tensor bytes = tensor.detach().to(torch::kCPU).contiguous();
    const auto* data = static_cast<const unsigned char*>(bytes.data_ptr());
    const size_t count = bytes.numel() * bytes.element_size();
    // FNV-1a over 64-bit words (then the tail bytes), with the shape folded in first.
    constexpr uint64_t kPrime = 0x100000001B3ull;
    uint64_t h = 0xCBF29CE484222325ull ^ seed;
    for (int64_t size : bytes.sizes())
        h = (h ^ static_cast<uint64_t>(size)) * kPrime;
    size_t i = 0;
    for (; i + sizeof(uint64_t) <= count; i += sizeof(uint64_t)) {
        uint64_t word;
        std::memcpy(&word, data + i, sizeof word);
        h = (h ^ word) * kPrime;
    }
    for (; i < count; ++i)
        h = (h ^ data[i]) * kPrime;
    return h;
}

// PyTorch 2.0 split a process group into a front and per-device backends: ProcessGroupGloo and
// ProcessGroupNCCL became backends, which is what this file holds and calls allreduce on.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveGroup = c10d::Backend;
#else
using CollectiveGroup = c10d::ProcessGroup;
#endif

struct Distributed::Impl {
    DistributedOptions options;
    std::string backend;
    torch::Device device = torch::kCPU;
    std::chrono::milliseconds timeout{0};
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<CollectiveGroup> group;
    double allReduceSeconds = 0.0;
    int64_t allReduceCalls = 0;

    /// A collective's failure as one line: who, what, how long it waited, the transport's words.
    [[noreturn]] void fail(const std::string& what, const std::exception& e, double waited) const
    {
        throw Error(whoAmI(options) + ": " + what + " failed after " + secondsText(waited) +
                    ": another rank stopped, was killed or cannot be reached (" + backend + ": " +
                    internal::firstLine(e.what()) + "); see the first failed rank's message, then resume from the "
                    "last checkpoint (--dist-timeout sets the wait, now " + internal::numberText(options.timeoutSeconds) + " s)");
    }

    void wait(const c10::intrusive_ptr<c10d::Work>& work)
    {
        if (!work->wait(timeout))
            throw Error("timed out");
    }
};

Distributed::Distributed() : impl_(std::make_unique<Impl>()) {}
Distributed::~Distributed() = default;

std::shared_ptr<Distributed> Distributed::join(const DistributedOptions& options, torch::Device device)
{
    validate(options);
    std::shared_ptr<Distributed> self(new Distributed());
    Impl& d = *self->impl_;
    d.options = options;
    d.device = device;
    d.timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeoutSeconds * 1000.0));
#ifdef EBM_WITH_NCCL
    const bool haveNccl = true;
#else
    const bool haveNccl = false;
#endif
#ifdef EBM_WITH_GLOO
    const bool haveGloo = true;
#else
    const bool haveGloo = false;
#endif
    if (options.backend == "nccl" && !haveNccl)
        throw Error("--backend nccl: this build has no NCCL (Debian's LibTorch is CPU-only); use --backend gloo, or "
                    "build against a CUDA LibTorch with -DEBM_WITH_NCCL=ON");
    if (options.backend == "nccl" && !device.is_cuda())
        throw Error("--backend nccl needs the model on CUDA (--device cuda); use --backend gloo on the CPU");
    d.backend = options.backend == "auto" ? (haveNccl && device.is_cuda() ? "nccl" : "gloo") : options.backend;
    if (d.backend == "gloo" && !haveGloo)
        throw Error("this build has no Gloo (its headers were missing when it was built), so it cannot train data-parallel "
                    "on the CPU; rebuild with Gloo's headers (Debian: libgloo-dev), or use NCCL on CUDA");

    const auto started = std::chrono::steady_clock::now();
    auto waited = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
    c10d::TCPStoreOptions storeOptions;
    storeOptions.port = static_cast<std::uint16_t>(options.masterPort);
    storeOptions.isServer = options.rank == 0;
    storeOptions.numWorkers = static_cast<std::size_t>(options.worldSize);
    storeOptions.waitWorkers = true;
    storeOptions.timeout = d.timeout;
    try {
        d.store = c10::make_intrusive<c10d::TCPStore>(options.masterAddress, storeOptions);
    } catch (const std::exception& e) {
        const std::string reason = internal::firstLine(e.what());
        if (options.rank == 0)
            throw Error(whoAmI(options) + ": the rendezvous at " + masterText(options) + " failed after " +
                        secondsText(waited()) + " (" + reason + "); if the port is in use choose another with --master or "
                        "MASTER_PORT, else start all " + std::to_string(options.worldSize) +
                        " ranks with the same master and world size");
        throw Error(whoAmI(options) + ": cannot reach the master " + masterText(options) + " within " +
                    secondsText(waited()) + " (" + reason + "); start rank 0 there and give every rank the same "
                    "--master (or MASTER_ADDR and MASTER_PORT)");
    }
    try {
        if (d.backend == "gloo") {
#ifdef EBM_WITH_GLOO
            auto glooOptions = c10d::ProcessGroupGloo::Options::create(d.timeout);
            // Loopback masters keep the whole run on 127.0.0.1; otherwise Gloo binds the address
            // this machine's hostname resolves to (GLOO_SOCKET_IFNAME picks an interface).
            if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
                glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
            else if (isLoopback(options.masterAddress))
                glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            else
                glooOptions->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            glooOptions->threads = kGlooThreads;
            d.group = c10::make_intrusive<c10d::ProcessGroupGloo>(d.store, options.rank, options.worldSize, glooOptions);
#endif
        } else {
#ifdef EBM_WITH_NCCL
            // Untested (no GPU was lent): written to the LibTorch 1.13 headers and PyTorch 2's.
            auto ncclOptions = c10d::ProcessGroupNCCL::Options::create();
            ncclOptions->timeout = d.timeout;
            d.group = c10::make_intrusive<c10d::ProcessGroupNCCL>(d.store, options.rank, options.worldSize, ncclOptions);
#endif
        }
    } catch (const std::exception& e) {
        throw Error(whoAmI(options) + ": not every rank joined the " + d.backend + " process group through " +
                    masterText(options) + " within " + secondsText(waited()) + " (" + internal::firstLine(e.what()) +
                    "); start all " + std::to_string(options.worldSize) + " ranks with the same --master and "
                    "--world-size, and see the message of any rank that stopped while starting");
    }
    return self;
}

int Distributed::rank() const { return impl_->options.rank; }
int Distributed::worldSize() const { return impl_->options.worldSize; }
std::string Distributed::backendName() const { return impl_->backend; }
const DistributedOptions& Distributed::options() const { return impl_->options; }
double Distributed::allReduceSeconds() const { return impl_->allReduceSeconds; }
int64_t Distributed::allReduceCalls() const { return impl_->allReduceCalls; }

void Distributed::requireSameSettings(const std::string& settings)
{
    Impl& d = *impl_;
    const int world = d.options.worldSize;
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> all(static_cast<size_t>(world));
    try {
        d.store->set(kSettingsKey + std::to_string(d.options.rank), std::vector<uint8_t>(settings.begin(), settings.end()));
        for (int r = 0; r < world; ++r) {
            const std::vector<uint8_t> bytes = d.store->get(kSettingsKey + std::to_string(r));
            all[static_cast<size_t>(r)].assign(bytes.begin(), bytes.end());
        }
        // Rank 0 hosts the store: it stays until every rank has read every rank's settings.
        d.store->set(kSettingsReadKey + std::to_string(d.options.rank), {1});
        if (d.options.rank == 0) {
            std::vector<std::string> keys;
            for (int r = 0; r < world; ++r)
                keys.push_back(kSettingsReadKey + std::to_string(r));
            d.store->wait(keys, d.timeout);
        }
    } catch (const std::exception& e) {
        d.fail("the settings check", e, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    for (int r = 1; r < world; ++r)
        if (all[static_cast<size_t>(r)] != all[0])
            throw Error(whoAmI(d.options) + ": the ranks were started with different settings (" +
                        firstDifference(all[0], all[static_cast<size_t>(r)], r) +
                        "); start every rank with the same options, data set and checkpoint");
}

void Distributed::sumInPlace(const std::vector<torch::Tensor>& tensors, const std::string& what)
{
    Impl& d = *impl_;
    const auto started = std::chrono::steady_clock::now();
    // Buckets of consecutive tensors that share dtype and device, each at most kBucketBytes
    // (a larger tensor is a bucket of its own).
    std::vector<std::vector<torch::Tensor>> buckets;
    int64_t bucketBytes = 0;
    for (const torch::Tensor& t : tensors) {
        const int64_t bytes = t.numel() * static_cast<int64_t>(t.element_size());
        const bool fits = !buckets.empty() && bucketBytes + bytes <= kBucketBytes &&
                          buckets.back().front().scalar_type() == t.scalar_type() &&
                          buckets.back().front().device() == t.device();
        if (!fits) {
            buckets.emplace_back();
            bucketBytes = 0;
        }
        buckets.back().push_back(t);
        bucketBytes += bytes;
    }
    std::vector<torch::Tensor> flats;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    try {
        for (const auto& bucket : buckets) {
            std::vector<torch::Tensor> pieces;
            for (const torch::Tensor& t : bucket)
                pieces.push_back(t.reshape({-1}));
            std::vector<torch::Tensor> flat{bucket.size() == 1 && bucket.front().is_contiguous() ? bucket.front()
                                                                                                  : torch::cat(pieces)};
            flats.push_back(flat.front());
            works.push_back(d.group->allreduce(flat));
        }
        for (const auto& work : works)
            d.wait(work);
    } catch (const std::exception& e) {
        d.fail("the all-reduce of " + what, e, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    for (size_t b = 0; b < buckets.size(); ++b) {
        if (flats[b].data_ptr() == buckets[b].front().data_ptr())
            continue;  // reduced in place
        int64_t offset = 0;
        for (const torch::Tensor& t : buckets[b]) {
            t.copy_(flats[b].slice(0, offset, offset + t.numel()).view_as(t));
            offset += t.numel();
        }
    }
    d.allReduceSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ++d.allReduceCalls;
}

void Distributed::barrier(const std::string& what)
{
    Impl& d = *impl_;
    const auto started = std::chrono::steady_clock::now();
    try {
        // A one-element all-reduce: bounded by the same timeout as every other collective.
        std::vector<torch::Tensor> token{torch::zeros({1}, torch::TensorOptions().device(d.device))};
        d.wait(d.group->allreduce(token));
    } catch (const std::exception& e) {
        d.fail(what, e, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
}

}  // namespace ebm
