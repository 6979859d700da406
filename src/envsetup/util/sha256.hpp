// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace envsetup::util {

// Incremental SHA-256 (OpenSSL EVP). Feed bytes as they stream in; `hex_digest()` ends it.
class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // The lower-case hex digest of everything fed so far; the object is reset afterwards.
  [[nodiscard]] std::string hex_digest();

private:
  struct State;
  std::unique_ptr<State> m_state;
};

// The SHA-256 of a whole file, read in large blocks. Errors (kind io): unreadable file.
[[nodiscard]] Result<std::string> sha256_file(const std::filesystem::path& path);

// True when `text` is 64 hex digits.
[[nodiscard]] bool is_sha256_hex(std::string_view text);

}  // namespace envsetup::util
