// SPDX-License-Identifier: Apache-2.0
// `envsetup inspect`: what GPU code the CUDA libraries on disk really carry, read from their
// fatbin headers, and how each would run on the GPUs (docs/inspect.md).
#pragma once

#include <envsetup/app/matrix_source.hpp>
#include <envsetup/binary/library.hpp>
#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/version.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/resolve/binary_coverage.hpp>
#include <envsetup/util/error.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// The GPUs and driver the coverage is computed for.
struct InspectTargets {
  std::vector<core::ComputeCapability> gpus;
  std::optional<core::Version> driver;       // the driver version, when known
  std::optional<core::Version> driver_cuda;  // the newest CUDA it runs (X.Y), when known
};

// How one library runs on one GPU, and how many of its compilation units (fatbins) carry no
// code for that GPU: a library such as cuBLAS keeps kernels for one architecture in units of
// their own, so units without code are normal where another unit covers the GPU; a library
// whose every unit lacks code cannot run there at all (`run.how == none`).
struct LibraryCoverage {
  resolve::GpuRun run;
  std::size_t units_without_code = 0;
};

struct InspectedLibrary {
  std::string path;     // as given, or `WHEEL!member` for a file inside a wheel
  std::string package;  // the distribution that owns it ("torch"), "" when unknown
  binary::LibraryCode code;
  std::vector<LibraryCoverage> coverage;  // one per InspectTargets::gpus, same order

  // True when every GPU runs it: SASS, or PTX the driver can JIT (or may: unknown driver).
  [[nodiscard]] bool runs_everywhere() const;
  // The file's name: the part of `path` after the last `/` or `!` ("libtorch_cuda.so").
  [[nodiscard]] std::string file_name() const;
};

// A distribution of an inspected venv or wheel that holds CUDA code.
struct InspectedPackage {
  std::string name;     // as its metadata spells it ("torch")
  std::string version;  // "2.5.1+cu124"
  std::vector<std::size_t> libraries;  // indexes into InspectReport::libraries
};

// Something worth a user's attention that is not an unreadable file. `id`: "matrix-mismatch"
// (the matrix's architecture list for this build differs from the binaries), "no-gpu" (no GPU
// given or detected: coverage left out), "too-deep" (folders nested too deep were not read).
struct InspectWarning {
  std::string id;
  std::string subject;  // the library or package it is about ("" for the whole run)
  std::string message;
};

// A file that could not be read; the others are still reported.
struct FileProblem {
  std::string path;
  util::Error error;
};

struct InspectReport {
  InspectTargets targets;
  std::string gpu_source;  // "--gpu", "detected" or "none"
  std::vector<InspectedLibrary> libraries;  // those with CUDA code, in the order found
  std::vector<std::string> without_cuda;    // libraries read that hold no CUDA code
  std::vector<InspectedPackage> packages;
  std::vector<InspectWarning> warnings;
  std::vector<FileProblem> problems;

  // True when no file failed to read and every library runs on every GPU.
  [[nodiscard]] bool ok() const;
};

// Reads every library under `paths` (a library or object file, a folder walked for `*.so*`
// and `*.o`, a venv (its site-packages, with packages from the RECORD files), or a `.whl`,
// read as a zip stream) and computes coverage for `targets`. Pure of detection. Errors:
// usage for a path that does not exist or is neither a file nor a folder; io for a venv or
// folder that cannot be read. A corrupt library is a FileProblem, not an error.
[[nodiscard]] util::Result<InspectReport> inspect_paths(const std::vector<std::filesystem::path>& paths,
                                                        const InspectTargets& targets,
                                                        const matrix::Matrix& matrix);

struct InspectOptions {
  std::vector<std::filesystem::path> paths;
  std::vector<core::ComputeCapability> gpus;  // --gpu; empty: the detected GPUs
  std::optional<core::Version> driver;        // --driver; nullopt: the detected driver
  std::optional<std::filesystem::path> sysroot;
  MatrixChoice matrix;
};

// Loads the matrix, detects the GPUs and the driver that the options leave open, and
// inspects. Errors: as inspect_paths and load_matrix; usage for a --driver the matrix cannot
// place (older than every CUDA release it knows).
[[nodiscard]] util::Result<InspectReport> run_inspect(const InspectOptions& options);

}  // namespace envsetup::app
