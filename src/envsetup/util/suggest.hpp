// SPDX-License-Identifier: Apache-2.0
// "Did you mean": the known word closest to a mistyped one, by edit distance.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::util {

// Levenshtein distance between `a` and `b` (insertions, deletions, substitutions and the
// transposition of two neighbouring characters each cost 1), compared case-insensitively.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, when it is close enough to be a typo: at most a third of
// the longer word's length away (at least 1, at most 3 edits), or a candidate that starts
// with `word` or that `word` contains whole (`pytorch` -> `torch`). Ties go to the earlier
// candidate. None for an exact match, an empty word or no candidate close enough.
[[nodiscard]] std::optional<std::string> closest_match(std::string_view word,
                                                       const std::vector<std::string>& candidates);

// "did you mean `X`?" for `word` among `candidates`, or an empty string.
[[nodiscard]] std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace envsetup::util
