// SPDX-License-Identifier: Apache-2.0
// The one place that uses OpenSSL's digest API.
#include <envsetup/util/sha256.hpp>

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace envsetup::util {

struct Sha256::State {
  EVP_MD_CTX* context = nullptr;
  State() : context(EVP_MD_CTX_new())
  {
    if (context == nullptr || EVP_DigestInit_ex(context, EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("OpenSSL cannot initialise SHA-256");
    }
  }
  ~State() { EVP_MD_CTX_free(context); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
};

Sha256::Sha256() : m_state(std::make_unique<State>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, std::size_t size)
{
  EVP_DigestUpdate(m_state->context, data, size);
}

std::string Sha256::hex_digest()
{
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(m_state->context, digest.data(), &length);
  EVP_DigestInit_ex(m_state->context, EVP_sha256(), nullptr);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += k_hex[digest[i] >> 4];
    hex += k_hex[digest[i] & 0x0f];
  }
  return hex;
}

Result<std::string> sha256_file(const std::filesystem::path& path)
{
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    return make_error(ErrorKind::io, "cannot read `" + path.string() + "`").with_cause(std::strerror(errno));
  }
  Sha256 hash;
  std::vector<char> buffer(1 << 20);
  while (stream) {
    stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hash.update(buffer.data(), static_cast<std::size_t>(stream.gcount()));
  }
  if (stream.bad()) {
    return make_error(ErrorKind::io, "cannot read `" + path.string() + "`").with_cause(std::strerror(errno));
  }
  return hash.hex_digest();
}

bool is_sha256_hex(std::string_view text)
{
  return text.size() == 64 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

}  // namespace envsetup::util
