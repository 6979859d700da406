// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/matrix_update_store.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/sha256.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_signer_name = "signer.pem";
constexpr const char* k_lock_name = "lock";
constexpr const char* k_staging_prefix = ".staging-";
constexpr const char* k_recorded_origin = "recorded with the update (given with --key)";

util::Error io_error(std::string message, int error)
{
  return util::make_error(util::ErrorKind::io, std::move(message)).with_cause(std::strerror(error));
}

// "20261206T120000Z-" + 12 lower-case hex digits.
bool is_installed_name(const std::string& name)
{
  if (name.size() != 29 || name[8] != 'T' || name[15] != 'Z' || name[16] != '-') {
    return false;
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool digit = c >= '0' && c <= '9';
    if ((i < 8 || (i > 8 && i < 15)) ? !digit : i > 16 && !(digit || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

util::Result<std::string> read_member(int dir_fd, const std::string& name, std::size_t max_bytes,
                                      const fs::path& folder)
{
  auto text = util::read_file_beneath(dir_fd, name, max_bytes);
  if (!text) {
    return std::move(text).error();
  }
  if (!*text) {
    return util::make_error(util::ErrorKind::integrity,
                            "the installed update `" + folder.string() + "` lacks `" + name + "`");
  }
  return std::move(**text);
}

util::Status write_member(int dir_fd, const std::string& name, std::string_view content)
{
  return util::write_file_atomic_at(dir_fd, name, content);
}

}  // namespace

std::string installed_name(const BundleManifest& manifest, const std::string& manifest_text)
{
  std::string stamp;
  for (const char c : manifest.generated) {
    if (c != '-' && c != ':') {
      stamp += c;
    }
  }
  util::Sha256 hash;
  hash.update(manifest_text);
  return stamp + "-" + hash.hex_digest().substr(0, 12);
}

util::Result<VerifiedBundle> verify_manifest(std::string manifest_text, std::string signature,
                                             const std::vector<TrustedKey>& keys, const TrustedKey* recorded)
{
  auto manifest = parse_manifest(manifest_text);
  if (!manifest) {
    return std::move(manifest).error();
  }
  if (signature.size() != util::k_ed25519_signature_size) {
    return util::make_error(util::ErrorKind::integrity,
                            "bad signature: `manifest.json.sig` is not an Ed25519 signature")
      .with_cause("it has " + std::to_string(signature.size()) + " bytes; a signature has 64")
      .with_hint("the bundle is damaged or was tampered with: do not use it; ask its publisher");
  }
  const TrustedKey* key = find_key(keys, manifest->key);
  if (key == nullptr && recorded != nullptr && recorded->key.fingerprint() == manifest->key) {
    key = recorded;
  }
  if (key == nullptr) {
    util::Error error =
      util::make_error(util::ErrorKind::integrity,
                       "unknown key: the bundle is signed by key " + manifest->key + ", which envsetup does not trust");
    for (const auto& known : keys) {
      error.causes.push_back("trusted: " + known.key.fingerprint() + " (" + known.origin + ")");
    }
    error.hints.push_back(
      "if you trust the bundle's publisher, pass their public key with --key PUBLIC.pem or "
      "copy it into " +
      keys_folder().string());
    return error;
  }
  if (!key->key.verify(manifest_text, signature)) {
    return util::make_error(util::ErrorKind::integrity,
                            "bad signature: `manifest.json.sig` does not verify with key " + manifest->key)
      .with_cause("the key is trusted (" + key->origin + "); the manifest or its signature was changed")
      .with_hint("the bundle is damaged or was tampered with: do not use it; ask its publisher");
  }
  if (manifest->schema_version > k_matrix_schema_version) {
    return util::make_error(util::ErrorKind::input,
                            "the bundle's matrix schema " + std::to_string(manifest->schema_version) +
                              " is newer than this envsetup reads (" + std::to_string(k_matrix_schema_version) + ")")
      .with_hint("upgrade envsetup to use this matrix; the matrix in effect stays");
  }
  VerifiedBundle bundle;
  bundle.manifest_text = std::move(manifest_text);
  bundle.signature = std::move(signature);
  bundle.manifest = std::move(manifest).value();
  bundle.signer = key->origin;
  return bundle;
}

fs::path MatrixUpdateStore::default_root()
{
  if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && *data != '\0') {
    return fs::path(data) / "envsetup" / "matrix-updates";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr && *home != '\0' ? home : "/tmp") / ".local" / "share" / "envsetup" /
         "matrix-updates";
}

util::Result<std::vector<std::string>> MatrixUpdateStore::installed() const
{
  const int fd = ::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return std::vector<std::string>{};
    }
    return io_error("cannot open the matrix updates `" + m_root.string() + "`", errno);
  }
  const util::UniqueFd root(fd);
  auto names = util::list_folder(root.get());
  if (!names) {
    return std::move(names).error();
  }
  std::vector<std::string> result;
  std::copy_if(names->begin(), names->end(), std::back_inserter(result), is_installed_name);
  std::sort(result.rbegin(), result.rend());
  return result;
}

util::Result<InstalledBundle> MatrixUpdateStore::read(const std::string& name,
                                                      const std::vector<TrustedKey>& keys) const
{
  auto root = util::open_root(m_root, "the matrix updates");
  if (!root) {
    return std::move(root).error();
  }
  auto folder = util::open_folder_beneath(root->get(), {name}, 1, false);
  if (!folder) {
    return std::move(folder).error();
  }
  const fs::path path = m_root / name;
  auto manifest = read_member(folder->get(), k_manifest_name, k_max_manifest_bytes, path);
  auto signature = read_member(folder->get(), k_signature_name, 4096, path);
  if (!manifest || !signature) {
    return manifest ? std::move(signature).error() : std::move(manifest).error();
  }
  // signer.pem counts only when no other user could have put it there (private_to_user):
  // planted beside a planted bundle it would otherwise make any bundle trusted.
  auto signer = private_to_user(folder->get(), k_signer_name)
                  ? util::read_file_beneath(folder->get(), k_signer_name, 64 * 1024)
                  : util::Result<std::optional<std::string>>(std::nullopt);
  std::optional<TrustedKey> recorded;
  if (signer && *signer) {
    if (auto key = util::PublicKey::from_pem(**signer, (path / k_signer_name).string())) {
      recorded.emplace(TrustedKey{std::move(key).value(), k_recorded_origin});
    }
  }
  auto verified =
    verify_manifest(std::move(manifest).value(), std::move(signature).value(), keys, recorded ? &*recorded : nullptr);
  if (!verified) {
    return std::move(verified).error();
  }
  // The folder's name orders the updates: it must be the one its manifest gives (an older
  // bundle renamed to a later time would otherwise be taken for the newest).
  if (const auto expected = installed_name(verified->manifest, verified->manifest_text); expected != name) {
    return util::make_error(util::ErrorKind::integrity,
                            "the installed update `" + path.string() + "` is not named after its manifest")
      .with_cause("its manifest.json names it `" + expected + "`");
  }
  for (const auto& file : verified->manifest.files) {
    auto content = read_member(folder->get(), file.name, file.size, path);
    if (!content) {
      return std::move(content).error();
    }
    verified->files.push_back({file.name, std::move(content).value()});
  }
  ENVSETUP_TRY(check_bundle_files(verified->manifest, verified->files));
  if (signer && *signer && verified->signer == k_recorded_origin) {
    verified->signer_pem = **signer;
  }
  return InstalledBundle{path, std::move(verified).value()};
}

util::Result<util::FileLock> MatrixUpdateStore::lock() const
{
  std::error_code ec;
  fs::create_directories(m_root, ec);
  if (ec) {
    return util::make_error(util::ErrorKind::io, "cannot create the matrix updates `" + m_root.string() + "`")
      .with_cause(ec.message());
  }
  auto root = util::open_root(m_root, "the matrix updates");
  if (!root) {
    return std::move(root).error();
  }
  return util::FileLock::acquire_at(root->get(), k_lock_name, true);
}

util::Result<fs::path> MatrixUpdateStore::install(const VerifiedBundle& bundle, const util::FileLock& held) const
{
  if (!held.held()) {
    return util::make_error(util::ErrorKind::internal, "MatrixUpdateStore::install without the lock");
  }
  auto root = util::open_root(m_root, "the matrix updates");
  if (!root) {
    return std::move(root).error();
  }
  auto names = util::list_folder(root->get());
  if (!names) {
    return std::move(names).error();
  }
  for (const auto& name : *names) {  // left by killed updates: only we write here, under the lock
    if (name.starts_with(k_staging_prefix)) {
      ENVSETUP_TRY(util::remove_tree_at(root->get(), name));
    }
  }
  const std::string staging = k_staging_prefix + std::to_string(::getpid());
  if (::mkdirat(root->get(), staging.c_str(), 0755) != 0) {
    return io_error("cannot create `" + (m_root / staging).string() + "`", errno);
  }
  auto folder = util::open_folder_beneath(root->get(), {staging}, 1, false);
  if (!folder) {
    return std::move(folder).error();
  }
  for (const auto& file : bundle.files) {
    ENVSETUP_TRY(write_member(folder->get(), file.name, file.content));
  }
  ENVSETUP_TRY(write_member(folder->get(), k_signature_name, bundle.signature));
  if (!bundle.signer_pem.empty()) {
    ENVSETUP_TRY(write_member(folder->get(), k_signer_name, bundle.signer_pem));
  }
  ENVSETUP_TRY(write_member(folder->get(), k_manifest_name, bundle.manifest_text));
  if (::fsync(folder->get()) != 0) {
    return io_error("cannot sync `" + (m_root / staging).string() + "`", errno);
  }
  const std::string name = installed_name(bundle.manifest, bundle.manifest_text);
  ENVSETUP_TRY(util::remove_tree_at(root->get(), name));  // a damaged copy of the same bundle
  if (::renameat(root->get(), staging.c_str(), root->get(), name.c_str()) != 0) {
    return io_error("cannot rename `" + staging + "` to `" + name + "` in " + m_root.string(), errno);
  }
  if (::fsync(root->get()) != 0) {
    return io_error("cannot sync `" + m_root.string() + "`", errno);
  }
  auto installed_names = installed();
  if (installed_names) {
    for (std::size_t i = k_keep_installed; i < installed_names->size(); ++i) {
      (void)util::remove_tree_at(root->get(), (*installed_names)[i]);  // best effort: newer ones win anyway
    }
  }
  return m_root / name;
}

}  // namespace envsetup::app
