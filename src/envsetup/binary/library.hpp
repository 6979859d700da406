// SPDX-License-Identifier: Apache-2.0
#pragma once

// The CUDA code a library, executable or object file carries, read from its ELF section
// headers and fatbin headers only: no payload is decompressed, nothing is mapped or loaded.
// Any section (not SHT_NOBITS) whose first four bytes are the fatbin magic holds a chain of
// fatbins; its name is reported. Reads are monotonic: pass 1 reads the ELF header and the
// section table, pass 2 the sections in offset order, so both passes work on a stream
// (e.g. a wheel's zip entry, opened once per pass).

#include <envsetup/binary/byte_source.hpp>
#include <envsetup/binary/elf.hpp>
#include <envsetup/binary/fatbin.hpp>

#include <optional>
#include <vector>

namespace envsetup::binary {

struct LibraryCode {
  bool relocatable = false;  // an object file (ET_REL), e.g. from `nvcc -rdc=true -c`
  // Not empty: an ELF file this reader does not handle ("not a 64-bit ELF file"); no fatbins.
  std::string unsupported;
  std::vector<Fatbin> fatbins;  // in file order

  // The distinct targets of all entries of a known kind: SASS first, then PTX (target and ISA
  // version), each ordered by capability then suffix.
  [[nodiscard]] std::vector<CodeTarget> targets() const;
  // The distinct toolkit versions read from the fatbins, oldest first.
  [[nodiscard]] std::vector<core::Version> toolkits() const;
  [[nodiscard]] bool any_compressed() const;
};

// Pass 1: the ELF header and the section table. A file not starting with \x7fELF plans as
// FileKind::not_elf; a 32-bit or big-endian one as not_supported_elf. Errors: integrity with
// what and where, a cause and a hint; the caller prefixes the path.
[[nodiscard]] util::Result<ElfPlan> plan_library(ByteSource& source);

// Pass 2, over the same file (the same source, or a fresh stream of it): the section names and
// the fatbins, in offset order. Errors (integrity), naming the section where known: a section
// ending past the end of the file, sections that overlap where they are read, a name outside
// the name table, a fatbin whose sizes lie, stray bytes in `.nv_fatbin` / `__nv_relfatbin`.
[[nodiscard]] util::Result<LibraryCode> read_library(const ElfPlan& plan, ByteSource& source);

// Both passes over a random-access source; nullopt for a file that is not ELF.
[[nodiscard]] util::Result<std::optional<LibraryCode>> read_library(ByteSource& random_access);

}  // namespace envsetup::binary
