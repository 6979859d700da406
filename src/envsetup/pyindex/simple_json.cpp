// SPDX-License-Identifier: Apache-2.0
// PEP 691 project pages, read with nlohmann's SAX interface: only the fields envsetup uses
// are kept, so a hostile page (millions of nested or ignored values) costs no more memory
// than its files, and nesting deeper than k_max_depth is refused.
#include <envsetup/pyindex/simple_index.hpp>

#include <envsetup/util/strings.hpp>

#include <nlohmann/json.hpp>

namespace envsetup::pyindex {

namespace {

using nlohmann::json;

constexpr std::size_t k_max_depth = 64;  // a project page nests 4 deep; PEP 691 extensions a few more

util::Error bad_page(std::string cause)
{
  return util::make_error(util::ErrorKind::input, "the index page is not a PEP 691 project page")
    .with_cause(std::move(cause));
}

// Keeps `meta.api-version` and `files[*].{filename,url,yanked}`; skips everything else.
class PageReader : public nlohmann::json_sax<json> {
public:
  std::vector<IndexFile> files;
  std::string problem;  // set when the page is refused; the parse then stops
  bool saw_files = false;

private:
  enum class Role { root, meta, files, entry, ignored };
  struct Frame {
    Role role;
    std::string key;  // the key of the value being read (objects)
  };
  std::vector<Frame> m_stack;
  bool m_filename = false;  // the current entry has a string filename

  bool fail(std::string why)
  {
    if (problem.empty()) {
      problem = std::move(why);
    }
    return false;
  }

  // The role of a value about to be read, and whether a scalar value there is acceptable.
  Role role_of_next(bool container_is_object, bool container_is_array)
  {
    if (m_stack.empty()) {
      return Role::root;
    }
    const Frame& parent = m_stack.back();
    if (parent.role == Role::root && parent.key == "meta" && container_is_object) {
      return Role::meta;
    }
    if (parent.role == Role::root && parent.key == "files" && container_is_array) {
      return Role::files;
    }
    if (parent.role == Role::files && container_is_object) {
      return Role::entry;
    }
    return Role::ignored;
  }

  // A scalar (or a container) where the page's structure needs another kind of value.
  bool check_scalar_place()
  {
    if (m_stack.empty()) {
      return fail("it is not a JSON object");
    }
    const Frame& parent = m_stack.back();
    if (parent.role == Role::root && parent.key == "files") {
      return fail("it has no `files` array");
    }
    if (parent.role == Role::files) {
      return fail("a `files` entry has no string `filename`");
    }
    if (parent.role == Role::meta && parent.key == "api-version") {
      return fail("its api-version is not 1.x");
    }
    return true;
  }

  bool open(bool is_object)
  {
    if (m_stack.size() >= k_max_depth) {
      return fail("it nests deeper than " + std::to_string(k_max_depth) + " levels");
    }
    const Role role = role_of_next(is_object, !is_object);
    if (role == Role::root && !is_object) {
      return fail("it is not a JSON object");
    }
    if (role == Role::ignored && !m_stack.empty()) {
      const Frame& parent = m_stack.back();
      if (parent.role == Role::files || (parent.role == Role::root && parent.key == "files") ||
          (parent.role == Role::meta && parent.key == "api-version")) {
        return check_scalar_place();
      }
      if (parent.role == Role::entry && parent.key == "filename") {
        m_filename = false;
      }
    }
    if (role == Role::files) {
      saw_files = true;
      files.clear();  // a repeated key: the last one counts, as in a JSON object
    }
    if (role == Role::entry) {
      if (files.size() == k_max_files) {
        return fail("it lists more than " + std::to_string(k_max_files) + " files");
      }
      files.emplace_back();
      m_filename = false;
    }
    m_stack.push_back({role, {}});
    return true;
  }

  bool close()
  {
    const Role role = m_stack.back().role;
    m_stack.pop_back();
    if (role == Role::entry && !m_filename) {
      return fail("a `files` entry has no string `filename`");
    }
    return true;
  }

  bool in_entry(const char* key) const
  {
    return !m_stack.empty() && m_stack.back().role == Role::entry && m_stack.back().key == key;
  }

public:
  bool null() override
  {
    if (in_entry("filename")) {
      m_filename = false;
      return true;
    }
    return check_scalar_place();
  }
  bool boolean(bool value) override
  {
    if (in_entry("yanked")) {
      files.back().yanked = value;
      return true;
    }
    if (in_entry("filename")) {
      m_filename = false;
      return true;
    }
    return check_scalar_place();
  }
  bool number_integer(number_integer_t /*value*/) override { return number(); }
  bool number_unsigned(number_unsigned_t /*value*/) override { return number(); }
  bool number_float(number_float_t /*value*/, const string_t& /*text*/) override { return number(); }
  bool number()
  {
    if (in_entry("yanked")) {
      files.back().yanked = false;
      return true;
    }
    if (in_entry("filename")) {
      m_filename = false;
      return true;
    }
    return check_scalar_place();
  }
  bool string(string_t& value) override
  {
    if (in_entry("filename")) {
      files.back().filename = std::move(value);
      m_filename = true;
      return true;
    }
    if (in_entry("url")) {
      files.back().url = std::move(value);
      return true;
    }
    if (in_entry("yanked")) {
      files.back().yanked = true;
      return true;
    }
    if (!m_stack.empty() && m_stack.back().role == Role::meta && m_stack.back().key == "api-version") {
      return value.starts_with("1.") ? true : fail("its api-version is not 1.x");
    }
    return check_scalar_place();
  }
  bool binary(binary_t& /*value*/) override { return check_scalar_place(); }
  bool start_object(std::size_t /*elements*/) override { return open(true); }
  bool key(string_t& value) override
  {
    m_stack.back().key = m_stack.back().role == Role::ignored ? std::string() : std::move(value);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t /*elements*/) override { return open(false); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*error*/) override
  {
    return fail("it is not a JSON object");
  }
};

}  // namespace

util::Result<std::vector<IndexFile>> parse_simple_json(std::string_view text)
{
  if (text.size() > k_max_page_bytes) {
    return bad_page("it is larger than " + std::to_string(k_max_page_bytes) + " bytes");
  }
  PageReader reader;
  bool parsed = false;
  try {
    parsed = json::sax_parse(text, &reader, json::input_format_t::json, true);
  } catch (const json::exception&) {
    parsed = false;
  }
  if (!parsed || !reader.problem.empty()) {
    return bad_page(reader.problem.empty() ? "it is not a JSON object" : reader.problem);
  }
  if (!reader.saw_files) {
    return bad_page("it has no `files` array");
  }
  return std::move(reader.files);
}

util::Result<std::vector<IndexFile>> parse_simple_page(std::string_view text, std::string_view content_type)
{
  const auto semicolon = content_type.find(';');
  const auto type = util::trim(content_type.substr(0, semicolon));
  bool json = type == k_simple_json_type || type == "application/vnd.pypi.simple.latest+json";
  if (type.empty()) {
    const auto start = text.find_first_not_of(" \t\r\n");
    json = start != std::string_view::npos && text[start] == '{';
  }
  return json ? parse_simple_json(text) : parse_simple_html(text);
}

}  // namespace envsetup::pyindex
