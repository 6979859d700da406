// SPDX-License-Identifier: Apache-2.0
// PEP 691 JSON and PEP 503 HTML project pages, including hostile ones.
#include <envsetup/pyindex/simple_index.hpp>

#include <gtest/gtest.h>

#include <string>

namespace envsetup::pyindex {
namespace {

TEST(PyindexSimpleHtml, ReadsLinksTextAndYank)
{
  const std::string page =
    "<!DOCTYPE html><html><body><h1>Links for torch</h1>\n"
    "<a href=\"/whl/cu124/torch-2.5.1%2Bcu124-cp311-cp311-linux_x86_64.whl#sha256=ab\">"
    "torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl</a><br/>\n"
    "<A HREF='x.whl' data-yanked=\"broken\" data-requires-python=\"&gt;=3.9\">x-1-py3-none-any.whl</A>\n"
    "<a href=../../y/torch-2.4.0%2Bcu124-cp312-cp312-linux_x86_64.whl></a>\n"
    "<!-- <a href=\"hidden.whl\">hidden-1-py3-none-any.whl</a> -->\n"
    "<abbr>not a link</abbr><a>no href</a>"
    "<a href=\"z\">a&amp;b &#x41;&#66;</a>"
    "</body></html>";
  const auto files = parse_simple_html(page);
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 4u);
  EXPECT_EQ((*files)[0].filename, "torch-2.5.1+cu124-cp311-cp311-linux_x86_64.whl");
  EXPECT_EQ((*files)[0].url, "/whl/cu124/torch-2.5.1%2Bcu124-cp311-cp311-linux_x86_64.whl#sha256=ab");
  EXPECT_FALSE((*files)[0].yanked);
  EXPECT_EQ((*files)[1].filename, "x-1-py3-none-any.whl");
  EXPECT_TRUE((*files)[1].yanked);
  EXPECT_EQ((*files)[2].filename, "torch-2.4.0+cu124-cp312-cp312-linux_x86_64.whl");
  EXPECT_EQ((*files)[3].filename, "a&b AB");
}

TEST(PyindexSimpleHtml, HostilePagesEndTheScanWithoutHarm)
{
  for (const std::string& page :
       {std::string("<a href=\"never closed"), std::string("<a href='x'"), std::string("<a"), std::string("<!-- open"),
        std::string("<a href=x>") + std::string(10000, 'a'), std::string(100000, '<'),
        std::string("<a href=\"&#xFFFFFFFF;&#0;&#55296;&bogus;&\">t</a>"), std::string("\0<a href=x>y</a>", 16)}) {
    const auto files = parse_simple_html(page);
    ASSERT_TRUE(files.ok()) << page.substr(0, 40);
    EXPECT_LE(files->size(), 1u);
  }
  EXPECT_FALSE(parse_simple_html(std::string(k_max_page_bytes + 1, ' ')).ok());
}

TEST(PyindexSimpleHtml, ManyLinksAreBoundedAndLinear)
{
  std::string page;
  for (std::size_t i = 0; i <= k_max_files; ++i) {
    page += "<a href=x>t</a>";
  }
  EXPECT_FALSE(parse_simple_html(page).ok());
  // Pathological nesting: 1 MiB of `<a <a <a` is an answer, not a hang or a crash (its
  // linear cost is measured by bench/bench_pyindex, not here).
  std::string nested;
  for (int i = 0; i < (1 << 17); ++i) {
    nested += "<a x=\"\" ";
  }
  EXPECT_TRUE(parse_simple_html(nested).ok());
}

TEST(PyindexSimpleJson, ReadsFilesAndYank)
{
  const auto files = parse_simple_json(R"({"meta": {"api-version": "1.1"}, "name": "torch", "files": [
    {"filename": "torch-2.5.1-cp311-cp311-linux_x86_64.whl", "url": "https://h/t.whl", "hashes": {}},
    {"filename": "x-1-py3-none-any.whl", "url": "x", "hashes": {}, "yanked": "bad build"},
    {"filename": "y-1-py3-none-any.whl", "url": "y", "hashes": {}, "yanked": false}]})");
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].url, "https://h/t.whl");
  EXPECT_FALSE((*files)[0].yanked);
  EXPECT_TRUE((*files)[1].yanked);
  EXPECT_FALSE((*files)[2].yanked);
}

TEST(PyindexSimpleJson, RefusesWhatIsNotAProjectPage)
{
  for (const char* text : {"", "[]", "{", "{\"files\": {}}", "{\"meta\": {\"api-version\": \"2.0\"}, \"files\": []}",
                           "{\"files\": [1]}", "{\"files\": [{\"filename\": 3}]}", "null", "\"x\""}) {
    const auto files = parse_simple_json(text);
    EXPECT_FALSE(files.ok()) << text;
    if (!files.ok()) {
      EXPECT_EQ(files.error().kind, util::ErrorKind::input);
    }
  }
  // Deep nesting is an answer, not a crash.
  EXPECT_FALSE(parse_simple_json(std::string(100000, '[') + std::string(100000, ']')).ok());
}

TEST(PyindexSimplePage, ChoosesByContentType)
{
  const std::string json = R"({"files": [{"filename": "a-1-py3-none-any.whl", "url": "a"}]})";
  EXPECT_EQ(parse_simple_page(json, "application/vnd.pypi.simple.v1+json; charset=utf-8")->size(), 1u);
  EXPECT_EQ(parse_simple_page(json, "")->size(), 1u);
  EXPECT_EQ(parse_simple_page("<a href=a>a-1-py3-none-any.whl</a>", "text/html")->size(), 1u);
}

}  // namespace
}  // namespace envsetup::pyindex
