// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/archive_extraction.hpp>

#include <envsetup/install/extract.hpp>
#include <envsetup/util/fs.hpp>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <optional>
#include <thread>

#include <unistd.h>

namespace envsetup::app {

namespace fs = std::filesystem;

namespace {

// Extracts one archive into the store once (STORE/extracted-v1/<sha256>), under a lock
// shared by concurrent processes; a finished folder is reused as it is.
util::Result<fs::path> extract_once(const fs::path& store, const FetchedArchive& archive, install::DecodePool* decoders,
                                    bool& extracted)
{
  const std::string& sha = archive.planned.archive.sha256;
  const fs::path done = store / "extracted-v1" / sha;
  std::error_code ec;
  auto lock = util::FileLock::acquire(store / "extracted-v1" / (sha + ".lock"));
  if (!lock) {
    return std::move(lock).error();
  }
  if (fs::is_directory(done, ec)) {
    return done;
  }
  // Holding the lock, any other temporary folder of this archive belongs to a killed run.
  for (const auto& entry : fs::directory_iterator(store / "extracted-v1", ec)) {
    if (entry.path().filename().string().starts_with(sha + ".tmp-")) {
      fs::remove_all(entry.path(), ec);
    }
  }
  const fs::path temporary = store / "extracted-v1" / (sha + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(temporary, ec);
  fs::create_directories(temporary, ec);
  auto result = install::extract_archive(archive.outcome.path, temporary, {}, decoders);
  if (!result) {
    fs::remove_all(temporary, ec);
    return std::move(result).error().with_cause("while extracting " + archive.outcome.item.name + " (" +
                                                archive.planned.component + ")");
  }
  ENVSETUP_TRY(util::syncfs_path(temporary));  // every extracted file, before it becomes visible
  fs::rename(temporary, done, ec);
  if (ec) {
    fs::remove_all(temporary, ec);
    return util::make_error(util::ErrorKind::io, "cannot finish `" + done.string() + "`").with_cause(ec.message());
  }
  extracted = true;
  return done;
}

}  // namespace

util::Result<std::vector<install::ComponentTree>> extract_all(const fs::path& store,
                                                              const std::vector<FetchedArchive>& archives,
                                                              StreamingExtraction& streaming,
                                                              install::DecodePool* decoders,
                                                              std::size_t& extracted_count,
                                                              std::size_t& streamed_count)
{
  std::vector<std::size_t> order(archives.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_partition(order.begin(), order.end(), [&](std::size_t i) {
    return !streaming.has_stream(archives[i].planned.archive.sha256);
  });
  std::atomic<std::size_t> streamed{0};
  std::vector<install::ComponentTree> trees(archives.size());
  std::vector<std::optional<util::Error>> errors(archives.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> extracted{0};
  auto work = [&] {
    for (std::size_t position = next++; position < archives.size(); position = next++) {
      const std::size_t i = order[position];
      if (auto kept = streaming.finish(archives[i].planned.archive.sha256)) {
        trees[i] = {archives[i].planned.component, *kept};
        ++extracted;
        ++streamed;
        continue;
      }
      bool did_extract = false;
      auto root = extract_once(store, archives[i], decoders, did_extract);
      if (!root) {
        errors[i] = std::move(root).error();
        continue;
      }
      trees[i] = {archives[i].planned.component, *root};
      extracted += did_extract ? 1 : 0;
    }
  };
  const std::size_t workers = std::min<std::size_t>(std::max(1U, std::thread::hardware_concurrency()), archives.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers; ++i) {
    threads.emplace_back(work);
  }
  work();
  for (auto& thread : threads) {
    thread.join();
  }
  for (auto& error : errors) {
    if (error) {
      return std::move(*error);
    }
  }
  extracted_count = extracted;
  streamed_count = streamed;
  return trees;
}

}  // namespace envsetup::app
