// SPDX-License-Identifier: Apache-2.0
#pragma once
// STORE/prefixes.txt, owned by PrefixRegistry alone: the prefixes installed with --prefix
// outside the store, one absolute path a line, so that `envsetup list` finds them. Every
// read-modify-write happens under STORE/prefixes.lock (never unlinked), so concurrent
// installs and removals never lose each other's lines; the file is replaced atomically.
// The file is untrusted when read: lines that are not absolute paths free of control
// characters are ignored.

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <vector>

namespace envsetup::install {

class PrefixRegistry {
public:
  explicit PrefixRegistry(std::filesystem::path store_root);

  // Adds `prefix` (absolute) unless listed. Errors (io).
  [[nodiscard]] util::Status add(const std::filesystem::path& prefix) const;
  // Removes `prefix` when listed. Errors (io).
  [[nodiscard]] util::Status remove(const std::filesystem::path& prefix) const;
  // The prefixes listed, in file order.
  [[nodiscard]] std::vector<std::filesystem::path> list() const;

private:
  template <class Change>
  util::Status update(Change change) const;

  std::filesystem::path m_root;
};

}  // namespace envsetup::install
