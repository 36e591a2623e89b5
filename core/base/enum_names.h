#pragma once
// Enums as the words people type (options, files): one table per enum drives both directions,
// and an unknown word is refused with the list of the known ones.
#include <string>
#include <utility>

#include "ebm/base/error.h"

namespace ebm::internal {

template <typename Enum, size_t N>
using NameTable = std::pair<Enum, const char*>[N];

template <typename Enum, size_t N>
std::string nameOf(const NameTable<Enum, N>& table, Enum value)
{
    for (const auto& [entry, name] : table)
        if (entry == value)
            return name;
    return "?";
}

/// `what` names the kind of thing in the error ("architecture", "noise spread").
template <typename Enum, size_t N>
Enum parseName(const NameTable<Enum, N>& table, const std::string& word, const std::string& what)
{
    std::string known;
    for (size_t i = 0; i < N; ++i) {
        if (word == table[i].second)
            return table[i].first;
        known += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(table[i].second);
    }
    throw Error("unknown " + what + " '" + word + "': use " + known);
}

}  // namespace ebm::internal
