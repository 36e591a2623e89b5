#pragma once
// What tests of the engine's one-line errors share (no torch: the base layer's tests use it).
#include <QString>

#include <functional>

#include "ebm/base/error.h"

namespace ebm::testing {

/// The message of the ebm::Error `call` throws, empty when it throws none.
inline QString refusal(const std::function<void()>& call)
{
    try {
        call();
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

}  // namespace ebm::testing
