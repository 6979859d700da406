// SPDX-License-Identifier: Apache-2.0
// The parts of `envsetup inspect` that read (app/inspect_command.cpp drives them): one path
// given by the user into libraries, packages and problems, and the matrix comparison.
#pragma once

#include <envsetup/app/inspect_command.hpp>

#include <envsetup/util/unique_fd.hpp>

#include <cstdint>
#include <filesystem>
#include <set>
#include <utility>
#include <string>

namespace envsetup::app {

// The files read so far in one run, by (device, inode): a file reached twice (given and also
// inside a given folder, or through two paths) is reported once.
using SeenFiles = std::set<std::pair<std::uint64_t, std::uint64_t>>;

// True the first time the open file `fd` is seen (and records it); false for a file seen before.
[[nodiscard]] bool first_sighting(int fd, SeenFiles& seen);

// Adds what `path` holds to `report` (libraries, without_cuda, packages, problems): a file
// (a wheel when it ends in `.whl`), a venv (a folder with pyvenv.cfg) or a folder. Errors: usage
// for a path that is missing or neither a file nor a folder; io for a folder that cannot be read.
[[nodiscard]] util::Status collect_path(const std::filesystem::path& path, InspectReport& report, SeenFiles& seen);

// Adds the libraries inside the wheel `path` (open as `fd`), read from the zip stream without
// extracting (two passes: section tables, then fatbins). A wheel that is not a readable zip,
// or a decompression bomb, is a problem of the wheel; the libraries read before it stay.
[[nodiscard]] util::Status read_wheel(const std::filesystem::path& path, util::UniqueFd fd, InspectReport& report);

// The distribution and version a wheel's file name gives
// (`torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl` -> {"torch", "2.5.1+cu124"}). Pure.
struct WheelName {
  std::string distribution;
  std::string version;
};
[[nodiscard]] WheelName parse_wheel_name(const std::string& file_name);

// The framework whose GPU kernels the distribution `name` holds: torch and tensorflow in
// their own distribution, JAX in its CUDA plugins (`jax-cuda12-plugin`, `jax-cuda12-pjrt`)
// or, before the plugins, in jaxlib. Null for any other distribution. Pure.
[[nodiscard]] const matrix::Framework* framework_of_distribution(const matrix::Matrix& matrix, const std::string& name);

// Appends a "matrix-mismatch" warning for each package that is a framework build the matrix
// knows whose architecture list differs from what its own libraries carry. Pure.
void add_matrix_checks(InspectReport& report, const matrix::Matrix& matrix);

}  // namespace envsetup::app
