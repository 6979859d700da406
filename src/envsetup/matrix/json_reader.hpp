// SPDX-License-Identifier: Apache-2.0
// Private to the matrix module: typed, location-aware reading of JSON values.
#pragma once

#include <envsetup/core/gpu_arch.hpp>
#include <envsetup/core/version.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/matrix/problem.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace envsetup::matrix {

// The DOM the matrix files are parsed into. Objects keep their keys in a vector in file order
// (ordered_json): the matrix's objects have a few keys each, so a vector is searched faster
// than a tree is built, and the parse makes far fewer allocations.
using MatrixJson = nlohmann::ordered_json;

}  // namespace envsetup::matrix

namespace envsetup::matrix::detail {

// Where problems of one file go.
struct FileContext {
  std::string file;
  Problems* problems = nullptr;
  void report(const std::string& pointer, std::string message) const;
};

// `pointer` + "/" + escaped `token` (RFC 6901).
[[nodiscard]] std::string child_pointer(const std::string& pointer, const std::string& token);

// Reads the fields of one JSON object. Each accessor reports a problem (and
// returns an empty value) when the field is missing or has the wrong type;
// `finish()` reports every field that no accessor asked for, since unknown keys
// are usually typos.
class ObjectReader {
public:
  // A value that is not an object is reported, unless `quiet` (the caller
  // already reported that the field is missing).
  ObjectReader(const MatrixJson& value, std::string pointer, const FileContext& context, bool quiet = false);

  [[nodiscard]] bool is_object() const { return m_object != nullptr; }
  [[nodiscard]] const std::string& pointer() const { return m_pointer; }
  [[nodiscard]] const FileContext& context() const { return *m_context; }
  [[nodiscard]] bool has(const std::string& key) const;
  [[nodiscard]] const MatrixJson* raw() const { return m_object; }

  [[nodiscard]] std::string string(const std::string& key);
  [[nodiscard]] std::optional<std::string> optional_string(const std::string& key);
  [[nodiscard]] core::Version version(const std::string& key);
  [[nodiscard]] std::optional<core::Version> optional_version(const std::string& key);
  [[nodiscard]] core::ComputeCapability capability(const std::string& key);
  [[nodiscard]] int integer(const std::string& key);
  [[nodiscard]] bool boolean(const std::string& key, bool fallback);
  [[nodiscard]] std::vector<std::string> strings(const std::string& key);
  [[nodiscard]] std::vector<core::ArchTarget> targets(const std::string& key);
  // The array at `key` (empty and reported when missing or not an array).
  [[nodiscard]] const MatrixJson& array(const std::string& key);
  // The object at `key`, to be read with a nested reader.
  [[nodiscard]] ObjectReader object(const std::string& key);
  // `source` (required, non-empty) and `unverified` (optional).
  [[nodiscard]] Provenance provenance();
  void finish() const;

private:
  const MatrixJson* field(const std::string& key, bool required);
  void report(const std::string& key, std::string message) const;

  const MatrixJson* m_object = nullptr;
  std::string m_pointer;
  const FileContext* m_context;
  std::set<std::string> m_used;
};

// Calls `read(item_reader)` for each object of the array at `key`, then checks
// the item for unknown fields.
template <typename ReadItem>
void for_each_object(ObjectReader& parent, const std::string& key, ReadItem&& read)
{
  const MatrixJson& items = parent.array(key);
  const std::string array_pointer = child_pointer(parent.pointer(), key);
  for (std::size_t i = 0; i < items.size(); ++i) {
    ObjectReader item(items[i], child_pointer(array_pointer, std::to_string(i)), parent.context());
    read(item);
    item.finish();
  }
}

// The keys of the object `reader` reads (empty when it is not an object).
[[nodiscard]] std::vector<std::string> object_keys(const ObjectReader& reader);

// Reads a framework file (`root` is its top-level object) into `matrix`
// (load_framework.cpp).
void read_framework(ObjectReader& root, const std::string& file, Matrix& matrix);

// Parses `text` as a version, reporting a problem at `pointer` on failure.
[[nodiscard]] core::Version parse_version_at(const std::string& text, const std::string& pointer,
                                             const FileContext& context);

}  // namespace envsetup::matrix::detail
