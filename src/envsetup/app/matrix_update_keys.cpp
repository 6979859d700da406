// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/matrix_update_keys.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/fs.hpp>

#include <cstdlib>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::app {

namespace {

namespace fs = std::filesystem;

// The project's matrix signing keys. The private key is kept outside the repository
// (docs/matrix-updates.md: "Keys"); to rotate, add the new public key here, release, then
// sign with the new key and drop the old one a release later.
constexpr const char* k_builtin_keys[] = {
  "-----BEGIN PUBLIC KEY-----\n"
  "MCowBQYDK2VwAyEAJbQu1Yhdt0swwpBKgHlGmUcP4LsfZx7uZicn/u7WbQU=\n"
  "-----END PUBLIC KEY-----\n",
};

constexpr std::size_t k_max_key_bytes = 64 * 1024;

std::string environment(const char* name)
{
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

util::Status add_key(std::vector<TrustedKey>& keys, std::string_view pem, const std::string& name,
                     const std::string& origin, bool strict)
{
  auto key = util::PublicKey::from_pem(pem, name);
  if (!key) {
    return strict ? util::Status(std::move(key).error()) : util::ok_status();
  }
  keys.push_back({std::move(key).value(), origin});
  return util::ok_status();
}

util::Status add_folder(std::vector<TrustedKey>& keys, const fs::path& folder, bool strict)
{
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return util::ok_status();  // no keys folder: no keys from it
  }
  const util::UniqueFd dir(fd);
  auto names = util::list_folder(dir.get());
  if (!names) {
    return strict ? util::Status(std::move(names).error()) : util::ok_status();
  }
  for (const auto& name : *names) {
    if (!name.ends_with(".pem") || name.starts_with(".")) {
      continue;
    }
    const std::string path = (folder / name).string();
    if (!private_to_user(dir.get(), name)) {
      if (strict) {
        return util::make_error(util::ErrorKind::input,
                                "the key `" + path + "` could have been written by another user")
          .with_cause("a trusted key and its folder must belong to you (or root) and be writable by no one else")
          .with_hint("chmod go-w " + folder.string() + " " + path + ", or remove the key");
      }
      continue;
    }
    auto text = util::read_file_beneath(dir.get(), name, k_max_key_bytes);
    if (!text || !*text) {
      if (strict) {
        return util::make_error(util::ErrorKind::input, "cannot read the key `" + path + "`")
          .with_cause(text ? "it is not a regular file" : text.error().message)
          .with_hint("remove it from " + folder.string() + " or make it an Ed25519 public key");
      }
      continue;
    }
    auto added = add_key(keys, **text, path, "keys folder `" + path + "`", strict);
    if (!added) {
      return std::move(added).error().with_hint("remove it from " + folder.string() + " or replace it");
    }
  }
  return util::ok_status();
}

}  // namespace

fs::path keys_folder()
{
  if (const auto config = environment("XDG_CONFIG_HOME"); !config.empty()) {
    return fs::path(config) / "envsetup" / "keys";
  }
  const auto home = environment("HOME");
  return fs::path(home.empty() ? "/nonexistent" : home) / ".config" / "envsetup" / "keys";
}

util::Result<std::vector<TrustedKey>> trusted_keys(const std::vector<fs::path>& extra, bool strict)
{
  std::vector<TrustedKey> keys;
  for (const char* pem : k_builtin_keys) {
    ENVSETUP_TRY(add_key(keys, pem, "the built-in key", "built in", true));
  }
  ENVSETUP_TRY(add_folder(keys, keys_folder(), strict));
  for (const auto& path : extra) {
    auto text = util::read_file(path);  // the user's own choice of file: its name is trusted
    if (!text) {
      return util::make_error(util::ErrorKind::input, "cannot read the key `" + path.string() + "`")
        .with_cause(text.error().causes.empty() ? text.error().message : text.error().causes.front());
    }
    ENVSETUP_TRY(add_key(keys, *text, path.string(), "--key `" + path.string() + "`", true));
  }
  return keys;
}

bool private_to_user(int dir_fd, const std::string& name)
{
  const auto mine = [](const struct stat& info) {
    return (info.st_uid == ::geteuid() || info.st_uid == 0) && (info.st_mode & (S_IWGRP | S_IWOTH)) == 0;
  };
  struct stat folder {};
  struct stat file {};
  return ::fstat(dir_fd, &folder) == 0 && mine(folder) &&
         ::fstatat(dir_fd, name.c_str(), &file, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(file.st_mode) && mine(file);
}

const TrustedKey* find_key(const std::vector<TrustedKey>& keys, const std::string& fingerprint)
{
  for (const auto& key : keys) {
    if (key.key.fingerprint() == fingerprint) {
      return &key;
    }
  }
  return nullptr;
}

}  // namespace envsetup::app
