// SPDX-License-Identifier: Apache-2.0
// Hostile simple-index pages (issue 16 attack review): work and memory stay proportional to
// the page, whatever a mirror serves.
#include <envsetup/pyindex/simple_index.hpp>
#include <envsetup/pyindex/wheel_name.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <sys/resource.h>

namespace envsetup::pyindex {
namespace {

using std::chrono::steady_clock;

long max_rss_kib()
{
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// 16k links whose href and text are 4 KiB of `&` without a `;`: once a scan to the end of
// the field per `&` (4096 x 4096 steps a link: minutes for one 64 MiB page).
TEST(AttackPyindex, EntityBombWithoutSemicolonsIsLinear)
{
  const auto page_of = [](char fill) {
    const std::string field(4000, fill);
    std::string page;
    for (int i = 0; i < 4000; ++i) {
      page += "<a href=\"" + field + "\">" + field + "</a>\n";
    }
    return page;
  };
  const auto time_of = [](const std::string& page) {
    const auto start = steady_clock::now();
    const auto files = parse_simple_html(page);
    EXPECT_TRUE(files.ok() && files->size() == 4000u);
    return steady_clock::now() - start;
  };
  const auto plain = time_of(page_of('a'));
  const auto bomb = time_of(page_of('&'));
  EXPECT_LT(bomb, 2 * plain + std::chrono::milliseconds(100))
    << "entity decoding is not linear: " << bomb.count() << " ns vs " << plain.count() << " ns for plain text";
}

// 48 MiB of `[` (under the 64 MiB page bound): the DOM of that many nested arrays took
// several GiB before the parser saw the page was not JSON.
TEST(AttackPyindex, DeeplyNestedJsonDoesNotBuildAHugeDocument)
{
  const long before = max_rss_kib();
  const std::string page = "{\"files\": " + std::string(48u << 20, '[');
  const auto start = steady_clock::now();
  const auto files = parse_simple_json(page);
  EXPECT_FALSE(files.ok());
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(3));
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
