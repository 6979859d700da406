// SPDX-License-Identifier: Apache-2.0
// The package index asked about the matrix (`matrix check-index`) and about one plan
// (`resolve --check-index`, `install --framework`): pages fetched here, judged by pyindex.
#pragma once

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/app/resolve_command.hpp>
#include <envsetup/fetch/downloader.hpp>
#include <envsetup/pyindex/claims.hpp>
#include <envsetup/util/error.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// How index pages are read.
struct IndexAccess {
  fetch::DownloadOptions download;  // transport (cacert, user agent, timeouts)
  std::uint64_t max_page_bytes = 64u << 20;
};

struct CheckIndexOptions {
  std::optional<std::string> index;      // --index: replaces https://download.pytorch.org/whl/ and PyPI
  std::optional<std::string> framework;  // --framework NAME; default every framework of the matrix
  MatrixChoice matrix;
  IndexAccess access;
};

struct FrameworkClaims {
  std::string framework;
  pyindex::ClaimReport report;
};

struct CheckIndexOutcome {
  std::vector<FrameworkClaims> frameworks;
  std::vector<std::string> pages;  // the project pages read, in order
  [[nodiscard]] std::size_t checked() const;
  [[nodiscard]] std::size_t contradictions() const;
};

// `envsetup matrix check-index`: reads every project page the framework's variants name
// (PEP 691 JSON asked first, HTML otherwise; a missing page is an index without the project)
// and checks every claim. Errors: usage (an unknown --framework, an --index that is not an
// http(s)/file URL), io / input (matrix), network (a page cannot be read), input (a page
// that is neither PEP 691 nor PEP 503, named by URL).
[[nodiscard]] util::Result<CheckIndexOutcome> check_index(const CheckIndexOptions& options);

// Where a plan's wheels are asked for.
struct PlanIndexOptions {
  std::optional<std::string> wheel_mirror;  // replaces https://download.pytorch.org/whl/
  // The index of plans without an index_url: unset = PIP_INDEX_URL, else https://pypi.org/simple/.
  std::optional<std::string> default_index;
  bool offline = false;  // not asked: a plan note says so
  int max_rounds = 8;    // builds excluded before giving up
  IndexAccess access;
};

// run_resolve, then the chosen build asked of its index: when the index has no wheel for the
// plan's version, variant, CPython tag and platform (nor one for the host's glibc), that
// build is excluded (core::BuildExclusion, the reason shown as its rejection) and the request
// resolved again, at most `max_rounds` times. The plan's notes say what was checked, or
// why nothing was (offline, an index that cannot be reached: the plan is kept). A CPU-only
// plan and a bare toolkit are not checked. Errors: those of run_resolve; input (a page
// that is neither PEP 691 nor PEP 503).
[[nodiscard]] util::Result<ResolveOutcome> resolve_checked(const ResolveOptions& options,
                                                           const PlanIndexOptions& index);

}  // namespace envsetup::app
