// SPDX-License-Identifier: Apache-2.0
// The one file that includes toml++ (tests/lint/check_layers.py).
#include <envsetup/lock/lockfile.hpp>

namespace envsetup::lock {

util::Result<Lockfile> parse_lockfile(std::string_view /*text*/)
{
  return util::make_error(util::ErrorKind::internal, "reading lockfiles is not implemented yet");
}

}  // namespace envsetup::lock
