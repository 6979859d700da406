// SPDX-License-Identifier: Apache-2.0
#include <envsetup/install/prefix.hpp>

#include <envsetup/util/beneath.hpp>
#include <envsetup/util/strings.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace envsetup::install {

namespace fs = std::filesystem;

namespace {

constexpr int k_open_folder = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

util::Error io_error(const std::string& what, int saved)
{
  return util::make_error(util::ErrorKind::io, what).with_cause(std::strerror(saved));
}

std::string stamp()
{
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

// Whether `name` in `parent_fd` is absent.
bool absent(int parent_fd, const std::string& name)
{
  struct stat status {};
  return !util::stat_at(parent_fd, name, status) && errno == ENOENT;
}

// Whether `name` is exactly `.NAME<kind>PID` (PID all digits): only envsetup makes such names.
bool is_own_name(const std::string& name, const std::string& prefix_name, const std::string& kind)
{
  const std::string head = "." + prefix_name + kind;
  return name.size() > head.size() && name.starts_with(head) &&
         std::all_of(name.begin() + static_cast<std::ptrdiff_t>(head.size()), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// Disposes of an old tree `old` beside the prefix (a replaced prefix, or one a killed commit
// left): deletes what its receipt lists, then the tree when nothing else is left; anything
// else is the user's and moves, with the tree, to `P.kept-STAMP-PID`, never deleted.
util::Result<Replaced> dispose_old_tree(int parent, const fs::path& prefix, const std::string& old)
{
  Replaced replaced;
  util::UniqueFd tree(::openat(parent, old.c_str(), k_open_folder));
  if (!tree.valid()) {
    return replaced;  // gone
  }
  auto receipt = read_receipt(tree.get(), prefix.string() + " (old)");
  auto left = receipt ? remove_installed(tree.get(), *receipt) : files_in(tree.get());
  if (left && left->empty()) {
    ENVSETUP_TRY(util::remove_tree_at(parent, old));
    return replaced;
  }
  const std::string kept = prefix.filename().string() + ".kept-" + stamp() + "-" + std::to_string(::getpid());
  if (::renameat2(parent, old.c_str(), parent, kept.c_str(), RENAME_NOREPLACE) != 0) {
    return io_error("cannot keep the files found in the old `" + prefix.string() + "`", errno)
      .with_hint("they are in `" + (prefix.parent_path() / old).string() + "`: move them away");
  }
  replaced.kept = left ? std::move(left).value() : std::vector<std::string>{"(the whole old tree)"};
  replaced.kept_in = prefix.parent_path() / kept;
  return replaced;
}

}  // namespace

util::Result<fs::path> normal_prefix_path(const fs::path& requested)
{
  std::error_code ec;
  fs::path prefix = fs::absolute(requested, ec).lexically_normal();
  if (ec) {
    return util::make_error(util::ErrorKind::usage, "cannot make `" + requested.string() + "` an absolute path")
      .with_cause(ec.message())
      .with_hint("give the prefix as an absolute path");
  }
  if (!prefix.has_filename()) {
    prefix = prefix.parent_path();
  }
  const std::string text = prefix.string();
  const bool control = util::find_control_character(text).has_value();
  const std::string name = prefix.filename().string();
  if (control || name.empty() || name == "." || name == ".." || prefix == prefix.root_path()) {
    return util::make_error(util::ErrorKind::usage, "`" + text + "` cannot be a prefix")
      .with_cause(control ? "it holds control characters (a newline, an escape, ...)" : "it names no folder")
      .with_hint("choose a plain folder path for --prefix");
  }
  return prefix;
}

util::Result<PrefixTransaction> PrefixTransaction::begin(const fs::path& requested)
{
  auto normal = normal_prefix_path(requested);
  if (!normal) {
    return std::move(normal).error();
  }
  PrefixTransaction tx;
  tx.m_prefix = std::move(normal).value();
  tx.m_name = tx.m_prefix.filename().string();
  std::error_code ec;
  fs::create_directories(tx.m_prefix.parent_path(), ec);
  if (ec) {
    return util::make_error(util::ErrorKind::io, "cannot create `" + tx.m_prefix.parent_path().string() + "`")
      .with_cause(ec.message());
  }
  auto parent = util::open_root(tx.m_prefix.parent_path(), "the prefix's folder");
  if (!parent) {
    return std::move(parent).error();
  }
  tx.m_parent_fd = std::move(parent).value();
  // Refused before a lock file is made beside a folder that is not envsetup's; checked
  // again under the lock.
  ENVSETUP_TRY(check_replaceable(tx.m_parent_fd.get(), tx.m_name, tx.m_prefix.string()));
  auto lock = util::FileLock::acquire_at(tx.m_parent_fd.get(), "." + tx.m_name + ".lock", true);
  if (!lock) {
    return std::move(lock).error();
  }
  tx.m_lock = std::move(lock).value();
  // Holding the lock, every staging folder and old tree of this prefix belongs to a dead
  // process: staging folders hold only what that install made; old trees may hold the
  // user's files and are disposed of by their receipt.
  auto names = util::list_folder(tx.m_parent_fd.get());
  if (!names) {
    return std::move(names).error();
  }
  for (const auto& name : *names) {
    if (is_own_name(name, tx.m_name, ".staging-")) {
      ENVSETUP_TRY(util::remove_tree_at(tx.m_parent_fd.get(), name));
    } else if (is_own_name(name, tx.m_name, ".old-")) {
      ENVSETUP_TRY(dispose_old_tree(tx.m_parent_fd.get(), tx.m_prefix, name));
    }
  }
  ENVSETUP_TRY(check_replaceable(tx.m_parent_fd.get(), tx.m_name, tx.m_prefix.string()));
  tx.m_staging = "." + tx.m_name + ".staging-" + std::to_string(::getpid());
  if (::mkdirat(tx.m_parent_fd.get(), tx.m_staging.c_str(), 0755) != 0) {
    return io_error("cannot create the staging folder beside `" + tx.m_prefix.string() + "`", errno);
  }
  tx.m_staging_fd = util::UniqueFd(::openat(tx.m_parent_fd.get(), tx.m_staging.c_str(), k_open_folder));
  if (!tx.m_staging_fd.valid()) {
    return io_error("cannot open the staging folder beside `" + tx.m_prefix.string() + "`", errno);
  }
  return tx;
}

PrefixTransaction::~PrefixTransaction()
{
  if (!m_committed && m_parent_fd.valid() && !m_staging.empty()) {
    static_cast<void>(util::remove_tree_at(m_parent_fd.get(), m_staging));
  }
}

util::Result<Replaced> PrefixTransaction::commit()
{
  const int parent = m_parent_fd.get();
  ENVSETUP_TRY(check_replaceable(parent, m_name, m_prefix.string()));
  if (::syncfs(m_staging_fd.get()) != 0) {
    return io_error("cannot sync `" + m_prefix.string() + "`", errno);
  }
  Replaced replaced;
  if (absent(parent, m_name)) {
    if (::renameat2(parent, m_staging.c_str(), parent, m_name.c_str(), RENAME_NOREPLACE) != 0) {
      return io_error("cannot move the new tree into `" + m_prefix.string() + "`", errno);
    }
    m_committed = true;
  } else {
    // Swap both names in one step; the old tree is then at the staging name, and moves at
    // once to `.P.old-PID`, which a later cleanup disposes of by its receipt, never blindly.
    if (::renameat2(parent, m_staging.c_str(), parent, m_name.c_str(), RENAME_EXCHANGE) != 0) {
      return io_error("cannot replace `" + m_prefix.string() + "`", errno)
        .with_hint("remove the old prefix first (`envsetup remove " + m_prefix.string() + "`)");
    }
    m_committed = true;
    const std::string old = "." + m_name + ".old-" + std::to_string(::getpid());
    if (::renameat2(parent, m_staging.c_str(), parent, old.c_str(), RENAME_NOREPLACE) != 0) {
      return io_error("cannot set the old `" + m_prefix.string() + "` aside", errno);
    }
    auto disposed = dispose_old_tree(parent, m_prefix, old);
    if (!disposed) {
      return std::move(disposed).error();
    }
    replaced = std::move(disposed).value();
  }
  if (::fsync(parent) != 0) {
    return io_error("cannot sync `" + m_prefix.parent_path().string() + "`", errno);
  }
  return replaced;
}

}  // namespace envsetup::install
