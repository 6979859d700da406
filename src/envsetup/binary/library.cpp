// SPDX-License-Identifier: Apache-2.0
#include <envsetup/binary/library.hpp>

#include <envsetup/binary/hex.hpp>

#include <algorithm>
#include <array>
#include <tuple>

namespace envsetup::binary {

namespace {

constexpr std::uint64_t k_max_names = 1 << 20;

// A section that cannot be read, reported once the names are known.
struct Problem {
  ElfSection section;
  util::Error error;  // its message continues "section NAME (offset, size)"
  const char* joiner = " ";
};

util::Error corrupt(std::string what)
{
  return util::make_error(util::ErrorKind::integrity, std::move(what))
    .with_cause("the ELF section table disagrees with the file")
    .with_hint(k_corrupt_hint);
}

// What pass 2 read, section by section in offset order.
struct Pass2 {
  std::vector<std::byte> names;
  bool have_names = false;
  std::vector<std::pair<ElfSection, FatbinChain>> chains;
  std::optional<Problem> problem;
};

util::Status read_sections(const ElfPlan& plan, ByteSource& source, Pass2& pass)
{
  std::vector<ElfSection> order;
  for (const auto& section : plan.sections) {
    if (section.has_bytes()) {
      order.push_back(section);
    }
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.offset < b.offset; });
  Cursor cursor(source);
  FatbinBudget budget;
  std::uint64_t consumed = 0;  // the end of what was parsed so far
  const std::uint64_t size = source.size();
  for (const auto& section : order) {
    const bool is_names = plan.names_section != 0 && section.index == plan.names_section;
    if (pass.problem && !is_names) {
      continue;  // only the names are still worth reading, to name the problem
    }
    auto fail = [&](util::Error error, const char* joiner = " ") {
      if (!pass.problem) {  // the first problem is the file's; a later one is not reported
        pass.problem = Problem{section, std::move(error), joiner};
      }
    };
    if (pass.problem && section.offset < std::max(consumed, cursor.floor())) {
      continue;  // the names lie behind the failed read: the problem goes unnamed
    }
    if (section.offset > size || section.size > size - section.offset) {
      fail(corrupt("ends past the end of the file (" + hex(size) + " bytes)"));
      continue;
    }
    if (!is_names && section.size < 16) {
      continue;  // too small to hold a fatbin
    }
    if (section.offset < consumed) {
      fail(corrupt("overlaps the bytes read before it (up to " + hex(consumed) + ")"));
      continue;
    }
    const std::uint64_t end = section.offset + section.size;
    if (is_names) {
      if (section.size > k_max_names) {
        fail(corrupt("is a section name table larger than " + hex(k_max_names) + " bytes"));
        continue;
      }
      pass.names.resize(static_cast<std::size_t>(section.size));
      ENVSETUP_TRY(cursor.read(section.offset, pass.names, end));
      pass.have_names = true;
      consumed = end;
      continue;
    }
    std::array<std::byte, 4> magic{};
    ENVSETUP_TRY(cursor.read(section.offset, magic, size));
    consumed = section.offset + magic.size();
    if (load_le<std::uint32_t>(magic, 0) != k_fatbin_magic) {
      continue;
    }
    auto chain = read_fatbin_chain(cursor, section, budget);
    if (!chain.ok()) {
      fail(std::move(chain).error(), ": ");
      continue;
    }
    pass.chains.emplace_back(section, std::move(*chain));
    consumed = end;
  }
  return util::ok_status();
}

// The section's name, "" when the file has no name table; nullopt when the name does not end
// inside the table.
std::optional<std::string> name_of(const Pass2& pass, const ElfSection& section)
{
  if (!pass.have_names) {
    return std::string();
  }
  return section_name(pass.names, section.name);
}

util::Error named(const Pass2& pass, const Problem& problem)
{
  util::Error error = problem.error;
  error.message =
    describe_section(problem.section, name_of(pass, problem.section).value_or("")) + problem.joiner + error.message;
  return error;
}

auto order_key(const CodeTarget& code)
{
  return std::make_tuple(code.target.kind == core::ArchTarget::Kind::ptx, code.target.capability, code.target.suffix,
                         code.ptx_isa.value_or(core::Version()));
}

}  // namespace

util::Result<ElfPlan> plan_library(ByteSource& source)
{
  return plan_elf(source);
}

util::Result<LibraryCode> read_library(const ElfPlan& plan, ByteSource& source)
{
  LibraryCode code;
  code.relocatable = plan.type == k_et_rel;
  if (plan.kind != FileKind::elf) {
    code.unsupported = plan.unsupported;
    return code;
  }
  if (source.size() != plan.file_size) {
    return util::make_error(util::ErrorKind::integrity, "the file changed between the two passes (" +
                                                          hex(plan.file_size) + " then " + hex(source.size()) +
                                                          " bytes)")
      .with_hint("do not change the file while it is inspected");
  }
  Pass2 pass;
  ENVSETUP_TRY(read_sections(plan, source, pass));
  if (pass.problem) {
    return named(pass, *pass.problem);
  }
  for (auto& [section, chain] : pass.chains) {
    auto name = name_of(pass, section);
    if (!name) {
      return corrupt(describe_section(section, {}) + ": its name (at " + hex(section.name) +
                     ") does not end inside the section name table");
    }
    if (name->empty()) {
      name = "section " + std::to_string(section.index);
    }
    if (chain.stray_at && (*name == ".nv_fatbin" || *name == "__nv_relfatbin")) {
      return util::make_error(util::ErrorKind::integrity,
                              describe_section(section, *name) + ": the bytes at " + hex(*chain.stray_at) +
                                " are neither zero padding nor a fatbin (padding is at most " +
                                hex(FatbinBudget::max_padding) + " zero bytes)")
        .with_cause("a fatbin header's sizes disagree with its section")
        .with_hint(k_corrupt_hint);
    }
    for (auto& fatbin : chain.fatbins) {
      fatbin.section = *name;
      code.fatbins.push_back(std::move(fatbin));
    }
  }
  return code;
}

util::Result<std::optional<LibraryCode>> read_library(ByteSource& random_access)
{
  auto plan = plan_library(random_access);
  if (!plan.ok()) {
    return std::move(plan).error();
  }
  if (plan->kind == FileKind::not_elf) {
    return std::optional<LibraryCode>();
  }
  auto code = read_library(*plan, random_access);
  if (!code.ok()) {
    return std::move(code).error();
  }
  return std::optional(std::move(*code));
}

std::vector<CodeTarget> LibraryCode::targets() const
{
  std::vector<CodeTarget> all;
  for (const auto& fatbin : fatbins) {
    for (const auto& entry : fatbin.entries) {
      if ((entry.raw_kind == 1 || entry.raw_kind == 2) && std::find(all.begin(), all.end(), entry.code) == all.end()) {
        all.push_back(entry.code);
      }
    }
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return order_key(a) < order_key(b); });
  return all;
}

std::vector<core::Version> LibraryCode::toolkits() const
{
  std::vector<core::Version> all;
  for (const auto& fatbin : fatbins) {
    if (fatbin.toolkit && std::find(all.begin(), all.end(), *fatbin.toolkit) == all.end()) {
      all.push_back(*fatbin.toolkit);
    }
  }
  std::sort(all.begin(), all.end());
  return all;
}

bool LibraryCode::any_compressed() const
{
  return std::any_of(fatbins.begin(), fatbins.end(), [](const Fatbin& fatbin) {
    return std::any_of(fatbin.entries.begin(), fatbin.entries.end(),
                       [](const EmbeddedCode& e) { return e.compression != EmbeddedCode::Compression::none; });
  });
}

}  // namespace envsetup::binary
