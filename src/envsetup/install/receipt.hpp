// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/util/error.hpp>

#include <cstdint>
#include <filesystem>
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
  std::string created_at;          // ISO 8601 UTC
  std::string envsetup_version;
};

[[nodiscard]] std::filesystem::path receipt_path(const std::filesystem::path& prefix);

// Errors: io (unwritable), input (a receipt that does not parse).
[[nodiscard]] util::Status write_receipt(const std::filesystem::path& prefix, const Receipt& receipt);
[[nodiscard]] util::Result<Receipt> read_receipt(const std::filesystem::path& prefix);

}  // namespace envsetup::install
