// SPDX-License-Identifier: Apache-2.0
#include <envsetup/util/template.hpp>

#include <set>

namespace envsetup::util {

Result<std::string> render_template(std::string_view text, const std::map<std::string, std::string>& variables,
                                    const std::string& template_name)
{
  std::string out;
  std::set<std::string> used;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return make_error(ErrorKind::internal, "template `" + template_name + "` has an unterminated `{{`");
    }
    out.append(text.substr(pos, open - pos));
    const std::string name(text.substr(open + 2, close - open - 2));
    const auto it = variables.find(name);
    if (it == variables.end()) {
      return make_error(ErrorKind::internal, "template `" + template_name + "` uses `{{" + name +
                                               "}}`, which has no value");
    }
    out += it->second;
    used.insert(name);
    pos = close + 2;
  }
  for (const auto& [name, value] : variables) {
    if (used.count(name) == 0) {
      return make_error(ErrorKind::internal, "template `" + template_name + "` does not use `" + name + "`");
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
