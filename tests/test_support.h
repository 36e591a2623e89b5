#pragma once
// Small networks that the core tests build again and again, said once.
#include <torch/torch.h>

#include <cstdint>

#include "ebm/nn/model.h"

namespace ebm::testing {

/// A ResNet energy `arch` of `baseWidth` filters on `channels` x `imageSize` x `imageSize`
/// images; head and the rest as ModelConfig has them.
inline ModelConfig resNetConfig(Architecture arch, int baseWidth, int imageSize, int channels = 1)
{
    ModelConfig config;
    config.arch = arch;
    config.baseWidth = baseWidth;
    config.imageSize = imageSize;
    config.inChannels = channels;
    return config;
}

/// An MLP energy on 2D points (three hidden layers of `hiddenWidth`) with `head`, its weights
/// drawn right after torch::manual_seed(seed): the draws that follow are the test's own.
inline EnergyNet seededPointMlp(int hiddenWidth, HeadKind head, uint64_t seed)
{
    torch::manual_seed(seed);
    ModelConfig config = ModelConfig::mlp(2, hiddenWidth, 3);
    config.head = head;
    return makeEnergyNet(config);
}

}  // namespace ebm::testing
