#pragma once
// JSON through nlohmann/json (Debian's nlohmann-json3-dev). Objects keep the order their keys
// were written in, so printed reports read like their text form. Non-finite numbers are
// written as null: JSON has no NaN.
#include <nlohmann/json.hpp>

namespace ebm {

using Json = nlohmann::ordered_json;

}  // namespace ebm
