#include "ebm/sample/chain_recorder.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "ebm/base/error.h"

namespace ebm {

ConstantSegment longestConstantSegment(const std::vector<double>& temperatures, int fromStep)
{
    ConstantSegment longest;
    const int count = static_cast<int>(temperatures.size());
    int runStart = std::max(0, fromStep - 1);
    if (runStart >= count)
        return longest;
    for (int i = runStart + 1; i <= count; ++i) {
        if (i < count && temperatures[i] == temperatures[runStart])
            continue;
        if (i - runStart >= longest.steps())
            longest = {runStart + 1, i, temperatures[runStart]};
        runStart = i;
    }
    return longest;
}

int64_t chainRecordBytes(int64_t chains, const ConstantSegment& segment)
{
    return chains * segment.steps() * (1 + kProjectionCount) * static_cast<int64_t>(sizeof(double));
}

void ChainRecorder::observe(const StepObservation& step)
{
    if (disturbed_ || step.step < segment_.firstStep || step.step > segment_.lastStep)
        return;
    if (step.temperature != segment_.temperature) {
        disturbed_ = true;
        return;
    }
    const torch::Tensor flat = step.state.flatten(1).to(torch::kFloat64);
    if (!directions_.defined()) {
        at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(kDirectionSeed);
        const torch::Tensor normal = at::randn({flat.size(1), kProjectionCount}, generator,
                                               torch::TensorOptions().dtype(torch::kFloat64));
        directions_ = (normal / normal.norm(2, {0}, true)).to(flat.device());
        draws_ = torch::empty({segment_.steps(), flat.size(0), 1 + kProjectionCount}, flat.options());
    }
    const torch::Tensor row = draws_[step.step - segment_.firstStep];
    row.select(1, 0).copy_(step.energies.flatten());
    row.slice(1, 1).copy_(flat.matmul(directions_));
    ++recorded_;
}

ChainDraws ChainRecorder::draws(int quantity) const
{
    if (!draws_.defined())
        return {};
    const torch::Tensor values =
        draws_.slice(0, 0, recorded_).select(2, quantity).t().to(torch::kCPU).contiguous();  // [N, steps]
    ChainDraws chains(static_cast<size_t>(values.size(0)));
    for (int64_t chain = 0; chain < values.size(0); ++chain) {
        const double* begin = values[chain].data_ptr<double>();
        chains[static_cast<size_t>(chain)].assign(begin, begin + values.size(1));
    }
    return chains;
}

QuantityDiagnostics diagnoseQuantity(std::string name, const ChainDraws& draws)
{
    QuantityDiagnostics result{std::move(name), std::nullopt, "", ""};
    try {
        result.figures = diagnoseChains(draws);
        result.verdict = verdictOf(*result.figures);
    } catch (const Error& e) {
        result.problem = e.what();
    }
    return result;
}

double meanLag1Autocorrelation(const ChainDraws& draws)
{
    double sum = 0.0;
    int measured = 0;
    for (const std::vector<double>& chain : draws) {
        try {
            sum += autocorrelation(chain, 1)[1];
            ++measured;
        } catch (const Error&) {
            // constant, too short or not finite: this chain has no autocorrelation
        }
    }
    return measured > 0 ? sum / measured : std::numeric_limits<double>::quiet_NaN();
}

std::string verdictOf(const ChainDiagnostics& figures)
{
    if (std::isnan(figures.rankRhat))
        return "undefined";
    switch (mixingOf(figures.rankRhat)) {
    case Mixing::Good:
        return "good";
    case Mixing::Doubtful:
        return "doubtful";
    case Mixing::NotMixed:
        break;
    }
    return "not mixed";
}

ChainReport chainReport(const ChainRecorder& recorder)
{
    const ConstantSegment& segment = recorder.segment();
    if (!recorder.complete())
        throw Error("no chain diagnostics: steps " + std::to_string(segment.firstStep) + "-" +
                    std::to_string(segment.lastStep) + (recorder.disturbed() ? " changed temperature during the run"
                                                                               : " were not all recorded"));
    ChainReport report;
    report.segment = segment;
    report.chains = recorder.chains();
    const ChainDraws energies = recorder.draws(0);
    report.quantities.push_back(diagnoseQuantity("energy", energies));
    for (int p = 1; p <= kProjectionCount; ++p)
        report.quantities.push_back(diagnoseQuantity("projection " + std::to_string(p), recorder.draws(p)));
    report.energyLag1Autocorrelation = meanLag1Autocorrelation(energies);
    return report;
}

}  // namespace ebm
