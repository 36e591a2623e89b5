#include "ebm/train/mdsm.h"

#include <torch/torch.h>

#include <cmath>

#include "ebm/base/error.h"

namespace ebm {

torch::Tensor batchSigmas(const NoiseConfig& noise, int64_t rows, torch::TensorOptions options)
{
    if (!(noise.sigmaMin > 0.0) || !(noise.sigmaMax >= noise.sigmaMin))
        throw Error("the noise range needs 0 < sigma-min <= sigma-max");
    switch (noise.spread) {
    case NoiseSpread::Linear:
        return torch::linspace(noise.sigmaMin, noise.sigmaMax, rows, options);
    case NoiseSpread::Geometric:
        return torch::exp(torch::linspace(std::log(noise.sigmaMin), std::log(noise.sigmaMax), rows,
                                          options.dtype(torch::kFloat64)))
            .to(options);
    case NoiseSpread::Single:
        return torch::full({rows}, noise.sigmaMax, options);
    }
    return {};
}

MdsmLoss mdsmLoss(EnergyNetImpl& net, const torch::Tensor& x, const torch::Tensor& noise,
                  const NoiseConfig& config, InputGradientMethod method)
{
    return mdsmLossOfRows(net, x, noise, config, 0, x.size(0), method);
}

MdsmLoss mdsmLossOfRows(EnergyNetImpl& net, const torch::Tensor& x, const torch::Tensor& noise,
                        const NoiseConfig& config, int64_t firstRow, int64_t batchRows, InputGradientMethod method)
{
    const int64_t rows = x.size(0);
    if (firstRow < 0 || firstRow + rows > batchRows)
        throw Error("the rows " + std::to_string(firstRow) + " to " + std::to_string(firstRow + rows) +
                    " are not a slice of a batch of " + std::to_string(batchRows));
    std::vector<int64_t> broadcast(static_cast<size_t>(x.dim()), 1);
    broadcast[0] = rows;
    const torch::Tensor sigma =
        batchSigmas(config, batchRows, x.options()).slice(0, firstRow, firstRow + rows).view(broadcast);
    const double s0sq = config.sigma0 * config.sigma0;

    torch::Tensor noisy = (x + sigma * noise).detach();
    torch::Tensor grad = energyAndGradWithGraph(net, noisy, method).grad;
    // l(sigma) = 1/sigma^2 folded into the residual; scaled by 1/sigma0^2 as the reference does.
    torch::Tensor residual = ((x - noisy) / s0sq + grad) / sigma;
    torch::Tensor loss = residual.pow(2).sum() / static_cast<double>(batchRows);
    MdsmLoss result;
    result.loss = loss;
    result.normalised = loss.item<double>() * s0sq * s0sq;
    return result;
}

}  // namespace ebm
