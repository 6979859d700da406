// SPDX-License-Identifier: Apache-2.0
// `envsetup mirror --lock FILE OUTDIR`: one folder with everything a lock installs, for
// machines without network (docs/lockfile.md, "Bundles"):
//   OUT/<product>/redist/redistrib_<release>.json and the archives   NVIDIA's layout, as `mirror` writes
//   OUT/simple/index.html, OUT/simple/<project>/index.html           a PEP 503 index, links with #sha256=
//   OUT/simple/<project>/<wheel file>                                 the wheels
//   OUT/envsetup.lock                                                 the lock, byte for byte
#pragma once

#include <envsetup/app/fetch_command.hpp>
#include <envsetup/fetch/downloader.hpp>
#include <envsetup/lock/lockfile.hpp>
#include <envsetup/util/error.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace envsetup::app {

// The file name of the lock inside a bundle.
inline constexpr const char* k_bundle_lock_name = "envsetup.lock";

struct LockMirrorOptions {
  std::filesystem::path lock_file;
  std::filesystem::path out_dir;
  // mirror (NVIDIA root), cache_dir, cacert, jobs, offline, user_agent; versions and
  // components come from the lock.
  FetchOptions fetch;
  std::map<std::string, std::string> index_urls;  // index key -> URL replacing the lock's root
};

struct LockMirrorPlan {
  lock::Lockfile lockfile;
  std::string lock_text;  // the bytes read
  FetchPlan archives;     // manifests and archives (empty when the lock has none)
  std::vector<fetch::DownloadItem> wheels;
  std::vector<std::string> projects;  // the PEP 503 folder of each wheel, same order
  std::uint64_t total_bytes = 0;      // archives and wheels
};

// Reads and parses a lockfile. Errors: io (unreadable), input (parse_lockfile's).
[[nodiscard]] util::Result<lock::Lockfile> read_lockfile(const std::filesystem::path& path, std::string* text);

// Reads the lock, the manifests of its archives (network, or the cache with --offline) and
// checks that each manifest still lists every locked archive with the locked sha256 and size
// (kind integrity otherwise, naming the archive); turns every wheel into a download from its
// index (or the replacement given in index_urls). Errors: those of read_lockfile, usage (an
// index_urls key the lock does not have, archives of two platforms), network, integrity.
[[nodiscard]] util::Result<LockMirrorPlan> plan_lock_mirror(const LockMirrorOptions& options);

// Downloads everything through the cache (sha256 checked while streaming) and writes the
// bundle below `out_dir`: archives first (run_mirror), then each wheel, then the index pages,
// then the lock, each file atomically and never through a link. Returns the files written.
// With --offline, what is not in the cache is named (kind environment) and nothing is fetched.
[[nodiscard]] util::Result<std::vector<std::filesystem::path>> run_lock_mirror(const LockMirrorOptions& options,
                                                                             LockMirrorPlan& plan,
                                                                             fetch::DownloadObserver* observer);

// The PEP 503 project page listing `files` (file name, sha256), sorted by file name.
[[nodiscard]] std::string simple_project_page(const std::string& project,
                                              std::vector<std::pair<std::string, std::string>> files);

}  // namespace envsetup::app
