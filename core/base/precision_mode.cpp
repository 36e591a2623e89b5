#include "ebm/base/precision_mode.h"

#include <fstream>
#include <sstream>
#include <string>

#include "ebm/base/error.h"

namespace ebm {

std::string toString(Precision precision)
{
    switch (precision) {
    case Precision::Float32:
        return "float32";
    case Precision::TF32:
        return "tf32";
    case Precision::BFloat16:
        return "bf16";
    }
    return "?";
}

Precision parsePrecision(const std::string& name)
{
    if (name == "float32" || name == "fp32")
        return Precision::Float32;
    if (name == "tf32")
        return Precision::TF32;
    if (name == "bf16" || name == "bfloat16")
        return Precision::BFloat16;
    throw Error("unknown precision '" + name + "': use float32, tf32 (CUDA only) or bf16");
}

bool cpuHasNativeBfloat16()
{
    // Once: the flags the kernel reports for the first processor.
    static const bool native = [] {
        std::ifstream cpuinfo("/proc/cpuinfo");
        std::string line;
        while (std::getline(cpuinfo, line)) {
            if (line.rfind("flags", 0) != 0)
                continue;
            std::istringstream flags(line.substr(line.find(':') + 1));
            std::string flag;
            while (flags >> flag)
                if (flag == "avx512_bf16" || flag == "amx_bf16")
                    return true;
            return false;
        }
        return false;
    }();
    return native;
}

Precision defaultSamplingPrecision() { return cpuHasNativeBfloat16() ? Precision::BFloat16 : Precision::Float32; }

}  // namespace ebm
