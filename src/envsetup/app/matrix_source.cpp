// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/matrix_source.hpp>

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

}  // namespace envsetup::app
