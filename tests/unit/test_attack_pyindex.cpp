// SPDX-License-Identifier: Apache-2.0
// Hostile simple-index pages (issue 16 attack review): work and memory stay proportional to
// the page, whatever a mirror serves.
#include <envsetup/pyindex/simple_index.hpp>
#include <envsetup/pyindex/wheel_name.hpp>

#include <gtest/gtest.h>

#include <string>

#include <sys/resource.h>

namespace envsetup::pyindex {
namespace {

long max_rss_kib()
{
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Links whose href and text are runs of `&` without a `;` are read as the literal text (the
// decoder looks for the `;` within the next few characters only, so a field of `&` costs what
// a field of letters does: bench/bench_pyindex measures both pages against each other).
TEST(AttackPyindex, EntityBombWithoutSemicolonsIsReadAsText)
{
  const std::string field(4000, '&');
  std::string page;
  for (int i = 0; i < 200; ++i) {
    page += "<a href=\"x" + std::to_string(i) + ".whl" + field + "\">" + field + "</a>\n";
  }
  const auto files = parse_simple_html(page);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 200u);
  EXPECT_EQ(files->front().url, "x0.whl" + field);
}

// 48 MiB of `[` (under the 64 MiB page bound): the DOM of that many nested arrays took
// several GiB before the parser saw the page was not JSON.
TEST(AttackPyindex, DeeplyNestedJsonDoesNotBuildAHugeDocument)
{
  const long before = max_rss_kib();
  const std::string page = "{\"files\": " + std::string(48u << 20, '[');
  const auto files = parse_simple_json(page);
  EXPECT_FALSE(files.ok());
  EXPECT_LT(max_rss_kib() - before, 512L * 1024)
    << "parsing a 48 MiB page grew the process by " << (max_rss_kib() - before) / 1024 << " MiB";
}

// Many small arrays nested one level under an ignored key: the parser keeps only files.
TEST(AttackPyindex, IgnoredJsonFieldsDoNotCostMemory)
{
  std::string page = "{\"meta\": {\"api-version\": \"1.1\"}, \"junk\": [";
  for (int i = 0; i < (4 << 20); ++i) {
    page += "[],";
  }
  page += "[]], \"files\": [{\"filename\": \"a-1-py3-none-any.whl\", \"url\": \"a\", \"junk\": {\"x\": [1]}}]}";
  const long before = max_rss_kib();
  const auto files = parse_simple_json(page);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].filename, "a-1-py3-none-any.whl");
  EXPECT_LT(max_rss_kib() - before, 160L * 1024);
}

// Huge numbers, numbers where strings belong, duplicate keys: answers, never exceptions.
TEST(AttackPyindex, OddJsonValuesAreAnswers)
{
  for (const char* text : {
         R"({"files": [{"filename": "a-1-py3-none-any.whl", "yanked": 1e99999}]})",
         R"({"files": [{"filename": "a-1-py3-none-any.whl", "url": 123456789012345678901234567890}]})",
         R"({"meta": {"api-version": 1}, "files": []})",
         R"({"files": [], "files": [{"filename": "a-1-py3-none-any.whl"}]})",
         R"({"files": [{"filename": "a-1-py3-none-any.whl", "filename": 3}]})",
         "{\"files\": [{\"filename\": \"a\\u0000b.whl\"}]}",
       }) {
    const auto files = parse_simple_json(text);
    (void)files;  // either way; what matters is no throw and no crash
  }
  SUCCEED();
}

// A file name with a path in it is not a wheel name (it is never used as a path or URL).
TEST(AttackPyindex, WheelNamesWithPathsAreNotWheels)
{
  for (const char* name :
       {"../../etc/torch-2.5.1-cp311-cp311-linux_x86_64.whl", "torch-2.5.1-cp311-cp311-linux_x86_64/../../x.whl",
        "/abs/torch-2.5.1-cp311-cp311-linux_x86_64.whl", "torch-2.5.1-cp311-cp311-linux%2fx.whl",
        "torch-2.5.1-cp311-cp311-linux_x86_64.whl\n", "torch-2.5.1-cp311-cp311-\x1b[31m.whl"}) {
    EXPECT_FALSE(parse_wheel_name(name)) << name;
  }
}

}  // namespace
}  // namespace envsetup::pyindex
