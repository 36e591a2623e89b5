#include "ebm/io/tensor_json.h"

#include <torch/torch.h>

namespace ebm {

Json tensorToJson(const torch::Tensor& values)
{
    const torch::Tensor v = values.detach().to(torch::kCPU);
    if (v.dim() == 0)
        return v.is_floating_point() ? Json(v.item<double>()) : Json(v.item<int64_t>());
    Json array = Json::array();
    for (int64_t i = 0; i < v.size(0); ++i)
        array.push_back(tensorToJson(v[i]));
    return array;
}

}  // namespace ebm
