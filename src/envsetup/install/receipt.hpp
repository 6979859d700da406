// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <cstdint>
#include <filesystem>

#include <sys/stat.h>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::install {

struct ReceiptArchive {
  std::string product;    // "cuda" / "cudnn"
  std::string component;  // "cuda_nvcc"
  std::string version;    // component version
  std::string sha256;
  std::uint64_t size = 0;
  std::string url;
};

// PREFIX/.envsetup/receipt.json: what was asked, from which manifests, every archive's
// sha256 and every path the install created — so `remove` deletes exactly those.
struct Receipt {
  std::string cuda;        // toolkit release, "12.4.1" ("" when only cuDNN)
  std::string cudnn;       // "9.1.0" or ""
  std::string components;  // as requested: "devel"
  std::string platform;
  std::vector<std::string> manifests;  // URLs
  std::vector<ReceiptArchive> archives;
  std::vector<std::string> files;  // relative to the prefix
  // Which of `files` were created as symlinks, with their targets (the others are regular
  // files); filled by write_receipt from the tree. Unset in receipts older than this field.
  // remove deletes an entry only when it still is what the install created.
  std::optional<std::map<std::string, std::string>> symlinks;
  // The identity of the regular files among `files` as installed ("ino:size:mtime_ns"),
  // filled by write_receipt. A file replaced since (another inode, size or mtime) is the
  // user's: remove keeps it.
  std::optional<std::map<std::string, std::string>> file_identities;
  std::string created_at;          // ISO 8601 UTC
  std::string envsetup_version;
};

[[nodiscard]] std::filesystem::path receipt_path(const std::filesystem::path& prefix);

// Writes `.envsetup/receipt.json` under the folder `root_fd` (never through a link),
// recording which listed files are symlinks there and their targets, and the identity of
// the regular files.
// Errors: io.
[[nodiscard]] util::Status write_receipt(int root_fd, const Receipt& receipt);

// "ino:size:mtime_ns" of a regular file's lstat, as receipts record it.
[[nodiscard]] std::string file_identity(const struct ::stat& status);

// Reads the receipt of the prefix folder `root_fd` (or at `prefix`), never through a link.
// A receipt is untrusted: every file it lists must be a relative path without `..`
// (util::split_relative_path), so that acting on it never leaves the prefix. Errors: io (no
// receipt), input (a receipt that does not parse or lists such a path; `shown` names it).
[[nodiscard]] util::Result<Receipt> read_receipt(int root_fd, const std::string& shown);
[[nodiscard]] util::Result<Receipt> read_receipt(const std::filesystem::path& prefix);

}  // namespace envsetup::install
