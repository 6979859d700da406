// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/archive_extraction.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

namespace envsetup::app {

util::Result<std::vector<install::ComponentTree>> extract_all(const install::ExtractedStore& store,
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
  std::atomic<std::size_t> extracted{0};
  std::vector<install::ComponentTree> trees(archives.size());
  std::vector<std::optional<util::Error>> errors(archives.size());
  std::mutex deferred_mutex;
  std::vector<std::size_t> deferred;  // positions whose store lock another process held
  // Runs `positions` on every core. The first round never blocks on a store lock: this
  // process holds the locks of its streams until they finish, so waiting there while another
  // process waits for one of ours would never end. The second round, holding no stream, waits.
  auto round = [&](const std::vector<std::size_t>& positions, bool wait) {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      for (std::size_t position = next++; position < positions.size(); position = next++) {
        const std::size_t i = positions[position];
        const auto& archive = archives[i];
        try {
          if (auto kept = streaming.finish(archive.planned.archive.sha256)) {
            trees[i] = {archive.planned.component, kept->root, kept->entries};
            ++extracted;
            ++streamed;
            continue;
          }
          bool did_extract = false;
          install::ExtractLimits limits;
          limits.expected = install::archive_kind_for_name(archive.outcome.item.name);  // a .tar.xz is exactly that
          auto tree = store.extract(archive.planned.archive.sha256, archive.planned.component, archive.outcome.file.get(),
                                    archive.outcome.item.name + " (" + archive.planned.component + ")", limits,
                                    decoders, wait, did_extract);
          if (!tree) {
            errors[i] = std::move(tree).error();
          } else if (!tree->has_value()) {
            const std::lock_guard guard(deferred_mutex);
            deferred.push_back(i);
          } else {
            trees[i] = std::move(**tree);
            extracted += did_extract ? 1 : 0;
          }
        } catch (const std::exception& error) {  // a bug: reported, never std::terminate on a worker
          errors[i] = util::make_error(util::ErrorKind::internal, error.what());
        }
      }
    };
    const std::size_t workers =
      std::min<std::size_t>(std::max(1U, std::thread::hardware_concurrency()), positions.size());
    std::vector<std::jthread> threads;
    for (std::size_t t = 1; t < workers; ++t) {
      threads.emplace_back(work);
    }
    work();
  };  // the jthreads join at the end of each round
  round(order, false);
  streaming.finish_all();
  round(std::vector<std::size_t>(deferred), true);
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
