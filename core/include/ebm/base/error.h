#pragma once
#include <stdexcept>
#include <string>

namespace ebm {

/// Every failure the engine reports to a user: one line saying what was wrong and,
/// where it helps, what to do about it.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Thrown by long jobs when the caller's cancel flag was raised.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

}  // namespace ebm
