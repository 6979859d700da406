// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/matrix_source.hpp>

#include <envsetup/util/strings.hpp>

#include <envsetup/app/matrix_update_manifest.hpp>
#include <envsetup/app/matrix_update_store.hpp>
#include <envsetup/core/request.hpp>
#include <envsetup/util/sha256.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

#if !defined(ENVSETUP_MATRIX_GENERATED) || !defined(ENVSETUP_MATRIX_SHA256)
#error "ENVSETUP_MATRIX_GENERATED and ENVSETUP_MATRIX_SHA256 come from src/CMakeLists.txt"
#endif

namespace envsetup::app {

namespace {

constexpr const char* k_folder_metadata = "bundle.json";  // the source tree's matrix/bundle.json

// One matrix that may be in effect, its files not yet validated.
struct Candidate {
  std::vector<matrix::SourceFile> files;
  MatrixInfo info;
  std::string manifest_text;  // an update's manifest (its SHA-256 names it)
};

// `generated` of a folder: its manifest.json (a bundle written by `matrix bundle`) or its
// bundle.json (the source tree), whichever parses; "" when neither does.
std::string folder_generated(const std::vector<matrix::SourceFile>& metadata)
{
  for (const auto& file : metadata) {
    if (file.name == k_manifest_name) {
      if (auto manifest = parse_manifest(file.content)) {
        return manifest->generated;
      }
    }
  }
  for (const auto& file : metadata) {
    if (file.name == k_folder_metadata) {
      const auto document = nlohmann::json::parse(file.content, nullptr, false);
      if (document.is_object() && document.contains("generated") && document["generated"].is_string() &&
          generated_seconds(document["generated"].get_ref<const std::string&>())) {
        return document["generated"].get<std::string>();
      }
    }
  }
  return {};
}

util::Result<Candidate> directory_candidate(const std::filesystem::path& directory)
{
  auto files = matrix::read_matrix_dir(directory);
  if (!files) {
    return std::move(files).error();
  }
  Candidate candidate;
  std::vector<matrix::SourceFile> metadata;
  for (auto& file : *files) {
    (file.name == k_manifest_name || file.name == k_folder_metadata ? metadata : candidate.files)
      .push_back(std::move(file));
  }
  candidate.info = {"directory", directory.string(), folder_generated(metadata), ""};
  return candidate;
}

Candidate embedded_candidate()
{
  Candidate candidate{
    matrix::embedded_matrix_files(), {"embedded", "", embedded_generated(), ENVSETUP_MATRIX_SHA256}, ""};
  return candidate;
}

// Calls `use` with each candidate in order until it returns true: the folder of `choice`;
// else each installed update that verifies, newest first, then the embedded copy. Returns
// the error of reading a folder, else ok.
template <typename Use>
util::Status for_each_candidate(const MatrixChoice& choice, Use&& use)
{
  if (choice.directory) {
    auto candidate = directory_candidate(*choice.directory);
    if (!candidate) {
      return std::move(candidate).error();
    }
    (void)use(std::move(candidate).value());
    return util::ok_status();
  }
  const MatrixUpdateStore store(choice.updates.value_or(MatrixUpdateStore::default_root()));
  auto names = store.installed();
  if (names && !names->empty()) {
    auto keys = trusted_keys({}, false);
    for (const auto& name : keys ? *names : std::vector<std::string>{}) {
      auto installed = store.read(name, *keys);
      if (!installed) {
        continue;  // damaged, unknown key, newer schema: the next one
      }
      Candidate candidate{std::move(installed->bundle.files),
                          {"update", installed->path.string(), installed->bundle.manifest.generated, ""},
                          std::move(installed->bundle.manifest_text)};
      if (use(std::move(candidate))) {
        return util::ok_status();
      }
    }
  }
  (void)use(embedded_candidate());
  return util::ok_status();
}

void fill_sha256(Candidate& candidate)
{
  if (!candidate.info.sha256.empty()) {
    return;  // the embedded copy's, computed at build time
  }
  if (!candidate.manifest_text.empty()) {
    util::Sha256 hash;
    hash.update(candidate.manifest_text);
    candidate.info.sha256 = hash.hex_digest();
  } else {
    candidate.info.sha256 = files_digest(candidate.files);
  }
}

// The files one request needs (see load_matrix_for).
std::vector<matrix::SourceFile> needed_files(const std::vector<matrix::SourceFile>& files, const std::string& framework)
{
  std::vector<matrix::SourceFile> needed;
  for (const auto& file : files) {
    if (file.name == matrix::k_cuda_file || file.name == matrix::k_gpus_file || file.name == matrix::k_cudnn_file ||
        file.name == framework + ".json") {
      needed.push_back(file);
    }
  }
  return needed;
}

// Loads the first candidate that validates (updates that do not are passed over); the last
// candidate's error otherwise. `framework` empty: every file.
util::Result<LoadedMatrix> load_first(const MatrixChoice& choice, const std::string& framework, bool with_sha256)
{
  std::optional<util::Result<LoadedMatrix>> result;
  ENVSETUP_TRY(for_each_candidate(choice, [&](Candidate candidate) {
    const std::string origin = describe(candidate.info);
    std::optional<util::Result<matrix::Matrix>> loaded;
    if (!framework.empty()) {
      auto part = matrix::load_matrix(needed_files(candidate.files, framework), origin);
      if (part && (framework == core::k_bare_toolkit || part->find_framework(framework) != nullptr)) {
        loaded.emplace(std::move(part));
      }
    }
    if (!loaded) {
      loaded.emplace(matrix::load_matrix(candidate.files, origin));  // every file
    }
    if (!*loaded && candidate.info.source == "update") {
      return false;
    }
    if (with_sha256) {
      fill_sha256(candidate);
    } else {
      candidate.info.sha256.clear();
    }
    result.emplace(*loaded ? util::Result<LoadedMatrix>(LoadedMatrix{std::move(*loaded).value(), candidate.info})
                           : util::Result<LoadedMatrix>(std::move(*loaded).error()));
    return true;
  }));
  return std::move(*result);
}

}  // namespace

std::string embedded_generated()
{
  constexpr std::string_view generated = ENVSETUP_MATRIX_GENERATED;
  return generated_seconds(generated) ? std::string(generated) : std::string();
}

std::string describe(const MatrixInfo& info)
{
  return info.source == "directory" ? "in `" + info.path + "`"
         : info.source == "update"  ? "installed update `" + info.path + "`"
                                    : "built into envsetup";
}

std::string describe(const MatrixChoice& choice)
{
  return choice.directory ? "in `" + choice.directory->string() + "`" : "built into envsetup";
}

MatrixChoice with_environment(MatrixChoice choice)
{
  if (!choice.directory) {
    if (const char* value = std::getenv("ENVSETUP_MATRIX"); value != nullptr && *value != '\0') {
      choice.directory = value;
    }
  }
  if (!choice.max_age_days) {
    int days = 0;
    if (const char* value = std::getenv("ENVSETUP_MATRIX_MAX_AGE_DAYS");
        value != nullptr && util::parse_non_negative(value, days)) {
      choice.max_age_days = days;
    }
  }
  return choice;
}

util::Result<std::pair<std::vector<matrix::SourceFile>, MatrixInfo>> matrix_files_with_info(const MatrixChoice& choice)
{
  std::optional<Candidate> chosen;
  ENVSETUP_TRY(for_each_candidate(choice, [&](Candidate candidate) {
    fill_sha256(candidate);
    chosen.emplace(std::move(candidate));
    return true;
  }));
  return std::pair{std::move(chosen->files), std::move(chosen->info)};
}

util::Result<std::vector<matrix::SourceFile>> matrix_files(const MatrixChoice& choice)
{
  auto files = matrix_files_with_info(choice);
  if (!files) {
    return std::move(files).error();
  }
  return std::move(files->first);
}

util::Result<LoadedMatrix> load_matrix_with_info(const MatrixChoice& choice)
{
  return load_first(choice, "", true);
}

util::Result<matrix::Matrix> load_matrix(const MatrixChoice& choice)
{
  auto loaded = load_first(choice, "", false);
  if (!loaded) {
    return std::move(loaded).error();
  }
  return std::move(loaded->matrix);
}

util::Result<LoadedMatrix> load_matrix_for_with_info(const MatrixChoice& choice, const std::string& framework)
{
  return load_first(choice, framework, true);
}

util::Result<matrix::Matrix> load_matrix_for(const MatrixChoice& choice, const std::string& framework)
{
  auto loaded = load_first(choice, framework, false);
  if (!loaded) {
    return std::move(loaded).error();
  }
  return std::move(loaded->matrix);
}

std::optional<std::string> stale_matrix_note(const MatrixInfo& info, std::int64_t now_seconds, int max_age_days)
{
  const auto generated = generated_seconds(info.generated);
  if (max_age_days <= 0 || !generated || now_seconds - *generated <= std::int64_t{max_age_days} * 86400) {
    return std::nullopt;
  }
  return "the matrix is from " + info.generated.substr(0, 10) + "; newer releases may exist: envsetup matrix update";
}

}  // namespace envsetup::app
