// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/app/fetch_command.hpp>
#include <envsetup/app/streaming_extract.hpp>
#include <envsetup/install/layout.hpp>
#include <envsetup/install/store.hpp>
#include <envsetup/install/xz_decoder.hpp>
#include <envsetup/util/error.hpp>

#include <cstddef>
#include <filesystem>
#include <vector>

namespace envsetup::app {

// Extracts every archive on all cores: the ones not extracted while downloading first, then
// those of `streaming`, whose threads are running already: each is waited for and kept, or
// extracted again from the verified file when its stream was not kept. `streamed_count`
// counts those kept. The store (install::ExtractedStore) owns the extracted trees, their
// locks and records; an intact tree is reused as it is. `decoders` (may be null: libarchive
// decodes) decodes the .xz archives. Returns the component trees in the order of `archives`.
[[nodiscard]] util::Result<std::vector<install::ComponentTree>> extract_all(const install::ExtractedStore& store,
                                                                          const std::vector<FetchedArchive>& archives,
                                                                          StreamingExtraction& streaming,
                                                                          install::DecodePool* decoders,
                                                                          std::size_t& extracted_count,
                                                                          std::size_t& streamed_count);

}  // namespace envsetup::app
