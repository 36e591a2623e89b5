#include "ebm/schedule/sampling_options.h"

#include "base/enum_names.h"

namespace ebm {
namespace {

const internal::NameTable<Sampler, 2> kSamplerNames = {{Sampler::Langevin, "langevin"}, {Sampler::Mala, "mala"}};

}  // namespace

std::string toString(Sampler sampler) { return internal::nameOf(kSamplerNames, sampler); }

Sampler parseSampler(const std::string& name) { return internal::parseName(kSamplerNames, name, "sampler"); }

}  // namespace ebm
