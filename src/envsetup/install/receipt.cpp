// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/receipt.hpp>

#include <envsetup/util/fs.hpp>

#include <nlohmann/json.hpp>

namespace envsetup::install {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path receipt_path(const fs::path& prefix)
{
  return prefix / ".envsetup" / "receipt.json";
}

util::Status write_receipt(const fs::path& prefix, const Receipt& receipt)
{
  json archives = json::array();
  for (const auto& archive : receipt.archives) {
    archives.push_back({{"product", archive.product}, {"component", archive.component},
                        {"version", archive.version}, {"sha256", archive.sha256},
                        {"size", archive.size}, {"url", archive.url}});
  }
  const json document = {
    {"schema_version", 1},
    {"request", {{"cuda", receipt.cuda}, {"cudnn", receipt.cudnn}, {"components", receipt.components},
                 {"platform", receipt.platform}}},
    {"manifests", receipt.manifests},
    {"archives", archives},
    {"files", receipt.files},
    {"created_at", receipt.created_at},
    {"envsetup_version", receipt.envsetup_version},
  };
  return util::write_file_atomic(receipt_path(prefix), document.dump(2) + "\n");
}

util::Result<Receipt> read_receipt(const fs::path& prefix)
{
  auto text = util::read_file(receipt_path(prefix));
  if (!text) {
    return std::move(text).error();
  }
  const json document = json::parse(*text, nullptr, false);
  auto bad = [&] {
    return util::make_error(util::ErrorKind::input, "the receipt `" + receipt_path(prefix).string() + "` is damaged")
      .with_hint("remove the prefix by hand, or reinstall into it");
  };
  if (document.is_discarded() || !document.is_object() || !document.contains("request") ||
      !document["files"].is_array() || !document["archives"].is_array()) {
    return bad();
  }
  try {
    Receipt receipt;
    const auto& request = document["request"];
    receipt.cuda = request.value("cuda", "");
    receipt.cudnn = request.value("cudnn", "");
    receipt.components = request.value("components", "");
    receipt.platform = request.value("platform", "");
    receipt.manifests = document.value("manifests", std::vector<std::string>{});
    for (const auto& archive : document["archives"]) {
      receipt.archives.push_back({archive.value("product", ""), archive.value("component", ""),
                                  archive.value("version", ""), archive.value("sha256", ""),
                                  archive.value("size", std::uint64_t{0}), archive.value("url", "")});
    }
    receipt.files = document["files"].get<std::vector<std::string>>();
    receipt.created_at = document.value("created_at", "");
    receipt.envsetup_version = document.value("envsetup_version", "");
    return receipt;
  } catch (const json::exception&) {
    return bad();
  }
}

}  // namespace envsetup::install
