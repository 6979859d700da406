// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/archive_extraction.hpp>

#include <algorithm>
#include <atomic>
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
  std::vector<install::ComponentTree> trees(archives.size());
  std::vector<std::optional<util::Error>> errors(archives.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> extracted{0};
  auto work = [&] {
    for (std::size_t position = next++; position < archives.size(); position = next++) {
      const std::size_t i = order[position];
      const auto& archive = archives[i];
      if (auto kept = streaming.finish(archive.planned.archive.sha256)) {
        trees[i] = {archive.planned.component, *kept};
        ++extracted;
        ++streamed;
        continue;
      }
      bool did_extract = false;
      install::ExtractLimits limits;
      limits.expected = install::archive_kind_for_name(archive.outcome.item.name);  // a .tar.xz is exactly that
      auto root = store.extract(archive.planned.archive.sha256, archive.outcome.path,
                                archive.outcome.item.name + " (" + archive.planned.component + ")", limits,
                                decoders, did_extract);
      if (!root) {
        errors[i] = std::move(root).error();
        continue;
      }
      trees[i] = {archive.planned.component, *root};
      extracted += did_extract ? 1 : 0;
    }
  };
  const std::size_t workers = std::min<std::size_t>(std::max(1U, std::thread::hardware_concurrency()), archives.size());
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 1; i < workers; ++i) {
      threads.emplace_back(work);
    }
    work();
  }  // the jthreads join here
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
