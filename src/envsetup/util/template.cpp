// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/template.hpp>

#include <set>

namespace envsetup::util {

namespace {

using Variables = std::map<std::string, std::string>;

struct Renderer {
  const Variables& variables;
  const std::string& template_name;
  std::set<std::string> used;

  Error error(const std::string& message) const
  {
    return make_error(ErrorKind::internal, "template `" + template_name + "` " + message);
  }

  Result<std::string> value(const std::string& name)
  {
    const auto it = variables.find(name);
    if (it == variables.end()) {
      return error("uses `" + name + "`, which has no value");
    }
    used.insert(name);
    return it->second;
  }

  // The end of the tag `{{tag}}` at `open`, plus its newline when the tag is alone on its line.
  static std::size_t skip_standalone(std::string_view text, std::size_t open, std::size_t end)
  {
    const bool line_start = open == 0 || text[open - 1] == '\n';
    return line_start && end < text.size() && text[end] == '\n' ? end + 1 : end;
  }

  // Where the `{{/name}}` closing the section whose body starts at `from` begins (sections of
  // the same name may nest), or npos.
  static std::size_t find_close(std::string_view text, const std::string& name, std::size_t from)
  {
    int depth = 1;
    std::size_t pos = from;
    while (true) {
      const std::size_t open = text.find("{{", pos);
      if (open == std::string_view::npos) {
        return open;
      }
      const std::size_t close = text.find("}}", open + 2);
      if (close == std::string_view::npos) {
        return close;
      }
      const std::string_view tag = text.substr(open + 2, close - open - 2);
      if ((tag.starts_with('#') || tag.starts_with('^')) && tag.substr(1) == name) {
        ++depth;
      } else if (tag.starts_with('/') && tag.substr(1) == name && --depth == 0) {
        return open;
      }
      pos = close + 2;
    }
  }

  Result<std::string> render(std::string_view text)
  {
    std::string out;
    std::size_t pos = 0;
    while (true) {
      const std::size_t open = text.find("{{", pos);
      if (open == std::string_view::npos) {
        out.append(text.substr(pos));
        return out;
      }
      const std::size_t close = text.find("}}", open + 2);
      if (close == std::string_view::npos) {
        return error("has an unterminated `{{`");
      }
      out.append(text.substr(pos, open - pos));
      const std::string tag(text.substr(open + 2, close - open - 2));
      pos = close + 2;
      if (tag.starts_with('/')) {
        return error("closes `" + tag.substr(1) + "`, which is not open");
      }
      if (!tag.starts_with('#') && !tag.starts_with('^')) {
        auto text_value = value(tag);
        if (!text_value) {
          return text_value.error();
        }
        out += *text_value;
        continue;
      }
      const std::string name = tag.substr(1);
      auto section_value = value(name);
      if (!section_value) {
        return section_value.error();
      }
      const std::size_t body = skip_standalone(text, open, pos);
      const std::size_t end = find_close(text, name, body);
      if (end == std::string_view::npos) {
        return error("does not close section `" + name + "`");
      }
      // Rendered even when hidden, so its placeholders are checked and count as used.
      auto inner = render(text.substr(body, end - body));
      if (!inner) {
        return inner;
      }
      if (section_value->empty() == tag.starts_with('^')) {
        out += *inner;
      }
      pos = skip_standalone(text, end, end + name.size() + 5);
    }
  }
};

}  // namespace

Result<std::string> render_template(std::string_view text, const std::map<std::string, std::string>& variables,
                                    const std::string& template_name)
{
  Renderer renderer{variables, template_name, {}};
  auto out = renderer.render(text);
  if (!out) {
    return out;
  }
  for (const auto& [name, value] : variables) {
    if (renderer.used.count(name) == 0) {
      return renderer.error("does not use `" + name + "`");
    }
  }
  return out;
}

std::string shell_double_quoted(std::string_view text)
{
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '"' || c == '$' || c == '`') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string fish_double_quoted(std::string_view text)
{
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '"' || c == '$') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string shell_word(std::string_view text)
{
  constexpr std::string_view safe =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:,@%";
  if (!text.empty() && text.find_first_not_of(safe) == std::string_view::npos) {
    return std::string(text);
  }
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace envsetup::util
