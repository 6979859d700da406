// SPDX-License-Identifier: Apache-2.0
#pragma once
// Random sets of component archives for property tests: from a seed, the members of N
// archives in NVIDIA's layout (a top folder each) mixing what is ordinary with what an attacker
// or a careless packager writes: files, folders, symlinks (inside, escaping with `..`,
// absolute, loops, chains through paths other components ship), hard links (to files, to
// nothing, out of the archive), writes through an earlier symlink, `..` and absolute names,
// entries outside the top folder, the same paths in several components with the same or
// different contents, long (200+ byte) and odd names (spaces, unicode, leading dashes, `...`),
// and deep nesting. About half the archives are hostile; the others hold only what a careless
// packager writes (links inside, loops, collisions). The same seed gives the same set (no std
// distributions: portable).

#include "archive_builder.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace envsetup::testing {

struct GeneratedArchive {
  std::string component;  // "comp1"
  std::string file_name;  // "comp1-linux-x86_64-1.1-archive.tar.xz"
  std::vector<ArchiveMember> members;
};

struct ArchiveSetOptions {
  std::size_t archives = 3;      // components in the set
  std::size_t max_entries = 32;  // per archive, besides its top folder
  // An absolute folder outside every destination (a canary tree) and names in it: the
  // targets of escaping symlinks, hard links and absolute names. Without one, /etc is aimed at.
  std::string outside;
  std::vector<std::string> outside_names;
};

[[nodiscard]] std::vector<GeneratedArchive> generate_archive_set(std::uint64_t seed,
                                                                 const ArchiveSetOptions& options = {});

// Writes every archive of `set` as `folder`/file_name (real .tar.xz, archive_builder), in set
// order; returns "" or the first problem.
[[nodiscard]] std::string write_archive_set(const std::vector<GeneratedArchive>& set,
                                            const std::filesystem::path& folder);

// One line per member ("symlink comp1-.../lib/a -> ../b"): for failure messages.
[[nodiscard]] std::string describe_archive_set(const std::vector<GeneratedArchive>& set);

}  // namespace envsetup::testing
