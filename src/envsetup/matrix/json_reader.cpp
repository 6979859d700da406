// SPDX-License-Identifier: Apache-2.0
#include <envsetup/matrix/json_reader.hpp>

namespace envsetup::matrix::detail {

namespace {
const MatrixJson k_empty_array = MatrixJson::array();
const MatrixJson k_null;
}  // namespace

void FileContext::report(const std::string& pointer, std::string message) const
{
  problems->push_back({file, pointer.empty() ? "/" : pointer, std::move(message)});
}

std::string child_pointer(const std::string& pointer, const std::string& token)
{
  std::string escaped;
  for (const char c : token) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return pointer + "/" + escaped;
}

std::vector<std::string> object_keys(const ObjectReader& reader)
{
  std::vector<std::string> keys;
  if (reader.raw() != nullptr) {
    for (const auto& [key, value] : reader.raw()->items()) {
      keys.push_back(key);
    }
  }
  return keys;
}

core::Version parse_version_at(const std::string& text, const std::string& pointer, const FileContext& context)
{
  auto version = core::Version::parse(text);
  if (!version) {
    const auto& error = version.error();
    context.report(pointer, error.message + (error.causes.empty() ? "" : ": " + error.causes[0]));
    return {};
  }
  return std::move(version).value();
}

ObjectReader::ObjectReader(const MatrixJson& value, std::string pointer, const FileContext& context, bool quiet)
  : m_pointer(std::move(pointer)), m_context(&context)
{
  if (value.is_object()) {
    m_object = &value;
  } else if (!quiet) {
    context.report(m_pointer, "expected a JSON object, found " + std::string(value.type_name()));
  }
}

bool ObjectReader::has(const std::string& key) const
{
  return m_object != nullptr && m_object->contains(key);
}

void ObjectReader::report(const std::string& key, std::string message) const
{
  m_context->report(child_pointer(m_pointer, key), std::move(message));
}

const MatrixJson* ObjectReader::field(const std::string& key, bool required)
{
  if (m_object == nullptr) {
    return nullptr;
  }
  m_used.insert(key);
  const auto it = m_object->find(key);
  if (it == m_object->end()) {
    if (required) {
      report(key, "missing required field `" + key + "`");
    }
    return nullptr;
  }
  return &*it;
}

std::string ObjectReader::string(const std::string& key)
{
  const auto* value = field(key, true);
  if (value == nullptr) {
    return {};
  }
  if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
    report(key, "expected a non-empty string, found " + value->dump());
    return {};
  }
  return value->get<std::string>();
}

std::optional<std::string> ObjectReader::optional_string(const std::string& key)
{
  const auto* value = field(key, false);
  if (value == nullptr || value->is_null()) {
    return std::nullopt;
  }
  if (!value->is_string()) {
    report(key, "expected a string or null, found " + value->dump());
    return std::nullopt;
  }
  return value->get<std::string>();
}

core::Version ObjectReader::version(const std::string& key)
{
  const std::string text = string(key);
  return text.empty() ? core::Version{} : parse_version_at(text, child_pointer(m_pointer, key), *m_context);
}

std::optional<core::Version> ObjectReader::optional_version(const std::string& key)
{
  const auto text = optional_string(key);
  if (!text) {
    return std::nullopt;
  }
  auto parsed = parse_version_at(*text, child_pointer(m_pointer, key), *m_context);
  return parsed.empty() ? std::nullopt : std::optional(parsed);
}

core::ComputeCapability ObjectReader::capability(const std::string& key)
{
  const std::string text = string(key);
  if (text.empty()) {
    return {};
  }
  auto parsed = core::ComputeCapability::parse(text);
  if (!parsed || text.find('.') == std::string::npos) {
    report(key, "invalid compute capability `" + text + "` (write it as `X.Y`)");
    return {};
  }
  return *parsed;
}

int ObjectReader::integer(const std::string& key)
{
  const auto* value = field(key, true);
  if (value == nullptr) {
    return 0;
  }
  if (!value->is_number_integer()) {
    report(key, "expected an integer, found " + value->dump());
    return 0;
  }
  return value->get<int>();
}

bool ObjectReader::boolean(const std::string& key, bool fallback)
{
  const auto* value = field(key, false);
  if (value == nullptr) {
    return fallback;
  }
  if (!value->is_boolean()) {
    report(key, "expected true or false, found " + value->dump());
    return fallback;
  }
  return value->get<bool>();
}

std::vector<std::string> ObjectReader::strings(const std::string& key)
{
  std::vector<std::string> out;
  const auto& items = array(key);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      m_context->report(child_pointer(child_pointer(m_pointer, key), std::to_string(i)),
                        "expected a string, found " + items[i].dump());
      continue;
    }
    out.push_back(items[i].get<std::string>());
  }
  return out;
}

std::vector<core::ArchTarget> ObjectReader::targets(const std::string& key)
{
  std::vector<core::ArchTarget> out;
  const auto texts = strings(key);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto target = core::ArchTarget::parse(texts[i]);
    if (!target) {
      m_context->report(
        child_pointer(child_pointer(m_pointer, key), std::to_string(i)),
        "invalid architecture target `" + texts[i] + "` (expected `sm_XY`, `sm_XYa`, `sm_XYf` or `compute_XY`)");
      continue;
    }
    out.push_back(*target);
  }
  return out;
}

const MatrixJson& ObjectReader::array(const std::string& key)
{
  const auto* value = field(key, true);
  if (value == nullptr) {
    return k_empty_array;
  }
  if (!value->is_array()) {
    report(key, "expected an array, found " + std::string(value->type_name()));
    return k_empty_array;
  }
  return *value;
}

ObjectReader ObjectReader::object(const std::string& key)
{
  const auto* value = field(key, true);
  return {value != nullptr ? *value : k_null, child_pointer(m_pointer, key), *m_context, value == nullptr};
}

Provenance ObjectReader::provenance()
{
  Provenance provenance;
  provenance.source = string("source");
  provenance.unverified = optional_string("unverified").value_or("");
  return provenance;
}

void ObjectReader::finish() const
{
  if (m_object == nullptr) {
    return;
  }
  for (const auto& [key, value] : m_object->items()) {
    if (m_used.count(key) == 0) {
      report(key, "unknown field `" + key + "`");
    }
  }
}

}  // namespace envsetup::matrix::detail
