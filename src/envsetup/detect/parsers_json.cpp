// SPDX-License-Identifier: Apache-2.0
// parse_cuda_version_json of parsers.hpp, with the minimal JSON scanner it walks the file with.
#include <envsetup/detect/parsers.hpp>

#include <envsetup/detect/parse_support.hpp>
#include <envsetup/util/strings.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace envsetup::detect {

using detail::hex_digit;
using detail::to_version;

namespace {

// Nesting limit of the JSON scanner, so junk cannot exhaust the stack.
constexpr int k_max_json_depth = 64;

// A minimal JSON reader: enough to walk a document and pull strings out of objects. It
// checks the structure (strings, nesting, separators), not the exact number grammar.
class JsonScanner {
public:
  explicit JsonScanner(std::string_view text) : m_text(text) {}

  void skip_blanks()
  {
    while (m_pos < m_text.size() &&
           (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n' ||
            m_text[m_pos] == '\r')) {
      ++m_pos;
    }
  }
  [[nodiscard]] bool at(char c) const { return m_pos < m_text.size() && m_text[m_pos] == c; }
  [[nodiscard]] bool at_end() const { return m_pos == m_text.size(); }
  bool consume(char c)
  {
    if (!at(c)) {
      return false;
    }
    ++m_pos;
    return true;
  }

  // The text of the string at the cursor, between its quotes. Escapes are checked but not
  // decoded, so a key or value spelled with escapes matches nothing.
  std::optional<std::string_view> read_string()
  {
    if (!consume('"')) {
      return std::nullopt;
    }
    const std::size_t start = m_pos;
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos++];
      if (c == '"') {
        return m_text.substr(start, m_pos - 1 - start);
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return std::nullopt;
      }
      if (c != '\\') {
        continue;
      }
      if (m_pos < m_text.size() && m_text[m_pos] == 'u') {
        const std::string_view digits = m_text.substr(m_pos + 1, 4);
        for (const char digit : digits) {
          if (hex_digit(digit) < 0) {
            return std::nullopt;
          }
        }
        if (digits.size() != 4) {
          return std::nullopt;
        }
        m_pos += 5;
      } else if (m_pos < m_text.size() &&
                 std::string_view("\"\\/bfnrt").find(m_text[m_pos]) != std::string_view::npos) {
        ++m_pos;
      } else {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // Walks the object at the cursor; `on_member(key)` must consume the member's value and
  // return false on a syntax error.
  template <typename OnMember>
  bool read_object(OnMember&& on_member)
  {
    if (!consume('{')) {
      return false;
    }
    skip_blanks();
    if (consume('}')) {
      return true;
    }
    while (true) {
      skip_blanks();
      const auto key = read_string();
      skip_blanks();
      if (!key || !consume(':')) {
        return false;
      }
      skip_blanks();
      if (!on_member(*key)) {
        return false;
      }
      skip_blanks();
      if (!consume(',')) {
        return consume('}');
      }
    }
  }

  // Skips the value at the cursor; false on a syntax error or nesting deeper than the limit.
  bool skip_value(int depth)
  {
    if (depth > k_max_json_depth) {
      return false;
    }
    if (at('"')) {
      return read_string().has_value();
    }
    if (at('{')) {
      return read_object([&](std::string_view) { return skip_value(depth + 1); });
    }
    if (consume('[')) {
      skip_blanks();
      if (consume(']')) {
        return true;
      }
      while (true) {
        skip_blanks();
        if (!skip_value(depth + 1)) {
          return false;
        }
        skip_blanks();
        if (!consume(',')) {
          return consume(']');
        }
      }
    }
    // A number, true, false or null.
    const std::size_t start = m_pos;
    constexpr std::string_view scalar_chars = "0123456789+-.eEtruefalsn";
    while (m_pos < m_text.size() && scalar_chars.find(m_text[m_pos]) != std::string_view::npos) {
      ++m_pos;
    }
    return m_pos > start;
  }

private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

}  // namespace

std::optional<core::Version> parse_cuda_version_json(std::string_view text)
{
  JsonScanner json(text);
  std::optional<std::string_view> version_text;
  json.skip_blanks();
  const bool well_formed = json.read_object([&](std::string_view key) {
    if (key != "cuda" || !json.at('{')) {
      return json.skip_value(1);
    }
    return json.read_object([&](std::string_view cuda_key) {
      if (cuda_key != "version" || !json.at('"')) {
        return json.skip_value(2);
      }
      version_text = json.read_string();
      return version_text.has_value();
    });
  });
  json.skip_blanks();
  if (!well_formed || !json.at_end() || !version_text) {
    return std::nullopt;
  }
  return to_version(util::trim(*version_text));
}

}  // namespace envsetup::detect
