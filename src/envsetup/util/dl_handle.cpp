// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/dl_handle.hpp>

#include <utility>

#include <dlfcn.h>

namespace envsetup::util {

Result<DlHandle> DlHandle::open(const std::string& path_or_name, ErrorKind kind)
{
  if (path_or_name.empty()) {
    return make_error(kind, "cannot load ``").with_cause("the library name is empty");
  }
  void* handle = ::dlopen(path_or_name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    // glibc keeps dlerror()'s state per thread: this is this thread's failure.
    const char* why = ::dlerror();  // NOLINT(concurrency-mt-unsafe)
    return make_error(kind, "cannot load `" + path_or_name + "`")
      .with_cause(why != nullptr ? why : "dlopen failed");
  }
  return DlHandle(handle);
}

DlHandle::~DlHandle()
{
  close();
}

DlHandle::DlHandle(DlHandle&& other) noexcept
  : m_handle(std::exchange(other.m_handle, nullptr)), m_keep_loaded(std::exchange(other.m_keep_loaded, false))
{
}

DlHandle& DlHandle::operator=(DlHandle&& other) noexcept
{
  if (this != &other) {
    close();
    m_handle = std::exchange(other.m_handle, nullptr);
    m_keep_loaded = std::exchange(other.m_keep_loaded, false);
  }
  return *this;
}

void* DlHandle::raw_symbol(const char* name) const
{
  return m_handle != nullptr ? ::dlsym(m_handle, name) : nullptr;
}

void DlHandle::close()
{
  if (m_handle != nullptr && !m_keep_loaded) {
    ::dlclose(m_handle);
  }
  m_handle = nullptr;
  m_keep_loaded = false;
}

}  // namespace envsetup::util
