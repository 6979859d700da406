// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/prefix.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace envsetup::install {

namespace fs = std::filesystem;

namespace {

fs::path sibling(const fs::path& prefix, const std::string& suffix)
{
  return prefix.parent_path() / ("." + prefix.filename().string() + suffix);
}

util::Error io_error(const std::string& what, const fs::path& path, const std::error_code& ec)
{
  return util::make_error(util::ErrorKind::io, what + " `" + path.string() + "`").with_cause(ec.message());
}

}  // namespace

fs::path prefix_lock_path(const fs::path& prefix)
{
  return sibling(prefix, ".lock");
}

util::Result<PrefixTransaction> PrefixTransaction::begin(const fs::path& requested)
{
  PrefixTransaction tx;
  tx.m_prefix = fs::absolute(requested).lexically_normal();
  if (!tx.m_prefix.has_filename()) {
    tx.m_prefix = tx.m_prefix.parent_path();
  }
  std::error_code ec;
  fs::create_directories(tx.m_prefix.parent_path(), ec);
  if (ec) {
    return io_error("cannot create", tx.m_prefix.parent_path(), ec);
  }
  auto lock = util::FileLock::acquire(prefix_lock_path(tx.m_prefix));
  if (!lock) {
    return std::move(lock).error();
  }
  tx.m_lock = std::move(lock).value();
  // Holding the lock, every staging folder beside the prefix belongs to a dead process.
  const std::string stale = "." + tx.m_prefix.filename().string() + ".staging-";
  for (const auto& entry : fs::directory_iterator(tx.m_prefix.parent_path(), ec)) {
    if (entry.path().filename().string().starts_with(stale)) {
      fs::remove_all(entry.path(), ec);
    }
  }
  tx.m_staging = sibling(tx.m_prefix, ".staging-" + std::to_string(::getpid()));
  fs::create_directories(tx.m_staging, ec);
  if (ec) {
    return io_error("cannot create the staging folder", tx.m_staging, ec);
  }
  return tx;
}

PrefixTransaction::~PrefixTransaction()
{
  if (!m_committed && !m_staging.empty()) {
    std::error_code ec;
    fs::remove_all(m_staging, ec);
  }
}

util::Status PrefixTransaction::commit()
{
  std::error_code ec;
  ENVSETUP_TRY(util::fsync_path(m_staging));
  if (!fs::exists(fs::symlink_status(m_prefix, ec))) {
    fs::rename(m_staging, m_prefix, ec);
    if (ec) {
      return io_error("cannot move the new tree into", m_prefix, ec);
    }
  } else {
    // Swap both names in one step, then the old tree (now at the staging name) goes.
    if (::renameat2(AT_FDCWD, m_staging.c_str(), AT_FDCWD, m_prefix.c_str(), RENAME_EXCHANGE) != 0) {
      return util::make_error(util::ErrorKind::io, "cannot replace `" + m_prefix.string() + "`")
        .with_cause(std::strerror(errno))
        .with_hint("remove the old prefix first (`envsetup remove " + m_prefix.string() + "`)");
    }
    fs::remove_all(m_staging, ec);
  }
  m_committed = true;
  return util::fsync_path(m_prefix.parent_path());
}

util::Result<std::vector<std::string>> remove_installed(const fs::path& prefix, const Receipt& receipt)
{
  std::error_code ec;
  std::vector<fs::path> folders;
  for (const auto& relative : receipt.files) {
    const fs::path path = prefix / relative;
    if (fs::remove(path, ec); ec) {
      return io_error("cannot remove", path, ec);
    }
    for (fs::path parent = fs::path(relative).parent_path(); !parent.empty(); parent = parent.parent_path()) {
      folders.push_back(prefix / parent);
    }
  }
  fs::remove(receipt_path(prefix), ec);
  folders.push_back(prefix / ".envsetup");
  std::sort(folders.begin(), folders.end(), [](const fs::path& a, const fs::path& b) {
    return a.string().size() > b.string().size();
  });
  for (const auto& folder : folders) {
    if (fs::is_directory(folder, ec) && fs::is_empty(folder, ec)) {
      fs::remove(folder, ec);
    }
  }
  std::vector<std::string> kept;
  if (fs::is_directory(prefix, ec)) {
    for (const auto& entry : fs::recursive_directory_iterator(prefix, ec)) {
      if (!entry.is_directory()) {
        kept.push_back(entry.path().lexically_relative(prefix).string());
      }
    }
    if (kept.empty()) {
      fs::remove_all(prefix, ec);
    }
  }
  return kept;
}

std::uint64_t installed_size(const fs::path& prefix, const Receipt& receipt)
{
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& relative : receipt.files) {
    const auto status = fs::symlink_status(prefix / relative, ec);
    if (fs::is_regular_file(status)) {
      total += fs::file_size(prefix / relative, ec);
    }
  }
  return total;
}

}  // namespace envsetup::install
