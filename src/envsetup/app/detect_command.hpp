// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/detect/probe.hpp>
#include <envsetup/detect/report.hpp>
#include <envsetup/util/error.hpp>

#include <filesystem>
#include <optional>

namespace envsetup::app {

struct DetectOptions {
  std::optional<std::filesystem::path> sysroot;  // --sysroot; else ENVSETUP_SYSROOT
  MatrixChoice matrix;
};

// A probe of this process's environment with `overrides` applied, rooted at `sysroot`
// (else ENVSETUP_SYSROOT, else /). Errors (kind usage): the sysroot is not a folder.
[[nodiscard]] util::Result<detect::SystemProbe> make_probe(
  const std::optional<std::filesystem::path>& sysroot,
  const detect::SystemProbe::Environment& overrides = {});

// Detects the host (docs/detect.md). Errors: only a matrix that cannot be loaded, or a
// `--sysroot` that is not a folder (kind usage); every host problem is a warning.
[[nodiscard]] util::Result<detect::HostReport> run_detect(const DetectOptions& options);

}  // namespace envsetup::app
