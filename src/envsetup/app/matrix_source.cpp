// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/matrix_source.hpp>

#include <envsetup/core/request.hpp>

#include <cstdlib>

namespace envsetup::app {

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
  return choice;
}

util::Result<std::vector<matrix::SourceFile>> matrix_files(const MatrixChoice& choice)
{
  if (choice.directory) {
    return matrix::read_matrix_dir(*choice.directory);
  }
  return matrix::embedded_matrix_files();
}

util::Result<matrix::Matrix> load_matrix(const MatrixChoice& choice)
{
  auto files = matrix_files(choice);
  if (!files) {
    return std::move(files).error();
  }
  return matrix::load_matrix(*files, describe(choice));
}

util::Result<matrix::Matrix> load_matrix_for(const MatrixChoice& choice, const std::string& framework)
{
  auto files = matrix_files(choice);
  if (!files) {
    return std::move(files).error();
  }
  std::vector<matrix::SourceFile> needed;
  for (const auto& file : *files) {
    if (file.name == matrix::k_cuda_file || file.name == matrix::k_gpus_file || file.name == matrix::k_cudnn_file ||
        file.name == framework + ".json") {
      needed.push_back(file);
    }
  }
  auto part = matrix::load_matrix(needed, describe(choice));
  if (part && (framework == core::k_bare_toolkit || part->find_framework(framework) != nullptr)) {
    return part;
  }
  return matrix::load_matrix(*files, describe(choice));  // the files already read, all of them
}

}  // namespace envsetup::app
