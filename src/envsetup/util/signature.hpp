// SPDX-License-Identifier: Apache-2.0
#pragma once
// Ed25519 signatures (OpenSSL EVP, PureEdDSA: the message is signed whole, no digest
// chosen by the caller). Keys come as PEM text: public keys as SubjectPublicKeyInfo
// ("BEGIN PUBLIC KEY", what `openssl pkey -pubout` writes), private keys as unencrypted
// PKCS#8 ("BEGIN PRIVATE KEY", what `openssl genpkey -algorithm ed25519` writes). The text
// is untrusted: anything else, another key type included, is an error, never a key.

#include <envsetup/util/error.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace envsetup::util {

// Size of an Ed25519 signature in bytes.
inline constexpr std::size_t k_ed25519_signature_size = 64;

namespace detail {
struct KeyHandle;  // owns one EVP_PKEY (signature.cpp)
struct KeyHandleDelete {
  void operator()(KeyHandle* handle) const noexcept;
};
using KeyPtr = std::unique_ptr<KeyHandle, KeyHandleDelete>;
}  // namespace detail

// An Ed25519 public key. Move-only.
class PublicKey {
public:
  // Errors (kind input, naming `origin`): not PEM, not a public key, not Ed25519.
  [[nodiscard]] static Result<PublicKey> from_pem(std::string_view pem, const std::string& origin);

  // True when `signature` (64 raw bytes) is this key's signature of exactly `message`.
  // Any other length, or a signature that does not verify, is false.
  [[nodiscard]] bool verify(std::string_view message, std::string_view signature) const;

  // The first 16 hex digits of the SHA-256 of the raw 32-byte key: names the key in messages.
  [[nodiscard]] const std::string& fingerprint() const { return m_fingerprint; }
  // The key as "BEGIN PUBLIC KEY" PEM text.
  [[nodiscard]] std::string pem() const;

private:
  friend class PrivateKey;
  explicit PublicKey(detail::KeyPtr key);
  detail::KeyPtr m_key;
  std::string m_fingerprint;
};

// An Ed25519 private key. Move-only; the key material never leaves OpenSSL.
class PrivateKey {
public:
  // Errors (kind input, naming `origin`): not PEM, encrypted (no passphrase is asked for),
  // not a private key, not Ed25519.
  [[nodiscard]] static Result<PrivateKey> from_pem(std::string_view pem, const std::string& origin);

  // The 64-byte signature of `message`. Errors (kind internal): OpenSSL failed.
  [[nodiscard]] Result<std::string> sign(std::string_view message) const;
  // The matching public key. Errors (kind internal): OpenSSL failed.
  [[nodiscard]] Result<PublicKey> public_key() const;

private:
  explicit PrivateKey(detail::KeyPtr key);
  detail::KeyPtr m_key;
};

}  // namespace envsetup::util
