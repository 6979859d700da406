// SPDX-License-Identifier: Apache-2.0
// Matrix updates attacked (issue 16 review): a local user who can write into the updates or
// keys folder, a publisher whose bundle claims a time in the future, an old bundle renamed.
#include <envsetup/app/matrix_source.hpp>
#include <envsetup/app/matrix_update.hpp>
#include <envsetup/app/matrix_update_manifest.hpp>
#include <envsetup/app/matrix_update_store.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/signature.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::app {
namespace {

namespace fs = std::filesystem;

// A throwaway key made with `openssl genpkey -algorithm ed25519` for these tests only.
constexpr const char* k_private =
  "-----BEGIN PRIVATE KEY-----\n"
  "MC4CAQAwBQYDK2VwBCIEIMBYMGqGnCjVYZftWZ7tei/ngGghVdBIy54LLrj4WleW\n"
  "-----END PRIVATE KEY-----\n";

class AttackMatrixUpdate : public ::testing::Test {
protected:
  void SetUp() override
  {
    m_dir = fs::temp_directory_path() / ("envsetup-attack-update-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "config");
    ::chmod(m_dir.c_str(), 0755);
    if (const char* old = std::getenv("XDG_CONFIG_HOME")) {
      m_old_config = old;
    }
    ::setenv("XDG_CONFIG_HOME", (m_dir / "config").c_str(), 1);
    auto key = util::PrivateKey::from_pem(k_private, "test");
    ASSERT_TRUE(key);
    m_public = key->public_key().value().pem();
    std::ofstream(m_dir / "public.pem") << m_public;
  }
  void TearDown() override
  {
    if (m_old_config) {
      ::setenv("XDG_CONFIG_HOME", m_old_config->c_str(), 1);
    } else {
      ::unsetenv("XDG_CONFIG_HOME");
    }
    fs::remove_all(m_dir);
  }

  fs::path store_root() const { return m_dir / "updates"; }

  // The test key in the keys folder: every later load trusts it.
  void trust_key()
  {
    fs::create_directories(m_dir / "config" / "envsetup" / "keys");
    std::ofstream(m_dir / "config" / "envsetup" / "keys" / "test.pem") << m_public;
  }

  VerifiedBundle signed_bundle(const std::string& generated)
  {
    auto key = util::PrivateKey::from_pem(k_private, "test");
    const auto files = matrix::embedded_matrix_files();
    BundleManifest manifest = describe_files(files);
    manifest.generated = generated;
    manifest.key = key->public_key().value().fingerprint();
    VerifiedBundle bundle;
    bundle.manifest_text = manifest_text(manifest);
    bundle.signature = key->sign(bundle.manifest_text).value();
    bundle.manifest = manifest;
    bundle.files = files;
    return bundle;
  }

  std::string install(const std::string& generated)
  {
    const MatrixUpdateStore store(store_root());
    auto lock = store.lock();
    EXPECT_TRUE(lock);
    auto path = store.install(signed_bundle(generated), *lock);
    EXPECT_TRUE(path) << path.error().message;
    return path ? path->filename().string() : std::string();
  }

  MatrixInfo in_effect() const
  {
    MatrixChoice choice;
    choice.updates = store_root();
    auto loaded = load_matrix_with_info(choice);
    EXPECT_TRUE(loaded);
    return loaded ? loaded->info : MatrixInfo{};
  }

  // A bundle folder written by `matrix bundle` from the embedded matrix.
  fs::path publish(const std::string& generated)
  {
    const fs::path matrix_dir = m_dir / "matrix";
    fs::create_directories(matrix_dir);
    for (const auto& file : matrix::embedded_matrix_files()) {
      std::ofstream(matrix_dir / file.name) << file.content;
    }
    std::ofstream(m_dir / "private.pem") << k_private;
    const fs::path out = m_dir / ("bundle-" + generated.substr(0, 10));
    MatrixBundleOptions options{matrix_dir, m_dir / "private.pem", out, generated};
    auto made = run_matrix_bundle(options);
    EXPECT_TRUE(made) << made.error().message;
    return out;
  }

  std::map<std::string, std::string> snapshot() const
  {
    std::map<std::string, std::string> files;
    if (fs::exists(store_root())) {
      for (const auto& entry : fs::recursive_directory_iterator(store_root())) {
        if (entry.is_regular_file()) {
          files[entry.path().string()] = util::read_file(entry.path()).value_or("?");
        }
      }
    }
    return files;
  }

  fs::path m_dir;
  std::string m_public;
  std::optional<std::string> m_old_config;
};

// An older genuine bundle renamed to a later time must not be taken for the newest: that
// would roll the matrix back (and make every newer update look like a rollback).
TEST_F(AttackMatrixUpdate, OldBundleRenamedToALaterTimeIsNotTheNewest)
{
  trust_key();
  const std::string old_name = install("2026-11-20T00:00:00Z");
  install("2026-11-23T00:00:00Z");
  ASSERT_EQ(in_effect().generated, "2026-11-23T00:00:00Z");
  const std::string forged = "20991231T000000Z" + old_name.substr(16);
  fs::rename(store_root() / old_name, store_root() / forged);
  EXPECT_EQ(in_effect().generated, "2026-11-23T00:00:00Z");
  const MatrixUpdateStore store(store_root());
  auto read = store.read(forged, {});
  ASSERT_FALSE(read);
}

// signer.pem (kept for an update installed with --key) in a folder another user can write
// trusts nothing: a planted bundle + planted signer.pem never becomes the matrix in effect.
TEST_F(AttackMatrixUpdate, PlantedSignerPemInAFolderOthersCanWriteTrustsNothing)
{
  const std::string name = install("2026-11-20T00:00:00Z");
  const fs::path folder = store_root() / name;
  std::ofstream(folder / "signer.pem") << m_public;
  ::chmod((folder / "signer.pem").c_str(), 0644);
  ::chmod(folder.c_str(), 0755);
  ASSERT_EQ(in_effect().source, "update");  // the --key flow: recorded by this user, trusted

  ::chmod(folder.c_str(), 0777);  // anyone could have put signer.pem there
  EXPECT_EQ(in_effect().source, "embedded");
  ::chmod(folder.c_str(), 0755);
  ::chmod((folder / "signer.pem").c_str(), 0666);  // anyone could have rewritten it
  EXPECT_EQ(in_effect().source, "embedded");
  ::chmod((folder / "signer.pem").c_str(), 0644);
  fs::remove(folder / "signer.pem");
  fs::create_symlink(m_dir / "public.pem", folder / "signer.pem");
  EXPECT_EQ(in_effect().source, "embedded");
  fs::remove(folder / "signer.pem");
  std::ofstream(folder / "signer.pem") << m_public;
  ::chmod((folder / "signer.pem").c_str(), 0644);
  if (::geteuid() == 0) {  // another user's folder (uid 65534, `nobody`) inside our store
    ASSERT_EQ(::chown(folder.c_str(), 65534, 65534), 0);
    EXPECT_EQ(in_effect().source, "embedded");
    ASSERT_EQ(::chown(folder.c_str(), 0, 0), 0);
    ASSERT_EQ(::chown((folder / "signer.pem").c_str(), 65534, 65534), 0);
    EXPECT_EQ(in_effect().source, "embedded");
  }
}

// A key in a keys folder others can write trusts nothing either; `matrix update` says why.
TEST_F(AttackMatrixUpdate, KeyInAKeysFolderOthersCanWriteTrustsNothing)
{
  trust_key();
  install("2026-11-20T00:00:00Z");
  ASSERT_EQ(in_effect().source, "update");
  const fs::path keys = m_dir / "config" / "envsetup" / "keys";
  ::chmod(keys.c_str(), 0777);
  EXPECT_EQ(in_effect().source, "embedded");
  auto strict = trusted_keys({}, true);
  ASSERT_FALSE(strict);
  EXPECT_NE(strict.error().message.find("another user"), std::string::npos) << strict.error().message;
  ::chmod(keys.c_str(), 0755);
  ::chmod((keys / "test.pem").c_str(), 0646);
  EXPECT_EQ(in_effect().source, "embedded");
}

// A bundle whose `generated` is far in the future would, once installed, refuse every later
// update as a rollback. It is refused; nothing changes.
TEST_F(AttackMatrixUpdate, BundleFromTheFarFutureIsRefused)
{
  const fs::path bundle = publish("2999-01-01T00:00:00Z");
  const auto before = snapshot();
  MatrixUpdateOptions options;
  options.from = "file://" + bundle.string();
  options.keys = {m_dir / "public.pem"};
  options.store = store_root();
  auto refused = run_matrix_update(options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, util::ErrorKind::integrity);
  EXPECT_NE(refused.error().message.find("from the future"), std::string::npos) << refused.error().message;
  EXPECT_EQ(snapshot(), before);
}

// A refused rollback names the update in effect, so that the user can remove a bad one.
TEST_F(AttackMatrixUpdate, RollbackRefusalNamesTheUpdateInEffect)
{
  trust_key();
  const std::string name = install("2026-11-23T00:00:00Z");
  MatrixUpdateOptions options;
  options.from = "file://" + publish("2026-11-20T00:00:00Z").string();
  options.store = store_root();
  const auto before = snapshot();
  auto refused = run_matrix_update(options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "refusing to roll the matrix back");
  bool named = false;
  for (const auto& hint : refused.error().hints) {
    named = named || hint.find(name) != std::string::npos;
  }
  EXPECT_TRUE(named);
  EXPECT_EQ(snapshot(), before);
}

// What held: a symlinked update folder or file, a manifest re-formatted under its signature,
// two manifest entries of one name, a bundle file sneaking in beside the listed ones.
TEST_F(AttackMatrixUpdate, LinksReformattedManifestsAndExtraFilesDoNotGetThrough)
{
  trust_key();
  const std::string name = install("2026-11-20T00:00:00Z");
  const MatrixUpdateStore store(store_root());
  // an extra file beside the listed ones is never read
  std::ofstream(store_root() / name / "bundle.json") << "{\"generated\": \"2999-01-01T00:00:00Z\"}";
  std::ofstream(store_root() / name / "evil.json") << "{}";
  EXPECT_EQ(in_effect().generated, "2026-11-20T00:00:00Z");
  // a symlink as a listed file
  fs::rename(store_root() / name / "cuda.json", m_dir / "cuda.json");
  fs::create_symlink(m_dir / "cuda.json", store_root() / name / "cuda.json");
  EXPECT_FALSE(store.read(name, trusted_keys({}, false).value()));
  EXPECT_EQ(in_effect().source, "embedded");
  fs::remove(store_root() / name / "cuda.json");
  fs::rename(m_dir / "cuda.json", store_root() / name / "cuda.json");
  ASSERT_EQ(in_effect().source, "update");
  // the whole folder as a symlink under a newer name
  const auto bundle = signed_bundle("2026-11-25T00:00:00Z");
  fs::create_directory_symlink(store_root() / name,
                               store_root() / installed_name(bundle.manifest, bundle.manifest_text));
  EXPECT_EQ(in_effect().generated, "2026-11-20T00:00:00Z");
  // whitespace changed in a signed manifest
  auto keys = trusted_keys({}, false).value();
  std::string reformatted = bundle.manifest_text;
  reformatted.insert(1, " ");
  EXPECT_FALSE(verify_manifest(reformatted, bundle.signature, keys));
  // one name twice in `files`: JSON keeps one; the other never counts
  const std::string entry = "{\"sha256\": \"" + std::string(64, 'a') + "\", \"size\": 1}";
  auto twice = parse_manifest(
    "{\"format\": 1, \"schema_version\": 2, \"generated\": \"2026-11-20T00:00:00Z\", "
    "\"key\": \"0123456789abcdef\", \"files\": {\"cuda.json\": " +
    entry + ", \"cuda.json\": " + entry + "}}");
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->files.size(), 1u);
  // names with NUL, control characters, slashes
  for (const std::string& bad : {std::string("cu\0da.json", 10), std::string("cuda\n.json"), std::string("cuda.json/"),
                                 std::string("a/b.json"), std::string(".json"), std::string("..json")}) {
    EXPECT_FALSE(is_bundle_file_name(bad)) << bad;
  }
}

}  // namespace
}  // namespace envsetup::app
