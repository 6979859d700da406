// SPDX-License-Identifier: Apache-2.0
// Private to the verify module: CUDA libraries of a toolkit prefix loaded by path. The
// prototypes used are declared where they are called (no NVIDIA headers are needed).
#pragma once

#include <envsetup/core/version.hpp>
#include <envsetup/util/dl_handle.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/verify/check.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace envsetup::verify::detail {

// A library loaded by path (util::DlHandle: RTLD_NOW | RTLD_LOCAL). It is never closed
// (DlHandle::keep_loaded): CUDA libraries register exit handlers, and unloading them early is
// what breaks processes. Its symbols therefore stay valid until the process exits. Move-only.
class LoadedLibrary {
public:
  // Errors (kind verification): the library cannot be loaded; the message has dlerror()'s text.
  [[nodiscard]] static util::Result<LoadedLibrary> open(const std::filesystem::path& path);

  template <typename Function>
  [[nodiscard]] Function symbol(const char* name) const
  {
    return m_handle.symbol<Function>(name);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
  LoadedLibrary(util::DlHandle handle, std::filesystem::path path)
    : m_handle(std::move(handle)), m_path(std::move(path))
  {
  }

  util::DlHandle m_handle;  // kept loaded
  std::filesystem::path m_path;
};

// The toolkit:libcudart/libcublas/libcudnn checks; `loaded` receives the library when it
// loaded (for the SGEMM).
[[nodiscard]] Check cudart_check(const std::filesystem::path& prefix,
                                 const std::optional<core::Version>& cuda,
                                 std::optional<LoadedLibrary>& loaded);
[[nodiscard]] Check cublas_check(const std::filesystem::path& prefix,
                                 const std::optional<core::Version>& cuda,
                                 std::optional<LoadedLibrary>& loaded);
[[nodiscard]] Check cudnn_check(const std::filesystem::path& prefix,
                                const std::optional<core::Version>& cudnn);

// toolkit:cublas-sgemm through `cublas` with device memory from `cudart`.
[[nodiscard]] Check cublas_sgemm_check(const LoadedLibrary& cudart, const LoadedLibrary& cublas);

}  // namespace envsetup::verify::detail
