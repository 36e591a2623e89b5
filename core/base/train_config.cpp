#include "ebm/base/train_config.h"

#include "base/enum_names.h"

namespace ebm {

namespace {
const internal::NameTable<NoiseSpread, 3> kSpreadNames = {
    {NoiseSpread::Linear, "linear"}, {NoiseSpread::Geometric, "geometric"}, {NoiseSpread::Single, "single"}};
}  // namespace

std::string toString(NoiseSpread spread) { return internal::nameOf(kSpreadNames, spread); }

NoiseSpread parseNoiseSpread(const std::string& name)
{
    return internal::parseName(kSpreadNames, name, "noise spread");
}

NoiseConfig NoiseConfig::singleSigma(double sigma, double sigma0)
{
    NoiseConfig config;
    config.sigmaMin = sigma;
    config.sigmaMax = sigma;
    config.spread = NoiseSpread::Single;
    config.sigma0 = sigma0;
    return config;
}

}  // namespace ebm
