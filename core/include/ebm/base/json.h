#pragma once
// JSON through nlohmann/json (Debian's nlohmann-json3-dev). Objects keep the order their keys
// were written in, so printed reports read like their text form. Non-finite numbers are
// written as null: JSON has no NaN.
#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "ebm/base/error.h"

namespace ebm {

using Json = nlohmann::ordered_json;

/// Parses the JSON text of the file `source`. What is not JSON is refused in one line naming the
/// file, the line and column, and the likely cause (NaN or Infinity, which JSON lacks; a UTF-16
/// file), instead of "[json.exception.parse_error.101] ...".
Json parseJsonDocument(const std::string& text, const std::string& source);

}  // namespace ebm
