// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <envsetup/matrix/load.hpp>
#include <envsetup/matrix/model.hpp>
#include <envsetup/util/error.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace envsetup::app {

// Which matrix to use: `--matrix DIR`, else the folder named by ENVSETUP_MATRIX, else the
// newest installed update that verifies (MatrixUpdateStore: signature, SHA-256s, schema and
// validation, checked on every load), else the copy compiled into the binary.
struct MatrixChoice {
  std::optional<std::filesystem::path> directory;
  std::optional<std::filesystem::path> updates;  // tests: the updates folder (default: the XDG data dir's)
  // Days after which the matrix in effect is called old in plans (ENVSETUP_MATRIX_MAX_AGE_DAYS;
  // 0: never). Unset: k_stale_matrix_days.
  std::optional<int> max_age_days;
};

// The matrix in effect, as `matrix show --source` and every plan's JSON name it.
struct MatrixInfo {
  std::string source;     // "embedded", "update" or "directory"
  std::string path;       // the folder (update, directory); empty for embedded
  std::string generated;  // "2026-12-06T12:00:00Z"; empty when unknown (a folder without one)
  // update: the SHA-256 of its manifest.json; embedded and directory: files_digest of the
  // files (docs/matrix-updates.md). Filled by the *_with_info functions only.
  std::string sha256;
};

// A matrix loaded and validated, and which one it is.
struct LoadedMatrix {
  matrix::Matrix matrix;
  MatrixInfo info;
};

// `generated` of the embedded matrix (matrix/bundle.json at build time).
[[nodiscard]] std::string embedded_generated();

// "built into envsetup", "in `DIR`" or "installed update `DIR`", for messages.
[[nodiscard]] std::string describe(const MatrixInfo& info);
[[nodiscard]] std::string describe(const MatrixChoice& choice);

// The chosen matrix's files (a folder's `manifest.json` and `bundle.json` are not matrix
// files: they are read for `generated` only). An installed update's files are verified, not
// yet validated. Errors (kind io): the folder cannot be read.
[[nodiscard]] util::Result<std::vector<matrix::SourceFile>> matrix_files(const MatrixChoice& choice);
[[nodiscard]] util::Result<std::pair<std::vector<matrix::SourceFile>, MatrixInfo>> matrix_files_with_info(
  const MatrixChoice& choice);

// The chosen matrix, loaded and validated. An installed update that does not validate is
// passed over for the next one (then the embedded copy). Errors: io (unreadable), input (invalid).
[[nodiscard]] util::Result<matrix::Matrix> load_matrix(const MatrixChoice& choice);
[[nodiscard]] util::Result<LoadedMatrix> load_matrix_with_info(const MatrixChoice& choice);

// The part of the chosen matrix one request needs: the CUDA, GPU and cuDNN files and the
// framework file named `<framework>.json` (none for "none"). Loading every framework file
// doubles what `resolve` parses; when no file of that name declares the framework, every
// file is loaded, so an unknown name is reported with the whole list. Errors: as load_matrix.
[[nodiscard]] util::Result<matrix::Matrix> load_matrix_for(const MatrixChoice& choice, const std::string& framework);
[[nodiscard]] util::Result<LoadedMatrix> load_matrix_for_with_info(const MatrixChoice& choice,
                                                                   const std::string& framework);

// `choice` with ENVSETUP_MATRIX applied when it names no folder, and
// ENVSETUP_MATRIX_MAX_AGE_DAYS (digits; cli checks it) when no age is set.
[[nodiscard]] MatrixChoice with_environment(MatrixChoice choice);

// Days after which the matrix in effect is called old.
inline constexpr int k_stale_matrix_days = 120;

// The plan note for a matrix generated more than `max_age_days` before `now_seconds`
// (seconds since the epoch): "the matrix is from 2026-01-02; newer releases may exist:
// envsetup matrix update". Nullopt when it is newer, its date is unknown, or max_age_days is 0.
[[nodiscard]] std::optional<std::string> stale_matrix_note(const MatrixInfo& info, std::int64_t now_seconds,
                                                           int max_age_days = k_stale_matrix_days);

}  // namespace envsetup::app
