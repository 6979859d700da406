// SPDX-License-Identifier: Apache-2.0
// Matrix bundles: the manifest parser (untrusted input), signature checks, the installed-update
// store and which matrix is in effect.
#include <envsetup/app/matrix_source.hpp>
#include <envsetup/app/matrix_update_manifest.hpp>
#include <envsetup/app/matrix_update_store.hpp>
#include <envsetup/util/sha256.hpp>
#include <envsetup/util/signature.hpp>

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

namespace envsetup::app {
namespace {

namespace fs = std::filesystem;

// A throwaway key made with `openssl genpkey -algorithm ed25519` for these tests only.
constexpr const char* k_private =
  "-----BEGIN PRIVATE KEY-----\n"
  "MC4CAQAwBQYDK2VwBCIEIDeBMzO9ErQfZ/0zSAcD9TMFjcsDd8Z7vrcSfUEObAs4\n"
  "-----END PRIVATE KEY-----\n";

const std::string k_sha(64, 'a');

std::string manifest_with(const std::string& files, const std::string& generated = "2026-12-06T12:00:00Z",
                          const std::string& format = "1")
{
  return "{\"format\": " + format + ", \"schema_version\": 2, \"generated\": \"" + generated +
         "\", \"key\": \"0123456789abcdef\", \"files\": " + files + "}";
}

TEST(MatrixUpdateManifest, RoundTripsItsOwnText)
{
  BundleManifest manifest = describe_files({{"torch.json", "{}"}, {"cuda.json", "[]"}});
  manifest.generated = "2026-12-06T12:00:00Z";
  manifest.key = "0123456789abcdef";
  const std::string text = manifest_text(manifest);
  EXPECT_TRUE(text.starts_with("{\n  \"format\": 1,\n  \"schema_version\": 2,")) << text;
  auto parsed = parse_manifest(text);
  ASSERT_TRUE(parsed) << parsed.error().causes.at(0);
  EXPECT_EQ(parsed->generated, manifest.generated);
  ASSERT_EQ(parsed->files.size(), 2U);
  EXPECT_EQ(parsed->files[0].name, "cuda.json");
  EXPECT_EQ(parsed->files[0].size, 2U);
  EXPECT_EQ(manifest_text(*parsed), text);
}

TEST(MatrixUpdateManifest, RefusesHostileManifests)
{
  const std::string file = "{\"sha256\": \"" + k_sha + "\", \"size\": 3}";
  const std::vector<std::pair<std::string, std::string>> cases = {
    {"{", "not valid JSON"},
    {"[]", "not a JSON object"},
    {manifest_with("{\"cuda.json\": " + file + "}", "2026-12-06T12:00:00Z", "2"), "bundle format 1"},
    {manifest_with("{\"cuda.json\": " + file + "}", "2026-02-30T12:00:00Z"), "`generated`"},
    {manifest_with("{\"cuda.json\": " + file + "}", "2026-12-06 12:00:00"), "`generated`"},
    {manifest_with("{\"../cuda.json\": " + file + "}"), "a file name must be"},
    {manifest_with("{\"manifest.json\": " + file + "}"), "a file name must be"},
    {manifest_with("{\".hidden.json\": " + file + "}"), "a file name must be"},
    {manifest_with("{\"CUDA.json\": " + file + "}"), "a file name must be"},
    {manifest_with("{\"cuda.json\": {\"sha256\": \"xyz\", \"size\": 3}}"), "64 hex digits"},
    {manifest_with("{\"cuda.json\": {\"sha256\": \"" + k_sha + "\", \"size\": -1}}"), "/size"},
    {manifest_with("{\"cuda.json\": {\"sha256\": \"" + k_sha + "\", \"size\": 99999999999}}"), "/size"},
    {manifest_with("{\"cuda.json\": {\"sha256\": \"" + k_sha + "\", \"size\": 3, \"x\": 1}}"), "exactly"},
    {manifest_with("{}"), "`files`"},
    {"{\"format\": 1, \"extra\": 1}", "unknown key"},
  };
  for (const auto& [text, expected] : cases) {
    auto parsed = parse_manifest(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().kind, util::ErrorKind::input);
    ASSERT_FALSE(parsed.error().causes.empty());
    EXPECT_NE(parsed.error().causes[0].find(expected), std::string::npos) << parsed.error().causes[0];
  }
  std::string many = "{";
  for (int i = 0; i < 65; ++i) {
    many += (i ? ", \"f" : "\"f") + std::to_string(i) + ".json\": " + file;
  }
  EXPECT_FALSE(parse_manifest(manifest_with(many + "}")));
  EXPECT_FALSE(parse_manifest(std::string(k_max_manifest_bytes + 1, ' ')));
}

TEST(MatrixUpdateManifest, GeneratedTimes)
{
  EXPECT_EQ(generated_seconds("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(generated_seconds("2026-12-06T12:00:00Z"), 1796558400);
  EXPECT_EQ(format_generated(1796558400), "2026-12-06T12:00:00Z");
  EXPECT_FALSE(generated_seconds("2026-12-06T24:00:00Z"));
  EXPECT_FALSE(generated_seconds("2026-12-06T12:00:00+01:00"));
  EXPECT_FALSE(generated_seconds("+026-12-06T12:00:00Z"));
  const auto now = *generated_seconds("2026-12-07T00:00:00Z");
  EXPECT_FALSE(stale_matrix_note({"embedded", "", "2026-08-10T00:00:00Z", ""}, now));
  EXPECT_EQ(stale_matrix_note({"embedded", "", "2026-08-01T00:00:00Z", ""}, now),
            "the matrix is from 2026-08-01; newer releases may exist: envsetup matrix update");
  EXPECT_FALSE(stale_matrix_note({"directory", "/x", "", ""}, now));
}

TEST(MatrixUpdateManifest, ChecksEveryFile)
{
  const std::vector<matrix::SourceFile> files = {{"a.json", "one"}, {"b.json", "two"}};
  const BundleManifest manifest = describe_files(files);
  EXPECT_TRUE(check_bundle_files(manifest, files));
  auto changed = files;
  changed[1].content = "tw0";
  auto error = check_bundle_files(manifest, changed);
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().kind, util::ErrorKind::integrity);
  EXPECT_NE(error.error().causes.at(0).find("sha256"), std::string::npos);
  changed[1].content = "two!";
  EXPECT_NE(check_bundle_files(manifest, changed).error().causes.at(0).find("4 bytes"), std::string::npos);
  EXPECT_FALSE(check_bundle_files(manifest, {files[0]}));
  auto extra = files;
  extra.push_back({"c.json", ""});
  EXPECT_FALSE(check_bundle_files(manifest, extra));
  // the embedded matrix's digest is that of `sha256sum *.json` (docs/matrix-updates.md)
  util::Sha256 lines;
  lines.update(manifest.files[0].sha256 + "  a.json\n" + manifest.files[1].sha256 + "  b.json\n");
  EXPECT_EQ(files_digest(files), lines.hex_digest());
}

class MatrixUpdateStoreTest : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_root = fs::temp_directory_path() / ("envsetup-update-test-" + std::to_string(::getpid()));
    fs::remove_all(m_root);
    auto key = util::PrivateKey::from_pem(k_private, "test");
    ASSERT_TRUE(key);
    auto public_key = key->public_key();
    ASSERT_TRUE(public_key);
    m_keys.push_back({std::move(public_key).value(), "test key"});
  }
  void TearDown() override { fs::remove_all(m_root); }

  VerifiedBundle signed_bundle(const std::string& generated, int schema = k_matrix_schema_version)
  {
    auto key = util::PrivateKey::from_pem(k_private, "test");
    std::vector<matrix::SourceFile> files = matrix::embedded_matrix_files();
    BundleManifest manifest = describe_files(files);
    manifest.generated = generated;
    manifest.schema_version = schema;
    manifest.key = m_keys[0].key.fingerprint();
    VerifiedBundle bundle;
    bundle.manifest_text = manifest_text(manifest);
    bundle.signature = key->sign(bundle.manifest_text).value();
    bundle.manifest = manifest;
    bundle.files = files;
    return bundle;
  }

  fs::path m_root;
  std::vector<TrustedKey> m_keys;
};

TEST_F(MatrixUpdateStoreTest, VerifiesSignaturesAndSchema)
{
  auto bundle = signed_bundle("2026-12-20T00:00:00Z");
  EXPECT_TRUE(verify_manifest(bundle.manifest_text, bundle.signature, m_keys));
  auto unknown = verify_manifest(bundle.manifest_text, bundle.signature, {});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown key"), std::string::npos);
  std::string bad = bundle.signature;
  bad[0] = static_cast<char>(bad[0] ^ 1);
  EXPECT_NE(verify_manifest(bundle.manifest_text, bad, m_keys).error().message.find("bad signature"),
            std::string::npos);
  EXPECT_NE(verify_manifest(bundle.manifest_text, "short", m_keys).error().message.find("bad signature"),
            std::string::npos);
  auto newer = signed_bundle("2026-12-20T00:00:00Z", 3);
  auto refused = verify_manifest(newer.manifest_text, newer.signature, m_keys);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, util::ErrorKind::input);
  EXPECT_NE(refused.error().message.find("newer than this envsetup reads"), std::string::npos);
}

TEST_F(MatrixUpdateStoreTest, InstallsKeepsThreeAndReverifiesOnLoad)
{
  const MatrixUpdateStore store(m_root);
  EXPECT_TRUE(store.installed()->empty());
  for (const char* generated :
       {"2026-12-20T00:00:00Z", "2026-12-21T00:00:00Z", "2026-12-22T00:00:00Z", "2026-12-23T00:00:00Z"}) {
    auto lock = store.lock();
    ASSERT_TRUE(lock);
    auto path = store.install(signed_bundle(generated), *lock);
    ASSERT_TRUE(path) << path.error().message;
  }
  auto names = store.installed();
  ASSERT_EQ(names->size(), 3U);
  EXPECT_TRUE(names->front().starts_with("20261223T000000Z-"));
  EXPECT_TRUE(names->back().starts_with("20261221T000000Z-"));
  auto read = store.read(names->front(), m_keys);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->bundle.manifest.generated, "2026-12-23T00:00:00Z");

  MatrixChoice choice;
  choice.updates = m_root;
  // the in-effect loader trusts only built-in and keys-folder keys: the test key is neither
  auto untrusted = load_matrix_with_info(choice);
  ASSERT_TRUE(untrusted);
  EXPECT_EQ(untrusted->info.source, "embedded");

  // a bundle recorded with its --key signer is trusted for itself; a damaged newest one is passed over
  for (const auto& name : *names) {
    std::ofstream(m_root / name / "signer.pem") << m_keys[0].key.pem();
  }
  auto newest = load_matrix_with_info(choice);
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->info.source, "update");
  EXPECT_EQ(newest->info.generated, "2026-12-23T00:00:00Z");
  std::ofstream(m_root / names->front() / "cuda.json", std::ios::app) << " ";
  auto fallback = load_matrix_with_info(choice);
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->info.generated, "2026-12-22T00:00:00Z");
  util::Sha256 hash;
  hash.update(store.read((*names)[1], {}).value().bundle.manifest_text);
  EXPECT_EQ(fallback->info.sha256, hash.hex_digest());
  fs::remove(m_root / (*names)[1] / "manifest.json.sig");
  EXPECT_EQ(load_matrix_with_info(choice)->info.generated, "2026-12-21T00:00:00Z");
}

TEST(MatrixSource, EmbeddedHasAGeneratedTime)
{
  EXPECT_TRUE(generated_seconds(embedded_generated())) << embedded_generated();
  MatrixChoice embedded;
  embedded.updates = "/nonexistent/envsetup-test";
  auto loaded = load_matrix_with_info(embedded);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->info.source, "embedded");
  EXPECT_EQ(loaded->info.sha256, files_digest(matrix::embedded_matrix_files()));  // build-time digest is current
}

}  // namespace
}  // namespace envsetup::app
