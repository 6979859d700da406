// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/suggest.hpp>

#include <algorithm>
#include <cctype>
#include <limits>

namespace envsetup::util {

namespace {

char lower(char c)
{
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequal(std::string_view a, std::string_view b)
{
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool icontains(std::string_view haystack, std::string_view needle)
{
  if (needle.empty() || needle.size() > haystack.size()) {
    return false;
  }
  for (std::size_t at = 0; at + needle.size() <= haystack.size(); ++at) {
    if (iequal(haystack.substr(at, needle.size()), needle)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b)
{
  // Optimal string alignment distance over three rows.
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    previous[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1])) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    before.swap(previous);
    previous.swap(current);
  }
  return previous[b.size()];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates)
{
  if (word.empty()) {
    return std::nullopt;
  }
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& candidate : candidates) {
    if (iequal(word, candidate)) {
      return std::nullopt;
    }
    const std::size_t longer = std::max(word.size(), candidate.size());
    const std::size_t allowed = std::clamp<std::size_t>(longer / 3, 1, 3);
    std::size_t distance = edit_distance(word, candidate);
    if (distance > allowed) {
      // A prefix (`--frame` -> `--framework`) or a word holding the candidate whole
      // (`pytorch` -> `torch`) is still an obvious match, ranked after real typos.
      const bool prefix = word.size() >= 3 && candidate.size() > word.size() &&
                          iequal(std::string_view(candidate).substr(0, word.size()), word);
      const bool holds = candidate.size() >= 3 && icontains(word, candidate);
      if (!prefix && !holds) {
        continue;
      }
      distance = allowed + 1 + (longer - std::min(word.size(), candidate.size()));
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates)
{
  const auto match = closest_match(word, candidates);
  return match ? "did you mean `" + *match + "`?" : std::string();
}

}  // namespace envsetup::util
