// SPDX-License-Identifier: Apache-2.0
#include <envsetup/cli/run.hpp>

int main(int argc, char** argv)
{
  return envsetup::cli::run(argc, argv);
}
