// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/matrix_update.hpp>

#include <envsetup/app/matrix_update_keys.hpp>
#include <envsetup/app/matrix_update_manifest.hpp>
#include <envsetup/app/matrix_update_store.hpp>
#include <envsetup/fetch/downloader.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/sha256.hpp>
#include <envsetup/util/strings.hpp>

#include <chrono>
#include <cstdlib>

namespace envsetup::app {

namespace {

namespace fs = std::filesystem;

util::Result<std::string> base_url(const MatrixUpdateOptions& options)
{
  std::string url = k_default_matrix_url;
  const char* variable = "--from";
  if (options.from) {
    url = *options.from;
  } else if (const char* env = std::getenv("ENVSETUP_MATRIX_URL"); env != nullptr && *env != '\0') {
    url = env;
    variable = "ENVSETUP_MATRIX_URL";
  }
  ENVSETUP_TRY(util::require_no_control_characters(variable, url));
  if (url.find("://") == std::string::npos) {  // a folder: as file://
    std::error_code ec;
    url = "file://" + fs::absolute(url, ec).string();
  }
  if (options.offline && !url.starts_with("file://")) {
    return util::make_error(util::ErrorKind::usage, "--offline reads matrix bundles from file:// URLs only")
      .with_cause("the bundle is at " + url)
      .with_hint("drop --offline, or pass --from file:///path/to/bundle/ (or a folder)");
  }
  if (!url.ends_with('/')) {
    url += '/';
  }
  return url;
}

fetch::DownloadOptions transfer_options()
{
  fetch::DownloadOptions transfer;
  if (const char* fast = std::getenv("ENVSETUP_TEST_FAST_RETRY"); fast != nullptr && *fast != '\0') {
    transfer.retry_base = std::chrono::milliseconds(20);
    transfer.retry_cap = std::chrono::milliseconds(100);
    transfer.low_speed_time = std::chrono::seconds(2);
    transfer.connect_timeout = std::chrono::seconds(5);
  }
  return transfer;
}

// The matrix an update must be newer than: the newest installed update that verifies, else
// the embedded copy (--matrix and ENVSETUP_MATRIX do not count: they name no installed state).
MatrixInfo matrix_before(const fs::path& store_root)
{
  MatrixChoice choice;
  choice.updates = store_root;
  auto files = matrix_files_with_info(choice);
  if (!files) {
    return {"embedded", "", embedded_generated(), ""};
  }
  return files->second;
}

// How far past this host's clock a bundle's `generated` may be. A bundle from the far future
// would refuse every later update as a rollback for as long as it is installed.
constexpr std::int64_t k_future_slack_seconds = std::int64_t{30} * 86400;

util::Result<std::string> read_private_key_file(const fs::path& path)
{
  auto text = util::read_file(path);
  if (!text) {
    return util::make_error(util::ErrorKind::input, "cannot read the key `" + path.string() + "`")
      .with_cause(text.error().causes.empty() ? text.error().message : text.error().causes.front());
  }
  return text;
}

}  // namespace

util::Result<MatrixUpdateOutcome> run_matrix_update(const MatrixUpdateOptions& options)
{
  auto url = base_url(options);
  if (!url) {
    return std::move(url).error();
  }
  auto keys = trusted_keys(options.keys, true);
  if (!keys) {
    return std::move(keys).error();
  }
  const auto transfer = transfer_options();
  auto manifest_text = fetch::fetch_text(*url + k_manifest_name, transfer, k_max_manifest_bytes);
  if (!manifest_text) {
    return std::move(manifest_text).error();
  }
  auto signature = fetch::fetch_text(*url + k_signature_name, transfer, 4096);
  if (!signature) {
    return std::move(signature).error();
  }
  auto verified = verify_manifest(std::move(manifest_text).value(), std::move(signature).value(), *keys);
  if (!verified) {
    return std::move(verified).error().with_cause("bundle: " + *url);
  }
  const auto now =
    std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (generated_seconds(verified->manifest.generated).value_or(0) > now + k_future_slack_seconds) {
    return util::make_error(util::ErrorKind::integrity, "refusing a matrix bundle from the future")
      .with_cause("the bundle was generated " + verified->manifest.generated + "; this host's clock says " +
                  format_generated(now))
      .with_hint("check this host's clock; otherwise the bundle's publisher made a mistake: nothing was installed");
  }
  const MatrixUpdateStore store(options.store.value_or(MatrixUpdateStore::default_root()));
  auto lock = store.lock();  // held until the outcome is returned: one update at a time
  if (!lock) {
    return std::move(lock).error();
  }
  MatrixUpdateOutcome outcome;
  outcome.url = *url;
  outcome.generated = verified->manifest.generated;
  const MatrixInfo before = matrix_before(store.root());
  outcome.previous = before.generated;
  outcome.previous_source = before.source;
  util::Sha256 hash;
  hash.update(verified->manifest_text);
  outcome.sha256 = hash.hex_digest();
  outcome.signer = verified->manifest.key + " (" + verified->signer + ")";
  outcome.files = verified->manifest.files.size();
  if (!outcome.previous.empty() && outcome.generated < outcome.previous) {
    auto refused = util::make_error(util::ErrorKind::integrity, "refusing to roll the matrix back")
                     .with_cause("the bundle was generated " + outcome.generated + "; the matrix in effect (" +
                                 outcome.previous_source + ") was generated " + outcome.previous)
                     .with_hint("a mirror may serve an old bundle: check --from / ENVSETUP_MATRIX_URL");
    if (before.source == "update") {
      refused.hints.push_back("if the update in effect is wrong, remove `" + before.path +
                              "` to go back to the one before it");
    }
    return refused;
  }
  if (outcome.generated == outcome.previous) {
    return outcome;  // already up to date: nothing downloaded but the manifest
  }
  for (const auto& file : verified->manifest.files) {
    auto content = fetch::fetch_text(*url + file.name, transfer, k_max_bundle_file_bytes);  // sizes checked below
    if (!content) {
      return std::move(content).error();
    }
    verified->files.push_back({file.name, std::move(content).value()});
  }
  if (auto checked = check_bundle_files(verified->manifest, verified->files); !checked) {
    return std::move(checked).error().with_hint("the bundle is damaged or was tampered with: nothing was installed");
  }
  if (auto valid = matrix::load_matrix(verified->files, "in the bundle at " + *url); !valid) {
    return std::move(valid).error().with_hint("nothing was installed; the matrix in effect stays");
  }
  if (verified->signer.starts_with("--key")) {
    verified->signer_pem = find_key(*keys, verified->manifest.key)->key.pem();
  }
  auto path = store.install(*verified, *lock);
  if (!path) {
    return std::move(path).error();
  }
  outcome.installed = true;
  outcome.path = std::move(path).value();
  return outcome;
}

util::Result<MatrixBundleOutcome> run_matrix_bundle(const MatrixBundleOptions& options)
{
  auto key_text = read_private_key_file(options.key);
  if (!key_text) {
    return std::move(key_text).error();
  }
  auto key = util::PrivateKey::from_pem(*key_text, options.key.string());
  if (!key) {
    return std::move(key).error();
  }
  auto public_key = key->public_key();
  if (!public_key) {
    return std::move(public_key).error();
  }
  MatrixChoice choice;
  choice.directory = options.directory;
  auto files = matrix_files_with_info(choice);
  if (!files) {
    return std::move(files).error();
  }
  ENVSETUP_TRY(matrix::load_matrix(files->first, describe(files->second)));
  for (const auto& file : files->first) {
    if (!is_bundle_file_name(file.name)) {
      return util::make_error(util::ErrorKind::input, "`" + file.name + "` cannot be a bundle file name")
        .with_cause("bundle files are named with a-z, 0-9, `_` and `-` then `.json`");
    }
  }
  BundleManifest manifest = describe_files(files->first);
  if (options.generated) {
    if (!generated_seconds(*options.generated)) {
      return util::make_error(util::ErrorKind::usage, "invalid `--generated` value `" + *options.generated + "`")
        .with_hint("write a UTC time of the form 2026-12-06T12:00:00Z");
    }
    manifest.generated = *options.generated;
  } else if (!files->second.generated.empty()) {
    manifest.generated = files->second.generated;
  } else {
    const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    manifest.generated = format_generated(now.count());
  }
  manifest.key = public_key->fingerprint();
  const std::string text = manifest_text(manifest);
  auto signature = key->sign(text);
  if (!signature) {
    return std::move(signature).error();
  }
  std::error_code ec;
  fs::create_directories(options.output, ec);
  if (ec) {
    return util::make_error(util::ErrorKind::io, "cannot create `" + options.output.string() + "`")
      .with_cause(ec.message());
  }
  for (const auto& file : files->first) {
    ENVSETUP_TRY(util::write_file_atomic(options.output / file.name, file.content));
  }
  ENVSETUP_TRY(util::write_file_atomic(options.output / k_signature_name, *signature));
  ENVSETUP_TRY(util::write_file_atomic(options.output / k_manifest_name, text));
  util::Sha256 hash;
  hash.update(text);
  return MatrixBundleOutcome{options.output, manifest.generated, manifest.key, hash.hex_digest(),
                             manifest.files.size()};
}

}  // namespace envsetup::app
