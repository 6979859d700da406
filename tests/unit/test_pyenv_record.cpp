// SPDX-License-Identifier: Apache-2.0
// RECORD files: the CSV reader and path normalization (pure), and read_records /
// site_packages_of on a venv made by the host's `python3 -m venv` (skipped without one) and on
// hand-made trees with symlinks planted where a dist-info, a RECORD or a lib folder should be.
#include <envsetup/pyenv/record.hpp>

#include <envsetup/util/fs.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace envsetup::pyenv {
namespace {

namespace fs = std::filesystem;

std::string describe(const util::Error& error)
{
  std::string text = error.message;
  for (const std::string& cause : error.causes) {
    text += "\n  cause: " + cause;
  }
  return text;
}

TEST(PyenvRecordCsv, ReadsThePathColumnAsPythonsCsvWritesIt)
{
  const std::string text =
    "torch/__init__.py,sha256=abc,123\r\n"
    "\"torch/odd,name.py\",sha256=def,4\n"
    "\n"
    "\"say \"\"hi\"\".txt\",,\n"
    "\"two\nlines\",,\n"
    "quote\"inside,,\n"
    "\"\",,\n"
    "../../../bin/torchrun,sha256=x,9";  // no line break after the last row
  const auto paths = parse_record_paths(text);
  ASSERT_TRUE(paths) << describe(paths.error());
  EXPECT_EQ(*paths, (std::vector<std::string>{"torch/__init__.py", "torch/odd,name.py", "say \"hi\".txt", "two\nlines",
                                              "quote\"inside", "", "../../../bin/torchrun"}));
}

TEST(PyenvRecordCsv, AnUnterminatedQuoteIsAnError)
{
  const auto paths = parse_record_paths("a.py,,\n\"b.py,,\nc.py,,\n");
  ASSERT_FALSE(paths);
  EXPECT_EQ(paths.error().kind, util::ErrorKind::input);
  EXPECT_EQ(paths.error().message, "unterminated quoted field in row 2");
}

TEST(PyenvRecordCsv, EmptyTextHasNoRows)
{
  EXPECT_TRUE(parse_record_paths("").value().empty());
  EXPECT_TRUE(parse_record_paths("\n\r\n\n").value().empty());
}

TEST(PyenvRecordPath, NormalizesAndMarksPathsOutsideSitePackages)
{
  struct Case {
    std::string in, path;
    bool outside;
  };
  for (const Case& c : std::vector<Case>{{"torch/lib/libc10.so", "torch/lib/libc10.so", false},
                                         {"./torch//lib/./x.so", "torch/lib/x.so", false},
                                         {"a/b/../c", "a/c", false},
                                         {"../../../bin/torchrun", "../../../bin/torchrun", true},
                                         {"a/../../x", "../x", true},
                                         {"../a/../b", "../b", true}}) {
    const auto file = normalize_record_path(c.in);
    ASSERT_TRUE(file) << c.in << ": " << describe(file.error());
    EXPECT_EQ(file->path, c.path) << c.in;
    EXPECT_EQ(file->outside, c.outside) << c.in;
  }
  for (const std::string& bad :
       std::vector<std::string>{"", "/usr/lib/x.so", "a/..", "..", "./", std::string("a\0b", 3)}) {
    const auto file = normalize_record_path(bad);
    ASSERT_FALSE(file) << bad;
    EXPECT_EQ(file.error().kind, util::ErrorKind::input);
  }
}

class PyenvRecord : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_root = fs::temp_directory_path() / ("envsetup-record-" + std::to_string(std::random_device{}()));
    fs::create_directories(m_root);
  }
  void TearDown() override { fs::remove_all(m_root); }

  static void write(const fs::path& path, const std::string& text)
  {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  // A venv by `python3 -m venv`; empty when the host has no python3 with venv.
  fs::path make_real_venv()
  {
    const fs::path venv = m_root / "venv";
    const std::string command = "python3 -m venv --without-pip '" + venv.string() + "' > /dev/null 2>&1";
    return std::system(command.c_str()) == 0 ? venv : fs::path();
  }

  fs::path m_root;
};

TEST_F(PyenvRecord, ReadsTheDistributionsOfARealVenv)
{
  const fs::path venv = make_real_venv();
  if (venv.empty()) {
    GTEST_SKIP() << "no `python3 -m venv` on this host";
  }
  const auto site = site_packages_of(venv);
  ASSERT_TRUE(site) << describe(site.error());
  EXPECT_EQ(site->parent_path().parent_path(), venv / "lib");
  EXPECT_EQ(site->filename(), "site-packages");
  const fs::path ext = *site / "My_Ext-0.3.dist-info";
  write(ext / "METADATA", "Metadata-Version: 2.1\nName: My_Ext\nVersion: 0.3\n\nlong text\n");
  write(ext / "RECORD",
        "my_ext/__init__.py,sha256=a,10\n"
        "\"my_ext/lib,with comma.so\",sha256=b,20\n"
        "../../../bin/my-ext,sha256=c,30\n"
        "/usr/lib/evil.so,,\n"
        "My_Ext-0.3.dist-info/RECORD,,\n");
  const fs::path other = *site / "other-1.0.dist-info";
  write(other / "METADATA", "Name: Other\nVersion: 1.0\n");
  write(other / "RECORD", "other.py,,\n");
  const auto records = read_records(*site);
  ASSERT_TRUE(records) << describe(records.error());
  ASSERT_EQ(records->size(), 2U);
  const DistributionRecord& first = (*records)[0];
  EXPECT_EQ(first.dist_info, "My_Ext-0.3.dist-info");
  EXPECT_EQ(first.name, "My_Ext");
  EXPECT_EQ(first.normalized_name, "my-ext");
  EXPECT_EQ(first.version, "0.3");
  EXPECT_FALSE(first.error) << describe(*first.error);
  ASSERT_EQ(first.files.size(), 4U);
  EXPECT_EQ(first.files[0].path, "my_ext/__init__.py");
  EXPECT_EQ(first.files[1].path, "my_ext/lib,with comma.so");
  EXPECT_EQ(first.files[2].path, "../../../bin/my-ext");
  EXPECT_TRUE(first.files[2].outside);
  EXPECT_FALSE(first.files[0].outside);
  EXPECT_EQ(first.rejected, std::vector<std::string>{"/usr/lib/evil.so"});
  EXPECT_EQ((*records)[1].normalized_name, "other");
  EXPECT_EQ((*records)[1].files.size(), 1U);
}

// One broken distribution is that distribution's error; the others are still read, and no
// symlink is followed.
TEST_F(PyenvRecord, ProblemsStayWithTheirDistribution)
{
  const fs::path site = m_root / "site-packages";
  const fs::path elsewhere = m_root / "elsewhere";
  write(elsewhere / "METADATA", "Name: planted\nVersion: 6.6\n");
  write(elsewhere / "RECORD", "planted.py,,\n");
  fs::create_directories(site);
  fs::create_directory_symlink(elsewhere, site / "linked-1.0.dist-info");
  write(site / "file-1.0.dist-info", "not a folder");
  write(site / "nometa-2.0.dist-info/RECORD", "nometa.py,,\n");
  write(site / "norecord-1.0.dist-info/METADATA", "Name: norecord\nVersion: 1.0\n");
  write(site / "symrecord-1.0.dist-info/METADATA", "Name: symrecord\nVersion: 1.0\n");
  fs::create_symlink(elsewhere / "RECORD", site / "symrecord-1.0.dist-info/RECORD");
  write(site / "badcsv-1.0.dist-info/METADATA", "Name: badcsv\nVersion: 1.0\n");
  write(site / "badcsv-1.0.dist-info/RECORD", "\"open.py,,\n");
  write(site / "good-1.0.dist-info/METADATA", "Name: Good\nVersion: 1.0\n");
  write(site / "good-1.0.dist-info/RECORD", "good.py,,\n");
  write(site / "good.py", "");
  const auto records = read_records(site);
  ASSERT_TRUE(records) << describe(records.error());
  std::map<std::string, const DistributionRecord*> by_folder;
  for (const DistributionRecord& record : *records) {
    by_folder[record.dist_info] = &record;
  }
  ASSERT_EQ(by_folder.size(), 7U);
  const auto error_of = [&](const std::string& folder) {
    const DistributionRecord* record = by_folder.at(folder);
    return record->error ? record->error->message : std::string("<no error>");
  };
  EXPECT_EQ(error_of("linked-1.0.dist-info"), "`linked-1.0.dist-info` is a symbolic link: not followed");
  EXPECT_EQ(by_folder.at("linked-1.0.dist-info")->name, "linked");  // from the folder's name
  EXPECT_TRUE(by_folder.at("linked-1.0.dist-info")->files.empty());
  EXPECT_EQ(error_of("file-1.0.dist-info"), "`file-1.0.dist-info` is not a folder");
  EXPECT_EQ(error_of("nometa-2.0.dist-info"), "`nometa-2.0.dist-info` has no METADATA file");
  EXPECT_EQ(by_folder.at("nometa-2.0.dist-info")->version, "2.0");
  EXPECT_EQ(by_folder.at("nometa-2.0.dist-info")->files.size(), 1U);
  EXPECT_EQ(error_of("norecord-1.0.dist-info"), "`norecord-1.0.dist-info` has no RECORD file");
  EXPECT_EQ(error_of("symrecord-1.0.dist-info"), "`symrecord-1.0.dist-info/RECORD` is not a regular file: not read");
  EXPECT_TRUE(by_folder.at("symrecord-1.0.dist-info")->files.empty());
  EXPECT_EQ(error_of("badcsv-1.0.dist-info"), "cannot read `badcsv-1.0.dist-info/RECORD`");
  EXPECT_EQ(error_of("good-1.0.dist-info"), "<no error>");
  EXPECT_EQ(by_folder.at("good-1.0.dist-info")->name, "Good");
}

TEST_F(PyenvRecord, AnOversizedRecordIsRefused)
{
  const fs::path site = m_root / "site-packages";
  write(site / "big-1.0.dist-info/METADATA", "Name: big\nVersion: 1.0\n");
  write(site / "big-1.0.dist-info/RECORD", "");
  fs::resize_file(site / "big-1.0.dist-info/RECORD", k_max_record_bytes + 1);
  const auto records = read_records(site);
  ASSERT_TRUE(records) << describe(records.error());
  ASSERT_EQ(records->size(), 1U);
  ASSERT_TRUE((*records)[0].error);
  EXPECT_EQ((*records)[0].error->kind, util::ErrorKind::input);
  EXPECT_EQ((*records)[0].error->message, "cannot read `big-1.0.dist-info/RECORD`");
}

TEST_F(PyenvRecord, SitePackagesOfNeedsAVenvWithExactlyOne)
{
  const fs::path venv = m_root / "v";
  fs::create_directories(venv / "lib/python3.11/site-packages");
  auto site = site_packages_of(venv);
  ASSERT_FALSE(site);
  EXPECT_EQ(site.error().kind, util::ErrorKind::input);
  EXPECT_EQ(site.error().message, "`" + venv.string() + "` is not a venv: it has no pyvenv.cfg");
  write(venv / "pyvenv.cfg", "version = 3.11.7\n");
  site = site_packages_of(venv);
  ASSERT_TRUE(site) << describe(site.error());
  EXPECT_EQ(*site, venv / "lib/python3.11/site-packages");
  // A symlinked version folder (pointing outside) does not count; lib64 is never used.
  fs::create_directories(m_root / "outside/site-packages");
  fs::create_directory_symlink(m_root / "outside", venv / "lib/python3.12");
  fs::create_directory_symlink(venv / "lib", venv / "lib64");
  fs::create_directories(venv / "lib/python-extra/site-packages");
  EXPECT_EQ(site_packages_of(venv).value(), venv / "lib/python3.11/site-packages");
  fs::create_directories(venv / "lib/python3.13t/site-packages");
  site = site_packages_of(venv);
  ASSERT_FALSE(site);
  EXPECT_EQ(site.error().message, "venv `" + venv.string() +
                                    "` has several site-packages folders: lib/python3.11/site-packages, "
                                    "lib/python3.13t/site-packages");
  fs::remove_all(venv / "lib");
  site = site_packages_of(venv);
  ASSERT_FALSE(site);
  EXPECT_EQ(site.error().message, "venv `" + venv.string() + "` has no lib/pythonX.Y/site-packages folder");
}

}  // namespace
}  // namespace envsetup::pyenv
