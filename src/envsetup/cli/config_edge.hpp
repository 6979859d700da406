// SPDX-License-Identifier: Apache-2.0
// The config files, read once at the edge (docs/config.md): after the command line parsed and
// before any command runs, run.cpp calls apply_config, which works out every setting's
// effective value and origin (flag > environment > user file > system file > default) and
// hands the commands the values that came from a file as if they had been given as flags.
#pragma once

#include <envsetup/config/settings.hpp>
#include <envsetup/util/error.hpp>

namespace CLI {
class App;
}

namespace envsetup::cli {

// Reads both config files (a broken one is an error naming file, line and key: exit 7),
// resolves every key against the flags the invoked commands got and the environment, and
// stores the result for effective_settings(). Then every option of the invoked commands that
// stands for a key (--mirror, --wheel-mirror, --cache, --store, --installer, --cacert, --jobs,
// --python) and was not given receives the value when it came from a config file, through the
// option's own validators; so does ENVSETUP_MIRROR's (read nowhere else). The other variables
// (ENVSETUP_CACHE_DIR, ENVSETUP_STORE) are left to the code that reads them for the default.
[[nodiscard]] util::Status apply_config(CLI::App& app);

// The settings apply_config worked out (resolved from the environment and files alone when it
// has not run).
[[nodiscard]] const config::Settings& effective_settings();

// Whether `key`'s effective value came from a config file (not from a flag): for checks that
// must not blame the user's command line for a configured value.
[[nodiscard]] bool configured_in_file(config::Key key);

}  // namespace envsetup::cli
