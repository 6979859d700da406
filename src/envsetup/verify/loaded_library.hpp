// SPDX-License-Identifier: Apache-2.0
// Private to the verify module: CUDA libraries of a toolkit prefix loaded by path. The
// prototypes used are declared where they are called (no NVIDIA headers are needed).
#pragma once

#include <envsetup/core/version.hpp>
#include <envsetup/util/error.hpp>
#include <envsetup/verify/check.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace envsetup::verify::detail {

// A library dlopen()ed by path with RTLD_NOW | RTLD_LOCAL. It is never closed: CUDA
// libraries register exit handlers, and unloading them early is what breaks processes.
class LoadedLibrary {
public:
  // Errors (kind verification): dlopen failed; the message has dlerror()'s text.
  [[nodiscard]] static util::Result<LoadedLibrary> open(const std::filesystem::path& path);

  template <typename Function>
  [[nodiscard]] Function symbol(const char* name) const
  {
    // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
    return reinterpret_cast<Function>(raw_symbol(name));
  }
  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
  LoadedLibrary(void* handle, std::filesystem::path path) : m_handle(handle), m_path(std::move(path)) {}
  [[nodiscard]] void* raw_symbol(const char* name) const;

  void* m_handle = nullptr;
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
