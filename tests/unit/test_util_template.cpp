// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/template.hpp>

#include <gtest/gtest.h>

namespace envsetup::util {
namespace {

Result<std::string> render(std::string_view text, const std::map<std::string, std::string>& variables)
{
  return render_template(text, variables, "test.tmpl");
}

TEST(RenderTemplate, ReplacesEveryPlaceholder)
{
  const auto out = render("{{a}} and {{b}}, {{a}}", {{"a", "x"}, {"b", "y"}});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "x and y, x");
}

TEST(RenderTemplate, SectionShowsItsBodyOnlyForANonEmptyValue)
{
  constexpr std::string_view text = "a\n{{#url}}\n--index {{url}}\n{{/url}}\nb\n";
  const auto shown = render(text, {{"url", "http://x"}});
  ASSERT_TRUE(shown) << shown.error().message;
  EXPECT_EQ(*shown, "a\n--index http://x\nb\n");  // standalone tags leave no blank lines
  const auto hidden = render(text, {{"url", ""}});
  ASSERT_TRUE(hidden) << hidden.error().message;
  EXPECT_EQ(*hidden, "a\nb\n");
}

TEST(RenderTemplate, InvertedSectionShowsItsBodyForAnEmptyValue)
{
  constexpr std::string_view text = "{{^cuda}}cpu{{/cuda}}{{#cuda}}cuda {{cuda}}{{/cuda}}";
  EXPECT_EQ(render(text, {{"cuda", ""}}).value(), "cpu");
  EXPECT_EQ(render(text, {{"cuda", "12.4"}}).value(), "cuda 12.4");
}

TEST(RenderTemplate, InlineSectionsKeepTheirNewlinesAndSectionsNest)
{
  constexpr std::string_view text = "x {{#a}}A{{#b}}B{{/b}}{{/a}}\ny\n";
  EXPECT_EQ(render(text, {{"a", "1"}, {"b", "1"}}).value(), "x AB\ny\n");
  EXPECT_EQ(render(text, {{"a", "1"}, {"b", ""}}).value(), "x A\ny\n");
  EXPECT_EQ(render(text, {{"a", ""}, {"b", "1"}}).value(), "x \ny\n");
}

TEST(RenderTemplate, SameSectionNameNestsAndRepeats)
{
  EXPECT_EQ(render("{{#a}}1{{#a}}2{{/a}}3{{/a}}|{{#a}}4{{/a}}", {{"a", "v"}}).value(), "123|4");
}

TEST(RenderTemplate, IsStrictAboutVariables)
{
  EXPECT_FALSE(render("{{missing}}", {}));
  EXPECT_FALSE(render("text", {{"unused", "x"}}));
  EXPECT_FALSE(render("{{#missing}}x{{/missing}}", {}));
  // A placeholder in a hidden section must still have a value, and counts as used.
  EXPECT_FALSE(render("{{#a}}{{typo}}{{/a}}", {{"a", ""}}));
  EXPECT_TRUE(render("{{#a}}{{b}}{{/a}}", {{"a", ""}, {"b", "x"}}));
}

TEST(RenderTemplate, RejectsMalformedTags)
{
  EXPECT_FALSE(render("{{a", {{"a", "x"}}));
  EXPECT_FALSE(render("{{#a}}never closed", {{"a", "x"}}));
  EXPECT_FALSE(render("{{/a}}", {{"a", "x"}}));
  EXPECT_FALSE(render("{{#a}}x{{/b}}", {{"a", "x"}, {"b", "y"}}));
  const auto error = render("{{#a}}", {{"a", "x"}});
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().kind, ErrorKind::internal);
  EXPECT_NE(error.error().message.find("test.tmpl"), std::string::npos);
}

}  // namespace
}  // namespace envsetup::util
