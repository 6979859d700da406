// SPDX-License-Identifier: Apache-2.0
// util::DlHandle against the fake NVML of tests/fakes (a real shared library; no GPU needed).
// Whether a library is still loaded is read from /proc/self/maps, on private copies of the
// fake so that no other test's use of it interferes.
#include <envsetup/util/dl_handle.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace envsetup::util {
namespace {

namespace fs = std::filesystem;

// A private copy of the fake NVML, removed (the file, not the mapping) at the end of the test.
class LibraryCopy {
public:
  LibraryCopy()
  {
    static std::atomic<int> counter{0};
    m_path = fs::temp_directory_path() /
             ("envsetup-dl-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".so");
    fs::copy_file(ENVSETUP_FAKE_NVML, m_path, fs::copy_options::overwrite_existing);
  }
  ~LibraryCopy()
  {
    std::error_code ec;
    fs::remove(m_path, ec);
  }
  LibraryCopy(const LibraryCopy&) = delete;
  LibraryCopy& operator=(const LibraryCopy&) = delete;

  [[nodiscard]] const fs::path& path() const { return m_path; }

private:
  fs::path m_path;
};

bool is_mapped(const fs::path& path)
{
  std::ifstream maps("/proc/self/maps");
  std::stringstream text;
  text << maps.rdbuf();
  return text.str().find(path.string()) != std::string::npos;
}

using NvmlInit = int (*)();

TEST(DlHandle, LoadsALibraryByPathAndFindsItsSymbols)
{
  auto nvml = DlHandle::open(ENVSETUP_FAKE_NVML);
  ASSERT_TRUE(nvml.ok()) << nvml.error().message;
  EXPECT_TRUE(nvml->loaded());
  EXPECT_NE(nvml->symbol<NvmlInit>("nvmlInit_v2"), nullptr);
  EXPECT_EQ(nvml->symbol<NvmlInit>("cuInit"), nullptr);
  EXPECT_EQ(nvml->raw_symbol("no_such_symbol"), nullptr);
}

TEST(DlHandle, AMissingLibraryIsAnErrorWithDlerrorAsItsCause)
{
  auto missing = DlHandle::open("/nonexistent/libnothing.so.1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::environment);
  EXPECT_EQ(missing.error().message, "cannot load `/nonexistent/libnothing.so.1`");
  ASSERT_EQ(missing.error().causes.size(), 1U);
  EXPECT_NE(missing.error().causes[0].find("No such file"), std::string::npos) << missing.error().causes[0];

  auto by_name = DlHandle::open("libenvsetup-no-such-library.so.1", ErrorKind::verification);
  ASSERT_FALSE(by_name.ok());
  EXPECT_EQ(by_name.error().kind, ErrorKind::verification);
}

TEST(DlHandle, AFileThatIsNotALibraryIsNotLoaded)
{
  const fs::path text = fs::temp_directory_path() / ("envsetup-dl-text-" + std::to_string(::getpid()) + ".so");
  std::ofstream(text) << "not an ELF file\n";
  auto loaded = DlHandle::open(text.string());
  fs::remove(text);
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.error().causes.size(), 1U);
  EXPECT_FALSE(loaded.error().causes[0].empty());
}

// dlopen("") returns the main program: an empty name (an empty variable or flag) must not
// turn symbol lookups into lookups in envsetup itself.
TEST(DlHandle, EmptyLibraryNameDoesNotOpenTheMainProgram)
{
  auto empty = DlHandle::open("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::environment);
  EXPECT_EQ(empty.error().causes, std::vector<std::string>{"the library name is empty"});
}

TEST(DlHandle, ClosesTheLibraryWhenDestroyed)
{
  const LibraryCopy copy;
  {
    auto handle = DlHandle::open(copy.path().string());
    ASSERT_TRUE(handle.ok()) << handle.error().message;
    EXPECT_TRUE(is_mapped(copy.path()));
  }
  EXPECT_FALSE(is_mapped(copy.path()));
}

TEST(DlHandle, MovesTransferTheLibraryAndAssignmentClosesTheOldOne)
{
  const LibraryCopy first;
  const LibraryCopy second;
  auto opened = DlHandle::open(first.path().string());
  ASSERT_TRUE(opened.ok());
  DlHandle owner(std::move(*opened));
  EXPECT_FALSE(opened->loaded());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(opened->raw_symbol("nvmlInit_v2"), nullptr);
  ASSERT_TRUE(owner.loaded());
  EXPECT_NE(owner.symbol<NvmlInit>("nvmlInit_v2"), nullptr);

  auto other = DlHandle::open(second.path().string());
  ASSERT_TRUE(other.ok());
  owner = std::move(*other);
  EXPECT_FALSE(is_mapped(first.path()));
  EXPECT_TRUE(is_mapped(second.path()));
  owner = DlHandle();
  EXPECT_FALSE(is_mapped(second.path()));
}

// The contract verify's toolkit libraries rely on (CUDA libraries are never dlclose()d).
TEST(DlHandle, AKeptLoadedLibraryOutlivesItsHandleAndItsMoves)
{
  const LibraryCopy copy;
  NvmlInit init = nullptr;
  {
    auto handle = DlHandle::open(copy.path().string());
    ASSERT_TRUE(handle.ok());
    handle->keep_loaded();
    DlHandle moved(std::move(*handle));
    EXPECT_TRUE(moved.kept_loaded());
    init = moved.symbol<NvmlInit>("nvmlInit_v2");
    DlHandle assigned;
    assigned = std::move(moved);
  }
  EXPECT_TRUE(is_mapped(copy.path()));
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(init(), 0);  // still callable: the code was not unmapped
}

}  // namespace
}  // namespace envsetup::util
