// SPDX-License-Identifier: Apache-2.0
// The one place that uses OpenSSL's PEM and signature APIs (Ed25519 through EVP).
#include <envsetup/util/signature.hpp>

#include <envsetup/util/sha256.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <climits>

namespace envsetup::util {

namespace detail {

struct KeyHandle {
  EVP_PKEY* key = nullptr;
};

void KeyHandleDelete::operator()(KeyHandle* handle) const noexcept
{
  if (handle != nullptr) {
    EVP_PKEY_free(handle->key);
    delete handle;
  }
}

}  // namespace detail

namespace {

struct BioDelete {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDelete>;

struct MdContextDelete {
  void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
};
using MdContextPtr = std::unique_ptr<EVP_MD_CTX, MdContextDelete>;

struct PkeyDelete {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDelete>;

detail::KeyPtr adopt(PkeyPtr key)
{
  detail::KeyPtr handle(new detail::KeyHandle);
  handle->key = key.release();
  return handle;
}

// A read-only memory BIO over `text` (which must outlive it); null when too large.
BioPtr memory_bio(std::string_view text)
{
  if (text.size() > static_cast<std::size_t>(INT_MAX)) {
    return nullptr;
  }
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Refuses every passphrase prompt: an encrypted key fails instead of reading the terminal.
int no_passphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/)
{
  return 0;
}

Error key_error(const std::string& what, const std::string& origin, std::string cause)
{
  ERR_clear_error();
  return make_error(ErrorKind::input, "`" + origin + "` is not an Ed25519 " + what).with_cause(std::move(cause));
}

// The DER of an Ed25519 SubjectPublicKeyInfo up to the key (RFC 8410: SEQUENCE { SEQUENCE {
// OID 1.3.101.112 }, BIT STRING of 32 bytes }): every such PEM block is these 12 bytes + 32.
constexpr std::array<unsigned char, 12> k_ed25519_spki_prefix{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                              0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

// The key of a PEM "PUBLIC KEY" block that is exactly an Ed25519 SubjectPublicKeyInfo, made
// from its 32 raw bytes: OpenSSL's generic PEM decoder costs ~0.3 ms a key, and every command
// that loads an installed matrix update reads the trusted keys. Null for anything else (the
// caller then lets the generic decoder explain what the text is).
PkeyPtr ed25519_from_pem(std::string_view pem)
{
  constexpr std::string_view begin = "-----BEGIN PUBLIC KEY-----";
  constexpr std::string_view end = "-----END PUBLIC KEY-----";
  const auto first = pem.find(begin);
  const auto last = first == std::string_view::npos ? first : pem.find(end, first);
  if (last == std::string_view::npos) {
    return nullptr;
  }
  std::string body;
  for (const char c : pem.substr(first + begin.size(), last - first - begin.size())) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
      body += c;
    }
  }
  if (body.size() != 60) {  // base64 of 44 bytes
    return nullptr;
  }
  std::array<unsigned char, 45> der{};  // EVP_DecodeBlock writes 3 bytes per 4 characters
  if (EVP_DecodeBlock(der.data(), reinterpret_cast<const unsigned char*>(body.data()), 60) != 45 ||
      !std::equal(k_ed25519_spki_prefix.begin(), k_ed25519_spki_prefix.end(), der.begin())) {
    return nullptr;
  }
  return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, der.data() + 12, 32));
}

}  // namespace

PublicKey::PublicKey(detail::KeyPtr key) : m_key(std::move(key))
{
  std::array<unsigned char, 32> raw{};
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(m_key->key, raw.data(), &length) == 1) {
    Sha256 hash;
    hash.update(raw.data(), length);
    m_fingerprint = hash.hex_digest().substr(0, 16);
  }
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem, const std::string& origin)
{
  if (PkeyPtr fast = ed25519_from_pem(pem)) {
    PublicKey result(adopt(std::move(fast)));
    if (!result.m_fingerprint.empty()) {
      return result;
    }
  }
  auto bio = memory_bio(pem);
  if (!bio) {
    return key_error("public key", origin, "it is too large");
  }
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    return key_error("public key", origin, "no PEM \"PUBLIC KEY\" block could be read")
      .with_hint("write the public key of a private key with: openssl pkey -in PRIVATE.pem -pubout -out PUBLIC.pem");
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return key_error("public key", origin, std::string("it is a ") + EVP_PKEY_get0_type_name(key.get()) + " key")
      .with_hint("make an Ed25519 key pair with: openssl genpkey -algorithm ed25519 -out PRIVATE.pem");
  }
  PublicKey result(adopt(std::move(key)));
  if (result.m_fingerprint.empty()) {
    return key_error("public key", origin, "its raw key cannot be read");
  }
  return result;
}

bool PublicKey::verify(std::string_view message, std::string_view signature) const
{
  if (signature.size() != k_ed25519_signature_size) {
    return false;
  }
  MdContextPtr context(EVP_MD_CTX_new());
  const bool ok =
    context && EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, m_key->key) == 1 &&
    EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::string PublicKey::pem() const
{
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), m_key->key) != 1) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

PrivateKey::PrivateKey(detail::KeyPtr key) : m_key(std::move(key)) {}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem, const std::string& origin)
{
  auto bio = memory_bio(pem);
  if (!bio) {
    return key_error("private key", origin, "it is too large");
  }
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    return key_error("private key", origin,
                     "no unencrypted PEM private key could be read (an encrypted key is not supported)")
      .with_hint("make an Ed25519 key pair with: openssl genpkey -algorithm ed25519 -out PRIVATE.pem");
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return key_error("private key", origin, std::string("it is a ") + EVP_PKEY_get0_type_name(key.get()) + " key")
      .with_hint("make an Ed25519 key pair with: openssl genpkey -algorithm ed25519 -out PRIVATE.pem");
  }
  return PrivateKey(adopt(std::move(key)));
}

Result<std::string> PrivateKey::sign(std::string_view message) const
{
  MdContextPtr context(EVP_MD_CTX_new());
  std::string signature(k_ed25519_signature_size, '\0');
  std::size_t length = signature.size();
  if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, m_key->key) != 1 ||
      EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != k_ed25519_signature_size) {
    ERR_clear_error();
    return make_error(ErrorKind::internal, "OpenSSL could not sign with the Ed25519 key");
  }
  return signature;
}

Result<PublicKey> PrivateKey::public_key() const
{
  std::array<unsigned char, 32> raw{};
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(m_key->key, raw.data(), &length) != 1) {
    ERR_clear_error();
    return make_error(ErrorKind::internal, "OpenSSL could not read the Ed25519 public key");
  }
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), length));
  if (!key) {
    ERR_clear_error();
    return make_error(ErrorKind::internal, "OpenSSL could not make the Ed25519 public key");
  }
  return PublicKey(adopt(std::move(key)));
}

}  // namespace envsetup::util
