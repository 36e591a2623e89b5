#pragma once
// Data-parallel training across processes (ranks) on PyTorch's own distributed engine, c10d:
// rank 0 hosts the rendezvous store (a c10d::TCPStore) at the master address, every rank joins
// a Gloo process group through it, and gradients are summed across ranks by all-reduce. No c10d
// header leaks out of here: only distributed.cpp sees them.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

namespace ebm {

/// Where a rank stands in a run and how to reach the others.
struct DistributedOptions {
    static constexpr int kDefaultPort = 29500;         // torchrun's default MASTER_PORT
    static constexpr double kDefaultTimeoutSeconds = 60.0;

    int rank = 0;
    int worldSize = 1;
    int localRank = 0;                  // rank within this machine (picks the CUDA device)
    std::string masterAddress = "127.0.0.1";
    int masterPort = kDefaultPort;
    std::string backend = "auto";       // auto (NCCL for CUDA tensors when built in, else Gloo), gloo, nccl
    double timeoutSeconds = kDefaultTimeoutSeconds;  // joining, the settings check, each all-reduce

    bool isDistributed() const { return worldSize > 1; }
};

/// Reads the launcher conventions that torchrun and Slurm wrappers set (RANK, WORLD_SIZE,
/// LOCAL_RANK, MASTER_ADDR, MASTER_PORT) over `defaults`; unset variables keep the defaults.
/// Throws ebm::Error naming the variable when one is not a whole number in range.
DistributedOptions distributedOptionsFromEnvironment(DistributedOptions defaults = {});

/// "HOST:PORT" into the master address and port; throws ebm::Error naming `option`.
void parseMasterAddress(const std::string& text, DistributedOptions& options,
                        const std::string& option = "--master");

/// Refuses inconsistent options (rank outside the world, port out of range, unknown backend,
/// a timeout that is not positive) with one line naming what to change.
void validate(const DistributedOptions& options);

/// The rows [begin, end) of a global batch of `rows` rows that `rank` of `worldSize` computes:
/// contiguous, in rank order, sizes differing by at most one.
struct RowSlice {
    int64_t begin = 0;
    int64_t end = 0;
    int64_t size() const { return end - begin; }
};
RowSlice rowsOfRank(int64_t rows, int rank, int worldSize);

/// A 64-bit hash of a tensor's bytes (contiguous CPU copy), for the settings check: equal data
/// on every rank gives equal hashes whatever the thread count.
uint64_t hashTensorBytes(const torch::Tensor& tensor, uint64_t seed = 0);

/// One rank's membership of a process group. Every collective call must be made by every rank
/// in the same order; each waits at most the timeout, then throws ebm::Error.
class Distributed {
public:
    /// Joins the group (blocking until every rank has arrived or the timeout has passed).
    /// Throws ebm::Error naming this rank and the master when the rendezvous fails.
    static std::shared_ptr<Distributed> join(const DistributedOptions& options,
                                             torch::Device device = torch::kCPU);
    ~Distributed();
    Distributed(const Distributed&) = delete;
    Distributed& operator=(const Distributed&) = delete;

    int rank() const;
    int worldSize() const;
    bool isMain() const { return rank() == 0; }
    std::string backendName() const;
    const DistributedOptions& options() const;

    /// The configuration handshake: every rank publishes `settings` (one "name=value" per line)
    /// and compares it with every other rank's. On any difference every rank throws the same
    /// ebm::Error naming the first rank and setting that differ from rank 0's.
    void requireSameSettings(const std::string& settings);

    /// Sums the tensors in place across ranks. Same-dtype tensors are flattened into buckets of
    /// at most kBucketBytes, each all-reduced once. `what` names the operation in errors.
    void sumInPlace(const std::vector<torch::Tensor>& tensors, const std::string& what);

    /// Waits until every rank has reached this point.
    void barrier(const std::string& what);

    /// Seconds spent in sumInPlace so far, and how many calls.
    double allReduceSeconds() const;
    int64_t allReduceCalls() const;

    static constexpr int64_t kBucketBytes = 25 * 1024 * 1024;  // DistributedDataParallel's default

private:
    Distributed();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ebm
