// SPDX-License-Identifier: Apache-2.0
#include <envsetup/matrix/gpu_names.hpp>

#include <envsetup/util/strings.hpp>
#include <envsetup/util/suggest.hpp>

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace envsetup::matrix {

namespace {

std::vector<std::string> words_of(std::string_view text)
{
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) {
    words.push_back(std::move(word));
  }
  return words;
}

std::string squash(std::string_view text)
{
  return util::join(std::vector<std::string>(words_of(text)), "");
}

// A product's words without the brand in front ("GeForce RTX 3090" -> rtx 3090).
std::string squashed_model(const std::vector<std::string>& words)
{
  static const std::set<std::string> brands = {"nvidia", "geforce", "tesla", "quadro"};
  std::size_t start = 0;
  while (start + 1 < words.size() && brands.count(words[start]) != 0) {
    ++start;
  }
  std::string joined;
  for (std::size_t i = start; i < words.size(); ++i) {
    joined += words[i];
  }
  return joined;
}

bool run_matches(const std::vector<std::string>& words, const std::string& wanted)
{
  for (std::size_t start = 0; start < words.size(); ++start) {
    std::string joined;
    for (std::size_t end = start; end < words.size() && joined.size() < wanted.size(); ++end) {
      joined += words[end];
      if (joined == wanted) {
        return true;
      }
    }
  }
  return false;
}

struct Match {
  const Chip* chip = nullptr;
  std::string product;   // "" when the chip name matched
  bool partial = false;  // the text is only part of the product name
};

std::string label(const Match& match)
{
  return match.product.empty() ? match.chip->name : match.product + " (" + match.chip->name + ")";
}

// The matches of the first tier that has any: chip names, whole product names, runs of
// product words.
std::vector<Match> find_matches(const Matrix& matrix, const std::string& wanted)
{
  std::vector<Match> tiers[3];
  for (const auto& chip : matrix.chips) {
    if (squash(chip.name) == wanted) {
      tiers[0].push_back({&chip, ""});
    }
    for (const auto product : util::split(chip.products, ',')) {
      const auto words = words_of(product);
      const std::string name(util::trim(product));
      if (squashed_model(words) == wanted || squash(product) == wanted) {
        tiers[1].push_back({&chip, name});
      } else if (run_matches(words, wanted)) {
        tiers[2].push_back({&chip, name, true});
      }
    }
  }
  for (auto& tier : tiers) {
    if (!tier.empty()) {
      return std::move(tier);
    }
  }
  return {};
}

// Close names, grouped by chip, best chip first: "A100 SXM4 40GB, A100 PCIe 40GB (GA100, 8.0)".
std::vector<std::string> close_names(const Matrix& matrix, const std::string& wanted)
{
  struct Close {
    std::size_t score = 0;
    std::vector<std::string> names;
    const Chip* chip = nullptr;
  };
  std::vector<Close> chips;
  const std::size_t limit = std::max<std::size_t>(2, wanted.size() / 3);
  const auto score = [&](const std::string& key) -> std::optional<std::size_t> {
    const std::size_t distance = util::edit_distance(wanted, key);
    const bool contains = wanted.size() >= 2 && (key.find(wanted) != std::string::npos ||
                                                 (key.size() >= 3 && wanted.find(key) != std::string::npos));
    if (contains) {
      return key.starts_with(wanted) ? 0 : std::min<std::size_t>(distance, 1);
    }
    return distance <= limit ? std::optional(distance) : std::nullopt;
  };
  for (const auto& chip : matrix.chips) {
    Close close{std::numeric_limits<std::size_t>::max(), {}, &chip};
    if (const auto chip_score = score(squash(chip.name))) {
      close.score = *chip_score;
    }
    for (const auto product : util::split(chip.products, ',')) {
      if (const auto product_score = score(squashed_model(words_of(product)))) {
        close.score = std::min(close.score, *product_score);
        if (close.names.size() < 3) {
          close.names.emplace_back(util::trim(product));
        }
      }
    }
    if (close.score != std::numeric_limits<std::size_t>::max()) {
      chips.push_back(std::move(close));
    }
  }
  std::stable_sort(chips.begin(), chips.end(), [](const Close& a, const Close& b) { return a.score < b.score; });
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < chips.size() && i < 5; ++i) {
    const auto& close = chips[i];
    const std::string where = close.chip->name + ", " + close.chip->capability.text();
    lines.push_back(close.names.empty() ? close.chip->name + " (" + close.chip->capability.text() + ")"
                                        : util::join(close.names, ", ") + " (" + where + ")");
  }
  return lines;
}

util::Error unknown_name(const Matrix& matrix, std::string_view text, const std::string& wanted)
{
  const auto close = close_names(matrix, wanted);
  auto error =
    util::make_error(util::ErrorKind::usage, "invalid `--gpu` value `" + util::escape_control_characters(text) + "`")
      .with_cause("it is neither a compute capability nor a GPU chip or product envsetup knows");
  if (!close.empty()) {
    error.hints.push_back("close matches: " + util::join(close, "; "));
  }
  error.hints.push_back(
    "write a compute capability (`--gpu 8.6`, `--gpu sm_90`) or a name such as "
    "`--gpu a100`, `--gpu \"RTX 3090\"` (the chips are in matrix/gpus.json)");
  return error;
}

}  // namespace

util::Result<GpuChoice> parse_gpu(const Matrix& matrix, std::string_view text)
{
  const auto trimmed = util::trim(text);
  auto capability = core::ComputeCapability::parse(trimmed);
  if (capability) {
    return GpuChoice{*capability, ""};
  }
  const std::string wanted = squash(trimmed);
  // Meant as a compute capability ("8.10", "sm_8x"): its own error.
  // A bare 4-digit number is a product ("4090").
  const bool digits = !trimmed.empty() && trimmed.find_first_not_of("0123456789.") == std::string_view::npos &&
                      (trimmed.find('.') != std::string_view::npos || trimmed.size() <= 3);
  const bool sm =
    wanted.size() > 2 && wanted.starts_with("sm") && std::isdigit(static_cast<unsigned char>(wanted[2])) != 0;
  if (wanted.empty() || digits || sm) {
    auto error = std::move(capability).error();
    error.kind = util::ErrorKind::usage;
    error.message = "invalid `--gpu` value: " + error.message;
    error.hints.push_back("write e.g. `--gpu 8.9`, `--gpu sm_90`, `--gpu a100` or `--gpu \"RTX 3090\"`");
    return error;
  }
  const auto matches = find_matches(matrix, wanted);
  if (matches.empty()) {
    return unknown_name(matrix, text, wanted);
  }
  std::map<core::ComputeCapability, std::vector<const Match*>> by_capability;
  for (const auto& match : matches) {
    by_capability[match.chip->capability].push_back(&match);
  }
  if (by_capability.size() > 1) {
    auto error = util::make_error(util::ErrorKind::usage, "`--gpu " + util::escape_control_characters(trimmed) +
                                                            "` names GPUs of different compute capabilities");
    for (const auto& [cc, list] : by_capability) {
      error.causes.push_back(label(*list.front()) + ": compute capability " + cc.text());
    }
    error.hints.push_back("write the compute capability (e.g. `--gpu " + by_capability.begin()->first.text() +
                          "`) or the whole product name");
    return error;
  }
  std::vector<std::string> chips;
  for (const auto& match : matches) {
    if (std::find(chips.begin(), chips.end(), match.chip->name) == chips.end()) {
      chips.push_back(match.chip->name);
    }
  }
  const Match& first = matches.front();
  if (first.product.empty()) {
    return GpuChoice{first.chip->capability, first.chip->name};
  }
  // Part of a name ("a100") is shown as typed: it may stand for several products.
  const std::string shown = first.partial ? util::escape_control_characters(trimmed) : first.product;
  return GpuChoice{first.chip->capability, shown + " (" + util::join(chips, ", ") + ")"};
}

}  // namespace envsetup::matrix
