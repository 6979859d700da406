// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/toolkit_note.hpp>

#include <envsetup/binary/cursor.hpp>
#include <envsetup/binary/elf.hpp>

#include <algorithm>
#include <string_view>

namespace envsetup::binary {

namespace {

constexpr std::uint64_t k_max_note_section = 64 * 1024;
// A cubin's section table is read whole: a bigger one (a lie, or a cubin of thousands of
// kernels) leaves the toolkit unknown rather than costing more than 1 MiB.
constexpr std::uint64_t k_max_cubin_sections = 16 * 1024;
constexpr std::uint32_t k_note_type_toolkit = 2000;
constexpr std::string_view k_owner("NVIDIA Corp\0", 12);
constexpr std::string_view k_release = "Cuda compilation tools, release ";

std::uint64_t align4(std::uint64_t value)
{
  return (value + 3) & ~std::uint64_t{3};
}

std::optional<core::Version> version_in(std::string_view text)
{
  auto at = text.find(k_release);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  text.remove_prefix(at + k_release.size());
  at = text.find(", V");
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  text.remove_prefix(at + 3);
  const auto end = text.find_first_not_of("0123456789.");
  auto version = core::Version::parse(text.substr(0, end));
  return version.ok() ? std::optional(*version) : std::nullopt;
}

// The toolkit version in one note section's bytes, if a toolkit note is there.
std::optional<core::Version> version_in_notes(std::span<const std::byte> notes)
{
  std::uint64_t at = 0;
  while (notes.size() - at >= 12) {
    const auto name_size = load_le<std::uint32_t>(notes, at);
    const auto desc_size = load_le<std::uint32_t>(notes, at + 4);
    const auto type = load_le<std::uint32_t>(notes, at + 8);
    const std::uint64_t name_at = at + 12;
    const std::uint64_t desc_at = name_at + align4(name_size);
    if (desc_at > notes.size() || desc_size > notes.size() - desc_at) {
      return std::nullopt;
    }
    const std::string_view name(reinterpret_cast<const char*>(notes.data() + name_at), name_size);
    if (type == k_note_type_toolkit && name == k_owner) {
      return version_in({reinterpret_cast<const char*>(notes.data() + desc_at), desc_size});
    }
    at = desc_at + align4(desc_size);
  }
  return std::nullopt;
}

}  // namespace

std::optional<core::Version> read_toolkit_note(ByteSource& cubin)
{
  auto plan = plan_elf(cubin, k_max_cubin_sections);
  if (!plan.ok() || plan->kind != FileKind::elf) {
    return std::nullopt;
  }
  std::vector<ElfSection> notes;
  for (const auto& section : plan->sections) {
    if (section.type == k_sht_note && section.size <= k_max_note_section && section.offset <= cubin.size() &&
        section.size <= cubin.size() - section.offset) {
      notes.push_back(section);
    }
  }
  std::sort(notes.begin(), notes.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
  Cursor cursor(cubin, 0);
  std::vector<std::byte> bytes;
  for (const auto& section : notes) {
    if (section.offset < cursor.floor()) {
      continue;  // overlaps the note before it
    }
    bytes.resize(static_cast<std::size_t>(section.size));
    if (!cursor.read(section.offset, bytes, section.offset + section.size).ok()) {
      return std::nullopt;
    }
    if (auto version = version_in_notes(bytes)) {
      return version;
    }
  }
  return std::nullopt;
}

}  // namespace envsetup::binary
