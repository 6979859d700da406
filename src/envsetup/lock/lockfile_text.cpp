// SPDX-License-Identifier: Apache-2.0
#include <envsetup/lock/lockfile.hpp>

namespace envsetup::lock {

std::string lockfile_text(const Lockfile& lockfile)
{
  return "schema_version = " + std::to_string(lockfile.schema_version) + "\n";
}

}  // namespace envsetup::lock
