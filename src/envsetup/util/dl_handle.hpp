// SPDX-License-Identifier: Apache-2.0
// The one owner of dlopen() handles: the only file that includes <dlfcn.h> is dl_handle.cpp
// (tests/lint/check_layers.py holds that).
#pragma once

#include <envsetup/util/error.hpp>

#include <string>

namespace envsetup::util {

// One dlopen()ed shared library, loaded with RTLD_NOW | RTLD_LOCAL (every symbol bound at
// load time, none added to the global namespace). Move-only; the destructor dlclose()s it
// unless keep_loaded() was called. Symbols looked up through it are valid only while the
// library stays loaded: for a handle that is closed, no longer than the handle lives.
class DlHandle {
public:
  // Loads `path_or_name`: a name with a '/' is that file; a bare name goes through the
  // dynamic linker's search (LD_LIBRARY_PATH, ld.so.cache, the default folders). An empty
  // name is refused (dlopen("") would return the main program itself).
  // Error (kind `kind`): "cannot load `path_or_name`", caused by dlerror()'s text.
  [[nodiscard]] static Result<DlHandle> open(const std::string& path_or_name,
                                             ErrorKind kind = ErrorKind::environment);

  DlHandle() = default;  // holds no library
  ~DlHandle();
  DlHandle(DlHandle&& other) noexcept;
  DlHandle& operator=(DlHandle&& other) noexcept;
  DlHandle(const DlHandle&) = delete;
  DlHandle& operator=(const DlHandle&) = delete;

  [[nodiscard]] bool loaded() const { return m_handle != nullptr; }
  explicit operator bool() const { return loaded(); }

  // The address of `name`, or nullptr when the library does not export it (or none is held).
  [[nodiscard]] void* raw_symbol(const char* name) const;

  // `name` as a pointer of type `Function` (e.g. `int (*)(int*)`); nullptr when absent. The
  // caller asserts the prototype: nothing checks it against the library.
  template <typename Function>
  [[nodiscard]] Function symbol(const char* name) const
  {
    // POSIX guarantees that a data pointer from dlsym converts to a function pointer.
    return reinterpret_cast<Function>(raw_symbol(name));  // NOLINT(*-reinterpret-cast)
  }

  // The contract for libraries that must never be unloaded (the CUDA runtime, cuBLAS and
  // cuDNN register exit handlers and thread-local destructors, and a dlclose before exit
  // breaks the process later): after this call the library stays loaded until the process
  // exits, whatever happens to this handle or its moves. Symbols stay valid that long too.
  void keep_loaded() { m_keep_loaded = true; }
  [[nodiscard]] bool kept_loaded() const { return m_keep_loaded; }

private:
  explicit DlHandle(void* handle) : m_handle(handle) {}
  void close();

  void* m_handle = nullptr;
  bool m_keep_loaded = false;
};

}  // namespace envsetup::util
