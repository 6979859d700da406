// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

namespace envsetup::cli {

// The process exit codes; docs/cli.md is the user-facing copy of this table.
enum ExitCode : int {
  k_exit_ok = 0,
  k_exit_failure = 1,       // the environment or a local file operation failed
  k_exit_usage = 2,         // bad flags or arguments
  k_exit_no_solution = 3,   // nothing in the matrix works on this host for the request
  k_exit_network = 4,       // a download or connection failed
  k_exit_integrity = 5,     // a checksum or archive check failed
  k_exit_verification = 6,  // a verification check ran and failed
  k_exit_invalid_data = 7,  // a data file (matrix, JSON) is invalid
  k_exit_internal = 70,     // a bug in envsetup
};

[[nodiscard]] int exit_code_for(util::ErrorKind kind);

}  // namespace envsetup::cli
