#include "json_text.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

namespace ebm::appkit {

std::string jsonString(const std::string& text)
{
    std::string out = "\"";
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20)
            continue;
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string jsonNumber(double value)
{
    if (!std::isfinite(value))
        return "null";
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.9g", value);
    return buffer;
}

std::string jsonArray(const torch::Tensor& values)
{
    const torch::Tensor v = values.detach().to(torch::kCPU, torch::kFloat64).contiguous().flatten();
    const double* data = v.data_ptr<double>();
    std::string out = "[";
    for (int64_t i = 0; i < v.numel(); ++i)
        out += (i ? ", " : "") + jsonNumber(data[i]);
    return out + "]";
}

std::string jsonArray(const std::vector<int64_t>& values)
{
    std::string out = "[";
    for (size_t i = 0; i < values.size(); ++i)
        out += (i ? ", " : "") + std::to_string(values[i]);
    return out + "]";
}

std::string jsonMatrix(const torch::Tensor& rows)
{
    std::string out = "[";
    for (int64_t i = 0; i < rows.size(0); ++i)
        out += (i ? ", " : "") + jsonArray(rows[i]);
    return out + "]";
}

}  // namespace ebm::appkit
