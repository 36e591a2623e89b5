#include "ebm/base/train_config.h"

#include <cmath>

#include "base/enum_names.h"
#include "base/file_util.h"
#include "ebm/base/error.h"

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

std::string fineTuneHistoryEntry(std::string source, int64_t stepsBefore)
{
    for (char& c : source)  // a history is one line, and "; " separates its entries
        if (c == '\n' || c == '\r' || c == ';')
            c = ' ';
    return "fine-tuned from " + source + ", which had " + std::to_string(stepsBefore) + " steps";
}

int64_t stepsBeforeThisRun(const std::string& history)
{
    static const std::string marker = ", which had ";
    const size_t at = history.rfind(marker);
    if (at == std::string::npos)
        return 0;
    int64_t steps = 0;
    size_t i = at + marker.size();
    const size_t digitsStart = i;
    for (; i < history.size() && history[i] >= '0' && history[i] <= '9' && i - digitsStart < 18; ++i)
        steps = steps * 10 + (history[i] - '0');
    if (i == digitsStart || history.compare(i, 6, " steps") != 0)
        return 0;
    return steps;
}

std::string appendHistory(const std::string& history, const std::string& entry)
{
    return history.empty() ? entry : history + "; " + entry;
}

void checkStoredTrainConfig(const TrainConfig& config, const std::string& source)
{
    auto refuse = [&](const char* key, const std::string& value, const char* rule) {
        throw Error(source + ": the stored training setting '" + key + "' is " + value + " (" + rule +
                    "); the file's run settings are damaged, so the run cannot be resumed; start a new run "
                    "from its weights instead");
    };
    auto number = [](double value) { return internal::numberText(value); };
    const NoiseConfig& noise = config.noise;
    if (config.batchSize < 1)
        refuse("batch", std::to_string(config.batchSize), "a batch holds at least 1 item");
    if (config.steps < 1)
        refuse("steps", std::to_string(config.steps), "a run has at least 1 step");
    // Comparisons written so that NaN fails them.
    for (const auto& [key, sigma] : {std::pair<const char*, double>{"sigma_min", noise.sigmaMin},
                                     {"sigma_max", noise.sigmaMax}, {"sigma0", noise.sigma0}})
        if (!(std::isfinite(sigma) && sigma > 0.0))
            refuse(key, number(sigma), "a noise level is a finite number above 0");
    if (!(noise.sigmaMin <= noise.sigmaMax))
        refuse("sigma_min", number(noise.sigmaMin), ("above sigma_max " + number(noise.sigmaMax)).c_str());
    if (!(config.learningRate > 0.0 && config.learningRate <= 1.0))
        refuse("lr", number(config.learningRate), "a learning rate is above 0 and at most 1");
    if (!(config.finalLearningRate >= 0.0 && config.finalLearningRate <= 1.0))
        refuse("final_lr", number(config.finalLearningRate), "a final learning rate is between 0 and 1");
    for (const auto& [key, beta] : {std::pair<const char*, double>{"beta1", config.beta1}, {"beta2", config.beta2}})
        if (!(beta >= 0.0 && beta < 1.0))
            refuse(key, number(beta), "Adam's betas are at least 0 and below 1");
    if (config.checkpointEvery < 0)
        refuse("checkpoint_every", std::to_string(config.checkpointEvery), "0 or more steps");
    if (!(config.emaDecay >= 0.0 && config.emaDecay < 1.0))
        refuse("ema", number(config.emaDecay), "a decay is at least 0 and below 1");
}

}  // namespace ebm
