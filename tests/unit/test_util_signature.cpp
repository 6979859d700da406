// SPDX-License-Identifier: Apache-2.0
// util::PublicKey / util::PrivateKey: Ed25519 through OpenSSL EVP, keys from untrusted PEM text.
#include <envsetup/util/signature.hpp>

#include <gtest/gtest.h>

#include <string>

namespace envsetup::util {
namespace {

// RFC 8032 section 7.1, TEST 1 (empty message), as PEM.
constexpr const char* k_rfc_private =
  "-----BEGIN PRIVATE KEY-----\n"
  "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
  "-----END PRIVATE KEY-----\n";
constexpr const char* k_rfc_public =
  "-----BEGIN PUBLIC KEY-----\n"
  "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
  "-----END PUBLIC KEY-----\n";
constexpr const char* k_rfc_signature_hex =
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe246551"
  "41438e7a100b";

// Throwaway keys made with `openssl genpkey` for these tests only.
constexpr const char* k_other_public =
  "-----BEGIN PUBLIC KEY-----\n"
  "MCowBQYDK2VwAyEA+Mea+Tbyk5uXztt96SP8Ym/+a+D2MchZXSD4C4pd8ug=\n"
  "-----END PUBLIC KEY-----\n";
constexpr const char* k_ec_public =
  "-----BEGIN PUBLIC KEY-----\n"
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEyPNBBUc9mI+ShBlX+nWzKPjG84qg\n"
  "mZvXpwYivbAkviJ3l1Mb7bhUHBaCNJHGdytKWaUQhlbPruUkYTIml+lFBQ==\n"
  "-----END PUBLIC KEY-----\n";
constexpr const char* k_ec_private =
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVm5NEgxHo92xokzv\n"
  "KB1cc6EiQR+PTC8egQrkgVHPEJGhRANCAATI80EFRz2Yj5KEGVf6dbMo+MbziqCZ\n"
  "m9enBiK9sCS+IneXUxvtuFQcFoI0kcZ3K0pZpRCGVs+u5SRhMiaX6UUF\n"
  "-----END PRIVATE KEY-----\n";
constexpr const char* k_encrypted_private =
  "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
  "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhCn9Op08hr2gICCAAw\n"
  "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEECW+pC2jlgUssWb7mI4O+AkEQPvC\n"
  "ZMw6DOfLXDsEERXRzKu/dgwfj4C0Ebme/4X46SYKxe+oEm0NPJCBjKL/KNlX2Tlp\n"
  "4wSOT4/oCPJcGYvNRXo=\n"
  "-----END ENCRYPTED PRIVATE KEY-----\n";

std::string from_hex(const std::string& hex)
{
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return bytes;
}

TEST(UtilSignature, SignsTheRfc8032VectorAndVerifiesIt)
{
  auto key = PrivateKey::from_pem(k_rfc_private, "rfc.pem");
  ASSERT_TRUE(key) << key.error().message;
  auto signature = key->sign("");
  ASSERT_TRUE(signature);
  EXPECT_EQ(*signature, from_hex(k_rfc_signature_hex));
  auto public_key = PublicKey::from_pem(k_rfc_public, "rfc.pub");
  ASSERT_TRUE(public_key) << public_key.error().message;
  EXPECT_TRUE(public_key->verify("", *signature));
  auto derived = key->public_key();
  ASSERT_TRUE(derived);
  EXPECT_EQ(derived->fingerprint(), public_key->fingerprint());
  EXPECT_EQ(derived->pem(), k_rfc_public);
  EXPECT_EQ(public_key->fingerprint().size(), 16U);
}

TEST(UtilSignature, RefusesAChangedMessageSignatureOrKey)
{
  auto key = PrivateKey::from_pem(k_rfc_private, "rfc.pem");
  ASSERT_TRUE(key);
  const std::string message = "{\"format\": 1}\n";
  auto signature = key->sign(message);
  ASSERT_TRUE(signature);
  auto good = PublicKey::from_pem(k_rfc_public, "rfc.pub");
  auto other = PublicKey::from_pem(k_other_public, "other.pub");
  ASSERT_TRUE(good);
  ASSERT_TRUE(other);
  EXPECT_TRUE(good->verify(message, *signature));
  EXPECT_FALSE(other->verify(message, *signature));
  EXPECT_FALSE(good->verify(message + " ", *signature));
  std::string flipped = *signature;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  EXPECT_FALSE(good->verify(message, flipped));
  EXPECT_FALSE(good->verify(message, signature->substr(0, 63)));
  EXPECT_FALSE(good->verify(message, *signature + "x"));
  EXPECT_FALSE(good->verify(message, ""));
}

TEST(UtilSignature, RefusesBadPemAndOtherKeyTypes)
{
  for (const char* text :
       {"", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", k_rfc_private}) {
    auto key = PublicKey::from_pem(text, "bad.pem");
    ASSERT_FALSE(key) << text;
    EXPECT_EQ(key.error().kind, ErrorKind::input);
    EXPECT_NE(key.error().message.find("`bad.pem` is not an Ed25519 public key"), std::string::npos);
  }
  auto ec = PublicKey::from_pem(k_ec_public, "ec.pub");
  ASSERT_FALSE(ec);
  ASSERT_FALSE(ec.error().causes.empty());
  EXPECT_NE(ec.error().causes[0].find("EC"), std::string::npos) << ec.error().causes[0];

  auto ec_private = PrivateKey::from_pem(k_ec_private, "ec.pem");
  ASSERT_FALSE(ec_private);
  EXPECT_EQ(ec_private.error().kind, ErrorKind::input);
  auto encrypted = PrivateKey::from_pem(k_encrypted_private, "enc.pem");  // never prompts
  ASSERT_FALSE(encrypted);
  EXPECT_NE(encrypted.error().causes[0].find("encrypted"), std::string::npos);
  EXPECT_FALSE(PrivateKey::from_pem(k_rfc_public, "pub.pem"));
  EXPECT_FALSE(PrivateKey::from_pem(std::string(100, '\0'), "zeros.pem"));
}

}  // namespace
}  // namespace envsetup::util
