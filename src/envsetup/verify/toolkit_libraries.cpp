// SPDX-License-Identifier: Apache-2.0
// The prefix's libcudart, libcublas and libcudnn, loaded by path and asked their versions.
#include <envsetup/verify/loaded_library.hpp>
#include <envsetup/verify/toolkit_check.hpp>

#include <algorithm>
#include <cstddef>

namespace envsetup::verify {

namespace fs = std::filesystem;

namespace {

// The soname's number of a file name like "libcudart.so.12" or "libcudnn.so.9.1.0"; -1 for the
// bare "libcudart.so", nullopt for other names.
std::optional<int> soname_major(const std::string& name, const std::string& library)
{
  if (name == library) {
    return -1;
  }
  if (!name.starts_with(library + ".")) {
    return std::nullopt;
  }
  const std::string rest = name.substr(library.size() + 1);
  const std::string digits = rest.substr(0, rest.find('.'));
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoi(digits);
}

std::optional<core::Version> version_of(int major, int minor, int patch)
{
  auto parsed = core::Version::parse(std::to_string(major) + "." + std::to_string(minor) + "." +
                                     std::to_string(patch));
  return parsed ? std::optional<core::Version>(*parsed) : std::nullopt;
}

// True when `found` agrees with `expected` on its first `components` (at most those written).
bool agrees(const core::Version& found, const core::Version& expected, std::size_t components)
{
  const std::size_t n = std::min({components, found.parts().size(), expected.parts().size()});
  return found.prefix(n) == expected.prefix(n);
}

Check fail(std::string name, std::string detail, std::string hint)
{
  return {std::move(name), CheckStatus::fail, std::move(detail), std::move(hint), {}};
}

// Loads `library` of the prefix; on failure, `check` is filled in.
std::optional<detail::LoadedLibrary> load(const fs::path& prefix, const std::string& library,
                                          const std::string& name, Check& check)
{
  const auto path = find_prefix_library(prefix, library);
  if (!path) {
    check = fail(name, "no " + library + "* in " + prefix.string() + "/{lib64,lib,targets/*/lib}",
                 "install the CUDA runtime libraries into the prefix (envsetup install)");
    return std::nullopt;
  }
  auto loaded = detail::LoadedLibrary::open(*path);
  if (!loaded) {
    check = fail(name, loaded.error().message,
                 "a library it needs is missing from the prefix or the system (ldd " + path->string() + ")");
    return std::nullopt;
  }
  return std::move(*loaded);
}

Check compare(std::string name, const fs::path& path, const std::optional<core::Version>& found,
              const std::optional<core::Version>& expected, std::size_t components,
              const std::string& what)
{
  if (!found) {
    return fail(std::move(name), path.string() + " did not report its version",
                "the library is damaged or not " + what);
  }
  const std::string detail = path.string() + " reports " + what + " " + found->text();
  if (expected && !agrees(*found, *expected, components)) {
    return fail(std::move(name), detail + ", expected " + expected->text(),
                "the prefix mixes versions: reinstall it (envsetup install)");
  }
  return {std::move(name), CheckStatus::pass, detail, std::nullopt, {}};
}

}  // namespace

std::optional<fs::path> find_prefix_library(const fs::path& prefix, const std::string& library)
{
  std::vector<fs::path> dirs = {prefix / "lib64", prefix / "lib"};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(prefix / "targets", ec)) {
    dirs.push_back(entry.path() / "lib");
  }
  for (const auto& dir : dirs) {
    std::optional<fs::path> best;
    int best_major = -2;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const auto major = soname_major(entry.path().filename().string(), library);
      if (major && *major > best_major) {
        best_major = *major;
        best = entry.path();
      }
    }
    if (best) {
      return best;
    }
  }
  return std::nullopt;
}

namespace detail {

util::Result<LoadedLibrary> LoadedLibrary::open(const fs::path& path)
{
  auto handle = util::DlHandle::open(path.string(), util::ErrorKind::verification);
  if (!handle) {
    const auto& causes = handle.error().causes;
    return util::make_error(util::ErrorKind::verification,
                            "cannot load " + path.string() + ": " + (causes.empty() ? "unknown error" : causes.front()));
  }
  handle->keep_loaded();  // never dlclose()d: see the class comment
  return LoadedLibrary(std::move(*handle), path);
}

Check cudart_check(const fs::path& prefix, const std::optional<core::Version>& cuda,
                   std::optional<LoadedLibrary>& loaded)
{
  Check check;
  loaded = load(prefix, "libcudart.so", "toolkit:libcudart", check);
  if (!loaded) {
    return check;
  }
  std::optional<core::Version> found;
  int version = 0;
  if (auto get = loaded->symbol<int (*)(int*)>("cudaRuntimeGetVersion"); get != nullptr && get(&version) == 0) {
    found = version_of(version / 1000, (version % 1000) / 10, 0);
  }
  return compare("toolkit:libcudart", loaded->path(), found ? std::optional(found->prefix(2)) : found,
                 cuda, 2, "CUDA runtime");
}

Check cublas_check(const fs::path& prefix, const std::optional<core::Version>& cuda,
                   std::optional<LoadedLibrary>& loaded)
{
  Check check;
  // libcublas needs libcublasLt of the same prefix; loaded first (and, like every
  // LoadedLibrary, never unloaded), it satisfies that need.
  if (auto lt = find_prefix_library(prefix, "libcublasLt.so")) {
    (void)LoadedLibrary::open(*lt);
  }
  loaded = load(prefix, "libcublas.so", "toolkit:libcublas", check);
  if (!loaded) {
    return check;
  }
  std::optional<core::Version> found;
  if (auto get = loaded->symbol<int (*)(int, int*)>("cublasGetProperty")) {
    int parts[3] = {0, 0, 0};  // MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL
    if (get(0, &parts[0]) == 0 && get(1, &parts[1]) == 0 && get(2, &parts[2]) == 0) {
      found = version_of(parts[0], parts[1], parts[2]);
    }
  }
  return compare("toolkit:libcublas", loaded->path(), found, cuda, 1, "cuBLAS");
}

Check cudnn_check(const fs::path& prefix, const std::optional<core::Version>& cudnn)
{
  if (!find_prefix_library(prefix, "libcudnn.so")) {
    return {"toolkit:libcudnn", CheckStatus::skip, "no libcudnn* in " + prefix.string(),
            std::string("install cuDNN into the prefix if a program needs it"), {}};
  }
  Check check;
  auto loaded = load(prefix, "libcudnn.so", "toolkit:libcudnn", check);
  if (!loaded) {
    return check;
  }
  std::optional<core::Version> found;
  if (auto get = loaded->symbol<std::size_t (*)()>("cudnnGetVersion")) {
    const int v = static_cast<int>(get());
    // cuDNN 9: major*10000 + minor*100 + patch; cuDNN <= 8: major*1000 + minor*100 + patch.
    found = v >= 90000 ? version_of(v / 10000, (v % 10000) / 100, v % 100)
                       : version_of(v / 1000, (v % 1000) / 100, v % 100);
  }
  return compare("toolkit:libcudnn", loaded->path(), found, cudnn, 2, "cuDNN");
}

}  // namespace detail

}  // namespace envsetup::verify
